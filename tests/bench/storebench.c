/* storebench: the database side of tests/bench/run (DESIGN.md §8).
 *
 *   storebench submit DIR N SURVEY_JSON
 *       submit_p99: commits N responses of the demo survey's size (6 answers)
 *       through store_feedback_insert into DIR/kiosk.sqlite3, and N of the
 *       same rows with bare SQLite into DIR/bare.sqlite3 (the same schema,
 *       WAL, synchronous=FULL, foreign keys on, one transaction per response,
 *       statements prepared once), alternating in blocks; prints
 *       "RESULT who=kiosk|bare n=N p50=MS p99=MS max=MS" per side.
 *   storebench submit-busy DIR N SURVEY_JSON
 *       the same with a worker writing beside each side all the time, as
 *       sync does when it marks what the server confirmed: both files hold
 *       BUSY_ROWS waiting responses; the kiosk's writer marks them sent
 *       through store_outbox_mark_sent on a worker connection, the bare
 *       writer with its own UPDATEs (busy_timeout 5 s, SQLite's handler),
 *       100 rows a transaction, one transaction every 10 ms; prints
 *       "RESULT who=kiosk-busy|bare-busy …" and "WRITER who=… txns=N".
 *   storebench submit-sync DIR N SURVEY_JSON URL
 *       the same, but the writer beside the kiosk's submits is a real sync
 *       pass (sync_pass of the kiosk_sync library, export_write_batch as its
 *       write_batch, batches of 200 as on the kiosk) on a worker connection,
 *       uploading to the WebDAV server at URL (the runner's harness nginx),
 *       over SYNC_ROWS due responses of 6 answers each; the bare file holds
 *       the same rows, and its own writer marks them sent as in submit-busy.
 *       Prints "RESULT who=kiosk-sync|bare-busy
 *       …", "WRITER who=bare-busy …" and "SYNC batches=N window=N passes=N
 *       ran_out=yes|no err=…" (window: batches the server confirmed while the
 *       commits were timed).
 *   storebench gen DB N_ANSWERS SURVEY_JSON
 *       export: makes DB through store_open (schema, settings), keeps the
 *       survey and writes responses of 6 answers until there are N_ANSWERS,
 *       in one transaction with prepared statements, then checkpoints.
 *
 * Built by the harness with cc against build-bench's static libraries
 * (libkiosk_sync.a, libkiosk_export.a, libkiosk_content.a, libkiosk_store.a,
 * libkiosk_core.a) and the system's SQLite, libcurl, jansson and md4c.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "kiosk/core.h"
#include "kiosk/export.h"
#include "kiosk/store.h"
#include "kiosk/sync.h"

#define SURVEY_ID "kiosk-feedback"
/* 2026-01-01T00:00:00Z: the generated responses spread over a year from here. */
#define HOUR0 INT64_C(1767225600)

static const char *const topics[] = {"projekt", "diskriminierungsfrei", "plattformen",
				     "prozesse", "beteiligung", "strategie", "mitmachen"};
static const char *const internet[] = {"yes", "no", "phone"};
static const char *const scale[] = {"1", "2", "3", "4", "5"};
static const char *const yesno[] = {"yes", "no"};
/* What residents type: mostly short, now and then a comma, quotes or a line. */
static const char *const comments[] = {
	"Sehr hilfreich, danke!",
	"Die Filme waren gut, aber die Schrift könnte größer sein.",
	"Mehr davon in der Bibliothek",
	"Ich wusste nicht, dass es so etwas gibt. Gerne wieder \"vor Ort\".",
	"Zu viel Text.\nAber gut erklärt.",
	"-",
	"Bitte auch auf Türkisch und Ukrainisch vorlesen",
	"Gut",
};

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

#define PICK(a) (a[rnd(sizeof a / sizeof a[0])])

