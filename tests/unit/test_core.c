/* Unit tests for core: kiosk.conf, UTF-8, strings, files, the clock.
 * Links kiosk_core only. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kiosk/core.h"
#include "test_util.h"

static char *tmp; /* this run's temporary folder */

static int group_setup(void **state)
{
	log_init();
	umask(022);
	tmp = test_mkdtemp("core");
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmp);
	tmp = NULL;
	return 0;
}

/* ---- kiosk.conf ---- */

/* Writes text as tmp/name and loads it; the caller frees c. */
static int load_text(const char *name, const char *text, struct config *c,
		     struct config_error *err, char **path_out)
{
	char *path = test_write(tmp, name, text, 0);
	memset(err, 0, sizeof *err);
	int rc = config_load(c, path, err);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return rc;
}

static void test_config_shipped_matches_defaults(void **state)
{
	struct config c, d;
	struct config_error err = {0};
	assert_int_equal(config_load(&c, KIOSK_CONF, &err), 0);
	config_defaults(&d, KIOSK_SOURCE_DIR);

	assert_string_equal(c.path, KIOSK_CONF);
	assert_string_equal(c.dir, KIOSK_SOURCE_DIR);
	assert_string_equal(c.kiosk_id, d.kiosk_id);
	assert_string_equal(c.kiosk_id, "");
	assert_int_equal(strv_len(c.languages), strv_len(d.languages));
	for (size_t i = 0; d.languages[i]; i++)
		assert_string_equal(c.languages[i], d.languages[i]);
	assert_int_equal(strv_len(c.languages), 6);
	assert_string_equal(c.languages[2], "de-x-ls");
	assert_string_equal(c.default_language, "de");
	assert_int_equal(c.idle_timeout, d.idle_timeout);
	assert_int_equal(c.idle_timeout, 90);
	assert_int_equal(c.idle_warning, 30);
	assert_int_equal(c.idle_warning, d.idle_warning);
	assert_true(c.fullscreen);
	assert_int_equal(c.width, 1920);
	assert_int_equal(c.height, 1080);
	assert_int_equal(c.width, d.width);
	assert_int_equal(c.height, d.height);
	assert_true(c.screen_diagonal_inch == 24.0);
	assert_true(c.screen_diagonal_inch == d.screen_diagonal_inch);
	assert_int_equal(c.renderer, CONFIG_RENDERER_AUTO);
	assert_string_equal(c.data_dir, d.data_dir);
	assert_string_equal(c.data_dir, KIOSK_SOURCE_DIR "/var");
	assert_string_equal(c.font_dir, d.font_dir);
	assert_string_equal(c.font_dir, "/usr/share/fonts/truetype");
	assert_string_equal(c.opening_hours, "");
	assert_string_equal(c.seed_dir, d.seed_dir);
	assert_string_equal(c.seed_dir, KIOSK_SOURCE_DIR "/assets/content");
	assert_string_equal(c.media_dir, KIOSK_SOURCE_DIR "/media");
	assert_string_equal(c.trusted_keys, d.trusted_keys);
	assert_string_equal(c.trusted_keys, KIOSK_SOURCE_DIR "/keys");
	assert_int_equal(strv_len(c.usb_roots), 2);
	assert_string_equal(c.usb_roots[0], d.usb_roots[0]);
	assert_string_equal(c.usb_roots[1], "/run/media");
	assert_string_equal(c.sync_url, d.sync_url);
	assert_string_equal(c.sync_url, ""); /* no sync until an admin sets a server */
	assert_string_equal(c.sync_bundle_url, "");
	assert_string_equal(c.sync_user, "");
	assert_string_equal(c.sync_token_file, "");
	assert_string_equal(c.sync_ca_file, "");
	assert_int_equal(c.sync_interval, 900);
	assert_int_equal(c.sync_interval, d.sync_interval);
	assert_int_equal(c.export_min_cell, 5);
	assert_int_equal(c.export_min_cell, d.export_min_cell);
	assert_int_equal(c.text_scale, 100);
	assert_false(c.high_contrast);
	/* 1920x1080 on 24": about 36 px per cm, so 2 cm targets are ~73 px. */
	assert_in_range((long)(config_px_per_cm(&c) * 10), 360, 364);
	config_free(&c);
	config_free(&d);
	assert_null(c.path); /* config_free leaves nothing dangling */
}

