/* Unit tests for the text module (app/ui/text.c): random and cut-short
 * UTF-8, mixed scripts and directions, every width down to one character,
 * every size, "…" at the end of a title; laid out and drawn into a surface
 * with SDL's software renderer (no window).  Run under ASan in the
 * sanitizer build.  ui_int.h is the UI module's private header. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui_int.h"

static SDL_Surface *surface;
static SDL_Renderer *ren;
static struct text *text;

static int setup(void **state)
{
	log_init();
	if (TTF_Init() != 0)
		return -1;
	surface = SDL_CreateRGBSurfaceWithFormat(0, 800, 600, 32, SDL_PIXELFORMAT_ARGB8888);
	ren = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
	text = ren ? text_new(ren, "/usr/share/fonts/truetype") : NULL;
	return text ? 0 : -1;
}

static int teardown(void **state)
{
	text_free(text);
	SDL_DestroyRenderer(ren);
	SDL_FreeSurface(surface);
	TTF_Quit();
	return 0;
}

static struct text_style style(int px, bool rtl)
{
	return (struct text_style){.px = px, .color = {20, 20, 20, 255}, .line_height_pct = 150,
				   .rtl = rtl};
}

/* The widest single character of s: no line can be narrower than that. */
static int widest_char(const char *s, int px)
{
	int most = 0;
	char one[8];
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
		memcpy(one, p, n);
		one[n] = '\0';
		int w = text_measure(text, one, TEXT_FACE_REGULAR, px);
		if (w > most)
			most = w;
		p += n;
	}
	return most;
}

/* Lays out and draws; the block's width respects the line (or is one
 * character wide when not even that fits). */
static const struct text_block *lay(const char *s, int px, int max_w, bool rtl)
{
	struct text_style st = style(px, rtl);
	const struct text_block *b = text_simple(text, s, TEXT_FACE_REGULAR, &st, max_w);
	assert_non_null(b);
	text_draw(text, b, 0, 0, NULL);
	return b;
}

static void test_every_width(void **state)
{
	const char *s = "Digitalisierung für alle: Bürgerinnen, Bürger und die Verwaltung "
			"(Donaudampfschifffahrtsgesellschaft) – 2024.";
	int widest = widest_char(s, 24);
	int full = text_measure(text, s, TEXT_FACE_REGULAR, 24);
	int last_lines = 0;
	for (int w = full + 10; w >= 1; w -= (w > 60 ? 7 : 1)) {
		const struct text_block *b = lay(s, 24, w, false);
		assert_true(b->lines >= 1);
		assert_true(b->w <= (w > widest ? w : widest));
		assert_true(b->lines >= last_lines); /* narrower never means fewer lines */
		last_lines = b->lines;
	}
	assert_true(last_lines > 40); /* at one pixel: a character a line */
	text_cache_trim(text);
}

static void test_every_size(void **state)
{
	const char *s = "Hallo Welt · Merhaba dünya · Привіт, світе · مرحبا بالعالم";
	for (int px = 6; px <= 160; px += 7) {
		const struct text_block *b = lay(s, px, 400, false);
		assert_true(b->h >= px);
		assert_true(b->w <= (400 > widest_char(s, px) ? 400 : widest_char(s, px)));
	}
	text_cache_trim(text);
}

static void test_mixed_directions(void **state)
{
	static const char *const lines[] = {
		"Die Kommune مرحبا بكم في البلدية und 2024 wieder.",
		"مرحبا (Hallo) بالجميع 123 – ٤٥٦",
		"Українська мова and English, Türkçe ğış İı",
		"\u200f\u202bمقلوب\u202c\u200e",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		for (int rtl = 0; rtl < 2; rtl++)
			for (int w = 20; w <= 800; w += 130) {
				const struct text_block *b = lay(lines[i], 28, w, rtl);
				assert_true(b->lines >= 1);
			}
	text_cache_trim(text);
}

/* Every prefix of a string of multi-byte characters: sequences cut short
 * are read up to their end and no further (ASan watches). */
static void test_cut_short_utf8(void **state)
{
	const char *s = "Grüße · Привіт · مرحبا · 😀 · ğİı";
	size_t n = strlen(s);
	for (size_t cut = 0; cut <= n; cut++) {
		char *part = xmalloc(cut + 1); /* exactly as long as the cut: no slack */
		memcpy(part, s, cut);
		part[cut] = '\0';
		lay(part, 20, 200, false);
		lay(part, 20, 5, true);
		char *fit = text_fit_line(text, part, TEXT_FACE_REGULAR, 20, 60);
		free(fit);
		free(part);
	}
	text_cache_trim(text);
}

static uint64_t rng = 0x243F6A8885A308D3u;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void test_random_bytes(void **state)
{
	for (int round = 0; round < 300; round++) {
		size_t n = rnd(200);
		char *s = xmalloc(n + 1);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)(1 + rnd(255));
			if (rnd(4) == 0)
				c = (unsigned char)(0x80 + rnd(0x40)); /* stray continuations */
			s[i] = (char)c;
		}
		s[n] = '\0';
		lay(s, 8 + (int)rnd(60), 1 + (int)rnd(700), rnd(2));
		free(s);
		if (round % 50 == 0)
			text_cache_trim(text);
	}
	text_cache_trim(text);
}

/* A title shortened with "…" at 200 %: the ellipsis takes three bytes where
 * a space of one stood, also when that space is the last character. */
static void test_fit_line_ellipsis(void **state)
{
	static const char *const titles[] = {
		"Das Projekt und seine Fragen ", "a ", " ", "Wort Wort Wort Wort Wort Wort",
		"Überschrift mit ä ö ü und ß ", "x",
	};
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
		for (int w = 1; w < 400; w += 17) {
			char *fit = text_fit_line(text, titles[i], TEXT_FACE_BOLD, 80, w);
			assert_non_null(fit);
			assert_true(strlen(fit) <= strlen(titles[i]) + 2);
			free(fit);
		}
}

/* A word far wider than its line is cut into lines (linear, not stuck). */
static void test_long_word(void **state)
{
	char word[2001];
	memset(word, 'W', 2000);
	word[2000] = '\0';
	const struct text_block *b = lay(word, 40, 300, false);
	assert_true(b->lines >= 2000 * text_measure(text, "W", TEXT_FACE_REGULAR, 40) / 300);
	assert_true(b->w <= 300);
	text_cache_trim(text);
}

int main(void)
{
	setenv("SDL_VIDEODRIVER", "offscreen", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_width),
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_mixed_directions),
		cmocka_unit_test(test_cut_short_utf8),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_fit_line_ellipsis),
		cmocka_unit_test(test_long_word),
	};
	return cmocka_run_group_tests_name("text", tests, setup, teardown);
}
