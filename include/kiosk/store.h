/* store: the kiosk's SQLite database.
 *
 * One file under [kiosk] data_dir holds the kiosk's identity, which content
 * version is in use, and (later) feedback and its outbox.  The schema grows
 * by numbered migrations (PRAGMA user_version).  Every connection runs in
 * WAL mode with foreign keys on and synchronous=FULL, so that a committed
 * write survives a power cut.  Only this module includes <sqlite3.h>.
 */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_err {
	STORE_OK,            /* it worked */
	STORE_ERR_OPEN,      /* the file could not be opened or created */
	STORE_ERR_CORRUPT,   /* the file is not a healthy SQLite database */
	STORE_ERR_TOO_NEW,   /* the schema is newer than this program knows */
	STORE_ERR_IO,        /* a read or write failed (disk full, I/O error) */
	STORE_ERR_NOT_FOUND, /* no such row */
	STORE_ERR_SCHEMA,    /* a worker met a schema it may not migrate (the kiosk does) */
	STORE_ERR_REPLACED,  /* the file was set aside and replaced by another process */
	STORE_ERR_READONLY,  /* a write on a read-only connection */
};

const char *store_strerror(enum store_err err);

/* The schema version this program creates and understands. */
int store_schema_latest(void);

/* ---- Opening: connections by role (DESIGN.md §2) ---- */
enum store_open_mode {
	STORE_OPEN_RECOVER,  /* the kiosk's own: creates, migrates, sets a corrupt file aside */
	STORE_OPEN_EXISTING, /* creates and migrates, but never replaces a damaged file
	                      * (tests, and tools that set a database up) */
	STORE_OPEN_WORKER,   /* a worker (bundle import, sync): never creates,
	                      * migrates or renames; a file replaced meanwhile is an error */
	STORE_OPEN_READONLY, /* a tool that only reads (status, db check): never writes */
};

/* Opens the database in the given role.  RECOVER and EXISTING create
 * folders and file as needed and migrate; with RECOVER a corrupt file is
 * renamed to PATH.corrupt-YYYYMMDD-HHMMSS (kept, never deleted) and a new one
 * created; store_recovered_from() then names the kept file.  WORKER and
 * READONLY open only a file that is there, at the schema this program
 * writes.  *out is owned by the caller and closed with store_close(). */
enum store_err store_open(const char *path, enum store_open_mode mode, struct store **out);
void store_close(struct store *s);

const char *store_path(const struct store *s);
int store_schema_version(struct store *s);
/* PRAGMA synchronous of the connection (2 = FULL). */
int store_synchronous(struct store *s);
/* Where a corrupt database was moved, if that ever happened; NULL if not.
 * Borrowed: valid until store_close(). */
const char *store_recovered_from(const struct store *s);

/* Runs PRAGMA integrity_check; *report (caller frees) is "ok" or the problems. */
enum store_err store_check(struct store *s, char **report);
/* Checks that every table, index and column the schema version expects is
 * there, as the migrations make them (a database whose tables were dropped
 * can pass integrity_check).  *report (caller frees) is "ok" or a line per
 * thing missing or changed. */
enum store_err store_check_schema(struct store *s, char **report);

/* How long a worker's write transaction may hold the lock: a resident's
 * submit waits at most this long behind it. */
#define STORE_WORKER_TXN_MS 50

/* ---- Identity and content ---- */
/* The kiosk's id: the configured one if not empty, else the one made at the
 * first start (random, kept; made here on the kiosk's own connection).  On
 * any other connection an id not yet made is STORE_ERR_NOT_FOUND (*id NULL).
 * *id is owned by the caller. */
enum store_err store_kiosk_id(struct store *s, const char *configured, char **id);

/* The content version in use; 0 when none is installed yet. */
enum store_err store_content_version(struct store *s, int64_t *version);
/* Names a new version in use: one transaction, the single moment of change. */
enum store_err store_content_version_set(struct store *s, int64_t version);


/* ---- Feedback ----
 * Responses are anonymous by design (DESIGN.md §9): a random id, the hour
 * (never the minute), no order kept (random keys, no row ids). */
struct store_answer {
	const char *question_id;
	const char *value;   /* an option id, or the typed text */
	int position;        /* the question's place in its survey version */
};

struct store_response {
	const char *kiosk_id;
	const char *survey_id;
	int64_t survey_version;
	const char *language;
	int64_t hour;        /* seconds since the epoch, a multiple of 3600 */
	const struct store_answer *answers;
	size_t n_answers;
};

#define STORE_ID_LEN 32 /* hex digits of a response id */

/* Commits the response, its answers and its place in the outbox in one
 * transaction; when this returns STORE_OK the response survives a power
 * cut.  id (STORE_ID_LEN + 1 bytes) receives the new response's id. */
enum store_err store_feedback_insert(struct store *s, const struct store_response *r, char *id);
/* Keeps a survey definition (its exact JSON) so that responses always
 * export with their own version's questions.  A known version is kept as is. */
enum store_err store_survey_put(struct store *s, const char *survey_id, int64_t version,
				const char *json);
/* The definition kept for a survey version (*json the caller's), or
 * STORE_ERR_NOT_FOUND when that version was never kept. */
enum store_err store_survey_get(struct store *s, const char *survey_id, int64_t version,
				char **json);
