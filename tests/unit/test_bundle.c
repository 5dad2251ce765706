/* Unit tests for bundle: keys, a signed bundle made and verified, the
 * signer that is not trusted; what a bundle would change (the preview),
 * an import with its progress and cancel, the rollback, the lock on
 * DATA/content, the stick watch, and previews and imports on the job seam.
 * Links kiosk_bundle only (the layer check; jansson only to edit the copies
 * of the demo content the bundles are made from); the tampered bundles are
 * in tests/cli/test_bundle.py.
 *
 * The stick watch and the job seam cases cross threads: they are also built
 * and run under ThreadSanitizer as tsan_bundle (KIOSK_TEST_THREADS_ONLY,
 * tests/unit/CMakeLists.txt, label tsan). */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "kiosk/bundle.h"
#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"
#include "test_util.h"

static void test_keys_sign_and_verify(void **state)
{
	char *tmp = test_mkdtemp("bundle");
	char *prefix = path_join(tmp, "staff"), *keys = path_join(tmp, "keys");
	char *key = xasprintf("%s.key", prefix), *pub = xasprintf("%s.pub", prefix);
	char *trusted = path_join(keys, "staff.pub"), *out = path_join(tmp, "demo.kiosk");
	char *media = path_join(KIOSK_SOURCE_DIR, "media");
	struct bundle_error err = {{0}};

	assert_int_equal(bundle_keygen(prefix, &err), BUNDLE_OK);
	struct stat st;
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(bundle_keygen(prefix, &err), BUNDLE_ERR_IO); /* never overwritten */

	assert_int_equal(bundle_create(key, KIOSK_SEED_DIR, media, 42, out, &err), BUNDLE_OK);
	struct bundle_info info;
	/* Nobody trusts it yet. */
	assert_int_equal(path_mkdirs(keys, 0755), 0);
	assert_int_equal(bundle_verify(out, keys, &info, &err), BUNDLE_ERR_SIGNER);
	assert_non_null(strstr(err.message, "not among the trusted keys"));
	/* Its public key trusted: verified, and it says what it is. */
	char *text = test_slurp(pub, NULL);
	free(test_write(keys, "staff.pub", text, 0));
	free(text);
	assert_int_equal(bundle_verify(out, keys, &info, &err), BUNDLE_OK);
	assert_int_equal(info.version, 42);
	assert_string_equal(info.signer, "staff");
	assert_int_equal(strlen(info.key_id), 16);
	assert_true(info.n_files > 20);
	assert_true(info.total_bytes > 1000000); /* the films travel with it */
	/* Not a bundle at all. */
	assert_int_equal(bundle_verify(pub, keys, &info, &err), BUNDLE_ERR_FORMAT);
	for (int e = BUNDLE_OK; e <= BUNDLE_ERR_MEMBER; e++)
		assert_string_not_equal(bundle_strerror((enum bundle_err)e), "unknown error");

	free(media);
	free(out);
	free(trusted);
	free(pub);
	free(key);
	free(keys);
	free(prefix);
	test_rmtree(tmp);
}

/* ---- A kiosk to install into: a signing key it trusts, a data folder
 * with its database and the demo content (version 8) installed ---- */

struct kiosk {
	char *tmp;
	char *key;      /* the signer's secret key */
	char *trusted;  /* the kiosk's trusted keys folder */
	char *data;     /* DATA */
	char *content;  /* DATA/content */
	char *media;    /* the demo films */
	struct store *s;
};

static struct kiosk *kiosk_new(const char *name)
{
	struct kiosk *k = xcalloc(1, sizeof *k);
	struct bundle_error err = {{0}};
	k->tmp = test_mkdtemp(name);
	char *prefix = path_join(k->tmp, "staff");
	k->key = xasprintf("%s.key", prefix);
	k->trusted = path_join(k->tmp, "trusted");
	k->data = path_join(k->tmp, "data");
	k->content = path_join(k->data, "content");
	k->media = path_join(KIOSK_SOURCE_DIR, "media");
	assert_int_equal(bundle_keygen(prefix, &err), BUNDLE_OK);
	char *pub = xasprintf("%s.pub", prefix), *text = test_slurp(pub, NULL);
	free(test_write(k->trusted, "staff.pub", text, 0));
	free(text);
	free(pub);
	free(prefix);

	char *db = path_join(k->data, "kiosk.sqlite3");
	assert_int_equal(store_open(db, STORE_OPEN_EXISTING, &k->s), STORE_OK);
	free(db);
	char *dir = NULL;
	struct content_error cerr;
	if (content_install_seed(k->s, k->data, KIOSK_SEED_DIR, k->media, &dir, &cerr) != CONTENT_OK)
		fail_msg("%s", cerr.message);
	free(dir);
	return k;
}

