/* export: an export to a stick as a job on the seam's export worker, with
 * a read-only connection of its own. */
#include "kiosk/export.h"

#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"
#include "kiosk/store.h"

struct request {
	char *db, *stick, *kiosk_id;
	int min_cell;
	struct job *job;
	bool ran;
	struct export_outcome outcome;
};

static void request_free(void *data)
{
	struct request *r = data;
	if (!r)
		return;
	free(r->outcome.folder);
	free(r->db);
	free(r->stick);
	free(r->kiosk_id);
	free(r);
}

static void on_progress(void *data, int step, uint64_t done, uint64_t total)
{
	struct request *r = data;
	job_set_progress(r->job, step, (int64_t)done, (int64_t)total);
}

static int run(struct job *job, void *data)
{
	struct request *r = data;
	r->job = job;
	r->ran = true;
	struct store *s = NULL;
	enum store_err se = store_open(r->db, STORE_OPEN_READONLY, &s);
	struct export_outcome *o = &r->outcome;
	if (se != STORE_OK) {
		o->err = EXPORT_ERR_STORE;
		snprintf(o->error.message, sizeof o->error.message, "%s: %s", r->db,
			 store_strerror(se));
	} else {
		struct export_watch w = {on_progress, r};
		o->err = export_to_stick(s, r->stick, r->kiosk_id, r->min_cell, clock_wall_s(), &w, &o->folder,
					 &o->error);
	}
	o->stick_gone = o->err != EXPORT_OK && !path_is_dir(r->stick);
	store_close(s);
	r->job = NULL;
	return o->err == EXPORT_OK ? 0 : -1;
}

uint64_t export_submit(struct jobs *j, const char *data_dir, const char *stick,
		       const char *kiosk_id, int min_cell)
{
	struct request *r = xcalloc(1, sizeof *r);
	r->db = path_join(data_dir, "kiosk.sqlite3");
	r->stick = xstrdup(stick);
	r->kiosk_id = xstrdup(kiosk_id);
	r->min_cell = min_cell;
	return jobs_submit(j, JOB_KIND_EXPORT, run, r, request_free);
}

const struct export_outcome *export_outcome_of(const struct job_result *r)
{
	const struct request *q = r && r->kind == JOB_KIND_EXPORT ? r->data : NULL;
	return q && q->ran ? &q->outcome : NULL;
}
