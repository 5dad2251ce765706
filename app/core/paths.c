/* Paths and files: joining, atomic replacement, durable copies.
 * Content installs rely on these fsyncs: a power cut leaves either the old
 * or the new file, never half of one. */
#include "kiosk/core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

char *path_join(const char *a, const char *b)
{
	if (!a || !*a || b[0] == '/')
		return xstrdup(b);
	size_t la = strlen(a);
	return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *path_resolve(const char *base_dir, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	char *joined = path_join(base_dir, path);
	if (joined[0] == '/')
		return joined;
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		return joined;
	char *abs = path_join(cwd, joined);
	free(joined);
	return abs;
}

bool path_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int path_mkdirs(const char *path, unsigned mode)
{
	if (!*path)
		return -ENOENT; /* the loop below starts after the first byte */
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST) {
				rc = -errno;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	if (rc == 0 && !path_is_dir(path))
		rc = -ENOTDIR;
	return rc;
}

int file_read_all(const char *path, char **out, size_t *len)
{
	return file_read_capped(path, SIZE_MAX - 1, out, len);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int path_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	char *dir = path_dirname(path);
	int rc = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc == 0)
		rc = path_fsync_dir(dir);
	else
		unlink(tmp);
out:
	free(dir);
	free(tmp);
	return rc;
}

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int rc = 0;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	char buf[1 << 16];
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		if ((rc = write_all(out, buf, (size_t)r)) != 0)
			break;
	}
	if (rc == 0 && fsync(out) != 0)
		rc = -errno;
	close(out);
	close(in);
	return rc;
}

int path_copy_tree(const char *src, const char *dst)
{
	int rc = path_mkdirs(dst, 0755);
	if (rc)
		return rc;
	DIR *d = opendir(src);
	if (!d)
		return -errno;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *s = path_join(src, e->d_name), *t = path_join(dst, e->d_name);
		struct stat st;
		if (lstat(s, &st) != 0)
			rc = -errno;
		else if (S_ISDIR(st.st_mode))
			rc = path_copy_tree(s, t);
		else if (S_ISREG(st.st_mode))
			rc = copy_file(s, t, st.st_mode);
		/* Links, devices and sockets are never part of content: skip them. */
		free(s);
		free(t);
	}
	closedir(d);
	if (rc == 0)
		rc = path_fsync_dir(dst);
	return rc;
}

int path_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 ? 0 : -errno;
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *child = path_join(path, e->d_name);
		rc = path_remove_tree(child);
		free(child);
	}
	closedir(d);
	if (rc == 0 && rmdir(path) != 0)
		rc = -errno;
	return rc;
}

int64_t path_free_bytes(const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) != 0)
		return -1;
	return (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
}
