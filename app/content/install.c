/* Installing content into the data folder.  A version is a folder
 * DATA/content/VERSION that appears by one rename after every file in it
 * was fsynced; the database then names it in one transaction.  That commit
 * is the single moment of change: a crash before it leaves the old
 * content, after it the new. */
#include "kiosk/content.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "content_int.h"
#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "install"

char *content_version_dir(const char *data_dir, int64_t version)
{
	return xasprintf("%s/content/%lld", data_dir, (long long)version);
}

static bool is_version_name(const char *name, int64_t *version)
{
	char *end;
	long long v = strtoll(name, &end, 10);
	if (end == name || *end || v < 1)
		return false;
	*version = v;
	return true;
}

/* The newest installed version below in_use (kept for a rollback), or 0. */
static int64_t version_before(const char *root, int64_t in_use)
{
	DIR *d = opendir(root);
	int64_t best = 0, v;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (is_version_name(e->d_name, &v) && v < in_use && v > best)
			best = v;
	if (d)
		closedir(d);
	return best;
}

int content_lock(const char *data_dir, bool exclusive)
{
	char *root = xasprintf("%s/content", data_dir);
	char *path = path_join(root, ".lock");
	int fd = path_mkdirs(root, 0755) == 0
			 ? open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)
			 : -1;
	if (fd >= 0 && flock(fd, exclusive ? LOCK_EX | LOCK_NB : LOCK_SH) != 0) {
		close(fd);
		fd = -1;
	}
	free(path);
	free(root);
	return fd;
}

void content_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* the lock goes with the descriptor */
}

/* Removes every folder under DATA/content but the version in use and the
 * one before it (kept for a rollback): staging folders of an interrupted
 * install and versions replaced since.  Only under the exclusive lock: an
 * import running beside (kioskctl) holds the shared one for its staging. */
static void remove_unnamed(const char *data_dir, int64_t in_use)
{
	int lock = content_lock(data_dir, true);
	if (lock < 0) {
		LOG_INFO("an import is running: old content folders stay until the next start");
		return;
	}
	char *root = xasprintf("%s/content", data_dir);
	int64_t before = version_before(root, in_use);
	DIR *d = opendir(root);
	if (!d) {
		free(root);
		content_unlock(lock);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		int64_t v;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, ".lock") == 0)
			continue;
		if (is_version_name(e->d_name, &v) && (v == in_use || v == before))
			continue;
		char *path = path_join(root, e->d_name);
		int rc = path_remove_tree(path);
		if (rc)
			LOG_WARN("%s: cannot remove an old content folder: %s", path, strerror(-rc));
		else
			LOG_INFO("removed %s, which no content version names", path);
		free(path);
	}
	closedir(d);
	free(root);
	content_unlock(lock);
}

/* Copies seed content and media into a staging folder, then renames it. */
static enum content_err copy_seed(const char *seed_dir, const char *media_dir, const char *target,
				  struct content_error *err)
{
	char *staging = xasprintf("%s.staging-%ld", target, (long)getpid());
	char *media = path_join(staging, "media");
	char *parent = path_dirname(target);
	enum content_err e = CONTENT_OK;
	int rc;
	path_remove_tree(staging);
	if ((rc = path_copy_tree(seed_dir, staging)) != 0) {
		snprintf(err->message, sizeof err->message, "copying %s to %s: %s", seed_dir,
			 staging, strerror(-rc));
		e = CONTENT_ERR_IO;
	} else if (path_is_dir(media_dir) && (rc = path_copy_tree(media_dir, media)) != 0) {
		snprintf(err->message, sizeof err->message, "copying %s to %s: %s", media_dir,
			 media, strerror(-rc));
		e = CONTENT_ERR_IO;
	} else if (rename(staging, target) != 0 || (rc = path_fsync_dir(parent)) != 0) {
		snprintf(err->message, sizeof err->message, "installing %s: %s", target,
			 strerror(errno));
		e = CONTENT_ERR_IO;
	}
	if (e)
		path_remove_tree(staging);
	free(parent);
	free(media);
	free(staging);
	return e;
}

/* The version the seed's content.json names, or 0 when it cannot say (and
 * then the log says why: the content in use stays). */
static int64_t seed_version(const char *seed_dir)
{
	char *path = path_join(seed_dir, "content.json");
	json_t *root = NULL;
	struct content_error err;
	int64_t v = 0;
	if (read_json(path, CONTENT_CAP_INDEX, &root, &err) == CONTENT_OK)
		v = json_integer_value(json_object_get(root, "version"));
	else
		LOG_ERR("the content in %s cannot be read, the content installed before stays: %s",
			seed_dir, err.message);
	json_decref(root);
	free(path);
	return v;
}

