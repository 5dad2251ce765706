/* Text: the one place that turns strings into pixels.
 *
 * SDL_ttf shapes one run in one font and one direction.  A paragraph here
 * is split into words; each word gets its font (Noto Sans, Noto Sans
 * Arabic for Arabic script, or the icon font) and its bidi level (fribidi,
 * only when the text has right-to-left characters).  Lines are broken by
 * measured words, reordered for display by the bidi rule L2, drawn into one
 * texture, and cached: the same content, style and width is laid out once.
 */
#include "ui_int.h"

#include <fribidi.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "text"

#define MAX_FONTS 48
/* Textures of other screens are kept up to this many bytes. */
#define CACHE_SOFT_LIMIT (48u << 20)

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

struct text {
	SDL_Renderer *ren;
	char *paths[5];          /* per enum text_face */
	char *arabic[2];         /* regular, bold */
	struct font_slot fonts[MAX_FONTS];
	size_t n_fonts;
	struct cache_entry **entries; /* each on its own, so blocks stay put */
	size_t n_entries, cap_entries;
	size_t bytes;            /* pixels held by the cached textures */
};

/* One word (or piece of one) on its way to the screen. */
struct item {
	char *text;              /* NUL-terminated, in the layout's scratch */
	enum text_face face;
	bool arabic;
	bool space_after;        /* a space follows in the logical text */
	FriBidiLevel level;
	int w;
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
	t->arabic[0] = path_join(font_dir, "noto/NotoSansArabic-Regular.ttf");
	t->arabic[1] = path_join(font_dir, "noto/NotoSansArabic-Bold.ttf");
	return t;
}

static void entry_release(struct cache_entry *e)
{
	if (e->block.texture)
		SDL_DestroyTexture(e->block.texture);
	free(e);
}

void text_free(struct text *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_fonts; i++)
		TTF_CloseFont(t->fonts[i].font);
	for (size_t i = 0; i < t->n_entries; i++)
		entry_release(t->entries[i]);
	free(t->entries);
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
	TTF_Font *f = TTF_OpenFont(path, px);
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

