/* Unit tests for export: the exact bytes of csv, csv-wide and json for a
 * few responses made through the store's own API in a temporary database:
 * RFC 4180 quoting (comma, quote, line breaks, umlauts), multiple choice as
 * rows, 0/1 columns and lists, two survey versions with different questions
 * (old responses keep their own German texts; columns are the union, the
 * newest order first), an empty database, the byte order mark, JSON that
 * stays valid for any text, and a full disk.  Links kiosk_export (and
 * jansson, to read the JSON lines back). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "kiosk/core.h"
#include "kiosk/export.h"
#include "kiosk/store.h"
#include "test_util.h"

/* 2026-11-25T09:00:00Z */
#define H0 INT64_C(1795597200)

static const char survey_v1[] =
	"{\"format\": 1, \"id\": \"fb\", \"version\": 1, \"questions\": ["
	"{\"id\": \"helped\", \"type\": \"scale5\", \"text\": {\"de\": \"Hat es geholfen?\", "
	"\"en\": \"Did it help?\"}, \"options\": ["
	"{\"id\": \"1\", \"text\": {\"de\": \"1\"}}, {\"id\": \"2\", \"text\": {\"de\": \"2\"}},"
	"{\"id\": \"3\", \"text\": {\"de\": \"3\"}}, {\"id\": \"4\", \"text\": {\"de\": \"4\"}},"
	"{\"id\": \"5\", \"text\": {\"de\": \"5\"}}]},"
	"{\"id\": \"topics\", \"type\": \"multi\", \"text\": {\"de\": \"Welche Themen, bitte?\"}, "
	"\"options\": [{\"id\": \"a\", \"text\": {\"de\": \"A\"}}, {\"id\": \"b\", \"text\": "
	"{\"de\": \"B\"}}, {\"id\": \"c\", \"text\": {\"de\": \"C\"}}]},"
	"{\"id\": \"comment\", \"type\": \"text\", \"text\": {\"de\": \"Noch etwas?\"}, "
	"\"note\": {\"de\": \"Keine Namen.\"}}]}";

/* Version 2 asks "easy" first, words "helped" anew, drops option c and
 * adds d. */
static const char survey_v2[] =
	"{\"format\": 1, \"id\": \"fb\", \"version\": 2, \"questions\": ["
	"{\"id\": \"easy\", \"type\": \"yesno\", \"text\": {\"de\": \"War es \\\"leicht\\\"?\"}, "
	"\"options\": [{\"id\": \"yes\", \"text\": {\"de\": \"Ja\"}}, {\"id\": \"no\", \"text\": "
	"{\"de\": \"Nein\"}}]},"
	"{\"id\": \"helped\", \"type\": \"scale5\", \"text\": {\"de\": \"Hat Ihnen der Ratgeber "
	"geholfen?\"}, \"options\": ["
	"{\"id\": \"1\", \"text\": {\"de\": \"1\"}}, {\"id\": \"2\", \"text\": {\"de\": \"2\"}},"
	"{\"id\": \"3\", \"text\": {\"de\": \"3\"}}, {\"id\": \"4\", \"text\": {\"de\": \"4\"}},"
	"{\"id\": \"5\", \"text\": {\"de\": \"5\"}}]},"
	"{\"id\": \"topics\", \"type\": \"multi\", \"text\": {\"de\": \"Welche Themen?\"}, "
	"\"options\": [{\"id\": \"a\", \"text\": {\"de\": \"A\"}}, {\"id\": \"b\", \"text\": "
	"{\"de\": \"B\"}}, {\"id\": \"d\", \"text\": {\"de\": \"D\"}}]},"
	"{\"id\": \"comment\", \"type\": \"text\", \"text\": {\"de\": \"Noch etwas?\"}, "
	"\"note\": {\"de\": \"Keine Namen.\"}}]}";

/* A comma, quotes, a line break (LF and CRLF) and umlauts. */
#define COMMENT "Gut, \"sehr\" gut\nZeile 2: Grüße aus Köln\r\nß"
#define COMMENT_CSV "\"Gut, \"\"sehr\"\" gut\nZeile 2: Grüße aus Köln\r\nß\""
#define COMMENT_JSON "\"Gut, \\\"sehr\\\" gut\\nZeile 2: Grüße aus Köln\\r\\nß\""

