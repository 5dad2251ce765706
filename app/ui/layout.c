/* Layout: gives every node of the model's tree its rectangle.
 *
 * Sizes follow LOOK.md: they scale with min(width, height) / 1080 and the
 * text scale, never below the floors (body text 28 px, targets 2 cm on the
 * configured screen).  The top bar and the language bar wrap into more rows
 * when they do not fit; right-to-left languages mirror everything.  Text is
 * laid out here once per screen; drawing only copies the cached textures.
 */
#include "ui_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/content.h"
#include "layout_int.h"

static void compute_metrics(struct ui *u, struct metrics *m)
{
	const struct model_tree *tree = u->tree;
	m->s = imin(u->w, u->h) / 1080.0;
	m->ts = m->s * tree->text_scale / 100.0;
	m->target = (int)ceil(2.0 * config_px_per_cm(u->cfg));
	m->margin = px(64 * m->s);
	m->gap = imax(24, px(32 * m->s));
	m->body_px = imax(28, px(34 * m->ts));
	m->lead_px = imax(30, px(40 * m->ts));
	m->h1_px = imax(40, px(64 * m->ts));
	m->h2_px = imax(34, px(46 * m->ts));
	m->h3_px = imax(30, px(40 * m->ts));
	m->note_px = imax(28, px(30 * m->ts));
	m->button_px = imax(28, px(38 * m->ts));
	m->icon_px = imax(48, px(120 * m->ts));
}

SDL_Color lay_label_color(const struct ui *u, const struct model_node *n, enum box_look look)
{
	bool hc = u->tree->high_contrast;
	if (look == LOOK_TILE || look == LOOK_PRIMARY) /* high contrast: outlined, not filled */
		return hc ? u->theme.tone[n->tone] : u->theme.on_tone[n->tone];
	if (look == LOOK_CHIP && n->selected)
		return u->theme.on_tone[MODEL_TONE_GUIDE];
	if (look == LOOK_OUTLINE && n->selected)
		return u->theme.on_selected;
	if (n->type == MODEL_TYPE_NOTE)
		return u->theme.muted;
	return u->theme.text;
}

static int type_px(const struct metrics *m, enum model_type t)
{
	switch (t) {
	case MODEL_TYPE_LEAD: return m->lead_px;
	case MODEL_TYPE_H1: return m->h1_px;
	case MODEL_TYPE_H2: return m->h2_px;
	case MODEL_TYPE_H3: return m->h3_px;
	case MODEL_TYPE_NOTE: return m->note_px;
	case MODEL_TYPE_BUTTON: return m->button_px;
	case MODEL_TYPE_BODY: break;
	}
	return m->body_px;
}

static enum text_face type_face(enum model_type t)
{
	return t == MODEL_TYPE_H1 || t == MODEL_TYPE_H2 || t == MODEL_TYPE_H3 || t == MODEL_TYPE_BUTTON
		       ? TEXT_FACE_BOLD
		       : TEXT_FACE_REGULAR;
}

const struct text_block *lay_text(struct ui *u, const char *s, enum text_face face, int size,
					 SDL_Color color, int max_w, bool center, int lh)
{
	struct text_style st = {.px = size, .color = color, .line_height_pct = lh,
				.rtl = u->tree->rtl, .center = center};
	return text_simple(u->text, s, face, &st, max_w);
}

const struct text_block *lay_icon(struct ui *u, const char *glyph, int size, SDL_Color c)
{
	struct text_style st = {.px = size, .color = c, .line_height_pct = 100};
	return text_simple(u->text, glyph, TEXT_FACE_ICON, &st, size * 2);
}

/* ---- Top bar and language bar ---- */

/* A button with an icon and a word, sized to its content. */
void lay_small_button(struct ui *u, size_t i, enum box_look look, int h)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	b->look = look;
	SDL_Color c = lay_label_color(u, n, look);
	int pad = imax(14, px(20 * m->s));
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, look == LOOK_CHIP ? m->body_px : m->button_px,
			    c, u->w - 2 * m->margin - 2 * pad, false, 120);
	int w = pad + b->label->w + pad;
	if (n->icon) {
		b->icon = lay_icon(u, n->icon, px(m->button_px * 1.3), c);
		w += b->icon->w + px(12 * m->s);
	}
	b->r.w = imax(w, m->target);
	b->r.h = imax(h, b->label->h + 2 * px(12 * m->s));
	int x = pad;
	if (b->icon) {
		b->icon_at = (SDL_Point){x, (b->r.h - b->icon->h) / 2};
		x += b->icon->w + px(12 * m->s);
	}
	b->label_at = (SDL_Point){x, (b->r.h - b->label->h) / 2};
}

