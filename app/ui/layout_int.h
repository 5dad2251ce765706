/* ui: the layout's helpers, shared by layout.c (bars, home, pages, lists,
 * dialogs), layout_survey.c and layout_player.c. */
#ifndef KIOSK_LAYOUT_INT_H
#define KIOSK_LAYOUT_INT_H

#include <math.h>

#include "ui_int.h"

static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int px(double v) { return (int)lround(v); }

/* The colour of a node's words on its background. */
SDL_Color lay_label_color(const struct ui *u, const struct model_node *n, enum box_look look);
/* Laid-out text and icons, from the text cache (borrowed). */
const struct text_block *lay_text(struct ui *u, const char *s, enum text_face face, int size,
				  SDL_Color color, int max_w, bool center, int line_height_pct);
const struct text_block *lay_icon(struct ui *u, const char *glyph, int size, SDL_Color c);
/* A button with an icon and a word, sized to its content, at least h high. */
void lay_small_button(struct ui *u, size_t i, enum box_look look, int h);
/* A heading, paragraph, list item or note, w wide; returns its height. */
int lay_text_node(struct ui *u, size_t i, int w, bool center);
/* Places a body box at x, y (mirrored for right-to-left). */
void lay_place(struct ui *u, struct box *b, int x, int y);
/* Mirrors a box and its contents across the screen. */
void lay_mirror(struct ui *u, struct box *b);

/* layout_survey.c */
int lay_body_survey(struct ui *u, size_t *idx, size_t n, int width, int x0);
/* The survey's action bar above bottom; returns its height. */
int lay_actions(struct ui *u, int bottom);

/* layout_player.c */
int lay_body_films(struct ui *u, size_t *idx, size_t n, int width, int x0);
void lay_player(struct ui *u, size_t *idx, size_t n);

#endif