static void fill_answers(struct store_answer *a)
{
	a[0] = (struct store_answer){"helped", PICK(scale), 0};
	a[1] = (struct store_answer){"topic", PICK(topics), 1};
	a[2] = (struct store_answer){"internet", PICK(internet), 2};
	a[3] = (struct store_answer){"easy", PICK(scale), 3};
	a[4] = (struct store_answer){"more", PICK(yesno), 4};
	a[5] = (struct store_answer){"comment", PICK(comments), 5};
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int die(const char *what, sqlite3 *db)
{
	fprintf(stderr, "storebench: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "storebench: %s: %s\n", sql, msg);
		exit(1);
	}
}

static char *read_file(const char *path)
{
	char *text = NULL;
	size_t len;
	if (file_read_all(path, &text, &len) != 0) {
		fprintf(stderr, "storebench: cannot read %s\n", path);
		exit(1);
	}
	return text;
}

/* ---- bare SQLite, the peer of submit_p99 ---- */
struct bare {
	sqlite3 *db;
	sqlite3_stmt *response, *answer, *outbox, *begin, *commit;
};

static void bare_open(struct bare *b, const char *path, const char *survey_json)
{
	if (sqlite3_open(path, &b->db) != SQLITE_OK)
		die(path, b->db);
	exec(b->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		    "PRAGMA foreign_keys = ON;");
	/* The same tables and keys as the kiosk's migration 3. */
	exec(b->db, "CREATE TABLE survey (id TEXT NOT NULL, version INTEGER NOT NULL,"
		    "  definition TEXT NOT NULL, PRIMARY KEY (id, version)) WITHOUT ROWID;"
		    "CREATE TABLE response (id TEXT PRIMARY KEY NOT NULL, kiosk_id TEXT NOT NULL,"
		    "  survey_id TEXT NOT NULL, survey_version INTEGER NOT NULL,"
		    "  hour INTEGER NOT NULL CHECK (hour % 3600 = 0), language TEXT NOT NULL,"
		    "  FOREIGN KEY (survey_id, survey_version) REFERENCES survey (id, version)"
		    ") WITHOUT ROWID;"
		    "CREATE INDEX response_by_hour ON response (hour, id);"
		    "CREATE TABLE answer (response_id TEXT NOT NULL REFERENCES response (id)"
		    "  ON DELETE CASCADE, position INTEGER NOT NULL, question_id TEXT NOT NULL,"
		    "  value TEXT NOT NULL, PRIMARY KEY (response_id, position, value)"
		    ") WITHOUT ROWID;"
		    "CREATE TABLE outbox (response_id TEXT PRIMARY KEY NOT NULL REFERENCES"
		    "  response (id) ON DELETE CASCADE, batch_id TEXT,"
		    "  sent INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;");
	sqlite3_stmt *st;
	sqlite3_prepare_v2(b->db, "INSERT INTO survey VALUES (?1, 1, ?2)", -1, &st, NULL);
	sqlite3_bind_text(st, 1, SURVEY_ID, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, survey_json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		die("survey", b->db);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(b->db, "INSERT INTO response (id, kiosk_id, survey_id, "
			       "survey_version, hour, language) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &b->response, NULL) ||
	    sqlite3_prepare_v2(b->db, "INSERT INTO answer (response_id, position, question_id, "
			       "value) VALUES (?1, ?2, ?3, ?4)", -1, &b->answer, NULL) ||
	    sqlite3_prepare_v2(b->db, "INSERT INTO outbox (response_id) VALUES (?1)", -1,
			       &b->outbox, NULL) ||
	    sqlite3_prepare_v2(b->db, "BEGIN IMMEDIATE", -1, &b->begin, NULL) ||
	    sqlite3_prepare_v2(b->db, "COMMIT", -1, &b->commit, NULL))
		die("prepare", b->db);
}

static void step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die("insert", db);
	sqlite3_reset(st);
}

static void bare_insert(struct bare *b, const struct store_response *r, const char *id)
{
	step(b->db, b->begin);
	sqlite3_bind_text(b->response, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->response, 2, r->kiosk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->response, 3, r->survey_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b->response, 4, r->survey_version);
	sqlite3_bind_int64(b->response, 5, r->hour);
	sqlite3_bind_text(b->response, 6, r->language, -1, SQLITE_STATIC);
	step(b->db, b->response);
	for (size_t i = 0; i < r->n_answers; i++) {
		sqlite3_bind_text(b->answer, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int(b->answer, 2, r->answers[i].position);
		sqlite3_bind_text(b->answer, 3, r->answers[i].question_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(b->answer, 4, r->answers[i].value, -1, SQLITE_STATIC);
		step(b->db, b->answer);
	}
	sqlite3_bind_text(b->outbox, 1, id, -1, SQLITE_STATIC);
	step(b->db, b->outbox);
	step(b->db, b->commit);
}

static void bare_close(struct bare *b)
{
	sqlite3_finalize(b->response);
	sqlite3_finalize(b->answer);
	sqlite3_finalize(b->outbox);
	sqlite3_finalize(b->begin);
	sqlite3_finalize(b->commit);
	sqlite3_close(b->db);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *who, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, cmp_double);
	int p99 = (int)((99 * (long)n + 99) / 100) - 1; /* nearest rank */
	printf("RESULT who=%s n=%d p50=%.3f p99=%.3f max=%.3f\n", who, n, ms[n / 2], ms[p99],
	       ms[n - 1]);
}

/* ---- submit-busy: a writer beside each side ---- */
#define BUSY_ROWS 200000 /* more than the writers get through while measured */
#define BUSY_CHUNK 100

struct writer {
	const char *who;
	const char *path;
	bool kiosk;            /* through the store's worker connection, else bare */
	char (*ids)[STORE_ID_LEN + 1];
	size_t n_ids;
	atomic_bool stop;
	long txns;
	pthread_t thread;
};

/* Fills the outbox of the file at path with BUSY_ROWS waiting responses,
 * quickly (test data only), and returns their ids. */
static char (*fill_outbox(const char *path))[STORE_ID_LEN + 1]
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, db);
	exec(db, "PRAGMA synchronous = OFF; BEGIN");
	sqlite3_stmt *resp, *out;
	if (sqlite3_prepare_v2(db, "INSERT INTO response (id, kiosk_id, survey_id, survey_version, "
			       "hour, language) VALUES (?1, 'kiosk-0123456789abcdef', '" SURVEY_ID
			       "', 1, ?2, 'de')", -1, &resp, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO outbox (response_id) VALUES (?1)", -1, &out, NULL))
		die("prepare", db);
	char (*ids)[STORE_ID_LEN + 1] = calloc(BUSY_ROWS, sizeof *ids);
	for (size_t i = 0; i < BUSY_ROWS; i++) {
		id_random_hex(ids[i], STORE_ID_LEN / 2);
		sqlite3_bind_text(resp, 1, ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(resp, 2, HOUR0 + 3600 * (int64_t)rnd(8760));
		step(db, resp);
		sqlite3_bind_text(out, 1, ids[i], -1, SQLITE_STATIC);
		step(db, out);
	}
	sqlite3_finalize(resp);
	sqlite3_finalize(out);
	exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
	sqlite3_close(db);
	return ids;
}

static void pause_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

static void *kiosk_writer(struct writer *w)
{
	struct store *s;
	if (store_open(w->path, STORE_OPEN_WORKER, &s) != STORE_OK) {
		fprintf(stderr, "storebench: %s: no worker connection\n", w->path);
		exit(1);
	}
	const char *chunk[BUSY_CHUNK];
	for (size_t at = 0; !atomic_load(&w->stop) && at + BUSY_CHUNK <= w->n_ids;
	     at += BUSY_CHUNK) {
		for (size_t i = 0; i < BUSY_CHUNK; i++)
			chunk[i] = w->ids[at + i];
		if (store_outbox_mark_sent(s, chunk, BUSY_CHUNK, NULL) != STORE_OK)
			exit(1);
		w->txns++;
		pause_ms(10);
	}
	store_close(s);
	return NULL;
}

static void *bare_writer(struct writer *w)
{
	sqlite3 *db;
	sqlite3_stmt *mark;
	if (sqlite3_open(w->path, &db) != SQLITE_OK)
		die(w->path, db);
	sqlite3_busy_timeout(db, 5000);
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
	if (sqlite3_prepare_v2(db, "UPDATE outbox SET sent = 1 WHERE response_id = ?1 AND sent = 0",
			       -1, &mark, NULL))
		die("prepare", db);
	for (size_t at = 0; !atomic_load(&w->stop) && at + BUSY_CHUNK <= w->n_ids;
	     at += BUSY_CHUNK) {
		exec(db, "BEGIN IMMEDIATE");
		for (size_t i = 0; i < BUSY_CHUNK; i++) {
			sqlite3_bind_text(mark, 1, w->ids[at + i], -1, SQLITE_STATIC);
			step(db, mark);
		}
		exec(db, "COMMIT");
		w->txns++;
		pause_ms(10);
	}
	sqlite3_finalize(mark);
	sqlite3_close(db);
	return NULL;
}

static void *writer_main(void *data)
{
	struct writer *w = data;
	return w->kiosk ? kiosk_writer(w) : bare_writer(w);
}

static void writer_start(struct writer *w)
{
	atomic_store(&w->stop, false);
	if (!w->ids) {
		w->ids = fill_outbox(w->path);
		w->n_ids = BUSY_ROWS;
	}
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		fprintf(stderr, "storebench: no writer thread\n");
		exit(1);
	}
}

static void writer_stop(struct writer *w)
{
	atomic_store(&w->stop, true);
	pthread_join(w->thread, NULL);
	/* A writer that ran out of rows before the end was not busy all along. */
	printf("WRITER who=%s txns=%ld ran_out=%s\n", w->who, w->txns,
	       w->txns * BUSY_CHUNK >= (long)w->n_ids ? "yes" : "no");
	free(w->ids);
}

/* ---- submit-sync: a real sync pass beside the kiosk's submits ---- */
#define SYNC_ROWS 300000 /* due responses: more than a pass gets through while measured */

struct syncer {
	const char *path, *dir, *url;
	char *kiosk_id;
	atomic_bool stop;
	atomic_long batches;   /* confirmed by the server */
	long passes;
	atomic_bool ran_out;   /* a pass ended with nothing left to send */
	char err[600];
	pthread_t thread;
};

/* The kiosk's own writer of batches, as the kiosk's sync job uses it. */
static int write_batch(struct store *s, const char *batch_id, FILE *out)
{
	return export_write_batch(s, batch_id, out) == EXPORT_OK ? 0 : -1;
}

static void on_batch(void *data, const char *batch_id, size_t responses)
{
	(void)batch_id, (void)responses;
	atomic_fetch_add(&((struct syncer *)data)->batches, 1);
}

static bool sync_cancelled(void *data) { return atomic_load(&((struct syncer *)data)->stop); }

/* SYNC_ROWS responses of 6 answers, of hours that have ended (the last 30
 * days), waiting in the outbox of the file at path (the kiosk's, or the bare
 * one, so that both hold the same rows): test data, no fsync.  Returns their
 * ids. */
static char (*fill_due(const char *path, const char *kiosk_id))[STORE_ID_LEN + 1]
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, db);
	exec(db, "PRAGMA synchronous = OFF; BEGIN");
	sqlite3_stmt *resp, *ans, *out;
	if (sqlite3_prepare_v2(db, "INSERT INTO response (id, kiosk_id, survey_id, survey_version, "
			       "hour, language) VALUES (?1, ?2, '" SURVEY_ID "', 1, ?3, 'de')", -1,
			       &resp, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO answer (response_id, position, question_id, value) "
			       "VALUES (?1, ?2, ?3, ?4)", -1, &ans, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO outbox (response_id) VALUES (?1)", -1, &out, NULL))
		die("prepare", db);
	int64_t now_hour = (int64_t)time(NULL) / 3600 * 3600;
	char (*ids)[STORE_ID_LEN + 1] = calloc(SYNC_ROWS, sizeof *ids);
	struct store_answer a[6];
	for (size_t i = 0; i < SYNC_ROWS; i++) {
		char *id = ids[i];
		id_random_hex(id, STORE_ID_LEN / 2);
		fill_answers(a);
		sqlite3_bind_text(resp, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(resp, 2, kiosk_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(resp, 3, now_hour - 3600 * (1 + (int64_t)rnd(24 * 30)));
		step(db, resp);
		for (int k = 0; k < 6; k++) {
			sqlite3_bind_text(ans, 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_int(ans, 2, a[k].position);
			sqlite3_bind_text(ans, 3, a[k].question_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(ans, 4, a[k].value, -1, SQLITE_STATIC);
			step(db, ans);
		}
		sqlite3_bind_text(out, 1, id, -1, SQLITE_STATIC);
		step(db, out);
	}
	sqlite3_finalize(resp);
	sqlite3_finalize(ans);
	sqlite3_finalize(out);
	exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
	sqlite3_close(db);
	return ids;
}

static void *syncer_main(void *data)
{
	struct syncer *y = data;
	struct store *s;
	if (store_open(y->path, STORE_OPEN_WORKER, &s) != STORE_OK) {
		fprintf(stderr, "storebench: %s: no worker connection\n", y->path);
		exit(1);
	}
	/* As the kiosk's sync job sets them (app/ui/syncing.c). */
	struct sync_options o = {
		.url = y->url, .user = "", .token_file = "", .ca_file = "",
		.kiosk_id = y->kiosk_id, .data_dir = y->dir, .batch_size = 200, .stall_s = 20,
		.write_batch = write_batch, .on_batch = on_batch, .cancelled = sync_cancelled,
		.data = y,
	};
	while (!atomic_load(&y->stop)) {
		struct sync_result r;
		o.now_s = (int64_t)time(NULL);
		enum sync_err e = sync_pass(s, &o, &r);
		y->passes++;
		if (e == SYNC_OK) {
			atomic_store(&y->ran_out, true); /* all due was sent: no writer any more */
			break;
		}
		if (e != SYNC_ERR_CANCELLED)
			snprintf(y->err, sizeof y->err, "%s", r.message);
		break;
	}
	store_close(s);
	return NULL;
}

static int cmd_submit(const char *dir, int n, const char *survey_path, bool busy,
		      const char *sync_url)
{
	char *survey_json = read_file(survey_path);
	char *kpath = path_join(dir, "kiosk.sqlite3");
	char *bpath = path_join(dir, "bare.sqlite3");
	struct store *s;
	if (store_open(kpath, STORE_OPEN_RECOVER, &s) != STORE_OK ||
	    store_survey_put(s, SURVEY_ID, 1, survey_json) != STORE_OK) {
		fprintf(stderr, "storebench: %s: cannot open\n", kpath);
		return 1;
	}
	struct bare b;
	bare_open(&b, bpath, survey_json);
	struct writer kw = {.who = "kiosk-busy", .path = kpath, .kiosk = true};
	struct writer bw = {.who = "bare-busy", .path = bpath, .kiosk = false};
	struct syncer sy = {.path = kpath, .dir = dir, .url = sync_url};
	if (busy) {
		sqlite3_busy_timeout(b.db, 5000); /* the plain way to wait for a writer */
		if (sync_url) {
			if (store_kiosk_id(s, "", &sy.kiosk_id) != STORE_OK) {
				fprintf(stderr, "storebench: %s: no kiosk id\n", kpath);
				return 1;
			}
			free(fill_due(kpath, sy.kiosk_id));
			/* The bare file gets the same rows, so that both B-trees are alike;
			 * its writer marks them sent as in submit-busy. */
			bw.ids = fill_due(bpath, sy.kiosk_id);
			bw.n_ids = SYNC_ROWS;
		} else {
			writer_start(&kw);
		}
		writer_start(&bw);
		/* After the bare side's rows are written: the pass starts with the commits. */
		if (sync_url && pthread_create(&sy.thread, NULL, syncer_main, &sy) != 0) {
			fprintf(stderr, "storebench: no sync thread\n");
			return 1;
		}
	}
	double *kms = calloc((size_t)n, sizeof *kms), *bms = calloc((size_t)n, sizeof *bms);
	struct store_answer a[6];
	struct store_response r = {.kiosk_id = "kiosk-0123456789abcdef", .survey_id = SURVEY_ID,
				   .survey_version = 1, .language = "de", .answers = a,
				   .n_answers = 6};
	char id[STORE_ID_LEN + 1];
	/* Warm-up, not counted: both files exist, their first pages are written. */
	for (int i = 0; i < 20; i++) {
		fill_answers(a);
		r.hour = HOUR0 + 3600 * (int64_t)rnd(8760);
		if (store_feedback_insert(s, &r, id) != STORE_OK)
			return 1;
		id_random_hex(id, STORE_ID_LEN / 2);
		bare_insert(&b, &r, id);
	}
	long window0 = atomic_load(&sy.batches);
	/* Alternating blocks, so that a slow spell of the disk meets both. */
	const int block = 50;
	int nk = 0, nb = 0;
	while (nk < n || nb < n) {
		for (int i = 0; i < block && nk < n; i++, nk++) {
			fill_answers(a);
			r.hour = HOUR0 + 3600 * (int64_t)rnd(8760);
			double t = now_ms();
			if (store_feedback_insert(s, &r, id) != STORE_OK)
				return 1;
			kms[nk] = now_ms() - t;
		}
		for (int i = 0; i < block && nb < n; i++, nb++) {
			fill_answers(a);
			r.hour = HOUR0 + 3600 * (int64_t)rnd(8760);
			double t = now_ms();
			id_random_hex(id, STORE_ID_LEN / 2);
			bare_insert(&b, &r, id);
			bms[nb] = now_ms() - t;
		}
	}
	long window = atomic_load(&sy.batches) - window0;
	bool sync_ended = sync_url && atomic_load(&sy.ran_out); /* before the stop: by itself */
	if (busy) {
		if (sync_url) {
			atomic_store(&sy.stop, true);
			pthread_join(sy.thread, NULL);
			printf("SYNC batches=%ld window=%ld passes=%ld ran_out=%s err=%s\n",
			       atomic_load(&sy.batches), window, sy.passes,
			       sync_ended ? "yes" : "no", *sy.err ? "yes" : "none");
			if (*sy.err)
				fprintf(stderr, "storebench: sync: %s\n", sy.err);
			free(sy.kiosk_id);
		} else {
			writer_stop(&kw);
		}
		writer_stop(&bw);
	}
	int sync_k = store_synchronous(s);
	report(!busy ? "kiosk" : sync_url ? "kiosk-sync" : "kiosk-busy", kms, n);
	report(busy ? "bare-busy" : "bare", bms, n);
	printf("SETTINGS kiosk_synchronous=%d\n", sync_k);
	store_close(s);
	bare_close(&b);
	free(kms);
	free(bms);
	free(kpath);
	free(bpath);
	free(survey_json);
	return 0;
}

static int cmd_gen(const char *path, long n_answers, const char *survey_path)
{
	char *survey_json = read_file(survey_path);
	struct store *s;
	/* The kiosk's own schema and settings, and the survey kept as the kiosk keeps it. */
	if (store_open(path, STORE_OPEN_RECOVER, &s) != STORE_OK ||
	    store_survey_put(s, SURVEY_ID, 1, survey_json) != STORE_OK) {
		fprintf(stderr, "storebench: %s: cannot open\n", path);
		return 1;
	}
	store_close(s);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, db);
	/* Only the making of test data is allowed to skip durability. */
	exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN");
	sqlite3_stmt *resp, *ans, *out;
	if (sqlite3_prepare_v2(db, "INSERT INTO response (id, kiosk_id, survey_id, survey_version, "
			       "hour, language) VALUES (?1, 'kiosk-0123456789abcdef', '" SURVEY_ID
			       "', 1, ?2, ?3)", -1, &resp, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO answer (response_id, position, question_id, value) "
			       "VALUES (?1, ?2, ?3, ?4)", -1, &ans, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO outbox (response_id) VALUES (?1)", -1, &out, NULL))
		die("prepare", db);
	static const char *const langs[] = {"de", "de", "de", "en", "tr", "uk", "ar", "de-x-ls"};
	long written = 0, responses = 0;
	char id[STORE_ID_LEN + 1];
	struct store_answer a[6];
	while (written < n_answers) {
		fill_answers(a);
		long k = n_answers - written < 6 ? n_answers - written : 6;
		id_random_hex(id, STORE_ID_LEN / 2);
		sqlite3_bind_text(resp, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(resp, 2, HOUR0 + 3600 * (int64_t)rnd(8760));
		sqlite3_bind_text(resp, 3, PICK(langs), -1, SQLITE_STATIC);
		step(db, resp);
		for (long i = 0; i < k; i++) {
			sqlite3_bind_text(ans, 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_int(ans, 2, a[i].position);
			sqlite3_bind_text(ans, 3, a[i].question_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(ans, 4, a[i].value, -1, SQLITE_STATIC);
			step(db, ans);
		}
		sqlite3_bind_text(out, 1, id, -1, SQLITE_STATIC);
		step(db, out);
		written += k;
		responses++;
	}
	sqlite3_finalize(resp);
	sqlite3_finalize(ans);
	sqlite3_finalize(out);
	exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
	sqlite3_close(db);
	printf("GEN answers=%ld responses=%ld\n", written, responses);
	free(survey_json);
	return 0;
}

int main(int argc, char **argv)
{
	log_init();
	if (argc == 5 && strcmp(argv[1], "submit") == 0)
		return cmd_submit(argv[2], atoi(argv[3]), argv[4], false, NULL);
	if (argc == 5 && strcmp(argv[1], "submit-busy") == 0)
		return cmd_submit(argv[2], atoi(argv[3]), argv[4], true, NULL);
	if (argc == 6 && strcmp(argv[1], "submit-sync") == 0) {
		sync_init(); /* libcurl's global set-up, before any thread */
		return cmd_submit(argv[2], atoi(argv[3]), argv[4], true, argv[5]);
	}
	if (argc == 5 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argv[2], atol(argv[3]), argv[4]);
	fprintf(stderr, "usage: storebench submit|submit-busy DIR N SURVEY_JSON | "
			"submit-sync DIR N SURVEY_JSON URL | gen DB N_ANSWERS SURVEY_JSON\n");
	return 2;
}
