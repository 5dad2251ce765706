/* Drawing: the laid-out tree onto the renderer.  Allocates nothing: every
 * text is a cached texture, every shape a few rectangles or triangles. */
#include "ui_int.h"

#include <math.h>
#include <string.h>

static void set_color(SDL_Renderer *ren, SDL_Color c)
{
	SDL_SetRenderDrawColor(ren, c.r, c.g, c.b, c.a);
}

/* A filled rectangle with rounded corners: three rectangles and four fans. */
void draw_fill_round(SDL_Renderer *ren, SDL_Rect r, int radius, SDL_Color c)
{
	if (radius * 2 > r.w)
		radius = r.w / 2;
	if (radius * 2 > r.h)
		radius = r.h / 2;
	set_color(ren, c);
	if (radius <= 1) {
		SDL_RenderFillRect(ren, &r);
		return;
	}
	SDL_Rect mid = {r.x + radius, r.y, r.w - 2 * radius, r.h};
	SDL_Rect left = {r.x, r.y + radius, radius, r.h - 2 * radius};
	SDL_Rect right = {r.x + r.w - radius, r.y + radius, radius, r.h - 2 * radius};
	SDL_RenderFillRect(ren, &mid);
	SDL_RenderFillRect(ren, &left);
	SDL_RenderFillRect(ren, &right);
	enum { SEG = 8 };
	SDL_Vertex v[4 * (SEG + 2)];
	int idx[4 * SEG * 3], nv = 0, ni = 0;
	const float cx[4] = {r.x + radius, r.x + r.w - radius, r.x + r.w - radius, r.x + radius};
	const float cy[4] = {r.y + radius, r.y + radius, r.y + r.h - radius, r.y + r.h - radius};
	for (int q = 0; q < 4; q++) {
		int centre = nv;
		v[nv++] = (SDL_Vertex){{cx[q], cy[q]}, c, {0, 0}};
		for (int k = 0; k <= SEG; k++) {
			double a = M_PI + q * M_PI / 2 + k * (M_PI / 2) / SEG;
			v[nv++] = (SDL_Vertex){{cx[q] + (float)(radius * cos(a)),
						cy[q] + (float)(radius * sin(a))}, c, {0, 0}};
		}
		for (int k = 0; k < SEG; k++) {
			idx[ni++] = centre;
			idx[ni++] = centre + 1 + k;
			idx[ni++] = centre + 2 + k;
		}
	}
	SDL_RenderGeometry(ren, NULL, v, nv, idx, ni);
}

/* An outline of width bw in colour c around a filled shape. */
static void draw_framed(SDL_Renderer *ren, SDL_Rect r, int radius, int bw, SDL_Color border,
			SDL_Color fill)
{
	if (bw > 0) {
		draw_fill_round(ren, r, radius, border);
		r = (SDL_Rect){r.x + bw, r.y + bw, r.w - 2 * bw, r.h - 2 * bw};
		radius = radius > bw ? radius - bw : 0;
	}
	draw_fill_round(ren, r, radius, fill);
}

/* Text within the renderer's clip (what is being redrawn now). */
static void blit(struct ui *u, const struct text_block *tb, int x, int y)
{
	SDL_Rect clip;
	SDL_RenderGetClipRect(u->ren, &clip);
	text_draw(u->text, tb, x, y, SDL_RectEmpty(&clip) ? NULL : &clip);
}

/* A film's still across the top of its card, cropped to 16:9. */
static void draw_card_image(struct ui *u, const struct box *b, SDL_Rect r)
{
	SDL_Rect dst = {r.x + b->image_at.x, r.y + b->image_at.y, b->image_at.w, b->image_at.h};
	if (!b->image) {
		draw_fill_round(u->ren, dst, 0, u->theme.tone[MODEL_TONE_FILMS]);
		return;
	}
	SDL_RenderCopy(u->ren, b->image, NULL, &dst);
}

static void format_time(char *out, size_t size, int ms)
{
	int s = ms / 1000;
	snprintf(out, size, "%d:%02d", s / 60, s % 60);
}

/* A track as tall as a finger can hit, its filled part and a round thumb;
 * the seek bar also says where the film is, in words. */
