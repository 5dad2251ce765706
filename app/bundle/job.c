/* bundle: previews and imports as jobs on the seam's import worker.  The
 * job opens a worker connection of its own (it never creates, migrates or
 * renames the database) and reports progress through the job's record. */
#include "kiosk/bundle.h"

#include <stdlib.h>
#include <string.h>

#include "bundle_int.h"
#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "bundle"

struct request {
	enum bundle_op op;
	char *path;
	char *trusted_dir;
	char *data_dir;
	struct job *job;               /* while it runs */
	bool ran;                      /* false: cancelled before it began */
	struct bundle_outcome outcome; /* the result, handed to the UI thread */
};

static void request_free(void *data)
{
	struct request *r = data;
	if (!r)
		return;
	bundle_preview_free(&r->outcome.preview);
	free(r->path);
	free(r->trusted_dir);
	free(r->data_dir);
	free(r);
}

static void on_progress(void *user, enum bundle_phase phase, uint64_t done, uint64_t total)
{
	struct request *r = user;
	job_set_progress(r->job, (int)phase, (int64_t)done, (int64_t)total);
}

/* Cancelled, or the stick is gone: an open file stays readable after its
 * folder went (a test's stick, a lazy unmount), so the path is asked too,
 * every chunk (a stat is a microsecond against 64 KiB of hashing). */
static bool on_cancelled(void *user)
{
	const struct request *r = user;
	return job_cancelled(r->job) || !path_exists(r->path);
}

static int run(struct job *job, void *data)
{
	struct request *r = data;
	struct bundle_outcome *o = &r->outcome;
	r->job = job;
	r->ran = true;
	o->op = r->op;
	char *db = path_join(r->data_dir, "kiosk.sqlite3");
	struct store *s = NULL;
	enum store_err se = store_open(db, STORE_OPEN_WORKER, &s);
	if (se != STORE_OK) {
		o->err = bundle_fail(&o->error, BUNDLE_ERR_IO, "%s: %s", db, store_strerror(se));
	} else if (r->op == BUNDLE_OP_PREVIEW) {
		o->err = bundle_preview(r->path, r->trusted_dir, s, r->data_dir, &o->preview,
					&o->error);
	} else {
		struct bundle_watch watch = {on_progress, on_cancelled, r};
		o->err = bundle_import(r->path, r->trusted_dir, s, r->data_dir, false, &watch,
				       &o->info, &o->error);
	}
	/* A stick pulled out shows as a read error or a cut-short file; the
	 * file's absence says which it was. */
	o->stick_gone = o->err != BUNDLE_OK && !path_exists(r->path);
	if (o->err)
		LOG_WARN("%s %s: %s", r->op == BUNDLE_OP_PREVIEW ? "preview of" : "import of",
			 r->path, o->error.message);
	store_close(s);
	free(db);
	r->job = NULL;
	return o->err == BUNDLE_OK ? 0 : -1;
}

uint64_t bundle_submit(struct jobs *j, enum bundle_op op, const char *path,
		       const char *trusted_dir, const char *data_dir)
{
	struct request *r = xcalloc(1, sizeof *r);
	r->op = op;
	r->path = xstrdup(path);
	r->trusted_dir = xstrdup(trusted_dir);
	r->data_dir = xstrdup(data_dir);
	return jobs_submit(j, JOB_KIND_IMPORT, run, r, request_free);
}

const struct bundle_outcome *bundle_outcome_of(const struct job_result *r)
{
	const struct request *q = r && r->kind == JOB_KIND_IMPORT ? r->data : NULL;
	/* A preview cancelled while it ran (it does not stop: it reads only
	 * the small members) is about a stick the screen has moved past; shown,
	 * it would pass for the preview of the one checked now. */
	if (q && q->op == BUNDLE_OP_PREVIEW && r->cancelled)
		return NULL;
	/* An import cancelled while it ran may still have switched (the cancel
	 * came too late): what it did is its outcome. */
	return q && q->ran ? &q->outcome : NULL;
}
