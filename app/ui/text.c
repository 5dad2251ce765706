/* Text: the one place that turns strings into pixels.
 *
 * SDL_ttf shapes one run in one font and one direction.  A paragraph here
 * is split into words; each word gets its font (Noto Sans, Noto Sans
 * Arabic for Arabic script, or the icon font) and its bidi level (fribidi,
 * only when the text has right-to-left characters).  Lines are broken by
 * measured words, reordered for display by the bidi rule L2, and cached:
 * the same content, style and width is laid out once.
 *
 * Bounded by design: a piece holds at most PIECE_MAX_CHARS characters, so a
 * word longer than a line breaks between its pieces in linear time; a laid
 * out paragraph is drawn in chunks of CHUNK_LINES lines, each made into a
 * texture only when it is first seen and dropped again (least recently drawn
 * first) when the textures pass TEXTURE_BUDGET, so a long page never costs
 * more than the budget in pixels.
 */
#include "ui_int.h"

#include <fribidi.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "text"

#define MAX_FONTS 48
/* Layouts of other screens are kept up to this many bytes. */
#define CACHE_SOFT_LIMIT (24u << 20)
/* Pixels of text textures, at most (a 1080p screen is 8 MB). */
#define TEXTURE_BUDGET (32u << 20)
/* The longest run of characters shaped as one piece. */
#define PIECE_MAX_CHARS 64
/* Lines drawn into one texture. */
#define CHUNK_LINES 8
/* Noto Sans Arabic draws its letters smaller than Noto Sans at the same
 * size: at 115 % the two read alike. */
#define ARABIC_SCALE_PCT 115

struct font_slot {
	enum text_face face;
	bool arabic;
	int px;
	TTF_Font *font;
};

struct cache_entry {
	uint64_t key;
	bool used;
	struct text_block block;
};

/* A few lines of a block, drawn into a texture when they are first seen. */
struct chunk {
	size_t first_line, n_lines;
	int y, h;
	SDL_Texture *texture;    /* NULL until drawn, or after it was dropped */
	uint64_t drawn;          /* t->stamp when last drawn: the least recent goes first */
};

struct text {
	SDL_Renderer *ren;
	char *paths[5];          /* per enum text_face */
	char *arabic[2];         /* regular, bold */
	struct font_slot fonts[MAX_FONTS];
	size_t n_fonts;
	struct cache_entry **entries; /* each on its own, so blocks stay put */
	size_t n_entries, cap_entries;
	size_t bytes;            /* held by the cached layouts (pieces and lines) */
	size_t texture_bytes;    /* held by the chunks' textures */
	uint64_t stamp;          /* counts draws, for the chunks' least-recent order */
	struct cache_entry scratch; /* a text that changes all the time (a film's clock) */
};

/* The fonts' usual home on Debian, tried when font_dir lacks a font. */
#define SYSTEM_FONT_DIR "/usr/share/fonts/truetype"

static char *find_font(const char *font_dir, const char *file)
{
	char *path = path_join(font_dir, file);
	if (path_exists(path))
		return path;
	char *system = path_join(SYSTEM_FONT_DIR, file);
	LOG_ERR("%s: font missing%s (Debian: fonts-noto-core, fonts-material-design-icons-iconfont)",
		path, path_exists(system) ? "; using the system's copy" : "");
	free(path);
	if (path_exists(system))
		return system;
	free(system);
	return NULL;
}

