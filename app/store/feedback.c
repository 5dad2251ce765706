/* store: feedback responses, their answers, the outbox and the survey
 * definitions they were given under. */
#include "kiosk/store.h"

#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"
#include "store_int.h"

#define LOG_MODULE "store"

static int bind_answer(sqlite3_stmt *st, const char *id, const struct store_answer *a)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, a->position);
	sqlite3_bind_text(st, 3, a->question_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->value, -1, SQLITE_STATIC);
	return sqlite3_step(st);
}

static int insert_rows(struct store *s, const struct store_response *r, const char *id)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "INSERT INTO response (id, kiosk_id, survey_id, "
				    "survey_version, hour, language) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->kiosk_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->survey_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, r->survey_version);
		sqlite3_bind_int64(st, 5, r->hour);
		sqlite3_bind_text(st, 6, r->language, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO answer (response_id, position, question_id, "
				"value) VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < r->n_answers; i++) {
		rc = bind_answer(st, id, &r->answers[i]);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO outbox (response_id) VALUES (?1)", -1, &st,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

enum store_err store_feedback_insert(struct store *s, const struct store_response *r, char *id)
{
	if (r->hour % 3600 != 0) {
		LOG_ERR("refusing a response stamped %lld: not on the hour", (long long)r->hour);
		return STORE_ERR_IO;
	}
	id_random_hex(id, STORE_ID_LEN / 2);
	enum store_err e = store_begin_write(s);
	if (e == STORE_OK) {
		int rc = insert_rows(s, r, id);
		if (rc != SQLITE_OK) {
			LOG_ERR("%s: storing a survey response failed: %s", s->path,
				sqlite3_errmsg(s->db));
			store_rollback(s);
			e = store_err_from_sqlite(rc);
		} else {
			e = store_commit(s);
		}
	}
	if (e != STORE_OK)
		id[0] = '\0';
	return e;
}

/* Marks up to n rows in one transaction, stopping early once the budget
 * of a worker's transaction is spent; returns how many ids it went through. */
static size_t mark_sent_chunk(struct store *s, sqlite3_stmt *st, const char *const *ids,
			      size_t n, size_t *marked, enum store_err *err)
{
	*err = store_begin_write(s);
	if (*err != STORE_OK)
		return 0;
	uint64_t start = clock_real_ms(); /* the lock is held from here */
	size_t i = 0;
	/* Half the budget for the rows: the commit's fsync needs the rest. */
	while (i < n && clock_real_ms() - start < STORE_WORKER_TXN_MS / 2) {
		sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			LOG_ERR("%s: marking feedback as sent failed: %s", s->path,
				sqlite3_errmsg(s->db));
			store_rollback(s);
			*err = store_err_from_sqlite(rc);
			return 0;
		}
		*marked += (size_t)sqlite3_changes(s->db);
		i++;
	}
	*err = store_commit(s);
	return *err == STORE_OK ? i : 0;
}

enum store_err store_outbox_mark_sent(struct store *s, const char *const *response_ids, size_t n,
				      size_t *marked)
{
	size_t count = 0, done = 0;
	sqlite3_stmt *st;
	enum store_err e = STORE_OK;
	int rc = sqlite3_prepare_v2(s->db, "UPDATE outbox SET sent = 1 WHERE response_id = ?1 "
				    "AND sent = 0", -1, &st, NULL);
	if (rc != SQLITE_OK)
		e = store_err_from_sqlite(rc);
	while (e == STORE_OK && done < n)
		done += mark_sent_chunk(s, st, response_ids + done, n - done, &count, &e);
	sqlite3_finalize(st);
	if (marked)
		*marked = count;
	return e;
}

enum store_err store_survey_put(struct store *s, const char *survey_id, int64_t version,
				const char *json)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO survey (id, version, definition) "
				    "VALUES (?1, ?2, ?3)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, survey_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, version);
		sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		LOG_ERR("%s: keeping survey %s version %lld failed: %s", s->path, survey_id,
			(long long)version, sqlite3_errmsg(s->db));
		return store_err_from_sqlite(rc);
	}
	return STORE_OK;
}

enum store_err store_feedback_counts(struct store *s, int64_t *pending, int64_t *sent)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FILTER (WHERE sent = 0), "
				    "count(*) FILTER (WHERE sent <> 0) FROM outbox", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*pending = sqlite3_column_int64(st, 0);
		*sent = sqlite3_column_int64(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return store_err_from_sqlite(rc);
}

static const char *text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return t ? t : "";
}

/* Every row of st (prepared, bound) as an answer row to fn. */
static enum store_err answers_each(sqlite3_stmt *st,
				   int (*fn)(const struct store_answer_row *row, void *user),
				   void *user, int *stopped)
{
	int stop = 0, rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_answer_row row = {
			.response_id = text(st, 0),
			.kiosk_id = text(st, 1),
			.survey_id = text(st, 2),
			.survey_version = sqlite3_column_int64(st, 3),
			.hour = sqlite3_column_int64(st, 4),
			.language = text(st, 5),
			.question_id = text(st, 6),
			.value = text(st, 7),
			.position = sqlite3_column_int(st, 8),
		};
		stop = fn(&row, user);
	}
	sqlite3_finalize(st);
	if (stopped)
		*stopped = stop;
	return stop || rc == SQLITE_DONE ? STORE_OK : store_err_from_sqlite(rc);
}

#define ANSWER_COLUMNS                                                                        \
	"SELECT r.id, r.kiosk_id, r.survey_id, r.survey_version, r.hour, r.language, "       \
	"a.question_id, a.value, a.position FROM response r JOIN answer a ON a.response_id = r.id "

enum store_err store_answers_each(struct store *s,
				  int (*fn)(const struct store_answer_row *row, void *user),
				  void *user, int *stopped)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, ANSWER_COLUMNS "ORDER BY r.hour, r.id, a.position, a.value",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	return answers_each(st, fn, user, stopped);
}

enum store_err store_answers_each_in_batch(struct store *s, const char *batch_id,
					   int (*fn)(const struct store_answer_row *row,
						     void *user),
					   void *user, int *stopped)
{
	sqlite3_stmt *st;
	/* By response id: random, so a batch's order says nothing of time. */
	int rc = sqlite3_prepare_v2(s->db, ANSWER_COLUMNS
				    "JOIN outbox o ON o.response_id = r.id WHERE o.batch_id = ?1 "
				    "ORDER BY r.id, a.position, a.value",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_TRANSIENT);
	return answers_each(st, fn, user, stopped);
}

enum store_err store_surveys_each(struct store *s,
				  int (*fn)(const char *survey_id, int64_t version, const char *json,
					    void *user),
				  void *user)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT id, version, definition FROM survey "
				    "ORDER BY version DESC, id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	int stop = 0;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(text(st, 0), sqlite3_column_int64(st, 1), text(st, 2), user);
	sqlite3_finalize(st);
	return stop || rc == SQLITE_DONE ? STORE_OK : store_err_from_sqlite(rc);
}

enum store_err store_survey_get(struct store *s, const char *survey_id, int64_t version,
				char **json)
{
	*json = NULL;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT definition FROM survey WHERE id = ?1 AND "
				    "version = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	sqlite3_bind_text(st, 1, survey_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	return store_text_of(st, json);
}
