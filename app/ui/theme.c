/* The colour tokens of LOOK.md, normal and high contrast.  Every pair was
 * computed with the WCAG formula; tests recompute them with theme_contrast. */
#include "ui_int.h"

#include <math.h>

#define RGB(hex) ((SDL_Color){(hex >> 16) & 0xFF, (hex >> 8) & 0xFF, hex & 0xFF, 0xFF})

void theme_get(struct theme *t, bool high_contrast)
{
	if (!high_contrast) {
		*t = (struct theme){
			.bg = RGB(0xF6F4EF),
			.surface = RGB(0xFFFFFF),
			.surface_border = RGB(0xDDD8CC),
			.text = RGB(0x1A1D21),
			.muted = RGB(0x4B5259),
			.border = RGB(0x767676),
			.focus_outer = RGB(0xF2B705),
			.focus_inner = RGB(0x1A1D21),
			.selected_fill = RGB(0xDCEBF2),
			.on_selected = RGB(0x1A1D21),
			.tone = {RGB(0x1A1D21), RGB(0x0B4F6C), RGB(0x2D5F2E), RGB(0x8C3B0B)},
			.on_tone = {RGB(0xFFFFFF), RGB(0xFFFFFF), RGB(0xFFFFFF), RGB(0xFFFFFF)},
			.surface_border_px = 1,
		};
	} else {
		*t = (struct theme){
			.bg = RGB(0x000000),
			.surface = RGB(0x000000),
			.surface_border = RGB(0xFFFFFF),
			.text = RGB(0xFFFFFF),
			.muted = RGB(0xFFFFFF),
			.border = RGB(0xFFFFFF),
			.focus_outer = RGB(0xFFE600),
			.focus_inner = RGB(0xFFE600),
			.selected_fill = RGB(0xFFFFFF),
			.on_selected = RGB(0x000000),
			.tone = {RGB(0xFFFFFF), RGB(0xFFE600), RGB(0x7DF9FF), RGB(0xFFE600)},
			.on_tone = {RGB(0x000000), RGB(0x000000), RGB(0x000000), RGB(0x000000)},
			.surface_border_px = 3,
		};
	}
}

static double channel(Uint8 v)
{
	double c = v / 255.0;
	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(SDL_Color c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double theme_contrast(SDL_Color a, SDL_Color b)
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}