static void test_config_values_taken(void **state)
{
	struct config c;
	struct config_error err;
	int rc = load_text("good.conf",
			   "# a comment line\n"
			   "[kiosk]\n"
			   "id = rathaus-1\n"
			   "languages = de en ar\n"
			   "default_language = en\n"
			   "idle_timeout = 120\n"
			   "idle_warning = 20\n"
			   "fullscreen = false\n"
			   "resolution = 1280x800\n"
			   "screen_diagonal_inch = 15.6\n"
			   "renderer = software\n"
			   "data_dir = /srv/kiosk\n"
			   "[content]\n"
			   "seed_dir = seed\n"
			   "media_dir = films\n"
			   "[export]\n"
			   "min_cell = 10\n"
			   "[sync]\n"
			   "url = https://dav.example.org/kiosk/\n"
			   "user = rathaus\n"
			   "token_file = secret/token\n"
			   "ca_file = /etc/kiosk/ca.pem\n"
			   "interval = 600\n"
			   "[accessibility]\n"
			   "text_scale = 150\n"
			   "high_contrast = true\n",
			   &c, &err, NULL);
	assert_int_equal(rc, 0);
	assert_string_equal(c.kiosk_id, "rathaus-1");
	assert_int_equal(strv_len(c.languages), 3);
	assert_string_equal(c.languages[2], "ar");
	assert_string_equal(c.default_language, "en");
	assert_int_equal(c.idle_timeout, 120);
	assert_int_equal(c.idle_warning, 20);
	assert_false(c.fullscreen);
	assert_int_equal(c.width, 1280);
	assert_int_equal(c.height, 800);
	assert_true(c.screen_diagonal_inch > 15.5 && c.screen_diagonal_inch < 15.7);
	assert_int_equal(c.renderer, CONFIG_RENDERER_SOFTWARE);
	assert_string_equal(c.data_dir, "/srv/kiosk");
	char *seed = path_join(tmp, "seed");
	assert_string_equal(c.seed_dir, seed);
	free(seed);
	assert_int_equal(c.text_scale, 150);
	assert_true(c.high_contrast);
	/* One form of the address: feedback goes to URL/feedback/… */
	assert_string_equal(c.sync_url, "https://dav.example.org/kiosk");
	assert_string_equal(c.sync_user, "rathaus");
	char *token = path_join(tmp, "secret/token");
	assert_string_equal(c.sync_token_file, token);
	free(token);
	assert_string_equal(c.sync_ca_file, "/etc/kiosk/ca.pem");
	assert_int_equal(c.sync_interval, 600);
	assert_int_equal(c.export_min_cell, 10);
	config_free(&c);
}

struct bad_case {
	const char *text;
	int line;
	const char *key;
	const char *why; /* part of the message */
};

static void check_bad(const struct bad_case *bc, int index)
{
	char name[32];
	snprintf(name, sizeof name, "bad-%d.conf", index);
	struct config c;
	struct config_error err;
	char *path = NULL;
	int rc = load_text(name, bc->text, &c, &err, &path);
	if (rc != -1)
		fail_msg("case %d (%s) was accepted", index, bc->key);
	assert_string_equal(err.file, path);
	if (err.line != bc->line || strcmp(err.key, bc->key) != 0)
		fail_msg("case %d: got line %d key '%s' (%s), expected line %d key '%s'", index,
			 err.line, err.key, err.message, bc->line, bc->key);
	/* One line for a person: FILE:LINE: section.key: why */
	char *want = xasprintf("%s:%d: %s: ", path, bc->line, bc->key);
	if (strncmp(err.message, want, strlen(want)) != 0)
		fail_msg("case %d: message '%s' does not start with '%s'", index, err.message, want);
	if (!strstr(err.message, bc->why))
		fail_msg("case %d: message '%s' does not say '%s'", index, err.message, bc->why);
	assert_null(strchr(err.message, '\n'));
	free(want);
	free(path);
	config_free(&c);
}

