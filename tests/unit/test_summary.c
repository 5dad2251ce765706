/* Unit tests for the summary page (summary.c) and the export filters: the
 * counts the page carries (data-row / data-count) against the responses
 * inserted through the store's own API, the min_cell rule in every
 * breakdown (4 answers read "weniger als 5", 5 read 5), the guard beside a
 * single small count, the mean hidden over fewer than min_cell answers and
 * where it would give hidden counts away, typed texts only on request,
 * --since/--until/--survey, a page that fetches and runs nothing.  Links
 * kiosk_export only. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/core.h"
#include "kiosk/export.h"
#include "kiosk/store.h"
#include "test_util.h"

/* 2026-11-25T09:00:00Z, a Wednesday of ISO week 48 */
#define H0 INT64_C(1795597200)
#define DAY INT64_C(86400)
#define WEEK (7 * DAY)

static const char survey_fb[] =
	"{\"format\": 1, \"id\": \"fb\", \"version\": 1, \"questions\": ["
	"{\"id\": \"helped\", \"type\": \"scale5\", \"text\": {\"de\": \"Hat es geholfen?\"}, "
	"\"options\": [{\"id\": \"1\", \"text\": {\"de\": \"Gar nicht\"}}, "
	"{\"id\": \"2\", \"text\": {\"de\": \"Wenig\"}}, {\"id\": \"3\", \"text\": {\"de\": "
	"\"Teils\"}}, {\"id\": \"4\", \"text\": {\"de\": \"Gut\"}}, {\"id\": \"5\", \"text\": "
	"{\"de\": \"Sehr gut\"}}]},"
	"{\"id\": \"topic\", \"type\": \"single\", \"text\": {\"de\": \"Welches Thema?\"}, "
	"\"options\": [{\"id\": \"a\", \"text\": {\"de\": \"Alpha & Ähnliches\"}}, "
	"{\"id\": \"b\", \"text\": {\"de\": \"Beta\"}}, {\"id\": \"c\", \"text\": {\"de\": "
	"\"Gamma\"}}]},"
	"{\"id\": \"more\", \"type\": \"yesno\", \"text\": {\"de\": \"Mehr davon?\"}, "
	"\"options\": [{\"id\": \"yes\", \"text\": {\"de\": \"Ja\"}}, {\"id\": \"no\", \"text\": "
	"{\"de\": \"Nein\"}}]},"
	"{\"id\": \"channels\", \"type\": \"multi\", \"text\": {\"de\": \"Wie sonst?\"}, "
	"\"options\": [{\"id\": \"x\", \"text\": {\"de\": \"Zeitung\"}}, {\"id\": \"y\", \"text\": "
	"{\"de\": \"Radio\"}}, {\"id\": \"z\", \"text\": {\"de\": \"Nachbarn\"}}]},"
	"{\"id\": \"comment\", \"type\": \"text\", \"text\": {\"de\": \"Noch etwas?\"}, "
	"\"note\": {\"de\": \"Keine Namen.\"}}]}";

struct fixture {
	struct store *s;
};

static char *tmp;

static int group_setup(void **state)
{
	log_init();
	tmp = test_mkdtemp("summary");
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmp);
	return 0;
}

static int setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof *fx);
	char *dir = xasprintf("%s/t-XXXXXX", tmp);
	assert_non_null(mkdtemp(dir));
	char *db = path_join(dir, "kiosk.sqlite3");
	assert_int_equal(store_open(db, STORE_OPEN_RECOVER, &fx->s), STORE_OK);
	assert_int_equal(store_survey_put(fx->s, "fb", 1, survey_fb), STORE_OK);
	free(db);
	free(dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	store_close(fx->s);
	free(fx);
	return 0;
}

static void insert(struct store *s, const char *survey, const char *lang, int64_t hour,
		   const struct store_answer *a, size_t n)
{
	char id[STORE_ID_LEN + 1];
	struct store_response r = {
		.kiosk_id = "kiosk-test",
		.survey_id = survey,
		.survey_version = 1,
		.language = lang,
		.hour = hour,
		.answers = a,
		.n_answers = n,
	};
	assert_int_equal(store_feedback_insert(s, &r, id), STORE_OK);
}

