/* Unit tests for store: schema and migrations, WAL and synchronous=FULL,
 * refusal of a newer schema, recovery from a damaged file, identity and the
 * content version.  Links kiosk_store (and SQLite, to craft old and damaged
 * databases directly). */
#include <dirent.h>
#include <regex.h>
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
#include <sqlite3.h>

#include "kiosk/core.h"
#include "kiosk/store.h"
#include "test_util.h"

static char *tmp;

static int group_setup(void **state)
{
	log_init();
	tmp = test_mkdtemp("store");
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmp);
	return 0;
}

/* A fresh folder per test, so that kept files of one do not meet another. */
static int setup(void **state)
{
	char *tmpl = xasprintf("%s/t-XXXXXX", tmp);
	assert_non_null(mkdtemp(tmpl));
	*state = tmpl;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* ---- SQLite straight on the file ---- */

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The first column of the first row as text (caller frees), or NULL. */
static char *sql_text(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	char *out = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return out;
}

static long sql_int(const char *path, const char *sql)
{
	char *t = sql_text(path, sql);
	assert_non_null(t);
	long v = strtol(t, NULL, 10);
	free(t);
	return v;
}

/* Names in dir that contain part. */
static int count_names(const char *dir, const char *part)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strstr(e->d_name, part))
			n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	char *data = test_slurp(path, len);
	assert_non_null(data);
	return data;
}

static void assert_file_is(const char *path, const char *data, size_t len)
{
	size_t now_len;
	char *now = slurp(path, &now_len);
	assert_int_equal(now_len, len);
	assert_memory_equal(now, data, len);
	free(now);
}

/* ---- Tests ---- */

static void test_new_database(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "a/b/kiosk.sqlite3"); /* folders are made */
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_non_null(s);
	assert_string_equal(store_path(s), path);
	assert_int_equal(store_schema_latest(), 4); /* meta, content history, feedback, sync batches */
	assert_int_equal(store_schema_version(s), store_schema_latest());
	assert_int_equal(store_synchronous(s), 2); /* FULL: a commit survives power loss */
	assert_null(store_recovered_from(s));

	/* A second connection sees WAL while the store has it open. */
	char *mode = sql_text(path, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);

	char *report = NULL;
	assert_int_equal(store_check(s, &report), STORE_OK);
	assert_string_equal(report, "ok");
	free(report);
	store_close(s);

	/* WAL is a property of the file: it stays after close. */
	mode = sql_text(path, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(sql_int(path, "PRAGMA user_version"), store_schema_latest());
	assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
				       "('meta', 'content_history')"), 2);

	/* Reopening an existing database: same settings on the new connection. */
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s), STORE_OK);
	assert_int_equal(store_synchronous(s), 2);
	assert_int_equal(store_schema_version(s), store_schema_latest());
	store_close(s);
	store_close(NULL);
	free(path);
}

static void test_cannot_open(void **state)
{
	const char *dir = *state;
	/* A file where the folder should be. */
	free(test_write(dir, "blocker", "not a folder", 0));
	char *path = path_join(dir, "blocker/kiosk.sqlite3");
	struct store *s = (struct store *)1;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_ERR_OPEN);
	assert_null(s);
	free(path);
}