struct fixture {
	char *dir;
	struct store *s;
	char id[3][STORE_ID_LEN + 1];
};

static char *tmp;

static int group_setup(void **state)
{
	log_init();
	tmp = test_mkdtemp("export");
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
	fx->dir = xasprintf("%s/t-XXXXXX", tmp);
	assert_non_null(mkdtemp(fx->dir));
	char *db = path_join(fx->dir, "kiosk.sqlite3");
	assert_int_equal(store_open(db, STORE_OPEN_RECOVER, &fx->s), STORE_OK);
	free(db);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	store_close(fx->s);
	free(fx->dir);
	free(fx);
	return 0;
}

static void insert(struct store *s, const char *lang, int64_t version, int64_t hour,
		   const struct store_answer *a, size_t n, char *id)
{
	struct store_response r = {
		.kiosk_id = "kiosk-test",
		.survey_id = "fb",
		.survey_version = version,
		.language = lang,
		.hour = hour,
		.answers = a,
		.n_answers = n,
	};
	assert_int_equal(store_feedback_insert(s, &r, id), STORE_OK);
}

/* Three responses, an hour apart so that their order is known: one under
 * version 1 and two under version 2. */
static void fill(struct fixture *fx)
{
	assert_int_equal(store_survey_put(fx->s, "fb", 1, survey_v1), STORE_OK);
	assert_int_equal(store_survey_put(fx->s, "fb", 2, survey_v2), STORE_OK);
	const struct store_answer r1[] = {
		{"helped", "4", 0}, {"topics", "a", 1}, {"topics", "c", 1}, {"comment", COMMENT, 2},
	};
	const struct store_answer r2[] = {
		{"easy", "yes", 0}, {"helped", "5", 1}, {"topics", "d", 2},
	};
	const struct store_answer r3[] = {{"helped", "1", 1}};
	insert(fx->s, "de", 1, H0, r1, 4, fx->id[0]);
	insert(fx->s, "en", 2, H0 + 3600, r2, 3, fx->id[1]);
	insert(fx->s, "ar", 2, H0 + 7200, r3, 1, fx->id[2]);
}

/* The export as a string (caller frees). */
static char *run_opt(struct store *s, enum export_format f, const struct export_options *opt,
		     enum export_err want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(export_write(s, f, opt, out), want);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(strlen(text), len);
	return text;
}

static char *run(struct store *s, enum export_format f, bool bom, enum export_err want)
{
	const struct export_options opt = {.bom = bom};
	return run_opt(s, f, &opt, want);
}

static void expect(char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("export differs.\n--- got:\n%s\n--- want:\n%s", got, want);
	free(got);
}

static void test_csv(void **state)
{
	struct fixture *fx = *state;
	fill(fx);
	char *want = xasprintf(
		"response_id,kiosk_id,survey_id,survey_version,hour,language,question_id,question,"
		"answer\r\n"
		"%1$s,kiosk-test,fb,1,2026-11-25T09:00:00Z,de,helped,Hat es geholfen?,4\r\n"
		"%1$s,kiosk-test,fb,1,2026-11-25T09:00:00Z,de,topics,\"Welche Themen, bitte?\",a\r\n"
		"%1$s,kiosk-test,fb,1,2026-11-25T09:00:00Z,de,topics,\"Welche Themen, bitte?\",c\r\n"
		"%1$s,kiosk-test,fb,1,2026-11-25T09:00:00Z,de,comment,Noch etwas?," COMMENT_CSV "\r\n"
		"%2$s,kiosk-test,fb,2,2026-11-25T10:00:00Z,en,easy,\"War es \"\"leicht\"\"?\",yes\r\n"
		"%2$s,kiosk-test,fb,2,2026-11-25T10:00:00Z,en,helped,"
		"Hat Ihnen der Ratgeber geholfen?,5\r\n"
		"%2$s,kiosk-test,fb,2,2026-11-25T10:00:00Z,en,topics,Welche Themen?,d\r\n"
		"%3$s,kiosk-test,fb,2,2026-11-25T11:00:00Z,ar,helped,"
		"Hat Ihnen der Ratgeber geholfen?,1\r\n",
		fx->id[0], fx->id[1], fx->id[2]);
	expect(run(fx->s, EXPORT_CSV, false, EXPORT_OK), want);
	free(want);
}