static void draw_slider(struct ui *u, const struct model_node *n, const struct box *b, SDL_Rect r)
{
	const struct metrics *m = &u->layout.m;
	int x0 = r.x, w = r.w;
	if (b->icon) {
		blit(u, b->icon, r.x + b->icon_at.x, r.y + b->icon_at.y);
		x0 += b->icon->w + (int)lround(12 * m->s);
		w -= b->icon->w + (int)lround(12 * m->s);
	}
	const struct text_block *time = NULL;
	if (strcmp(n->id, "player.seek") == 0) {
		char now[16], total[16], both[40];
		format_time(now, sizeof now, n->value);
		format_time(total, sizeof total, n->value_max);
		snprintf(both, sizeof both, "%s / %s", now, total);
		struct text_style st = {.px = m->note_px, .color = {255, 255, 255, 255},
					.line_height_pct = 110};
		time = text_scratch(u->text, both, TEXT_FACE_BOLD, &st, r.w);
		w -= time->w + (int)lround(16 * m->s);
	}
	int th = (int)lround(fmax(8, 12 * m->s));
	SDL_Rect track = {x0, r.y + (r.h - th) / 2, w, th};
	draw_fill_round(u->ren, track, th / 2, (SDL_Color){120, 120, 120, 255});
	double f = n->value_max > 0 ? (double)n->value / n->value_max : 0;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	SDL_Rect fill = {x0, track.y, (int)(w * f), th};
	if (fill.w > 0)
		draw_fill_round(u->ren, fill, th / 2, (SDL_Color){255, 255, 255, 255});
	int d = (int)lround(fmax(24, 36 * m->s));
	SDL_Rect thumb = {x0 + (int)(w * f) - d / 2, r.y + (r.h - d) / 2, d, d};
	draw_fill_round(u->ren, thumb, d / 2, (SDL_Color){255, 255, 255, 255});
	if (time)
		blit(u, time, r.x + r.w - time->w, r.y + (r.h - time->h) / 2);
}

static void draw_background(struct ui *u, const struct model_node *n, const struct box *b,
			    SDL_Rect r, bool pressed)
{
	const struct theme *th = &u->theme;
	int radius = (int)lround(16 * u->layout.m.s);
	int bw = (int)lround(fmax(2, 3 * u->layout.m.s));
	switch (b->look) {
	case LOOK_TEXT:
	case LOOK_PICTURE: /* the picture itself: draw_node */
		break;
	case LOOK_OUTLINE:
		draw_framed(u->ren, r, radius, n->selected ? bw * 2 : bw, th->border,
			    n->selected ? th->selected_fill : th->surface);
		break;
	case LOOK_CHIP:
		if (n->selected)
			draw_framed(u->ren, r, r.h / 2, bw, th->tone[MODEL_TONE_GUIDE],
				    th->tone[MODEL_TONE_GUIDE]);
		else
			draw_framed(u->ren, r, r.h / 2, bw, th->border, th->surface);
		break;
	case LOOK_OPTION:
		/* Selected: tinted, a thick border in the area's colour, a check mark. */
		if (n->selected)
			draw_framed(u->ren, r, radius, bw * 2, th->tone[n->tone], th->selected_fill);
		else
			draw_framed(u->ren, r, radius, bw, th->border, th->surface);
		break;
	case LOOK_KEY:
		draw_framed(u->ren, r, radius / 2, bw, th->border,
			    n->selected ? th->selected_fill : th->surface);
		break;
	case LOOK_INPUT:
		draw_framed(u->ren, r, radius / 2, bw * 2, th->tone[MODEL_TONE_GUIDE], th->surface);
		break;
	case LOOK_CARD:
		draw_framed(u->ren, r, radius, th->surface_border_px, th->surface_border, th->surface);
		draw_card_image(u, b, r);
		break;
	case LOOK_VIDEO:
		video_draw(u, r);
		break;
	case LOOK_SLIDER:
		draw_slider(u, n, b, r);
		break;
	case LOOK_CONTROL:
		/* A light ring marks a control that is on (subtitles) besides its icon. */
		draw_fill_round(u->ren, r, radius, n->selected ? (SDL_Color){255, 255, 255, 255}
							      : (SDL_Color){60, 60, 60, 255});
		if (n->selected) {
			SDL_Rect in = {r.x + bw, r.y + bw, r.w - 2 * bw, r.h - 2 * bw};
			draw_fill_round(u->ren, in, radius, (SDL_Color){45, 95, 46, 255});
		}
		break;
	case LOOK_TILE:
	case LOOK_PRIMARY:
		if (!n->enabled) /* not yet possible: grey, and its state is in the tree */
			draw_framed(u->ren, r, radius * 2, bw, th->border, th->surface_border);
		else if (th->surface_border_px > 1) /* high contrast: a light frame on black */
			draw_framed(u->ren, r, radius * 2, th->surface_border_px, th->tone[n->tone],
				    th->bg);
		else
			draw_fill_round(u->ren, r, radius * 2, th->tone[n->tone]);
		break;
	case LOOK_ROW:
		draw_framed(u->ren, r, radius, th->surface_border_px, th->surface_border, th->surface);
		break;
	}
	if (pressed && b->look != LOOK_TEXT) {
		SDL_SetRenderDrawBlendMode(u->ren, SDL_BLENDMODE_BLEND);
		SDL_Color shade = th->surface_border_px > 1 ? (SDL_Color){255, 255, 255, 70}
							    : (SDL_Color){0, 0, 0, 50};
		draw_fill_round(u->ren, r, radius, shade);
		SDL_SetRenderDrawBlendMode(u->ren, SDL_BLENDMODE_NONE);
	}
}