static void test_config_bad_values(void **state)
{
	static const struct bad_case cases[] = {
		{"[kiosk]\nidle_timeout = soon\n", 2, "kiosk.idle_timeout", "seconds"},
		{"[kiosk]\nidle_timeout = 90s\n", 2, "kiosk.idle_timeout", "seconds"},
		{"; x\n[kiosk]\nidle_timeout = 90\nidle_warning = 19\n", 4, "kiosk.idle_warning",
		 "at least 20"},
		{"[kiosk]\n\n\nresolution = big\n", 4, "kiosk.resolution", "WIDTHxHEIGHT"},
		{"[kiosk]\nresolution = 1920x1080x2\n", 2, "kiosk.resolution", "WIDTHxHEIGHT"},
		{"[kiosk]\nfullscreen = true\nrenderer = gpu\n", 3, "kiosk.renderer",
		 "auto, software or accelerated"},
		{"[kiosk]\n[accessibility]\nhigh_contrast = false\ntext_scale = 120\n", 4,
		 "accessibility.text_scale", "100, 150 or 200"},
		{"[accessibility]\nhigh_contrast = yes\n", 2, "accessibility.high_contrast",
		 "true or false"},
		{"[kiosk]\nid = x\nlanguages = de xx\n", 3, "kiosk.languages", "unknown language"},
		{"[kiosk]\nfullscreen = 1\n", 2, "kiosk.fullscreen", "true or false"},
		{"[kiosk]\nid = Kiosk 1\n", 2, "kiosk.id", "lowercase"},
		{"[kiosk]\nscreen_diagonal_inch = 3\n", 2, "kiosk.screen_diagonal_inch", "inches"},
		{"[sync]\nurl = ftp://example.org\n", 2, "sync.url", "https://"},
		{"[sync]\nurl = https://\n", 2, "sync.url", "https://"},
		{"[sync]\nurl = https://admin:geheim@example.org/dav\n", 2, "sync.url",
		 "no user or password in the address"},
		{"[sync]\nurl = https://example.org/a b\n", 2, "sync.url", "percent-encoded"},
		{"[sync]\nbundle_url = example.org/x.kiosk\n", 2, "sync.bundle_url", "https://"},
		{"[sync]\ninterval = 5\n", 2, "sync.interval", "between 60 and 86400"},
		{"[sync]\nuser = a:b\n", 2, "sync.user", "':'"},
		{"[sync]\nverify = false\n", 2, "sync.verify", "unknown key"},
		{"[export]\nmin_cell = 0\n", 2, "export.min_cell", "between 1 and 100"},
		{"[export]\nmin_cell = 101\n", 2, "export.min_cell", "between 1 and 100"},
		{"[export]\n\nmin_cell = five\n", 3, "export.min_cell", "between 1 and 100"},
		{"[export]\nmin_count = 5\n", 2, "export.min_count", "unknown key"},
		/* An unknown key and an unknown section stop as well. */
		{"[kiosk]\nidle_timeout = 90\ncolour = red\n", 3, "kiosk.colour", "unknown key"},
		{"[content]\nsede_dir = x\n", 2, "content.sede_dir", "unknown key"},
		{"[kiosk]\nidle_timeout = 90\n[display]\nbrightness = 80\n", 4, "display.brightness",
		 "unknown section"},
		/* No comments after a value: "90 ; x" is the value, and a bad one. */
		{"[kiosk]\nidle_timeout = 90 ; x\n", 2, "kiosk.idle_timeout", "seconds"},
		{"[accessibility]\nhigh_contrast = true # yes\n", 2, "accessibility.high_contrast",
		 "true or false"},
		/* The first refusal is the one reported. */
		{"[kiosk]\nrenderer = gpu\nidle_warning = 5\n", 2, "kiosk.renderer", "auto"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_bad(&cases[i], (int)i);
}

static void test_config_default_language_not_offered(void **state)
{
	static const struct bad_case cases[] = {
		{"[kiosk]\nlanguages = de en\nidle_timeout = 90\ndefault_language = tr\n", 4,
		 "kiosk.default_language", "[kiosk] languages"},
		/* The default "de" is not offered: the fault lies with languages, and
		 * default_language is not in the file at all. */
		{"[kiosk]\nlanguages = en tr\n", 0, "kiosk.default_language", "languages"},
	};
	struct config c;
	struct config_error err;
	char *path;
	assert_int_equal(load_text("dl0.conf", cases[0].text, &c, &err, &path), -1);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.key, "kiosk.default_language");
	char *want = xasprintf("%s:4: kiosk.default_language: ", path);
	assert_non_null(strstr(err.message, want));
	free(want);
	free(path);
	config_free(&c);

	assert_int_equal(load_text("dl1.conf", cases[1].text, &c, &err, &path), -1);
	assert_string_equal(err.key, "kiosk.default_language");
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, "languages"));
	free(path);
	config_free(&c);
}

static void test_config_syntax_error_line(void **state)
{
	/* A line that is no INI at all, then a bad value further down: the
	 * report names the broken line and does not blame the later key. */
	struct config c;
	struct config_error err;
	char *path;
	int rc = load_text("syntax.conf", "[kiosk]\nthis is not ini\nrenderer = gpu\n", &c, &err,
			   &path);
	assert_int_equal(rc, -1);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.key, "");
	char *want = xasprintf("%s:2: ", path);
	assert_non_null(strstr(err.message, want));
	assert_null(strstr(err.message, "renderer"));
	free(want);
	free(path);
	config_free(&c);

	rc = load_text("syntax2.conf", "[kiosk\nidle_timeout = 90\n", &c, &err, &path);
	assert_int_equal(rc, -1);
	assert_int_equal(err.line, 1);
	free(path);
	config_free(&c);
}