struct text *text_new(SDL_Renderer *ren, const char *font_dir)
{
	static const char *const files[] = {
		"noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf", "noto/NotoSans-Italic.ttf",
		"noto/NotoSans-BoldItalic.ttf",
		"material-design-icons-iconfont/MaterialIcons-Regular.ttf",
	};
	struct text *t = xcalloc(1, sizeof *t);
	t->ren = ren;
	t->paths[TEXT_FACE_REGULAR] = find_font(font_dir, files[TEXT_FACE_REGULAR]);
	if (!t->paths[TEXT_FACE_REGULAR])
		t->paths[TEXT_FACE_REGULAR] = find_font(font_dir, "dejavu/DejaVuSans.ttf");
	if (!t->paths[TEXT_FACE_REGULAR]) {
		LOG_ERR("no font to draw text with: the kiosk cannot show anything");
		text_free(t);
		return NULL;
	}
	for (int i = 1; i < 5; i++) {
		t->paths[i] = find_font(font_dir, files[i]);
		/* Without it, the regular face stands in so that text still shows. */
		if (!t->paths[i])
			t->paths[i] = xstrdup(t->paths[TEXT_FACE_REGULAR]);
	}
	/* Without them Arabic falls back to the Latin font (boxes, but no crash). */
	t->arabic[0] = find_font(font_dir, "noto/NotoSansArabic-Regular.ttf");
	t->arabic[1] = find_font(font_dir, "noto/NotoSansArabic-Bold.ttf");
	for (int i = 0; i < 2; i++)
		if (!t->arabic[i])
			t->arabic[i] = xstrdup(t->paths[TEXT_FACE_REGULAR]);
	return t;
}

static void laid_free(struct text *t, struct text_laid *laid);

static void entry_release(struct text *t, struct cache_entry *e)
{
	laid_free(t, e->block.laid);
	free(e);
}

void text_free(struct text *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_fonts; i++)
		TTF_CloseFont(t->fonts[i].font);
	for (size_t i = 0; i < t->n_entries; i++)
		entry_release(t, t->entries[i]);
	free(t->entries);
	laid_free(t, t->scratch.block.laid);
	for (int i = 0; i < 5; i++)
		free(t->paths[i]);
	free(t->arabic[0]);
	free(t->arabic[1]);
	free(t);
}

static TTF_Font *font_get(struct text *t, enum text_face face, bool arabic, int px)
{
	if (face == TEXT_FACE_ICON)
		arabic = false;
	for (size_t i = 0; i < t->n_fonts; i++)
		if (t->fonts[i].face == face && t->fonts[i].arabic == arabic && t->fonts[i].px == px)
			return t->fonts[i].font;
	const char *path = t->paths[face];
	if (arabic)
		path = t->arabic[face == TEXT_FACE_BOLD || face == TEXT_FACE_BOLD_ITALIC];
	TTF_Font *f = TTF_OpenFont(path, arabic ? px * ARABIC_SCALE_PCT / 100 : px);
	if (!f && arabic) {
		LOG_WARN("%s: %s; Arabic is drawn with the Latin font", path, TTF_GetError());
		return font_get(t, face, false, px);
	}
	if (!f) {
		LOG_ERR("%s: %s", path, TTF_GetError());
		if (face == TEXT_FACE_REGULAR)
			return NULL;
		return font_get(t, TEXT_FACE_REGULAR, arabic, px);
	}
	if (arabic)
		TTF_SetFontScriptName(f, "Arab");
	if (t->n_fonts == MAX_FONTS) {
		/* Sizes change with the text scale; the oldest size goes first. */
		TTF_CloseFont(t->fonts[0].font);
		memmove(t->fonts, t->fonts + 1, (MAX_FONTS - 1) * sizeof *t->fonts);
		t->n_fonts--;
	}
	t->fonts[t->n_fonts++] = (struct font_slot){face, arabic, px, f};
	return f;
}

/* The next code point of a NUL-terminated string.  Bytes that are no
 * UTF-8 (a stray continuation, a sequence cut short by the end or by
 * another character) give U+FFFD and are stepped over one by one, never
 * past the terminating NUL. */
static uint32_t utf8_next(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t c = s[0];
	int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
		: (c & 0xF8) == 0xF0 ? 4 : 0;
	if (len <= 1) {
		*p += 1;
		return len ? c : 0xFFFD;
	}
	c &= 0xFFu >> (len + 1);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) { /* cut short: this byte starts the next */
			*p += i;
			return 0xFFFD;
		}
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	*p += len;
	return c;
}