static const char *const texts[] = {
	"<b>fett</b> & \"so\"", "Kommentar 1", "Kommentar 2", "Kommentar 3", "Kommentar 4",
};

/* Ten responses: 5 in German in week 48 (helped 5, topic a, more yes,
 * channels x and y, a comment each), 4 in English in week 49 (helped 4,
 * topic b, more no, channels x), 1 in Arabic in week 50 (helped 3). */
static void fill(struct store *s)
{
	for (int i = 0; i < 5; i++) {
		const struct store_answer a[] = {
			{"helped", "5", 0}, {"topic", "a", 1},         {"more", "yes", 2},
			{"channels", "x", 3}, {"channels", "y", 3}, {"comment", texts[i], 4},
		};
		insert(s, "fb", "de", H0 + i * 3600, a, 6);
	}
	for (int i = 0; i < 4; i++) {
		const struct store_answer a[] = {
			{"helped", "4", 0}, {"topic", "b", 1}, {"more", "no", 2}, {"channels", "x", 3},
		};
		insert(s, "fb", "en", H0 + WEEK + i * 3600, a, 4);
	}
	const struct store_answer a[] = {{"helped", "3", 0}};
	insert(s, "fb", "ar", H0 + 2 * WEEK, a, 1);
}

/* The page for opt (caller frees). */
static char *page(struct store *s, const struct export_options *opt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(export_summary_write(s, opt, out), EXPORT_OK);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(strlen(text), len);
	return text;
}

/* The data-count of a row ("7", "hidden"), or "" when the row is not
 * there.  Borrowed from a static buffer. */
static const char *count_of(const char *html, const char *row)
{
	static char value[32];
	char *needle = xasprintf("data-row=\"%s\" data-count=\"", row);
	const char *p = strstr(html, needle);
	value[0] = '\0';
	if (p) {
		p += strlen(needle);
		size_t n = strcspn(p, "\"");
		assert_true(n < sizeof value);
		memcpy(value, p, n);
		value[n] = '\0';
	}
	free(needle);
	return value;
}

/* The <li> of a bar row (caller frees). */
static char *row_of(const char *html, const char *row)
{
	char *needle = xasprintf("<li data-row=\"%s\"", row);
	const char *p = strstr(html, needle);
	free(needle);
	if (!p)
		fail_msg("no row %s", row);
	const char *end = strstr(p, "</li>");
	return xstrndup(p, (size_t)(end - p));
}

static void expect_count(const char *html, const char *row, const char *want)
{
	const char *got = count_of(html, row);
	if (strcmp(got, want) != 0)
		fail_msg("%s: data-count \"%s\", expected \"%s\"", row, got, want);
}

/* A hidden bar says "weniger als 5" (or "verborgen" for a guard) and
 * carries no number of its own: the bar is the threshold's stub. */
static void expect_hidden(const char *html, const char *row, bool guard)
{
	expect_count(html, row, "hidden");
	char *li = row_of(html, row);
	if (guard)
		assert_non_null(strstr(li, "class=\"guard\""));
	assert_non_null(strstr(li, guard ? ">verborgen<" : ">weniger als 5<"));
	assert_null(strstr(li, "class=\"value\">"));
	assert_non_null(strstr(li, "fill=\"url(#hatch)\""));
	free(li);
}

static void expect_shown(const char *html, const char *row, const char *n)
{
	expect_count(html, row, n);
	char *li = row_of(html, row);
	char *value = xasprintf("<span class=\"value\">%s ", n);
	if (!strstr(li, value))
		fail_msg("%s: no %s in %s", row, value, li);
	assert_null(strstr(li, "weniger als"));
	free(value);
	free(li);
}

