/* store: private parts shared by store.c and migrations.c. */
#ifndef KIOSK_STORE_INT_H
#define KIOSK_STORE_INT_H

#include <sqlite3.h>

#include "kiosk/store.h"

struct store {
	sqlite3 *db;
	char *path;
	char *recovered_from;
};

/* Maps an SQLite result code to the module's error. */
enum store_err store_err_from_sqlite(int rc);

/* The numbered migrations: migrations[i] takes the schema from i to i+1. */
extern const char *const store_migrations[];
extern const int store_migration_count;

#endif
