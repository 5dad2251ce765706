/* Logging: one line per event on standard error, which the system journal
 * keeps.  Standard output is reserved for the script driver's JSON lines. */
#include "kiosk/core.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum log_level floor_level = LOG_LEVEL_INFO;

/* Standard error goes to systemd's journal (it says so in JOURNAL_STREAM):
 * each line then starts with its syslog priority, <3> to <7>, which the
 * journal takes as the line's priority. */
static bool to_journal;

void log_init(void)
{
	to_journal = getenv("JOURNAL_STREAM") != NULL;
	const char *env = getenv("KIOSK_LOG");
	if (!env)
		return;
	if (strcmp(env, "debug") == 0)
		floor_level = LOG_LEVEL_DEBUG;
	else if (strcmp(env, "info") == 0)
		floor_level = LOG_LEVEL_INFO;
	else if (strcmp(env, "warning") == 0)
		floor_level = LOG_LEVEL_WARNING;
	else if (strcmp(env, "error") == 0)
		floor_level = LOG_LEVEL_ERROR;
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	if (level > floor_level)
		return;
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	static const int priorities[] = {3, 4, 6, 7};
	/* One fprintf per line, so lines from several threads do not interleave. */
	if (to_journal)
		fprintf(stderr, "<%d>[%s] %s\n", priorities[level], module, line);
	else
		fprintf(stderr, "kiosk %s [%s] %s\n", names[level], module, line);
}
