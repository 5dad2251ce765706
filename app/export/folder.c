/* export: the feedback onto a USB stick, from the admin area.
 *
 * One folder, kiosk-export-KIOSKID-YYYYMMDD-HHMM (no ':' on FAT), with the
 * three formats and summary.html (counts below min_cell hidden).  It is written as .kiosk-export-…partial: every file
 * fsynced, the folder fsynced, then renamed to its name and the stick's
 * folder fsynced; only then is it done.  A stick pulled out mid-way leaves
 * at most a folder whose name says it is partial, never one that looks
 * complete.  The room needed is counted first, by writing the export into
 * nothing, so that a stick too small is named before anything is written. */
#include "kiosk/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "export"

/* Some room beyond the files (FAT clusters, the folder itself). */
#define SLACK_BYTES (1024 * 1024)

static const struct {
	enum export_format format;
	bool summary;        /* summary.html rather than the format */
	const char *file;
} files[] = {
	{EXPORT_CSV, false, "feedback.csv"},
	{EXPORT_CSV_WIDE, false, "feedback-wide.csv"},
	{EXPORT_JSON, false, "feedback.ndjson"},
	{EXPORT_JSON, true, "summary.html"},
};

/* One of the files into out. */
static enum export_err write_file(struct store *s, size_t i, const char *kiosk_id, int min_cell,
				  int64_t now_s, FILE *out)
{
	if (files[i].summary) {
		const struct export_options opt = {
			.min_cell = min_cell,
			.kiosk_id = kiosk_id,
			.now_s = now_s,
		};
		return export_summary_write(s, &opt, out);
	}
	const struct export_options opt = {.bom = files[i].format != EXPORT_JSON};
	return export_write(s, files[i].format, &opt, out);
}

static enum export_err fail(struct export_error *err, enum export_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum export_err fail(struct export_error *err, enum export_err e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return e;
}

static ssize_t count_write(void *cookie, const char *buf, size_t size)
{
	(void)buf;
	*(uint64_t *)cookie += size;
	return (ssize_t)size;
}

/* The bytes the files will take: the export written into nothing. */
static enum export_err measure(struct store *s, const char *kiosk_id, int min_cell,
			       int64_t now_s, uint64_t *bytes)
{
	*bytes = 0;
	cookie_io_functions_t io = {.write = count_write};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		FILE *f = fopencookie(bytes, "w", io);
		if (!f)
			return EXPORT_ERR_WRITE;
		enum export_err e = write_file(s, i, kiosk_id, min_cell, now_s, f);
		fclose(f);
		if (e)
			return e;
	}
	return EXPORT_OK;
}

static void report(const struct export_watch *w, int step, uint64_t done, uint64_t total)
{
	if (w && w->progress)
		w->progress(w->data, step, done, total);
}

/* One format into dir/name: written, flushed and fsynced. */
static enum export_err write_one(struct store *s, const char *dir, size_t i, const char *kiosk_id,
				 int min_cell, int64_t now_s, struct export_error *err)
{
	char *path = path_join(dir, files[i].file);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	enum export_err e = EXPORT_OK;
	if (!out) {
		e = fail(err, EXPORT_ERR_WRITE, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return e;
	}
	e = write_file(s, i, kiosk_id, min_cell, now_s, out);
	int saved = errno;
	if (e == EXPORT_OK && fsync(fileno(out)) != 0) {
		e = EXPORT_ERR_WRITE;
		saved = errno;
	}
	if (fclose(out) != 0 && e == EXPORT_OK) {
		e = EXPORT_ERR_WRITE;
		saved = errno;
	}
	if (e == EXPORT_ERR_WRITE)
		fail(err, e, "%s: %s", path, strerror(saved));
	else if (e)
		fail(err, e, "%s: %s", path, export_strerror(e));
	free(path);
	return e;
}

/* ---- A read-only stick on an installed kiosk ----
 * The package mounts sticks read-only; its kiosk-stick-rw@DEV.service
 * mounts one writable while an export writes, and stopping it mounts the
 * stick read-only again, which writes everything out (assets/system/). */

/* The block device ("sdb1") mounted at folder, or NULL. */
static char *stick_device(const char *folder)
{
	char *text = NULL;
	size_t len = 0;
	if (file_read_capped("/proc/self/mountinfo", 4u << 20, &text, &len) != 0)
		return NULL;
	char *found = NULL;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char point[4096], source[4096];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(dash + 3, "%*s %4095s", source) != 1)
			continue;
		if (strcmp(point, folder) == 0 && strncmp(source, "/dev/", 5) == 0 &&
		    !strchr(source + 5, '/'))
			found = xstrdup(source + 5);
	}
	free(text);
	return found;
}

