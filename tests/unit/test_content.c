/* Unit tests for content: content.json, interface strings and their German
 * fallback, Markdown pages, and installing the demo content.  Links
 * kiosk_content only (store and core come with it, from below). */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"
#include "test_util.h"

#define FIX KIOSK_FIXTURES "/content"

static char *tmp;

static int group_setup(void **state)
{
	log_init();
	tmp = test_mkdtemp("content");
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmp);
	return 0;
}

static struct content *load_ok(const char *dir)
{
	struct content *c = NULL;
	struct content_error err = {{0}};
	enum content_err e = content_load(dir, &c, &err);
	if (e != CONTENT_OK)
		fail_msg("%s: %s", dir, err.message);
	assert_non_null(c);
	return c;
}

/* ---- content.json ---- */

static void test_load_good(void **state)
{
	struct content *c = load_ok(FIX "/good");
	assert_string_equal(c->dir, FIX "/good");
	assert_int_equal(c->format, 1);
	assert_int_equal(c->version, 7);
	assert_int_equal(c->n_languages, 2);
	assert_string_equal(c->languages[0].code, "de");
	assert_true(c->languages[0].complete);
	assert_string_equal(c->languages[1].code, "en");
	assert_false(c->languages[1].complete);
	assert_true(content_has_language(c, "de"));
	assert_true(content_has_language(c, "en"));
	assert_false(content_has_language(c, "tr"));
	assert_false(content_has_language(NULL, "de"));

	assert_int_equal(c->n_topics, 2);
	assert_string_equal(c->topics[0].id, "einfach");
	assert_string_equal(c->topics[0].page, "pages/einfach");
	assert_int_equal(c->topics[0].minutes, 2);
	assert_int_equal(c->topics[1].minutes, 0); /* not given */
	const struct content_topic *t = content_topic_find(c, "nur-deutsch");
	assert_ptr_equal(t, &c->topics[1]);
	assert_null(content_topic_find(c, "fehlt"));
	assert_null(content_topic_find(NULL, "einfach"));
	content_free(c);
	content_free(NULL);
}

static void test_load_demo_content(void **state)
{
	/* The shipped demo content is valid and has every page in German. */
	struct content *c = load_ok(KIOSK_SEED_DIR);
	assert_true(c->n_topics >= 5);
	assert_true(content_has_language(c, "de"));
	for (size_t i = 0; i < c->n_topics; i++) {
		struct page *p = NULL;
		struct content_error err;
		if (content_page_load(c, &c->topics[i], "de", &p, &err) != CONTENT_OK)
			fail_msg("%s", err.message);
		assert_false(p->fell_back);
		assert_true(p->n_blocks > 1);
		assert_int_equal(p->blocks[0].kind, PAGE_BLOCK_HEADING);
		page_free(p);
	}
	content_free(c);
}

static void test_load_bad_json(void **state)
{
	struct content *c = (struct content *)1;
	struct content_error err = {{0}};
	assert_int_equal(content_load(FIX "/bad-json", &c, &err), CONTENT_ERR_JSON);
	assert_null(c);
	/* The missing comma after "version" shows at the start of line 4. */
	if (!strstr(err.message, FIX "/bad-json/content.json:4:"))
		fail_msg("message '%s' does not name content.json:4:", err.message);
}

static void expect_schema_error(const char *dir, const char *part)
{
	struct content *c = (struct content *)1;
	struct content_error err = {{0}};
	enum content_err e = content_load(dir, &c, &err);
	if (e != CONTENT_ERR_SCHEMA)
		fail_msg("%s: expected a schema error, got %d (%s)", dir, e, err.message);
	assert_null(c);
	if (!strstr(err.message, "content.json") || !strstr(err.message, part))
		fail_msg("%s: message '%s' does not say '%s'", dir, err.message, part);
}

static void test_load_bad_schema(void **state)
{
	expect_schema_error(FIX "/bad-schema/no-format", "format");
	expect_schema_error(FIX "/bad-schema/upper-id", "topics[1].id");
	expect_schema_error(FIX "/bad-schema/dup-topic", "topic zweimal appears twice");
	expect_schema_error(FIX "/bad-schema/no-de", "German (de) is required");
}

static void test_load_missing_and_bad_strings(void **state)
{
	struct content *c = (struct content *)1;
	struct content_error err = {{0}};
	char *nowhere = path_join(tmp, "nowhere");
	assert_int_equal(content_load(nowhere, &c, &err), CONTENT_ERR_MISSING);
	assert_null(c);
	assert_non_null(strstr(err.message, "content.json"));
	free(nowhere);

	/* Bytes that are not UTF-8 in a strings file are refused by name. */
	char *dir = path_join(tmp, "bad-strings");
	free(test_write(dir, "content.json",
			"{\"format\": 1, \"version\": 2, \"languages\": [{\"code\": \"de\"}],"
			" \"topics\": []}",
			0));
	free(test_write(dir, "strings/de.json", "{\"app.title\": \"Gr\xfc\xdf" "e\"}", 0));
	assert_int_equal(content_load(dir, &c, &err), CONTENT_ERR_UTF8);
	assert_null(c);
	assert_non_null(strstr(err.message, "strings/de.json"));

	/* A JSON file that is not an object of texts. */
	free(test_write(dir, "strings/de.json", "{\"app.title\": 12}", 0));
	assert_int_equal(content_load(dir, &c, &err), CONTENT_ERR_SCHEMA);
	assert_non_null(strstr(err.message, "app.title"));

	/* No strings file at all: German built-in words stand in. */
	char *gone = path_join(dir, "strings/de.json");
	assert_int_equal(path_remove_tree(gone), 0);
	free(gone);
	c = load_ok(dir);
	assert_string_equal(content_string(c, "de", "nav.back"), "Zurück");
	content_free(c);
	free(dir);
}