static void kiosk_free(struct kiosk *k)
{
	store_close(k->s);
	free(k->key);
	free(k->trusted);
	free(k->data);
	free(k->content);
	free(k->media);
	test_rmtree(k->tmp);
	free(k);
}

static int64_t version_in_use(struct kiosk *k)
{
	int64_t v = -1;
	assert_int_equal(store_content_version(k->s, &v), STORE_OK);
	return v;
}

/* Entries of DATA/content whose names begin with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* A copy of the demo content (and, when media is set, of its films) to
 * change before it is signed.  Caller frees. */
static char *copy_tree(struct kiosk *k, const char *from, const char *name)
{
	char *to = path_join(k->tmp, name);
	assert_int_equal(path_copy_tree(from, to), 0);
	return to;
}

static json_t *json_read(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("%s: %s", path, je.text);
	free(path);
	return j;
}

static void json_write(const char *dir, const char *name, json_t *j)
{
	char *path = path_join(dir, name);
	assert_int_equal(json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
	free(path);
	json_decref(j);
}

/* The element of array whose "id" or "code" is id, and its index. */
static json_t *json_find(json_t *array, const char *key, const char *id, size_t *at)
{
	size_t i;
	json_t *v;
	json_array_foreach(array, i, v)
		if (strcmp(json_string_value(json_object_get(v, key)), id) == 0) {
			if (at)
				*at = i;
			return v;
		}
	fail_msg("no %s '%s'", key, id);
	return NULL;
}

static void drop_language(json_t *index, const char *code)
{
	size_t at;
	json_find(json_object_get(index, "languages"), "code", code, &at);
	json_array_remove(json_object_get(index, "languages"), at);
}

/* Signs src (films from media) as version into tmp/name.  Caller frees. */
static char *sign(struct kiosk *k, const char *src, const char *media, int64_t version,
		  const char *name)
{
	char *out = path_join(k->tmp, name);
	struct bundle_error err = {{0}};
	if (bundle_create(k->key, src, media, version, out, &err) != BUNDLE_OK)
		fail_msg("%s", err.message);
	return out;
}

static void import_ok(struct kiosk *k, const char *bundle, int64_t version)
{
	struct bundle_info info;
	struct bundle_error err = {{0}};
	if (bundle_import(bundle, k->trusted, k->s, k->data, false, NULL, &info, &err) != BUNDLE_OK)
		fail_msg("%s", err.message);
	assert_int_equal(info.version, version);
	assert_int_equal(version_in_use(k), version);
}

static const struct bundle_change *find_change(const struct bundle_preview *p,
					       enum bundle_item item, const char *id)
{
	for (size_t i = 0; i < p->n_changes; i++)
		if (p->changes[i].item == item && strcmp(p->changes[i].id, id) == 0)
			return &p->changes[i];
	return NULL;
}

static void expect_change(const struct bundle_preview *p, enum bundle_item item,
			  enum bundle_change_kind kind, const char *id)
{
	const struct bundle_change *c = find_change(p, item, id);
	if (!c)
		fail_msg("the preview does not list %s (item %d)", id, (int)item);
	if (c->kind != kind)
		fail_msg("%s: kind %d, expected %d", id, (int)c->kind, (int)kind);
}

/* What a bundle would change, against a version installed from a bundle
 * (which keeps its manifest, so films are compared by hashes). */
static void test_preview_lists_changes(void **state)
{
	struct kiosk *k = kiosk_new("preview");
	/* Installed: the demo content without Arabic, as version 100. */
	char *old_src = copy_tree(k, KIOSK_SEED_DIR, "src100");
	json_t *index = json_read(old_src, "content.json");
	drop_language(index, "ar");
	json_write(old_src, "content.json", index);
	char *b100 = sign(k, old_src, k->media, 100, "v100.kiosk");
	import_ok(k, b100, 100);

	/* The bundle: Arabic back, Ukrainian gone; the English page of one
	 * topic and the German title of another changed; one topic renamed
	 * (removed and added); one film's bytes changed under the same name;
	 * the survey's questions changed (with its version). */
	char *src = copy_tree(k, KIOSK_SEED_DIR, "src200");
	char *media = copy_tree(k, k->media, "media200");
	index = json_read(src, "content.json");
	drop_language(index, "uk");
	json_t *topics = json_object_get(index, "topics");
	json_object_set_new(json_object_get(json_find(topics, "id", "diskriminierungsfrei", NULL),
					    "title"),
			    "de", json_string("Ohne Diskriminierung digitalisieren"));
	json_t *t = json_find(topics, "id", "mitmachen", NULL);
	json_object_set_new(t, "id", json_string("neu"));
	json_object_set_new(t, "page", json_string("pages/neu"));
	json_write(src, "content.json", index);
	const char *codes[] = {"de", "de-x-ls", "en", "tr", "uk", "ar"};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char *from = xasprintf("%s/pages/mitmachen.%s.md", src, codes[i]);
		char *to = xasprintf("%s/pages/neu.%s.md", src, codes[i]);
		assert_int_equal(rename(from, to), 0);
		free(from);
		free(to);
	}
	char *page = xasprintf("%s/pages/projekt.en.md", src);
	FILE *f = fopen(page, "a");
	assert_non_null(f);
	fputs("\nOne more paragraph.\n", f);
	assert_int_equal(fclose(f), 0);
	free(page);
	char *film = path_join(media, "prozesse.mp4");
	f = fopen(film, "a");
	assert_non_null(f);
	fputs("other bytes", f);
	assert_int_equal(fclose(f), 0);
	free(film);
	json_t *survey = json_read(src, "survey.json");
	json_object_set_new(survey, "version", json_integer(2));
	json_object_set_new(json_object_get(json_array_get(json_object_get(survey, "questions"), 0),
					    "text"),
			    "de", json_string("Hat der Ratgeber Ihnen weitergeholfen?"));
	json_write(src, "survey.json", survey);
	char *b200 = sign(k, src, media, 200, "v200.kiosk");

	struct bundle_preview p;
	struct bundle_error err = {{0}};
	if (bundle_preview(b200, k->trusted, k->s, k->data, &p, &err) != BUNDLE_OK)
		fail_msg("%s", err.message);
	assert_false(p.refused);
	assert_int_equal(p.info.version, 200);
	assert_int_equal(p.version_in_use, 100);
	assert_string_equal(p.languages, "de de-x-ls en tr ar");
	expect_change(&p, BUNDLE_TOPIC, BUNDLE_CHANGED, "projekt");
	expect_change(&p, BUNDLE_TOPIC, BUNDLE_CHANGED, "diskriminierungsfrei");
	assert_string_equal(find_change(&p, BUNDLE_TOPIC, "diskriminierungsfrei")->title,
			    "Ohne Diskriminierung digitalisieren");
	expect_change(&p, BUNDLE_TOPIC, BUNDLE_ADDED, "neu");
	expect_change(&p, BUNDLE_TOPIC, BUNDLE_REMOVED, "mitmachen");
	expect_change(&p, BUNDLE_FILM, BUNDLE_CHANGED, "prozesse");
	expect_change(&p, BUNDLE_SURVEY, BUNDLE_CHANGED, "kiosk-feedback");
	expect_change(&p, BUNDLE_LANGUAGE, BUNDLE_ADDED, "ar");
	expect_change(&p, BUNDLE_LANGUAGE, BUNDLE_REMOVED, "uk");
	/* Nothing else: the topics and films that stayed are not listed. */
	assert_null(find_change(&p, BUNDLE_TOPIC, "plattformen"));
	assert_null(find_change(&p, BUNDLE_FILM, "projekt"));
	assert_int_equal(p.n_changes, 8);
	/* In the order the screen shows them: topics, films, survey, languages. */
	for (size_t i = 1; i < p.n_changes; i++)
		assert_true(p.changes[i - 1].item <= p.changes[i].item);
	bundle_preview_free(&p);
	/* A preview changes nothing and leaves nothing behind. */
	assert_int_equal(version_in_use(k), 100);
	assert_int_equal(count_prefixed(k->content, "import."), 0);

	/* The same bundle again: sound, so it is shown, but not newer. */
	assert_int_equal(bundle_preview(b100, k->trusted, k->s, k->data, &p, &err), BUNDLE_OK);
	assert_true(p.refused);
	assert_non_null(strstr(p.refusal.message, "not newer"));
	assert_int_equal(p.info.version, 100);
	assert_int_equal(p.n_changes, 0); /* the very same content */
	bundle_preview_free(&p);
	assert_int_equal(count_prefixed(k->content, "import."), 0);
	assert_int_equal(version_in_use(k), 100);

	free(b200);
	free(media);
	free(src);
	free(b100);
	free(old_src);
	kiosk_free(k);
}