/* Progress as steps under its text: "2 of 6" also as six marks. */
static void draw_steps(struct ui *u, const struct model_node *n, SDL_Rect r)
{
	int h = (int)lround(14 * u->layout.m.s), gap = h;
	int total = n->value_max, w = (int)lround(64 * u->layout.m.s);
	for (int k = 0; k < total; k++) {
		SDL_Rect step = {r.x + k * (w + gap), r.y + r.h + h, w, h};
		if (u->tree->rtl)
			step.x = r.x + r.w - (k + 1) * (w + gap) + gap;
		draw_fill_round(u->ren, step, h / 2,
				k < n->value ? u->theme.tone[MODEL_TONE_SURVEY] : u->theme.surface_border);
	}
}

/* The idle countdown, or an import's progress, as a bar under its text. */
static void draw_countdown(struct ui *u, const struct model_node *n, SDL_Rect r)
{
	int h = (int)lround(16 * u->layout.m.s);
	SDL_Rect bar = {r.x, r.y + r.h + h, r.w, h};
	draw_fill_round(u->ren, bar, h / 2, u->theme.surface_border);
	bar.w = n->value_max ? r.w * n->value / n->value_max : 0;
	if (bar.w > 0)
		draw_fill_round(u->ren, bar, h / 2, u->theme.tone[MODEL_TONE_GUIDE]);
}

/* The keypad focus, visible on any background (LOOK.md): 4 px dark inside
 * 4 px yellow, or 6 px yellow in high contrast; drawn around the widget. */
static void draw_focus(struct ui *u, SDL_Rect r)
{
	bool hc = u->theme.surface_border_px > 1;
	int outer = hc ? 6 : 4, inner = hc ? 0 : 4;
	SDL_Color y = u->theme.focus_outer, d = u->theme.focus_inner;
	for (int k = 0; k < outer + inner; k++) {
		SDL_Rect ring = {r.x - 6 - k, r.y - 6 - k, r.w + 12 + 2 * k, r.h + 12 + 2 * k};
		SDL_Color c = k < inner ? d : y;
		SDL_SetRenderDrawColor(u->ren, c.r, c.g, c.b, 255);
		SDL_RenderDrawRect(u->ren, &ring);
	}
}

/* The check mark in the end corner of a chosen answer (LOOK.md). */
static void draw_check(struct ui *u, const struct model_node *n, SDL_Rect r)
{
	(void)n;
	int d = (int)lround(44 * u->layout.m.s);
	SDL_Rect c = {u->tree->rtl ? r.x + d / 3 : r.x + r.w - d - d / 3, r.y + d / 3, d, d};
	draw_fill_round(u->ren, c, d / 2, u->theme.tone[MODEL_TONE_SURVEY]);
	blit(u, u->check_icon, c.x + (d - (u->check_icon ? u->check_icon->w : 0)) / 2,
	     c.y + (d - (u->check_icon ? u->check_icon->h : 0)) / 2);
}

