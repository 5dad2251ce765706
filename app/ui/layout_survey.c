/* Layout of the survey: answer cards, the five faces, the text field, the
 * on-screen keyboard, and the bar with back and next above the languages. */
#include "ui_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"

/* An answer card: icon (radio, box) on the start side, then the words. */
static int lay_option(struct ui *u, size_t i, int w)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	int pad = px(32 * m->s);
	SDL_Color c = n->selected && u->tree->high_contrast ? u->theme.on_selected : u->theme.text;
	b->look = LOOK_OPTION;
	b->icon = lay_icon(u, n->icon, px(m->button_px * 1.4),
			   n->selected && u->tree->high_contrast ? c : u->theme.tone[n->tone]);
	int text_w = w - 3 * pad - b->icon->w;
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, m->button_px, c, text_w, false, 125);
	b->r.w = w;
	b->r.h = imax(b->label->h + 2 * px(32 * m->s), imax(px(140 * m->s), m->target));
	b->icon_at = (SDL_Point){pad, (b->r.h - b->icon->h) / 2};
	b->label_at = (SDL_Point){2 * pad + b->icon->w, (b->r.h - b->label->h) / 2};
	return b->r.h;
}

/* A face of a five-point scale: the face big, its word under it. */
static int lay_face(struct ui *u, size_t i, int w)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	SDL_Color c = n->selected && u->tree->high_contrast ? u->theme.on_selected : u->theme.text;
	b->look = LOOK_OPTION;
	b->icon = lay_icon(u, n->icon, imin(px(110 * m->ts), w * 6 / 10),
			   n->selected && u->tree->high_contrast ? c : u->theme.tone[n->tone]);
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, m->body_px, c, w - px(24 * m->s), true, 120);
	b->r.w = w;
	int pad = px(24 * m->s);
	b->icon_at = (SDL_Point){(w - b->icon->w) / 2, pad};
	b->label_at = (SDL_Point){(w - b->label->w) / 2, pad + b->icon->h + px(12 * m->s)};
	b->r.h = b->label_at.y + b->label->h + pad;
	return b->r.h;
}

static int lay_input(struct ui *u, size_t i, int w)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	int pad = px(24 * m->s);
	b->look = LOOK_INPUT;
	/* A caret after the text: the field shows where typing goes. */
	char *shown = xasprintf("%s|", n->label);
	b->label = lay_text(u, shown, TEXT_FACE_REGULAR, m->body_px, u->theme.text, w - 2 * pad,
			    false, 150);
	free(shown);
	b->detail = n->detail ? lay_text(u, n->detail, TEXT_FACE_REGULAR, m->note_px,
					 u->theme.muted, w - 2 * pad, false, 140)
			      : NULL;
	int text_h = imax(b->label->h, m->body_px * 3 / 2);
	b->label_at = (SDL_Point){pad, pad};
	b->r.w = w;
	b->r.h = text_h + 2 * pad;
	if (b->detail) {
		b->detail_at = (SDL_Point){w - pad - b->detail->w, b->r.h};
		b->r.h += b->detail->h + px(8 * m->s);
	}
	return b->r.h;
}

static void lay_key(struct ui *u, size_t i, int w, int h)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	SDL_Color c = n->selected ? u->theme.on_selected : u->theme.text;
	b->look = LOOK_KEY;
	b->r.w = w, b->r.h = h;
	if (n->icon) {
		b->icon = lay_icon(u, n->icon, px(m->button_px * 1.2), c);
		b->icon_at = (SDL_Point){(w - b->icon->w) / 2, (h - b->icon->h) / 2};
	} else {
		b->label = lay_text(u, n->label, TEXT_FACE_BOLD, px(m->button_px * 1.1), c, w, true, 100);
		b->label_at = (SDL_Point){(w - b->label->w) / 2, (h - b->label->h) / 2};
	}
}

/* The keyboard: rows of keys (value = row from 1), each key value_max keys
 * wide where there is room (value_max 0: the space bar, which fills its
 * row); as wide as the screen allows, every key at least 2 cm, in every
 * layout and orientation. */
#define KBD_ROWS 8

struct kbd_plan {
	bool wide;    /* keys wider than one key keep their width */
	bool split;   /* a row too long for the screen wraps into more lines */
	int gap;      /* between keys */
	int key_w;    /* one key */
	int most;     /* keys in the widest line, in units of one key */
	int lines[KBD_ROWS + 1]; /* lines a row takes */
};

