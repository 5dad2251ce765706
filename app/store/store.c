/* store: opening, migrating and recovering the SQLite database. */
#include "kiosk/store.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/core.h"
#include "store_int.h"

#define LOG_MODULE "store"

const char *store_strerror(enum store_err err)
{
	switch (err) {
	case STORE_OK: return "ok";
	case STORE_ERR_OPEN: return "the database could not be opened";
	case STORE_ERR_CORRUPT: return "the database file is damaged";
	case STORE_ERR_TOO_NEW: return "the database was written by a newer version of the kiosk";
	case STORE_ERR_IO: return "reading or writing the database failed";
	case STORE_ERR_NOT_FOUND: return "not found";
	case STORE_ERR_SCHEMA:
		return "the database's schema is not the one this program writes (the kiosk "
		       "upgrades it when it starts)";
	case STORE_ERR_REPLACED:
		return "the database was set aside and replaced meanwhile (the kiosk found it "
		       "damaged); this work stopped and can be done again";
	case STORE_ERR_READONLY: return "this connection only reads";
	}
	return "unknown error";
}

int store_schema_latest(void) { return store_migration_count; }

enum store_err store_err_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return STORE_OK;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return STORE_ERR_CORRUPT;
	case SQLITE_CANTOPEN: return STORE_ERR_OPEN;
	default: return STORE_ERR_IO;
	}
}

static int exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		LOG_ERR("%s: %s (in: %.60s)", s->path, msg ? msg : sqlite3_errstr(rc), sql);
	sqlite3_free(msg);
	return rc;
}

static int pragma_int(struct store *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static enum store_err migrate(struct store *s)
{
	int version = 0;
	int rc = pragma_int(s, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	if (version > store_migration_count) {
		LOG_ERR("%s: schema version %d is newer than this kiosk knows (%d); "
			"install the newer kiosk or restore a matching backup",
			s->path, version, store_migration_count);
		return STORE_ERR_TOO_NEW;
	}
	for (int v = version; v < store_migration_count; v++) {
		char *sql = xasprintf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
				      store_migrations[v], v + 1);
		rc = exec(s, sql);
		free(sql);
		if (rc != SQLITE_OK) {
			exec(s, "ROLLBACK");
			return store_err_from_sqlite(rc);
		}
		LOG_INFO("%s: schema upgraded to version %d", s->path, v + 1);
	}
	return STORE_OK;
}

static int quick_check(struct store *s);

/* Waiting for the write lock in short steps: SQLite's own handler sleeps
 * 1, 2, 5, 10 … ms, far longer than a worker's short transaction holds the
 * lock, and a resident's submit would pay for the oversleep.  Gives up after
 * about 5 s (a lock held that long is a fault, reported as such). */
static int busy_wait(void *data, int count)
{
	(void)data;
	if (count >= 25000)
		return 0;
	struct timespec step = {0, 200000}; /* 0.2 ms */
	nanosleep(&step, NULL);
	return 1;
}

/* Settings every connection needs; WAL and FULL make a commit durable.  A
 * read-only connection changes nothing, not even the journal mode. */
static int configure(struct store *s)
{
	sqlite3_busy_handler(s->db, busy_wait, NULL);
	if (s->mode == STORE_OPEN_READONLY)
		return exec(s, "PRAGMA foreign_keys = ON;");
	int rc = exec(s, "PRAGMA journal_mode = WAL;"
			 "PRAGMA synchronous = FULL;"
			 "PRAGMA foreign_keys = ON;");
	if (rc != SQLITE_OK || s->mode == STORE_OPEN_WORKER)
		return rc; /* the kiosk checked the file at its start */
	return quick_check(s);
}

/* A constraint complaint ("NULL value in t.c") is about rows, not about
 * the file's structure; SQLite 3.40 also reports such complaints wrongly for
 * some WITHOUT ROWID tables.  Never set a database aside for one. */
static bool structural(const char *line)
{
	return strncmp(line, "NULL value in ", 14) != 0 &&
	       strncmp(line, "CHECK constraint failed", 23) != 0 &&
	       strncmp(line, "NOT NULL constraint failed", 26) != 0;
}

/* quick_check reads every page: it is what notices a damaged file at start
 * rather than in the middle of a resident's submit. */
static int quick_check(struct store *s)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	bool damaged = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		if (!line || strcmp(line, "ok") == 0)
			continue;
		if (structural(line))
			damaged = true;
		else
			LOG_WARN("%s: %s (rows, not the file: kept in use)", s->path, line);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	return damaged ? SQLITE_CORRUPT : SQLITE_OK;
}