enum content_err content_install_seed(struct store *s, const char *data_dir, const char *seed_dir,
				      const char *media_dir, char **dir, struct content_error *err)
{
	*dir = NULL;
	int64_t in_use = 0;
	if (store_content_version(s, &in_use) != STORE_OK) {
		snprintf(err->message, sizeof err->message, "%s: cannot read the content version",
			 store_path(s));
		return CONTENT_ERR_STORE;
	}
	if (in_use > 0) {
		char *installed = content_version_dir(data_dir, in_use);
		/* An update of the kiosk may bring newer demo content; content from
		 * a bundle carries a higher version and stays. */
		if (path_is_dir(installed) && seed_version(seed_dir) <= in_use) {
			remove_unnamed(data_dir, in_use);
			*dir = installed;
			return CONTENT_OK;
		}
		if (!path_is_dir(installed))
			LOG_ERR("%s: content version %lld is named in the database but missing; "
				"installing the demo content again", installed, (long long)in_use);
		free(installed);
	}

	/* install_dir checks the seed before copying anything: broken demo
	 * content never replaces content that works. */
	char *target = NULL;
	enum content_err e = content_install_dir(s, data_dir, seed_dir, media_dir, &target, err);
	if (e) {
		char *installed = in_use > 0 ? content_version_dir(data_dir, in_use) : NULL;
		if (installed && path_is_dir(installed)) {
			LOG_ERR("newer demo content not installed: %s", err->message);
			*dir = installed;
			return CONTENT_OK;
		}
		free(installed);
		return e;
	}
	int64_t version = 0;
	store_content_version(s, &version);
	LOG_INFO("installed the demo content, version %lld, into %s", (long long)version, target);
	remove_unnamed(data_dir, version);
	*dir = target;
	return CONTENT_OK;
}

/* A survey version whose questions changed without a new version number
 * would export earlier answers under the new questions: refused. */
static enum content_err check_survey_kept(struct store *s, const struct content *c,
					  struct content_error *err)
{
	if (!c->survey)
		return CONTENT_OK;
	char *kept = NULL;
	enum store_err se = store_survey_get(s, c->survey->id, c->survey->version, &kept);
	if (se == STORE_ERR_NOT_FOUND)
		return CONTENT_OK;
	if (se != STORE_OK)
		return content_fail(err, CONTENT_ERR_STORE, "%s: cannot read the kept surveys",
				    store_path(s));
	json_t *old = json_loads(kept, 0, NULL), *now = json_loads(c->survey_json, 0, NULL);
	bool same = old && now && json_equal(old, now);
	json_decref(old);
	json_decref(now);
	free(kept);
	if (same)
		return CONTENT_OK;
	return content_fail(err, CONTENT_ERR_SCHEMA, "%s/survey.json: survey %s version %lld "
			    "differs from the one kept with the answers given to it; raise its "
			    "version when its questions change", c->dir, c->survey->id,
			    (long long)c->survey->version);
}

/* A folder about to be installed, checked as content (and, when expected is
 * not 0, carrying that version) and against the survey kept with earlier
 * answers; *version receives its version. */
static enum content_err check_installable(struct store *s, const char *dir, int64_t expected,
					  int64_t *version, struct content_error *err)
{
	struct content *c = NULL;
	enum content_err e = content_load(dir, &c, err);
	if (!e && expected && c->version != expected)
		e = content_fail(err, CONTENT_ERR_SCHEMA, "content.json says version %lld, the bundle "
				 "%lld: they must agree", (long long)c->version, (long long)expected);
	if (!e)
		e = check_survey_kept(s, c, err);
	*version = c ? c->version : 0;
	content_free(c);
	return e;
}

/* The single moment of change: one transaction names version in use.
 * On success *dir takes target over; else target is freed. */
static enum content_err name_in_use(struct store *s, int64_t version, char *target, char **dir,
				    struct content_error *err)
{
	if (store_content_version_set(s, version) != STORE_OK) {
		free(target);
		return content_fail(err, CONTENT_ERR_STORE, "%s: cannot record content version %lld",
				    store_path(s), (long long)version);
	}
	*dir = target;
	return CONTENT_OK;
}

