/* kiosk.conf: INI read with inih.  Every key has a default that works from
 * a fresh checkout; an unknown key or a bad value stops with the file, the
 * line and the key, because a kiosk that guesses is worse than one that
 * says what is wrong. */
#include "kiosk/core.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "config"

static const char *const known_languages[] = {"de", "en", "de-x-ls", "tr", "uk", "ar", NULL};

/* kiosk.conf is a page of settings; anything this big is not one. */
#define CONFIG_CAP (256 * 1024)

struct parse_state {
	struct config *c;
	struct config_error *err;
	const char *why;     /* set by a setter that refuses its value */
	char bad_key[128];
	int bad_line;        /* the line of that value */
	const char *text;    /* the whole file, read through the capped reader */
	size_t at, len;      /* where inih reads next, and the end */
	int line;            /* the line inih is reading now */
	char *long_value;    /* the value of a line too long for inih's buffer */
	int lines_done;      /* lines read to their end */
};

/* fgets for inih that counts lines, so the handler knows where it is: inih
 * reports only the first bad line, which may be a syntax error before the
 * value a setter refused. */
/* A line longer than inih's buffer (200 bytes in Debian's build) would be
 * cut and its rest read as a line of its own.  A long comment or blank line
 * goes in as an empty one; a long "key = value" goes in as "key = " and a
 * mark, and on_entry() takes the value from long_value.  So lines of any
 * length within the file's cap are read, and line numbers stay right. */
#define LONG_MARK "\x1f(long)"