/* Places boxes [from, to) left to right from x0, wrapping; returns the height. */
static int flow_row(struct ui *u, const size_t *idx, size_t n, int y, int x0, int width,
		    bool center)
{
	const struct metrics *m = &u->layout.m;
	int row_h = 0, top = y;
	size_t row_start = 0;
	int x = 0;
	for (size_t k = 0; k <= n; k++) {
		bool end = k == n;
		struct box *b = end ? NULL : &u->layout.boxes[idx[k]];
		if (end || (x > 0 && x + b->r.w > width)) {
			/* Finish the row: centre it if asked. */
			int used = x - m->gap;
			int shift = center ? (width - used) / 2 : 0;
			for (size_t j = row_start; j < k; j++) {
				struct box *bj = &u->layout.boxes[idx[j]];
				bj->r.x += x0 + shift;
				bj->r.y = y + (row_h - bj->r.h) / 2;
			}
			if (end)
				break;
			y += row_h + m->gap / 2;
			row_start = k;
			x = 0;
			row_h = 0;
		}
		b->r.x = x;
		x += b->r.w + m->gap;
		row_h = imax(row_h, b->r.h);
	}
	return n ? y + row_h - top : 0;
}

void lay_mirror(struct ui *u, struct box *b)
{
	b->r.x = u->w - b->r.x - b->r.w;
	if (b->label)
		b->label_at.x = b->r.w - b->label_at.x - b->label->w;
	if (b->detail)
		b->detail_at.x = b->r.w - b->detail_at.x - b->detail->w;
	if (b->icon)
		b->icon_at.x = b->r.w - b->icon_at.x - b->icon->w;
}

static int lay_top_bar(struct ui *u)
{
	const struct model_tree *t = u->tree;
	const struct metrics *m = &u->layout.m;
	size_t nav[4], tools[4], n_nav = 0, n_tools = 0, title = (size_t)-1;
	int bh = imax(m->target, px(88 * m->s));
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (t->nodes[i].slot == MODEL_SLOT_NAV && n_nav < 4) {
			lay_small_button(u, i, LOOK_OUTLINE, bh);
			nav[n_nav++] = i;
		} else if (t->nodes[i].slot == MODEL_SLOT_TOOLS && n_tools < 4) {
			lay_small_button(u, i, LOOK_OUTLINE, bh);
			tools[n_tools++] = i;
		} else if (t->nodes[i].slot == MODEL_SLOT_TITLE) {
			title = i;
		}
	}
	if (n_nav + n_tools == 0 && title == (size_t)-1)
		return 0; /* out of service: no bar at all */
	int avail = u->w - 2 * m->margin;
	int top = px(12 * m->s), y = top;
	int nav_w = 0, tools_w = 0;
	for (size_t k = 0; k < n_nav; k++)
		nav_w += u->layout.boxes[nav[k]].r.w + m->gap;
	for (size_t k = 0; k < n_tools; k++)
		tools_w += u->layout.boxes[tools[k]].r.w + m->gap;
	struct box *tb = title != (size_t)-1 ? &u->layout.boxes[title] : NULL;
	int title_w = 0;
	if (tb) {
		tb->look = LOOK_TEXT;
		const char *words = t->nodes[title].label;
		char *fitted = NULL;
		int size = m->h2_px;
		if (t->screen == MODEL_SCREEN_PLAYER) {
			/* A slim bar over a film: the title shortened to one row, if need be
			 * (speech and the dump keep the whole title). */
			int room = avail - nav_w - tools_w - m->gap;
			size = m->button_px;
			fitted = text_fit_line(u->text, words, TEXT_FACE_BOLD, size, imax(room, 1));
			words = fitted;
		}
		tb->label = lay_text(u, words, TEXT_FACE_BOLD, size, u->theme.text, avail, true, 120);
		title_w = tb->label->w + m->gap;
		free(fitted);
	}
	int row_h = bh;
	for (size_t k = 0; k < n_nav; k++)
		row_h = imax(row_h, u->layout.boxes[nav[k]].r.h);
	for (size_t k = 0; k < n_tools; k++)
		row_h = imax(row_h, u->layout.boxes[tools[k]].r.h);
	bool one_row = nav_w + tools_w + title_w <= avail;
	bool tools_fit = nav_w + tools_w <= avail;
	/* Row 1: navigation on the start side, tools on the end side. */
	int x = m->margin;
	for (size_t k = 0; k < n_nav; k++) {
		struct box *b = &u->layout.boxes[nav[k]];
		b->r.x = x, b->r.y = y;
		x += b->r.w + m->gap;
	}
	int ty = y;
	if (!tools_fit)
		ty = y + row_h + m->gap / 2;
	x = u->w - m->margin;
	for (size_t k = n_tools; k-- > 0;) {
		struct box *b = &u->layout.boxes[tools[k]];
		x -= b->r.w;
		b->r.x = x, b->r.y = ty;
		x -= m->gap;
	}
	int bottom = ty + row_h;
	if (tb) {
		int th = imax(tb->label->h, row_h);
		tb->r.w = tb->label->w;
		tb->r.h = th;
		tb->label_at = (SDL_Point){0, (th - tb->label->h) / 2};
		if (one_row) {
			int lo = m->margin + nav_w, hi = u->w - m->margin - tools_w;
			int cx = u->w / 2 - tb->r.w / 2;
			tb->r.x = imax(lo, imin(cx, hi - tb->r.w));
			tb->r.y = y;
		} else {
			tb->r.x = (u->w - tb->r.w) / 2;
			tb->r.y = bottom + m->gap / 2;
			bottom = tb->r.y + th;
		}
	}
	if (t->rtl) {
		for (size_t k = 0; k < n_nav; k++)
			lay_mirror(u, &u->layout.boxes[nav[k]]);
		for (size_t k = 0; k < n_tools; k++)
			lay_mirror(u, &u->layout.boxes[tools[k]]);
		if (tb)
			lay_mirror(u, tb);
	}
	return bottom + px(12 * m->s);
}