static bool is_rtl_char(uint32_t c)
{
	return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFDFF) ||
	       (c >= 0xFE70 && c <= 0xFEFF);
}

static bool is_arabic_char(uint32_t c)
{
	return (c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) ||
	       (c >= 0x08A0 && c <= 0x08FF) || (c >= 0xFB50 && c <= 0xFDFF) ||
	       (c >= 0xFE70 && c <= 0xFEFF);
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t cache_key(const struct text_run *runs, size_t n, const struct text_style *st,
			  int max_w)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h = fnv(h, runs[i].text, strlen(runs[i].text) + 1);
		h = fnv(h, &runs[i].face, sizeof runs[i].face);
	}
	int fields[] = {st->px, st->line_height_pct, st->rtl, st->center, max_w,
			st->color.r, st->color.g, st->color.b, st->color.a};
	return fnv(h, fields, sizeof fields);
}

/* ---- Pieces ----
 * A paragraph is cut into pieces: each a run of characters with one face,
 * one font (Arabic letters in Noto Sans Arabic, everything else in Noto
 * Sans, which has the Latin letters and the punctuation the Arabic font
 * lacks) and one bidi level, and each space a piece of its own.  Lines break
 * only at spaces; the pieces of a line are put in display order by rule L2,
 * spaces included, so that mixed lines read right in both directions. */

struct piece {
	char *text;              /* UTF-8, NUL-terminated */
	enum text_face face;
	bool arabic;             /* drawn with the Arabic font */
	bool space;              /* a space: a gap and a place to break */
	FriBidiLevel level;
	int w;
};

struct pieces {
	struct piece *v;
	size_t n, cap;
};

static size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6)), out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12)), out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18)), out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F)), out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static struct piece *pieces_push(struct pieces *ps)
{
	if (ps->n == ps->cap)
		ps->v = xrealloc(ps->v, (ps->cap = ps->cap ? ps->cap * 2 : 32) * sizeof *ps->v);
	struct piece *p = &ps->v[ps->n++];
	memset(p, 0, sizeof *p);
	return p;
}

static void pieces_free(struct pieces *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].text);
	free(ps->v);
}

/* The paragraph as code points, with the face of each. */
struct chars {
	FriBidiChar *u;
	enum text_face *face;
	FriBidiLevel *level;
	size_t n;
	bool any_rtl;
};

static void chars_read(struct chars *c, const struct text_run *runs, size_t n_runs)
{
	size_t cap = 1;
	for (size_t r = 0; r < n_runs; r++)
		cap += strlen(runs[r].text);
	c->u = xmalloc(cap * sizeof *c->u);
	c->face = xmalloc(cap * sizeof *c->face);
	c->level = xcalloc(cap, sizeof *c->level);
	c->n = 0;
	c->any_rtl = false;
	for (size_t r = 0; r < n_runs; r++)
		for (const char *p = runs[r].text; *p;) {
			uint32_t cp = utf8_next(&p);
			if (cp == '\n' || cp == '\t')
				cp = ' ';
			c->any_rtl |= is_rtl_char(cp);
			c->u[c->n] = cp;
			c->face[c->n++] = runs[r].face;
		}
}

static void chars_free(struct chars *c)
{
	free(c->u);
	free(c->face);
	free(c->level);
}

/* fribidi's embedding levels, only where there is right-to-left text. */
static bool chars_levels(struct chars *c, bool rtl_base)
{
	if (!c->any_rtl && !rtl_base)
		return false;
	FriBidiParType base = rtl_base ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
	FriBidiCharType *types = xmalloc((c->n + 1) * sizeof *types);
	FriBidiBracketType *brackets = xmalloc((c->n + 1) * sizeof *brackets);
	fribidi_get_bidi_types(c->u, (FriBidiStrIndex)c->n, types);
	fribidi_get_bracket_types(c->u, (FriBidiStrIndex)c->n, types, brackets);
	if (!fribidi_get_par_embedding_levels_ex(types, brackets, (FriBidiStrIndex)c->n, &base,
						 c->level))
		memset(c->level, rtl_base ? 1 : 0, c->n * sizeof *c->level);
	free(brackets);
	free(types);
	return true;
}