static char *pass_long_line(struct parse_state *st, const char *line, size_t n, char *str,
			    int num)
{
	const char *s = line, *end = line + n;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	const char *eq = memchr(s, '=', (size_t)(end - s));
	if (s == end || *s == ';' || *s == '#' || *s == '\r' || *s == '\n' || !eq ||
	    (size_t)(eq - s) + sizeof LONG_MARK + 4 > (size_t)num) {
		/* a comment, or something inih will refuse on its own: keep the
		 * line's place, give it no content (a long key is refused below). */
		bool blank = s == end || *s == '\r' || *s == '\n';
		if (!blank && *s != ';' && *s != '#') {
			snprintf(str, (size_t)num, "%.*s\n", num - 2, s);
			return str;
		}
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	const char *v = eq + 1, *v_end = end;
	while (v < v_end && (*v == ' ' || *v == '\t'))
		v++;
	while (v_end > v && (v_end[-1] == '\n' || v_end[-1] == '\r' || v_end[-1] == ' ' ||
			     v_end[-1] == '\t'))
		v_end--;
	free(st->long_value);
	st->long_value = xstrndup(v, (size_t)(v_end - v));
	snprintf(str, (size_t)num, "%.*s= " LONG_MARK "\n", (int)(eq - s), s);
	return str;
}

static char *read_line(char *str, int num, void *user)
{
	struct parse_state *st = user;
	if (st->at >= st->len || num < 2)
		return NULL;
	const char *line = st->text + st->at;
	const char *nl = memchr(line, '\n', st->len - st->at);
	size_t n = nl ? (size_t)(nl - line) + 1 : st->len - st->at;
	st->at += n;
	st->line = ++st->lines_done;
	if (n + 1 <= (size_t)num) {
		memcpy(str, line, n);
		str[n] = '\0';
		return str;
	}
	return pass_long_line(st, line, n, str, num);
}

static bool parse_int(const char *v, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return false;
	*out = (int)n;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0)
		*out = false;
	else
		return false;
	return true;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static void set_path(struct config *c, char **field, const char *v)
{
	free(*field);
	*field = path_resolve(c->dir, v);
}

static bool language_known(const char *code)
{
	for (int i = 0; known_languages[i]; i++)
		if (strcmp(known_languages[i], code) == 0)
			return true;
	return false;
}

/* Each setter returns NULL when the value is taken, else why it is not. */
static const char *set_kiosk(struct config *c, const char *key, const char *v)
{
	if (strcmp(key, "id") == 0) {
		for (const char *p = v; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
				return "use lowercase letters, digits and '-' only";
		set_str(&c->kiosk_id, v);
	} else if (strcmp(key, "languages") == 0) {
		char **v2 = strv_split_spaces(v);
		if (!v2[0]) {
			strv_free(v2);
			return "name at least one language";
		}
		for (size_t i = 0; v2[i]; i++) {
			if (!language_known(v2[i])) {
				strv_free(v2);
				return "unknown language (known: de en de-x-ls tr uk ar)";
			}
		}
		strv_free(c->languages);
		c->languages = v2;
	} else if (strcmp(key, "default_language") == 0) {
		if (!language_known(v))
			return "unknown language (known: de en de-x-ls tr uk ar)";
		set_str(&c->default_language, v);
	} else if (strcmp(key, "idle_timeout") == 0) {
		if (!parse_int(v, 10, 86400, &c->idle_timeout))
			return "expected seconds between 10 and 86400";
	} else if (strcmp(key, "idle_warning") == 0) {
		if (!parse_int(v, 20, 3600, &c->idle_warning))
			return "expected seconds, at least 20 (residents need time to answer)";
	} else if (strcmp(key, "fullscreen") == 0) {
		if (!parse_bool(v, &c->fullscreen))
			return "expected true or false";
	} else if (strcmp(key, "resolution") == 0) {
		int w, h;
		char x, extra;
		if (sscanf(v, "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x' || w < 640 ||
		    h < 480 || w > 7680 || h > 7680)
			return "expected WIDTHxHEIGHT, at least 640x480, e.g. 1920x1080";
		c->width = w, c->height = h;
	} else if (strcmp(key, "screen_diagonal_inch") == 0) {
		char *end;
		double d = strtod(v, &end);
		if (end == v || *end || !isfinite(d) || d < 7 || d > 120)
			return "expected the diagonal in inches, between 7 and 120";
		c->screen_diagonal_inch = d;
	} else if (strcmp(key, "renderer") == 0) {
		if (strcmp(v, "auto") == 0)
			c->renderer = CONFIG_RENDERER_AUTO;
		else if (strcmp(v, "software") == 0)
			c->renderer = CONFIG_RENDERER_SOFTWARE;
		else if (strcmp(v, "accelerated") == 0)
			c->renderer = CONFIG_RENDERER_ACCELERATED;
		else
			return "expected auto, software or accelerated";
	} else if (strcmp(key, "data_dir") == 0) {
		if (!*v)
			return "expected a folder";
		set_path(c, &c->data_dir, v);
	} else if (strcmp(key, "font_dir") == 0) {
		if (!*v)
			return "expected a folder";
		set_path(c, &c->font_dir, v);
	} else if (strcmp(key, "opening_hours") == 0) {
		static char why[160];
		struct opening_hours *h = *v ? hours_parse(v, why, sizeof why) : NULL;
		if (*v && !h)
			return why;
		hours_free(h);
		set_str(&c->opening_hours, v);
	} else {
		return "unknown key";
	}
	return NULL;
}

static const char *set_content(struct config *c, const char *key, const char *v)
{
	if (!*v)
		return "expected a folder";
	if (strcmp(key, "seed_dir") == 0)
		set_path(c, &c->seed_dir, v);
	else if (strcmp(key, "media_dir") == 0)
		set_path(c, &c->media_dir, v);
	else
		return "unknown key";
	return NULL;
}

static const char *set_bundle(struct config *c, const char *key, const char *v)
{
	if (strcmp(key, "trusted_keys") == 0) {
		if (!*v)
			return "expected a folder";
		set_path(c, &c->trusted_keys, v);
	} else if (strcmp(key, "usb_roots") == 0) {
		char **roots = strv_split_spaces(v);
		for (size_t i = 0; roots[i]; i++) {
			char *abs = path_resolve(c->dir, roots[i]);
			free(roots[i]);
			roots[i] = abs;
		}
		strv_free(c->usb_roots);
		c->usb_roots = roots;
	} else {
		return "unknown key";
	}
	return NULL;
}

static const char *set_export(struct config *c, const char *key, const char *v)
{
	if (strcmp(key, "min_cell") != 0)
		return "unknown key";
	if (!parse_int(v, 1, 100, &c->export_min_cell))
		return "expected a whole number between 1 and 100 (counts below it are hidden)";
	return NULL;
}

/* A server address: http(s)://HOST[:PORT][/PATH], no user or password in
 * it (those belong in user and token_file, never in a logged address). */
static const char *check_url(const char *v)
{
	const char *rest = strncmp(v, "https://", 8) == 0  ? v + 8
			   : strncmp(v, "http://", 7) == 0 ? v + 7
							   : NULL;
	if (!rest || !*rest || *rest == '/')
		return "expected an address starting with https:// (or http://) and a host";
	const char *end = rest + strcspn(rest, "/?#");
	for (const char *p = rest; p < end; p++)
		if (*p == '@')
			return "no user or password in the address: use user and token_file";
	if (strpbrk(v, " \t\"<>\\^`{|}"))
		return "the address has a character that must be percent-encoded";
	return NULL;
}

static const char *set_sync(struct config *c, const char *key, const char *v)
{
	const char *why = NULL;
	if (strcmp(key, "url") == 0 || strcmp(key, "bundle_url") == 0) {
		if (*v && (why = check_url(v)))
			return why;
		char *copy = xstrdup(v);
		size_t n = strlen(copy);
		while (n && copy[n - 1] == '/') /* one form: URL/feedback/… below it */
			copy[--n] = '\0';
		char **slot = strcmp(key, "url") == 0 ? &c->sync_url : &c->sync_bundle_url;
		free(*slot);
		*slot = copy;
	} else if (strcmp(key, "user") == 0) {
		if (strchr(v, ':'))
			return "a user name cannot contain ':'";
		set_str(&c->sync_user, v);
	} else if (strcmp(key, "token_file") == 0) {
		free(c->sync_token_file);
		c->sync_token_file = *v ? path_resolve(c->dir, v) : xstrdup("");
	} else if (strcmp(key, "ca_file") == 0) {
		free(c->sync_ca_file);
		c->sync_ca_file = *v ? path_resolve(c->dir, v) : xstrdup("");
	} else if (strcmp(key, "interval") == 0) {
		if (!parse_int(v, 60, 86400, &c->sync_interval))
			return "expected seconds between 60 and 86400";
	} else {
		return "unknown key";
	}
	return NULL;
}

static const char *set_admin(struct config *c, const char *key, const char *v)
{
	if (strcmp(key, "pin_hash") != 0)
		return "unknown key";
	if (*v && !pin_hash_valid(v))
		return "expected the line kioskctl admin hash-pin prints ($argon2id$...)";
	set_str(&c->admin_pin_hash, v);
	return NULL;
}

static const char *set_accessibility(struct config *c, const char *key, const char *v)
{
	if (strcmp(key, "text_scale") == 0) {
		int s;
		if (!parse_int(v, 100, 200, &s) || (s != 100 && s != 150 && s != 200))
			return "expected 100, 150 or 200";
		c->text_scale = s;
	} else if (strcmp(key, "high_contrast") == 0) {
		if (!parse_bool(v, &c->high_contrast))
			return "expected true or false";
	} else if (strcmp(key, "subtitles") == 0) {
		if (!parse_bool(v, &c->subtitles))
			return "expected true or false";
	} else if (strcmp(key, "speech") == 0) {
		if (!parse_bool(v, &c->speech))
			return "expected true or false";
	} else if (strcmp(key, "low_reach") == 0) {
		if (!parse_bool(v, &c->low_reach))
			return "expected true or false";
	} else {
		return "unknown key";
	}
	return NULL;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	const char *why;
	if (strcmp(value, LONG_MARK) == 0 && st->long_value)
		value = st->long_value;
	if (strcmp(section, "kiosk") == 0)
		why = set_kiosk(st->c, key, value);
	else if (strcmp(section, "content") == 0)
		why = set_content(st->c, key, value);
	else if (strcmp(section, "bundle") == 0)
		why = set_bundle(st->c, key, value);
	else if (strcmp(section, "export") == 0)
		why = set_export(st->c, key, value);
	else if (strcmp(section, "sync") == 0)
		why = set_sync(st->c, key, value);
	else if (strcmp(section, "admin") == 0)
		why = set_admin(st->c, key, value);
	else if (strcmp(section, "accessibility") == 0)
		why = set_accessibility(st->c, key, value);
	else
		why = "unknown section";
	if (!why)
		return 1;
	if (!st->why) { /* keep the first refusal: that is the line inih reports */
		st->why = why;
		st->bad_line = st->line;
		snprintf(st->bad_key, sizeof st->bad_key, "%s.%s", section, key);
	}
	return 0;
}

/* The line of "key =" inside [section], for checks that span keys. */
static int find_key_line(const char *path, const char *section, const char *key)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[1024], cur[128] = "";
	int n = 0, found = 0;
	while (fgets(line, sizeof line, f)) {
		n++;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			sscanf(s, "[%127[^]]", cur);
		} else if (strcmp(cur, section) == 0 && strncmp(s, key, strlen(key)) == 0) {
			char *after = s + strlen(key);
			while (*after == ' ' || *after == '\t')
				after++;
			if (*after == '=') {
				found = n;
			}
		}
	}
	fclose(f);
	return found;
}

static void fail(struct config_error *err, const char *file, int line, const char *key,
		 const char *why)
{
	snprintf(err->file, sizeof err->file, "%s", file);
	err->line = line;
	snprintf(err->key, sizeof err->key, "%s", key ? key : "");
	if (line > 0 && key && *key)
		snprintf(err->message, sizeof err->message, "%s:%d: %s: %s", file, line, key, why);
	else if (key && *key)
		snprintf(err->message, sizeof err->message, "%s: %s: %s", file, key, why);
	else if (line > 0)
		snprintf(err->message, sizeof err->message, "%s:%d: %s", file, line, why);
	else
		snprintf(err->message, sizeof err->message, "%s: %s", file, why);
}

void config_defaults(struct config *c, const char *dir)
{
	memset(c, 0, sizeof *c);
	c->dir = xstrdup(dir);
	c->kiosk_id = xstrdup("");
	c->languages = strv_split_spaces("de en de-x-ls tr uk ar");
	c->default_language = xstrdup("de");
	c->idle_timeout = 90;
	c->idle_warning = 30;
	c->fullscreen = true;
	c->width = 1920;
	c->height = 1080;
	c->screen_diagonal_inch = 24;
	c->renderer = CONFIG_RENDERER_AUTO;
	c->data_dir = path_resolve(dir, "var");
	c->font_dir = xstrdup("/usr/share/fonts/truetype");
	c->opening_hours = xstrdup("");
	c->seed_dir = path_resolve(dir, "assets/content");
	c->media_dir = path_resolve(dir, "media");
	c->trusted_keys = path_resolve(dir, "keys");
	c->usb_roots = strv_split_spaces("/media /run/media");
	c->export_min_cell = 5;
	c->sync_url = xstrdup("");
	c->sync_bundle_url = xstrdup("");
	c->sync_user = xstrdup("");
	c->sync_token_file = xstrdup("");
	c->sync_ca_file = xstrdup("");
	c->sync_interval = 900;
	c->admin_pin_hash = xstrdup("");
	c->text_scale = 100;
	c->high_contrast = false;
	c->subtitles = true;
	c->speech = false;
	c->low_reach = false;
}

int config_load(struct config *c, const char *path, struct config_error *err)
{
	char *abs = path_resolve("", path);
	char *dir = path_dirname(abs);
	config_defaults(c, dir);
	free(dir);
	c->path = abs;

	/* The contract: comments only on lines of their own, one line a value. */
	ini_allow_inline_comments = false;
	ini_allow_multiline = false;

	/* Through the capped reader: a device, a FIFO or a folder given as the
	 * config is refused at once instead of read (or waited on) forever. */
	char *text = NULL;
	size_t len = 0;
	int read = file_read_capped(abs, CONFIG_CAP, &text, &len);
	if (read) {
		fail(err, abs, 0, NULL, file_read_strerror(read));
		return -1;
	}
	if (memchr(text, '\0', len)) {
		free(text);
		fail(err, abs, 0, NULL, "contains a NUL byte: not a text file");
		return -1;
	}
	struct parse_state st = {.c = c, .err = err, .text = text, .len = len};
	int rc = ini_parse_stream(read_line, &st, on_entry, &st);
	free(text);
	free(st.long_value);
	if (rc == -2) {
		fail(err, abs, 0, NULL, "out of memory");
		return -1;
	}
	if (rc > 0 && st.why && st.bad_line == rc) {
		fail(err, abs, rc, st.bad_key, st.why);
		return -1;
	}
	if (rc > 0) {
		fail(err, abs, rc, NULL, "not a valid INI line (expected [section] or key = value)");
		return -1;
	}
	if (!strv_contains(c->languages, c->default_language)) {
		fail(err, abs, find_key_line(abs, "kiosk", "default_language"), "kiosk.default_language",
		     "must be one of [kiosk] languages");
		return -1;
	}
	return 0;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->dir);
	free(c->kiosk_id);
	strv_free(c->languages);
	free(c->default_language);
	free(c->trusted_keys);
	strv_free(c->usb_roots);
	free(c->sync_url);
	free(c->sync_bundle_url);
	free(c->sync_user);
	free(c->sync_token_file);
	free(c->sync_ca_file);
	free(c->admin_pin_hash);
	free(c->data_dir);
	free(c->font_dir);
	free(c->opening_hours);
	free(c->seed_dir);
	free(c->media_dir);
	memset(c, 0, sizeof *c);
}

double config_px_per_cm(const struct config *c)
{
	double diag_px = sqrt((double)c->width * c->width + (double)c->height * c->height);
	return diag_px / (c->screen_diagonal_inch * 2.54);
}