static int lay_language_bar(struct ui *u)
{
	const struct model_tree *t = u->tree;
	const struct metrics *m = &u->layout.m;
	size_t *idx = xmalloc((t->n_nodes + 1) * sizeof *idx), n = 0;
	int ch = imax(m->target, px(80 * m->s));
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].slot == MODEL_SLOT_LANGS) {
			lay_small_button(u, i, LOOK_CHIP, ch);
			idx[n++] = i;
		}
	int pad = px(16 * m->s);
	int h = flow_row(u, idx, n, 0, m->margin, u->w - 2 * m->margin, true);
	int bar_h = n ? h + 2 * pad : 0;
	for (size_t k = 0; k < n; k++) {
		struct box *b = &u->layout.boxes[idx[k]];
		b->r.y += u->h - bar_h + pad;
		if (t->rtl)
			lay_mirror(u, b);
	}
	free(idx);
	return bar_h;
}

/* ---- The body ---- */

/* A tile on home: icon, title and one line, in the area's colour. */
static int lay_tile(struct ui *u, size_t i, int w, bool stacked)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	b->look = LOOK_TILE;
	SDL_Color c = lay_label_color(u, n, LOOK_TILE);
	int pad = px(40 * m->s);
	b->icon = lay_icon(u, n->icon, stacked ? px(m->icon_px * 0.75) : m->icon_px, c);
	int text_w = stacked ? w - 3 * pad - b->icon->w : w - 2 * pad;
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, m->h2_px, c, text_w, !stacked, 120);
	b->detail = lay_text(u, n->detail, TEXT_FACE_REGULAR, m->body_px, c, text_w, !stacked, 140);
	b->r.w = w;
	if (stacked) {
		int text_h = b->label->h + px(8 * m->s) + b->detail->h;
		b->r.h = imax(imax(b->icon->h, text_h) + 2 * pad, px(160 * m->s));
		b->icon_at = (SDL_Point){pad, (b->r.h - b->icon->h) / 2};
		int tx = 2 * pad + b->icon->w, ty = (b->r.h - text_h) / 2;
		b->label_at = (SDL_Point){tx, ty};
		b->detail_at = (SDL_Point){tx, ty + b->label->h + px(8 * m->s)};
	} else {
		int y = pad;
		b->icon_at = (SDL_Point){(w - b->icon->w) / 2, y};
		y += b->icon->h + px(24 * m->s);
		b->label_at = (SDL_Point){(w - b->label->w) / 2, y};
		y += b->label->h + px(12 * m->s);
		b->detail_at = (SDL_Point){(w - b->detail->w) / 2, y};
		b->r.h = y + b->detail->h + pad;
	}
	return b->r.h;
}