/* ---- Strings and their fallback ---- */

static void test_content_string_fallback(void **state)
{
	struct content *c = load_ok(FIX "/good");
	/* In the language asked. */
	assert_string_equal(content_string(c, "en", "app.title"), "Test Town");
	assert_string_equal(content_string(c, "de", "app.title"), "Testkommune");
	/* Missing in en: the content's German. */
	assert_string_equal(content_string(c, "en", "nav.home"), "Start");
	assert_string_equal(content_string(c, "en", "test.only-de"), "Nur im deutschen Wörterbuch");
	/* A language the content does not have: German. */
	assert_string_equal(content_string(c, "tr", "nav.back"), "Zurück");
	/* Missing everywhere in the content: the built-in German words. */
	assert_string_equal(content_string(c, "en", "soon.title"), "Bald verfügbar");
	assert_string_equal(content_string(c, "de", "oos.title"), "Vorübergehend außer Betrieb");
	/* No content at all: still German words. */
	assert_string_equal(content_string(NULL, "en", "nav.back"), "Zurück");
	assert_string_equal(content_string(NULL, "de", "idle.more-time"), "Ich brauche mehr Zeit");
	/* An unknown key: never the key, never blank. */
	const char *s = content_string(c, "en", "no.such.key");
	assert_non_null(s);
	assert_true(strlen(s) > 0);
	assert_string_not_equal(s, "no.such.key");
	assert_null(strstr(s, "no.such"));
	s = content_string(NULL, "de", "no.such.key");
	assert_true(strlen(s) > 0);
	assert_string_not_equal(s, "no.such.key");
	content_free(c);
}

static void test_i18n_get(void **state)
{
	struct content *c = load_ok(FIX "/good");
	const struct content_topic *t = content_topic_find(c, "einfach");
	bool fell = true;
	assert_string_equal(content_i18n_get(&t->title, "en", &fell), "Simply explained");
	assert_false(fell);
	assert_string_equal(content_i18n_get(&t->title, "de", &fell), "Einfach erklärt");
	assert_false(fell);
	assert_string_equal(content_i18n_get(&t->title, "ar", &fell), "Einfach erklärt");
	assert_true(fell);
	t = content_topic_find(c, "nur-deutsch");
	fell = false;
	assert_string_equal(content_i18n_get(&t->summary, "en", &fell),
			    "Diese Seite gibt es nur auf Deutsch");
	assert_true(fell);
	assert_string_equal(content_i18n_get(&t->title, "en", NULL), "Nur auf Deutsch");
	content_free(c);

	/* No German either: the first there is. */
	char *langs[] = {"en", "tr"};
	char *texts[] = {"first", "second"};
	struct content_i18n x = {.langs = langs, .texts = texts, .n = 2};
	fell = false;
	assert_string_equal(content_i18n_get(&x, "uk", &fell), "first");
	assert_true(fell);
	assert_string_equal(content_i18n_get(&x, "tr", &fell), "second");
	assert_false(fell);
	/* German is the fallback wherever it stands in the list. */
	char *langs2[] = {"en", "de", "tr"};
	char *texts2[] = {"English", "Deutsch", "Türkçe"};
	struct content_i18n y = {.langs = langs2, .texts = texts2, .n = 3};
	fell = false;
	assert_string_equal(content_i18n_get(&y, "uk", &fell), "Deutsch");
	assert_true(fell);
}

/* ---- Pages ---- */

static const char page_md[] =
	"# Titel eins\n"
	"\n"
	"Erster Absatz mit **fett** und *kursiv* und ***beides***.\n"
	"\n"
	"## Unterkapitel\n"
	"\n"
	"- Punkt eins\n"
	"- Punkt zwei\n"
	"  - tiefer\n"
	"- Punkt drei\n"
	"\n"
	"3. drei\n"
	"4. vier\n"
	"\n"
	"### Klein\n"
	"\n"
	"Ein [Link zur Stadt](https://example.org/rathaus) im Text.\n"
	"\n"
	"![Das Rathaus](bilder/rathaus.png)\n"
	"\n"
	"![Geheim](../geheim.png)\n"
	"\n"
	"<b>kein html</b> und <script>alert(1)</script>\n"
	"\n"
	"> Ein Zitat\n"
	"\n"
	"---\n"
	"\n"
	"Zeichen: &amp; &#228; &#x20AC;\n";

static char *block_text(const struct page *p, size_t i)
{
	assert_true(i < p->n_blocks);
	return page_block_text(&p->blocks[i]);
}

static void assert_block(const struct page *p, size_t i, enum page_block_kind kind, int level,
			 int number, const char *text)
{
	if (i >= p->n_blocks)
		fail_msg("block %zu missing (%zu blocks)", i, p->n_blocks);
	const struct page_block *b = &p->blocks[i];
	char *t = block_text(p, i);
	if (b->kind != kind || b->level != level || b->number != number || strcmp(t, text) != 0)
		fail_msg("block %zu: kind %d level %d number %d '%s'; expected kind %d level %d "
			 "number %d '%s'",
			 i, b->kind, b->level, b->number, t, kind, level, number, text);
	free(t);
}

