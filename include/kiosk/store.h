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
#include <stdint.h>

struct store;

enum store_err {
	STORE_OK,            /* it worked */
	STORE_ERR_OPEN,      /* the file could not be opened or created */
	STORE_ERR_CORRUPT,   /* the file is not a healthy SQLite database */
	STORE_ERR_TOO_NEW,   /* the schema is newer than this program knows */
	STORE_ERR_IO,        /* a read or write failed (disk full, I/O error) */
	STORE_ERR_NOT_FOUND, /* no such row */
};

const char *store_strerror(enum store_err err);

/* The schema version this program creates and understands. */
int store_schema_latest(void);

/* ---- Opening ---- */
enum store_open_mode {
	STORE_OPEN_RECOVER,  /* the kiosk: a corrupt file is renamed aside and a new one made */
	STORE_OPEN_EXISTING, /* tools: open what is there, report, never replace */
};

/* Opens (creating folders and file as needed) and migrates the database.
 * With STORE_OPEN_RECOVER a corrupt file is renamed to
 * PATH.corrupt-YYYYMMDD-HHMMSS (kept, never deleted) and a new one created;
 * store_recovered_from() then names the kept file.  *out is owned by the
 * caller and closed with store_close(). */
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

/* ---- Identity and content ---- */
/* The kiosk's id: the configured one if not empty, else the one made at the
 * first start (random, kept).  *id is owned by the caller. */
enum store_err store_kiosk_id(struct store *s, const char *configured, char **id);

/* The content version in use; 0 when none is installed yet. */
enum store_err store_content_version(struct store *s, int64_t *version);
/* Names a new version in use: one transaction, the single moment of change. */
enum store_err store_content_version_set(struct store *s, int64_t version);


#endif