static void draw_node(struct ui *u, size_t i)
{
	const struct model_node *n = &u->tree->nodes[i];
	const struct box *b = &u->layout.boxes[i];
	SDL_Rect r = b->r;
	if (b->in_body)
		r.y += u->layout.viewport.y - (int)lround(u->scroll);
	draw_background(u, n, b, r, u->pressed && u->press_node == (int)i && !u->dragging);
	if (b->look == LOOK_PICTURE) {
		SDL_Rect dst = {r.x + b->image_at.x, r.y + b->image_at.y, b->image_at.w,
				b->image_at.h};
		SDL_RenderCopy(u->ren, b->image, NULL, &dst);
	}
	if (b->look != LOOK_SLIDER) /* a slider draws its icon beside its track */
		blit(u, b->icon, r.x + b->icon_at.x, r.y + b->icon_at.y);
	blit(u, b->label, r.x + b->label_at.x, r.y + b->label_at.y);
	blit(u, b->detail, r.x + b->detail_at.x, r.y + b->detail_at.y);
	if (n->value_max && (n->slot == MODEL_SLOT_DIALOG || n->role == MODEL_ROLE_PROGRESS))
		draw_countdown(u, n, r);
	else if (n->value_max && n->role == MODEL_ROLE_TEXT)
		draw_steps(u, n, r);
	if (b->look == LOOK_OPTION && n->selected)
		draw_check(u, n, r);
	if (n->focused)
		draw_focus(u, r);
}

/* A thin bar on the end side that shows where in a long page one is. */
static void draw_scroll_hint(struct ui *u)
{
	int max = layout_max_scroll(u);
	if (max <= 0)
		return;
	const SDL_Rect *vp = &u->layout.viewport;
	int w = (int)lround(fmax(8, 10 * u->layout.m.s));
	int x = u->tree->rtl ? vp->x + w : vp->x + vp->w - 2 * w;
	int thumb = vp->h * vp->h / u->layout.content_h;
	if (thumb < 3 * w)
		thumb = 3 * w;
	int y = vp->y + (int)((vp->h - thumb) * (u->scroll / max));
	draw_fill_round(u->ren, (SDL_Rect){x, vp->y, w, vp->h}, w / 2, u->theme.surface_border);
	draw_fill_round(u->ren, (SDL_Rect){x, y, w, thumb}, w / 2, u->theme.muted);
}

void draw_frame(struct ui *u, const SDL_Rect *clip)
{
	SDL_Renderer *ren = u->ren;
	SDL_RenderSetClipRect(ren, clip);
	if (u->tree->dark) { /* nights off: black, nothing else */
		SDL_SetRenderDrawColor(ren, 0, 0, 0, 255);
		SDL_RenderFillRect(ren, clip);
		return;
	}
	set_color(ren, u->theme.bg);
	SDL_RenderFillRect(ren, clip);

	/* The body first, clipped to its viewport, then the bars over it. */
	SDL_Rect body_clip;
	if (SDL_IntersectRect(clip, &u->layout.viewport, &body_clip)) {
		SDL_RenderSetClipRect(ren, &body_clip);
		if (u->layout.column.w > 0) {
			SDL_Rect col = u->layout.column;
			col.y += u->layout.viewport.y - (int)lround(u->scroll);
			draw_framed(ren, col, (int)lround(16 * u->layout.m.s),
				    u->theme.surface_border_px, u->theme.surface_border,
				    u->theme.surface);
		}
		for (size_t i = 0; i < u->layout.n; i++) {
			SDL_Rect vis;
			if (u->layout.boxes[i].in_body && layout_visible_rect(u, i, &vis) &&
			    SDL_HasIntersection(&vis, &body_clip))
				draw_node(u, i);
		}
		draw_scroll_hint(u);
	}
	SDL_RenderSetClipRect(ren, clip);
	/* The film's controls lie on a dark band over its bottom. */
	if (u->layout.band.w) {
		SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
		SDL_SetRenderDrawColor(ren, 0, 0, 0, 190);
		SDL_RenderFillRect(ren, &u->layout.band);
		SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_NONE);
	}
	for (size_t i = 0; i < u->layout.n; i++)
		if (!u->layout.boxes[i].in_body)
			draw_node(u, i);
	/* A hairline between the bars and the scrolling body. */
	if (u->layout.top_h) {
		set_color(ren, u->theme.surface_border);
		SDL_RenderDrawLine(ren, 0, u->layout.top_h - 1, u->w, u->layout.top_h - 1);
	}
	if (u->layout.bottom_h) {
		set_color(ren, u->theme.surface_border);
		SDL_RenderDrawLine(ren, 0, u->h - u->layout.bottom_h, u->w, u->h - u->layout.bottom_h);
	}
	SDL_RenderSetClipRect(ren, NULL);
}