/* Lines of any sensible length: a 4 KB comment, a long value, and the
 * line named in an error after them is the right one. */
static void test_config_long_lines(void **state)
{
	char comment[4200], longdir[3100];
	memset(comment, 'x', sizeof comment - 1);
	comment[0] = '#';
	comment[sizeof comment - 1] = '\0';
	memset(longdir, 'd', sizeof longdir - 1);
	longdir[0] = '/';
	longdir[sizeof longdir - 1] = '\0';
	char *text = xasprintf("%s\n[kiosk]\n%s\nfont_dir = %s  \nidle_timeout = 75\n", comment,
			       comment, longdir);
	struct config c;
	struct config_error err;
	assert_int_equal(load_text("long.conf", text, &c, &err, NULL), 0);
	assert_string_equal(c.font_dir, longdir);
	assert_int_equal(c.idle_timeout, 75);
	config_free(&c);
	free(text);

	/* A bad value after long lines: named at its own line (6). */
	text = xasprintf("%s\n[kiosk]\n%s\nfont_dir = %s\n\nidle_timeout = soon\n", comment,
			 comment, longdir);
	assert_int_equal(load_text("long2.conf", text, &c, &err, NULL), -1);
	assert_int_equal(err.line, 6);
	assert_string_equal(err.key, "kiosk.idle_timeout");
	config_free(&c);
	free(text);

	/* A long line that is no setting: refused at its line (3). */
	text = xasprintf("[kiosk]\nidle_timeout = 75\n%s\n", longdir + 1);
	assert_int_equal(load_text("long3.conf", text, &c, &err, NULL), -1);
	assert_int_equal(err.line, 3);
	config_free(&c);
	free(text);
}

static void test_config_missing_file(void **state)
{
	struct config c;
	struct config_error err = {0};
	char *path = path_join(tmp, "no-such.conf");
	assert_int_equal(config_load(&c, path, &err), -1);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.key, "");
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, strerror(ENOENT)));
	free(path);
	config_free(&c);
}

/* Not a file: /dev/zero, a FIFO or a folder as the config is refused at
 * once with words for it, never read (or waited on) forever; nor is a file
 * with NUL bytes taken for settings. */
static void test_config_not_a_file(void **state)
{
	struct config c;
	struct config_error err = {0};
	assert_int_equal(config_load(&c, "/dev/zero", &err), -1);
	assert_non_null(strstr(err.message, "/dev/zero"));
	assert_non_null(strstr(err.message, "not a regular file"));
	config_free(&c);

	char *fifo = path_join(tmp, "conf-fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(config_load(&c, fifo, &err), -1);
	assert_non_null(strstr(err.message, "not a regular file"));
	config_free(&c);
	unlink(fifo);
	free(fifo);

	assert_int_equal(config_load(&c, tmp, &err), -1);
	assert_non_null(strstr(err.message, "a folder, not a file"));
	config_free(&c);

	char *nul = test_write(tmp, "nul.conf", "[kiosk]\0idle_timeout = 90\n", 26);
	assert_int_equal(config_load(&c, nul, &err), -1);
	assert_non_null(strstr(err.message, "NUL byte"));
	config_free(&c);
	free(nul);
}

static void test_config_relative_paths(void **state)
{
	/* Relative paths inside a config are taken from the config's folder,
	 * not from the current folder, also when the config is named relatively. */
	char *sub = path_join(tmp, "site");
	free(test_write(sub, "kiosk.conf",
			"[kiosk]\ndata_dir = data\nfont_dir = ../fonts\n"
			"[content]\nseed_dir = /opt/seed\nmedia_dir = m/films\n",
			0));
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(tmp), 0);
	struct config c;
	struct config_error err;
	int rc = config_load(&c, "site/kiosk.conf", &err);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, 0);

	char *want = path_join(sub, "kiosk.conf");
	assert_string_equal(c.path, want);
	free(want);
	assert_string_equal(c.dir, sub);
	want = path_join(sub, "data");
	assert_string_equal(c.data_dir, want);
	free(want);
	want = path_join(sub, "../fonts");
	assert_string_equal(c.font_dir, want);
	free(want);
	assert_string_equal(c.seed_dir, "/opt/seed");
	want = path_join(sub, "m/films");
	assert_string_equal(c.media_dir, want);
	free(want);
	config_free(&c);
	free(sub);
}