static void test_upgrade_from_schema_1(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	/* Exactly what migration 1 made, as a kiosk of that version left it. */
	sql_exec(path, "CREATE TABLE meta ("
		       "  key TEXT PRIMARY KEY NOT NULL,"
		       "  value TEXT NOT NULL"
		       ") WITHOUT ROWID;"
		       "INSERT INTO meta(key, value) VALUES('kiosk_id', 'kiosk-from-v1');"
		       "INSERT INTO meta(key, value) VALUES('content_version', '3');"
		       "PRAGMA user_version = 1;");
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 1);

	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s), STORE_OK);
	assert_int_equal(store_schema_version(s), store_schema_latest());
	char *id = NULL;
	assert_int_equal(store_kiosk_id(s, "", &id), STORE_OK);
	assert_string_equal(id, "kiosk-from-v1"); /* the row survived the upgrade */
	free(id);
	int64_t v = -1;
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_int_equal(v, 3);
	/* The table of migration 2 is usable. */
	assert_int_equal(store_content_version_set(s, 4), STORE_OK);
	store_close(s);

	assert_int_equal(sql_int(path, "PRAGMA user_version"), store_schema_latest());
	char *kid = sql_text(path, "SELECT value FROM meta WHERE key = 'kiosk_id'");
	assert_string_equal(kid, "kiosk-from-v1");
	free(kid);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM content_history WHERE version = 4"),
			 1);
	assert_int_equal(count_names(dir, ".corrupt-"), 0);
	free(path);
}

static void test_refuses_newer_schema(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	sql_exec(path, "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
		       "CREATE TABLE future (x INTEGER);"
		       "INSERT INTO meta VALUES('kiosk_id', 'kiosk-future');"
		       "PRAGMA user_version = 99;");
	size_t len;
	char *before = slurp(path, &len);

	for (int mode = 0; mode < 2; mode++) {
		struct store *s = (struct store *)1;
		enum store_err e = store_open(path, mode ? STORE_OPEN_EXISTING : STORE_OPEN_RECOVER,
					      &s);
		assert_int_equal(e, STORE_ERR_TOO_NEW);
		assert_null(s);
		/* Left untouched: same bytes, not moved aside, nothing beside it. */
		assert_file_is(path, before, len);
		assert_int_equal(count_names(dir, ".corrupt-"), 0);
		assert_int_equal(count_names(dir, "-wal"), 0);
	}
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 99);
	assert_string_not_equal(store_strerror(STORE_ERR_TOO_NEW), store_strerror(STORE_ERR_CORRUPT));
	free(before);
	free(path);
}

/* NAME.corrupt-YYYYMMDD-HHMMSS */
static void assert_kept_name(const char *path, const char *kept)
{
	char *pattern = xasprintf("^%s\\.corrupt-(20[0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])-"
				  "([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$",
				  path);
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, kept, 0, NULL, 0) != 0)
		fail_msg("kept file '%s' does not match %s", kept, pattern);
	regfree(&re);
	free(pattern);
}

/* Recovery of a damaged file: kept aside, byte for byte; a new one made. */
static void check_recovery(const char *dir, const char *path)
{
	size_t len;
	char *before = slurp(path, &len);

	/* A tool never replaces it. */
	struct store *s = (struct store *)1;
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s), STORE_ERR_CORRUPT);
	assert_null(s);
	assert_file_is(path, before, len);
	assert_int_equal(count_names(dir, ".corrupt-"), 0);

	/* The kiosk keeps it and starts anew. */
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_non_null(s);
	const char *kept = store_recovered_from(s);
	assert_non_null(kept);
	assert_kept_name(path, kept);
	assert_true(path_exists(kept));
	assert_file_is(kept, before, len);
	assert_int_equal(count_names(dir, ".corrupt-"), 1);
	char *kept_copy = xstrdup(kept);

	assert_int_equal(store_schema_version(s), store_schema_latest());
	assert_int_equal(store_synchronous(s), 2);
	char *report = NULL;
	assert_int_equal(store_check(s, &report), STORE_OK);
	assert_string_equal(report, "ok");
	free(report);
	int64_t v = -1;
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_int_equal(v, 0); /* nothing of the old file is trusted */
	store_close(s);

	/* The database remembers it, so that status can still say so. */
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s), STORE_OK);
	assert_non_null(store_recovered_from(s));
	assert_string_equal(store_recovered_from(s), kept_copy);
	store_close(s);
	assert_file_is(kept_copy, before, len);
	char *mode = sql_text(path, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	free(kept_copy);
	free(before);
}

