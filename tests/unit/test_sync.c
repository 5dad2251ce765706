/* sync: the parts that need no server (the server side is tests/sync/):
 * the backoff's bounds and jitter, and the network watch waking when an
 * address comes and goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kiosk/core.h"
#include "kiosk/sync.h"

/* Full jitter: every delay lies between 5 s and the cap, the cap doubles
 * per failure from 5 s and never passes the interval, and the random
 * number spreads the delays over the whole range. */
static void test_retry_delay(void **state)
{
	(void)state;
	struct {
		int failures, interval, cap;
	} cases[] = {{0, 900, 5}, {1, 900, 10}, {2, 900, 20}, {5, 900, 160}, {8, 900, 900},
		     {40, 900, 900}, {3, 60, 40}, {4, 60, 60}, {1000, 86400, 86400}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t lo = INT64_MAX, hi = 0;
		for (uint32_t r = 0; r < 200000; r += 7) {
			int64_t d = sync_retry_delay_s(cases[i].failures, cases[i].interval,
						       r * 2654435761u);
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		/* Never outside 5..cap, and reaching (nearly) both ends. */
		int64_t slack = (cases[i].cap - 5) / 100;
		if (lo < 5 || hi > cases[i].cap || lo > 5 + slack || hi < cases[i].cap - slack)
			fail_msg("failures %d, interval %d: delays %lld..%lld, expected 5..%d",
				 cases[i].failures, cases[i].interval, (long long)lo, (long long)hi,
				 cases[i].cap);
	}
	/* Extremes of the random number stay inside the range. */
	assert_int_equal(sync_retry_delay_s(3, 900, 0), 5);
	int64_t top = sync_retry_delay_s(3, 900, UINT32_MAX);
	assert_in_range(top, 5, 40);
}

static atomic_int wakes;

static void count_wake(void *data, enum wake_source source)
{
	(void)data;
	if (source == WAKE_SOURCE_NET)
		atomic_fetch_add(&wakes, 1);
}

static bool wait_for_wake(int ms)
{
	for (int waited = 0; waited < ms; waited += 20) {
		if (atomic_load(&wakes) > 0)
			return true;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return atomic_load(&wakes) > 0;
}

/* An address that comes and goes on lo (root only) wakes the watch once
 * the burst is over. */
static void test_net_watch(void **state)
{
	(void)state;
	if (geteuid() != 0 || system("command -v ip >/dev/null") != 0) {
		print_message("skipped: needs root and ip(8) to change an address\n");
		skip();
	}
	struct wake w = {count_wake, NULL};
	atomic_store(&wakes, 0);
	struct net_watch *nw = net_watch_start(&w);
	assert_non_null(nw);
	/* (Whether the machine's network stays still meanwhile is not ours to
	 * say: other tests and the host may change it, so only the wake after
	 * our own change is checked.) */
	wait_for_wake(700);
	atomic_store(&wakes, 0);
	assert_int_equal(system("ip addr add 127.0.0.77/32 dev lo && ip addr del 127.0.0.77/32 dev lo"),
			 0);
	assert_true(wait_for_wake(5000));
	net_watch_stop(nw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_delay),
		cmocka_unit_test(test_net_watch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