static void test_csv_wide(void **state)
{
	struct fixture *fx = *state;
	fill(fx);
	/* Version 2's order, then what only version 1 has (topics.c).  A
	 * question or option the response's version lacks is empty; so is
	 * every option of a multiple choice the resident skipped (the third
	 * response), since 0 would say "saw it and chose none".  An option of
	 * an answered multiple choice is 0 or 1. */
	char *want = xasprintf(
		"response_id,kiosk_id,survey_id,survey_version,hour,language,"
		"easy,helped,topics.a,topics.b,topics.d,comment,topics.c\r\n"
		"%1$s,kiosk-test,fb,1,2026-11-25T09:00:00Z,de,,4,1,0,," COMMENT_CSV ",1\r\n"
		"%2$s,kiosk-test,fb,2,2026-11-25T10:00:00Z,en,yes,5,0,0,1,,\r\n"
		"%3$s,kiosk-test,fb,2,2026-11-25T11:00:00Z,ar,,1,,,,,\r\n",
		fx->id[0], fx->id[1], fx->id[2]);
	expect(run(fx->s, EXPORT_CSV_WIDE, false, EXPORT_OK), want);
	free(want);
}

static void test_json(void **state)
{
	struct fixture *fx = *state;
	fill(fx);
	char *want = xasprintf(
		"{\"response_id\":\"%1$s\",\"kiosk_id\":\"kiosk-test\",\"survey_id\":\"fb\","
		"\"survey_version\":1,\"hour\":\"2026-11-25T09:00:00Z\",\"language\":\"de\","
		"\"answers\":{\"helped\":\"4\",\"topics\":[\"a\",\"c\"],\"comment\":" COMMENT_JSON
		"}}\n"
		"{\"response_id\":\"%2$s\",\"kiosk_id\":\"kiosk-test\",\"survey_id\":\"fb\","
		"\"survey_version\":2,\"hour\":\"2026-11-25T10:00:00Z\",\"language\":\"en\","
		"\"answers\":{\"easy\":\"yes\",\"helped\":\"5\",\"topics\":[\"d\"]}}\n"
		"{\"response_id\":\"%3$s\",\"kiosk_id\":\"kiosk-test\",\"survey_id\":\"fb\","
		"\"survey_version\":2,\"hour\":\"2026-11-25T11:00:00Z\",\"language\":\"ar\","
		"\"answers\":{\"helped\":\"1\"}}\n",
		fx->id[0], fx->id[1], fx->id[2]);
	expect(run(fx->s, EXPORT_JSON, false, EXPORT_OK), want);
	free(want);
}

/* A sync batch's bytes are the JSON lines of its responses, exactly as the
 * whole export writes them, ordered by the (random) response id; a response
 * of the current hour stays out. */
static void test_batch_lines(void **state)
{
	struct fixture *fx = *state;
	fill(fx);
	char *all = run(fx->s, EXPORT_JSON, false, EXPORT_OK);
	char batch[STORE_ID_LEN + 1];
	size_t n = 0;
	/* H0 + 7200 is "now": its response waits for the hour to end. */
	assert_int_equal(store_batch_make(fx->s, H0 + 7200, 10, batch, &n), STORE_OK);
	assert_int_equal(n, 2);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_int_equal(export_write_batch(fx->s, batch, out), EXPORT_OK);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(store_batch_keep(fx->s, batch, text, len), STORE_OK);
	/* Two lines, each one of the full export's, in response id order. */
	char *second = strchr(text, '\n');
	assert_non_null(second);
	second++;
	assert_non_null(strchr(second, '\n'));
	assert_string_equal(strchr(second, '\n') + 1, "");
	const char *first_id = strstr(text, "\"response_id\":\"") + 15;
	const char *second_id = strstr(second, "\"response_id\":\"") + 15;
	assert_true(strncmp(first_id, second_id, STORE_ID_LEN) < 0);
	for (char *line = text; *line;) {
		char *end = strchr(line, '\n');
		*end = '\0';
		if (!strstr(all, line))
			fail_msg("a batch line is not the export's: %s", line);
		assert_null(strstr(line, fx->id[2])); /* the current hour's */
		line = end + 1;
	}
	free(text);
	free(all);
}

