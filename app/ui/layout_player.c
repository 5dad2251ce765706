/* Layout of the films: the cards of the list, and the player with its
 * controls on a dark band over the bottom of the film. */
#include "ui_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"

/* A still is kept this wide: a film card shows it smaller. */
#define STILL_KEEP_W 640

/* A film card: the still on top (16:9), the title, the length. */
static int lay_card(struct ui *u, size_t i, int w)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	int pad = px(20 * m->s);
	b->look = LOOK_CARD;
	b->r.w = w;
	int iw = 0, ih = 0;
	b->image = n->image ? images_get(u->images, n->image, STILL_KEEP_W, &iw, &ih) : NULL;
	b->image_at = (SDL_Rect){0, 0, w, w * 9 / 16};
	b->icon = lay_icon(u, n->icon, px(m->button_px * 1.3), u->theme.tone[n->tone]);
	int text_w = w - 3 * pad - b->icon->w;
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, m->button_px, u->theme.text, text_w, false,
			    120);
	b->detail = lay_text(u, n->detail, TEXT_FACE_REGULAR, m->note_px, u->theme.muted, text_w,
			     false, 140);
	int y = b->image_at.h + pad;
	b->icon_at = (SDL_Point){pad, y};
	b->label_at = (SDL_Point){2 * pad + b->icon->w, y};
	b->detail_at = (SDL_Point){2 * pad + b->icon->w, y + b->label->h + px(4 * m->s)};
	b->r.h = b->detail_at.y + b->detail->h + pad;
	return b->r.h;
}

int lay_body_films(struct ui *u, size_t *idx, size_t n, int width, int x0)
{
	const struct metrics *m = &u->layout.m;
	/* Cards wide enough that a long German title breaks between words. */
	int cols = imax(1, imin(4, (width + m->gap) / (px(540 * m->ts) + m->gap)));
	int w = (width - (cols - 1) * m->gap) / cols;
	int y = px(40 * m->s), row_h = 0;
	size_t row_start = 0;
	for (size_t k = 0; k <= n; k++) {
		bool new_row = k == n || (k && k % (size_t)cols == 0);
		if (new_row) { /* the cards of a row share its height */
			for (size_t j = row_start; j < k; j++)
				if (u->tree->nodes[idx[j]].role == MODEL_ROLE_BUTTON)
					u->layout.boxes[idx[j]].r.h = row_h;
			if (k == n)
				break;
			y += row_h + m->gap;
			row_h = 0;
			row_start = k;
		}
		size_t i = idx[k];
		struct box *b = &u->layout.boxes[i];
		if (u->tree->nodes[i].role != MODEL_ROLE_BUTTON) { /* no films: a message */
			lay_text_node(u, i, width, true);
			lay_place(u, b, x0, y);
			row_h = imax(row_h, b->r.h + px(24 * m->s));
			continue;
		}
		row_h = imax(row_h, lay_card(u, i, w));
		lay_place(u, b, x0 + (int)(k % (size_t)cols) * (w + m->gap), y);
	}
	return y + row_h + px(48 * m->s);
}

/* ---- The player ---- */

/* A control on the film's band: icon over its word. */
static int lay_control(struct ui *u, size_t i, int size)
{
	const struct model_node *n = &u->tree->nodes[i];
	struct box *b = &u->layout.boxes[i];
	const struct metrics *m = &u->layout.m;
	SDL_Color white = {255, 255, 255, 255};
	b->look = LOOK_CONTROL;
	b->icon = n->icon ? lay_icon(u, n->icon, size * 6 / 10, white) : NULL;
	b->label = lay_text(u, n->label, TEXT_FACE_BOLD, m->note_px, white, px(420 * m->ts), true,
			    110);
	b->r.w = imax(size, b->label->w + px(16 * m->s));
	int icon_h = b->icon ? b->icon->h : 0;
	b->r.h = imax(m->target, icon_h + px(4 * m->s) + b->label->h + px(16 * m->s));
	b->icon_at = (SDL_Point){b->icon ? (b->r.w - b->icon->w) / 2 : 0, px(8 * m->s)};
	b->label_at = (SDL_Point){(b->r.w - b->label->w) / 2, px(8 * m->s) + icon_h + px(4 * m->s)};
	return b->r.h;
}

/* The film fills the body; the controls lie over its bottom on a dark band:
 * rewind, play or pause, forward, the seek bar (as tall as a finger),
 * subtitles, volume.  At the end, the next film is offered above them. */