/* A film whose bytes changed is found against the installed manifest even
 * when nothing else about it did; the same film is not listed. */
static void test_preview_film_bytes_only(void **state)
{
	struct kiosk *k = kiosk_new("preview-film");
	char *b100 = sign(k, KIOSK_SEED_DIR, k->media, 100, "v100.kiosk");
	import_ok(k, b100, 100);
	char *media = copy_tree(k, k->media, "media");
	char *film = path_join(media, "plattformen.mp4");
	FILE *f = fopen(film, "r+");
	assert_non_null(f);
	assert_int_equal(fseek(f, 4096, SEEK_SET), 0);
	fputc('X', f); /* one byte, the size the same */
	assert_int_equal(fclose(f), 0);
	char *b101 = sign(k, KIOSK_SEED_DIR, media, 101, "v101.kiosk");
	struct bundle_preview p;
	struct bundle_error err = {{0}};
	if (bundle_preview(b101, k->trusted, k->s, k->data, &p, &err) != BUNDLE_OK)
		fail_msg("%s", err.message);
	assert_false(p.refused);
	assert_int_equal(p.n_changes, 1);
	assert_int_equal(p.changes[0].item, BUNDLE_FILM);
	assert_int_equal(p.changes[0].kind, BUNDLE_CHANGED);
	assert_string_equal(p.changes[0].id, "plattformen");
	bundle_preview_free(&p);
	assert_int_equal(count_prefixed(k->content, "import."), 0);
	free(b101);
	free(film);
	free(media);
	free(b100);
	kiosk_free(k);
}

