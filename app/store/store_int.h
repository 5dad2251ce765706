/* store: private parts shared by store.c and migrations.c. */
#ifndef KIOSK_STORE_INT_H
#define KIOSK_STORE_INT_H

#include <sqlite3.h>

#include "kiosk/store.h"

#include <sys/types.h>

struct store {
	sqlite3 *db;
	char *path;
	char *recovered_from;
	enum store_open_mode mode;
	dev_t dev;             /* the file opened, to notice it being replaced */
	ino_t ino;
};

/* Steps a prepared query and copies the first column of its row into *out
 * (the caller's); STORE_ERR_NOT_FOUND without a row.  Finalizes st. */
enum store_err store_text_of(sqlite3_stmt *st, char **out);
/* A fact in the meta table (insert or replace; not a transaction of its
 * own), and its value (*value the caller's; STORE_ERR_NOT_FOUND). */
enum store_err store_meta_set(struct store *s, const char *key, const char *value);
enum store_err store_meta_get(struct store *s, const char *key, char **value);
/* Maps an SQLite result code to the module's error. */
enum store_err store_err_from_sqlite(int rc);
/* BEGIN IMMEDIATE, after checking that this connection may write and that
 * its file is still the one at its path (a worker's is set aside when the
 * kiosk recovers a damaged database).  Logs what it refuses. */
enum store_err store_begin_write(struct store *s);
/* COMMIT; on failure a ROLLBACK.  Logs a failure. */
enum store_err store_commit(struct store *s);
void store_rollback(struct store *s);

/* The numbered migrations: migrations[i] takes the schema from i to i+1. */
extern const char *const store_migrations[];
extern const int store_migration_count;

#endif