/* The BOM comes first, once, before the header. */
static void test_bom(void **state)
{
	struct fixture *fx = *state;
	fill(fx);
	char *csv = run(fx->s, EXPORT_CSV, true, EXPORT_OK);
	assert_memory_equal(csv, "\xef\xbb\xbfresponse_id,", 15);
	assert_null(strstr(csv + 3, "\xef\xbb\xbf"));
	free(csv);
	char *wide = run(fx->s, EXPORT_CSV_WIDE, true, EXPORT_OK);
	assert_memory_equal(wide, "\xef\xbb\xbfresponse_id,", 15);
	free(wide);
	/* JSON lines with a BOM would not be JSON lines. */
	expect(run(fx->s, EXPORT_JSON, true, EXPORT_ERR_ARGS), "");
}

static void test_empty(void **state)
{
	struct fixture *fx = *state;
	expect(run(fx->s, EXPORT_CSV, false, EXPORT_OK),
	       "response_id,kiosk_id,survey_id,survey_version,hour,language,question_id,question,"
	       "answer\r\n");
	expect(run(fx->s, EXPORT_CSV_WIDE, false, EXPORT_OK),
	       "response_id,kiosk_id,survey_id,survey_version,hour,language\r\n");
	expect(run(fx->s, EXPORT_JSON, false, EXPORT_OK), "");
	expect(run(fx->s, EXPORT_CSV, true, EXPORT_OK),
	       "\xef\xbb\xbfresponse_id,kiosk_id,survey_id,survey_version,hour,language,"
	       "question_id,question,answer\r\n");
	/* A kept survey but no responses yet: its columns, no rows. */
	assert_int_equal(store_survey_put(fx->s, "fb", 1, survey_v1), STORE_OK);
	expect(run(fx->s, EXPORT_CSV_WIDE, true, EXPORT_OK),
	       "\xef\xbb\xbfresponse_id,kiosk_id,survey_id,survey_version,hour,language,"
	       "helped,topics.a,topics.b,topics.c,comment\r\n");
	expect(run(fx->s, EXPORT_JSON, false, EXPORT_OK), "");
}

/* Whatever was typed, every line reads back as JSON with the same text;
 * bytes that are not UTF-8 (never stored by the kiosk) become U+FFFD. */
static void test_json_any_text(void **state)
{
	struct fixture *fx = *state;
	fill(fx);
	static const char *const texts[] = {
		"tab\there \\ back\\slash \x01\x1f ctrl \x7f del",
		"\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8",
		"</script>\"'",
	};
	for (size_t i = 0; i < 3; i++) {
		char id[STORE_ID_LEN + 1];
		const struct store_answer a[] = {{"comment", texts[i], 3}};
		insert(fx->s, "de", 2, H0 + 3600 * (int64_t)(10 + i), a, 1, id);
	}
	char id[STORE_ID_LEN + 1];
	const struct store_answer bad[] = {{"comment", "a\xff" "b\xc3(\xed\xa0\x80", 3}};
	insert(fx->s, "de", 2, H0 + 3600 * 20, bad, 1, id);

	char *text = run(fx->s, EXPORT_JSON, false, EXPORT_OK);
	size_t lines = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		if (!o)
			fail_msg("line %zu is not JSON (%s): %s", lines + 1, je.text, line);
		const char *comment = json_string_value(json_object_get(json_object_get(o, "answers"),
								       "comment"));
		if (lines == 0)
			assert_string_equal(comment, COMMENT);
		else if (lines >= 3 && lines < 6)
			assert_string_equal(comment, texts[lines - 3]);
		else if (lines == 6)
			assert_string_equal(comment, "a\xef\xbf\xbd" "b\xef\xbf\xbd(\xef\xbf\xbd"
					    "\xef\xbf\xbd\xef\xbf\xbd");
		assert_true(json_is_integer(json_object_get(o, "survey_version")));
		json_decref(o);
	}
	assert_int_equal(lines, 7);
	free(text);
}