/* ---- UTF-8 ---- */

static bool valid(const char *s) { return utf8_valid(s, strlen(s)); }

static void test_utf8_valid(void **state)
{
	assert_true(valid(""));
	assert_true(valid("plain ASCII"));
	assert_true(valid("Grüße, Straße – „Kommune“ € 😀 العربية Українська"));
	assert_true(valid("\xF4\x8F\xBF\xBF"));       /* U+10FFFF, the last code point */
	assert_true(valid("\xED\x9F\xBF"));           /* U+D7FF, just below the surrogates */
	assert_true(utf8_valid("a\0b", 3));           /* NUL is a valid character */
	/* Overlong forms. */
	assert_false(valid("\xC0\x80"));
	assert_false(valid("\xC1\xBF"));
	assert_false(valid("\xE0\x80\xAF"));
	assert_false(valid("\xF0\x82\x82\xAC"));
	/* Surrogates (CESU-style) and beyond U+10FFFF. */
	assert_false(valid("\xED\xA0\x80"));
	assert_false(valid("\xED\xBF\xBF"));
	assert_false(valid("\xF4\x90\x80\x80"));
	/* Truncated sequences, at the end and in the middle. */
	assert_false(valid("ok \xC3"));
	assert_false(valid("\xE2\x82"));
	assert_false(valid("\xF0\x9F\x98"));
	assert_false(valid("\xE2\x82 more"));
	/* n cuts the text: a sequence cut by n is truncated. */
	assert_false(utf8_valid("\xC3\xBC", 1));
	assert_true(utf8_valid("\xC3\xBC", 2));
	/* Stray continuation bytes and bytes that never start a sequence. */
	assert_false(valid("\x80"));
	assert_false(valid("a\xBF"));
	assert_false(valid("\xF8\x88\x80\x80\x80"));
	assert_false(valid("\xFF"));
	assert_false(valid("\xFE"));
}

/* ---- Strings ---- */

static void test_str_format_n(void **state)
{
	char *s = str_format_n("{n} Min. Lesezeit", 3);
	assert_string_equal(s, "3 Min. Lesezeit");
	free(s);
	s = str_format_n("in {n} Sekunden von vorn", 30);
	assert_string_equal(s, "in 30 Sekunden von vorn");
	free(s);
	s = str_format_n("ends with {n}", -12);
	assert_string_equal(s, "ends with -12");
	free(s);
	s = str_format_n("{n} and {n}", 7); /* every one is replaced */
	assert_string_equal(s, "7 and 7");
	free(s);
	s = str_format_var("Frage {n} von {total}", "{total}", 6);
	assert_string_equal(s, "Frage {n} von 6");
	free(s);
	s = str_format_n("no placeholder", 5);
	assert_string_equal(s, "no placeholder");
	free(s);
	s = str_format_n("{m} {n", 5);
	assert_string_equal(s, "{m} {n");
	free(s);
}

static void test_strv(void **state)
{
	char **v = strv_split_spaces("  de en\tde-x-ls   tr  ");
	assert_int_equal(strv_len(v), 4);
	assert_string_equal(v[0], "de");
	assert_string_equal(v[1], "en");
	assert_string_equal(v[2], "de-x-ls");
	assert_string_equal(v[3], "tr");
	assert_null(v[4]);
	assert_true(strv_contains(v, "de-x-ls"));
	assert_false(strv_contains(v, "d"));
	assert_false(strv_contains(v, "ar"));
	strv_free(v);

	/* Many items make the vector grow. */
	v = strv_split_spaces("a b c d e f g h i j k l m n o p q");
	assert_int_equal(strv_len(v), 17);
	assert_string_equal(v[16], "q");
	strv_free(v);

	v = strv_split_spaces("");
	assert_non_null(v);
	assert_int_equal(strv_len(v), 0);
	strv_free(v);
	v = strv_split_spaces(" \t ");
	assert_int_equal(strv_len(v), 0);
	strv_free(v);
	v = strv_split_spaces(NULL);
	assert_int_equal(strv_len(v), 0);
	strv_free(v);
	assert_int_equal(strv_len(NULL), 0);
	assert_false(strv_contains(NULL, "de"));
	strv_free(NULL);

	char *a = xasprintf("%s-%d", "kiosk", 42);
	assert_string_equal(a, "kiosk-42");
	free(a);
}

