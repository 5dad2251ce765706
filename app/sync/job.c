/* sync: a pass as a job on the seam's sync worker, with a worker
 * connection of its own (it never creates, migrates or renames). */
#include "kiosk/sync.h"

#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "sync"

struct request {
	struct sync_options o;   /* its strings owned below */
	char *strings[7];
	struct job *job;         /* while it runs */
	bool ran;
	struct sync_result result;
};

static void request_free(void *data)
{
	struct request *r = data;
	if (!r)
		return;
	for (size_t i = 0; i < sizeof r->strings / sizeof r->strings[0]; i++)
		free(r->strings[i]);
	free(r);
}

static const char *keep(struct request *r, int slot, const char *s)
{
	r->strings[slot] = xstrdup(s ? s : "");
	return r->strings[slot];
}

static bool on_cancelled(void *data)
{
	const struct request *r = data;
	return job_cancelled(r->job);
}

static int run(struct job *job, void *data)
{
	struct request *r = data;
	r->job = job;
	r->ran = true;
	r->o.now_s = clock_wall_s(); /* when it runs, not when it was asked for */
	char *db = path_join(r->o.data_dir, "kiosk.sqlite3");
	struct store *s = NULL;
	enum store_err se = store_open(db, STORE_OPEN_WORKER, &s);
	if (se != STORE_OK) {
		r->result.err = SYNC_ERR_STORE;
		snprintf(r->result.message, sizeof r->result.message, "%s: %s", db,
			 store_strerror(se));
	} else {
		sync_pass(s, &r->o, &r->result);
	}
	store_close(s);
	free(db);
	r->job = NULL;
	return r->result.err == SYNC_OK ? 0 : -1;
}

uint64_t sync_submit(struct jobs *j, const struct sync_options *o)
{
	struct request *r = xcalloc(1, sizeof *r);
	r->o = *o;
	r->o.url = keep(r, 0, o->url);
	r->o.user = keep(r, 1, o->user);
	r->o.token_file = keep(r, 2, o->token_file);
	r->o.ca_file = keep(r, 3, o->ca_file);
	r->o.kiosk_id = keep(r, 4, o->kiosk_id);
	r->o.data_dir = keep(r, 5, o->data_dir);
	r->o.on_batch = NULL; /* nobody reads lines on the kiosk: the log has them */
	r->o.cancelled = on_cancelled;
	r->o.data = r;
	return jobs_submit(j, JOB_KIND_SYNC, run, r, request_free);
}

const struct sync_result *sync_result_of(const struct job_result *r)
{
	const struct request *q = r && r->kind == JOB_KIND_SYNC ? r->data : NULL;
	return q && q->ran ? &q->result : NULL;
}