static void test_recover_random_bytes(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	char junk[8192];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	free(test_write(dir, "kiosk.sqlite3", junk, sizeof junk));
	check_recovery(dir, path);
	free(path);
}

static void test_recover_damaged_pages(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_int_equal(store_content_version_set(s, 9), STORE_OK);
	store_close(s);
	/* Enough rows for many pages of a table and an index. */
	sql_exec(path, "CREATE TABLE filler (n INTEGER PRIMARY KEY, t TEXT NOT NULL);"
		       "CREATE INDEX filler_t ON filler(t);"
		       "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
		       "WHERE n < 3000) INSERT INTO filler SELECT n, printf('%08d-%s', n, "
		       "hex(zeroblob(60))) FROM c;"
		       "PRAGMA wal_checkpoint(TRUNCATE);");
	long page_size = sql_int(path, "PRAGMA page_size");
	long pages = sql_int(path, "PRAGMA page_count");
	assert_true(pages > 40);

	/* Overwrite three pages in the middle; the header stays as it was. */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, page_size * (pages / 2), SEEK_SET), 0);
	for (long i = 0; i < 3 * page_size; i++)
		fputc((int)((i * 7 + 0x5a) & 0xff), f);
	assert_int_equal(fclose(f), 0);
	char *hdr = sql_text(path, "PRAGMA journal_mode"); /* page 1 is intact */
	assert_string_equal(hdr, "wal");
	free(hdr);

	check_recovery(dir, path);
	free(path);
}

static void test_recover_twice_keeps_both(void **state)
{
	/* Two recoveries in quick succession (a failing disk, a restart loop):
	 * the first kept file is never overwritten by the second. */
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	char junk1[4096], junk2[4096];
	memset(junk1, 0xA1, sizeof junk1);
	memset(junk2, 0xB2, sizeof junk2);
	free(test_write(dir, "kiosk.sqlite3", junk1, sizeof junk1));
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	char *kept1 = xstrdup(store_recovered_from(s));
	store_close(s);
	free(test_write(dir, "kiosk.sqlite3", junk2, sizeof junk2));
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	const char *kept2 = store_recovered_from(s);
	assert_non_null(kept2);
	assert_kept_name(path, kept2);
	assert_string_not_equal(kept1, kept2);
	assert_file_is(kept1, junk1, sizeof junk1);
	assert_file_is(kept2, junk2, sizeof junk2);
	assert_int_equal(count_names(dir, ".corrupt-"), 2);
	store_close(s);
	free(kept1);
	free(path);
}

static void test_kiosk_id(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	char *first = NULL, *again = NULL;
	assert_int_equal(store_kiosk_id(s, "", &first), STORE_OK);
	assert_int_equal(strlen(first), strlen("kiosk-") + 16);
	assert_int_equal(strncmp(first, "kiosk-", 6), 0);
	assert_int_equal(strspn(first + 6, "0123456789abcdef"), 16);
	assert_int_equal(store_kiosk_id(s, NULL, &again), STORE_OK);
	assert_string_equal(again, first);
	free(again);
	store_close(s);

	/* Stable across a restart. */
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_int_equal(store_kiosk_id(s, "", &again), STORE_OK);
	assert_string_equal(again, first);
	free(again);
	/* The configured id wins, and does not replace the kept one. */
	assert_int_equal(store_kiosk_id(s, "rathaus-1", &again), STORE_OK);
	assert_string_equal(again, "rathaus-1");
	free(again);
	assert_int_equal(store_kiosk_id(s, "", &again), STORE_OK);
	assert_string_equal(again, first);
	free(again);
	store_close(s);

	/* Another database makes another id. */
	char *other = path_join(dir, "other.sqlite3");
	assert_int_equal(store_open(other, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_int_equal(store_kiosk_id(s, "", &again), STORE_OK);
	assert_string_not_equal(again, first);
	free(again);
	store_close(s);
	free(other);
	free(first);
	free(path);
}

static void test_content_version(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	int64_t v = -1;
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_int_equal(v, 0); /* none installed yet */
	assert_int_equal(store_content_version_set(s, 5), STORE_OK);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_int_equal(v, 5);
	assert_int_equal(store_content_version_set(s, 1700000000123LL), STORE_OK);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_true(v == 1700000000123LL);
	store_close(s);

	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s), STORE_OK);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	assert_true(v == 1700000000123LL);
	char *report = NULL;
	assert_int_equal(store_check(s, &report), STORE_OK);
	assert_string_equal(report, "ok");
	free(report);
	store_close(s);
	/* Each change is on record. */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM content_history"), 2);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM content_history WHERE version = 5 "
				       "AND source = 'install' AND installed_at > 1600000000"), 1);
	free(path);
}

