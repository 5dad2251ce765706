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
#include <unistd.h>

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
	free(partial);
	free(final);
	free(name);
	return e;
}
