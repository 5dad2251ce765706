/* Opening hours: when the screen may be dark (issue 13, nights off).
 *
 * A small part of OpenStreetMap's opening_hours syntax, which IT staff may
 * know from elsewhere:
 *     Mo-Fr 08:00-18:00; Sa 09:00-13:00; 2026-12-24 off; 2026-12-27-2027-01-01 off
 * Rules are separated by ';'.  A rule of weekdays (Mo Tu We Th Fr Sa Su,
 * ranges and lists: "Mo-Fr", "Mo,We,Fr") gives those days its times
 * ("08:00-12:00,13:00-18:00", up to 24:00) or "off"; a later rule for a
 * day replaces an earlier one.  A date or a range of dates with "off"
 * closes those days whatever their weekday says.  Local time. */
#include "kiosk/core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SPANS_MAX 4
#define CLOSED_MAX 64

struct span {
	int from, to; /* minutes of the day, from < to <= 1440 */
};

struct opening_hours {
	struct span days[7][SPANS_MAX]; /* 0 = Monday */
	int n[7];
	struct {
		int from, to; /* dates as yyyymmdd, inclusive */
	} closed[CLOSED_MAX];
	int n_closed;
};

static const char *const day_names[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int day_index(const char *p)
{
	for (int d = 0; d < 7; d++)
		if (strncmp(p, day_names[d], 2) == 0)
			return d;
	return -1;
}

/* "Mo-Fr,Su" into days[]; the end of it in *end. */
static bool parse_days(const char *p, bool days[7], const char **end)
{
	memset(days, 0, 7 * sizeof *days);
	for (;;) {
		int a = day_index(p);
		if (a < 0)
			return false;
		p += 2;
		int b = a;
		if (*p == '-') {
			if ((b = day_index(p + 1)) < 0)
				return false;
			p += 3;
		}
		for (int d = a;; d = (d + 1) % 7) {
			days[d] = true;
			if (d == b)
				break;
		}
		if (*p != ',')
			break;
		p++;
	}
	*end = p;
	return true;
}

static bool parse_minute(const char *p, int *out, const char **end)
{
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2] != ':' ||
	    !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]))
		return false;
	int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return false;
	*out = h * 60 + m;
	*end = p + 5;
	return true;
}

static bool parse_date(const char *p, int *out, const char **end)
{
	int y, mo, d, n = 0;
	if (sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || y < 2000 || y > 2999)
		return false;
	*out = y * 10000 + mo * 100 + d;
	*end = p + 10;
	return true;
}

static const char *parse_closed(struct opening_hours *h, const char *p)
{
	int from, to;
	if (!parse_date(p, &from, &p))
		return "expected a date YYYY-MM-DD";
	to = from;
	if (*p == '-' && !parse_date(p + 1, &to, &p))
		return "expected a second date after '-'";
	p = skip_spaces(p);
	if (strncmp(p, "off", 3) != 0 || *skip_spaces(p + 3))
		return "a date is followed by 'off' (closed)";
	if (to < from)
		return "the second date lies before the first";
	if (h->n_closed == CLOSED_MAX)
		return "too many closed dates";
	h->closed[h->n_closed].from = from;
	h->closed[h->n_closed].to = to;
	h->n_closed++;
	return NULL;
}

static const char *parse_rule(struct opening_hours *h, const char *p)
{
	p = skip_spaces(p);
	if (isdigit((unsigned char)*p))
		return parse_closed(h, p);
	bool days[7];
	if (!parse_days(p, days, &p))
		return "expected weekdays (Mo Tu We Th Fr Sa Su, e.g. Mo-Fr) or a date";
	p = skip_spaces(p);
	struct span spans[SPANS_MAX];
	int n = 0;
	if (strncmp(p, "off", 3) == 0) {
		p += 3;
	} else {
		for (;;) {
			if (n == SPANS_MAX)
				return "at most 4 time spans a day";
			if (!parse_minute(p, &spans[n].from, &p) || *p != '-' ||
			    !parse_minute(p + 1, &spans[n].to, &p))
				return "expected times like 08:00-18:00";
			if (spans[n].to <= spans[n].from)
				return "a time span ends before it begins";
			n++;
			if (*p != ',')
				break;
			p++;
		}
	}
	if (*skip_spaces(p))
		return "unexpected text after the times";
	for (int d = 0; d < 7; d++)
		if (days[d]) {
			memcpy(h->days[d], spans, sizeof spans);
			h->n[d] = n;
		}
	return NULL;
}

struct opening_hours *hours_parse(const char *text, char *why, size_t why_size)
{
	struct opening_hours *h = xcalloc(1, sizeof *h);
	char *copy = xstrdup(text);
	const char *err = NULL;
	int rule = 0;
	for (char *save = NULL, *r = strtok_r(copy, ";", &save); r && !err;
	     r = strtok_r(NULL, ";", &save)) {
		rule++;
		if (*skip_spaces(r))
			err = parse_rule(h, r);
	}
	free(copy);
	if (err) {
		snprintf(why, why_size, "rule %d: %s", rule, err);
		free(h);
		return NULL;
	}
	return h;
}

void hours_free(struct opening_hours *h) { free(h); }

static bool closed_on(const struct opening_hours *h, const struct tm *tm)
{
	int date = (tm->tm_year + 1900) * 10000 + (tm->tm_mon + 1) * 100 + tm->tm_mday;
	for (int i = 0; i < h->n_closed; i++)
		if (date >= h->closed[i].from && date <= h->closed[i].to)
			return true;
	return false;
}

bool hours_open(const struct opening_hours *h, int64_t wall_s)
{
	if (!h)
		return true;
	time_t t = (time_t)wall_s;
	struct tm tm;
	localtime_r(&t, &tm);
	if (closed_on(h, &tm))
		return false;
	int day = (tm.tm_wday + 6) % 7, minute = tm.tm_hour * 60 + tm.tm_min;
	for (int i = 0; i < h->n[day]; i++)
		if (minute >= h->days[day][i].from && minute < h->days[day][i].to)
			return true;
	return false;
}

int64_t hours_next_change(const struct opening_hours *h, int64_t wall_s)
{
	if (!h)
		return 0;
	bool now = hours_open(h, wall_s);
	/* Changes fall on whole minutes: walk to the next minute, then by
	 * minutes for at most eight days (a week and a closed date). */
	int64_t t = wall_s - wall_s % 60 + 60;
	for (int i = 0; i < 8 * 24 * 60; i++, t += 60)
		if (hours_open(h, t) != now)
			return t;
	return 0; /* always open or always closed */
}