/* A list row: title and summary, a chevron on the end side. */
static int lay_row(struct ui *u, size_t i, int w)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	int pad = px(32 * m->s);
	b->look = LOOK_ROW;
	b->icon = lay_icon(u, n->icon, px(m->button_px * 1.6), u->theme.tone[n->tone]);
	int text_w = w - 3 * pad - b->icon->w;
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, m->button_px, u->theme.text, text_w, false,
			    125);
	b->detail = n->detail ? lay_text(u, n->detail, TEXT_FACE_REGULAR, m->note_px, u->theme.muted,
					 text_w, false, 140)
			      : NULL;
	int text_h = b->label->h + (b->detail ? px(6 * m->s) + b->detail->h : 0);
	b->r.w = w;
	b->r.h = imax(text_h + 2 * px(24 * m->s), imax(px(140 * m->s), m->target));
	int ty = (b->r.h - text_h) / 2;
	b->label_at = (SDL_Point){pad, ty};
	if (b->detail)
		b->detail_at = (SDL_Point){pad, ty + b->label->h + px(6 * m->s)};
	b->icon_at = (SDL_Point){w - pad - b->icon->w, (b->r.h - b->icon->h) / 2};
	return b->r.h;
}

static int lay_primary(struct ui *u, size_t i, int w)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	b->look = LOOK_PRIMARY;
	SDL_Color c = lay_label_color(u, n, LOOK_PRIMARY);
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, m->h2_px, c, w - px(80 * m->s), true, 120);
	b->r.w = w;
	b->r.h = imax(b->label->h + px(64 * m->s), imax(px(160 * m->s), m->target));
	b->label_at = (SDL_Point){(w - b->label->w) / 2, (b->r.h - b->label->h) / 2};
	return b->r.h;
}

/* Rich text of a page block: its spans with their faces. */
static const struct text_block *lay_block_text(struct ui *u, const struct page_block *blk, int size,
					       bool bold, int w, int lh)
{
	/* Every span, however many (a page may emphasise a thousand words). */
	struct text_run *runs = xmalloc((blk->n_spans ? blk->n_spans : 1) * sizeof *runs);
	size_t n = 0;
	for (size_t k = 0; k < blk->n_spans; k++) {
		unsigned st = blk->spans[k].style;
		bool b = bold || (st & PAGE_SPAN_BOLD);
		bool it = st & PAGE_SPAN_ITALIC;
		runs[n].text = blk->spans[k].text;
		runs[n].face = b && it ? TEXT_FACE_BOLD_ITALIC
			       : b     ? TEXT_FACE_BOLD
			       : it    ? TEXT_FACE_ITALIC
				       : TEXT_FACE_REGULAR;
		n++;
	}
	struct text_style st = {.px = size, .color = u->theme.text, .line_height_pct = lh,
				.rtl = u->tree->rtl};
	const struct text_block *tb = text_layout(u->text, runs, n, &st, w);
	free(runs);
	return tb;
}

/* Pictures of a page are kept at most this wide (a 1080p reading column). */
#define PICTURE_KEEP_W 1280

/* A page's picture, scaled down to the column, never up; false when it
 * cannot be shown (its alt text stands in its place). */
static bool lay_picture(struct ui *u, size_t i, int w)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	int iw = 0, ih = 0;
	SDL_Texture *tex = n->block->image ? images_get(u->images, n->block->image, PICTURE_KEEP_W,
							&iw, &ih)
					   : NULL;
	if (!tex || iw <= 0 || ih <= 0)
		return false;
	int dw = iw < w ? iw : w, dh = (int)((long)ih * dw / iw);
	b->look = LOOK_PICTURE;
	b->image = tex;
	b->image_at = (SDL_Rect){(w - dw) / 2, 0, dw, dh};
	b->r.w = w;
	b->r.h = dh;
	return true;
}