/* Cuts the characters into pieces where face, font, level or spacing change. */
static void make_pieces(const struct chars *c, struct pieces *ps)
{
	char *buf = xmalloc(PIECE_MAX_CHARS * 4 + 1);
	size_t len = 0, chars = 0;
	struct piece *cur = NULL;
	for (size_t i = 0; i <= c->n; i++) {
		bool end = i == c->n;
		bool space = !end && c->u[i] == ' ';
		bool arabic = !end && is_arabic_char(c->u[i]);
		/* A long word goes on in a new piece: the line breaker may break
		 * between the two when the word is wider than a line. */
		if (cur && (end || space || cur->space || cur->face != c->face[i] ||
			    cur->arabic != arabic || cur->level != c->level[i] ||
			    chars == PIECE_MAX_CHARS)) {
			buf[len] = '\0';
			cur->text = xstrndup(buf, len);
			len = chars = 0;
			cur = NULL;
		}
		if (end)
			break;
		if (space && ps->n && ps->v[ps->n - 1].space && !cur)
			continue; /* runs of spaces count once */
		if (!cur) {
			cur = pieces_push(ps);
			cur->face = c->face[i];
			cur->arabic = arabic;
			cur->space = space;
			cur->level = c->level[i];
		}
		len += utf8_encode(c->u[i], buf + len);
		chars++;
	}
	free(buf);
}

static TTF_Font *piece_font(struct text *t, const struct piece *p, int px)
{
	TTF_Font *f = font_get(t, p->face, p->arabic, px);
	if (f)
		TTF_SetFontDirection(f, (p->level & 1) ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
	return f;
}

/* Measures every piece and cuts one wider than a line (at most
 * PIECE_MAX_CHARS characters, so each cut costs little) where it fits,
 * building the list anew: linear in the text. */
static void measure_pieces(struct text *t, struct pieces *ps, int px, int max_w)
{
	struct pieces out = {0};
	for (size_t i = 0; i < ps->n; i++) {
		struct piece p = ps->v[i];
		TTF_Font *f = piece_font(t, &p, px);
		if (f)
			TTF_SizeUTF8(f, p.space ? " " : p.text, &p.w, NULL);
		while (f && !p.space && p.w > max_w) {
			int extent = 0, count = 0;
			if (TTF_MeasureUTF8(f, p.text, max_w, &extent, &count) != 0)
				break;
			/* Shaped, a cut-off part can be wider than its letters
			 * measured in a row (Arabic joins): fewer until it fits,
			 * at least one character a line. */
			char *head_text = NULL;
			int head_w = 0;
			for (int keep = count > 1 ? count : 1;; keep--) {
				const char *cut = p.text;
				for (int k = 0; k < keep && *cut; k++)
					utf8_next(&cut);
				free(head_text);
				head_text = xstrndup(p.text, (size_t)(cut - p.text));
				TTF_SizeUTF8(f, head_text, &head_w, NULL);
				if (head_w <= max_w || keep == 1)
					break;
			}
			const char *cut = p.text + strlen(head_text);
			if (!*cut) {
				free(head_text);
				break;
			}
			struct piece *head = pieces_push(&out);
			*head = p;
			head->text = head_text;
			head->w = head_w;
			char *rest = xstrdup(cut);
			free(p.text);
			p.text = rest;
			TTF_SizeUTF8(f, p.text, &p.w, NULL);
		}
		*pieces_push(&out) = p;
	}
	free(ps->v);
	*ps = out;
}

/* Rule L2: reverse every run at or above each odd level, highest first. */
static void reorder_line(const struct pieces *ps, size_t from, size_t to, size_t *order)
{
	FriBidiLevel max = 0, min_odd = 255;
	for (size_t i = from; i < to; i++) {
		order[i - from] = i;
		FriBidiLevel l = ps->v[i].level;
		if (l > max)
			max = l;
		if ((l & 1) && l < min_odd)
			min_odd = l;
	}
	size_t n = to - from;
	for (int lev = max; lev >= min_odd && lev > 0; lev--) {
		for (size_t i = 0; i < n;) {
			if (ps->v[order[i]].level < lev) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < n && ps->v[order[j]].level >= lev)
				j++;
			for (size_t a = i, b = j - 1; a < b; a++, b--) {
				size_t tmp = order[a];
				order[a] = order[b];
				order[b] = tmp;
			}
			i = j;
		}
	}
}

