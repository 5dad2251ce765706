/* bundle: noticing USB sticks that carry a bundle, without polling the disk.
 *
 * A thread sleeps in poll() on three things: an inotify descriptor watching
 * each usb root and the folders in it (a new folder is a stick that
 * arrived; desktop mounts put it one folder deeper, /media/USER/LABEL),
 * /proc/self/mountinfo (which the kernel marks readable when any mount
 * comes or goes, for sticks mounted elsewhere), and a pipe that stops it.
 * After a change it waits until things are quiet for a moment (a mount
 * comes in bursts, a copied file in many writes), looks for *.kiosk files
 * and wakes the UI thread when what it found differs.
 */
#include "kiosk/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk/core.h"

#define LOG_MODULE "stick"

/* How long the folders must stay quiet before they are looked at. */
#define SETTLE_MS 300
/* How deep below a root a bundle may lie: ROOT/x.kiosk (a test's stick,
 * DESIGN.md §9), ROOT/STICK/x.kiosk and ROOT/USER/STICK/x.kiosk. */
#define MAX_DEPTH 2
#define WATCH_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | \
		      IN_DELETE_SELF | IN_UNMOUNT)

struct stick_watch {
	char **roots;           /* owned copies */
	char **mounts_at_start; /* mount points that were there before any stick */
	struct wake wake;
	int inotify, mountinfo, stop[2];
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	char *bundle;           /* under lock: the bundle found now, or NULL */
};

static bool is_bundle_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 6 && strcmp(name + n - 6, ".kiosk") == 0;
}

/* Keeps the candidate that sorts last (names usually carry the version). */
static void consider(char **best, const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (!*best || strcmp(path, *best) > 0) {
		free(*best);
		*best = xstrdup(path);
	}
}

/* Looks for bundles in dir and the folders below it, depth levels deep;
 * with inotify >= 0 every folder visited is watched. */
static void scan(const char *dir, int depth, int inotify, bool bundles_here, char **best)
{
	if (inotify >= 0)
		inotify_add_watch(inotify, dir, WATCH_EVENTS | IN_ONLYDIR);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = path_join(dir, e->d_name);
		if (bundles_here && is_bundle_name(e->d_name))
			consider(best, path);
		else if (depth > 0 && e->d_type == DT_DIR)
			scan(path, depth - 1, inotify, true, best);
		free(path);
	}
	closedir(d);
}

/* The mount points of /proc/self/mountinfo (field 5, octal escapes undone). */
static char **read_mounts(void)
{
	char *text = NULL;
	size_t len = 0;
	char **out = xcalloc(1, sizeof *out);
	size_t n = 0;
	if (file_read_capped("/proc/self/mountinfo", 4u << 20, &text, &len) != 0)
		return out;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char point[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
			continue;
		char *w = point;
		for (const char *r = point; *r; r++) {
			if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] && r[3]) {
				*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
				r += 3;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		out = xrealloc(out, (n + 2) * sizeof *out);
		out[n++] = xstrdup(point);
		out[n] = NULL;
	}
	free(text);
	return out;
}