static void test_page_parse_blocks(void **state)
{
	struct page *p = NULL;
	struct content_error err = {{0}};
	assert_int_equal(page_parse(page_md, strlen(page_md), "/srv/content", "test.md", &p, &err),
			 CONTENT_OK);
	assert_non_null(p);

	assert_block(p, 0, PAGE_BLOCK_HEADING, 1, 0, "Titel eins");
	assert_block(p, 1, PAGE_BLOCK_PARAGRAPH, 0, 0,
		     "Erster Absatz mit fett und kursiv und beides.");
	assert_block(p, 2, PAGE_BLOCK_HEADING, 2, 0, "Unterkapitel");
	assert_block(p, 3, PAGE_BLOCK_LIST_ITEM, 1, 0, "Punkt eins");
	assert_block(p, 4, PAGE_BLOCK_LIST_ITEM, 1, 0, "Punkt zwei");
	assert_block(p, 5, PAGE_BLOCK_LIST_ITEM, 2, 0, "tiefer");
	assert_block(p, 6, PAGE_BLOCK_LIST_ITEM, 1, 0, "Punkt drei");
	assert_block(p, 7, PAGE_BLOCK_LIST_ITEM, 1, 3, "drei");
	assert_block(p, 8, PAGE_BLOCK_LIST_ITEM, 1, 4, "vier");
	assert_block(p, 9, PAGE_BLOCK_HEADING, 3, 0, "Klein");
	/* A link is shown as its text; the address is not on the screen. */
	assert_block(p, 10, PAGE_BLOCK_PARAGRAPH, 0, 0, "Ein Link zur Stadt im Text.");
	/* A picture inside the content folder, with its alt text. */
	assert_block(p, 11, PAGE_BLOCK_IMAGE, 0, 0, "Das Rathaus");
	assert_non_null(p->blocks[11].image);
	assert_string_equal(p->blocks[11].image, "/srv/content/bilder/rathaus.png");
	/* "../geheim.png" leaves the folder: dropped, so raw HTML comes next,
	 * shown as the text it is. */
	assert_block(p, 12, PAGE_BLOCK_PARAGRAPH, 0, 0,
		     "<b>kein html</b> und <script>alert(1)</script>");
	assert_block(p, 13, PAGE_BLOCK_QUOTE, 0, 0, "Ein Zitat");
	assert_int_equal(p->blocks[14].kind, PAGE_BLOCK_RULE);
	assert_block(p, 15, PAGE_BLOCK_PARAGRAPH, 0, 0, "Zeichen: & ä €");
	assert_int_equal(p->n_blocks, 16);

	for (size_t i = 0; i < p->n_blocks; i++) {
		if (p->blocks[i].kind != PAGE_BLOCK_IMAGE)
			assert_null(p->blocks[i].image);
		for (size_t k = 0; k < p->blocks[i].n_spans; k++) {
			const char *t = p->blocks[i].spans[k].text;
			assert_true(t && *t); /* never an empty span */
			assert_null(strstr(t, "geheim"));
			assert_null(strstr(t, "example.org"));
		}
	}
	page_free(p);
	page_free(NULL);
}

static void test_page_parse_spans(void **state)
{
	struct page *p = NULL;
	struct content_error err;
	const char *md = "Erster Absatz mit **fett** und *kursiv* und ***beides*** und `code`.\n";
	assert_int_equal(page_parse(md, strlen(md), "/c", "spans.md", &p, &err), CONTENT_OK);
	assert_int_equal(p->n_blocks, 1);
	const struct page_block *b = &p->blocks[0];
	static const struct {
		const char *text;
		unsigned style;
	} want[] = {
		{"Erster Absatz mit ", 0},
		{"fett", PAGE_SPAN_BOLD},
		{" und ", 0},
		{"kursiv", PAGE_SPAN_ITALIC},
		{" und ", 0},
		{"beides", PAGE_SPAN_BOLD | PAGE_SPAN_ITALIC},
		{" und ", 0},
		{"code", PAGE_SPAN_CODE},
		{".", 0},
	};
	assert_int_equal(b->n_spans, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < b->n_spans; i++) {
		assert_string_equal(b->spans[i].text, want[i].text);
		if (b->spans[i].style != want[i].style)
			fail_msg("span %zu '%s': style %u, expected %u", i, b->spans[i].text,
				 b->spans[i].style, want[i].style);
	}
	page_free(p);

	/* An HTML block is text as well, not markup. */
	md = "<div class=\"x\">\nHallo <i>du</i>\n</div>\n";
	assert_int_equal(page_parse(md, strlen(md), "/c", "html.md", &p, &err), CONTENT_OK);
	assert_int_equal(p->n_blocks, 1);
	assert_int_equal(p->blocks[0].kind, PAGE_BLOCK_PARAGRAPH);
	char *text = page_block_text(&p->blocks[0]);
	assert_string_equal(text, "<div class=\"x\"> Hallo <i>du</i> </div>");
	free(text);
	page_free(p);

	/* A bold list item keeps its style bits and its depth. */
	md = "1. **Wichtig:** lesen\n   - *leise*\n";
	assert_int_equal(page_parse(md, strlen(md), "/c", "list.md", &p, &err), CONTENT_OK);
	assert_int_equal(p->n_blocks, 2);
	assert_int_equal(p->blocks[0].kind, PAGE_BLOCK_LIST_ITEM);
	assert_int_equal(p->blocks[0].number, 1);
	assert_int_equal(p->blocks[0].spans[0].style, PAGE_SPAN_BOLD);
	assert_string_equal(p->blocks[0].spans[0].text, "Wichtig:");
	assert_string_equal(p->blocks[0].spans[1].text, " lesen");
	assert_int_equal(p->blocks[0].spans[1].style, 0);
	assert_int_equal(p->blocks[1].level, 2);
	assert_int_equal(p->blocks[1].number, 0);
	assert_int_equal(p->blocks[1].spans[0].style, PAGE_SPAN_ITALIC);
	page_free(p);
}

