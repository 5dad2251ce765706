/* The script driver: test scripts and bug reports drive the real kiosk
 * through the same input choke point as a finger (DESIGN.md §4).  Each line
 * is carried out completely, the screen redrawn, before the next is read;
 * standard output carries only JSON lines. */
#include "ui_int.h"
#include "script_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "script"

/* Steps of a gesture on the app's clock. */
#define GESTURE_STEP_MS 16

struct script {
	struct ui *u;
	const char *name;
	int line_no;
};

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void dump(struct ui *u)
{
	for (size_t i = 0; i < u->layout.n; i++) {
		const struct model_node *n = &u->tree->nodes[i];
		SDL_Rect r;
		if (!layout_visible_rect(u, i, &r))
			continue;
		printf("{\"id\":");
		json_string(stdout, n->id);
		printf(",\"role\":\"%s\",\"label\":", model_role_name(n->role));
		json_string(stdout, n->label);
		printf(",\"x\":%d,\"y\":%d,\"w\":%d,\"h\":%d,\"selected\":%s,\"focused\":%s,"
		       "\"enabled\":%s",
		       r.x, r.y, r.w, r.h, n->selected ? "true" : "false",
		       n->focused ? "true" : "false", n->enabled ? "true" : "false");
		if (n->role == MODEL_ROLE_SLIDER)
			printf(",\"value\":%d", n->value);
		if (n->role == MODEL_ROLE_VIDEO)
			printf(",\"position_ms\":%d,\"duration_ms\":%d", n->value, n->value_max);
		/* Partly scrolled out of view: what is given is the visible part. */
		if (r.w != u->layout.boxes[i].r.w || r.h != u->layout.boxes[i].r.h)
			printf(",\"clipped\":true");
		printf("}\n");
	}
	printf("{\"end\":\"dump\",\"screen\":\"%s\"%s}\n", model_screen_name(u->tree->screen),
	       u->tree->dark ? ",\"dark\":true" : "");
	fflush(stdout);
}

static int find_visible(struct ui *u, const char *id, SDL_Rect *r)
{
	for (size_t i = 0; i < u->layout.n; i++)
		if (strcmp(u->tree->nodes[i].id, id) == 0)
			return layout_visible_rect(u, i, r) ? (int)i : -2;
	return -1;
}

/* One step of a gesture is one turn of the loop, as a finger's motion
 * events arrive one a frame. */
static void send(struct ui *u, enum ui_event_kind kind, int x, int y)
{
	struct ui_event ev = {.kind = kind, .x = x, .y = y, .t = clock_now_ms()};
	ui_input(u, &ev);
	ui_frame(u);
}

/* A finger moving from (x1,y1) to (x2,y2) over ms on the app's clock. */
static void gesture(struct ui *u, int x1, int y1, int x2, int y2, int ms)
{
	send(u, UI_EV_PRESS, x1, y1);
	int steps = ms / GESTURE_STEP_MS;
	for (int k = 1; k <= steps; k++) {
		clock_advance_ms(GESTURE_STEP_MS);
		send(u, UI_EV_MOVE, x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps);
	}
	if (ms % GESTURE_STEP_MS)
		clock_advance_ms((uint64_t)(ms % GESTURE_STEP_MS));
	send(u, UI_EV_RELEASE, x2, y2);
}

static int fail(struct script *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct script *s, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s:%d: %s\n", s->name, s->line_no, msg);
	return code;
}

static int cmd_shot(struct script *s, const char *name)
{
	struct ui *u = s->u;
	if (!*name || strchr(name, '/'))
		return fail(s, KIOSK_EXIT_USAGE, "shot: give a plain name");
	const char *dir = u->opts->screenshot_dir ? u->opts->screenshot_dir : ".";
	path_mkdirs(dir, 0755);
	char *path = xasprintf("%s/%s.png", dir, name);
	int rc = ui_screenshot(u, path);
	free(path);
	return rc == 0 ? 0 : fail(s, KIOSK_EXIT_RUNTIME, "shot %s failed", name);
}