/* ---- An import watched: progress, cancel ---- */

struct watched {
	enum bundle_phase phases[4096];
	uint64_t done[4096], total[4096];
	size_t n;
	bool cancel_in_copy;  /* say "cancelled" once copying was reported */
	bool copying_seen;
	int cancel_asks_after_copy;
};

static void on_progress(void *user, enum bundle_phase phase, uint64_t done, uint64_t total)
{
	struct watched *w = user;
	assert_true(w->n < sizeof w->phases / sizeof w->phases[0]);
	w->phases[w->n] = phase;
	w->done[w->n] = done;
	w->total[w->n] = total;
	w->n++;
	if (phase == BUNDLE_PHASE_COPYING && done > 0)
		w->copying_seen = true;
}

static bool on_cancelled(void *user)
{
	struct watched *w = user;
	if (w->copying_seen)
		w->cancel_asks_after_copy++;
	return w->cancel_in_copy && w->copying_seen;
}

static void test_import_progress(void **state)
{
	struct kiosk *k = kiosk_new("import-progress");
	char *b = sign(k, KIOSK_SEED_DIR, k->media, 100, "v100.kiosk");
	struct watched *w = xcalloc(1, sizeof *w);
	struct bundle_watch watch = {on_progress, on_cancelled, w};
	struct bundle_info info;
	struct bundle_error err = {{0}};
	if (bundle_import(b, k->trusted, k->s, k->data, false, &watch, &info, &err) != BUNDLE_OK)
		fail_msg("%s", err.message);
	assert_int_equal(version_in_use(k), 100);
	assert_true(w->n >= 3);
	assert_int_equal(w->phases[0], BUNDLE_PHASE_CHECKING);
	assert_int_equal(w->phases[w->n - 1], BUNDLE_PHASE_SWITCHING);
	bool copied = false;
	for (size_t i = 1; i < w->n; i++) {
		assert_true(w->phases[i - 1] <= w->phases[i]); /* checking, copying, switching */
		assert_true(w->done[i - 1] <= w->done[i]);     /* never backwards */
		if (w->phases[i] == BUNDLE_PHASE_COPYING) {
			copied = true;
			assert_int_equal(w->total[i], info.total_bytes);
			assert_true(w->done[i] <= w->total[i]);
		}
	}
	assert_true(copied);
	assert_int_equal(w->done[w->n - 1], info.total_bytes);
	assert_int_equal(w->total[w->n - 1], info.total_bytes);
	/* A bar that moves: more than a handful of steps for 4 MB. */
	assert_true(w->n > 20);
	assert_int_equal(count_prefixed(k->content, "import."), 0);
	free(w);
	free(b);
	kiosk_free(k);
}

static void test_import_cancelled_mid_copy(void **state)
{
	struct kiosk *k = kiosk_new("import-cancel");
	char *b = sign(k, KIOSK_SEED_DIR, k->media, 100, "v100.kiosk");
	struct watched *w = xcalloc(1, sizeof *w);
	w->cancel_in_copy = true;
	struct bundle_watch watch = {on_progress, on_cancelled, w};
	struct bundle_info info;
	struct bundle_error err = {{0}};
	assert_int_equal(bundle_import(b, k->trusted, k->s, k->data, false, &watch, &info, &err),
			 BUNDLE_ERR_CANCELLED);
	assert_true(err.message[0] != '\0');
	/* It stopped at once, mid-copy, and never switched. */
	assert_int_equal(w->cancel_asks_after_copy, 1);
	for (size_t i = 0; i < w->n; i++)
		assert_int_not_equal(w->phases[i], BUNDLE_PHASE_SWITCHING);
	assert_true(w->done[w->n - 1] < info.total_bytes);
	/* The version in use unchanged, nothing staged left, no new version. */
	assert_int_equal(version_in_use(k), 8);
	assert_int_equal(count_prefixed(k->content, "import."), 0);
	char *v100 = content_version_dir(k->data, 100);
	assert_false(path_exists(v100));
	free(v100);
	/* And the same bundle installs afterwards. */
	import_ok(k, b, 100);
	free(w);
	free(b);
	kiosk_free(k);
}