/* Feedback survives a reopen: committed, counted, and a database holding it
 * passes the integrity check (SQLite 3.40 once made it look damaged, and the
 * kiosk would have put it aside at the next start). */
static void test_feedback_reopen(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_int_equal(store_survey_put(s, "fb", 1, "{\"format\":1}"), STORE_OK);
	assert_int_equal(store_survey_put(s, "fb", 1, "{\"other\":1}"), STORE_OK); /* kept as is */
	struct store_answer answers[] = {
		{"helped", "4", 0}, {"topics", "a", 1}, {"topics", "b", 1}, {"comment", "Gut, \"so\"", 2},
	};
	struct store_response r = {"kiosk-1", "fb", 1, "de", 1795597200, answers, 4};
	char id[STORE_ID_LEN + 1];
	assert_int_equal(store_feedback_insert(s, &r, id), STORE_OK);
	assert_int_equal(strlen(id), STORE_ID_LEN);
	r.hour = 1795597201; /* not on the hour: refused, nothing stored */
	char id2[STORE_ID_LEN + 1];
	assert_int_not_equal(store_feedback_insert(s, &r, id2), STORE_OK);
	int64_t pending = -1, sent = -1;
	assert_int_equal(store_feedback_counts(s, &pending, &sent), STORE_OK);
	assert_true(pending == 1 && sent == 0);
	store_close(s);

	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &s), STORE_OK);
	assert_null(store_recovered_from(s));
	char *report = NULL;
	assert_int_equal(store_check(s, &report), STORE_OK);
	assert_string_equal(report, "ok");
	free(report);
	store_close(s);
	assert_int_equal(count_names(dir, ".corrupt-"), 0);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM answer"), 4);
	char *def = sql_text(path, "SELECT definition FROM survey");
	assert_string_equal(def, "{\"format\":1}");
	free(def);
	free(path);
}

/* A response of two answers; its id goes into id. */
static void insert_one(struct store *s, char *id)
{
	struct store_answer answers[] = {{"helped", "4", 0}, {"comment", "Gut", 1}};
	struct store_response r = {"kiosk-1", "fb", 1, "de", 1795597200, answers, 2};
	assert_int_equal(store_feedback_insert(s, &r, id), STORE_OK);
}

/* Tools that only read open read-only: status never makes the kiosk id,
 * and nothing they do changes the file. */
static void test_readonly_never_writes(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *s = NULL;
	/* Nothing there: a read-only open makes nothing. */
	assert_int_equal(store_open(path, STORE_OPEN_READONLY, &s), STORE_ERR_OPEN);
	assert_null(s);
	assert_false(path_exists(path));

	/* A database as a fresh install leaves it, before the kiosk made its id. */
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, &s), STORE_OK);
	store_close(s);
	size_t len;
	char *before = slurp(path, &len);

	assert_int_equal(store_open(path, STORE_OPEN_READONLY, &s), STORE_OK);
	char *id = (char *)1;
	assert_int_equal(store_kiosk_id(s, "", &id), STORE_ERR_NOT_FOUND);
	assert_null(id);
	assert_int_equal(store_kiosk_id(s, "configured-1", &id), STORE_OK);
	assert_string_equal(id, "configured-1");
	free(id);
	int64_t pending = -1, sent = -1, v = -1;
	assert_int_equal(store_feedback_counts(s, &pending, &sent), STORE_OK);
	assert_int_equal(store_content_version(s, &v), STORE_OK);
	char *report = NULL;
	assert_int_equal(store_check(s, &report), STORE_OK);
	assert_string_equal(report, "ok");
	free(report);
	/* A write is refused by the connection itself. */
	assert_int_equal(store_content_version_set(s, 7), STORE_ERR_READONLY);
	store_close(s);
	assert_file_is(path, before, len);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM meta WHERE key = 'kiosk_id'"), 0);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM content_history"), 0);
	free(before);
	free(path);
}