/* What a spreadsheet program would read as a formula (OWASP's list for CSV
 * injection), each as a resident could type it, and its cell as export
 * writes it by default: an apostrophe first, then RFC 4180 quoting. */
static const struct {
	const char *typed, *cell;
} formulas[] = {
	{"=1+2", "'=1+2"},
	{"+49 171 555", "'+49 171 555"},
	{"-2+3", "'-2+3"},
	{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
	{"\t=1", "'\t=1"},
	{"\r=1", "\"'\r=1\""},
	{"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
};
#define N_FORMULAS (sizeof formulas / sizeof formulas[0])

/* A survey whose only question's German text is itself a formula (the
 * content is not ours alone). */
static const char survey_v3[] =
	"{\"format\": 1, \"id\": \"fb\", \"version\": 3, \"questions\": ["
	"{\"id\": \"comment\", \"type\": \"text\", \"text\": {\"de\": \"=Noch etwas?\"}, "
	"\"note\": {\"de\": \"Keine Namen.\"}}]}";

/* One response per formula under version 2, an hour apart, and one under
 * version 3 after them. */
static void fill_formulas(struct fixture *fx)
{
	assert_int_equal(store_survey_put(fx->s, "fb", 2, survey_v2), STORE_OK);
	assert_int_equal(store_survey_put(fx->s, "fb", 3, survey_v3), STORE_OK);
	char id[STORE_ID_LEN + 1];
	for (size_t i = 0; i < N_FORMULAS; i++) {
		const struct store_answer a[] = {{"comment", formulas[i].typed, 3}};
		insert(fx->s, "de", 2, H0 + 3600 * (int64_t)i, a, 1, id);
	}
	const struct store_answer a[] = {{"comment", "ok", 0}};
	insert(fx->s, "de", 3, H0 + 3600 * (int64_t)N_FORMULAS, a, 1, id);
}

static void expect_in(const char *text, const char *row)
{
	if (!strstr(text, row))
		fail_msg("export lacks\n%s\n--- got:\n%s", row, text);
}

/* By default every cell that starts like a formula gets its apostrophe, in
 * both CSV formats; the numbers the program writes itself never do. */
static void test_formulas_neutralised(void **state)
{
	struct fixture *fx = *state;
	fill_formulas(fx);
	char *csv = run(fx->s, EXPORT_CSV, false, EXPORT_OK);
	char *wide = run(fx->s, EXPORT_CSV_WIDE, false, EXPORT_OK);
	for (size_t i = 0; i < N_FORMULAS; i++) {
		char *row = xasprintf(",fb,2,2026-11-25T%02zu:00:00Z,de,comment,Noch etwas?,%s\r\n",
				      9 + i, formulas[i].cell);
		expect_in(csv, row);
		free(row);
		/* version 3's comment first, then version 2's easy, helped,
		 * topics.a, topics.b, topics.d, all empty */
		row = xasprintf(",fb,2,2026-11-25T%02zu:00:00Z,de,%s,,,,,\r\n", 9 + i,
				formulas[i].cell);
		expect_in(wide, row);
		free(row);
	}
	expect_in(csv, ",fb,3,2026-11-25T16:00:00Z,de,comment,'=Noch etwas?,ok\r\n");
	free(csv);
	free(wide);
}

/* JSON lines are no spreadsheet: the text stays as typed. */
static void test_formulas_json(void **state)
{
	struct fixture *fx = *state;
	fill_formulas(fx);
	char *text = run(fx->s, EXPORT_JSON, false, EXPORT_OK);
	size_t lines = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		json_t *o = json_loads(line, 0, NULL);
		assert_non_null(o);
		const char *comment = json_string_value(json_object_get(json_object_get(o, "answers"),
								       "comment"));
		assert_string_equal(comment, lines < N_FORMULAS ? formulas[lines].typed : "ok");
		json_decref(o);
	}
	assert_int_equal(lines, N_FORMULAS + 1);
	free(text);
}

/* Raw output writes every cell as typed (only quoted), for those who
 * import the file as text anyway; JSON has no raw mode. */
static void test_formulas_raw(void **state)
{
	struct fixture *fx = *state;
	fill_formulas(fx);
	const struct export_options raw = {.raw = true};
	char *csv = run_opt(fx->s, EXPORT_CSV, &raw, EXPORT_OK);
	char *wide = run_opt(fx->s, EXPORT_CSV_WIDE, &raw, EXPORT_OK);
	for (size_t i = 0; i < N_FORMULAS; i++) {
		/* The neutralised cell less its apostrophe is the raw one. */
		const char *cell = formulas[i].cell;
		char *want = cell[0] == '"' ? xasprintf("\"%s", cell + 2) : xstrdup(cell + 1);
		char *row = xasprintf(",fb,2,2026-11-25T%02zu:00:00Z,de,comment,Noch etwas?,%s\r\n",
				      9 + i, want);
		expect_in(csv, row);
		free(row);
		row = xasprintf(",fb,2,2026-11-25T%02zu:00:00Z,de,%s,,,,,\r\n", 9 + i, want);
		expect_in(wide, row);
		free(row);
		free(want);
	}
	expect_in(csv, ",fb,3,2026-11-25T16:00:00Z,de,comment,=Noch etwas?,ok\r\n");
	assert_null(strstr(csv, ",'"));
	assert_null(strstr(wide, ",'"));
	free(csv);
	free(wide);
	expect(run_opt(fx->s, EXPORT_JSON, &raw, EXPORT_ERR_ARGS), "");
	/* NULL options are the defaults: neutralised. */
	char *def = run_opt(fx->s, EXPORT_CSV, NULL, EXPORT_OK);
	expect_in(def, ",Noch etwas?,'=1+2\r\n");
	free(def);
}

/* A full disk is an error the caller hears about, with errno. */
static void test_write_error(void **state)
{
	struct fixture *fx = *state;
	fill(fx);
	FILE *full = fopen("/dev/full", "w");
	if (!full)
		skip();
	errno = 0;
	assert_int_equal(export_write(fx->s, EXPORT_CSV, NULL, full), EXPORT_ERR_WRITE);
	assert_int_equal(errno, ENOSPC);
	fclose(full);
}

/* Enough rows to pass through the output buffer many times: every
 * response comes out whole and in order. */
static void test_many(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(store_survey_put(fx->s, "fb", 2, survey_v2), STORE_OK);
	char id[STORE_ID_LEN + 1];
	for (int i = 0; i < 600; i++) {
		const struct store_answer a[] = {
			{"easy", i % 2 ? "yes" : "no", 0},
			{"helped", "3", 1},
			{"topics", "a", 2},
			{"topics", "b", 2},
			{"comment", "eine etwas längere Antwort, damit der Puffer sich füllt", 3},
		};
		insert(fx->s, "de", 2, H0 + 3600 * (int64_t)i, a, 5, id);
	}
	char *csv = run(fx->s, EXPORT_CSV, false, EXPORT_OK);
	size_t rows = 0;
	for (const char *p = csv; (p = strstr(p, "\r\n")); p += 2)
		rows++;
	assert_int_equal(rows, 1 + 600 * 5);
	free(csv);
	char *wide = run(fx->s, EXPORT_CSV_WIDE, false, EXPORT_OK);
	rows = 0;
	for (const char *p = wide; (p = strstr(p, "\r\n")); p += 2)
		rows++;
	assert_int_equal(rows, 1 + 600);
	assert_non_null(strstr(wide, ",1,1,0,\"eine etwas längere Antwort, damit der Puffer sich "
				     "füllt\"\r\n"));
	free(wide);
}

static void test_format_names(void **state)
{
	enum export_format f;
	assert_true(export_format_parse("csv", &f));
	assert_int_equal(f, EXPORT_CSV);
	assert_true(export_format_parse("csv-wide", &f));
	assert_int_equal(f, EXPORT_CSV_WIDE);
	assert_true(export_format_parse("json", &f));
	assert_int_equal(f, EXPORT_JSON);
	assert_false(export_format_parse("xml", &f));
	assert_false(export_format_parse("CSV", &f));
	assert_string_equal(export_format_name(EXPORT_CSV_WIDE), "csv-wide");
	assert_string_equal(export_strerror(EXPORT_OK), "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_wide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_any_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_formulas_neutralised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_formulas_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_formulas_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test(test_format_names),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