enum content_err content_install_dir(struct store *s, const char *data_dir, const char *src_dir,
				     const char *media_dir, char **dir, struct content_error *err)
{
	*dir = NULL;
	int64_t version = 0;
	enum content_err e = check_installable(s, src_dir, 0, &version, err);
	if (e)
		return e;
	char *target = content_version_dir(data_dir, version);
	char *parent = path_dirname(target);
	int rc = path_mkdirs(parent, 0755);
	free(parent);
	if (rc) {
		snprintf(err->message, sizeof err->message, "%s: %s", target, strerror(-rc));
		free(target);
		return CONTENT_ERR_IO;
	}
	/* A complete folder of this version may be there already (the database
	 * was renewed): folders only ever appear complete, by rename. */
	if (!path_is_dir(target) && (e = copy_seed(src_dir, media_dir, target, err))) {
		free(target);
		return e;
	}
	return name_in_use(s, version, target, dir, err);
}

enum content_err content_load_other(struct store *s, const char *data_dir, int64_t shown,
				    struct content **out, struct content_error *err)
{
	*out = NULL;
	int64_t in_use = 0;
	if (store_content_version(s, &in_use) != STORE_OK) {
		snprintf(err->message, sizeof err->message, "%s: cannot read the content version",
			 store_path(s));
		return CONTENT_ERR_STORE;
	}
	if (in_use == shown)
		return CONTENT_OK;
	char *dir = content_version_dir(data_dir, in_use);
	enum content_err e = content_load(dir, out, err);
	free(dir);
	return e;
}

char *content_staging_dir(const char *data_dir, int64_t version)
{
	return xasprintf("%s/content/%lld.staging-%ld", data_dir, (long long)version,
			 (long)getpid());
}

/* fsync of every folder below dir (and dir itself): the renames and new
 * files in them survive a power cut before the switch names them. */
static int fsync_folders(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		char *path = path_join(dir, e->d_name);
		if (path_is_dir(path))
			rc = fsync_folders(path);
		free(path);
	}
	closedir(d);
	return rc ? rc : path_fsync_dir(dir);
}

enum content_err content_install_staged(struct store *s, const char *data_dir, const char *staging,
					int64_t version_expected, char **dir, struct content_error *err)
{
	*dir = NULL;
	int64_t version = 0;
	enum content_err e = check_installable(s, staging, version_expected, &version, err);
	if (e)
		return e;
	char *target = content_version_dir(data_dir, version);
	int64_t in_use = 0;
	store_content_version(s, &in_use);
	if (path_is_dir(target) && version == in_use) {
		free(target);
		return content_fail(err, CONTENT_ERR_SCHEMA, "version %lld is installed and in use "
				    "already", (long long)version);
	}
	/* A folder no version names (an older install of it, kept as the one
	 * before): renamed aside whole, then removed, so that a crash midway
	 * never leaves half of it under a version's name (a rollback would take
	 * it); a leftover .old-PID is removed at the next start. */
	char *aside = xasprintf("%s.old-%ld", target, (long)getpid());
	if (rename(target, aside) == 0)
		path_remove_tree(aside);
	free(aside);
	char *parent = path_dirname(target);
	int rc = fsync_folders(staging);
	if (rc == 0 && rename(staging, target) != 0)
		rc = -errno;
	if (rc == 0)
		rc = path_fsync_dir(parent);
	free(parent);
	if (rc) {
		e = content_fail(err, CONTENT_ERR_IO, "installing %s: %s", target, strerror(-rc));
		free(target);
		return e;
	}
	return name_in_use(s, version, target, dir, err);
}

enum content_err content_rollback(struct store *s, const char *data_dir, int64_t *version,
				  struct content_error *err)
{
	int64_t in_use = 0;
	if (store_content_version(s, &in_use) != STORE_OK)
		return content_fail(err, CONTENT_ERR_STORE, "%s: cannot read the content version",
				    store_path(s));
	char *root = xasprintf("%s/content", data_dir);
	int64_t before = version_before(root, in_use);
	free(root);
	if (before == 0)
		return content_fail(err, CONTENT_ERR_SCHEMA, "no version before %lld is kept: there "
				    "is nothing to go back to", (long long)in_use);
	char *dir = content_version_dir(data_dir, before);
	int64_t checked = 0;
	enum content_err e = check_installable(s, dir, before, &checked, err);
	char *named = NULL;
	if (!e)
		e = name_in_use(s, before, dir, &named, err);
	else
		free(dir);
	free(named);
	if (!e) {
		*version = before;
		LOG_INFO("went back from content version %lld to %lld", (long long)in_use,
			 (long long)before);
	}
	return e;
}
