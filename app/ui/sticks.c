/* Bundles from USB sticks on the screen: the stick watch's news goes to the
 * model, the model's commands go to the import worker of the job seam, and
 * the worker's progress and outcome come back to the model.  Only glue:
 * what to show is the model's, the work is the bundle module's. */
#include "ui_int.h"

#include <stdlib.h>

#include "kiosk/bundle.h"

#define LOG_MODULE "ui"

void sticks_start(struct ui *u)
{
	/* Without a database there is nothing to install into. */
	if (!u->cfg->usb_roots || !u->cfg->data_dir || !model_can_store(u->model))
		return;
	u->sticks = stick_watch_start(u->cfg->usb_roots, &u->wake);
}

void sticks_stop(struct ui *u)
{
	stick_watch_stop(u->sticks);
	u->sticks = NULL;
}

void sticks_on_wake(struct ui *u)
{
	char *path = stick_watch_bundle(u->sticks);
	model_stick_bundle(u->model, path, clock_now_ms());
	free(path);
}

void sticks_on_result(struct ui *u, const struct job_result *r)
{
	model_import_outcome(u->model, bundle_outcome_of(r), clock_now_ms());
}

void sticks_progress(struct ui *u)
{
	struct job_progress p;
	jobs_progress(u->jobs, JOB_KIND_IMPORT, &p);
	if (p.id && jobs_busy(u->jobs, JOB_KIND_IMPORT))
		model_import_progress(u->model, p.phase, p.done, p.total);
}

void sticks_requests(struct ui *u)
{
	struct model_import_cmd c;
	while (model_take_import_cmd(u->model, &c)) {
		if (c.op == MODEL_IMPORT_CANCEL) {
			jobs_cancel(u->jobs, JOB_KIND_IMPORT);
			continue;
		}
		enum bundle_op op = c.op == MODEL_IMPORT_PREVIEW ? BUNDLE_OP_PREVIEW
								 : BUNDLE_OP_IMPORT;
		if (!bundle_submit(u->jobs, op, c.path, u->cfg->trusted_keys, u->cfg->data_dir)) {
			/* A full queue: say so on the screen as a failed job. */
			LOG_ERR("the import worker is busy: %s not started", c.path);
			model_import_outcome(u->model, NULL, clock_now_ms());
		}
	}
}
