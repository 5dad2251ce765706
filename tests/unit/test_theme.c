/* The theme's colours, recomputed with the WCAG formula (LOOK.md; DESIGN.md
 * §7): body text at least 4.5:1, 7:1 in high contrast; outlines 3:1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "ui_int.h"

static void expect_ratio(SDL_Color fg, SDL_Color bg, double least, const char *what)
{
	double r = theme_contrast(fg, bg);
	print_message("%-34s %5.2f:1 (at least %.1f)\n", what, r, least);
	if (r < least)
		fail_msg("%s: %.2f:1 is under %.1f:1", what, r, least);
}

static void check_theme(bool hc)
{
	struct theme t;
	theme_get(&t, hc);
	double text = hc ? 7.0 : 4.5;
	expect_ratio(t.text, t.bg, text, "text on background");
	expect_ratio(t.text, t.surface, text, "text on surface");
	expect_ratio(t.muted, t.bg, text, "secondary text on background");
	expect_ratio(t.muted, t.surface, text, "secondary text on surface");
	expect_ratio(t.on_selected, t.selected_fill, text, "text on a chosen answer");
	for (int tone = 1; tone <= 3; tone++) {
		/* Normal: white on the area's colour; high contrast: the colour on black. */
		if (hc)
			expect_ratio(t.tone[tone], t.bg, text, "area colour on black");
		else
			expect_ratio(t.on_tone[tone], t.tone[tone], text, "words on an area's colour");
	}
	expect_ratio(t.border, t.bg, 3.0, "outlines on background");
	/* The focus ring lies around a widget, on the background or on the
	 * reading column: one of its two rings stands out there. */
	SDL_Color grounds[] = {t.bg, t.surface};
	for (size_t i = 0; i < sizeof grounds / sizeof grounds[0]; i++) {
		double a = theme_contrast(t.focus_outer, grounds[i]);
		double b = theme_contrast(t.focus_inner, grounds[i]);
		expect_ratio(a > b ? t.focus_outer : t.focus_inner, grounds[i], 3.0,
			     "focus ring on a background");
	}
}

static void test_normal_theme(void **state)
{
	(void)state;
	check_theme(false);
}

static void test_high_contrast_theme(void **state)
{
	(void)state;
	check_theme(true);
}

static void test_formula(void **state)
{
	(void)state;
	SDL_Color black = {0, 0, 0, 255}, white = {255, 255, 255, 255};
	assert_true(theme_contrast(black, white) > 20.99 && theme_contrast(black, white) < 21.01);
	assert_true(theme_contrast(white, white) == 1.0);
	/* LOOK.md's figure for the guidance colour: white on #0B4F6C is 8.9:1. */
	SDL_Color guide = {0x0B, 0x4F, 0x6C, 255};
	assert_true(theme_contrast(white, guide) > 8.8 && theme_contrast(white, guide) < 9.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formula),
		cmocka_unit_test(test_normal_theme),
		cmocka_unit_test(test_high_contrast_theme),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