static bool creates(enum store_open_mode mode)
{
	return mode == STORE_OPEN_RECOVER || mode == STORE_OPEN_EXISTING;
}

static int open_flags(enum store_open_mode mode)
{
	switch (mode) {
	case STORE_OPEN_RECOVER:
	case STORE_OPEN_EXISTING:
		return SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
	case STORE_OPEN_WORKER: return SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
	case STORE_OPEN_READONLY: return SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX;
	}
	return 0;
}

static enum store_err open_raw(const char *path, enum store_open_mode mode, struct store **out)
{
	struct store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->mode = mode;
	int rc = sqlite3_open_v2(path, &s->db, open_flags(mode), NULL);
	/* A newer kiosk's file is refused before anything is written to it:
	 * switching to WAL would already change its header. */
	int version = 0;
	if (rc == SQLITE_OK)
		rc = pragma_int(s, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK && version > store_migration_count) {
		LOG_ERR("%s: schema version %d is newer than this kiosk knows (%d); "
			"install the newer kiosk or restore a matching backup",
			path, version, store_migration_count);
		store_close(s);
		return STORE_ERR_TOO_NEW;
	}
	if (rc == SQLITE_OK && !creates(mode) && version != store_migration_count) {
		LOG_ERR("%s: schema version %d, but this program writes %d: %s", path, version,
			store_migration_count, store_strerror(STORE_ERR_SCHEMA));
		store_close(s);
		return STORE_ERR_SCHEMA;
	}
	if (rc == SQLITE_OK)
		rc = configure(s);
	struct stat st;
	if (rc == SQLITE_OK && stat(path, &st) == 0)
		s->dev = st.st_dev, s->ino = st.st_ino;
	if (rc != SQLITE_OK) {
		enum store_err e = store_err_from_sqlite(rc);
		if (e != STORE_ERR_CORRUPT)
			LOG_ERR("%s: %s", path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		store_close(s);
		return e;
	}
	*out = s;
	return STORE_OK;
}

/* Still the file this connection opened?  The kiosk may have set it aside
 * (found damaged at its start) and made a new one at the same path. */
static bool same_file(const struct store *s)
{
	struct stat st;
	return stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino;
}

enum store_err store_begin_write(struct store *s)
{
	if (s->mode == STORE_OPEN_READONLY) {
		LOG_ERR("%s: a write on a read-only connection (a bug)", s->path);
		return STORE_ERR_READONLY;
	}
	if (s->mode == STORE_OPEN_WORKER && !same_file(s)) {
		LOG_ERR("%s: %s", s->path, store_strerror(STORE_ERR_REPLACED));
		return STORE_ERR_REPLACED;
	}
	int rc = exec(s, "BEGIN IMMEDIATE");
	return rc == SQLITE_OK ? STORE_OK : store_err_from_sqlite(rc);
}

enum store_err store_commit(struct store *s)
{
	int rc = exec(s, "COMMIT");
	if (rc == SQLITE_OK)
		return STORE_OK;
	store_rollback(s);
	return store_err_from_sqlite(rc);
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Moves the damaged file (and its WAL, which belongs to it) aside. */
static char *move_aside(const char *path)
{
	/* Kept files are never overwritten: a second recovery within the same
	 * second (a restart loop on a failing disk) waits for the next stamp. */
	char *kept = NULL;
	for (int tries = 0; tries < 5; tries++) {
		free(kept);
		time_t now = (time_t)clock_wall_s();
		struct tm tm;
		gmtime_r(&now, &tm);
		char stamp[32];
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		kept = xasprintf("%s.corrupt-%s", path, stamp);
		if (!path_exists(kept))
			break;
		sleep(1);
	}
	if (path_exists(kept)) {
		LOG_ERR("%s: cannot move the damaged database aside: %s exists", path, kept);
		free(kept);
		return NULL;
	}
	if (rename(path, kept) != 0) {
		LOG_ERR("%s: cannot move the damaged database aside: %s", path, strerror(errno));
		free(kept);
		return NULL;
	}
	static const char *const sidecars[] = {"-wal", "-shm"};
	for (int i = 0; i < 2; i++) {
		char *from = xasprintf("%s%s", path, sidecars[i]);
		char *to = xasprintf("%s%s", kept, sidecars[i]);
		if (path_exists(from))
			rename(from, to);
		free(from);
		free(to);
	}
	char *dir = path_dirname(path);
	path_fsync_dir(dir);
	free(dir);
	return kept;
}

enum store_err store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "INSERT INTO meta(key, value) VALUES(?1, ?2) "
				    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
				    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		LOG_ERR("%s: writing %s: %s", s->path, key, sqlite3_errmsg(s->db));
		return store_err_from_sqlite(rc);
	}
	return STORE_OK;
}