struct line {
	size_t from, to;         /* pieces, without the spaces at either end */
	int w, h;
	int baseline;            /* from the line's top */
};

/* How far a piece reaches above and below the baseline.  Latin: its font's
 * box (so lines of Latin text stay as they always were).  Arabic: its
 * letters' own extents, because Noto Sans Arabic's box has wide empty
 * margins that would push every line apart; a fifth of the size more
 * above for marks stacked on tall letters. */
static void piece_extent(TTF_Font *f, const struct piece *p, int px, int *above, int *below)
{
	*above = TTF_FontAscent(f);
	*below = TTF_FontHeight(f) - *above;
	if (!p->arabic)
		return;
	int top = 0, bottom = 0;
	for (const char *s = p->text; *s;) {
		int minx, maxx, miny, maxy, advance;
		uint32_t c = utf8_next(&s);
		if (TTF_GlyphMetrics32(f, c, &minx, &maxx, &miny, &maxy, &advance) != 0)
			continue;
		top = maxy > top ? maxy : top;
		bottom = -miny > bottom ? -miny : bottom;
	}
	*above = top + px / 5;
	*below = bottom + px / 10;
}

/* Greedy breaking at spaces: a word (the pieces between two spaces) moves
 * to the next line when it does not fit. */
static size_t break_lines(struct text *t, const struct pieces *ps, const struct text_style *st,
			  int max_w, struct line *lines)
{
	size_t n = 0, i = 0;
	while (i < ps->n) {
		while (i < ps->n && ps->v[i].space)
			i++;
		if (i == ps->n)
			break;
		struct line *l = &lines[n++];
		l->from = i;
		l->w = 0;
		size_t end = i;
		int width = 0;
		while (end < ps->n) {
			size_t w_end = end;
			int word = 0, gap = 0;
			while (w_end < ps->n && ps->v[w_end].space)
				gap += ps->v[w_end++].w;
			while (w_end < ps->n && !ps->v[w_end].space)
				word += ps->v[w_end++].w;
			if (end > l->from && width + gap + word > max_w)
				break;
			if (end == l->from && word > max_w) {
				/* A word wider than the line: as many of its pieces as
				 * fit, at least one; the rest goes on the next line. */
				size_t k = end;
				int used = 0;
				while (k < w_end && (k == end || used + ps->v[k].w <= max_w))
					used += ps->v[k++].w;
				width = used;
				end = k;
				break;
			}
			width += (end > l->from ? gap : 0) + word;
			end = w_end;
		}
		l->to = end;
		l->w = width;
		/* The style's line height; taller where Arabic letters reach
		 * further, with their ink centred in the line. */
		int above = 0, below = 0;
		for (size_t k = l->from; k < l->to; k++) {
			TTF_Font *f = piece_font(t, &ps->v[k], st->px);
			if (!f || ps->v[k].space || !ps->v[k].arabic)
				continue;
			int a, b;
			piece_extent(f, &ps->v[k], st->px, &a, &b);
			above = a > above ? a : above;
			below = b > below ? b : below;
		}
		int h = st->px * st->line_height_pct / 100;
		if (above + below > h)
			h = above + below;
		l->h = h;
		l->baseline = (h - (above + below)) / 2 + above;
		i = end;
	}
	return n;
}

