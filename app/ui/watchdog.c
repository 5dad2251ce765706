/* The service manager's watchdog: the loop tells systemd it is alive
 * (sd_notify WATCHDOG=1) at half the WatchdogSec it was given, from the
 * same loop that draws, so a hung loop stops the messages and systemd
 * restarts the kiosk.  READY=1 goes out once the first frame is on the
 * screen.  Without NOTIFY_SOCKET (a test, a terminal) nothing is sent. */
#include "ui_int.h"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#define LOG_MODULE "ui"

void watchdog_start(struct ui *u)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000) {
		u->watchdog_every_ms = usec / 2000;
		u->watchdog_due_ms = clock_real_ms();
		LOG_INFO("the service watchdog expects a sign of life every %llu ms; one goes out "
			 "every %llu ms", (unsigned long long)(usec / 1000),
			 (unsigned long long)u->watchdog_every_ms);
	}
	sd_notifyf(0, "READY=1\nSTATUS=showing %s\nMAINPID=%lu", model_screen_name(
			   model_screen(u->model)), (unsigned long)getpid());
}

/* The watchdog keeps real time, whatever a script's virtual clock says: it
 * is about the loop being alive. */
uint64_t watchdog_deadline(const struct ui *u)
{
	return clock_is_virtual() ? 0 : u->watchdog_due_ms;
}

uint32_t watchdog_wait_ms(const struct ui *u)
{
	if (!u->watchdog_due_ms)
		return UINT32_MAX;
	uint64_t now = clock_real_ms();
	return now >= u->watchdog_due_ms ? 0 : (uint32_t)(u->watchdog_due_ms - now);
}

void watchdog_timer(struct ui *u)
{
	uint64_t now = clock_real_ms();
	if (!u->watchdog_due_ms || now < u->watchdog_due_ms)
		return;
	sd_notify(0, "WATCHDOG=1");
	u->watchdog_due_ms = now + u->watchdog_every_ms;
}