void lay_player(struct ui *u, size_t *idx, size_t n)
{
	struct layout *L = &u->layout;
	const struct metrics *m = &L->m;
	L->band = (SDL_Rect){0};
	u->video_node = -1;
	size_t controls[12], n_controls = 0;
	for (size_t i = 0; i < u->tree->n_nodes && n_controls < 12; i++)
		if (u->tree->nodes[i].slot == MODEL_SLOT_CONTROLS)
			controls[n_controls++] = i;
	for (size_t k = 0; k < n; k++) {
		size_t i = idx[k];
		struct box *b = &L->boxes[i];
		if (u->tree->nodes[i].role == MODEL_ROLE_VIDEO) {
			u->video_node = (int)i;
			b->look = LOOK_VIDEO;
			b->r = (SDL_Rect){0, 0, u->w, L->viewport.h};
			b->in_body = true;
		} else { /* the error message, white over the black: icon, then words */
			SDL_Color white = {255, 255, 255, 255};
			int w = imin(u->w - 2 * m->margin, px(1200 * m->s));
			b->look = LOOK_TEXT;
			b->icon = u->tree->nodes[i].icon ? lay_icon(u, u->tree->nodes[i].icon,
								    m->icon_px, white)
							 : NULL;
			b->label = lay_text(u, u->tree->nodes[i].label, TEXT_FACE_REGULAR, m->lead_px,
					    white, w, true, 140);
			int icon_h = b->icon ? b->icon->h + px(24 * m->s) : 0;
			b->r = (SDL_Rect){(u->w - w) / 2, 0, w, icon_h + b->label->h};
			b->r.y = (L->viewport.h - b->r.h) / 2;
			b->icon_at = (SDL_Point){b->icon ? (w - b->icon->w) / 2 : 0, 0};
			b->label_at = (SDL_Point){(w - b->label->w) / 2, icon_h};
			b->in_body = true;
		}
	}
	L->content_h = L->viewport.h;
	if (!n_controls)
		return;
	int size = imax(m->target, px(112 * m->s));
	int pad = px(20 * m->s), gap = m->gap;
	int row_h = 0, x = m->margin, fixed = 0;
	size_t seek = (size_t)-1, next = (size_t)-1;
	for (size_t k = 0; k < n_controls; k++) {
		size_t i = controls[k];
		const char *id = u->tree->nodes[i].id;
		if (strcmp(id, "player.seek") == 0) {
			seek = i;
			continue;
		}
		if (strcmp(id, "player.next") == 0) {
			next = i;
			lay_small_button(u, i, LOOK_PRIMARY, imax(m->target, px(100 * m->s)));
			continue;
		}
		if (strcmp(id, "player.volume") == 0) {
			struct box *b = &L->boxes[i];
			b->look = LOOK_SLIDER;
			b->icon = lay_icon(u, u->tree->nodes[i].icon, px(m->button_px * 1.3),
					   (SDL_Color){255, 255, 255, 255});
			b->r.w = px(320 * m->s);
			b->r.h = m->target;
			b->icon_at = (SDL_Point){0, (b->r.h - b->icon->h) / 2};
			fixed += b->r.w + gap;
			continue;
		}
		row_h = imax(row_h, lay_control(u, i, strcmp(id, "player.play") == 0 ||
							       strcmp(id, "player.pause") == 0
						       ? size * 5 / 4
						       : size));
		fixed += L->boxes[i].r.w + gap;
	}
	row_h = imax(row_h, m->target);
	int next_h = next != (size_t)-1 ? L->boxes[next].r.h + gap : 0;
	int band_h = row_h + 2 * pad + next_h;
	int top = L->viewport.y + L->viewport.h - band_h;
	L->band = (SDL_Rect){0, top, u->w, band_h};
	if (next != (size_t)-1) {
		struct box *b = &L->boxes[next];
		b->r.x = (u->w - b->r.w) / 2, b->r.y = top + pad;
	}
	int y = top + pad + next_h;
	/* Left to right: the buttons before the seek bar, the bar, the rest. */
	int seek_w = u->w - 2 * m->margin - fixed - gap;
	for (size_t k = 0; k < n_controls; k++) {
		size_t i = controls[k];
		if (i == next)
			continue;
		struct box *b = &L->boxes[i];
		if (i == seek) {
			b->look = LOOK_SLIDER;
			b->r.w = imax(seek_w, px(200 * m->s));
			b->r.h = m->target;
		}
		b->r.x = x;
		b->r.y = y + (row_h - b->r.h) / 2;
		x += b->r.w + gap;
		if (u->tree->rtl)
			lay_mirror(u, b);
	}
}

