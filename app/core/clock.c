/* The one clock.  Real runs read CLOCK_MONOTONIC; scripted runs use a
 * virtual clock that only the script moves, so tests are deterministic. */
#include "kiosk/core.h"

#include <stdatomic.h>
#include <time.h>

static atomic_bool virtual_mode;
static _Atomic uint64_t virtual_ms;

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
	atomic_store(&virtual_ms, 1000000);
	atomic_store(&virtual_mode, true);
}

bool clock_is_virtual(void) { return atomic_load(&virtual_mode); }

void clock_advance_ms(uint64_t ms) { atomic_fetch_add(&virtual_ms, ms); }

int64_t clock_wall_s(void) { return (int64_t)time(NULL); }
