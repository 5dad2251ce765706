/* Helpers shared by the unit tests: temporary folders and small files.
 * Only libc and core (the layer every module links) are used here, so that
 * each test still links its own module alone. */
#ifndef KIOSK_TEST_UTIL_H
#define KIOSK_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "kiosk/core.h"

/* A fresh folder KIOSK_TEST_TMP/PREFIX-XXXXXX; caller frees (and removes). */
static inline char *test_mkdtemp(const char *prefix)
{
	char *tmpl = xasprintf("%s/%s-XXXXXX", KIOSK_TEST_TMP, prefix);
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		tmpl = xstrdup("/tmp/kiosk-test-XXXXXX");
		assert_non_null(mkdtemp(tmpl));
	}
	return tmpl;
}

/* Writes len bytes (len 0: strlen) to dir/name, making folders; returns the path. */
static inline char *test_write(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = path_join(dir, name);
	char *parent = path_dirname(path);
	assert_int_equal(path_mkdirs(parent, 0755), 0);
	free(parent);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (!len)
		len = strlen(data);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* The whole file, or NULL when it cannot be read; caller frees. */
static inline char *test_slurp(const char *path, size_t *len)
{
	char *out = NULL;
	if (file_read_all(path, &out, len) != 0)
		return NULL;
	return out;
}

static inline void test_rmtree(char *dir)
{
	if (dir)
		assert_int_equal(path_remove_tree(dir), 0);
	free(dir);
}

#endif