static void test_rollback(void **state)
{
	struct kiosk *k = kiosk_new("rollback");
	struct bundle_error err = {{0}};
	int64_t v = -1;
	/* Only the demo content: nothing to go back to. */
	assert_int_equal(bundle_rollback(k->s, k->data, &v, &err), BUNDLE_ERR_REFUSED);
	assert_non_null(strstr(err.message, "nothing to go back to"));
	assert_int_equal(version_in_use(k), 8);

	char *b = sign(k, KIOSK_SEED_DIR, k->media, 100, "v100.kiosk");
	import_ok(k, b, 100);
	assert_int_equal(bundle_rollback(k->s, k->data, &v, &err), BUNDLE_OK);
	assert_int_equal(v, 8);
	assert_int_equal(version_in_use(k), 8);
	/* The version in use is the one the kiosk loads. */
	struct content *c = NULL;
	struct content_error cerr;
	assert_int_equal(content_load_other(k->s, k->data, 100, &c, &cerr), CONTENT_OK);
	assert_non_null(c);
	assert_int_equal(c->version, 8);
	content_free(c);
	/* Once back at the oldest, a second rollback fails and changes nothing. */
	err.message[0] = '\0';
	v = -1;
	assert_int_equal(bundle_rollback(k->s, k->data, &v, &err), BUNDLE_ERR_REFUSED);
	assert_non_null(strstr(err.message, "nothing to go back to"));
	assert_int_equal(v, -1);
	assert_int_equal(version_in_use(k), 8);
	free(b);
	kiosk_free(k);
}

/* An import's shared lock keeps a starting kiosk from removing its staging. */
static void test_lock_keeps_staging(void **state)
{
	struct kiosk *k = kiosk_new("lock");
	int shared = content_lock(k->data, false);
	assert_true(shared >= 0);
	assert_int_equal(content_lock(k->data, true), -1); /* never waits */
	char *staging = path_join(k->content, "import.staging-4242");
	free(test_write(staging, "content.json", "{}", 0));

	char *dir = NULL;
	struct content_error cerr;
	assert_int_equal(content_install_seed(k->s, k->data, KIOSK_SEED_DIR, k->media, &dir, &cerr),
			 CONTENT_OK);
	free(dir);
	assert_true(path_is_dir(staging)); /* the import goes on */

	content_unlock(shared);
	int exclusive = content_lock(k->data, true);
	assert_true(exclusive >= 0);
	content_unlock(exclusive);
	assert_int_equal(content_install_seed(k->s, k->data, KIOSK_SEED_DIR, k->media, &dir, &cerr),
			 CONTENT_OK);
	free(dir);
	assert_false(path_exists(staging)); /* a leftover of an import that died */
	assert_int_equal(version_in_use(k), 8);
	free(staging);
	kiosk_free(k);
}

/* ---- The stick watch (a thread of its own) ---- */

static atomic_int stick_wakes;