/* Carries out one line; returns -1 to go on, else an exit code. */
static int run_line(struct script *s, char *line)
{
	struct ui *u = s->u;
	struct script_cmd c;
#ifdef KIOSK_TEST_HOOKS
	script_parse_line(line, &c, 1);
#else
	script_parse_line(line, &c, 0);
#endif
	const int *n = c.n;
	switch (c.kind) {
	case SCRIPT_CMD_NONE:
		return -1;
	case SCRIPT_CMD_TAP_ID:
	case SCRIPT_CMD_EXPECT_ID: {
		SDL_Rect r;
		int i = find_visible(u, c.id, &r);
		if (i < 0 && c.kind == SCRIPT_CMD_TAP_ID)
			return fail(s, KIOSK_EXIT_EXPECT, "tap @%s: %s on screen %s", c.id,
				    i == -1 ? "no such widget" : "not visible",
				    model_screen_name(u->tree->screen));
		if (i < 0)
			return fail(s, KIOSK_EXIT_EXPECT, "expected @%s to be visible on screen %s",
				    c.id, model_screen_name(u->tree->screen));
		if (c.kind == SCRIPT_CMD_TAP_ID)
			gesture(u, r.x + r.w / 2, r.y + r.h / 2, r.x + r.w / 2, r.y + r.h / 2, 50);
		break;
	}
	case SCRIPT_CMD_TAP:
		gesture(u, n[0], n[1], n[0], n[1], 50);
		break;
	case SCRIPT_CMD_HOLD:
		gesture(u, n[0], n[1], n[0], n[1], n[2]);
		break;
	case SCRIPT_CMD_SWIPE:
		gesture(u, n[0], n[1], n[2], n[3], n[4]);
		break;
	case SCRIPT_CMD_KEY: {
		struct ui_event ev = {.kind = UI_EV_KEY, .key = c.rest, .t = clock_now_ms()};
		ui_input(u, &ev);
		break;
	}
	case SCRIPT_CMD_TEXT: {
		if (!c.text)
			return fail(s, KIOSK_EXIT_USAGE, "text: expected \"UTF-8\"");
		struct ui_event ev = {.kind = UI_EV_TEXT, .text = c.text, .t = clock_now_ms()};
		ui_input(u, &ev);
		script_cmd_free(&c);
		break;
	}
	case SCRIPT_CMD_WAIT:
		ui_pump(u, (uint32_t)n[0]);
		break;
	case SCRIPT_CMD_STALL: {
		/* A test build's hung loop: nothing runs, no timer, no watchdog. */
		struct timespec ts = {n[0] / 1000, (long)(n[0] % 1000) * 1000000};
		nanosleep(&ts, NULL);
		break;
	}
	case SCRIPT_CMD_ADVANCE:
		ui_advance_to(u, clock_now_ms() + (uint64_t)n[0] * 1000);
		break;
	case SCRIPT_CMD_SHOT:
		return cmd_shot(s, c.arg) ? KIOSK_EXIT_RUNTIME : -1;
	case SCRIPT_CMD_DUMP:
		dump(u);
		break;
	case SCRIPT_CMD_EXPECT_SCREEN: {
		const char *now = model_screen_name(u->tree->screen);
		if (strcmp(now, c.arg) != 0)
			return fail(s, KIOSK_EXIT_EXPECT, "expected screen %s, but it is %s", c.arg,
				    now);
		break;
	}
	case SCRIPT_CMD_QUIT:
		return KIOSK_EXIT_OK;
	case SCRIPT_CMD_UNKNOWN:
		return fail(s, KIOSK_EXIT_USAGE, "cannot understand: %s", c.line);
	}
	/* Let the window system's and libvlc's events in (never drop them: a
	 * dropped wake would leave the film without frames). */
	ui_drain_events(u);
	if (u->quit)
		return KIOSK_EXIT_OK;
	ui_frame(u);
	return -1;
}

/* Lines from a file or a pipe.  While a pipe has no whole line yet, the
 * kiosk keeps running in real time (films play, timers fire), so that a
 * driver that writes a line, watches the screen and then writes the next
 * sees a living kiosk; a file's lines follow one another at once. */
struct line_reader {
	int fd;
	char *buf;
	size_t len, cap;
	bool eof;
};

/* The next line (without its newline) into *line, or false at the end. */
static bool next_line(struct ui *u, struct line_reader *r, char **line)
{
	for (;;) {
		char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
		if (nl || (r->eof && r->len)) {
			size_t n = nl ? (size_t)(nl - r->buf) : r->len;
			*line = xstrndup(r->buf, n);
			size_t used = nl ? n + 1 : n;
			memmove(r->buf, r->buf + used, r->len - used);
			r->len -= used;
			return true;
		}
		if (r->eof)
			return false;
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		if (poll(&p, 1, 0) == 0) {
			ui_pump(u, 10); /* nothing to read yet: let the kiosk live */
			if (u->quit)
				return false;
			continue;
		}
		if (r->len + 4096 > r->cap)
			r->buf = xrealloc(r->buf, r->cap = (r->len + 4096) * 2);
		ssize_t got = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			r->eof = true;
		else
			r->len += (size_t)got;
	}
}

int script_run(struct ui *u, const char *path)
{
	struct script s = {.u = u, .name = strcmp(path, "-") == 0 ? "stdin" : path};
	struct line_reader r = {.fd = strcmp(path, "-") == 0 ? STDIN_FILENO
							      : open(path, O_RDONLY | O_CLOEXEC)};
	if (r.fd < 0) {
		LOG_ERR("%s: %s", path, strerror(errno));
		return KIOSK_EXIT_USAGE;
	}
	int rc = -1;
	char *line = NULL;
	while (rc < 0 && next_line(u, &r, &line)) {
		s.line_no++;
		rc = run_line(&s, line);
		free(line);
	}
	free(r.buf);
	if (r.fd != STDIN_FILENO)
		close(r.fd);
	return rc < 0 ? KIOSK_EXIT_OK : rc;
}