/* A worker's connection never creates, migrates or renames. */
static void test_worker_never_migrates_or_recovers(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *s = (struct store *)1;
	assert_int_equal(store_open(path, STORE_OPEN_WORKER, &s), STORE_ERR_OPEN);
	assert_null(s);
	assert_false(path_exists(path));

	/* An older schema: the kiosk upgrades it at its start, a worker never. */
	sql_exec(path, "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) "
		       "WITHOUT ROWID; PRAGMA user_version = 1;");
	assert_int_equal(store_open(path, STORE_OPEN_WORKER, &s), STORE_ERR_SCHEMA);
	assert_null(s);
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 1);
	unlink(path);

	/* A damaged file is reported and left where it is. */
	free(test_write(dir, "kiosk.sqlite3", "this is no database, only some bytes ......"
					       "...............................................", 0));
	size_t len;
	char *before = slurp(path, &len);
	assert_int_equal(store_open(path, STORE_OPEN_WORKER, &s), STORE_ERR_CORRUPT);
	assert_null(s);
	assert_file_is(path, before, len);
	assert_int_equal(count_names(dir, ".corrupt-"), 0);
	free(before);
	free(path);
}

/* The kiosk sets the file aside and makes a new one while a worker holds a
 * connection to the old one: the worker's next write is an error it
 * reports, not a crash and not a write into the kept file. */
static void test_worker_meets_a_replaced_database(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *kiosk = NULL, *worker = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &kiosk), STORE_OK);
	assert_int_equal(store_survey_put(kiosk, "fb", 1, "{}"), STORE_OK);
	char id[STORE_ID_LEN + 1];
	insert_one(kiosk, id);
	store_close(kiosk);
	assert_int_equal(store_open(path, STORE_OPEN_WORKER, &worker), STORE_OK);
	assert_int_equal(store_synchronous(worker), 2); /* it writes feedback state */

	/* Another process recovers: the old file is kept aside, a new one made. */
	char *kept = xasprintf("%s.corrupt-20261129-120000", path);
	assert_int_equal(rename(path, kept), 0);
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &kiosk), STORE_OK);
	store_close(kiosk);

	const char *ids[] = {id};
	size_t marked = 99;
	assert_int_equal(store_outbox_mark_sent(worker, ids, 1, &marked), STORE_ERR_REPLACED);
	assert_int_equal(marked, 0);
	assert_int_equal(store_content_version_set(worker, 9), STORE_ERR_REPLACED);
	store_close(worker);
	assert_int_equal(sql_int(kept, "SELECT count(*) FROM outbox WHERE sent = 1"), 0);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM content_history"), 0);
	free(kept);
	free(path);
}

/* Sync marks what the server confirmed, on its worker connection, beside
 * the kiosk's own; many ids span several short transactions. */