/* Responses waiting in the outbox, and those the server has confirmed. */
enum store_err store_feedback_counts(struct store *s, int64_t *pending, int64_t *sent);
/* Marks the outbox entries of these responses as confirmed by the server
 * (sync, on its worker connection).  Commits in transactions of at most
 * STORE_WORKER_TXN_MS, so a resident's submit never waits long behind it;
 * ids not in the outbox are ignored.  *marked (may be NULL) counts the rows. */
enum store_err store_outbox_mark_sent(struct store *s, const char *const *response_ids, size_t n,
				      size_t *marked);

/* The admin PIN pad's wrong tries in a row and the wall-clock second its
 * lock ends (0: not locked): kept, so that a restart does not lift it. */
enum store_err store_admin_lock_get(struct store *s, int *failures, int64_t *locked_until);
enum store_err store_admin_lock_set(struct store *s, int failures, int64_t locked_until);

/* A worker connection whose writes can all be redone (sync's bookkeeping:
 * a batch made, kept, confirmed) commits without waiting for the disk
 * (WAL, synchronous=NORMAL): a power cut may lose its last commits, never
 * corrupt the file, and the next commit of a resident's response (FULL)
 * makes them durable too.  A lost "sent" mark means the same object is
 * written again, which the server holds once.  The fewer fsyncs keep a
 * resident's submit from waiting behind sync. */
enum store_err store_redoable_writes(struct store *s);

/* ---- Sync batches (batch.c), on the sync worker's connection ----
 * A batch is made in steps that each hold the write lock only briefly (a
 * resident's submit never waits behind the export of a batch):
 * store_batch_make() gives up to max unbatched responses of hours before
 * before_hour (a multiple of 3600: hours that have ended) a new random
 * batch id and commits; the caller writes the batch's bytes from
 * store_answers_each_in_batch() (the rows never change, so the bytes are
 * the same whenever they are written) and keeps them with
 * store_batch_keep(), or gives the responses back with store_batch_drop().
 * A batch made and never kept (a crash between) is found again by
 * store_batch_unkept() and gets its bytes then; it was never sent. */
enum store_err store_batch_make(struct store *s, int64_t before_hour, size_t max,
				char batch_id[STORE_ID_LEN + 1], size_t *n);
enum store_err store_batch_keep(struct store *s, const char *batch_id, const void *body,
				size_t len);
enum store_err store_batch_drop(struct store *s, const char *batch_id);
/* A batch id given to responses but without kept bytes, or
 * STORE_ERR_NOT_FOUND. */
enum store_err store_batch_unkept(struct store *s, char batch_id[STORE_ID_LEN + 1]);
/* The oldest batch not yet confirmed, with its fixed bytes (*body the
 * caller's), or STORE_ERR_NOT_FOUND. */
enum store_err store_batch_next(struct store *s, char batch_id[STORE_ID_LEN + 1], void **body,
				size_t *len, size_t *responses);
/* The server confirmed the batch: its responses are sent, it is dropped,
 * in one transaction.  *marked (may be NULL) counts the responses. */
enum store_err store_batch_sent(struct store *s, const char *batch_id, size_t *marked);
/* Batches made and not yet confirmed. */
enum store_err store_batch_count(struct store *s, int64_t *batches);
/* What a sync pass would send now: *batches kept, and *responses in them
 * and of hours before before_hour not yet in one (reads only). */
enum store_err store_batch_plan(struct store *s, int64_t before_hour, int64_t *batches,
				int64_t *responses);
/* A sync pass ended at when: error NULL for success (the last sync), else
 * what went wrong (kept until a pass succeeds). */
enum store_err store_sync_note(struct store *s, int64_t when, const char *error);
/* The ETag of the bundle last fetched from [sync] bundle_url (*etag the
 * caller's; NULL when none), and setting it. */
enum store_err store_bundle_etag(struct store *s, char **etag);
enum store_err store_bundle_etag_set(struct store *s, const char *etag);
/* The time of the last successful pass (0: never) and the error of the
 * last pass (*last_error the caller's; NULL when it succeeded). */
enum store_err store_sync_last(struct store *s, int64_t *last_ok, char **last_error);

/* One answer with its response's fields, as export reads them.  Borrowed
 * for the duration of the callback. */
struct store_answer_row {
	const char *response_id;
	const char *kiosk_id;
	const char *survey_id;
	int64_t survey_version;
	int64_t hour;
	const char *language;
	const char *question_id;
	const char *value;
	int position;
};

/* Calls fn for every answer, grouped by response (by hour, then by the
 * random id), in question order; fn returns non-zero to stop (that value is
 * then returned through *stopped, if given).  Streams: memory stays flat. */
enum store_err store_answers_each(struct store *s,
				  int (*fn)(const struct store_answer_row *row, void *user),
				  void *user, int *stopped);
/* The same for the responses of one batch, ordered by response id. */
enum store_err store_answers_each_in_batch(struct store *s, const char *batch_id,
					   int (*fn)(const struct store_answer_row *row,
						     void *user),
					   void *user, int *stopped);
/* Calls fn for every kept survey definition, newest version first. */
enum store_err store_surveys_each(struct store *s,
				  int (*fn)(const char *survey_id, int64_t version, const char *json,
					    void *user),
				  void *user);

#endif