static void on_stick_wake(void *data, enum wake_source source)
{
	(void)data;
	if (source == WAKE_SOURCE_STICK)
		atomic_fetch_add(&stick_wakes, 1);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits (at most 5 s) until the watch names want (NULL: no bundle) after
 * more than wakes_before wakes. */
static void wait_bundle(struct stick_watch *w, const char *want, int wakes_before)
{
	char *now = NULL;
	for (int i = 0; i < 500; i++) {
		free(now);
		now = stick_watch_bundle(w);
		bool same = want ? now && strcmp(now, want) == 0 : !now;
		if (same && atomic_load(&stick_wakes) > wakes_before) {
			free(now);
			return;
		}
		sleep_ms(10);
	}
	fail_msg("the watch names %s after %d wakes, expected %s after more than %d",
		 now ? now : "no bundle", atomic_load(&stick_wakes), want ? want : "none",
		 wakes_before);
}

/* Writes a file the way a copy does: under a dot-name, then renamed. */
static char *put_bundle(const char *dir, const char *name)
{
	char *tmp_name = xasprintf(".%s.part", name);
	char *tmp = test_write(dir, tmp_name, "not really a bundle", 0);
	char *path = path_join(dir, name);
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
	free(tmp_name);
	return path;
}

static void test_stick_watch(void **state)
{
	char *tmp = test_mkdtemp("sticks");
	char *root = path_join(tmp, "media");
	assert_int_equal(path_mkdirs(root, 0755), 0);
	char *roots[] = {root, NULL};
	const struct wake wake = {on_stick_wake, NULL};
	atomic_store(&stick_wakes, 0);
	struct stick_watch *w = stick_watch_start(roots, &wake);
	assert_non_null(w);
	sleep_ms(100);
	char *none = stick_watch_bundle(w);
	assert_null(none);
	assert_int_equal(atomic_load(&stick_wakes), 0); /* nothing there, nothing said */

	/* A stick arrives with a bundle. */
	char *stick = path_join(root, "STICK");
	assert_int_equal(path_mkdirs(stick, 0755), 0);
	char *x = put_bundle(stick, "x.kiosk");
	wait_bundle(w, x, 0);

	/* What is not a bundle is ignored: another name, a link. */
	int wakes = atomic_load(&stick_wakes);
	free(test_write(stick, "notes.txt", "hello", 0));
	free(test_write(stick, "y.kiosk.txt", "hello", 0));
	char *link = path_join(stick, "y.kiosk");
	assert_int_equal(symlink("x.kiosk", link), 0);
	sleep_ms(1000); /* well past the watch's settling time */
	char *now = stick_watch_bundle(w);
	assert_string_equal(now, x);
	free(now);
	assert_int_equal(atomic_load(&stick_wakes), wakes);

	/* Two bundles: the one that sorts last (a newer version's name). */
	char *z = put_bundle(stick, "z.kiosk");
	wait_bundle(w, z, wakes);
	wakes = atomic_load(&stick_wakes);

	/* A stick in a user's folder (a desktop's /media/USER/LABEL) counts too. */
	char *user = path_join(root, "staff/LABEL");
	assert_int_equal(path_mkdirs(user, 0755), 0);
	char *zz = put_bundle(user, "zz.kiosk");
	assert_true(strcmp(zz, z) > 0); /* ".../staff/..." after ".../STICK/..." */
	wait_bundle(w, zz, wakes);
	wakes = atomic_load(&stick_wakes);
	char *staff = path_join(root, "staff");
	assert_int_equal(path_remove_tree(staff), 0);
	wait_bundle(w, z, wakes);
	wakes = atomic_load(&stick_wakes);

	/* The stick goes. */
	assert_int_equal(path_remove_tree(stick), 0);
	wait_bundle(w, NULL, wakes);

	/* Stopped: it returns, and says nothing more. */
	stick_watch_stop(w);
	wakes = atomic_load(&stick_wakes);
	char *again = path_join(root, "AGAIN");
	free(put_bundle(again, "a.kiosk"));
	sleep_ms(500);
	assert_int_equal(atomic_load(&stick_wakes), wakes);
	stick_watch_stop(NULL);

	free(again);
	free(staff);
	free(zz);
	free(user);
	free(z);
	free(link);
	free(x);
	free(stick);
	free(root);
	test_rmtree(tmp);
}

/* ---- Previews and imports on the job seam (the import worker) ---- */

/* The UI thread's side of the wake.  With park set, the worker that
 * reports the first COPYING progress waits in the wake until the test says
 * go on: the cancel then comes mid-copy, every time. */
struct waker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int wakes;
	struct jobs *jobs;
	bool park;
	bool parked;
	bool go_on;
	struct job_progress at_park;
};