static void test_page_parse_refuses(void **state)
{
	struct page *p = (struct page *)1;
	struct content_error err = {{0}};
	/* A NUL byte: not a text file. */
	assert_int_equal(page_parse("# A\0B\n", 6, "/c", "nul.de.md", &p, &err), CONTENT_ERR_PAGE);
	assert_null(p);
	assert_non_null(strstr(err.message, "nul.de.md"));
	assert_non_null(strstr(err.message, "NUL"));
	/* Invalid UTF-8 (Latin-1), named in the message. */
	const char *latin1 = "# Gr\xfc\xdf" "e\n";
	p = (struct page *)1;
	assert_int_equal(page_parse(latin1, strlen(latin1), "/c", "latin1.de.md", &p, &err),
			 CONTENT_ERR_UTF8);
	assert_null(p);
	assert_non_null(strstr(err.message, "latin1.de.md"));
	assert_non_null(strstr(err.message, "UTF-8"));
	/* Empty, or nothing but blanks. */
	p = (struct page *)1;
	assert_int_equal(page_parse("", 0, "/c", "empty.de.md", &p, &err), CONTENT_ERR_PAGE);
	assert_null(p);
	assert_non_null(strstr(err.message, "empty.de.md"));
	assert_int_equal(page_parse(" \n\n\t\n", 5, "/c", "blank.de.md", &p, &err),
			 CONTENT_ERR_PAGE);
	assert_null(p);
	/* Too big to be a page. */
	size_t big = 1024 * 1024 + 1;
	char *huge = xmalloc(big);
	memset(huge, 'a', big);
	assert_int_equal(page_parse(huge, big, "/c", "huge.de.md", &p, &err), CONTENT_ERR_PAGE);
	assert_null(p);
	free(huge);
}

static void test_page_load_fallback(void **state)
{
	struct content *c = load_ok(FIX "/good");
	struct page *p = NULL;
	struct content_error err = {{0}};
	const struct content_topic *t = content_topic_find(c, "einfach");

	assert_int_equal(content_page_load(c, t, "en", &p, &err), CONTENT_OK);
	assert_string_equal(p->lang, "en");
	assert_false(p->fell_back);
	char *s = block_text(p, 0);
	assert_string_equal(s, "Simply explained");
	free(s);
	page_free(p);

	assert_int_equal(content_page_load(c, t, "de", &p, &err), CONTENT_OK);
	assert_string_equal(p->lang, "de");
	assert_false(p->fell_back);
	s = block_text(p, 0);
	assert_string_equal(s, "Einfach erklärt");
	free(s);
	page_free(p);

	/* Only in German: German, marked as a fallback. */
	t = content_topic_find(c, "nur-deutsch");
	assert_int_equal(content_page_load(c, t, "en", &p, &err), CONTENT_OK);
	assert_string_equal(p->lang, "de");
	assert_true(p->fell_back);
	s = block_text(p, 0);
	assert_string_equal(s, "Nur auf Deutsch");
	free(s);
	page_free(p);
	assert_int_equal(content_page_load(c, t, "de", &p, &err), CONTENT_OK);
	assert_false(p->fell_back);
	page_free(p);

	/* No page in any language. */
	struct content_topic missing = {.id = "fehlt", .page = "pages/fehlt"};
	p = (struct page *)1;
	assert_int_equal(content_page_load(c, &missing, "en", &p, &err), CONTENT_ERR_MISSING);
	assert_null(p);
	assert_non_null(strstr(err.message, "pages/fehlt"));
	content_free(c);
}

static void test_page_load_bad_pages(void **state)
{
	struct content *c = load_ok(FIX "/bad-utf8");
	struct page *p = (struct page *)1;
	struct content_error err = {{0}};
	assert_int_equal(content_page_load(c, &c->topics[0], "de", &p, &err), CONTENT_ERR_UTF8);
	assert_null(p);
	assert_non_null(strstr(err.message, "latin1.de.md"));
	content_free(c);

	c = load_ok(FIX "/empty-page");
	p = (struct page *)1;
	assert_int_equal(content_page_load(c, &c->topics[0], "en", &p, &err), CONTENT_ERR_PAGE);
	assert_null(p);
	assert_non_null(strstr(err.message, "leer.de.md"));
	content_free(c);
}


/* ---- The capped reader: files above their cap are refused unparsed ---- */

/* A copy of the good fixture in a fresh folder; caller frees (and removes). */
static char *copy_of_good(void)
{
	char *dir = test_mkdtemp("capped");
	char *content = path_join(dir, "c");
	assert_int_equal(path_copy_tree(FIX "/good", content), 0);
	free(dir);
	return content;
}

/* Writes n bytes of filler (valid JSON / Markdown would not matter: it is
 * never parsed) to dir/name. */
static void write_big(const char *dir, const char *name, size_t n)
{
	char *big = xmalloc(n + 1);
	memset(big, ' ', n);
	big[0] = '{';
	big[n] = '\0';
	free(test_write(dir, name, big, n));
	free(big);
}

static void test_capped_files_refused(void **state)
{
	struct content_error err = {{0}};
	struct content *c = NULL;

	/* content.json just above its cap */
	char *dir = copy_of_good();
	write_big(dir, "content.json", CONTENT_CAP_INDEX + 1);
	assert_int_equal(content_load(dir, &c, &err), CONTENT_ERR_IO);
	assert_null(c);
	assert_non_null(strstr(err.message, "content.json: larger than the 1024 KiB"));
	assert_non_null(strstr(err.message, "refused before reading it"));
	char *parent = path_dirname(dir);
	test_rmtree(parent);
	free(dir);

	/* a strings file: the whole content is refused, naming the file */
	dir = copy_of_good();
	write_big(dir, "strings/en.json", CONTENT_CAP_STRINGS + 1);
	assert_int_not_equal(content_load(dir, &c, &err), CONTENT_OK);
	assert_null(c);
	assert_non_null(strstr(err.message, "en.json: larger than the 256 KiB"));
	parent = path_dirname(dir);
	test_rmtree(parent);
	free(dir);

	/* a page: the content loads, the page is refused when it is opened */
	dir = copy_of_good();
	c = load_ok(dir);
	char *rel = xasprintf("%s.de.md", c->topics[0].page);
	write_big(dir, rel, CONTENT_CAP_PAGE + 1);
	struct page *p = (struct page *)1;
	assert_int_equal(content_page_load(c, &c->topics[0], "de", &p, &err), CONTENT_ERR_IO);
	assert_null(p);
	assert_non_null(strstr(err.message, "larger than the 128 KiB"));
	/* exactly at the cap it is read (and then judged as a page) */
	write_big(dir, rel, CONTENT_CAP_PAGE);
	enum content_err e = content_page_load(c, &c->topics[0], "de", &p, &err);
	assert_true(e == CONTENT_OK || strstr(err.message, "larger than") == NULL);
	page_free(p);
	free(rel);
	content_free(c);
	parent = path_dirname(dir);
	test_rmtree(parent);
	free(dir);
}