/* Every breakdown: 5 shows as 5, 4 (and 1, and 0) as "weniger als 5". */
static void test_counts_and_min_cell(void **state)
{
	struct fixture *fx = *state;
	fill(fx->s);
	char *html = page(fx->s, NULL);
	expect_count(html, "responses", "10");
	expect_count(html, "survey.fb", "10");
	expect_count(html, "version.fb.1", "10");
	/* the scale: 5 shown, 4, 3 and the zeros hidden */
	expect_count(html, "helped.answered", "10");
	expect_shown(html, "helped.5", "5");
	expect_hidden(html, "helped.4", false);
	expect_hidden(html, "helped.3", false);
	expect_hidden(html, "helped.1", false);
	/* a single choice: 5 and 4 and 0 */
	expect_count(html, "topic.answered", "9");
	expect_shown(html, "topic.a", "5");
	expect_hidden(html, "topic.b", false);
	expect_hidden(html, "topic.c", false);
	/* a multiple choice: every option counted on its own */
	expect_count(html, "channels.answered", "9");
	expect_shown(html, "channels.x", "9");
	expect_shown(html, "channels.y", "5");
	expect_hidden(html, "channels.z", false);
	/* typed texts: counted */
	expect_count(html, "comment.text", "5");
	/* languages and weeks */
	expect_shown(html, "lang.de", "5");
	expect_hidden(html, "lang.en", false);
	expect_hidden(html, "lang.ar", false);
	expect_shown(html, "week.2026-W48", "5");
	expect_hidden(html, "week.2026-W49", false);
	expect_hidden(html, "week.2026-W50", false);
	/* German texts of the kept definition, escaped; the kiosk, the span */
	assert_non_null(strstr(html, "</span> Hat es geholfen?</h3>"));
	assert_non_null(strstr(html, ">5 · Sehr gut<"));
	assert_non_null(strstr(html, ">Alpha &amp; Ähnliches<"));
	assert_non_null(strstr(html, "kiosk-test"));
	assert_non_null(strstr(html, "25.11.2026 bis 09.12.2026"));
	free(html);
}

/* Yes 5, no 4: "no" could be worked out as 9 less 5, so "yes" is hidden
 * beside it, and the German and English counts likewise. */
static void test_guard(void **state)
{
	struct fixture *fx = *state;
	fill(fx->s);
	char *html = page(fx->s, NULL);
	expect_count(html, "more.answered", "9");
	expect_hidden(html, "more.no", false);
	expect_hidden(html, "more.yes", true);
	assert_non_null(strstr(html, "nicht aus der Summe errechnen"));
	free(html);

	/* Still so with more yes; the guard is the smallest shown bar. */
	const struct store_answer yes[] = {{"more", "yes", 2}};
	for (int i = 0; i < 3; i++)
		insert(fx->s, "fb", "de", H0 + 3 * WEEK, yes, 1);
	html = page(fx->s, NULL);
	expect_hidden(html, "more.yes", true);
	expect_hidden(html, "more.no", false);
	free(html);
	/* One more no: both shown, no guard. */
	const struct store_answer no[] = {{"more", "no", 2}};
	insert(fx->s, "fb", "de", H0 + 3 * WEEK, no, 1);
	html = page(fx->s, NULL);
	expect_shown(html, "more.yes", "8");
	expect_shown(html, "more.no", "5");
	assert_null(strstr(html, "class=\"guard\""));
	/* Two small counts (topic b 4, c 0) cannot be told apart: no guard
	 * beside them (topic a shows 5). */
	expect_shown(html, "topic.a", "5");
	expect_hidden(html, "topic.b", false);
	free(html);
}

