/* The schema, as numbered steps.  Never edit a step that has shipped: add
 * the next one.  Step i takes PRAGMA user_version from i to i+1. */
#include "store_int.h"

const char *const store_migrations[] = {
	/* 1: the kiosk's own facts (id, content version in use, recoveries). */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL"
	") WITHOUT ROWID;",

	/* 2: which content versions were installed when, for status and support. */
	"CREATE TABLE content_history ("
	"  version INTEGER NOT NULL,"
	"  installed_at INTEGER NOT NULL,"
	"  source TEXT NOT NULL"
	");",

	/* 3: feedback.  Random keys and no row ids, so that the file keeps no
	 * trace of the order in which residents answered; the outbox holds what
	 * sync has yet to deliver. */
	"CREATE TABLE survey ("
	"  id TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  definition TEXT NOT NULL,"
	"  PRIMARY KEY (id, version)"
	") WITHOUT ROWID;"
	"CREATE TABLE response ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  kiosk_id TEXT NOT NULL,"
	"  survey_id TEXT NOT NULL,"
	"  survey_version INTEGER NOT NULL,"
	"  hour INTEGER NOT NULL CHECK (hour % 3600 = 0),"
	"  language TEXT NOT NULL,"
	"  FOREIGN KEY (survey_id, survey_version) REFERENCES survey (id, version)"
	") WITHOUT ROWID;"
	"CREATE INDEX response_by_hour ON response (hour, id);"
	/* The key's columns come first and in key order: SQLite 3.40's
	 * integrity_check reports false "NULL value" errors for a WITHOUT ROWID
	 * table whose other columns sit between the key's (Debian 12). */
	"CREATE TABLE answer ("
	"  response_id TEXT NOT NULL REFERENCES response (id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL,"
	"  value TEXT NOT NULL,"
	"  question_id TEXT NOT NULL,"
	"  PRIMARY KEY (response_id, position, value)"
	") WITHOUT ROWID;"
	"CREATE TABLE outbox ("
	"  response_id TEXT PRIMARY KEY NOT NULL REFERENCES response (id) ON DELETE CASCADE,"
	"  batch_id TEXT,"
	"  sent INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;",

	/* 4: sync batches.  A batch's bytes are fixed before its first upload,
	 * so that a retry writes the same object again; seq only orders the
	 * retries (it says nothing about when anyone answered). */
	"CREATE TABLE sync_batch ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  responses INTEGER NOT NULL,"
	"  body BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX outbox_by_batch ON outbox (batch_id);",
};

const int store_migration_count = sizeof store_migrations / sizeof store_migrations[0];