static int key_units(const struct model_node *n, bool wide)
{
	return wide && n->value_max > 1 ? n->value_max : 1;
}

/* Works a plan out; false when a key would be under 2 cm with it. */
static bool kbd_try(const struct ui *u, const size_t *keys, size_t n, int width,
		    struct kbd_plan *p)
{
	int target = u->layout.m.target;
	int fit = imax(1, (width + p->gap) / (target + p->gap));
	p->most = 1;
	for (int row = 1; row <= KBD_ROWS; row++) {
		int units = 0;
		for (size_t k = 0; k < n; k++)
			if (u->tree->nodes[keys[k]].value == row)
				units += key_units(&u->tree->nodes[keys[k]], p->wide);
		p->lines[row] = p->split ? imax(1, (units + fit - 1) / fit) : 1;
		p->most = imax(p->most, (units + p->lines[row] - 1) / p->lines[row]);
	}
	p->key_w = (width - (p->most - 1) * p->gap) / p->most;
	return p->key_w >= target;
}

/* Wide keys and the normal gap first; then narrower keys, a smaller gap,
 * and last a row wrapped into two. */
static struct kbd_plan kbd_plan(const struct ui *u, const size_t *keys, size_t n, int width)
{
	int gap = imax(12, px(16 * u->layout.m.s));
	const struct kbd_plan tries[] = {
		{.wide = true, .gap = gap}, {.gap = gap}, {.gap = 10}, {.gap = 10, .split = true},
	};
	struct kbd_plan p;
	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		p = tries[i];
		if (kbd_try(u, keys, n, width, &p))
			break;
	}
	p.key_w = imin(p.key_w, px(120 * u->layout.m.s));
	return p;
}

/* Lays out one line of keys (keys[from..to)) centred at y. */
static void kbd_line(struct ui *u, const struct kbd_plan *p, const size_t *keys, size_t from,
		     size_t to, int x0, int width, int y, int key_h)
{
	int full = p->most * p->key_w + (p->most - 1) * p->gap, row_w = -p->gap;
	size_t space = (size_t)-1;
	/* A line with room to spare (the bottom row) keeps its wide keys. */
	int wide_units = 0;
	for (size_t k = from; k < to; k++)
		wide_units += key_units(&u->tree->nodes[keys[k]], true);
	bool wide = p->wide || wide_units <= p->most;
	for (size_t k = from; k < to; k++) {
		const struct model_node *node = &u->tree->nodes[keys[k]];
		int units = key_units(node, wide);
		lay_key(u, keys[k], units * p->key_w + (units - 1) * p->gap, key_h);
		row_w += u->layout.boxes[keys[k]].r.w + p->gap;
		if (node->value_max == 0)
			space = k;
	}
	if (space != (size_t)-1 && row_w < full) { /* the space bar takes what is left */
		lay_key(u, keys[space], u->layout.boxes[keys[space]].r.w + full - row_w, key_h);
		row_w = full;
	}
	int x = x0 + (width - row_w) / 2;
	for (size_t k = from; k < to; k++) {
		struct box *b = &u->layout.boxes[keys[k]];
		/* A keyboard keeps its order in every language: no mirroring. */
		b->r.x = x, b->r.y = y;
		b->in_body = true;
		x += b->r.w + p->gap;
	}
}

static int lay_keyboard(struct ui *u, const size_t *keys, size_t n, int x0, int width, int y)
{
	const struct metrics *m = &u->layout.m;
	struct kbd_plan p = kbd_plan(u, keys, n, width);
	int key_h = imax(m->target, px(84 * m->s));
	/* The model gives the keys row by row. */
	for (size_t k = 0; k < n;) {
		int row = u->tree->nodes[keys[k]].value;
		size_t end = k;
		while (end < n && u->tree->nodes[keys[end]].value == row)
			end++;
		int lines = row >= 1 && row <= KBD_ROWS ? p.lines[row] : 1;
		size_t per = (end - k + (size_t)lines - 1) / (size_t)lines;
		for (size_t from = k; from < end; from += per) {
			kbd_line(u, &p, keys, from, from + per < end ? from + per : end, x0, width,
				 y, key_h);
			y += key_h + p.gap;
		}
		k = end;
	}
	return y;
}