/* What a laid out block keeps for drawing its chunks later. */
struct text_laid {
	struct pieces ps;
	struct line *lines;
	size_t n_lines;
	struct text_style style;
	bool bidi;
	struct chunk *chunks;
	size_t n_chunks;
	size_t bytes;            /* of the pieces and lines, for the cache's account */
};

static void chunk_drop(struct text *t, struct chunk *c, int w)
{
	if (!c->texture)
		return;
	SDL_DestroyTexture(c->texture);
	c->texture = NULL;
	t->texture_bytes -= (size_t)w * (size_t)c->h * 4;
}

static void laid_free(struct text *t, struct text_laid *laid)
{
	if (!laid)
		return;
	int w = 0;
	for (size_t l = 0; l < laid->n_lines; l++)
		w = laid->lines[l].w > w ? laid->lines[l].w : w;
	for (size_t i = 0; i < laid->n_chunks; i++)
		chunk_drop(t, &laid->chunks[i], w > 1 ? w : 1);
	pieces_free(&laid->ps);
	free(laid->lines);
	free(laid->chunks);
	free(laid);
}

/* Draws the chunk's lines into a texture of the block's width. */
static SDL_Texture *render_chunk(struct text *t, const struct text_laid *laid,
				 const struct chunk *c, int w)
{
	const struct pieces *ps = &laid->ps;
	const struct text_style *st = &laid->style;
	SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, c->h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!surf)
		return NULL;
	SDL_FillRect(surf, NULL, 0);
	size_t most = 1;
	for (size_t l = c->first_line; l < c->first_line + c->n_lines; l++)
		if (laid->lines[l].to - laid->lines[l].from > most)
			most = laid->lines[l].to - laid->lines[l].from;
	size_t *order = xmalloc(most * sizeof *order);
	int y = 0;
	for (size_t l = c->first_line; l < c->first_line + c->n_lines; l++) {
		const struct line *ln = &laid->lines[l];
		/* A font's box can be taller than the line (Arabic): its empty
		 * margins must not be copied over the lines beside it. */
		SDL_Rect line_box = {0, y, w, ln->h};
		SDL_SetClipRect(surf, &line_box);
		if (laid->bidi)
			reorder_line(ps, ln->from, ln->to, order);
		else
			for (size_t i = ln->from; i < ln->to; i++)
				order[i - ln->from] = i;
		int x = st->center ? (w - ln->w) / 2 : st->rtl ? w - ln->w : 0;
		for (size_t k = 0; k < ln->to - ln->from; k++) {
			const struct piece *p = &ps->v[order[k]];
			if (!p->space) {
				TTF_Font *f = piece_font(t, p, st->px);
				SDL_Surface *g = f ? TTF_RenderUTF8_Blended(f, p->text, st->color) : NULL;
				if (g) {
					int top = p->arabic ? ln->baseline - TTF_FontAscent(f)
							    : (ln->h - TTF_FontHeight(f)) / 2;
					SDL_Rect dst = {x, y + top, g->w, g->h};
					/* Pieces do not overlap: copy, so edges keep their colour. */
					SDL_SetSurfaceBlendMode(g, SDL_BLENDMODE_NONE);
					SDL_BlitSurface(g, NULL, surf, &dst);
					SDL_FreeSurface(g);
				}
			}
			x += p->w;
		}
		y += ln->h;
	}
	free(order);
	SDL_Texture *tex = SDL_CreateTextureFromSurface(t->ren, surf);
	if (tex)
		SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
	SDL_FreeSurface(surf);
	return tex;
}

