/* store: the outbox in sync batches.  A batch is made in one write
 * transaction: up to N responses of hours that have ended are given a new
 * random batch id, the caller reads them back (store_answers_each_in_batch)
 * to write the batch's bytes, and the bytes are kept with the batch before
 * the commit.  From then on every upload of the batch sends those bytes,
 * and only a confirmed upload marks its responses sent and drops the batch:
 * a response is in at most one batch, and a batch never changes. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"

#define LOG_MODULE "store"

/* Gives up to max unbatched responses of hours before before_hour the new
 * batch id: those whose ids follow from a random point of the id space on
 * (wrapping round to the start), so that a batch says nothing about when
 * its responses were given (the ids are random, unrelated to time), as an
 * ORDER BY random() would, but without reading and sorting every waiting
 * response while the write lock is held: the outbox_by_batch index walks
 * (batch_id IS NULL, response_id from the point on) and stops at max.
 * With a backlog of 100,000 responses the random sort took ~40 ms of CPU
 * per batch inside the lock (a resident's submit waited behind it, and the
 * screen shared its CPU with it); this takes well under a millisecond. */
static enum store_err assign_from(struct store *s, const char *batch_id, int64_t before_hour,
				  const char *from, bool after, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
				    after ? "UPDATE outbox SET batch_id = ?1 WHERE response_id IN ("
					    "  SELECT o.response_id FROM outbox o"
					    "  JOIN response r ON r.id = o.response_id"
					    "  WHERE o.batch_id IS NULL AND o.response_id >= ?4"
					    "  AND o.sent = 0 AND r.hour < ?2"
					    "  ORDER BY o.response_id LIMIT ?3)"
					  : "UPDATE outbox SET batch_id = ?1 WHERE response_id IN ("
					    "  SELECT o.response_id FROM outbox o"
					    "  JOIN response r ON r.id = o.response_id"
					    "  WHERE o.batch_id IS NULL AND o.response_id < ?4"
					    "  AND o.sent = 0 AND r.hour < ?2"
					    "  ORDER BY o.response_id LIMIT ?3)",
				    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, before_hour);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
		sqlite3_bind_text(st, 4, from, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE)
		return store_err_from_sqlite(rc);
	*n = (size_t)sqlite3_changes(s->db);
	return STORE_OK;
}

static enum store_err assign(struct store *s, const char *batch_id, int64_t before_hour,
			     size_t max, size_t *n)
{
	char from[STORE_ID_LEN + 1];
	id_random_hex(from, STORE_ID_LEN / 2);
	size_t more = 0;
	enum store_err e = assign_from(s, batch_id, before_hour, from, true, max, n);
	if (e == STORE_OK && *n < max)
		e = assign_from(s, batch_id, before_hour, from, false, max - *n, &more);
	*n += more;
	return e;
}

enum store_err store_batch_make(struct store *s, int64_t before_hour, size_t max,
				char batch_id[STORE_ID_LEN + 1], size_t *n)
{
	*n = 0;
	id_random_hex(batch_id, STORE_ID_LEN / 2);
	enum store_err e = store_begin_write(s);
	if (e != STORE_OK)
		return e;
	e = assign(s, batch_id, before_hour, max, n);
	if (e != STORE_OK || *n == 0) {
		store_rollback(s);
		return e;
	}
	return store_commit(s);
}

static int exec_bound(struct store *s, const char *sql, const char *batch_id);

enum store_err store_batch_keep(struct store *s, const char *batch_id, const void *body,
				size_t len)
{
	enum store_err e = store_begin_write(s);
	if (e != STORE_OK)
		return e;
	sqlite3_stmt *st;
	/* OR IGNORE: another pass (kioskctl beside the kiosk) may have kept the
	 * same batch meanwhile, with the same bytes. */
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT OR IGNORE INTO sync_batch (id, seq, responses, body) VALUES "
				    "(?1, (SELECT coalesce(max(seq), 0) + 1 FROM sync_batch),"
				    " (SELECT count(*) FROM outbox WHERE batch_id = ?1), ?2)",
				    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(st, 2, body, len, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		store_rollback(s);
		return store_err_from_sqlite(rc);
	}
	return store_commit(s);
}

enum store_err store_batch_drop(struct store *s, const char *batch_id)
{
	enum store_err e = store_begin_write(s);
	if (e != STORE_OK)
		return e;
	int rc = exec_bound(s, "UPDATE outbox SET batch_id = NULL WHERE batch_id = ?1 AND sent = 0 "
			    "AND NOT EXISTS (SELECT 1 FROM sync_batch WHERE id = ?1)", batch_id);
	if (rc != SQLITE_DONE) {
		store_rollback(s);
		return store_err_from_sqlite(rc);
	}
	return store_commit(s);
}

