/* The one clock.  Real runs read CLOCK_MONOTONIC; scripted runs use a
 * virtual clock that only the script moves, so tests are deterministic. */
#include "kiosk/core.h"

#include <stdatomic.h>
#include <time.h>

#define VIRTUAL_START_MS 1000000

static atomic_bool virtual_mode;
static _Atomic uint64_t virtual_ms;
static _Atomic int64_t virtual_wall_base; /* the wall clock when the virtual one started */

uint64_t clock_real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t clock_now_ms(void)
{
	if (atomic_load(&virtual_mode))
		return atomic_load(&virtual_ms);
	return clock_real_ms();
}

void clock_use_virtual(void)
{
	/* Start away from zero so that "never" (0) stays distinct from "now". */
	atomic_store(&virtual_ms, VIRTUAL_START_MS);
	atomic_store(&virtual_wall_base, (int64_t)time(NULL));
	atomic_store(&virtual_mode, true);
}

bool clock_is_virtual(void) { return atomic_load(&virtual_mode); }

void clock_advance_ms(uint64_t ms) { atomic_fetch_add(&virtual_ms, ms); }

/* A scripted run's wall clock moves with its virtual clock: a lockout of
 * five minutes ends after "advance 300", as it would on the screen. */
int64_t clock_wall_s(void)
{
	if (atomic_load(&virtual_mode))
		return atomic_load(&virtual_wall_base) +
		       (int64_t)((atomic_load(&virtual_ms) - VIRTUAL_START_MS) / 1000);
	return (int64_t)time(NULL);
}