static struct waker waker = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void on_job_wake(void *data, enum wake_source source)
{
	struct waker *w = data;
	pthread_mutex_lock(&w->lock);
	w->wakes++;
	pthread_cond_broadcast(&w->cond);
	if (source == WAKE_SOURCE_JOBS && w->park && !w->parked) {
		struct job_progress p;
		jobs_progress(w->jobs, JOB_KIND_IMPORT, &p);
		if (p.phase == BUNDLE_PHASE_COPYING) {
			w->parked = true;
			w->at_park = p;
			pthread_cond_broadcast(&w->cond);
			while (!w->go_on)
				pthread_cond_wait(&w->cond, &w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
}

static void timeout_in(struct timespec *until, int s)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += s;
}

/* Waits (at most 60 s: TSan is slow) for the next result. */
static bool wait_result(struct jobs *j, struct job_result *r)
{
	struct timespec until;
	timeout_in(&until, 60);
	pthread_mutex_lock(&waker.lock);
	for (;;) {
		if (jobs_take_result(j, r)) {
			pthread_mutex_unlock(&waker.lock);
			return true;
		}
		if (pthread_cond_timedwait(&waker.cond, &waker.lock, &until) != 0) {
			pthread_mutex_unlock(&waker.lock);
			return jobs_take_result(j, r);
		}
	}
}

static struct jobs *jobs_for_test(bool park)
{
	pthread_mutex_lock(&waker.lock);
	waker.wakes = 0;
	waker.park = park;
	waker.parked = waker.go_on = false;
	pthread_mutex_unlock(&waker.lock);
	const struct wake wake = {on_job_wake, &waker};
	struct jobs *j = jobs_new(&wake);
	pthread_mutex_lock(&waker.lock);
	waker.jobs = j;
	pthread_mutex_unlock(&waker.lock);
	return j;
}

static void test_job_preview(void **state)
{
	struct kiosk *k = kiosk_new("job-preview");
	char *b = sign(k, KIOSK_SEED_DIR, k->media, 100, "v100.kiosk");
	struct jobs *j = jobs_for_test(false);
	uint64_t id = bundle_submit(j, BUNDLE_OP_PREVIEW, b, k->trusted, k->data);
	assert_true(id > 0);
	struct job_result r;
	assert_true(wait_result(j, &r));
	assert_int_equal(r.id, id);
	assert_int_equal(r.kind, JOB_KIND_IMPORT);
	const struct bundle_outcome *o = bundle_outcome_of(&r);
	assert_non_null(o);
	assert_int_equal(o->op, BUNDLE_OP_PREVIEW);
	if (o->err != BUNDLE_OK)
		fail_msg("%s", o->error.message);
	assert_false(o->stick_gone);
	assert_false(o->preview.refused);
	assert_int_equal(o->preview.info.version, 100);
	assert_int_equal(o->preview.version_in_use, 8);
	assert_string_equal(o->preview.info.signer, "staff");
	job_result_free(&r);
	assert_int_equal(version_in_use(k), 8); /* a preview installs nothing */
	assert_int_equal(count_prefixed(k->content, "import."), 0);

	/* A bundle that is not there: a failed outcome, said as such. */
	char *gone = path_join(k->tmp, "gone.kiosk");
	id = bundle_submit(j, BUNDLE_OP_PREVIEW, gone, k->trusted, k->data);
	assert_true(wait_result(j, &r));
	o = bundle_outcome_of(&r);
	assert_non_null(o);
	assert_int_equal(o->err, BUNDLE_ERR_IO);
	assert_true(o->stick_gone);
	job_result_free(&r);

	/* An import through the seam installs, and says so. */
	id = bundle_submit(j, BUNDLE_OP_IMPORT, b, k->trusted, k->data);
	assert_true(wait_result(j, &r));
	o = bundle_outcome_of(&r);
	assert_non_null(o);
	assert_int_equal(o->op, BUNDLE_OP_IMPORT);
	if (o->err != BUNDLE_OK)
		fail_msg("%s", o->error.message);
	assert_int_equal(o->info.version, 100);
	job_result_free(&r);
	assert_int_equal(version_in_use(k), 100);
	jobs_free(j);
	free(gone);
	free(b);
	kiosk_free(k);
}

/* An import cancelled from the UI thread while it copies tens of MB. */
static void test_job_import_cancelled(void **state)
{
	struct kiosk *k = kiosk_new("job-cancel");
	char *media = copy_tree(k, k->media, "media");
	/* One film of 32 MB: the copy runs long after the first progress. */
	char *film = path_join(media, "projekt.mp4");
	FILE *f = fopen(film, "w");
	assert_non_null(f);
	char *block = xcalloc(1, 1 << 20);
	for (int i = 0; i < 32; i++) {
		block[0] = (char)i;
		assert_int_equal(fwrite(block, 1, 1 << 20, f), 1 << 20);
	}
	assert_int_equal(fclose(f), 0);
	free(block);
	char *b = sign(k, KIOSK_SEED_DIR, media, 100, "big.kiosk");

	struct jobs *j = jobs_for_test(true);
	uint64_t id = bundle_submit(j, BUNDLE_OP_IMPORT, b, k->trusted, k->data);
	assert_true(id > 0);
	struct timespec until;
	timeout_in(&until, 60);
	pthread_mutex_lock(&waker.lock);
	while (!waker.parked)
		if (pthread_cond_timedwait(&waker.cond, &waker.lock, &until) != 0)
			break;
	bool parked = waker.parked;
	struct job_progress at = waker.at_park;
	pthread_mutex_unlock(&waker.lock);
	assert_true(parked);
	assert_int_equal(at.id, id);
	assert_true(at.done < at.total);
	assert_true(jobs_busy(j, JOB_KIND_IMPORT));
	jobs_cancel(j, JOB_KIND_IMPORT);
	pthread_mutex_lock(&waker.lock);
	waker.go_on = true;
	pthread_cond_broadcast(&waker.cond);
	pthread_mutex_unlock(&waker.lock);

	struct job_result r;
	assert_true(wait_result(j, &r));
	assert_int_equal(r.id, id);
	assert_true(r.cancelled);
	const struct bundle_outcome *o = bundle_outcome_of(&r);
	assert_non_null(o); /* it ran: what it did is said */
	assert_int_equal(o->op, BUNDLE_OP_IMPORT);
	assert_int_equal(o->err, BUNDLE_ERR_CANCELLED);
	assert_false(o->stick_gone);
	job_result_free(&r);
	assert_false(jobs_busy(j, JOB_KIND_IMPORT));
	assert_int_equal(version_in_use(k), 8);
	assert_int_equal(count_prefixed(k->content, "import."), 0);
	char *v100 = content_version_dir(k->data, 100);
	assert_false(path_exists(v100));
	free(v100);
	jobs_free(j);
	free(b);
	free(film);
	free(media);
	kiosk_free(k);
}

/* True once some flock() on the file with this inode waits (/proc/locks
 * lists a waiter as "N: -> FLOCK ..."). */
static bool lock_waited_on(unsigned long inode)
{
	char *text = NULL;
	size_t len = 0;
	if (file_read_capped("/proc/locks", 1u << 20, &text, &len) != 0)
		return false;
	char want[32];
	snprintf(want, sizeof want, ":%lu ", inode);
	bool found = false;
	for (char *line = strtok(text, "\n"); line && !found; line = strtok(NULL, "\n"))
		found = strstr(line, "-> FLOCK") && strstr(line, want);
	free(text);
	return found;
}

/* A preview cancelled while it ran (the screen moved on to another stick)
 * hands back no outcome: what it found is about a bundle nobody waits for,
 * and must never be shown as the preview of the next one. */
static void test_job_preview_cancelled(void **state)
{
	struct kiosk *k = kiosk_new("job-preview-cancel");
	char *b = sign(k, KIOSK_SEED_DIR, k->media, 100, "v100.kiosk");
	/* Held exclusive, the lock keeps the preview waiting inside its run. */
	int held = content_lock(k->data, true);
	assert_true(held >= 0);
	char *lock = path_join(k->content, ".lock");
	struct stat st;
	assert_int_equal(stat(lock, &st), 0);
	struct jobs *j = jobs_for_test(false);
	uint64_t id = bundle_submit(j, BUNDLE_OP_PREVIEW, b, k->trusted, k->data);
	assert_true(id > 0);
	bool waiting = false;
	for (int i = 0; i < 6000 && !(waiting = lock_waited_on((unsigned long)st.st_ino)); i++)
		sleep_ms(10);
	assert_true(waiting);
	jobs_cancel(j, JOB_KIND_IMPORT);
	content_unlock(held);
	struct job_result r;
	assert_true(wait_result(j, &r));
	assert_int_equal(r.id, id);
	assert_true(r.cancelled);
	assert_null(bundle_outcome_of(&r));
	job_result_free(&r);
	assert_int_equal(count_prefixed(k->content, "import."), 0);
	/* The next preview is answered as usual. */
	id = bundle_submit(j, BUNDLE_OP_PREVIEW, b, k->trusted, k->data);
	assert_true(wait_result(j, &r));
	assert_int_equal(r.id, id);
	assert_non_null(bundle_outcome_of(&r));
	assert_int_equal(bundle_outcome_of(&r)->err, BUNDLE_OK);
	job_result_free(&r);
	jobs_free(j);
	free(lock);
	free(b);
	kiosk_free(k);
}

int main(void)
{
	log_init();
	const struct CMUnitTest threads[] = {
		cmocka_unit_test(test_stick_watch),
		cmocka_unit_test(test_job_preview),
		cmocka_unit_test(test_job_preview_cancelled),
		cmocka_unit_test(test_job_import_cancelled),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_sign_and_verify),
		cmocka_unit_test(test_preview_lists_changes),
		cmocka_unit_test(test_preview_film_bytes_only),
		cmocka_unit_test(test_import_progress),
		cmocka_unit_test(test_import_cancelled_mid_copy),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_lock_keeps_staging),
	};
#ifdef KIOSK_TEST_THREADS_ONLY
	(void)tests; /* the ThreadSanitizer build: only what crosses threads */
	return cmocka_run_group_tests_name("bundle (threads)", threads, NULL, NULL);
#else
	int failed = cmocka_run_group_tests_name("bundle", tests, NULL, NULL);
	return failed + cmocka_run_group_tests_name("bundle (threads)", threads, NULL, NULL);
#endif
}
