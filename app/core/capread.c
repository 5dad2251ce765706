/* The capped reader: every read of untrusted bytes (content, a bundle, a
 * stick, a server's reply) goes through here, so that whatever is above its
 * cap is refused before a byte of it is parsed (DESIGN.md §2).  The shape
 * is curl's dynbuf with its toobig limit. */
#include "kiosk/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void capbuf_init(struct capbuf *b, size_t limit)
{
	*b = (struct capbuf){.limit = limit};
}

int capbuf_add(struct capbuf *b, const void *bytes, size_t n)
{
	if (n > b->limit - b->len)
		return -EFBIG;
	if (b->len + n + 1 > b->alloc) {
		size_t want = b->alloc ? b->alloc : 256;
		while (want < b->len + n + 1)
			want = want > SIZE_MAX / 2 ? SIZE_MAX : want * 2;
		if (want > b->limit + 1)
			want = b->limit + 1;
		b->data = xrealloc(b->data, want);
		b->alloc = want;
	}
	memcpy(b->data + b->len, bytes, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

char *capbuf_take(struct capbuf *b, size_t *len)
{
	char *data = b->data ? b->data : xcalloc(1, 1);
	if (len)
		*len = b->len;
	*b = (struct capbuf){.limit = b->limit};
	return data;
}

void capbuf_free(struct capbuf *b)
{
	free(b->data);
	*b = (struct capbuf){.limit = b->limit};
}

/* Opens path for reading without blocking (a FIFO would wait for a writer)
 * and without becoming a controlling terminal; only a regular file passes. */
static int open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) != 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
	}
	return fd;
}

int file_read_capped(const char *path, size_t cap, char **out, size_t *len)
{
	*out = NULL;
	struct stat st;
	int fd = open_regular(path, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > cap) {
		close(fd);
		return -EFBIG;
	}
	struct capbuf b;
	capbuf_init(&b, cap);
	char chunk[16384];
	int rc = 0;
	for (;;) {
		ssize_t got = read(fd, chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			break;
		}
		if (got == 0)
			break;
		/* A file that grows while it is read is held to the same cap. */
		if ((rc = capbuf_add(&b, chunk, (size_t)got)) != 0)
			break;
	}
	close(fd);
	if (rc) {
		capbuf_free(&b);
		return rc;
	}
	*out = capbuf_take(&b, len);
	return 0;
}

const char *file_read_strerror(int rc)
{
	switch (rc) {
	case -EFBIG: return "larger than such a file may be; refused before reading it";
	case -EISDIR: return "a folder, not a file";
	case -EINVAL: return "not a regular file (a device, a pipe or a socket)";
	case -EXDEV: return "a link that leads out of its folder";
	default: return strerror(-rc);
	}
}

int file_check_regular_inside(const char *path)
{
	struct stat st;
	int fd = open_regular(path, &st);
	if (fd < 0)
		return fd;
	close(fd);
	char *dir = path_dirname(path);
	char *real = realpath(path, NULL), *real_dir = realpath(dir, NULL);
	int rc = 0;
	if (!real || !real_dir)
		rc = -errno;
	else if (strncmp(real, real_dir, strlen(real_dir)) != 0 || real[strlen(real_dir)] != '/')
		rc = -EXDEV;
	free(real);
	free(real_dir);
	free(dir);
	return rc;
}