static void test_id_random_hex(void **state)
{
	char a[17], b[17];
	id_random_hex(a, 8);
	id_random_hex(b, 8);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_not_equal(a, b);
}

/* ---- Paths and files ---- */

static void test_paths(void **state)
{
	char *s = path_join("/a/b", "c");
	assert_string_equal(s, "/a/b/c");
	free(s);
	s = path_join("/a/b/", "c");
	assert_string_equal(s, "/a/b/c");
	free(s);
	s = path_join("/a", "/abs");
	assert_string_equal(s, "/abs");
	free(s);
	s = path_dirname("/a/b/c.conf");
	assert_string_equal(s, "/a/b");
	free(s);
	s = path_dirname("/c.conf");
	assert_string_equal(s, "/");
	free(s);
	s = path_dirname("c.conf");
	assert_string_equal(s, ".");
	free(s);
	s = path_resolve("/etc/kiosk", "var");
	assert_string_equal(s, "/etc/kiosk/var");
	free(s);
	s = path_resolve("/etc/kiosk", "/var/lib/kiosk");
	assert_string_equal(s, "/var/lib/kiosk");
	free(s);

	char *deep = path_join(tmp, "mk/a/b/c");
	assert_int_equal(path_mkdirs(deep, 0755), 0);
	assert_true(path_is_dir(deep));
	assert_int_equal(path_mkdirs(deep, 0755), 0); /* existing: fine */
	char *file = test_write(deep, "f", "x", 0);
	assert_false(path_is_dir(file));
	assert_true(path_exists(file));
	char *below = path_join(file, "sub");
	assert_true(path_mkdirs(below, 0755) < 0); /* a file is in the way */
	assert_true(path_mkdirs("", 0755) < 0);    /* no folder named */
	free(below);
	free(file);
	free(deep);
	assert_true(path_free_bytes(tmp) > 0);
}