/* Cuts the lines into chunks of CHUNK_LINES. */
static void make_chunks(struct text_laid *laid)
{
	laid->n_chunks = (laid->n_lines + CHUNK_LINES - 1) / CHUNK_LINES;
	laid->chunks = xcalloc(laid->n_chunks ? laid->n_chunks : 1, sizeof *laid->chunks);
	int y = 0;
	for (size_t i = 0; i < laid->n_chunks; i++) {
		struct chunk *c = &laid->chunks[i];
		c->first_line = i * CHUNK_LINES;
		c->n_lines = laid->n_lines - c->first_line < CHUNK_LINES ? laid->n_lines - c->first_line
									 : CHUNK_LINES;
		c->y = y;
		for (size_t l = c->first_line; l < c->first_line + c->n_lines; l++)
			c->h += laid->lines[l].h;
		y += c->h;
	}
}

/* A paragraph's lines all as tall as its tallest (an Arabic line may reach
 * further): even spacing reads calmer than lines that jump. */
static void even_lines(struct line *lines, size_t n)
{
	int most = 0;
	for (size_t l = 0; l < n; l++)
		most = lines[l].h > most ? lines[l].h : most;
	for (size_t l = 0; l < n; l++) {
		lines[l].baseline += (most - lines[l].h) / 2;
		lines[l].h = most;
	}
}

static void lay_out(struct text *t, const struct text_run *runs, size_t n_runs,
		    const struct text_style *st, int max_w, struct text_block *out)
{
	struct chars c;
	struct text_laid *laid = xcalloc(1, sizeof *laid);
	chars_read(&c, runs, n_runs);
	laid->bidi = chars_levels(&c, st->rtl);
	make_pieces(&c, &laid->ps);
	chars_free(&c);
	memset(out, 0, sizeof *out);
	measure_pieces(t, &laid->ps, st->px, max_w);
	laid->lines = xmalloc((laid->ps.n + 1) * sizeof *laid->lines);
	laid->n_lines = break_lines(t, &laid->ps, st, max_w, laid->lines);
	even_lines(laid->lines, laid->n_lines);
	laid->style = *st;
	int w = 1, h = 0;
	for (size_t l = 0; l < laid->n_lines; l++) {
		w = laid->lines[l].w > w ? laid->lines[l].w : w;
		h += laid->lines[l].h;
	}
	if (!laid->n_lines) {
		laid_free(t, laid);
		return;
	}
	make_chunks(laid);
	laid->bytes = sizeof *laid + laid->ps.n * sizeof *laid->ps.v +
		      (laid->ps.n + 1) * sizeof *laid->lines + laid->n_chunks * sizeof *laid->chunks;
	for (size_t i = 0; i < laid->ps.n; i++)
		laid->bytes += strlen(laid->ps.v[i].text) + 1;
	out->laid = laid;
	out->w = w;
	out->h = h;
	out->lines = (int)laid->n_lines;
}

/* Drops the least recently drawn chunk textures until the budget holds
 * again (never one drawn in this very call: keep). */
static void keep_budget(struct text *t, const struct chunk *keep)
{
	while (t->texture_bytes > TEXTURE_BUDGET) {
		struct chunk *oldest = NULL;
		int oldest_w = 0;
		for (size_t i = 0; i <= t->n_entries; i++) {
			struct cache_entry *e = i < t->n_entries ? t->entries[i] : &t->scratch;
			struct text_laid *laid = e->block.laid;
			for (size_t k = 0; laid && k < laid->n_chunks; k++) {
				struct chunk *c = &laid->chunks[k];
				if (c->texture && c != keep && (!oldest || c->drawn < oldest->drawn))
					oldest = c, oldest_w = e->block.w;
			}
		}
		if (!oldest)
			return;
		chunk_drop(t, oldest, oldest_w);
	}
}

