/* What the libFuzzer targets share: a scratch folder of their own, files
 * written into it, and quiet logs (a rejected input logs one line each
 * time; at thousands a second that would be all the fuzzer does). */
#ifndef KIOSK_FUZZ_COMMON_H
#define KIOSK_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kiosk/core.h"

/* The scratch folder, made once per process and removed at its exit
 * ($TMPDIR, else /dev/shm, else /tmp). */
static char fuzz_dir_buf[256];

static inline void fuzz_cleanup(void)
{
	if (fuzz_dir_buf[0])
		path_remove_tree(fuzz_dir_buf);
}

static inline const char *fuzz_dir(void)
{
	if (!fuzz_dir_buf[0]) {
		/* In memory where there is /dev/shm: every input is a file written,
		 * and the sync target's database fsyncs. */
		const char *tmp = getenv("TMPDIR");
		if (!tmp || !*tmp)
			tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(fuzz_dir_buf, sizeof fuzz_dir_buf, "%s/kiosk-fuzz-XXXXXX", tmp);
		if (!mkdtemp(fuzz_dir_buf)) {
			perror("mkdtemp");
			abort();
		}
		atexit(fuzz_cleanup);
	}
	return fuzz_dir_buf;
}

/* Quiet logs unless KIOSK_LOG is set by whoever runs the target. */
static inline void fuzz_quiet(void)
{
	setenv("KIOSK_LOG", "error", 0);
	log_init();
}

/* Writes exactly the bytes into DIR/rel (made, folders too); a failure
 * here is the harness's, so it aborts. */
static inline char *fuzz_write(const char *rel, const void *data, size_t size)
{
	char *path = path_join(fuzz_dir(), rel);
	char *dir = path_dirname(path);
	path_mkdirs(dir, 0755);
	free(dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) != 0) {
		perror(path);
		abort();
	}
	return path;
}

/* Copies a file of the source tree (KIOSK_SOURCE_DIR/src) to DIR/rel. */
static inline void fuzz_copy(const char *src, const char *rel)
{
	char *from = path_join(KIOSK_SOURCE_DIR, src), *text = NULL;
	size_t len = 0;
	if (file_read_all(from, &text, &len) != 0) {
		fprintf(stderr, "%s: cannot be read\n", from);
		abort();
	}
	free(fuzz_write(rel, text, len));
	free(text);
	free(from);
}

/* A copy of the input that ends right before a page that may not be read
 * (PROT_NONE): the system's libraries (md4c, jansson) are not built with
 * ASan, so a read past the end inside them faults here instead of going
 * unseen.  Free with fuzz_unguard(). */
struct fuzz_guarded {
	char *map;
	size_t len;
};

static inline char *fuzz_guard(struct fuzz_guarded *g, const uint8_t *data, size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), body = (size + pg - 1) / pg * pg;
	g->len = body + pg;
	g->map = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED || mprotect(g->map + body, pg, PROT_NONE) != 0)
		abort();
	char *copy = g->map + body - size;
	memcpy(copy, data, size);
	return copy;
}

static inline void fuzz_unguard(struct fuzz_guarded *g)
{
	munmap(g->map, g->len);
}

#endif
