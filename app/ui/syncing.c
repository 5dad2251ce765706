/* The kiosk's sync rhythm: a pass on the job seam's sync worker every
 * [sync] interval while the kiosk runs; while the server is away, again
 * after a backoff with full jitter from 5 s up to the interval; and soon
 * after a network comes back.  Residents see nothing of it, and the screen
 * never waits for it: this file only submits jobs and reads their results. */
#include "ui_int.h"

#include "kiosk/bundle.h"
#include "kiosk/export.h"
#include "kiosk/sync.h"

#define LOG_MODULE "ui"

/* After the start the screen comes first. */
#define FIRST_PASS_MS 10000
/* After a network came back: a moment for addresses and routes to settle. */
#define NET_BACK_MS 2000

static int write_batch(struct store *s, const char *batch_id, FILE *out)
{
	return export_write_batch(s, batch_id, out) == EXPORT_OK ? 0 : -1;
}

void syncing_start(struct ui *u, const char *kiosk_id)
{
	if (!*u->cfg->sync_url || !kiosk_id || !model_can_store(u->model))
		return;
	u->sync.kiosk_id = kiosk_id;
	u->sync.started_ms = clock_now_ms();
	u->sync.due_ms = u->sync.started_ms + FIRST_PASS_MS;
	u->sync.net = net_watch_start(&u->wake);
	LOG_INFO("feedback is synced to %s every %d s", u->cfg->sync_url, u->cfg->sync_interval);
}

void syncing_stop(struct ui *u)
{
	net_watch_stop(u->sync.net);
	u->sync.net = NULL;
}

uint64_t syncing_deadline(const struct ui *u) { return u->sync.due_ms; }

void syncing_timer(struct ui *u, uint64_t now)
{
	if (!u->sync.due_ms || now < u->sync.due_ms || jobs_busy(u->jobs, JOB_KIND_SYNC))
		return;
	const struct config *c = u->cfg;
	struct sync_options o = {
		.url = c->sync_url,
		.user = c->sync_user,
		.token_file = c->sync_token_file,
		.ca_file = c->sync_ca_file,
		.kiosk_id = u->sync.kiosk_id,
		.data_dir = c->data_dir,
		.bundle_url = c->sync_bundle_url,
		.batch_size = 200,
		.stall_s = 20,
		.uptime_s = (int64_t)((now - u->sync.started_ms) / 1000),
		.write_batch = write_batch,
	};
	u->sync.due_ms = 0; /* the result sets the next one */
	if (!sync_submit(u->jobs, &o))
		u->sync.due_ms = now + (uint64_t)c->sync_interval * 1000;
}

void syncing_now(struct ui *u)
{
	if (!u->sync.kiosk_id) {
		model_sync_outcome(u->model, false, 0, sync_strerror(SYNC_ERR_CONFIG));
		return;
	}
	if (jobs_busy(u->jobs, JOB_KIND_SYNC))
		return; /* the pass under way reports to the admin area too */
	u->sync.due_ms = clock_now_ms();
	syncing_timer(u, u->sync.due_ms);
}

void syncing_on_result(struct ui *u, const struct job_result *r)
{
	const struct sync_result *res = sync_result_of(r);
	uint64_t now = clock_now_ms(), interval = (uint64_t)u->cfg->sync_interval * 1000;
	model_sync_outcome(u->model, res && res->err == SYNC_OK, res ? res->responses : 0,
			   res ? res->message : sync_strerror(SYNC_ERR_CANCELLED));
	if (!res) {
		u->sync.due_ms = now + interval;
		return;
	}
	if (res->err == SYNC_ERR_UNREACHABLE) {
		u->sync.failures++;
		int64_t s = sync_retry_delay_s(u->sync.failures, u->cfg->sync_interval,
					       id_random_u32());
		u->sync.due_ms = now + (uint64_t)s * 1000;
		LOG_INFO("the sync server is away; next try in %lld s", (long long)s);
		return;
	}
	u->sync.failures = 0;
	u->sync.due_ms = now + interval;
	/* New content from the server: installed exactly as a bundle from a
	 * stick (the import worker, the same refusals); shown when home. */
	if (res->bundle_file[0] &&
	    !bundle_submit(u->jobs, BUNDLE_OP_IMPORT, res->bundle_file, u->cfg->trusted_keys,
			   u->cfg->data_dir))
		LOG_WARN("the import worker is busy: the bundle from the server waits for the next "
			 "pass");
	if (res->err == SYNC_OK && res->responses)
		LOG_INFO("synced %zu responses in %zu batches", res->responses, res->batches);
}

void syncing_on_net(struct ui *u)
{
	uint64_t soon = clock_now_ms() + NET_BACK_MS;
	if (u->sync.failures && u->sync.due_ms > soon) {
		LOG_INFO("a network came back: syncing soon");
		u->sync.due_ms = soon;
	}
}
