/* The model in speech mode, as a blind resident meets it (issue 9): speech
 * that plays counts as activity, the idle warning is spoken with how to get
 * more time, and a reset, a new language or speech turned off stop what is
 * being read.  Links kiosk_model only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/model.h"

#define T0 1000000u
#define S(n) ((uint64_t)(n) * 1000u)

struct fixture {
	char **languages;
	struct model_settings settings;
	struct model *m;
};

static int setup(void **state)
{
	log_init();
	struct fixture *f = calloc(1, sizeof *f);
	struct content *c = NULL;
	struct content_error err;
	if (content_load(KIOSK_FIXTURES "/content/good", &c, &err) != CONTENT_OK)
		fail_msg("%s", err.message);
	f->languages = strv_split_spaces("de en");
	f->settings = (struct model_settings){
		.languages = f->languages, .default_language = "de", .idle_timeout_s = 90,
		.idle_warning_s = 30, .text_scale = 100, .subtitles = true, .speech = true,
	};
	f->m = model_new(&f->settings, c, T0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	model_free(f->m);
	strv_free(f->languages);
	free(f);
	return 0;
}

/* Everything asked to be said since the last call, joined by " | "; NULL
 * when nothing was. */
static char *said(struct model *m)
{
	char *all = NULL, *text;
	const char *lang;
	while (model_take_speech(m, &text, &lang)) {
		char *more = xasprintf("%s%s[%s]", all ? all : "", all ? " | " : "", text);
		free(all);
		free(text);
		all = more;
	}
	return all;
}

static const char *label_of(struct model *m, const char *id)
{
	const struct model_tree *t = model_tree(m);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].id, id) == 0)
			return t->nodes[i].label;
	fail_msg("no %s on screen %s", id, model_screen_name(model_screen(m)));
	return NULL;
}

/* In speech mode a first tap speaks and a second acts. */
static void press(struct model *m, const char *id, uint64_t t)
{
	model_activate(m, id, t);
	model_activate(m, id, t);
}

static void test_speech_counts_as_activity(void **state)
{
	struct model *m = ((struct fixture *)*state)->m;
	press(m, "home.guide", T0 + S(1));
	press(m, "guide.einfach", T0 + S(2));
	assert_int_equal(model_screen(m), MODEL_SCREEN_PAGE);
	free(said(m));
	/* The page is read aloud for two minutes. */
	model_speech_playing(m, T0 + S(2) + S(120));
	assert_true(model_next_deadline(m) >= T0 + S(122) + S(90));
	model_tick(m, T0 + S(100)); /* 98 s without a touch, but it reads on */
	assert_int_equal(model_screen(m), MODEL_SCREEN_PAGE);
	model_tick(m, T0 + S(122) + S(89)); /* the count started when it ended */
	assert_int_equal(model_screen(m), MODEL_SCREEN_PAGE);
	model_tick(m, T0 + S(122) + S(90));
	assert_int_equal(model_screen(m), MODEL_SCREEN_IDLE_WARNING);
}

static void test_idle_warning_is_spoken(void **state)
{
	struct model *m = ((struct fixture *)*state)->m;
	press(m, "home.guide", T0 + S(1));
	free(said(m));
	model_tick(m, T0 + S(91));
	assert_int_equal(model_screen(m), MODEL_SCREEN_IDLE_WARNING);
	char *words = said(m);
	assert_non_null(words);
	/* … and how to get more time: the button's words. */
	assert_non_null(strstr(words, label_of(m, "idle.more-time")));
	free(words);
}

static void test_reset_stops_speech(void **state)
{
	struct model *m = ((struct fixture *)*state)->m;
	press(m, "home.guide", T0 + S(1));
	press(m, "guide.einfach", T0 + S(2));
	model_activate(m, "page.block0", T0 + S(3)); /* a paragraph is read */
	free(said(m));
	model_speech_playing(m, T0 + S(5));
	model_tick(m, T0 + S(95));
	free(said(m)); /* the warning */
	model_tick(m, T0 + S(125)); /* nobody answered: reset */
	assert_int_equal(model_screen(m), MODEL_SCREEN_HOME);
	char *words = said(m);
	assert_non_null(words);
	assert_string_equal(words, "[]"); /* stop at once: the next person hears nothing of it */
	free(words);
}

static void test_language_change_stops_speech(void **state)
{
	struct model *m = ((struct fixture *)*state)->m;
	model_activate(m, "home.welcome", T0 + S(1));
	free(said(m));
	press(m, "lang.en", T0 + S(2));
	assert_string_equal(model_language(m), "en");
	char *words = said(m);
	assert_non_null(words);
	assert_non_null(strstr(words, "[]")); /* the German words end with German */
	free(words);
}

static void test_speech_off_stops(void **state)
{
	struct model *m = ((struct fixture *)*state)->m;
	model_speech_playing(m, T0 + S(60));
	press(m, "a11y.speak", T0 + S(1)); /* off */
	assert_false(model_speech_mode(m));
	char *words = said(m);
	assert_non_null(strstr(words, "[]"));
	free(words);
	/* Stopped speech keeps nobody: the count runs from the last touch. */
	press(m, "home.guide", T0 + S(2));
	model_tick(m, T0 + S(2) + S(90));
	assert_int_equal(model_screen(m), MODEL_SCREEN_IDLE_WARNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_speech_counts_as_activity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_warning_is_spoken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_stops_speech, setup, teardown),
		cmocka_unit_test_setup_teardown(test_language_change_stops_speech, setup, teardown),
		cmocka_unit_test_setup_teardown(test_speech_off_stops, setup, teardown),
	};
	return cmocka_run_group_tests_name("model speech", tests, NULL, NULL);
}
