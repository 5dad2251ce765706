/* Unit tests for the job seam (core/jobs.c): queue, order, cancel, progress
 * and results across threads.  Links kiosk_core only; also built and run
 * under ThreadSanitizer (tests/unit/CMakeLists.txt, label tsan). */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kiosk/core.h"

/* The UI thread's side of the wake: a counter and a condition to sleep on. */
struct waker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int wakes[WAKE_SOURCE_COUNT];
};

static void on_wake(void *data, enum wake_source source)
{
	struct waker *w = data;
	pthread_mutex_lock(&w->lock);
	w->wakes[source]++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static struct waker waker = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}};
static const struct wake wake = {on_wake, &waker};

/* The wakes so far (a worker may be waking right now: read under the lock). */
static int wakes_now(void)
{
	pthread_mutex_lock(&waker.lock);
	int n = waker.wakes[WAKE_SOURCE_JOBS];
	pthread_mutex_unlock(&waker.lock);
	return n;
}

/* Waits (at most 10 s) for the next result, as the UI loop would. */
static bool wait_result(struct jobs *j, struct job_result *r)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
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

/* A job's data: its input, its output, and a record that it was freed. */
static atomic_int freed;

struct work {
	int input;
	int output;
	atomic_bool started;
	atomic_bool release;     /* the test lets a blocking job finish */
	bool saw_cancel;
	int order_slot;
};

static atomic_int order_counter;

static void work_free(void *data)
{
	atomic_fetch_add(&freed, 1);
	free(data);
}

static struct work *work_new(int input)
{
	struct work *w = calloc(1, sizeof *w);
	w->input = input;
	return w;
}

static int run_square(struct job *job, void *data)
{
	struct work *w = data;
	w->order_slot = atomic_fetch_add(&order_counter, 1);
	w->output = w->input * w->input;
	return w->input < 0 ? 7 : 0;
}