static bool under_a_root(char *const *roots, const char *path)
{
	for (size_t i = 0; roots && roots[i]; i++) {
		size_t n = strlen(roots[i]);
		if (strncmp(path, roots[i], n) == 0 && (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

/* What is on the sticks now: the roots (watched as they are visited), and
 * the top of every mount point that came after the start. */
static char *find_bundle(struct stick_watch *w)
{
	char *best = NULL;
	for (size_t i = 0; w->roots[i]; i++)
		scan(w->roots[i], MAX_DEPTH, w->inotify, true, &best);
	char **mounts = read_mounts();
	for (size_t i = 0; mounts[i]; i++)
		if (!strv_contains(w->mounts_at_start, mounts[i]) &&
		    !under_a_root(w->roots, mounts[i]))
			scan(mounts[i], 0, -1, true, &best);
	strv_free(mounts);
	LOG_DBG("looked for bundles: %s", best ? best : "none");
	return best;
}

/* ---- The sticks themselves (for an export) ---- */

static void strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

static bool is_mount_below(const char *path, dev_t parent)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev != parent;
}

/* The folders of root that are sticks: each folder in it, unless it holds
 * mounted folders itself (a desktop's /media/USER/LABEL): then those. */
static void sticks_in_root(const char *root, char ***v, size_t *n)
{
	DIR *d = opendir(root);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		char *folder = path_join(root, e->d_name);
		struct stat st;
		size_t before = *n;
		DIR *inner = stat(folder, &st) == 0 ? opendir(folder) : NULL;
		struct dirent *f;
		while (inner && (f = readdir(inner))) {
			if (f->d_name[0] == '.' || f->d_type != DT_DIR)
				continue;
			char *sub = path_join(folder, f->d_name);
			if (is_mount_below(sub, st.st_dev))
				strv_push(v, n, sub);
			free(sub);
		}
		if (inner)
			closedir(inner);
		if (*n == before)
			strv_push(v, n, folder);
		free(folder);
	}
	if (d)
		closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **stick_watch_folders(struct stick_watch *w)
{
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; w && w->roots[i]; i++)
		sticks_in_root(w->roots[i], &v, &n);
	char **mounts = w ? read_mounts() : NULL;
	for (size_t i = 0; mounts && mounts[i]; i++)
		if (!strv_contains(w->mounts_at_start, mounts[i]) &&
		    !under_a_root(w->roots, mounts[i]))
			strv_push(&v, &n, mounts[i]);
	strv_free(mounts);
	qsort(v, n, sizeof *v, by_name);
	return v;
}

static void publish(struct stick_watch *w, char *found)
{
	pthread_mutex_lock(&w->lock);
	bool changed = !((!found && !w->bundle) ||
			 (found && w->bundle && strcmp(found, w->bundle) == 0));
	free(w->bundle);
	w->bundle = found;
	pthread_mutex_unlock(&w->lock);
	if (changed) {
		LOG_INFO("%s%s", found ? "a bundle on a stick: " : "no bundle on a stick any more",
			 found ? found : "");
		wake_call(&w->wake, WAKE_SOURCE_STICK);
	}
}

/* Empties the inotify queue (only that something happened matters). */
static void drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (read(fd, buf, sizeof buf) > 0)
		;
}

static void *watch_thread(void *data)
{
	struct stick_watch *w = data;
	publish(w, find_bundle(w));
	struct pollfd fds[3] = {
		{.fd = w->stop[0], .events = POLLIN},
		{.fd = w->inotify, .events = POLLIN},
		{.fd = w->mountinfo, .events = POLLPRI},
	};
	bool dirty = false;
	for (;;) {
		int n = poll(fds, 3, dirty ? SETTLE_MS : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			break;
		if (n == 0) { /* quiet for SETTLE_MS after a change */
			dirty = false;
			publish(w, find_bundle(w));
			continue;
		}
		if (fds[1].revents & POLLIN) {
			drain(w->inotify);
			dirty = true;
		}
		if (fds[2].revents & (POLLPRI | POLLERR)) {
			/* Reading from the start again rearms the notification. */
			char buf[4096];
			lseek(w->mountinfo, 0, SEEK_SET);
			while (read(w->mountinfo, buf, sizeof buf) > 0)
				;
			dirty = true;
		}
	}
	return NULL;
}

struct stick_watch *stick_watch_start(char *const *roots, const struct wake *wake)
{
	struct stick_watch *w = xcalloc(1, sizeof *w);
	size_t n = 0;
	while (roots && roots[n])
		n++;
	w->roots = xcalloc(n + 1, sizeof *w->roots);
	for (size_t i = 0; i < n; i++)
		w->roots[i] = xstrdup(roots[i]);
	w->wake = *wake;
	w->mounts_at_start = read_mounts();
	pthread_mutex_init(&w->lock, NULL);
	w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	w->stop[0] = w->stop[1] = -1;
	if (w->inotify < 0 || pipe2(w->stop, O_CLOEXEC) != 0 ||
	    (errno = pthread_create(&w->thread, NULL, watch_thread, w)) != 0) {
		LOG_ERR("sticks cannot be watched: %s; bundles come only through kioskctl",
			strerror(errno));
		return w; /* a watch that never finds anything */
	}
	w->started = true;
	return w;
}

void stick_watch_stop(struct stick_watch *w)
{
	if (!w)
		return;
	if (w->started) {
		char byte = 1;
		if (write(w->stop[1], &byte, 1) != 1)
			LOG_WARN("cannot stop the stick watch: %s", strerror(errno));
		pthread_join(w->thread, NULL);
	}
	for (int i = 0; i < 2; i++)
		if (w->stop[i] >= 0)
			close(w->stop[i]);
	if (w->inotify >= 0)
		close(w->inotify);
	if (w->mountinfo >= 0)
		close(w->mountinfo);
	pthread_mutex_destroy(&w->lock);
	strv_free(w->roots);
	strv_free(w->mounts_at_start);
	free(w->bundle);
	free(w);
}

char *stick_watch_bundle(struct stick_watch *w)
{
	if (!w)
		return NULL;
	pthread_mutex_lock(&w->lock);
	char *copy = w->bundle ? xstrdup(w->bundle) : NULL;
	pthread_mutex_unlock(&w->lock);
	return copy;
}