/* A text node: heading, paragraph, list item or note. */
int lay_text_node(struct ui *u, size_t i, int w, bool center)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	if (n->block && n->block->kind == PAGE_BLOCK_IMAGE && lay_picture(u, i, w))
		return b->r.h; /* its alt text is what speech reads */
	int size = type_px(m, n->type);
	bool heading = n->role == MODEL_ROLE_HEADING;
	int lh = heading ? 120 : 150;
	b->look = LOOK_TEXT;
	int indent = 0;
	if (n->block && n->block->kind == PAGE_BLOCK_LIST_ITEM) {
		char mark[16];
		if (n->block->number)
			snprintf(mark, sizeof mark, "%d.", n->block->number);
		else
			snprintf(mark, sizeof mark, "%s", n->block->level > 1 ? "–" : "•");
		indent = px(size * 1.4) * n->block->level;
		b->icon = lay_text(u, mark, TEXT_FACE_BOLD, size, u->theme.text, indent, false, lh);
		b->icon_at = (SDL_Point){indent - px(size * 1.4) + 0, 0};
	}
	if (n->block && n->block->kind != PAGE_BLOCK_IMAGE)
		b->label = lay_block_text(u, n->block, size, heading, w - indent, lh);
	else
		b->label = lay_text(u, n->label, heading ? TEXT_FACE_BOLD : type_face(n->type), size,
				    lay_label_color(u, n, LOOK_TEXT), w - indent, center, lh);
	int y = 0;
	if (n->icon && !b->icon) {
		b->icon = lay_icon(u, n->icon, heading ? m->icon_px : px(size * 1.3),
				   u->theme.tone[n->tone]);
		if (heading) {
			b->icon_at = (SDL_Point){(w - b->icon->w) / 2, 0};
			y = b->icon->h + px(24 * m->s);
		} else {
			b->icon_at = (SDL_Point){0, 0};
			indent = b->icon->w + px(16 * m->s);
		}
	}
	b->label_at = (SDL_Point){center ? (w - b->label->w) / 2 : indent, y};
	b->r.w = w;
	b->r.h = y + b->label->h;
	return b->r.h;
}

/* Space above a page block, so that headings group with what follows. */
static int space_before(const struct ui *u, size_t i, bool first)
{
	const struct model_node *n = &u->tree->nodes[i];
	const struct metrics *m = &u->layout.m;
	if (first)
		return 0;
	if (n->role == MODEL_ROLE_HEADING)
		return px(type_px(m, n->type) * 0.9);
	if (n->block && n->block->kind == PAGE_BLOCK_LIST_ITEM)
		return px(m->body_px * 0.35);
	return px(m->body_px * 0.8);
}

void lay_place(struct ui *u, struct box *b, int x, int y)
{
	b->r.x = x, b->r.y = y;
	b->in_body = true;
	if (u->tree->rtl) {
		b->r.x = u->w - x - b->r.w;
		if (b->label && b->look != LOOK_TILE)
			b->label_at.x = b->r.w - b->label_at.x - b->label->w;
		if (b->detail)
			b->detail_at.x = b->r.w - b->detail_at.x - b->detail->w;
		if (b->icon && b->look != LOOK_TILE)
			b->icon_at.x = b->r.w - b->icon_at.x - b->icon->w;
	}
}

static int lay_home_texts(struct ui *u, const size_t *texts, size_t n, int width, int x0, int y,
			  int gap)
{
	for (size_t k = 0; k < n; k++) {
		struct box *b = &u->layout.boxes[texts[k]];
		lay_text_node(u, texts[k], width, true);
		lay_place(u, b, x0, y);
		y += b->r.h + gap;
	}
	return y;
}

/* The room around home's parts: as LOOK.md has it, or halved where a
 * language's longer words would otherwise push the tiles below the fold. */
struct home_gaps {
	int top, text, before_tiles, bottom;
};

static struct home_gaps home_gaps(const struct metrics *m, bool tight)
{
	int k = tight ? 2 : 1;
	return (struct home_gaps){px(48 * m->s) / k, px(24 * m->s) / k, px(32 * m->s) / k,
				  px(48 * m->s) / k};
}

/* Home: the welcome, then the three tiles side by side where they fit.
 * Side by side, the intro stands between the welcome and the tiles;
 * stacked (portrait, large text) the tiles come right after the welcome
 * line and the intro follows them, so that the way on is never below the
 * fold.  The order follows the screen alone, never the language: Arabic
 * shows what German shows, mirrored. */