static void test_outbox_mark_sent(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *kiosk = NULL, *worker = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &kiosk), STORE_OK);
	assert_int_equal(store_survey_put(kiosk, "fb", 1, "{}"), STORE_OK);
	enum { N = 3000 };
	char (*ids)[STORE_ID_LEN + 1] = calloc(N, sizeof *ids);
	const char **half = calloc(N / 2 + 1, sizeof *half);
	for (int i = 0; i < N; i++)
		insert_one(kiosk, ids[i]);
	for (int i = 0; i < N / 2; i++)
		half[i] = ids[2 * i];
	half[N / 2] = "not-a-response-of-ours";
	assert_int_equal(store_open(path, STORE_OPEN_WORKER, &worker), STORE_OK);
	size_t marked = 0;
	assert_int_equal(store_outbox_mark_sent(worker, half, N / 2 + 1, &marked), STORE_OK);
	assert_int_equal(marked, N / 2);
	/* Again: nothing changes, nothing is counted twice. */
	assert_int_equal(store_outbox_mark_sent(worker, half, N / 2, &marked), STORE_OK);
	assert_int_equal(marked, 0);
	int64_t pending = -1, sent = -1;
	assert_int_equal(store_feedback_counts(kiosk, &pending, &sent), STORE_OK);
	assert_int_equal(pending, N - N / 2);
	assert_int_equal(sent, N / 2);
	/* The kiosk still submits beside it. */
	char more[STORE_ID_LEN + 1];
	insert_one(kiosk, more);
	store_close(worker);
	store_close(kiosk);
	free(half);
	free(ids);
	free(path);
}

/* Collects the distinct responses of a batch, as sync writes its bytes. */
struct batch_rows {
	char ids[16][STORE_ID_LEN + 1];
	int n;
	int answers;
};

static int collect_row(const struct store_answer_row *row, void *user)
{
	struct batch_rows *b = user;
	b->answers++;
	if (b->n == 0 || strcmp(b->ids[b->n - 1], row->response_id) != 0) {
		assert_true(b->n < 16);
		snprintf(b->ids[b->n++], STORE_ID_LEN + 1, "%s", row->response_id);
	}
	return 0;
}

static void insert_at(struct store *s, int64_t hour, char *id)
{
	struct store_answer answers[] = {{"helped", "4", 0}, {"comment", "Gut", 1}};
	struct store_response r = {"kiosk-1", "fb", 1, "de", hour, answers, 2};
	assert_int_equal(store_feedback_insert(s, &r, id), STORE_OK);
}

/* A batch takes only responses of hours that have ended, each response
 * lands in one batch only, its bytes stay fixed until the server confirms,
 * and a dropped batch gives its responses back. */
