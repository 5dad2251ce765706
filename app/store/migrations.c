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
};

const int store_migration_count = sizeof store_migrations / sizeof store_migrations[0];