static int lay_body_home(struct ui *u, size_t *idx, size_t n, int width, int x0)
{
	const struct metrics *m = &u->layout.m;
	size_t tiles[3] = {0}, n_tiles = 0, texts[4] = {0}, n_texts = 0;
	for (size_t k = 0; k < n; k++) {
		if (u->tree->nodes[idx[k]].role == MODEL_ROLE_BUTTON && n_tiles < 3)
			tiles[n_tiles++] = idx[k];
		else if (n_texts < 4)
			texts[n_texts++] = idx[k];
	}
	int tile_w = (width - 2 * m->gap) / 3;
	bool side_by_side = u->w >= u->h && tile_w >= px(400 * m->ts);
	bool intro_first = side_by_side;
	int h = 0;
	for (size_t k = 0; side_by_side && k < n_tiles; k++)
		h = imax(h, lay_tile(u, tiles[k], tile_w, false));
	/* What it all needs with the usual room; tighter where that is more
	 * than the screen has. */
	int texts_h = 0;
	for (size_t k = 0; k < n_texts; k++)
		texts_h += lay_text_node(u, texts[k], width, true);
	struct home_gaps g = home_gaps(m, false);
	int need = g.top + texts_h + (int)n_texts * g.text + g.before_tiles + h + g.bottom;
	if (side_by_side && need > u->layout.viewport.h)
		g = home_gaps(m, true);
	int y = g.top;
	y = lay_home_texts(u, texts, n_texts ? 1 : 0, width, x0, y, g.text);
	if (intro_first)
		y = lay_home_texts(u, texts + 1, n_texts - 1, width, x0, y, g.text);
	y += g.before_tiles;
	if (side_by_side) {
		for (size_t k = 0; k < n_tiles; k++) {
			struct box *b = &u->layout.boxes[tiles[k]];
			b->r.h = h;
			lay_place(u, b, x0 + (int)k * (tile_w + m->gap), y);
		}
		y += h;
	} else {
		for (size_t k = 0; k < n_tiles; k++) {
			struct box *b = &u->layout.boxes[tiles[k]];
			lay_tile(u, tiles[k], width, true);
			lay_place(u, b, x0, y);
			y += b->r.h + m->gap;
		}
	}
	if (!intro_first && n_texts > 1)
		y = lay_home_texts(u, texts + 1, n_texts - 1, width, x0, y + px(16 * m->s), g.text);
	return y + g.bottom;
}

/* How many body buttons follow one another from idx[0]. */
static size_t button_run(const struct ui *u, const size_t *idx, size_t n)
{
	size_t k = 0;
	while (k < n && u->tree->nodes[idx[k]].role == MODEL_ROLE_BUTTON &&
	       u->tree->nodes[idx[k]].slot == MODEL_SLOT_BODY)
		k++;
	return k;
}

/* Buttons that follow one another: the PIN pad as three columns of equal
 * keys, large enough for any finger; others side by side, wrapping.
 * Centred in width; returns the height used. */
static int lay_buttons(struct ui *u, const size_t *idx, size_t n, int width, int x0, int y)
{
	const struct metrics *m = &u->layout.m;
	bool pad = u->tree->screen == MODEL_SCREEN_ADMIN_PIN;
	int key_w = 0, key_h = imax(m->target, px(104 * m->s));
	for (size_t k = 0; k < n; k++) {
		const struct model_node *node = &u->tree->nodes[idx[k]];
		lay_small_button(u, idx[k], node->tone != MODEL_TONE_PLAIN || !pad ? LOOK_PRIMARY
										   : LOOK_OUTLINE,
				 key_h);
		key_w = imax(key_w, u->layout.boxes[idx[k]].r.w);
	}
	int row = width;
	if (pad) { /* every key as wide as the widest, its label centred */
		key_w = imax(key_w, px(200 * m->s));
		for (size_t k = 0; k < n; k++) {
			struct box *b = &u->layout.boxes[idx[k]];
			int shift = (key_w - b->r.w) / 2;
			b->r.w = key_w;
			b->label_at.x += shift;
			b->icon_at.x += shift;
		}
		row = imin(width, 3 * key_w + 2 * m->gap);
	}
	int h = flow_row(u, idx, n, y, x0 + (width - row) / 2, row, true);
	for (size_t k = 0; k < n; k++) {
		struct box *b = &u->layout.boxes[idx[k]];
		lay_place(u, b, b->r.x, b->r.y);
	}
	return h;
}

