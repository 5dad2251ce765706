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

/* The keyboard: rows of equal keys (value = row), wide special keys, a space
 * bar; as wide as the screen allows, every key at least 2 cm. */
/* Keys in the widest row; with wide keys (shift, backspace) counted twice. */
static int keyboard_units(const struct ui *u, const size_t *keys, size_t n, bool wide)
{
	int most = 0;
	for (int row = 1; row <= 4; row++) {
		int units = 0;
		for (size_t k = 0; k < n; k++)
			if (u->tree->nodes[keys[k]].value == row)
				units += wide && u->tree->nodes[keys[k]].icon ? 2 : 1;
		most = imax(most, units);
	}
	return most;
}

/* The keyboard: rows of equal keys (value = row), the space bar below; as
 * wide as the screen allows, every key at least 2 cm.  Shift and backspace
 * are double width where that still leaves every key 2 cm. */
static int lay_keyboard(struct ui *u, const size_t *keys, size_t n, int x0, int width, int y)
{
	const struct metrics *m = &u->layout.m;
	int gap = imax(12, px(16 * m->s));
	bool wide = true;
	int units = keyboard_units(u, keys, n, true);
	int key_w = (width - (units - 1) * gap) / imax(units, 1);
	if (key_w < m->target) {
		wide = false;
		units = keyboard_units(u, keys, n, false);
		key_w = (width - (units - 1) * gap) / imax(units, 1);
	}
	key_w = imin(key_w, px(120 * m->s));
	int key_h = imax(m->target, px(84 * m->s));
	for (int row = 1; row <= 5; row++) {
		int row_w = 0;
		for (size_t k = 0; k < n; k++) {
			const struct model_node *node = &u->tree->nodes[keys[k]];
			if (node->value != row)
				continue;
			int w = row == 5 ? key_w * 6 : wide && node->icon ? key_w * 2 + gap : key_w;
			lay_key(u, keys[k], w, key_h);
			row_w += w + gap;
		}
		int x = x0 + (width - (row_w - gap)) / 2;
		for (size_t k = 0; k < n; k++) {
			struct box *b = &u->layout.boxes[keys[k]];
			if (u->tree->nodes[keys[k]].value != row)
				continue;
			/* A keyboard keeps its order in every language: no mirroring. */
			b->r.x = x, b->r.y = y;
			b->in_body = true;
			x += b->r.w + gap;
		}
		if (row_w)
			y += key_h + gap;
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

/* The survey's back and next (or submit) above the language bar; next on
 * the end side, as the way forward. */
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
		bool forward = strcmp(t->nodes[i].id, "survey.back") != 0;
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