/* *value is owned by the caller; STORE_ERR_NOT_FOUND when there is none. */
enum store_err store_text_of(sqlite3_stmt *st, char **out)
{
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW)
		*out = xstrdup((const char *)sqlite3_column_text(st, 0));
	else
		e = rc == SQLITE_DONE ? STORE_ERR_NOT_FOUND : store_err_from_sqlite(rc);
	sqlite3_finalize(st);
	return e;
}

enum store_err store_meta_get(struct store *s, const char *key, char **value)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return store_text_of(st, value);
}

enum store_err store_open(const char *path, enum store_open_mode mode, struct store **out)
{
	*out = NULL;
	if (creates(mode)) {
		char *dir = path_dirname(path);
		int mk = path_mkdirs(dir, 0750);
		if (mk != 0) {
			LOG_ERR("%s: cannot create the folder: %s", dir, strerror(-mk));
			free(dir);
			return STORE_ERR_OPEN;
		}
		free(dir);
	} else if (!path_exists(path)) {
		LOG_ERR("%s: no database (the kiosk makes it at its first start)", path);
		return STORE_ERR_OPEN;
	}

	struct store *s = NULL;
	enum store_err e = open_raw(path, mode, &s);
	if (e == STORE_OK && creates(mode))
		e = migrate(s);
	if (e == STORE_ERR_CORRUPT && s) {
		store_close(s);
		s = NULL;
	}
	if (e == STORE_ERR_CORRUPT && mode == STORE_OPEN_RECOVER) {
		char *kept = move_aside(path);
		if (!kept)
			return STORE_ERR_CORRUPT;
		LOG_ERR("%s: the database was damaged; kept it as %s and started a new one "
			"(content is reinstalled; feedback in the kept file needs an admin)",
			path, kept);
		e = open_raw(path, mode, &s);
		if (e == STORE_OK)
			e = migrate(s);
		if (e == STORE_OK)
			e = store_meta_set(s, "recovered_from", kept);
		free(kept);
	} else if (e == STORE_ERR_CORRUPT) {
		LOG_ERR("%s: %s", path, store_strerror(e));
	}
	if (e != STORE_OK) {
		store_close(s);
		return e;
	}
	char *kept = NULL;
	if (store_meta_get(s, "recovered_from", &kept) == STORE_OK)
		s->recovered_from = kept;
	*out = s;
	return STORE_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s->recovered_from);
	free(s);
}

const char *store_path(const struct store *s) { return s->path; }

