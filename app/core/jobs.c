/* jobs: the one seam for work beside the screen.
 *
 * Shaped like Redis's bio.c and cmus's job.c.  Who owns what, and which
 * thread may touch it:
 *
 * - One worker thread per kind of job (speech, PIN, import, sync, export),
 *   started at the first job of its kind.  A worker runs its kind's jobs one
 *   after another, in the order they were submitted; kinds run side by side.
 * - struct jobs belongs to the thread that made it (the UI thread).  Only
 *   that thread submits, cancels, takes results and frees.  The queues and
 *   the result list are guarded by one mutex; each worker sleeps on its own
 *   condition variable.
 * - A job's data is the caller's until jobs_submit(), the worker's while the
 *   job runs, and the result's once it is finished: the UI thread gets it
 *   back through jobs_take_result() and frees it with job_result_free().  A
 *   job cancelled before it ran comes back the same way, marked cancelled, so
 *   data never leaks and never changes hands twice.
 * - Progress is a record of atomics written only by the running job and read
 *   by anyone (a seqlock keeps phase, done and total of one moment together).
 * - Every finished job and every progress step calls the one wake callback
 *   that ui/ handed down (source WAKE_SOURCE_JOBS); that callback must be
 *   thread-safe and do nothing more than post an event.
 */
#include "kiosk/core.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define LOG_MODULE "jobs"

struct job {
	struct jobs *owner;
	enum job_kind kind;
	uint64_t id;
	job_run_fn run;
	void *data;
	job_free_fn free_data;
	atomic_bool cancel;
	int status;
	struct job *next;
};

struct progress_record {
	atomic_uint seq;      /* odd while a writer is in the middle */
	atomic_int phase;
	atomic_llong done, total;
	atomic_ullong id;
};

struct worker {
	pthread_t thread;
	bool started;
	pthread_cond_t cond;
	struct job *head, *tail; /* queued, oldest first */
	size_t queued;
	struct job *running;     /* NULL when idle */
	struct progress_record progress;
};

struct jobs {
	struct wake wake;
	pthread_mutex_t lock;    /* guards everything below but the progress atomics */
	struct worker workers[JOB_KIND_COUNT];
	struct job *results, *results_tail; /* finished, oldest first */
	uint64_t next_id;
	bool quit;
};

struct worker_arg {
	struct jobs *jobs;
	enum job_kind kind;
};

const char *job_kind_name(enum job_kind kind)
{
	switch (kind) {
	case JOB_KIND_SPEECH: return "speech";
	case JOB_KIND_PIN: return "pin";
	case JOB_KIND_IMPORT: return "import";
	case JOB_KIND_SYNC: return "sync";
	case JOB_KIND_EXPORT: return "export";
	case JOB_KIND_COUNT: break;
	}
	return "?";
}

void wake_call(const struct wake *w, enum wake_source source)
{
	if (w && w->fn)
		w->fn(w->data, source);
}

/* ---- Progress (a seqlock over atomics: the reader retries a torn read) ---- */

static void progress_write(struct progress_record *p, uint64_t id, int phase, int64_t done,
			   int64_t total)
{
	atomic_fetch_add(&p->seq, 1);
	atomic_store(&p->id, id);
	atomic_store(&p->phase, phase);
	atomic_store(&p->done, done);
	atomic_store(&p->total, total);
	atomic_fetch_add(&p->seq, 1);
}

static void progress_read(struct progress_record *p, struct job_progress *out)
{
	for (;;) {
		unsigned before = atomic_load(&p->seq);
		if (before & 1u)
			continue;
		out->id = atomic_load(&p->id);
		out->phase = atomic_load(&p->phase);
		out->done = atomic_load(&p->done);
		out->total = atomic_load(&p->total);
		if (atomic_load(&p->seq) == before)
			return;
	}
}

/* ---- The workers ---- */

/* With the lock held: the job is finished; the UI thread may take it. */
static void push_result(struct jobs *j, struct job *job)
{
	job->next = NULL;
	if (j->results_tail)
		j->results_tail->next = job;
	else
		j->results = job;
	j->results_tail = job;
}

/* The nice value of a kind's worker thread.  Sync is work residents must
 * never notice: on a machine of two cores it would otherwise take its full
 * share of a core from the UI thread while it uploads (tests/bench
 * frame_p99_sync: p99 and median of a frame about 1.5 times those without
 * sync, the UI thread twice as long waiting to run).  Niced, it still has
 * all the CPU nobody else wants.  The other kinds are someone waiting (the
 * resident for speech, staff for the rest) and keep the UI's priority. */
static int worker_nice(enum job_kind kind)
{
	return kind == JOB_KIND_SYNC ? 10 : 0;
}