int lay_body_survey(struct ui *u, size_t *idx, size_t n, int width, int x0)
{
	const struct metrics *m = &u->layout.m;
	int y = px(32 * m->s);
	size_t faces[5], n_faces = 0, *keys = xmalloc((n + 1) * sizeof *keys), n_keys = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = idx[k];
		const struct model_node *node = &u->tree->nodes[i];
		struct box *b = &u->layout.boxes[i];
		if (node->role == MODEL_ROLE_OPTION && node->value && n_faces < 5) {
			faces[n_faces++] = i;
		} else if (node->role == MODEL_ROLE_OPTION) {
			y += k ? m->gap / 2 : 0;
			lay_option(u, i, width);
			lay_place(u, b, x0, y);
			y += b->r.h;
		} else if (node->role == MODEL_ROLE_INPUT) {
			y += m->gap;
			lay_input(u, i, width);
			lay_place(u, b, x0, y);
			y += b->r.h;
		} else if (strncmp(node->id, "kbd.", 4) == 0) {
			keys[n_keys++] = i;
		} else {
			y += k ? px(24 * m->s) : 0;
			lay_text_node(u, i, width, false);
			lay_place(u, b, x0, y);
			y += b->r.h + (node->value_max ? px(40 * m->s) : 0); /* room for the steps */
		}
	}
	if (n_faces) {
		/* Five faces in a row where each gets 2 cm and its word fits; else a column. */
		int fw = (width - 4 * m->gap) / 5;
		bool row = fw >= imax(m->target, px(200 * m->ts));
		y += m->gap;
		int h = 0;
		for (size_t k = 0; k < n_faces; k++)
			h = imax(h, row ? lay_face(u, faces[k], fw) : lay_option(u, faces[k], width));
		for (size_t k = 0; k < n_faces; k++) {
			struct box *b = &u->layout.boxes[faces[k]];
			if (row) {
				b->r.h = h;
				lay_place(u, b, x0 + (int)k * (fw + m->gap), y);
			} else {
				lay_place(u, b, x0, y);
				y += b->r.h + m->gap / 2;
			}
		}
		if (row)
			y += h;
	}
	if (n_keys) /* the keyboard may use the whole screen's width */
		y = lay_keyboard(u, keys, n_keys, px(16 * m->s), u->w - 2 * px(16 * m->s),
				 y + m->gap);
	free(keys);
	return y + px(48 * m->s);
}

/* A way back (outlined, on the start side) rather than forward. */
static bool is_way_back(const char *id)
{
	return strcmp(id, "survey.back") == 0 || strcmp(id, "import.cancel") == 0;
}

/* The survey's back and next (or submit) above the language bar, and the
 * import screen's cancel and install; the way forward on the end side. */
int lay_actions(struct ui *u, int bottom)
{
	const struct model_tree *t = u->tree;
	const struct metrics *m = &u->layout.m;
	int pad = px(16 * m->s), h = 0, y_text = 0;
	size_t msg = (size_t)-1;
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (t->nodes[i].slot != MODEL_SLOT_ACTIONS)
			continue;
		if (t->nodes[i].role == MODEL_ROLE_TEXT) {
			msg = i;
			continue;
		}
		struct box *b = &u->layout.boxes[i];
		bool forward = !is_way_back(t->nodes[i].id);
		lay_small_button(u, i, forward ? LOOK_PRIMARY : LOOK_OUTLINE,
				 imax(m->target, px(112 * m->s)));
		b->r.w = imax(b->r.w, px(360 * m->s));
		if (forward) /* the label sits centred on the wider button */
			b->label_at.x = (b->r.w - b->label->w + (b->icon ? b->icon->w : 0)) / 2,
			b->icon_at.x = b->label_at.x - (b->icon ? b->icon->w + px(12 * m->s) : 0);
		b->r.x = forward ? u->w - m->margin - b->r.w : m->margin;
		h = imax(h, b->r.h);
	}
	if (!h && msg == (size_t)-1)
		return 0;
	if (msg != (size_t)-1) {
		struct box *b = &u->layout.boxes[msg];
		lay_text_node(u, msg, u->w - 2 * m->margin, false);
		y_text = b->r.h + pad;
	}
	int top = bottom - (h + y_text + 2 * pad);
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (t->nodes[i].slot != MODEL_SLOT_ACTIONS)
			continue;
		struct box *b = &u->layout.boxes[i];
		if (i == msg) {
			b->r.x = m->margin, b->r.y = top + pad;
		} else {
			b->r.y = top + pad + y_text + (h - b->r.h) / 2;
		}
		if (t->rtl)
			lay_mirror(u, b);
	}
	return bottom - top;
}