static void test_mean(void **state)
{
	struct fixture *fx = *state;
	/* 4 answers: no mean */
	const struct store_answer four[] = {{"helped", "4", 0}};
	for (int i = 0; i < 4; i++)
		insert(fx->s, "fb", "de", H0, four, 1);
	char *html = page(fx->s, NULL);
	assert_non_null(strstr(html, "data-mean=\"hidden\">Mittelwert: erst ab 5 Antworten"));
	expect_count(html, "responses", "hidden");
	assert_non_null(strstr(html, "data-row=\"responses\" data-count=\"hidden\">weniger als 5<"));
	free(html);
	/* 6 × 4 and 5 × 2: (24 + 10) / 11 = 3.09; the hidden bars hold nothing */
	const struct store_answer two[] = {{"helped", "2", 0}};
	insert(fx->s, "fb", "de", H0, four, 1);
	insert(fx->s, "fb", "de", H0, four, 1);
	for (int i = 0; i < 5; i++)
		insert(fx->s, "fb", "de", H0, two, 1);
	html = page(fx->s, NULL);
	assert_non_null(strstr(html, "data-mean=\"3.09\">Mittelwert <strong>3,1</strong> von 5"));
	free(html);
	/* one more, a 5: with the count and the mean, that 5 could be worked out */
	const struct store_answer five[] = {{"helped", "5", 0}};
	insert(fx->s, "fb", "de", H0, five, 1);
	html = page(fx->s, NULL);
	assert_non_null(strstr(html, "data-mean=\"hidden\">Mittelwert: verborgen"));
	assert_null(strstr(html, "<strong>3,"));
	free(html);
}

static void test_texts(void **state)
{
	struct fixture *fx = *state;
	fill(fx->s);
	char *html = page(fx->s, NULL);
	for (size_t i = 1; i < 5; i++)
		assert_null(strstr(html, texts[i]));
	assert_null(strstr(html, "fett"));
	assert_non_null(strstr(html, "5 Antworten mit Text"));
	free(html);
	/* On request: listed, escaped. */
	struct export_options opt = {.text = true};
	html = page(fx->s, &opt);
	for (size_t i = 1; i < 5; i++)
		assert_non_null(strstr(html, texts[i]));
	assert_non_null(strstr(html, "<li>&lt;b&gt;fett&lt;/b&gt; &amp; &quot;so&quot;</li>"));
	assert_null(strstr(html, "<b>fett"));
	free(html);
	/* Fewer than min_cell: not listed even on request. */
	opt.until = H0 + 4 * 3600; /* four of the five */
	html = page(fx->s, &opt);
	expect_count(html, "comment.text", "hidden");
	assert_non_null(strstr(html, "Die Texte werden erst ab 5 Antworten gezeigt"));
	assert_null(strstr(html, "Kommentar"));
	free(html);
}

static void test_filters(void **state)
{
	struct fixture *fx = *state;
	fill(fx->s);
	assert_int_equal(store_survey_put(fx->s, "other",
					  1, "{\"format\": 1, \"id\": \"other\", \"version\": 1, "
					     "\"questions\": [{\"id\": \"q\", \"type\": \"yesno\", "
					     "\"text\": {\"de\": \"Andere Frage?\"}, \"options\": ["
					     "{\"id\": \"yes\", \"text\": {\"de\": \"Ja\"}}, {\"id\": "
					     "\"no\", \"text\": {\"de\": \"Nein\"}}]}]}"),
			 STORE_OK);
	const struct store_answer a[] = {{"q", "yes", 0}};
	for (int i = 0; i < 6; i++)
		insert(fx->s, "other", "de", H0 + WEEK + 3600, a, 1);

	char *html = page(fx->s, NULL);
	expect_count(html, "responses", "16");
	expect_count(html, "version.other.1", "6");
	free(html);

	/* since: weeks 49 and 50 */
	int64_t day;
	assert_true(export_day_parse("2026-12-02", &day));
	assert_int_equal(day, H0 - 9 * 3600 + WEEK);
	struct export_options opt = {.since = day};
	html = page(fx->s, &opt);
	expect_count(html, "responses", "11");
	expect_count(html, "week.2026-W48", "");
	expect_count(html, "helped.5", "hidden");
	free(html);

	/* until (exclusive second: the CLI adds the day): week 48 alone */
	opt = (struct export_options){.until = day};
	html = page(fx->s, &opt);
	expect_count(html, "responses", "5");
	expect_shown(html, "helped.5", "5");
	expect_count(html, "week.2026-W49", "");
	assert_non_null(strstr(html, "ausgewählt: bis 01.12.2026"));
	free(html);

	/* a survey */
	opt = (struct export_options){.survey = "other"};
	html = page(fx->s, &opt);
	expect_count(html, "responses", "6");
	expect_shown(html, "q.yes", "6");
	assert_null(strstr(html, "Hat es geholfen?"));
	free(html);

	/* nothing at all */
	opt = (struct export_options){.survey = "none"};
	html = page(fx->s, &opt);
	assert_non_null(strstr(html, "Für diese Auswahl gibt es keine Antworten."));
	free(html);

	/* A lower min_cell shows the 4s. */
	opt = (struct export_options){.min_cell = 3};
	html = page(fx->s, &opt);
	expect_shown(html, "topic.b", "4");
	expect_count(html, "topic.c", "hidden");
	assert_non_null(strstr(html, "weniger als 3"));
	free(html);
}