/* Not a file: a folder or a FIFO where a page should be is refused at
 * once, with words for it (a FIFO would otherwise block the screen). */
static void test_capped_not_a_file(void **state)
{
	char *dir = copy_of_good();
	struct content *c = load_ok(dir);
	char *page = xasprintf("%s/%s.de.md", dir, c->topics[0].page);
	assert_int_equal(unlink(page), 0);
	assert_int_equal(mkfifo(page, 0644), 0);
	struct page *p = (struct page *)1;
	struct content_error err = {{0}};
	assert_int_equal(content_page_load(c, &c->topics[0], "de", &p, &err), CONTENT_ERR_IO);
	assert_non_null(strstr(err.message, "not a regular file"));
	assert_int_equal(unlink(page), 0);
	assert_int_equal(mkdir(page, 0755), 0);
	assert_int_equal(content_page_load(c, &c->topics[0], "de", &p, &err), CONTENT_ERR_IO);
	assert_non_null(strstr(err.message, "a folder, not a file"));
	free(page);
	content_free(c);
	char *parent = path_dirname(dir);
	test_rmtree(parent);
	free(dir);
}


/* ---- Names are names: codes and ids never become paths ---- */

/* The good fixture with one text of its content.json replaced; loads it
 * and returns the error (the message in err). */
static enum content_err load_edited(const char *from, const char *to, struct content_error *err)
{
	char *dir = copy_of_good();
	char *index = path_join(dir, "content.json");
	char *text = test_slurp(index, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, from));
	char *edited = str_replace_var(text, from, to);
	free(test_write(dir, "content.json", edited, 0));
	struct content *c = NULL;
	enum content_err e = content_load(dir, &c, err);
	content_free(c);
	free(edited);
	free(text);
	free(index);
	char *parent = path_dirname(dir);
	test_rmtree(parent);
	free(dir);
	return e;
}

static void test_names_are_names(void **state)
{
	struct content_error err = {{0}};
	assert_int_equal(load_edited("{\"code\": \"en\"", "{\"code\": \"../../x\"", &err),
			 CONTENT_ERR_SCHEMA);
	assert_non_null(strstr(err.message, "languages[1].code: expected a language code"));
	assert_int_equal(load_edited("{\"code\": \"en\"", "{\"code\": \"EN\"", &err),
			 CONTENT_ERR_SCHEMA);
	assert_int_equal(load_edited("{\"code\": \"en\"", "{\"code\": \"en-\"", &err),
			 CONTENT_ERR_SCHEMA);
	assert_int_equal(load_edited("{\"code\": \"en\"", "{\"code\": \"en-toolongsubtag\"",
				     &err), CONTENT_ERR_SCHEMA);
	/* a language key of a text, as subtitles and pages use them */
	assert_int_equal(load_edited("\"en\": \"Simply explained\"",
				     "\"../en\": \"Simply explained\"", &err), CONTENT_ERR_SCHEMA);
	assert_non_null(strstr(err.message, "'../en' is no language code"));
	/* ids: the pattern and the length (a widget id must hold two of them) */
	assert_int_equal(load_edited("\"id\": \"einfach\"", "\"id\": \"../einfach\"", &err),
			 CONTENT_ERR_SCHEMA);
	assert_int_equal(load_edited("\"id\": \"einfach\"",
				     "\"id\": \"einfach-aber-viel-zu-lang-1\"", &err),
			 CONTENT_ERR_SCHEMA);
	assert_int_equal(load_edited("\"id\": \"einfach\"",
				     "\"id\": \"einfach-und-gerade-so-lan\"", &err),
			 CONTENT_ERR_SCHEMA); /* 25 */
	assert_int_equal(load_edited("\"id\": \"einfach\"",
				     "\"id\": \"einfach-und-gerade-so-la\"", &err),
			 CONTENT_OK); /* 24 */
	assert_int_equal(load_edited("{\"code\": \"en\"", "{\"code\": \"de-x-ls\"", &err),
			 CONTENT_OK);
}

/* A version near 2^63 would stay for ever: more than a year ahead of the
 * clock is refused; a bundle made now (its creation time) is fine. */
static void test_version_far_ahead(void **state)
{
	struct content_error err = {{0}};
	assert_int_equal(load_edited("\"version\": 7", "\"version\": 9223372036854775000", &err),
			 CONTENT_ERR_SCHEMA);
	assert_non_null(strstr(err.message, "more than a year ahead"));
	char *soon = xasprintf("\"version\": %lld", (long long)clock_wall_s() + 30 * 86400);
	char *late = xasprintf("\"version\": %lld", (long long)clock_wall_s() + 400 * 86400);
	assert_int_equal(load_edited("\"version\": 7", soon, &err), CONTENT_OK);
	assert_int_equal(load_edited("\"version\": 7", late, &err), CONTENT_ERR_SCHEMA);
	free(soon);
	free(late);
}

