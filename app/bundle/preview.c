/* bundle: what installing a bundle would change, shown to staff before
 * they say yes.  Only the small content/ members are read (through their
 * hashes); films and stills are compared by the hashes of the two
 * manifests, so a preview of a 1 GiB bundle reads a few hundred KB. */
#include "kiosk/bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bundle_int.h"
#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "bundle"

/* One side of the comparison: a loaded content set and the hashes of its
 * files by member name ("content/…", "media/…"). */
struct side {
	struct content *content; /* NULL: nothing installed */
	json_t *manifest;        /* its bundle's manifest, or NULL (the demo content) */
	const char *dir;         /* the installed folder, to hash what no manifest names */
};

/* The SHA-256 of member name on one side ("" when it has no such file). */
static void side_hash(const struct side *s, const char *name, char out[65])
{
	out[0] = '\0';
	json_t *f;
	size_t i;
	json_array_foreach(json_object_get(s->manifest, "files"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "path")), name) == 0) {
			snprintf(out, 65, "%s", json_string_value(json_object_get(f, "sha256")));
			return;
		}
	if (!s->dir || s->manifest)
		return;
	char *path = strncmp(name, "content/", 8) == 0 ? path_join(s->dir, name + 8)
							 : path_join(s->dir, name);
	uint64_t size;
	struct bundle_error ignored;
	if (path_exists(path) && bundle_hash_file(path, out, &size, &ignored) != BUNDLE_OK)
		out[0] = '\0';
	free(path);
}

static bool same_file(const struct side *a, const struct side *b, const char *name)
{
	char x[65], y[65];
	side_hash(a, name, x);
	side_hash(b, name, y);
	return strcmp(x, y) == 0;
}

static bool same_media(const struct side *a, const struct side *b, const char *rel)
{
	if (!rel)
		return true;
	char *name = xasprintf("media/%s", rel);
	bool same = same_file(a, b, name);
	free(name);
	return same;
}

static bool same_text(const struct content_i18n *x, const struct content_i18n *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) {
		const char *other = content_i18n_get(y, x->langs[i], NULL);
		if (strcmp(x->texts[i], other) != 0)
			return false;
	}
	return true;
}

static bool same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void add_change(struct bundle_preview *p, enum bundle_item item,
		       enum bundle_change_kind kind, const char *id, const struct content_i18n *title)
{
	p->changes = xrealloc(p->changes, (p->n_changes + 1) * sizeof *p->changes);
	struct bundle_change *c = &p->changes[p->n_changes++];
	c->item = item;
	c->kind = kind;
	snprintf(c->id, sizeof c->id, "%s", id);
	snprintf(c->title, sizeof c->title, "%s", title ? content_i18n_get(title, "de", NULL) : id);
}

static bool topic_same(const struct side *o, const struct side *n, const struct content_topic *a,
		       const struct content_topic *b)
{
	if (!same_text(&a->title, &b->title) || !same_text(&a->summary, &b->summary) ||
	    !same_string(a->film, b->film) || strcmp(a->page, b->page) != 0)
		return false;
	for (size_t i = 0; i < n->content->n_languages; i++) {
		char *name = xasprintf("content/%s.%s.md", b->page, n->content->languages[i].code);
		bool same = same_file(o, n, name);
		free(name);
		if (!same)
			return false;
	}
	return true;
}

static bool film_same(const struct side *o, const struct side *n, const struct content_film *a,
		      const struct content_film *b)
{
	if (!same_text(&a->title, &b->title) || !same_string(a->file, b->file) ||
	    !same_string(a->still, b->still) || !same_media(o, n, b->file) ||
	    !same_media(o, n, b->still) || b->subtitles.n != a->subtitles.n)
		return false;
	for (size_t i = 0; i < b->subtitles.n; i++)
		if (!same_media(o, n, b->subtitles.texts[i]))
			return false;
	return true;
}

static void compare_topics(const struct side *o, const struct side *n, struct bundle_preview *p)
{
	const struct content *old = o->content, *now = n->content;
	for (size_t i = 0; i < now->n_topics; i++) {
		const struct content_topic *t = &now->topics[i];
		const struct content_topic *was = old ? content_topic_find(old, t->id) : NULL;
		if (!was)
			add_change(p, BUNDLE_TOPIC, BUNDLE_ADDED, t->id, &t->title);
		else if (!topic_same(o, n, was, t))
			add_change(p, BUNDLE_TOPIC, BUNDLE_CHANGED, t->id, &t->title);
	}
	for (size_t i = 0; old && i < old->n_topics; i++)
		if (!content_topic_find(now, old->topics[i].id))
			add_change(p, BUNDLE_TOPIC, BUNDLE_REMOVED, old->topics[i].id,
				   &old->topics[i].title);
}

static void compare_films(const struct side *o, const struct side *n, struct bundle_preview *p)
{
	const struct content *old = o->content, *now = n->content;
	for (size_t i = 0; i < now->n_films; i++) {
		const struct content_film *f = &now->films[i];
		const struct content_film *was = old ? content_film_find(old, f->id) : NULL;
		if (!was)
			add_change(p, BUNDLE_FILM, BUNDLE_ADDED, f->id, &f->title);
		else if (!film_same(o, n, was, f))
			add_change(p, BUNDLE_FILM, BUNDLE_CHANGED, f->id, &f->title);
	}
	for (size_t i = 0; old && i < old->n_films; i++)
		if (!content_film_find(now, old->films[i].id))
			add_change(p, BUNDLE_FILM, BUNDLE_REMOVED, old->films[i].id,
				   &old->films[i].title);
}