void text_draw(struct text *t, const struct text_block *b, int x, int y, const SDL_Rect *clip)
{
	if (!b || !b->laid)
		return;
	t->stamp++;
	for (size_t i = 0; i < b->laid->n_chunks; i++) {
		struct chunk *c = &b->laid->chunks[i];
		SDL_Rect dst = {x, y + c->y, b->w, c->h};
		if (clip && !SDL_HasIntersection(&dst, clip))
			continue;
		if (!c->texture) {
			c->texture = render_chunk(t, b->laid, c, b->w);
			if (!c->texture)
				continue;
			t->texture_bytes += (size_t)b->w * (size_t)c->h * 4;
			keep_budget(t, c);
		}
		c->drawn = t->stamp;
		SDL_RenderCopy(t->ren, c->texture, NULL, &dst);
	}
}

const struct text_block *text_layout(struct text *t, const struct text_run *runs, size_t n_runs,
				     const struct text_style *style, int max_w)
{
	if (max_w < 1)
		max_w = 1;
	uint64_t key = cache_key(runs, n_runs, style, max_w);
	for (size_t i = 0; i < t->n_entries; i++)
		if (t->entries[i]->key == key) {
			t->entries[i]->used = true;
			return &t->entries[i]->block;
		}
	if (t->n_entries == t->cap_entries) {
		t->cap_entries = t->cap_entries ? t->cap_entries * 2 : 64;
		t->entries = xrealloc(t->entries, t->cap_entries * sizeof *t->entries);
	}
	struct cache_entry *e = xcalloc(1, sizeof *e);
	t->entries[t->n_entries++] = e;
	e->key = key;
	e->used = true;
	lay_out(t, runs, n_runs, style, max_w, &e->block);
	t->bytes += e->block.laid ? e->block.laid->bytes : 0;
	return &e->block;
}

const struct text_block *text_simple(struct text *t, const char *s, enum text_face face,
				     const struct text_style *style, int max_w)
{
	struct text_run run = {s ? s : "", face};
	return text_layout(t, &run, 1, style, max_w);
}

const struct text_block *text_scratch(struct text *t, const char *s, enum text_face face,
				      const struct text_style *style, int max_w)
{
	struct text_run run = {s ? s : "", face};
	uint64_t key = cache_key(&run, 1, style, max_w);
	if (t->scratch.key != key || !t->scratch.block.laid) {
		laid_free(t, t->scratch.block.laid);
		lay_out(t, &run, 1, style, max_w, &t->scratch.block);
		t->scratch.key = key;
	}
	return &t->scratch.block;
}

int text_measure(struct text *t, const char *s, enum text_face face, int px)
{
	bool arabic = false;
	for (const char *p = s; *p;)
		if (is_arabic_char(utf8_next(&p)))
			arabic = true;
	TTF_Font *f = font_get(t, face, arabic, px);
	int w = 0;
	if (f)
		TTF_SizeUTF8(f, s, &w, NULL);
	return w;
}

char *text_fit_line(struct text *t, const char *s, enum text_face face, int px, int max_w)
{
	/* "…" is three bytes where a space of one stood: room for it wherever
	 * the last space is, the end of the text included. */
	size_t len = strlen(s);
	char *out = xmalloc(len + 4);
	memcpy(out, s, len + 1);
	if (text_measure(t, out, face, px) <= max_w)
		return out;
	for (;;) {
		char *space = strrchr(out, ' ');
		if (!space)
			break;
		strcpy(space, "…");
		if (text_measure(t, out, face, px) <= max_w)
			return out;
		*space = '\0';
	}
	return out; /* one long word: it wraps instead */
}

void text_cache_trim(struct text *t)
{
	size_t keep = 0;
	/* Below the limit everything stays: going back to a screen is free. */
	bool over = t->bytes + t->texture_bytes > CACHE_SOFT_LIMIT;
	for (size_t i = 0; i < t->n_entries; i++) {
		struct cache_entry *e = t->entries[i];
		if (e->used || !over) {
			e->used = false;
			t->entries[keep++] = e;
		} else {
			t->bytes -= e->block.laid ? e->block.laid->bytes : 0;
			entry_release(t, e);
		}
	}
	t->n_entries = keep;
}
