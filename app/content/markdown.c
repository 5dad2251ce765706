/* Pages: Markdown (md4c) into blocks of styled text that the screen can lay
 * out.  Links are shown as their text; raw HTML as plain text; images
 * become picture blocks with their alt text (what speech will read). */
#include "kiosk/content.h"

#include <errno.h>
#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"
#include "content_int.h"

#define LOG_MODULE "page"

/* Pages are read into memory whole; anything larger is surely a mistake. */

struct builder {
	struct page *page;
	const char *base_dir;
	struct page_block *cur;  /* the block receiving text, or NULL */
	unsigned style;          /* current span style bits */
	int list_depth;
	int quote_depth;
	int ol_next[8];          /* next number per list depth; 0 = bullets */
	bool in_image;
};

static struct page_block *block_start(struct builder *b, enum page_block_kind kind, int level)
{
	struct page *p = b->page;
	p->blocks = xrealloc(p->blocks, (p->n_blocks + 1) * sizeof *p->blocks);
	struct page_block *blk = &p->blocks[p->n_blocks++];
	memset(blk, 0, sizeof *blk);
	blk->kind = kind;
	blk->level = level;
	b->cur = blk;
	return blk;
}

static void block_free(struct page_block *blk)
{
	for (size_t i = 0; i < blk->n_spans; i++)
		free(blk->spans[i].text);
	free(blk->spans);
	free(blk->image);
}

/* Ends the current block; a block that received no text is dropped. */
static void block_end(struct builder *b)
{
	struct page *p = b->page;
	if (b->cur && b->cur->n_spans == 0 && b->cur->kind != PAGE_BLOCK_RULE &&
	    b->cur->kind != PAGE_BLOCK_IMAGE) {
		block_free(b->cur);
		p->n_blocks--;
	}
	b->cur = NULL;
}

static void append_text(struct builder *b, const char *text, size_t len)
{
	if (!b->cur)
		block_start(b, b->quote_depth ? PAGE_BLOCK_QUOTE : PAGE_BLOCK_PARAGRAPH, 0);
	struct page_block *blk = b->cur;
	/* No leading spaces at the start of a block. */
	if (blk->n_spans == 0)
		while (len && *text == ' ')
			text++, len--;
	if (!len)
		return;
	struct page_span *last = blk->n_spans ? &blk->spans[blk->n_spans - 1] : NULL;
	if (last && last->style == b->style) {
		size_t old = strlen(last->text);
		last->text = xrealloc(last->text, old + len + 1);
		memcpy(last->text + old, text, len);
		last->text[old + len] = '\0';
		return;
	}
	blk->spans = xrealloc(blk->spans, (blk->n_spans + 1) * sizeof *blk->spans);
	blk->spans[blk->n_spans].text = xstrndup(text, len);
	blk->spans[blk->n_spans].style = b->style;
	blk->n_spans++;
}