static void test_file_atomic_round_trip(void **state)
{
	char *path = path_join(tmp, "atomic.bin");
	const char data[] = "first\0line\n\xC3\xBC";
	assert_int_equal(file_write_atomic(path, data, sizeof data, 0600), 0);
	char *back = NULL;
	size_t len = 0;
	assert_int_equal(file_read_all(path, &back, &len), 0);
	assert_int_equal(len, sizeof data);
	assert_memory_equal(back, data, sizeof data);
	assert_int_equal(back[len], '\0'); /* always NUL-terminated */
	free(back);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Replacing keeps no temporary file behind. */
	assert_int_equal(file_write_atomic(path, "second", 6, 0600), 0);
	assert_int_equal(file_read_all(path, &back, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(back, "second");
	free(back);
	DIR *d = opendir(tmp);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strstr(e->d_name, "atomic.bin.tmp"))
			fail_msg("temporary file left behind: %s", e->d_name);
	closedir(d);

	/* An empty file, a large one. */
	assert_int_equal(file_write_atomic(path, "", 0, 0644), 0);
	assert_int_equal(file_read_all(path, &back, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(back, "");
	free(back);
	size_t big = 3 * 65536 + 7;
	char *blob = xmalloc(big);
	for (size_t i = 0; i < big; i++)
		blob[i] = (char)(i * 31 + 7);
	assert_int_equal(file_write_atomic(path, blob, big, 0644), 0);
	assert_int_equal(file_read_all(path, &back, &len), 0);
	assert_int_equal(len, big);
	assert_memory_equal(back, blob, big);
	free(back);
	free(blob);

	/* Errors come back as -errno. */
	char *missing = path_join(tmp, "missing.txt");
	back = NULL;
	assert_int_equal(file_read_all(missing, &back, &len), -ENOENT);
	assert_null(back);
	assert_int_equal(file_read_all(tmp, &back, &len), -EISDIR);
	char *nodir = path_join(tmp, "no-such-dir/file");
	assert_true(file_write_atomic(nodir, "x", 1, 0600) < 0);
	assert_false(path_exists(nodir));
	free(nodir);
	free(missing);
	free(path);
}

static void test_copy_and_remove_tree(void **state)
{
	char *src = path_join(tmp, "src");
	free(test_write(src, "content.json", "{\"format\": 1}\n", 0));
	free(test_write(src, "pages/a.de.md", "# A\n", 0));
	free(test_write(src, "pages/deeper/b.bin", "\x01\x02\0\x03", 4));
	char *empty = path_join(src, "empty");
	assert_int_equal(path_mkdirs(empty, 0755), 0);
	free(empty);
	char *link = path_join(src, "link");
	assert_int_equal(symlink("/etc/passwd", link), 0);
	free(link);
	char *secret = path_join(src, "pages/private.txt");
	free(test_write(src, "pages/private.txt", "p", 0));
	assert_int_equal(chmod(secret, 0640), 0);
	free(secret);

	char *dst = path_join(tmp, "dst/nested/copy");
	assert_int_equal(path_copy_tree(src, dst), 0);

	char *p = path_join(dst, "content.json");
	size_t len;
	char *text = test_slurp(p, &len);
	assert_non_null(text);
	assert_string_equal(text, "{\"format\": 1}\n");
	free(text);
	free(p);
	p = path_join(dst, "pages/deeper/b.bin");
	text = test_slurp(p, &len);
	assert_non_null(text);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "\x01\x02\0\x03", 4);
	free(text);
	free(p);
	p = path_join(dst, "empty");
	assert_true(path_is_dir(p));
	free(p);
	p = path_join(dst, "pages/private.txt");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640); /* modes are kept */
	free(p);
	p = path_join(dst, "link"); /* links are never part of content */
	assert_int_equal(lstat(p, &st), -1);
	free(p);

	/* A missing source fails. */
	char *nosrc = path_join(tmp, "no-src");
	char *nodst = path_join(tmp, "no-dst");
	assert_true(path_copy_tree(nosrc, nodst) < 0);
	free(nosrc);

	/* rm -rf: the copy goes, the link's target stays, a missing path is fine. */
	char *top = path_join(tmp, "dst");
	assert_int_equal(path_remove_tree(top), 0);
	assert_false(path_exists(top));
	assert_int_equal(path_remove_tree(top), 0);
	assert_int_equal(path_remove_tree(src), 0);
	assert_false(path_exists(src));
	assert_true(path_exists("/etc/passwd"));
	path_remove_tree(nodst);
	free(nodst);
	free(top);
	free(dst);
	free(src);
}

/* ---- The clock ---- */

static void test_clock_virtual(void **state)
{
	uint64_t r1 = clock_now_ms();
	usleep(15000);
	uint64_t r2 = clock_now_ms();
	assert_false(clock_is_virtual());
	assert_true(r2 >= r1 + 10); /* the real clock moves by itself */
	assert_true(clock_wall_s() > 1600000000);

	clock_use_virtual();
	assert_true(clock_is_virtual());
	uint64_t t0 = clock_now_ms();
	assert_true(t0 != 0); /* 0 stays "never" */
	usleep(20000);
	assert_int_equal(clock_now_ms(), t0); /* no movement unless told */
	clock_advance_ms(1500);
	assert_int_equal(clock_now_ms(), t0 + 1500);
	clock_advance_ms(0);
	assert_int_equal(clock_now_ms(), t0 + 1500);
	clock_advance_ms(90000);
	assert_int_equal(clock_now_ms(), t0 + 91500);
}


/* ---- The capped reader ---- */

static void test_capbuf(void **state)
{
	struct capbuf b;
	capbuf_init(&b, 10);
	assert_int_equal(capbuf_add(&b, "hello", 5), 0);
	assert_int_equal(capbuf_add(&b, "world", 5), 0);
	assert_int_equal(capbuf_add(&b, "!", 1), -EFBIG); /* 11 > 10: refused, nothing added */
	assert_int_equal(b.len, 10);
	size_t len = 0;
	char *s = capbuf_take(&b, &len);
	assert_int_equal(len, 10);
	assert_string_equal(s, "helloworld");
	free(s);
	assert_int_equal(b.len, 0);
	s = capbuf_take(&b, &len); /* empty: an empty string, never NULL */
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(capbuf_add(&b, "x", (size_t)-1), -EFBIG); /* no overflow */
	capbuf_free(&b);
	capbuf_free(&b);
}

static void test_file_read_capped(void **state)
{
	char *path = test_write(tmp, "capped.txt", "0123456789", 0);
	char *out = (char *)1;
	size_t len = 0;
	assert_int_equal(file_read_capped(path, 10, &out, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal(out, "0123456789");
	free(out);
	assert_int_equal(file_read_capped(path, 9, &out, &len), -EFBIG);
	assert_null(out);
	assert_non_null(strstr(file_read_strerror(-EFBIG), "refused before reading"));
	free(path);
	/* not files: refused at once, never waited on */
	assert_int_equal(file_read_capped(tmp, 100, &out, &len), -EISDIR);
	char *fifo = path_join(tmp, "fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(file_read_capped(fifo, 100, &out, &len), -EINVAL);
	assert_int_equal(file_read_capped("/dev/zero", 100, &out, &len), -EINVAL);
	assert_non_null(strstr(file_read_strerror(-EINVAL), "not a regular file"));
	assert_int_equal(file_read_capped("/nonexistent/x", 100, &out, &len), -ENOENT);
	unlink(fifo);
	free(fifo);
}

/* Local wall-clock seconds for a date and time. */
static int64_t local_s(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			.tm_min = mi, .tm_isdst = -1};
	return (int64_t)mktime(&tm);
}

/* Opening hours: weekdays and times, a later rule replacing an earlier one
 * for its days, closed dates, the next change; and refusals with a reason. */
static void test_opening_hours(void **state)
{
	(void)state;
	char why[160];
	struct opening_hours *h =
		hours_parse("Mo-Fr 08:00-12:00,13:00-18:00; Sa 09:00-13:00; Fr 08:00-14:00; "
			    "2026-12-24 off; 2026-12-28-2026-12-30 off",
			    why, sizeof why);
	assert_non_null(h);
	/* 2026-11-30 is a Monday. */
	assert_false(hours_open(h, local_s(2026, 11, 30, 7, 59)));
	assert_true(hours_open(h, local_s(2026, 11, 30, 8, 0)));
	assert_false(hours_open(h, local_s(2026, 11, 30, 12, 30))); /* lunch */
	assert_true(hours_open(h, local_s(2026, 11, 30, 17, 59)));
	assert_false(hours_open(h, local_s(2026, 11, 30, 18, 0)));
	assert_true(hours_open(h, local_s(2026, 12, 4, 13, 30)));  /* Friday's own rule */
	assert_false(hours_open(h, local_s(2026, 12, 4, 15, 0)));
	assert_true(hours_open(h, local_s(2026, 12, 5, 10, 0)));   /* Saturday */
	assert_false(hours_open(h, local_s(2026, 12, 6, 10, 0)));  /* Sunday: no rule */
	assert_false(hours_open(h, local_s(2026, 12, 24, 10, 0))); /* closed date (a Thursday) */
	assert_false(hours_open(h, local_s(2026, 12, 29, 10, 0))); /* in a closed range */
	assert_true(hours_open(h, local_s(2026, 12, 31, 10, 0)));
	assert_int_equal(hours_next_change(h, local_s(2026, 11, 30, 7, 30)),
			 local_s(2026, 11, 30, 8, 0));
	assert_int_equal(hours_next_change(h, local_s(2026, 11, 30, 12, 0)),
			 local_s(2026, 11, 30, 13, 0));
	/* Saturday afternoon to Monday morning. */
	assert_int_equal(hours_next_change(h, local_s(2026, 12, 5, 14, 0)),
			 local_s(2026, 12, 7, 8, 0));
	hours_free(h);
	assert_true(hours_open(NULL, local_s(2026, 12, 24, 3, 0)));

	static const char *const bad[][2] = {
		{"Mo-Fr 8-18", "times"},
		{"Mo-Fr 18:00-08:00", "ends before"},
		{"Xy 08:00-18:00", "weekdays"},
		{"Mo 08:00-25:00", "times"},
		{"2026-13-01 off", "date"},
		{"2026-12-24", "'off'"},
		{"2026-12-30-2026-12-01 off", "before the first"},
		{"Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00,16:00-17:00", "at most 4"},
		{"Mo-Fr 08:00-18:00 please", "unexpected text"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		h = hours_parse(bad[i][0], why, sizeof why);
		if (h || !strstr(why, bad[i][1]))
			fail_msg("'%s' gave '%s', expected a refusal saying '%s'", bad[i][0],
				 h ? "(accepted)" : why, bad[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_shipped_matches_defaults),
		cmocka_unit_test(test_config_values_taken),
		cmocka_unit_test(test_config_bad_values),
		cmocka_unit_test(test_config_default_language_not_offered),
		cmocka_unit_test(test_config_syntax_error_line),
		cmocka_unit_test(test_config_long_lines),
		cmocka_unit_test(test_config_missing_file),
		cmocka_unit_test(test_opening_hours),
		cmocka_unit_test(test_config_not_a_file),
		cmocka_unit_test(test_config_relative_paths),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_str_format_n),
		cmocka_unit_test(test_strv),
		cmocka_unit_test(test_id_random_hex),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_file_atomic_round_trip),
		cmocka_unit_test(test_copy_and_remove_tree),
		cmocka_unit_test(test_clock_virtual),
		cmocka_unit_test(test_capbuf),
		cmocka_unit_test(test_file_read_capped),
	};
	return cmocka_run_group_tests_name("core", tests, group_setup, group_teardown);
}