/* Runs until the test releases it or it is cancelled. */
static int run_blocking(struct job *job, void *data)
{
	struct work *w = data;
	atomic_store(&w->started, true);
	while (!atomic_load(&w->release)) {
		if (job_cancelled(job)) {
			w->saw_cancel = true;
			return 1;
		}
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void wait_started(struct work *w)
{
	for (int i = 0; i < 10000 && !atomic_load(&w->started); i++) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	assert_true(atomic_load(&w->started));
}

static int setup(void **state)
{
	atomic_store(&freed, 0);
	atomic_store(&order_counter, 0);
	pthread_mutex_lock(&waker.lock);
	memset(waker.wakes, 0, sizeof waker.wakes);
	pthread_mutex_unlock(&waker.lock);
	*state = jobs_new(&wake);
	return 0;
}

static int teardown(void **state)
{
	jobs_free(*state);
	return 0;
}

static void test_result_comes_back_with_its_data(void **state)
{
	struct jobs *j = *state;
	struct work *w = work_new(12);
	uint64_t id = jobs_submit(j, JOB_KIND_EXPORT, run_square, w, work_free);
	assert_true(id > 0);
	struct job_result r;
	assert_true(wait_result(j, &r));
	assert_int_equal(r.id, id);
	assert_int_equal(r.kind, JOB_KIND_EXPORT);
	assert_int_equal(r.status, 0);
	assert_false(r.cancelled);
	assert_ptr_equal(r.data, w);
	assert_int_equal(((struct work *)r.data)->output, 144);
	assert_int_equal(atomic_load(&freed), 0); /* the result owns it now */
	job_result_free(&r);
	assert_int_equal(atomic_load(&freed), 1);
	assert_true(wakes_now() >= 1);
	assert_false(jobs_take_result(j, &r));
}

static void test_error_status_is_passed_on(void **state)
{
	struct jobs *j = *state;
	jobs_submit(j, JOB_KIND_SYNC, run_square, work_new(-3), work_free);
	struct job_result r;
	assert_true(wait_result(j, &r));
	assert_int_equal(r.status, 7);
	job_result_free(&r);
}

/* One kind runs its jobs one after another, in the order they came. */
static void test_one_kind_keeps_order(void **state)
{
	struct jobs *j = *state;
	uint64_t ids[6];
	for (int i = 0; i < 6; i++)
		ids[i] = jobs_submit(j, JOB_KIND_SPEECH, run_square, work_new(i), work_free);
	for (int i = 0; i < 6; i++) {
		struct job_result r;
		assert_true(wait_result(j, &r));
		assert_int_equal(r.id, ids[i]);
		assert_int_equal(((struct work *)r.data)->order_slot, i);
		job_result_free(&r);
	}
	assert_int_equal(atomic_load(&freed), 6);
}

/* Kinds run side by side: a blocked import does not hold up speech. */
static void test_kinds_run_side_by_side(void **state)
{
	struct jobs *j = *state;
	struct work *slow = work_new(0);
	uint64_t slow_id = jobs_submit(j, JOB_KIND_IMPORT, run_blocking, slow, work_free);
	wait_started(slow);
	assert_true(jobs_busy(j, JOB_KIND_IMPORT));
	uint64_t quick = jobs_submit(j, JOB_KIND_SPEECH, run_square, work_new(5), work_free);
	struct job_result r;
	assert_true(wait_result(j, &r));
	assert_int_equal(r.id, quick);
	job_result_free(&r);
	atomic_store(&slow->release, true);
	assert_true(wait_result(j, &r));
	assert_int_equal(r.id, slow_id);
	assert_int_equal(r.status, 0);
	assert_false(r.cancelled);
	job_result_free(&r);
	assert_false(jobs_busy(j, JOB_KIND_IMPORT));
}

/* Cancel: the running job sees it and stops; waiting ones never run and
 * come back marked cancelled, each freed exactly once. */
static void test_cancel_running_and_waiting(void **state)
{
	struct jobs *j = *state;
	struct work *running = work_new(0);
	jobs_submit(j, JOB_KIND_SYNC, run_blocking, running, work_free);
	wait_started(running);
	struct work *waiting[3];
	for (int i = 0; i < 3; i++) {
		waiting[i] = work_new(i + 1);
		assert_true(jobs_submit(j, JOB_KIND_SYNC, run_square, waiting[i], work_free) > 0);
	}
	jobs_cancel(j, JOB_KIND_SYNC);
	int cancelled = 0, total = 0;
	struct job_result r;
	while (total < 4 && wait_result(j, &r)) {
		total++;
		assert_true(r.cancelled);
		struct work *w = r.data;
		if (w == running) {
			assert_true(w->saw_cancel);
			assert_int_equal(r.status, 1);
		} else {
			assert_int_equal(w->output, 0); /* never ran */
		}
		cancelled++;
		job_result_free(&r);
	}
	assert_int_equal(cancelled, 4);
	assert_int_equal(atomic_load(&freed), 4);
	/* The worker goes on with new work after a cancel. */
	jobs_submit(j, JOB_KIND_SYNC, run_square, work_new(9), work_free);
	assert_true(wait_result(j, &r));
	assert_false(r.cancelled);
	assert_int_equal(((struct work *)r.data)->output, 81);
	job_result_free(&r);
}

/* A full queue refuses the next job and frees its data at once. */
static void test_full_queue_refuses(void **state)
{
	struct jobs *j = *state;
	struct work *blocker = work_new(0);
	jobs_submit(j, JOB_KIND_EXPORT, run_blocking, blocker, work_free);
	wait_started(blocker);
	for (int i = 0; i < JOBS_QUEUE_MAX; i++)
		assert_true(jobs_submit(j, JOB_KIND_EXPORT, run_square, work_new(i), work_free) > 0);
	assert_int_equal(jobs_submit(j, JOB_KIND_EXPORT, run_square, work_new(99), work_free), 0);
	assert_int_equal(atomic_load(&freed), 1);
	/* Other kinds still take work. */
	assert_true(jobs_submit(j, JOB_KIND_PIN, run_square, work_new(2), work_free) > 0);
	atomic_store(&blocker->release, true);
	int n = 0;
	struct job_result r;
	while (n < JOBS_QUEUE_MAX + 2 && wait_result(j, &r)) {
		assert_false(r.cancelled);
		job_result_free(&r);
		n++;
	}
	assert_int_equal(n, JOBS_QUEUE_MAX + 2);
}

/* Progress written on the worker is read whole on another thread. */
static int run_progress(struct job *job, void *data)
{
	struct work *w = data;
	for (int64_t i = 1; i <= 2000; i++)
		job_set_progress(job, (int)(i % 3), i, i * 2);
	atomic_store(&w->started, true);
	while (!atomic_load(&w->release) && !job_cancelled(job)) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void test_progress_is_consistent(void **state)
{
	struct jobs *j = *state;
	struct work *w = work_new(0);
	uint64_t id = jobs_submit(j, JOB_KIND_IMPORT, run_progress, w, work_free);
	/* While it writes, every reading is one moment: total = 2 * done,
	 * phase = done % 3. */
	int readings = 0;
	while (!atomic_load(&w->started)) {
		struct job_progress p;
		jobs_progress(j, JOB_KIND_IMPORT, &p);
		if (p.id == id && p.done > 0) {
			assert_int_equal(p.total, 2 * p.done);
			assert_int_equal(p.phase, (int)(p.done % 3));
			readings++;
		}
	}
	struct job_progress p;
	jobs_progress(j, JOB_KIND_IMPORT, &p);
	assert_int_equal(p.id, id);
	assert_int_equal(p.done, 2000);
	assert_int_equal(p.total, 4000);
	atomic_store(&w->release, true);
	struct job_result r;
	assert_true(wait_result(j, &r));
	job_result_free(&r);
	/* Every step woke the UI (a real UI coalesces these). */
	assert_true(wakes_now() >= 2000);
}

/* Freeing with work running and waiting: the running job is told to stop,
 * the rest is freed, nothing leaks (ASan) and nothing hangs. */
static void test_free_with_work_in_flight(void **state)
{
	struct jobs *j = jobs_new(&wake);
	struct work *running = work_new(0);
	jobs_submit(j, JOB_KIND_IMPORT, run_blocking, running, work_free);
	wait_started(running);
	for (int i = 0; i < 3; i++)
		jobs_submit(j, JOB_KIND_IMPORT, run_square, work_new(i), work_free);
	jobs_submit(j, JOB_KIND_SPEECH, run_square, work_new(4), work_free);
	int before = atomic_load(&freed);
	jobs_free(j);
	assert_int_equal(atomic_load(&freed) - before, 5);
}

static void test_free_null_and_no_wake(void **state)
{
	jobs_free(NULL);
	wake_call(NULL, WAKE_SOURCE_MEDIA);
	struct jobs *j = jobs_new(NULL); /* no wake: results are still taken by polling */
	jobs_submit(j, JOB_KIND_PIN, run_square, work_new(3), work_free);
	struct job_result r;
	bool got = false;
	for (int i = 0; i < 10000 && !(got = jobs_take_result(j, &r)); i++) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	assert_true(got);
	assert_int_equal(((struct work *)r.data)->output, 9);
	job_result_free(&r);
	job_result_free(&r); /* a second free does nothing */
	jobs_free(j);
	assert_string_equal(job_kind_name(JOB_KIND_SPEECH), "speech");
}

int main(void)
{
	log_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_result_comes_back_with_its_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_status_is_passed_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_kind_keeps_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kinds_run_side_by_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_running_and_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_queue_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_progress_is_consistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_work_in_flight, setup, teardown),
		cmocka_unit_test(test_free_null_and_no_wake),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