static int systemctl(const char *verb, const char *device)
{
	char unit[128];
	snprintf(unit, sizeof unit, "kiosk-stick-rw@%s.service", device);
	char *const argv[] = {"systemctl", "--no-ask-password", (char *)verb, unit, NULL};
	pid_t pid;
	if (posix_spawnp(&pid, "systemctl", NULL, NULL, argv, environ) != 0)
		return -1;
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Makes a read-only stick writable for the export; *device (caller frees)
 * names what to give back with stick_done(), NULL when nothing was done. */
static enum export_err stick_writable(const char *stick, char **device, struct export_error *err)
{
	*device = NULL;
	if (access(stick, W_OK) == 0 || errno != EROFS)
		return EXPORT_OK;
	char *dev = stick_device(stick);
	if (!dev || systemctl("start", dev) != 0) {
		free(dev);
		return fail(err, EXPORT_ERR_WRITE, "%s: the stick is mounted read-only and cannot be "
			    "made writable (kiosk-stick-rw@.service)", stick);
	}
	*device = dev;
	return EXPORT_OK;
}

static void stick_done(char *device)
{
	if (device && systemctl("stop", device) != 0)
		LOG_WARN("the stick %s could not be mounted read-only again", device);
	free(device);
}

static char *folder_name(const char *kiosk_id, int64_t now_s)
{
	time_t t = (time_t)now_s;
	struct tm tm;
	localtime_r(&t, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M", &tm);
	return xasprintf("kiosk-export-%s-%s", kiosk_id, stamp);
}

enum export_err export_to_stick(struct store *s, const char *stick, const char *kiosk_id,
				int min_cell, int64_t now_s, const struct export_watch *w, char **made,
				struct export_error *err)
{
	*made = NULL;
	if (!path_is_dir(stick))
		return fail(err, EXPORT_ERR_WRITE, "%s: the stick is not there (was it pulled out?)",
			    stick);
	uint64_t need = 0;
	report(w, EXPORT_STEP_MEASURE, 0, 0);
	enum export_err e = measure(s, kiosk_id, min_cell, now_s, &need);
	if (e)
		return fail(err, e, "the feedback cannot be read: %s", export_strerror(e));
	int64_t room = path_free_bytes(stick);
	if (room >= 0 && (uint64_t)room < need + SLACK_BYTES)
		return fail(err, EXPORT_ERR_NO_ROOM, "%s: %lld KB free, the export needs %llu KB",
			    stick, (long long)room / 1024,
			    (unsigned long long)(need + SLACK_BYTES) / 1024);
	char *device = NULL;
	if ((e = stick_writable(stick, &device, err)))
		return e;
	char *name = folder_name(kiosk_id, now_s);
	char *final = path_join(stick, name);
	char *partial = xasprintf("%s/.%s.partial", stick, name);
	path_remove_tree(partial); /* an earlier try's, pulled out */
	if (path_exists(final)) {
		e = fail(err, EXPORT_ERR_WRITE, "%s is there already: wait a minute and try again",
			 final);
	} else if (mkdir(partial, 0750) != 0) {
		e = fail(err, EXPORT_ERR_WRITE, "%s: %s", partial, strerror(errno));
	}
	for (size_t i = 0; e == EXPORT_OK && i < sizeof files / sizeof files[0]; i++) {
		report(w, EXPORT_STEP_WRITE, i, sizeof files / sizeof files[0]);
		e = write_one(s, partial, i, kiosk_id, min_cell, now_s, err);
	}
	if (e == EXPORT_OK) {
		report(w, EXPORT_STEP_FINISH, 0, 0);
		int rc = path_fsync_dir(partial);
		if (rc == 0 && rename(partial, final) != 0)
			rc = -errno;
		if (rc == 0)
			rc = path_fsync_dir(stick);
		if (rc)
			e = fail(err, EXPORT_ERR_WRITE, "%s: %s", final, strerror(-rc));
	}
	if (e == EXPORT_OK) {
		*made = final;
		final = NULL;
		LOG_INFO("feedback exported to %s (%llu bytes)", *made, (unsigned long long)need);
	} else {
		path_remove_tree(partial); /* when the stick is still there */
	}
	stick_done(device); /* read-only again: everything written out */
	free(partial);
	free(final);
	free(name);
	return e;
}