static int lay_body_column(struct ui *u, size_t *idx, size_t n, int width, int x0, bool center)
{
	const struct metrics *m = &u->layout.m;
	int y = px(40 * m->s);
	bool page = u->tree->screen == MODEL_SCREEN_PAGE;
	int pad = page ? px(56 * m->s) : 0;
	int inner = width - 2 * pad;
	y += pad;
	for (size_t k = 0; k < n; k++) {
		size_t i = idx[k];
		const struct model_node *node = &u->tree->nodes[i];
		struct box *b = &u->layout.boxes[i];
		if (node->role == MODEL_ROLE_BUTTON && node->slot == MODEL_SLOT_BODY &&
		    u->tree->screen == MODEL_SCREEN_GUIDE) {
			lay_row(u, i, inner);
			lay_place(u, b, x0 + pad, y);
			y += b->r.h + m->gap / 2;
			continue;
		}
		y += space_before(u, i, k == 0);
		size_t run = button_run(u, idx + k, n - k);
		if (run > 1) { /* the PIN pad's keys, the admin area's actions */
			y += lay_buttons(u, idx + k, run, inner, x0 + pad, y);
			k += run - 1;
			continue;
		}
		if (node->role == MODEL_ROLE_BUTTON) /* "Film ansehen" on a page */
			lay_small_button(u, i, LOOK_PRIMARY, imax(m->target, px(100 * m->s)));
		else
			lay_text_node(u, i, inner, center);
		if (node->role == MODEL_ROLE_PROGRESS) /* the bar is as wide as the column */
			b->r.w = inner, b->label_at.x = center ? (inner - b->label->w) / 2 : 0;
		lay_place(u, b, x0 + pad, y);
		y += b->r.h + (node->role == MODEL_ROLE_PROGRESS ? px(64 * m->s) : 0);
	}
	y += pad;
	if (page)
		u->layout.column = (SDL_Rect){x0, px(40 * m->s), width, y - px(40 * m->s)};
	return y + px(48 * m->s);
}

static void lay_dialog(struct ui *u, size_t *idx, size_t n)
{
	const struct metrics *m = &u->layout.m;
	int width = imin(u->w - 2 * m->margin, px(1200 * m->s));
	int x0 = (u->w - width) / 2;
	int total = 0, gap = px(40 * m->s);
	for (size_t k = 0; k < n; k++) {
		const struct model_node *node = &u->tree->nodes[idx[k]];
		int h = node->role == MODEL_ROLE_BUTTON
				? lay_primary(u, idx[k], imin(width, px(900 * m->ts)))
				: lay_text_node(u, idx[k], width, true);
		if (node->value_max)
			h += px(48 * m->s); /* room for the countdown bar */
		total += h + gap;
	}
	int y = imax(m->margin, (u->h - total) / 2);
	for (size_t k = 0; k < n; k++) {
		struct box *b = &u->layout.boxes[idx[k]];
		int x = b->r.w < width ? (u->w - b->r.w) / 2 : x0;
		b->r.x = x, b->r.y = y;
		y += b->r.h + gap + (u->tree->nodes[idx[k]].value_max ? px(48 * m->s) : 0);
	}
}

/* Low reach (a resident in a wheelchair at a tall stele): the top bar joins
 * the bars at the bottom, the body lies in the lower 60 %, and the upper part
 * keeps only the screen's title, which is nothing to reach for. */
static void lay_low_reach(struct ui *u)
{
	struct layout *L = &u->layout;
	const struct model_tree *t = u->tree;
	int reach_top = u->h * 4 / 10;
	/* Without its title the bar needs only the rows of its buttons. */
	int rows_end = 0;
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].slot == MODEL_SLOT_NAV || t->nodes[i].slot == MODEL_SLOT_TOOLS)
			rows_end = imax(rows_end, L->boxes[i].r.y + L->boxes[i].r.h);
	L->top_h = rows_end + px(12 * L->m.s);
	int bar_top = u->h - L->bottom_h - L->top_h;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct box *b = &L->boxes[i];
		enum model_slot slot = t->nodes[i].slot;
		if (slot == MODEL_SLOT_NAV || slot == MODEL_SLOT_TOOLS)
			b->r.y += bar_top;
		else if (slot == MODEL_SLOT_TITLE)
			b->r.y = (reach_top - b->r.h) / 2;
	}
	L->bottom_h += L->top_h;
	L->top_h = 0;
	L->viewport = (SDL_Rect){0, reach_top, u->w, u->h - reach_top - L->bottom_h};
}