static void compare_survey(const struct content *old, const struct content *now,
			   struct bundle_preview *p)
{
	const struct survey *a = old ? old->survey : NULL, *b = now->survey;
	if (b && !a)
		add_change(p, BUNDLE_SURVEY, BUNDLE_ADDED, b->id, NULL);
	else if (a && !b)
		add_change(p, BUNDLE_SURVEY, BUNDLE_REMOVED, a->id, NULL);
	else if (a && b && !same_string(old->survey_json, now->survey_json))
		add_change(p, BUNDLE_SURVEY, BUNDLE_CHANGED, b->id, NULL);
}

static void compare_languages(const struct content *old, const struct content *now,
			      struct bundle_preview *p)
{
	size_t used = 0;
	for (size_t i = 0; i < now->n_languages; i++) {
		const char *code = now->languages[i].code;
		used += (size_t)snprintf(p->languages + used, sizeof p->languages - used, "%s%s",
					 i ? " " : "", code);
		if (used >= sizeof p->languages)
			used = sizeof p->languages - 1;
		if (old && !content_has_language(old, code))
			add_change(p, BUNDLE_LANGUAGE, BUNDLE_ADDED, code, NULL);
	}
	for (size_t i = 0; old && i < old->n_languages; i++)
		if (!content_has_language(now, old->languages[i].code))
			add_change(p, BUNDLE_LANGUAGE, BUNDLE_REMOVED, old->languages[i].code, NULL);
}

/* The version in use, with the manifest its bundle left (if any). */
static void load_installed(struct store *s, const char *data_dir, struct side *out,
			   int64_t *version, char **dir)
{
	*version = 0;
	*dir = NULL;
	if (store_content_version(s, version) != STORE_OK || *version == 0)
		return;
	*dir = content_version_dir(data_dir, *version);
	struct content_error err;
	if (content_load(*dir, &out->content, &err) != CONTENT_OK) {
		LOG_WARN("the content in use cannot be read to compare: %s", err.message);
		return;
	}
	char *kept = path_join(*dir, BUNDLE_KEPT_MANIFEST), *text = NULL;
	size_t len = 0;
	if (file_read_capped(kept, BUNDLE_MANIFEST_MAX, &text, &len) == 0)
		out->manifest = json_loadb(text, len, 0, NULL);
	free(text);
	free(kept);
	out->dir = *dir;
}

struct preview_ctx {
	struct store *store;
	const char *data_dir;
	struct bundle_preview *out;
};

/* A sound bundle this kiosk may not take is still shown, with the reason. */
static enum bundle_err note_refusal(const struct bundle_info *info, json_t *manifest, void *user,
				    struct bundle_error *err)
{
	(void)manifest;
	(void)err;
	struct preview_ctx *x = user;
	if (bundle_may_install(info, x->store, x->data_dir, false, &x->out->refusal) != BUNDLE_OK)
		x->out->refused = true;
	return BUNDLE_OK;
}

enum bundle_err bundle_preview(const char *path, const char *trusted_dir, struct store *s,
			       const char *data_dir, struct bundle_preview *out,
			       struct bundle_error *err)
{
	memset(out, 0, sizeof *out);
	int lock = content_lock(data_dir, false);
	char *staging = xasprintf("%s/content/import.preview-%ld", data_dir, (long)getpid());
	path_remove_tree(staging);
	int rc = path_mkdirs(staging, 0755);
	struct preview_ctx x = {s, data_dir, out};
	struct bundle_pass_opts opts = {.staging = staging, .content_only = true,
					.before = note_refusal, .user = &x};
	struct side now = {0}, old = {0};
	char *old_dir = NULL;
	enum bundle_err e = rc ? bundle_fail(err, BUNDLE_ERR_IO, "%s: %s", staging, strerror(-rc))
			       : bundle_read(path, trusted_dir, &opts, &out->info, &now.manifest,
					     err);
	struct content_error cerr;
	if (e == BUNDLE_OK && content_load(staging, &now.content, &cerr) != CONTENT_OK)
		e = bundle_fail(err, BUNDLE_ERR_FORMAT, "%s", cerr.message);
	if (e == BUNDLE_OK) {
		load_installed(s, data_dir, &old, &out->version_in_use, &old_dir);
		compare_topics(&old, &now, out);
		compare_films(&old, &now, out);
		compare_survey(old.content, now.content, out);
		compare_languages(old.content, now.content, out);
	}
	content_free(now.content);
	content_free(old.content);
	json_decref(now.manifest);
	json_decref(old.manifest);
	free(old_dir);
	path_remove_tree(staging);
	content_unlock(lock);
	free(staging);
	if (e)
		bundle_preview_free(out);
	return e;
}

void bundle_preview_free(struct bundle_preview *p)
{
	free(p->changes);
	p->changes = NULL;
	p->n_changes = 0;
}