/* The formats take the same filters; without one, the bytes of before. */
static void test_export_filters(void **state)
{
	struct fixture *fx = *state;
	fill(fx->s);
	char *all = NULL, *some = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&all, &len);
	assert_int_equal(export_write(fx->s, EXPORT_JSON, NULL, out), EXPORT_OK);
	fclose(out);
	const struct export_options opt = {.since = H0 + WEEK - 9 * 3600, .until = H0 + 2 * WEEK - 9 * 3600};
	out = open_memstream(&some, &len);
	assert_int_equal(export_write(fx->s, EXPORT_JSON, &opt, out), EXPORT_OK);
	fclose(out);
	size_t lines = 0;
	for (const char *p = some; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 4);
	assert_null(strstr(some, "\"language\":\"de\""));
	assert_null(strstr(some, "\"language\":\"ar\""));
	for (char *line = strtok(some, "\n"); line; line = strtok(NULL, "\n"))
		assert_non_null(strstr(all, line));
	free(all);
	free(some);
}

/* Nothing to fetch, nothing to run; A4 print. */
static void test_self_contained(void **state)
{
	struct fixture *fx = *state;
	fill(fx->s);
	struct export_options opt = {.text = true, .now_s = H0 + 3 * WEEK};
	char *html = page(fx->s, &opt);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, " src="));
	assert_null(strstr(html, "<link"));
	assert_non_null(strstr(html, "default-src 'none'"));
	assert_non_null(strstr(html, "@page{size:A4"));
	assert_non_null(strstr(html, "@media print"));
	assert_non_null(strstr(html, "<html lang=\"de\">"));
	assert_non_null(strstr(html, "Erstellt am 16.12.2026 um 09:00 UTC"));
	free(html);
}

static void test_day_parse(void **state)
{
	int64_t t = 0;
	assert_true(export_day_parse("2026-11-25", &t));
	assert_int_equal(t, H0 - 9 * 3600);
	assert_true(export_day_parse("2028-02-29", &t));
	static const char *const bad[] = {
		"2026-02-30", "2026-13-01", "2026-00-10", "2026-11-3", "26-11-03", "2026/11/03",
		"2026-11-03T00", " 2026-11-03", "1969-12-31", "", "2026-1a-03", "+026-11-03",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (export_day_parse(bad[i], &t))
			fail_msg("\"%s\" taken as a day", bad[i]);
}

/* A full disk is an error the caller hears about. */
static void test_write_error(void **state)
{
	struct fixture *fx = *state;
	fill(fx->s);
	FILE *full = fopen("/dev/full", "w");
	if (!full)
		skip();
	assert_int_equal(export_summary_write(fx->s, NULL, full), EXPORT_ERR_WRITE);
	assert_int_equal(errno, ENOSPC);
	fclose(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_and_min_cell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_texts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_contained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test(test_day_parse),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