static void *worker_main(void *data)
{
	struct worker_arg arg = *(struct worker_arg *)data;
	free(data);
	/* Linux: the nice value is per thread (gettid), not per process. */
	int nice = worker_nice(arg.kind);
	if (nice && setpriority(PRIO_PROCESS, (id_t)gettid(), nice) != 0)
		LOG_WARN("the %s worker keeps the UI's priority: %s", job_kind_name(arg.kind),
			 strerror(errno));
	struct jobs *j = arg.jobs;
	struct worker *w = &j->workers[arg.kind];
	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (!j->quit && !w->head)
			pthread_cond_wait(&w->cond, &j->lock);
		if (j->quit)
			break;
		struct job *job = w->head;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		w->queued--;
		w->running = job;
		pthread_mutex_unlock(&j->lock);

		progress_write(&w->progress, job->id, 0, 0, 0);
		if (!atomic_load(&job->cancel))
			job->status = job->run(job, job->data);

		pthread_mutex_lock(&j->lock);
		w->running = NULL;
		push_result(j, job);
		pthread_mutex_unlock(&j->lock);
		wake_call(&j->wake, WAKE_SOURCE_JOBS);
		pthread_mutex_lock(&j->lock);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* With the lock held. */
static bool worker_start(struct jobs *j, enum job_kind kind)
{
	struct worker *w = &j->workers[kind];
	if (w->started)
		return true;
	struct worker_arg *arg = xmalloc(sizeof *arg);
	*arg = (struct worker_arg){j, kind};
	if (pthread_create(&w->thread, NULL, worker_main, arg) != 0) {
		free(arg);
		LOG_ERR("cannot start the %s worker thread", job_kind_name(kind));
		return false;
	}
	w->started = true;
	return true;
}

/* ---- The owner's side ---- */

struct jobs *jobs_new(const struct wake *wake)
{
	struct jobs *j = xcalloc(1, sizeof *j);
	if (wake)
		j->wake = *wake;
	pthread_mutex_init(&j->lock, NULL);
	for (int k = 0; k < JOB_KIND_COUNT; k++)
		pthread_cond_init(&j->workers[k].cond, NULL);
	j->next_id = 1;
	return j;
}

static void job_destroy(struct job *job)
{
	if (job->free_data)
		job->free_data(job->data);
	free(job);
}

void jobs_free(struct jobs *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->quit = true;
	for (int k = 0; k < JOB_KIND_COUNT; k++) {
		if (j->workers[k].running)
			atomic_store(&j->workers[k].running->cancel, true);
		pthread_cond_signal(&j->workers[k].cond);
	}
	pthread_mutex_unlock(&j->lock);
	for (int k = 0; k < JOB_KIND_COUNT; k++) {
		struct worker *w = &j->workers[k];
		if (w->started)
			pthread_join(w->thread, NULL);
		for (struct job *job = w->head, *next; job; job = next) {
			next = job->next;
			job_destroy(job);
		}
		pthread_cond_destroy(&w->cond);
	}
	for (struct job *job = j->results, *next; job; job = next) {
		next = job->next;
		job_destroy(job);
	}
	pthread_mutex_destroy(&j->lock);
	free(j);
}

uint64_t jobs_submit(struct jobs *j, enum job_kind kind, job_run_fn run, void *data,
		     job_free_fn free_data)
{
	assert((unsigned)kind < JOB_KIND_COUNT && run);
	struct job *job = xcalloc(1, sizeof *job);
	*job = (struct job){.owner = j, .kind = kind, .run = run, .data = data,
			    .free_data = free_data};
	pthread_mutex_lock(&j->lock);
	struct worker *w = &j->workers[kind];
	if (w->queued >= JOBS_QUEUE_MAX || !worker_start(j, kind)) {
		bool full = w->queued >= JOBS_QUEUE_MAX;
		pthread_mutex_unlock(&j->lock);
		if (full)
			LOG_ERR("the %s queue is full (%d waiting); this request is dropped",
				job_kind_name(kind), JOBS_QUEUE_MAX);
		job_destroy(job);
		return 0;
	}
	job->id = j->next_id++;
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued++;
	uint64_t id = job->id;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&j->lock);
	return id;
}

void jobs_cancel(struct jobs *j, enum job_kind kind)
{
	bool dropped = false;
	pthread_mutex_lock(&j->lock);
	struct worker *w = &j->workers[kind];
	if (w->running)
		atomic_store(&w->running->cancel, true);
	for (struct job *job = w->head, *next; job; job = next) {
		next = job->next;
		atomic_store(&job->cancel, true);
		push_result(j, job);
		dropped = true;
	}
	w->head = w->tail = NULL;
	w->queued = 0;
	pthread_mutex_unlock(&j->lock);
	if (dropped)
		wake_call(&j->wake, WAKE_SOURCE_JOBS);
}

bool jobs_take_result(struct jobs *j, struct job_result *out)
{
	pthread_mutex_lock(&j->lock);
	struct job *job = j->results;
	if (job) {
		j->results = job->next;
		if (!j->results)
			j->results_tail = NULL;
	}
	pthread_mutex_unlock(&j->lock);
	if (!job)
		return false;
	*out = (struct job_result){.kind = job->kind, .id = job->id, .status = job->status,
				   .cancelled = atomic_load(&job->cancel), .data = job->data,
				   .free_data = job->free_data};
	free(job);
	return true;
}

void job_result_free(struct job_result *r)
{
	if (r && r->free_data)
		r->free_data(r->data);
	if (r)
		r->data = NULL, r->free_data = NULL;
}

void jobs_progress(struct jobs *j, enum job_kind kind, struct job_progress *out)
{
	progress_read(&j->workers[kind].progress, out);
}

bool jobs_busy(struct jobs *j, enum job_kind kind)
{
	pthread_mutex_lock(&j->lock);
	bool busy = j->workers[kind].running || j->workers[kind].head;
	pthread_mutex_unlock(&j->lock);
	return busy;
}

/* ---- The running job's side ---- */

bool job_cancelled(const struct job *job)
{
	return job && atomic_load(&job->cancel);
}

uint64_t job_id(const struct job *job) { return job->id; }

void job_set_progress(struct job *job, int phase, int64_t done, int64_t total)
{
	struct jobs *j = job->owner;
	progress_write(&j->workers[job->kind].progress, job->id, phase, done, total);
	wake_call(&j->wake, WAKE_SOURCE_JOBS);
}