const char *store_recovered_from(const struct store *s) { return s->recovered_from; }

int store_schema_version(struct store *s)
{
	int v = -1;
	pragma_int(s, "PRAGMA user_version", &v);
	return v;
}

int store_synchronous(struct store *s)
{
	int v = -1;
	pragma_int(s, "PRAGMA synchronous", &v);
	return v;
}

enum store_err store_check(struct store *s, char **report)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err_from_sqlite(rc);
	size_t cap = 256, len = 0;
	char *out = xmalloc(cap);
	out[0] = '\0';
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		size_t n = strlen(line ? line : "");
		if (len + n + 2 > cap)
			out = xrealloc(out, cap = (len + n + 2) * 2);
		if (len)
			out[len++] = '\n';
		memcpy(out + len, line ? line : "", n + 1);
		len += n;
	}
	sqlite3_finalize(st);
	*report = out;
	return rc == SQLITE_DONE ? STORE_OK : store_err_from_sqlite(rc);
}

enum store_err store_kiosk_id(struct store *s, const char *configured, char **id)
{
	if (configured && *configured) {
		*id = xstrdup(configured);
		return STORE_OK;
	}
	*id = NULL;
	enum store_err e = store_meta_get(s, "kiosk_id", id);
	if (e != STORE_ERR_NOT_FOUND || s->mode != STORE_OPEN_RECOVER)
		return e; /* only the kiosk's own connection makes it */
	char hex[17];
	id_random_hex(hex, 8);
	char *made = xasprintf("kiosk-%s", hex);
	e = store_meta_set(s, "kiosk_id", made);
	if (e != STORE_OK) {
		free(made);
		return e;
	}
	LOG_INFO("this kiosk's id is %s (made at first start)", made);
	*id = made;
	return STORE_OK;
}

enum store_err store_content_version(struct store *s, int64_t *version)
{
	char *v = NULL;
	enum store_err e = store_meta_get(s, "content_version", &v);
	*version = 0;
	if (e == STORE_ERR_NOT_FOUND)
		return STORE_OK;
	if (e == STORE_OK)
		*version = strtoll(v, NULL, 10);
	free(v);
	return e;
}

enum store_err store_content_version_set(struct store *s, int64_t version)
{
	enum store_err begun = store_begin_write(s);
	if (begun != STORE_OK)
		return begun;
	char value[32];
	snprintf(value, sizeof value, "%lld", (long long)version);
	enum store_err e = store_meta_set(s, "content_version", value);
	if (e == STORE_OK) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(s->db, "INSERT INTO content_history(version, installed_at, "
					    "source) VALUES(?1, ?2, 'install')", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, version);
			sqlite3_bind_int64(st, 2, clock_wall_s());
			rc = sqlite3_step(st);
			sqlite3_finalize(st);
		}
		if (rc != SQLITE_DONE)
			e = store_err_from_sqlite(rc);
	}
	if (e != STORE_OK) {
		store_rollback(s);
		return e;
	}
	return store_commit(s);
}


/* ---- The schema as the migrations make it, against the file ---- */

/* Appends a line to a report. */
static void report_add(char **out, size_t *len, size_t *cap, const char *line)
{
	size_t n = strlen(line);
	if (*len + n + 2 > *cap)
		*out = xrealloc(*out, *cap = (*len + n + 2) * 2);
	if (*len)
		(*out)[(*len)++] = '\n';
	memcpy(*out + *len, line, n + 1);
	*len += n;
}

/* One row of PRAGMA table_info, as text: "name type notnull pk". */
static char *column_list(sqlite3 *db, const char *table)
{
	char *sql = sqlite3_mprintf("SELECT name, type, \"notnull\", pk FROM pragma_table_info(%Q) "
				    "ORDER BY cid", table);
	sqlite3_stmt *st;
	char *cols = xstrdup("");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			char *more = xasprintf("%s%s %s %d %d;", cols, sqlite3_column_text(st, 0),
					       sqlite3_column_text(st, 1), sqlite3_column_int(st, 2),
					       sqlite3_column_int(st, 3));
			free(cols);
			cols = more;
		}
		sqlite3_finalize(st);
	}
	sqlite3_free(sql);
	return cols;
}