/* ---- Installing the demo content ---- */

/* A survey whose questions changed under the same version is refused: the
 * answers kept with the old questions would export under the new ones. */
static void test_install_refuses_changed_survey(void **state)
{
	char *tmpdir = test_mkdtemp("survey-kept");
	char *data = path_join(tmpdir, "var");
	char *db = path_join(data, "kiosk.sqlite3");
	char *media = path_join(KIOSK_SOURCE_DIR, "media");
	struct store *s = NULL;
	assert_int_equal(store_open(db, STORE_OPEN_RECOVER, &s), STORE_OK);
	struct content_error err = {{0}};
	char *dir = NULL;
	assert_int_equal(content_install_seed(s, data, KIOSK_SEED_DIR, media, &dir, &err), CONTENT_OK);
	struct content *c = load_ok(dir);
	assert_int_equal(store_survey_put(s, c->survey->id, c->survey->version, c->survey_json),
			 STORE_OK); /* as the kiosk keeps it */
	int64_t v1 = c->version;
	content_free(c);
	free(dir);

	/* Newer content, same survey version, one question reworded. */
	char *src = path_join(tmpdir, "src");
	assert_int_equal(path_copy_tree(KIOSK_SEED_DIR, src), 0);
	char *index = path_join(src, "content.json"), *survey = path_join(src, "survey.json");
	char *text = test_slurp(index, NULL);
	char *was = xasprintf("\"version\": %lld,", (long long)v1);
	char *now = xasprintf("\"version\": %lld,", (long long)v1 + 1);
	char *bumped = str_replace_var(text, was, now);
	free(test_write(src, "content.json", bumped, 0));
	char *stext = test_slurp(survey, NULL);
	struct content *demo = load_ok(KIOSK_SEED_DIR);
	const char *q = content_i18n_get(&demo->survey->questions[0].text, "de", NULL);
	assert_non_null(strstr(stext, q));
	char *reworded = str_replace_var(stext, q, "Hat Ihnen das gar nicht geholfen?");
	free(test_write(src, "survey.json", reworded, 0));
	assert_int_equal(content_install_dir(s, data, src, media, &dir, &err), CONTENT_ERR_SCHEMA);
	assert_null(dir);
	assert_non_null(strstr(err.message, "raise its version"));
	int64_t in_use = 0;
	assert_int_equal(store_content_version(s, &in_use), STORE_OK);
	assert_int_equal(in_use, v1); /* the content in use stays */

	/* The same text again (only the content version raised) installs. */
	free(test_write(src, "survey.json", stext, 0));
	assert_int_equal(content_install_dir(s, data, src, media, &dir, &err), CONTENT_OK);
	free(dir);
	assert_int_equal(store_content_version(s, &in_use), STORE_OK);
	assert_int_equal(in_use, v1 + 1);

	content_free(demo);
	free(reworded);
	free(stext);
	free(bumped);
	free(now);
	free(was);
	free(text);
	free(survey);
	free(index);
	free(src);
	store_close(s);
	free(media);
	free(db);
	free(data);
	test_rmtree(tmpdir);
}