/* The few entities a page may contain, decoded to UTF-8. */
static void append_entity(struct builder *b, const char *text, size_t len)
{
	static const char *const named[][2] = {
		{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
		{"&apos;", "'"}, {"&nbsp;", "\xC2\xA0"}, {"&shy;", ""}, {"&ndash;", "–"},
		{"&mdash;", "—"},
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strlen(named[i][0]) == len && memcmp(named[i][0], text, len) == 0) {
			append_text(b, named[i][1], strlen(named[i][1]));
			return;
		}
	unsigned long cp = 0;
	if (len > 3 && text[1] == '#')
		cp = (text[2] == 'x' || text[2] == 'X') ? strtoul(text + 3, NULL, 16)
							: strtoul(text + 2, NULL, 10);
	char u[5] = {0};
	if (cp > 0 && cp < 0x80) {
		u[0] = (char)cp;
	} else if (cp >= 0x80 && cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F));
	} else if (cp >= 0x800 && cp < 0x10000 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
		u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
	} else if (cp >= 0x10000 && cp <= 0x10FFFF) {
		u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
	} else {
		append_text(b, text, len); /* unknown: show it as written */
		return;
	}
	append_text(b, u, strlen(u));
}

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *user)
{
	struct builder *b = user;
	switch (type) {
	case MD_BLOCK_H:
		block_end(b);
		block_start(b, PAGE_BLOCK_HEADING, (int)((MD_BLOCK_H_DETAIL *)detail)->level);
		break;
	case MD_BLOCK_P:
	case MD_BLOCK_CODE:
		/* The first paragraph of a list item is the item's own text. */
		if (b->cur && b->cur->kind == PAGE_BLOCK_LIST_ITEM && b->cur->n_spans == 0)
			break;
		block_end(b);
		block_start(b, b->quote_depth ? PAGE_BLOCK_QUOTE : PAGE_BLOCK_PARAGRAPH, 0);
		if (type == MD_BLOCK_CODE)
			b->style |= PAGE_SPAN_CODE;
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		block_end(b);
		b->list_depth++;
		if (b->list_depth < 8)
			b->ol_next[b->list_depth] =
				type == MD_BLOCK_OL ? (int)((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
		break;
	case MD_BLOCK_LI: {
		block_end(b);
		struct page_block *blk = block_start(b, PAGE_BLOCK_LIST_ITEM, b->list_depth);
		if (b->list_depth < 8 && b->ol_next[b->list_depth])
			blk->number = b->ol_next[b->list_depth]++;
		break;
	}
	case MD_BLOCK_QUOTE:
		block_end(b);
		b->quote_depth++;
		break;
	case MD_BLOCK_HR:
		block_end(b);
		block_start(b, PAGE_BLOCK_RULE, 0);
		block_end(b);
		break;
	default:
		/* Tables and raw HTML blocks: their text is kept as paragraphs. */
		break;
	}
	return 0;
}

static int on_leave_block(MD_BLOCKTYPE type, void *detail, void *user)
{
	struct builder *b = user;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		block_end(b);
		b->list_depth--;
		break;
	case MD_BLOCK_QUOTE:
		block_end(b);
		b->quote_depth--;
		break;
	case MD_BLOCK_CODE:
		b->style &= ~(unsigned)PAGE_SPAN_CODE;
		block_end(b);
		break;
	case MD_BLOCK_H:
	case MD_BLOCK_P:
	case MD_BLOCK_LI:
	case MD_BLOCK_TD:
	case MD_BLOCK_TH:
		block_end(b);
		break;
	default:
		break;
	}
	return 0;
}

static char *attr_text(const MD_ATTRIBUTE *a)
{
	return xstrndup(a->text ? a->text : "", a->size);
}

static int on_enter_span(MD_SPANTYPE type, void *detail, void *user)
{
	struct builder *b = user;
	if (type == MD_SPAN_EM)
		b->style |= PAGE_SPAN_ITALIC;
	else if (type == MD_SPAN_STRONG)
		b->style |= PAGE_SPAN_BOLD;
	else if (type == MD_SPAN_CODE)
		b->style |= PAGE_SPAN_CODE;
	else if (type == MD_SPAN_IMG) {
		/* The picture gets a block of its own, between the text around it. */
		block_end(b);
		char *src = attr_text(&((MD_SPAN_IMG_DETAIL *)detail)->src);
		struct page_block *blk = block_start(b, PAGE_BLOCK_IMAGE, 0);
		blk->image = (src[0] == '/' || strstr(src, "..") || strstr(src, "://"))
				     ? NULL
				     : path_join(b->base_dir, src);
		if (!blk->image)
			LOG_WARN("image '%s' is not a picture inside the content folder; skipped", src);
		free(src);
		b->in_image = true;
	}
	return 0;
}

static int on_leave_span(MD_SPANTYPE type, void *detail, void *user)
{
	struct builder *b = user;
	if (type == MD_SPAN_EM)
		b->style &= ~(unsigned)PAGE_SPAN_ITALIC;
	else if (type == MD_SPAN_STRONG)
		b->style &= ~(unsigned)PAGE_SPAN_BOLD;
	else if (type == MD_SPAN_CODE)
		b->style &= ~(unsigned)PAGE_SPAN_CODE;
	else if (type == MD_SPAN_IMG) {
		b->in_image = false;
		if (b->cur && b->cur->kind == PAGE_BLOCK_IMAGE && !b->cur->image) {
			block_free(b->cur); /* an unusable picture leaves no trace */
			b->page->n_blocks--;
		}
		b->cur = NULL;
	}
	return 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *user)
{
	struct builder *b = user;
	switch (type) {
	case MD_TEXT_NULLCHAR:
		append_text(b, "\xEF\xBF\xBD", 3);
		break;
	case MD_TEXT_BR:
	case MD_TEXT_SOFTBR:
		append_text(b, " ", 1);
		break;
	case MD_TEXT_ENTITY:
		append_entity(b, text, size);
		break;
	default:
		append_text(b, text, size);
		break;
	}
	return 0;
}

/* The caps of a page's blocks: a paragraph's bytes and a word's characters
 * (a word may run across spans, as in "**Digital**isierung"). */
static enum content_err check_blocks(const struct page *p, const char *name,
				     struct content_error *err)
{
	for (size_t i = 0; i < p->n_blocks; i++) {
		const struct page_block *blk = &p->blocks[i];
		size_t bytes = 0, word = 0;
		for (size_t k = 0; k < blk->n_spans; k++) {
			const char *t = blk->spans[k].text;
			bytes += strlen(t);
			for (const unsigned char *c = (const unsigned char *)t; *c; c++) {
				if (*c == ' ' || *c == '\n' || *c == '\t')
					word = 0;
				else if ((*c & 0xC0) != 0x80 && ++word > CONTENT_CAP_WORD)
					return content_fail(err, CONTENT_ERR_PAGE, "%s: block %zu: a word "
							    "of more than %d characters; break it "
							    "with spaces", name, i + 1,
							    CONTENT_CAP_WORD);
			}
		}
		if (bytes > CONTENT_CAP_PARAGRAPH)
			return content_fail(err, CONTENT_ERR_PAGE, "%s: block %zu: %zu bytes, but a "
					    "paragraph has at most %d; split it", name, i + 1, bytes,
					    CONTENT_CAP_PARAGRAPH);
	}
	return CONTENT_OK;
}

static enum content_err page_error(struct content_error *err, const char *name, const char *why)
{
	snprintf(err->message, sizeof err->message, "%s: %s", name, why);
	return CONTENT_ERR_PAGE;
}

enum content_err page_parse(const char *markdown, size_t len, const char *base_dir,
			    const char *name, struct page **out, struct content_error *err)
{
	*out = NULL;
	if (len > CONTENT_CAP_PAGE)
		return page_error(err, name, "larger than 128 KiB; split it into several topics");
	if (memchr(markdown, '\0', len))
		return page_error(err, name, "contains a NUL byte: it is not a text file");
	if (!utf8_valid(markdown, len)) {
		snprintf(err->message, sizeof err->message, "%s: not valid UTF-8 (save it as UTF-8)",
			 name);
		return CONTENT_ERR_UTF8;
	}
	struct page *p = xcalloc(1, sizeof *p);
	struct builder b = {.page = p, .base_dir = base_dir};
	MD_PARSER parser = {
		.flags = MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_STRIKETHROUGH |
			 MD_FLAG_TABLES,
		.enter_block = on_enter_block,
		.leave_block = on_leave_block,
		.enter_span = on_enter_span,
		.leave_span = on_leave_span,
		.text = on_text,
	};
	/* md4c 0.4.8 (Debian 12) reads the byte after the text in some link
	 * destinations at its end ("![](x/[" as the last bytes): it gets a
	 * NUL-terminated copy, so that byte is ours and ends the text. */
	char *text = xstrndup(markdown, len);
	int rc = md_parse(text, (MD_SIZE)len, &parser, &b);
	free(text);
	block_end(&b);
	if (rc != 0) {
		page_free(p);
		return page_error(err, name, "the Markdown could not be parsed");
	}
	if (p->n_blocks == 0) {
		page_free(p);
		return page_error(err, name, "the page has no text");
	}
	enum content_err e = check_blocks(p, name, err);
	if (e) {
		page_free(p);
		return e;
	}
	*out = p;
	return CONTENT_OK;
}

enum content_err content_page_load(const struct content *c, const struct content_topic *t,
				   const char *lang, struct page **out, struct content_error *err)
{
	*out = NULL;
	const char *tries[2] = {lang, "de"};
	for (int i = 0; i < 2; i++) {
		if (i == 1 && strcmp(lang, "de") == 0)
			break;
		char *rel = xasprintf("%s.%s.md", t->page, tries[i]);
		char *path = path_join(c->dir, rel);
		free(rel);
		char *text;
		size_t len;
		enum content_err read = read_capped(path, CONTENT_CAP_PAGE, &text, &len, err);
		if (read == CONTENT_ERR_MISSING) {
			free(path);
			continue;
		}
		if (read) {
			free(path);
			return read;
		}
		enum content_err e = page_parse(text, len, c->dir, path, out, err);
		free(text);
		free(path);
		if (e)
			return e;
		(*out)->lang = xstrdup(tries[i]);
		(*out)->fell_back = i == 1;
		return CONTENT_OK;
	}
	snprintf(err->message, sizeof err->message, "%s/%s.%s.md: missing (and no German page)",
		 c->dir, t->page, lang);
	return CONTENT_ERR_MISSING;
}

void page_free(struct page *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_blocks; i++)
		block_free(&p->blocks[i]);
	free(p->blocks);
	free(p->lang);
	free(p);
}

char *page_block_text(const struct page_block *b)
{
	size_t len = 0;
	for (size_t i = 0; i < b->n_spans; i++)
		len += strlen(b->spans[i].text);
	char *out = xmalloc(len + 1), *w = out;
	for (size_t i = 0; i < b->n_spans; i++) {
		size_t n = strlen(b->spans[i].text);
		memcpy(w, b->spans[i].text, n);
		w += n;
	}
	*w = '\0';
	return out;
}