void layout_tree(struct ui *u)
{
	const struct model_tree *t = u->tree;
	struct layout *L = &u->layout;
	text_cache_trim(u->text);
	theme_get(&u->theme, t->high_contrast);
	compute_metrics(u, &L->m);
	/* The check mark of chosen answers, white (black in high contrast) on the area's colour. */
	u->check_icon = lay_icon(u, "\xee\x97\x8a", px(32 * L->m.s), u->theme.on_tone[MODEL_TONE_SURVEY]);
	free(L->boxes);
	L->boxes = xcalloc(t->n_nodes + 1, sizeof *L->boxes);
	L->n = t->n_nodes;
	L->column = (SDL_Rect){0};
	size_t *body = xmalloc((t->n_nodes + 1) * sizeof *body), n_body = 0;
	size_t *dialog = xmalloc((t->n_nodes + 1) * sizeof *dialog), n_dialog = 0;
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (t->nodes[i].slot == MODEL_SLOT_BODY)
			body[n_body++] = i;
		else if (t->nodes[i].slot == MODEL_SLOT_DIALOG)
			dialog[n_dialog++] = i;
	}
	if (n_dialog) {
		L->top_h = L->bottom_h = 0;
		L->viewport = (SDL_Rect){0, 0, u->w, u->h};
		lay_dialog(u, dialog, n_dialog);
		L->content_h = u->h;
	} else {
		L->top_h = lay_top_bar(u);
		L->band = (SDL_Rect){0};
		u->video_node = -1;
		L->bottom_h = lay_language_bar(u);
		L->bottom_h += lay_actions(u, u->h - L->bottom_h);
		L->viewport = (SDL_Rect){0, L->top_h, u->w, u->h - L->top_h - L->bottom_h};
		if (u->cfg->low_reach && u->h > u->w)
			lay_low_reach(u);
		int avail = u->w - 2 * L->m.margin;
		int width = avail;
		if (t->screen == MODEL_SCREEN_PAGE)
			width = imin(avail, px(1100 * L->m.ts) + 2 * px(56 * L->m.s));
		else if (t->screen == MODEL_SCREEN_GUIDE)
			width = imin(avail, px(1400 * L->m.s));
		else if (t->screen == MODEL_SCREEN_FILMS)
			width = imin(avail, px(1800 * L->m.s));
		else if (t->screen != MODEL_SCREEN_HOME)
			width = imin(avail, px(1300 * L->m.s));
		int x0 = (u->w - width) / 2;
		if (t->screen == MODEL_SCREEN_PLAYER)
			lay_player(u, body, n_body);
		else if (t->screen == MODEL_SCREEN_FILMS)
			L->content_h = lay_body_films(u, body, n_body, width, x0);
		else if (t->screen == MODEL_SCREEN_HOME)
			L->content_h = lay_body_home(u, body, n_body, width, x0);
		else if (t->screen == MODEL_SCREEN_SURVEY && n_body &&
			 strncmp(t->nodes[body[0]].id, "survey.", 7) == 0) {
			L->content_h = lay_body_survey(u, body, n_body, width, x0);
		}
		else
			L->content_h = lay_body_column(u, body, n_body, width, x0,
						       t->screen != MODEL_SCREEN_PAGE &&
							       t->screen != MODEL_SCREEN_GUIDE);
		/* Short content sits in the middle of the viewport. */
		if (L->content_h < L->viewport.h && t->screen != MODEL_SCREEN_PAGE &&
		    t->screen != MODEL_SCREEN_GUIDE && t->screen != MODEL_SCREEN_SURVEY &&
		    t->screen != MODEL_SCREEN_PLAYER) {
			int shift = (L->viewport.h - L->content_h) / 2;
			for (size_t k = 0; k < n_body; k++)
				L->boxes[body[k]].r.y += shift;
		}
	}
	free(body);
	free(dialog);
}

int layout_max_scroll(const struct ui *u)
{
	int d = u->layout.content_h - u->layout.viewport.h;
	return d > 0 ? d : 0;
}

bool layout_visible_rect(const struct ui *u, size_t i, SDL_Rect *out)
{
	const struct box *b = &u->layout.boxes[i];
	SDL_Rect r = b->r;
	SDL_Rect clip = {0, 0, u->w, u->h};
	if (b->in_body) {
		r.y += u->layout.viewport.y - (int)lround(u->scroll);
		clip = u->layout.viewport;
	}
	if (r.w <= 0 || r.h <= 0)
		return false;
	return SDL_IntersectRect(&r, &clip, out) == SDL_TRUE;
}