static void test_sync_batches(void **state)
{
	const char *dir = *state;
	char *path = path_join(dir, "kiosk.sqlite3");
	struct store *kiosk = NULL, *worker = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_RECOVER, &kiosk), STORE_OK);
	assert_int_equal(store_survey_put(kiosk, "fb", 1, "{}"), STORE_OK);
	const int64_t now_hour = 1795600800;
	char ids[7][STORE_ID_LEN + 1];
	for (int i = 0; i < 5; i++)
		insert_at(kiosk, now_hour - 3600 * (i % 2 + 1), ids[i]);
	insert_at(kiosk, now_hour, ids[5]); /* this hour: not yet */
	insert_at(kiosk, now_hour, ids[6]);
	assert_int_equal(store_open(path, STORE_OPEN_WORKER, &worker), STORE_OK);

	/* A batch of at most 3, dropped: nothing is taken. */
	char batch[STORE_ID_LEN + 1];
	size_t n = 0;
	assert_int_equal(store_batch_make(worker, now_hour, 3, batch, &n), STORE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_batch_drop(worker, batch), STORE_OK);
	char unkept[STORE_ID_LEN + 1];
	assert_int_equal(store_batch_unkept(worker, unkept), STORE_ERR_NOT_FOUND);
	int64_t count = -1;
	assert_int_equal(store_batch_count(worker, &count), STORE_OK);
	assert_int_equal(count, 0);

	/* Two batches take the five ended hours between them, none twice. */
	struct batch_rows seen[2] = {0};
	char made[2][STORE_ID_LEN + 1];
	for (int b = 0; b < 2; b++) {
		assert_int_equal(store_batch_make(worker, now_hour, 3, made[b], &n), STORE_OK);
		assert_int_equal(n, b == 0 ? 3 : 2);
		assert_int_equal(store_answers_each_in_batch(worker, made[b], collect_row, &seen[b],
							     NULL), STORE_OK);
		assert_int_equal(seen[b].n, (int)n);
		assert_int_equal(seen[b].answers, 2 * (int)n);
		/* Made and not yet kept (as after a crash between the steps):
		 * found again, and nothing else makes it twice. */
		assert_int_equal(store_batch_unkept(worker, unkept), STORE_OK);
		assert_string_equal(unkept, made[b]);
		char *body = xasprintf("batch %d", b);
		assert_int_equal(store_batch_keep(worker, made[b], body, strlen(body)), STORE_OK);
		free(body);
	}
	assert_string_not_equal(made[0], made[1]);
	for (int i = 0; i < seen[0].n; i++)
		for (int k = 0; k < seen[1].n; k++)
			assert_string_not_equal(seen[0].ids[i], seen[1].ids[k]);
	for (int b = 0; b < 2; b++)
		for (int i = 0; i < seen[b].n; i++)
			assert_true(strcmp(seen[b].ids[i], ids[5]) && strcmp(seen[b].ids[i], ids[6]));
	assert_int_equal(store_batch_make(worker, now_hour, 3, batch, &n), STORE_OK);
	assert_int_equal(n, 0); /* the rest is of this hour */

	/* The oldest batch comes back with the same bytes until confirmed. */
	for (int round = 0; round < 2; round++) {
		void *body = NULL;
		size_t len = 0, responses = 0;
		assert_int_equal(store_batch_next(worker, batch, &body, &len, &responses), STORE_OK);
		assert_string_equal(batch, made[0]);
		assert_int_equal(responses, 3);
		assert_int_equal(len, 7);
		assert_memory_equal(body, "batch 0", 7);
		free(body);
	}
	size_t marked = 0;
	assert_int_equal(store_batch_sent(worker, made[0], &marked), STORE_OK);
	assert_int_equal(marked, 3);
	assert_int_equal(store_batch_sent(worker, made[0], &marked), STORE_OK);
	assert_int_equal(marked, 0); /* confirmed twice: counted once */
	int64_t pending = -1, sent = -1;
	assert_int_equal(store_feedback_counts(kiosk, &pending, &sent), STORE_OK);
	assert_int_equal(pending, 4);
	assert_int_equal(sent, 3);
	void *body = NULL;
	size_t len = 0, responses = 0;
	assert_int_equal(store_batch_next(worker, batch, &body, &len, &responses), STORE_OK);
	assert_string_equal(batch, made[1]);
	free(body);
	assert_int_equal(store_batch_sent(worker, made[1], &marked), STORE_OK);
	assert_int_equal(store_batch_next(worker, batch, &body, &len, &responses),
			 STORE_ERR_NOT_FOUND);
	assert_null(body);
	/* An hour later the rest can go. */
	assert_int_equal(store_batch_make(worker, now_hour + 3600, 10, batch, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_batch_drop(worker, batch), STORE_OK);
	store_close(worker);
	store_close(kiosk);
	free(path);
}

static void test_strerror(void **state)
{
	for (int e = STORE_OK; e <= STORE_ERR_READONLY; e++) {
		const char *m = store_strerror((enum store_err)e);
		assert_non_null(m);
		assert_true(strlen(m) > 1);
		assert_string_not_equal(m, "unknown error");
	}
	assert_string_equal(store_strerror(STORE_OK), "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cannot_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_schema_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_random_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_damaged_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_twice_keeps_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kiosk_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feedback_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_never_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_never_migrates_or_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_meets_a_replaced_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_mark_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_batches, setup, teardown),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests_name("store", tests, group_setup, group_teardown);
}