/* Entries of dir but the lock file that DATA/content keeps for imports. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, ".lock"))
			n++;
	closedir(d);
	return n;
}

static void assert_same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *da = test_slurp(a, &la), *db = test_slurp(b, &lb);
	if (!da || !db)
		fail_msg("cannot read %s or %s", a, b);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	free(da);
	free(db);
}

static void test_install_seed(void **state)
{
	char *data = path_join(tmp, "install/data");
	char *db = path_join(data, "kiosk.sqlite3");
	struct store *s = NULL;
	assert_int_equal(store_open(db, STORE_OPEN_RECOVER, &s), STORE_OK);
	struct content *seed = load_ok(KIOSK_SEED_DIR);
	int64_t seed_version = seed->version;
	size_t seed_topics = seed->n_topics;
	content_free(seed);

	char *dir = NULL;
	struct content_error err = {{0}};
	enum content_err e = content_install_seed(s, data, KIOSK_SEED_DIR, KIOSK_FIXTURES "/media",
						  &dir, &err);
	if (e != CONTENT_OK)
		fail_msg("%s", err.message);
	char *want = content_version_dir(data, seed_version);
	assert_string_equal(dir, want);
	assert_true(path_is_dir(dir));
	int64_t v = 0;
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_true(v == seed_version);

	/* content.json, pages, strings and media, copied byte for byte. */
	char *p = path_join(dir, "content.json"), *q = path_join(KIOSK_SEED_DIR, "content.json");
	assert_same_file(p, q);
	free(p);
	free(q);
	p = path_join(dir, "pages/projekt.de.md");
	q = path_join(KIOSK_SEED_DIR, "pages/projekt.de.md");
	assert_same_file(p, q);
	free(p);
	free(q);
	p = path_join(dir, "media");
	assert_true(path_is_dir(p));
	free(p);
	p = path_join(dir, "media/demo.jpg");
	assert_same_file(p, KIOSK_FIXTURES "/media/demo.jpg");
	free(p);
	/* Nothing but the version under DATA/content: no staging folder left. */
	char *root = path_join(data, "content");
	assert_int_equal(count_entries(root), 1);
	/* The installed copy is valid content of its own. */
	struct content *c = load_ok(dir);
	assert_int_equal(c->n_topics, seed_topics);
	content_free(c);

	/* A second call is a no-op: the same folder, not copied again. */
	free(test_write(dir, "marker", "still here", 0));
	char *dir2 = NULL;
	assert_int_equal(content_install_seed(s, data, KIOSK_SEED_DIR, KIOSK_FIXTURES "/media",
					      &dir2, &err),
			 CONTENT_OK);
	assert_string_equal(dir2, dir);
	p = path_join(dir, "marker");
	assert_true(path_exists(p));
	free(p);
	free(dir2);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_true(v == seed_version);

	/* Folders that no version names are removed: a stray version and the
	 * staging folder of an interrupted install. */
	char *stray = path_join(root, "999"), *staging = path_join(root, "7.staging-1");
	free(test_write(stray, "content.json", "{}", 0));
	free(test_write(staging, "pages/x.de.md", "# x\n", 0));
	assert_int_equal(content_install_seed(s, data, KIOSK_SEED_DIR, KIOSK_FIXTURES "/media",
					      &dir2, &err),
			 CONTENT_OK);
	assert_string_equal(dir2, dir);
	free(dir2);
	assert_false(path_exists(stray));
	assert_false(path_exists(staging));
	assert_true(path_is_dir(dir));
	assert_int_equal(count_entries(root), 1);

	/* The folder named by the database is gone: installed again. */
	assert_int_equal(path_remove_tree(dir), 0);
	assert_int_equal(content_install_seed(s, data, KIOSK_SEED_DIR, KIOSK_FIXTURES "/media",
					      &dir2, &err),
			 CONTENT_OK);
	assert_string_equal(dir2, dir);
	p = path_join(dir, "content.json");
	assert_true(path_exists(p));
	free(p);
	free(dir2);

	store_close(s);

	/* The database was renewed (recovered from damage) while the complete
	 * version folder stayed: it is named again, not copied over. */
	free(test_write(dir, "marker", "kept", 0));
	char *db2 = path_join(data, "renewed.sqlite3");
	assert_int_equal(store_open(db2, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_int_equal(v, 0);
	e = content_install_seed(s, data, KIOSK_SEED_DIR, KIOSK_FIXTURES "/media", &dir2, &err);
	if (e != CONTENT_OK)
		fail_msg("%s", err.message);
	assert_string_equal(dir2, dir);
	free(dir2);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_true(v == seed_version);
	p = path_join(dir, "marker");
	assert_true(path_exists(p));
	free(p);
	assert_int_equal(count_entries(root), 1);
	store_close(s);
	free(db2);
	free(stray);
	free(staging);
	free(root);
	free(want);
	free(dir);
	free(db);
	free(data);
}

static void test_install_bad_seed(void **state)
{
	char *data = path_join(tmp, "install-bad/data");
	char *db = path_join(data, "kiosk.sqlite3");
	struct store *s = NULL;
	assert_int_equal(store_open(db, STORE_OPEN_RECOVER, &s), STORE_OK);
	char *dir = (char *)1;
	struct content_error err = {{0}};
	assert_int_equal(content_install_seed(s, data, FIX "/bad-json", KIOSK_FIXTURES "/media",
					      &dir, &err),
			 CONTENT_ERR_JSON);
	assert_null(dir);
	assert_non_null(strstr(err.message, "content.json:4:"));
	int64_t v = -1;
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_int_equal(v, 0);
	/* Nothing installed: no content folder, no version folder. */
	char *root = path_join(data, "content");
	assert_true(count_entries(root) <= 0);
	free(root);

	/* A seed folder that is not there at all. */
	char *nowhere = path_join(tmp, "no-seed");
	assert_int_equal(content_install_seed(s, data, nowhere, KIOSK_FIXTURES "/media", &dir,
					      &err),
			 CONTENT_ERR_MISSING);
	assert_null(dir);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_int_equal(v, 0);
	free(nowhere);
	store_close(s);
	free(db);
	free(data);
}

static void test_strerror(void **state)
{
	for (int e = CONTENT_OK; e <= CONTENT_ERR_STORE; e++) {
		const char *m = content_strerror((enum content_err)e);
		assert_true(m && strlen(m) > 1);
		assert_string_not_equal(m, "unknown error");
	}
	char *d = content_version_dir("/var/kiosk", 42);
	assert_string_equal(d, "/var/kiosk/content/42");
	free(d);
}

/* ---- Survey definitions ---- */

static enum content_err parse_survey(const char *json, struct content_error *err,
				     struct survey **out)
{
	char **langs = strv_split_spaces("de en");
	enum content_err e = survey_parse(json, strlen(json), "survey.json", langs, out, err);
	strv_free(langs);
	return e;
}

#define Q_SCALE "{\"id\":\"helped\",\"type\":\"scale5\",\"text\":{\"de\":\"Geholfen?\",\"en\":\"Helped?\"}," \
	"\"options\":[{\"id\":\"1\",\"text\":{\"de\":\"a\",\"en\":\"a\"}},{\"id\":\"2\",\"text\":{\"de\":\"b\",\"en\":\"b\"}}," \
	"{\"id\":\"3\",\"text\":{\"de\":\"c\",\"en\":\"c\"}},{\"id\":\"4\",\"text\":{\"de\":\"d\",\"en\":\"d\"}}," \
	"{\"id\":\"5\",\"text\":{\"de\":\"e\",\"en\":\"e\"}}]}"

static void test_survey_parse_good(void **state)
{
	(void)state;
	struct content_error err;
	struct survey *sv = NULL;
	const char *json = "{\"format\":1,\"id\":\"fb\",\"version\":3,\"questions\":[" Q_SCALE ","
			   "{\"id\":\"why\",\"type\":\"multi\",\"required\":true,\"text\":{\"de\":\"Warum?\",\"en\":\"Why?\"},"
			   "\"options\":[{\"id\":\"x\",\"text\":{\"de\":\"X\",\"en\":\"X\"}},{\"id\":\"y\",\"text\":{\"de\":\"Y\",\"en\":\"Y\"}}]},"
			   "{\"id\":\"say\",\"type\":\"text\",\"max_length\":80,\"text\":{\"de\":\"Noch was?\",\"en\":\"More?\"},"
			   "\"note\":{\"de\":\"Keine Namen\",\"en\":\"No names\"}}]}";
	assert_int_equal(parse_survey(json, &err, &sv), CONTENT_OK);
	assert_string_equal(sv->id, "fb");
	assert_int_equal(sv->version, 3);
	assert_int_equal(sv->n_questions, 3);
	assert_int_equal(sv->questions[0].type, SURVEY_SCALE5);
	assert_int_equal(sv->questions[0].n_options, 5);
	assert_int_equal(sv->questions[1].type, SURVEY_MULTI);
	assert_true(sv->questions[1].required);
	assert_int_equal(sv->questions[2].max_length, 80);
	assert_string_equal(content_i18n_get(&sv->questions[2].note, "en", NULL), "No names");
	assert_non_null(survey_option_find(survey_question_find(sv, "why"), "y"));
	assert_null(survey_question_find(sv, "nope"));
	survey_free(sv);
}

static void expect_survey_error(const char *json, const char *needle)
{
	struct content_error err;
	struct survey *sv = (struct survey *)1;
	assert_int_not_equal(parse_survey(json, &err, &sv), CONTENT_OK);
	assert_null(sv);
	if (!strstr(err.message, needle))
		fail_msg("error '%s' lacks '%s'", err.message, needle);
	assert_non_null(strstr(err.message, "survey.json"));
}

static void test_survey_parse_refusals(void **state)
{
	(void)state;
	/* A question without its English text names the question and language. */
	expect_survey_error("{\"format\":1,\"id\":\"fb\",\"version\":1,\"questions\":[{\"id\":\"q1\","
			    "\"type\":\"yesno\",\"text\":{\"de\":\"Ja?\"},\"options\":[{\"id\":\"yes\","
			    "\"text\":{\"de\":\"Ja\",\"en\":\"Yes\"}},{\"id\":\"no\",\"text\":{\"de\":\"Nein\","
			    "\"en\":\"No\"}}]}]}", "question q1: text: no text in 'en'");
	/* A scale needs five faces. */
	expect_survey_error("{\"format\":1,\"id\":\"fb\",\"version\":1,\"questions\":[{\"id\":\"s\","
			    "\"type\":\"scale5\",\"text\":{\"de\":\"a\",\"en\":\"a\"},\"options\":[{\"id\":\"1\","
			    "\"text\":{\"de\":\"a\",\"en\":\"a\"}},{\"id\":\"2\",\"text\":{\"de\":\"b\",\"en\":\"b\"}}]}]}",
			    "question s: a scale5 question has exactly 5 options");
	/* Free text always warns about personal data. */
	expect_survey_error("{\"format\":1,\"id\":\"fb\",\"version\":1,\"questions\":[{\"id\":\"t\","
			    "\"type\":\"text\",\"text\":{\"de\":\"a\",\"en\":\"a\"}}]}",
			    "question t: a text question needs a note");
	expect_survey_error("{\"format\":1,\"id\":\"fb\",\"version\":1,\"questions\":[" Q_SCALE "," Q_SCALE "]}",
			    "question helped appears twice");
	expect_survey_error("{\"format\":1,\"id\":\"fb\",\"version\":1,\"questions\":[{\"id\":\"q\","
			    "\"type\":\"slider\",\"text\":{\"de\":\"a\",\"en\":\"a\"}}]}", "question q: type");
	expect_survey_error("{\"format\":1,\"id\":\"Feedback\",\"version\":1,\"questions\":[]}", "id:");
	expect_survey_error("{\"format\":1,\"id\":\"fb\",\"version\":1,\"questions\":[]}", "questions:");
	expect_survey_error("{\"format\":1,\"id\":\"fb\",\n\"version\":1,,}", "survey.json:2:");
	expect_survey_error("{\"format\":1,\"id\":\"fb\xff\",\"version\":1}", "not valid UTF-8");
}

static void test_demo_survey(void **state)
{
	(void)state;
	struct content *c = NULL;
	struct content_error err;
	assert_int_equal(content_load(KIOSK_SEED_DIR, &c, &err), CONTENT_OK);
	assert_non_null(c->survey);
	assert_true(c->survey->n_questions >= 3 && c->survey->n_questions <= 6);
	assert_non_null(c->survey_json);
	/* Its topic question offers exactly the guidance topics. */
	const struct survey_question *q = survey_question_find(c->survey, "topic");
	assert_non_null(q);
	assert_int_equal(q->n_options, c->n_topics);
	for (size_t i = 0; i < c->n_topics; i++)
		assert_non_null(survey_option_find(q, c->topics[i].id));
	content_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_demo_content),
		cmocka_unit_test(test_load_bad_json),
		cmocka_unit_test(test_load_bad_schema),
		cmocka_unit_test(test_load_missing_and_bad_strings),
		cmocka_unit_test(test_content_string_fallback),
		cmocka_unit_test(test_i18n_get),
		cmocka_unit_test(test_page_parse_blocks),
		cmocka_unit_test(test_page_parse_spans),
		cmocka_unit_test(test_page_parse_refuses),
		cmocka_unit_test(test_page_load_fallback),
		cmocka_unit_test(test_page_load_bad_pages),
		cmocka_unit_test(test_capped_files_refused),
		cmocka_unit_test(test_capped_not_a_file),
		cmocka_unit_test(test_names_are_names),
		cmocka_unit_test(test_version_far_ahead),
		cmocka_unit_test(test_install_seed),
		cmocka_unit_test(test_install_refuses_changed_survey),
		cmocka_unit_test(test_install_bad_seed),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_survey_parse_good),
		cmocka_unit_test(test_survey_parse_refusals),
		cmocka_unit_test(test_demo_survey),
	};
	return cmocka_run_group_tests_name("content", tests, group_setup, group_teardown);
}