enum store_err store_check_schema(struct store *s, char **report)
{
	*report = NULL;
	sqlite3 *ref = NULL;
	if (sqlite3_open(":memory:", &ref) != SQLITE_OK) {
		sqlite3_close(ref);
		return STORE_ERR_IO;
	}
	for (int v = 0; v < store_migration_count; v++)
		if (sqlite3_exec(ref, store_migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
			sqlite3_close(ref);
			return STORE_ERR_IO;
		}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(ref, "SELECT type, name FROM sqlite_master WHERE type IN "
			       "('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(ref);
		return STORE_ERR_IO;
	}
	size_t len = 0, cap = 256;
	char *out = xmalloc(cap);
	out[0] = '\0';
	enum store_err e = STORE_OK;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		sqlite3_stmt *has;
		int found = 0;
		if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type = ?1 "
				       "AND name = ?2", -1, &has, NULL) != SQLITE_OK) {
			e = store_err_from_sqlite(sqlite3_errcode(s->db));
			break;
		}
		sqlite3_bind_text(has, 1, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(has, 2, name, -1, SQLITE_STATIC);
		if (sqlite3_step(has) == SQLITE_ROW)
			found = sqlite3_column_int(has, 0);
		sqlite3_finalize(has);
		char *line = NULL;
		if (!found) {
			line = xasprintf("%s %s is missing", type, name);
		} else if (strcmp(type, "table") == 0) {
			char *want = column_list(ref, name), *got = column_list(s->db, name);
			if (strcmp(want, got) != 0)
				line = xasprintf("table %s has other columns than schema version %d "
						 "makes (%s instead of %s)", name, store_migration_count,
						 got, want);
			free(want);
			free(got);
		}
		if (line)
			report_add(&out, &len, &cap, line);
		free(line);
	}
	sqlite3_finalize(st);
	sqlite3_close(ref);
	if (e != STORE_OK) {
		free(out);
		return e;
	}
	if (!len)
		report_add(&out, &len, &cap, "ok");
	*report = out;
	return STORE_OK;
}

enum store_err store_admin_lock_get(struct store *s, int *failures, int64_t *locked_until)
{
	*failures = 0;
	*locked_until = 0;
	char *v = NULL;
	enum store_err e = store_meta_get(s, "admin_failures", &v);
	if (e == STORE_OK)
		*failures = (int)strtol(v, NULL, 10);
	free(v);
	v = NULL;
	if (e == STORE_OK || e == STORE_ERR_NOT_FOUND)
		e = store_meta_get(s, "admin_locked_until", &v);
	if (e == STORE_OK)
		*locked_until = strtoll(v, NULL, 10);
	free(v);
	return e == STORE_ERR_NOT_FOUND ? STORE_OK : e;
}

enum store_err store_admin_lock_set(struct store *s, int failures, int64_t locked_until)
{
	enum store_err e = store_begin_write(s);
	if (e != STORE_OK)
		return e;
	char a[32], b[32];
	snprintf(a, sizeof a, "%d", failures);
	snprintf(b, sizeof b, "%lld", (long long)locked_until);
	e = store_meta_set(s, "admin_failures", a);
	if (e == STORE_OK)
		e = store_meta_set(s, "admin_locked_until", b);
	if (e != STORE_OK) {
		store_rollback(s);
		return e;
	}
	return store_commit(s);
}

enum store_err store_redoable_writes(struct store *s)
{
	if (s->mode != STORE_OPEN_WORKER)
		return STORE_ERR_READONLY;
	char *err = NULL;
	int rc = sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL, &err);
	sqlite3_free(err);
	return store_err_from_sqlite(rc);
}
