/* The on-screen keyboard's layouts: one per language, a Latin one for the
 * languages written in another script, and one of digits.
 *
 * Key ids stay ASCII so that scripts can name them (tap @kbd.KEY):
 * - a key that types a printable ASCII character is kbd.CHARACTER, as it
 *   always was (kbd.a, kbd.Z is never a key: capitals come by shift; kbd.1,
 *   kbd., kbd.' kbd.-);
 * - any other key is kbd.u + the code point it types without shift, in four
 *   or more lowercase hex digits (kbd.u00e4 for ä, kbd.u0131 for ı, kbd.u0439
 *   for й, kbd.u0636 for ض);
 * - the special keys are words: kbd.shift, kbd.backspace, kbd.space,
 *   kbd.digits (digits and back), kbd.latin (Latin letters and back; only in
 *   layouts whose letters are not Latin).
 * A letter typed with shift is the capital of the same id (kbd.u0131 with
 * shift gives I, kbd.i in the Turkish layout gives İ). */
#include "model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The letter rows of each layout, as UTF-8; the keys of a row in order. */
static const struct kbd_layout layouts[] = {
	/* German QWERTZ; ß where the keyboard has its own key for it. */
	{"de", {"qwertzuiopüß", "asdfghjklöä", "yxcvbnm-"}, ",.", "abc", true, false, true},
	/* English QWERTY. */
	{"en", {"qwertyuiop", "asdfghjkl'", "zxcvbnm-"}, ",.", "abc", true, false, true},
	/* Turkish Q: ı and i are two letters, each with its own capital. */
	{"tr", {"qwertyuıopğü", "asdfghjklşi", "zxcvbnmöç"}, ",.", "abc", true, true, true},
	/* Ukrainian ЙЦУКЕН with ґ and the apostrophe (U+02BC, a letter of the
	 * word, as the Ukrainian orthography and Unicode have it). */
	{"uk", {"йцукенгшщзхї", "фівапролджєʼ", "ґячсмитьбю"}, ",.", "абв", true, false, false},
	/* Arabic (the common PC layout; the hamza forms in the last row). */
	{"ar", {"ضصثقفغعهخحجد", "شسيبلاتنمكطذ", "ئءؤرىةوزظأإآ"}, "،.", "أبج", false, false, false},
};

/* What a non-Latin layout switches to: the English letters. */
#define LATIN (&layouts[1])

static const char *const digit_rows[3] = {"1234567890", "-/:;()&@€\"", "?!'%+=*#_"};

const struct kbd_layout *kbd_layout_for(const char *lang)
{
	/* Leichte Sprache (de-x-ls) types German. */
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
		if (strncmp(lang, layouts[i].lang, 2) == 0)
			return &layouts[i];
	return LATIN;
}

const struct kbd_layout *kbd_shown(const struct kbd_layout *l, bool latin)
{
	return latin && !l->latin_script ? LATIN : l;
}

const char *const *kbd_rows(const struct kbd_layout *l, bool latin, bool digits)
{
	return digits ? digit_rows : kbd_shown(l, latin)->rows;
}

size_t utf8_decode(const char *p, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)p;
	if (s[0] < 0x80) {
		*cp = s[0];
		return s[0] ? 1 : 0;
	}
	size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
	uint32_t c = s[0] & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return *cp = 0xFFFD, i;
		c = c << 6 | (s[i] & 0x3F);
	}
	*cp = c;
	return len;
}

size_t utf8_encode(uint32_t cp, char out[5])
{
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		out[i] = (char)(0x80 | (cp & 0x3F));
	out[0] = (char)(n == 1 ? cp : lead[n] | cp);
	out[n] = '\0';
	return n;
}

void kbd_key_id(uint32_t cp, char *id, size_t size)
{
	if (cp > 0x20 && cp < 0x7F)
		snprintf(id, size, "kbd.%c", (char)cp);
	else
		snprintf(id, size, "kbd.u%04x", (unsigned)cp);
}

bool kbd_parse_key(const char *key, uint32_t *cp)
{
	if (key[0] > 0x20 && key[0] < 0x7F && key[1] == '\0') {
		*cp = (unsigned char)key[0];
		return true;
	}
	if (key[0] != 'u' || strlen(key) < 5 || strlen(key) > 7)
		return false;
	char *end;
	unsigned long v = strtoul(key + 1, &end, 16);
	if (*end || v > 0x10FFFF)
		return false;
	*cp = (uint32_t)v;
	return true;
}

uint32_t kbd_upper(uint32_t cp, bool turkish)
{
	if (cp == 'i')
		return turkish ? 0x130 : 'I'; /* İ in Turkish */
	if (cp == 0x131)
		return 'I';                   /* ı */
	if (cp >= 'a' && cp <= 'z')
		return cp - 0x20;
	if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) || (cp >= 0x430 && cp <= 0x44F))
		return cp - 0x20;             /* Latin-1 letters, а … я */
	if (cp >= 0x450 && cp <= 0x45F)
		return cp - 0x50;             /* є і ї and the like */
	if (cp == 0x11F || cp == 0x15F || cp == 0x491)
		return cp - 1;                /* ğ ş ґ */
	return cp;                            /* ß, ʼ, Arabic: no capital */
}

static bool in_string(const char *s, uint32_t cp)
{
	uint32_t c;
	for (size_t n; (n = utf8_decode(s, &c)) > 0; s += n)
		if (c == cp)
			return true;
	return false;
}

bool kbd_has_key(const struct kbd_layout *l, bool latin, bool digits, uint32_t cp)
{
	const char *const *rows = kbd_rows(l, latin, digits);
	for (int r = 0; r < 3; r++)
		if (in_string(rows[r], cp))
			return true;
	return in_string(l->punct, cp);
}