enum store_err store_batch_unkept(struct store *s, char batch_id[STORE_ID_LEN + 1])
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT batch_id FROM outbox WHERE batch_id IS NOT NULL AND sent = 0 "
				    "AND batch_id NOT IN (SELECT id FROM sync_batch) LIMIT 1",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	char *id = NULL;
	enum store_err e = store_text_of(st, &id);
	if (e == STORE_OK)
		snprintf(batch_id, STORE_ID_LEN + 1, "%s", id);
	free(id);
	return e;
}

enum store_err store_batch_next(struct store *s, char batch_id[STORE_ID_LEN + 1], void **body,
				size_t *len, size_t *responses)
{
	*body = NULL;
	*len = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT id, responses, body FROM sync_batch "
				    "ORDER BY seq LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	enum store_err e = STORE_ERR_NOT_FOUND;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(batch_id, STORE_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
		*responses = (size_t)sqlite3_column_int64(st, 1);
		*len = (size_t)sqlite3_column_bytes(st, 2);
		*body = xmalloc(*len + 1);
		if (*len)
			memcpy(*body, sqlite3_column_blob(st, 2), *len);
		e = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		e = store_err_from_sqlite(rc);
	}
	sqlite3_finalize(st);
	return e;
}

static int exec_bound(struct store *s, const char *sql, const char *batch_id)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return rc;
}

enum store_err store_batch_sent(struct store *s, const char *batch_id, size_t *marked)
{
	enum store_err e = store_begin_write(s);
	if (e != STORE_OK)
		return e;
	int rc = exec_bound(s, "UPDATE outbox SET sent = 1 WHERE batch_id = ?1 AND sent = 0",
			    batch_id);
	if (marked)
		*marked = rc == SQLITE_DONE ? (size_t)sqlite3_changes(s->db) : 0;
	if (rc == SQLITE_DONE)
		rc = exec_bound(s, "DELETE FROM sync_batch WHERE id = ?1", batch_id);
	if (rc != SQLITE_DONE) {
		store_rollback(s);
		return store_err_from_sqlite(rc);
	}
	return store_commit(s);
}

enum store_err store_batch_count(struct store *s, int64_t *batches)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sync_batch", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*batches = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return store_err_from_sqlite(rc);
}

enum store_err store_batch_plan(struct store *s, int64_t before_hour, int64_t *batches,
				int64_t *responses)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT (SELECT count(*) FROM sync_batch),"
				    " (SELECT count(*) FROM outbox o JOIN response r ON r.id = o.response_id"
				    "  WHERE o.sent = 0 AND o.batch_id IS NULL AND r.hour < ?1)"
				    " + (SELECT coalesce(sum(responses), 0) FROM sync_batch)",
				    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, before_hour);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			*batches = sqlite3_column_int64(st, 0);
			*responses = sqlite3_column_int64(st, 1);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return store_err_from_sqlite(rc);
}

enum store_err store_sync_note(struct store *s, int64_t when, const char *error)
{
	enum store_err e = store_begin_write(s);
	if (e != STORE_OK)
		return e;
	char value[32];
	snprintf(value, sizeof value, "%lld", (long long)when);
	e = store_meta_set(s, error ? "last_sync_try" : "last_sync", value);
	if (e == STORE_OK)
		e = store_meta_set(s, "last_sync_error", error ? error : "");
	if (e != STORE_OK) {
		store_rollback(s);
		return e;
	}
	return store_commit(s);
}

enum store_err store_sync_last(struct store *s, int64_t *last_ok, char **last_error)
{
	*last_ok = 0;
	*last_error = NULL;
	char *v = NULL;
	enum store_err e = store_meta_get(s, "last_sync", &v);
	if (e == STORE_OK)
		*last_ok = strtoll(v, NULL, 10);
	free(v);
	if (e != STORE_OK && e != STORE_ERR_NOT_FOUND)
		return e;
	e = store_meta_get(s, "last_sync_error", last_error);
	if (e == STORE_OK && !**last_error) {
		free(*last_error);
		*last_error = NULL;
	}
	return e == STORE_ERR_NOT_FOUND ? STORE_OK : e;
}

enum store_err store_bundle_etag(struct store *s, char **etag)
{
	*etag = NULL;
	enum store_err e = store_meta_get(s, "bundle_etag", etag);
	return e == STORE_ERR_NOT_FOUND ? STORE_OK : e;
}

enum store_err store_bundle_etag_set(struct store *s, const char *etag)
{
	enum store_err e = store_begin_write(s);
	if (e != STORE_OK)
		return e;
	e = store_meta_set(s, "bundle_etag", etag);
	if (e != STORE_OK) {
		store_rollback(s);
		return e;
	}
	return store_commit(s);
}