/* Decodes one UTF-8 code point (the input was validated on load). */
static uint32_t utf8_next(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t c = s[0];
	int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
	if (len > 1) {
		c &= 0xFF >> (len + 1);
		for (int i = 1; i < len && s[i]; i++)
			c = (c << 6) | (s[i] & 0x3F);
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

/* ---- Splitting into items ---- */

struct items {
	struct item *v;
	size_t n, cap;
	bool any_rtl;
};

static void items_push(struct items *it, const char *s, size_t len, enum text_face face,
		       bool space_after)
{
	if (it->n == it->cap)
		it->v = xrealloc(it->v, (it->cap = it->cap ? it->cap * 2 : 32) * sizeof *it->v);
	struct item *w = &it->v[it->n++];
	memset(w, 0, sizeof *w);
	w->text = xstrndup(s, len);
	w->face = face;
	w->space_after = space_after;
	for (const char *p = w->text; *p;) {
		uint32_t c = utf8_next(&p);
		if (is_arabic_char(c))
			w->arabic = true;
		if (is_rtl_char(c))
			it->any_rtl = true;
	}
}

static void split_runs(struct items *it, const struct text_run *runs, size_t n)
{
	for (size_t r = 0; r < n; r++) {
		const char *s = runs[r].text;
		while (*s) {
			const char *end = s;
			while (*end && *end != ' ' && *end != '\n')
				end++;
			bool space = *end == ' ' || *end == '\n';
			if (end > s)
				items_push(it, s, (size_t)(end - s), runs[r].face, space);
			else if (space && it->n)
				it->v[it->n - 1].space_after = true;
			s = space ? end + 1 : end;
		}
	}
}

/* Splits a word wider than the line into pieces that fit (long addresses). */
static void split_overlong(struct text *t, struct items *it, size_t i, int px, int max_w)
{
	TTF_Font *f = font_get(t, it->v[i].face, it->v[i].arabic, px);
	int extent = 0, count = 0;
	if (!f || TTF_MeasureUTF8(f, it->v[i].text, max_w, &extent, &count) != 0 || count <= 0)
		return;
	const char *p = it->v[i].text;
	for (int k = 0; k < count && *p; k++)
		utf8_next(&p);
	if (!*p)
		return;
	size_t head = (size_t)(p - it->v[i].text);
	char *rest = xstrdup(p);
	bool space = it->v[i].space_after;
	it->v[i].text[head] = '\0';
	it->v[i].space_after = false;
	/* Insert the rest right after i. */
	items_push(it, rest, strlen(rest), it->v[i].face, space);
	struct item tail = it->v[it->n - 1];
	memmove(&it->v[i + 2], &it->v[i + 1], (it->n - i - 2) * sizeof *it->v);
	it->v[i + 1] = tail;
	free(rest);
}

/* fribidi levels per item: the level of the item's first character. */
static bool assign_levels(struct items *it, bool rtl_base)
{
	FriBidiParType base = rtl_base ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
	if (!it->any_rtl && !rtl_base)
		return false;
	size_t total = 0;
	for (size_t i = 0; i < it->n; i++)
		total += strlen(it->v[i].text) + 1;
	FriBidiChar *u = xmalloc((total + 1) * sizeof *u);
	size_t *start = xmalloc((it->n + 1) * sizeof *start);
	size_t len = 0;
	for (size_t i = 0; i < it->n; i++) {
		start[i] = len;
		for (const char *p = it->v[i].text; *p;)
			u[len++] = utf8_next(&p);
		u[len++] = ' ';
	}
	FriBidiCharType *types = xmalloc(len * sizeof *types);
	FriBidiBracketType *brackets = xmalloc(len * sizeof *brackets);
	FriBidiLevel *levels = xmalloc(len * sizeof *levels);
	fribidi_get_bidi_types(u, (FriBidiStrIndex)len, types);
	fribidi_get_bracket_types(u, (FriBidiStrIndex)len, types, brackets);
	bool ok = fribidi_get_par_embedding_levels_ex(types, brackets, (FriBidiStrIndex)len, &base,
						      levels) != 0;
	for (size_t i = 0; i < it->n; i++)
		it->v[i].level = ok ? levels[start[i]] : (rtl_base ? 1 : 0);
	free(levels);
	free(brackets);
	free(types);
	free(start);
	free(u);
	return true;
}

/* Rule L2: reverse every run at or above each odd level, highest first. */
static void reorder_line(const struct items *it, size_t from, size_t to, size_t *order)
{
	FriBidiLevel max = 0, min_odd = 255;
	for (size_t i = from; i < to; i++) {
		order[i - from] = i;
		FriBidiLevel l = it->v[i].level;
		if (l > max)
			max = l;
		if ((l & 1) && l < min_odd)
			min_odd = l;
	}
	size_t n = to - from;
	for (int lev = max; lev >= min_odd && lev > 0; lev--) {
		for (size_t i = 0; i < n;) {
			if (it->v[order[i]].level < lev) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < n && it->v[order[j]].level >= lev)
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

static SDL_Texture *render_lines(struct text *t, struct items *it, const size_t *line_start,
				 const int *line_w, int lines, const struct text_style *st, int w,
				 int h, bool bidi)
{
	SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!surf)
		return NULL;
	SDL_FillRect(surf, NULL, 0);
	int line_h = st->px * st->line_height_pct / 100;
	size_t *order = xmalloc((it->n + 1) * sizeof *order);
	for (int l = 0; l < lines; l++) {
		size_t from = line_start[l], to = line_start[l + 1];
		if (bidi)
			reorder_line(it, from, to, order);
		else
			for (size_t i = from; i < to; i++)
				order[i - from] = i;
		int x = st->center ? (w - line_w[l]) / 2 : st->rtl ? w - line_w[l] : 0;
		for (size_t k = 0; k < to - from; k++) {
			struct item *item = &it->v[order[k]];
			TTF_Font *f = font_get(t, item->face, item->arabic, st->px);
			TTF_SetFontDirection(f, (item->level & 1) ? TTF_DIRECTION_RTL
								  : TTF_DIRECTION_LTR);
			SDL_Surface *g = TTF_RenderUTF8_Blended(f, item->text, st->color);
			if (g) {
				SDL_Rect dst = {x, l * line_h + (line_h - TTF_FontHeight(f)) / 2, g->w,
						g->h};
				/* Words do not overlap: copy, so that edges keep their colour. */
				SDL_SetSurfaceBlendMode(g, SDL_BLENDMODE_NONE);
				SDL_BlitSurface(g, NULL, surf, &dst);
				SDL_FreeSurface(g);
			}
			int space = 0;
			TTF_SizeUTF8(f, " ", &space, NULL);
			x += item->w + space;
		}
	}
	free(order);
	SDL_Texture *tex = SDL_CreateTextureFromSurface(t->ren, surf);
	if (tex)
		SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
	SDL_FreeSurface(surf);
	return tex;
}

static void lay_out(struct text *t, const struct text_run *runs, size_t n_runs,
		    const struct text_style *st, int max_w, struct text_block *out)
{
	struct items it = {0};
	split_runs(&it, runs, n_runs);
	memset(out, 0, sizeof *out);
	if (it.n == 0)
		goto out;
	for (size_t i = 0; i < it.n; i++) {
		TTF_Font *f = font_get(t, it.v[i].face, it.v[i].arabic, st->px);
		if (f && TTF_SizeUTF8(f, it.v[i].text, &it.v[i].w, NULL) == 0 && it.v[i].w > max_w) {
			split_overlong(t, &it, i, st->px, max_w);
			TTF_SizeUTF8(f, it.v[i].text, &it.v[i].w, NULL);
		}
	}
	bool bidi = assign_levels(&it, st->rtl);
	/* Greedy line breaking by measured words. */
	size_t *line_start = xmalloc((it.n + 2) * sizeof *line_start);
	int *line_w = xmalloc((it.n + 1) * sizeof *line_w);
	int lines = 0, cur = 0, widest = 0;
	line_start[0] = 0;
	for (size_t i = 0; i < it.n; i++) {
		int space = 0;
		if (i > line_start[lines]) {
			TTF_Font *pf = font_get(t, it.v[i - 1].face, it.v[i - 1].arabic, st->px);
			if (it.v[i - 1].space_after)
				TTF_SizeUTF8(pf, " ", &space, NULL);
		}
		if (i > line_start[lines] && cur + space + it.v[i].w > max_w) {
			line_w[lines] = cur;
			widest = cur > widest ? cur : widest;
			line_start[++lines] = i;
			cur = it.v[i].w;
		} else {
			cur += space + it.v[i].w;
		}
	}
	line_w[lines] = cur;
	widest = cur > widest ? cur : widest;
	line_start[++lines] = it.n;
	/* Words glued without a space (style changes mid-word) keep no gap:
	 * drop the space width that render_lines adds after them. */
	for (size_t i = 0; i < it.n; i++)
		if (!it.v[i].space_after) {
			TTF_Font *f = font_get(t, it.v[i].face, it.v[i].arabic, st->px);
			int space = 0;
			TTF_SizeUTF8(f, " ", &space, NULL);
			it.v[i].w -= space;
		}
	int w = widest > 0 ? widest : 1;
	if (st->center || st->rtl)
		w = max_w > w ? w : max_w;
	int h = lines * st->px * st->line_height_pct / 100;
	out->texture = render_lines(t, &it, line_start, line_w, lines, st, w, h, bidi);
	out->w = w;
	out->h = h;
	out->lines = lines;
	free(line_start);
	free(line_w);
out:
	for (size_t i = 0; i < it.n; i++)
		free(it.v[i].text);
	free(it.v);
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
	t->bytes += (size_t)e->block.w * (size_t)e->block.h * 4;
	return &e->block;
}

const struct text_block *text_simple(struct text *t, const char *s, enum text_face face,
				     const struct text_style *style, int max_w)
{
	struct text_run run = {s ? s : "", face};
	return text_layout(t, &run, 1, style, max_w);
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
	char *out = xstrdup(s);
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
	bool over = t->bytes > CACHE_SOFT_LIMIT;
	for (size_t i = 0; i < t->n_entries; i++) {
		struct cache_entry *e = t->entries[i];
		if (e->used || !over) {
			e->used = false;
			t->entries[keep++] = e;
		} else {
			t->bytes -= (size_t)e->block.w * (size_t)e->block.h * 4;
			entry_release(e);
		}
	}
	t->n_entries = keep;
}
