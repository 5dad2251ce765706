/* Unit tests for model: the widget tree of each screen, navigation, the
 * language switch, text size and contrast, the idle warning and the session
 * reset.  Links kiosk_model only (content, store and core from below). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/model.h"
#include "kiosk/store.h"
#include "test_util.h"

#define T0 1000000u /* the virtual clock starts away from 0 */
#define S(n) ((uint64_t)(n) * 1000u)

struct fixture {
	char **languages;
	struct model_settings settings;
	struct model *m;
};

/* A content set for a model to own. */
static struct content *load(const char *dir)
{
	struct content *c = NULL;
	struct content_error err;
	if (content_load(dir, &c, &err) != CONTENT_OK)
		fail_msg("%s", err.message);
	return c;
}

static struct content *good_content(void) { return load(KIOSK_FIXTURES "/content/good"); }

static int setup(void **state)
{
	log_init();
	struct fixture *f = xcalloc(1, sizeof *f);
	f->languages = strv_split_spaces("de en de-x-ls tr uk ar");
	f->settings = (struct model_settings){
		.languages = f->languages,
		.default_language = "de",
		.idle_timeout_s = 90,
		.idle_warning_s = 30,
		.text_scale = 100,
		.high_contrast = false,
		.subtitles = true,
	};
	f->m = model_new(&f->settings, good_content(), T0);
	assert_non_null(f->m);
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

static const struct model_node *find(struct model *m, const char *id)
{
	const struct model_tree *t = model_tree(m);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].id, id) == 0)
			return &t->nodes[i];
	return NULL;
}

static const struct model_node *need(struct model *m, const char *id)
{
	const struct model_node *n = find(m, id);
	if (!n)
		fail_msg("no node '%s' on screen '%s'", id, model_screen_name(model_screen(m)));
	return n;
}

static const char *label(struct model *m, const char *id) { return need(m, id)->label; }

static void expect_screen(struct model *m, enum model_screen s)
{
	if (model_screen(m) != s)
		fail_msg("screen is '%s', expected '%s'", model_screen_name(model_screen(m)),
			 model_screen_name(s));
	assert_int_equal(model_tree(m)->screen, s);
}

/* Every screen: unique ids, labels never NULL, the tools and languages. */
static void check_tree_sanity(struct model *m)
{
	const struct model_tree *t = model_tree(m);
	assert_true(t->n_nodes > 0);
	for (size_t i = 0; i < t->n_nodes; i++) {
		assert_non_null(t->nodes[i].label);
		assert_true(t->nodes[i].id[0] != '\0');
		for (size_t k = i + 1; k < t->n_nodes; k++)
			if (strcmp(t->nodes[i].id, t->nodes[k].id) == 0)
				fail_msg("id '%s' twice on '%s'", t->nodes[i].id,
					 model_screen_name(t->screen));
	}
}

static void test_home_tree(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_string_equal(model_screen_name(MODEL_SCREEN_HOME), "home");
	assert_string_equal(model_screen_name(MODEL_SCREEN_IDLE_WARNING), "idle-warning");
	assert_string_equal(model_screen_name(MODEL_SCREEN_OUT_OF_SERVICE), "out-of-service");
	assert_string_equal(model_language(m), "de");
	check_tree_sanity(m);

	const struct model_node *n = need(m, "home.guide");
	assert_int_equal(n->role, MODEL_ROLE_BUTTON);
	assert_true(n->enabled);
	assert_string_equal(n->label, "Ratgeber");
	assert_non_null(n->detail);
	assert_int_equal(n->tone, MODEL_TONE_GUIDE);
	assert_string_equal(label(m, "home.films"), "Filme");
	assert_string_equal(label(m, "home.survey"), "Umfrage");
	assert_string_equal(label(m, "home.welcome"), "Willkommen in der Testkommune!");

	/* The languages the content has and the config offers, nothing else. */
	n = need(m, "lang.de");
	assert_int_equal(n->role, MODEL_ROLE_OPTION);
	assert_true(n->selected);
	assert_string_equal(n->label, "Deutsch");
	n = need(m, "lang.en");
	assert_false(n->selected);
	assert_string_equal(n->label, "English");
	assert_null(find(m, "lang.tr"));
	assert_null(find(m, "lang.ar"));

	/* Text size and contrast on every screen, home included. */
	n = need(m, "a11y.text");
	assert_int_equal(n->role, MODEL_ROLE_BUTTON);
	assert_int_equal(n->value, 100);
	assert_string_equal(n->label, "Schrift"); /* the size is named once it differs */
	assert_non_null(find(m, "a11y.speak"));
	n = need(m, "a11y.contrast");
	assert_false(n->selected);
	/* Nowhere to go back to from home. */
	assert_null(find(m, "nav.back"));
	assert_null(find(m, "nav.home"));
	assert_false(model_take_reset(m)); /* a new model is not a reset */
}

static void test_navigation(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0;

	model_activate(m, "home.guide", t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	check_tree_sanity(m);
	assert_non_null(find(m, "nav.back"));
	assert_non_null(find(m, "nav.home"));
	assert_non_null(find(m, "a11y.text"));
	assert_non_null(find(m, "lang.en"));
	assert_string_equal(label(m, "title"), "Alle Themen");
	const struct model_node *n = need(m, "guide.einfach");
	assert_string_equal(n->label, "Einfach erklärt");
	assert_non_null(n->detail);
	assert_non_null(strstr(n->detail, "Worum es geht"));
	assert_non_null(strstr(n->detail, "2 Min."));
	assert_non_null(find(m, "guide.nur-deutsch"));
	/* The topics come in the content's order. */
	const struct model_tree *tree = model_tree(m);
	size_t a = (size_t)(need(m, "guide.einfach") - tree->nodes);
	size_t b = (size_t)(need(m, "guide.nur-deutsch") - tree->nodes);
	assert_true(a < b);

	/* Unknown ids and ids of other screens are ignored. */
	model_activate(m, "guide.no-such-topic", t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	model_activate(m, "home.films", t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);

	model_activate(m, "guide.einfach", t += 1000);
	expect_screen(m, MODEL_SCREEN_PAGE);
	check_tree_sanity(m);
	n = need(m, "page.block0");
	assert_int_equal(n->role, MODEL_ROLE_HEADING);
	assert_int_equal(n->type, MODEL_TYPE_H1);
	assert_string_equal(n->label, "Einfach erklärt");
	assert_non_null(n->block);
	assert_int_equal(n->block->kind, PAGE_BLOCK_HEADING);
	n = need(m, "page.block1");
	assert_int_equal(n->role, MODEL_ROLE_TEXT);
	assert_string_equal(n->label, "Die Kommune arbeitet für alle, auch ohne Internet.");
	assert_int_equal(need(m, "page.block2")->type, MODEL_TYPE_H2);
	assert_string_equal(label(m, "page.block4"), "Zuhören");
	assert_int_equal(need(m, "page.block4")->block->number, 2);
	assert_null(find(m, "page.fallback")); /* German page in German */
	assert_non_null(find(m, "nav.back"));

	model_back(m, t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	assert_null(find(m, "page.block0"));
	model_activate(m, "nav.home", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_null(find(m, "nav.back"));

	/* Escape on home stays home. */
	model_back(m, t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	model_activate(m, "nav.back", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);

	/* nav.back acts like Escape; back twice from a page leads home. */
	model_activate(m, "home.guide", t += 1000);
	model_activate(m, "guide.nur-deutsch", t += 1000);
	expect_screen(m, MODEL_SCREEN_PAGE);
	model_activate(m, "nav.back", t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	model_back(m, t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	/* nav.home straight from a page. */
	model_activate(m, "home.guide", t += 1000);
	model_activate(m, "guide.einfach", t += 1000);
	model_activate(m, "nav.home", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	model_back(m, t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_false(model_take_reset(m)); /* navigating is not a reset */
}

static void test_soon_screens(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	model_activate(m, "home.films", T0 + S(1));
	expect_screen(m, MODEL_SCREEN_FILMS);
	check_tree_sanity(m);
	assert_int_equal(need(m, "soon.title")->role, MODEL_ROLE_HEADING);
	assert_string_equal(label(m, "soon.title"), "Bald verfügbar"); /* built-in German */
	assert_non_null(find(m, "soon.text"));
	assert_string_equal(label(m, "title"), "Filme");
	assert_non_null(find(m, "nav.back"));
	model_back(m, T0 + S(2));
	expect_screen(m, MODEL_SCREEN_HOME);

	model_activate(m, "home.survey", T0 + S(3));
	expect_screen(m, MODEL_SCREEN_SURVEY);
	assert_non_null(find(m, "soon.title"));
	assert_string_equal(label(m, "title"), "Umfrage");
	model_activate(m, "nav.home", T0 + S(4));
	expect_screen(m, MODEL_SCREEN_HOME);
}

static void test_language_switch(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0;
	unsigned gen = model_tree(m)->generation;

	model_activate(m, "lang.en", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_string_equal(model_language(m), "en");
	assert_string_equal(model_tree(m)->lang, "en");
	assert_true(model_tree(m)->generation != gen);
	assert_string_equal(label(m, "home.guide"), "Guidance");
	assert_string_equal(label(m, "home.welcome"), "Welcome to Test Town!");
	assert_true(need(m, "lang.en")->selected);
	assert_false(need(m, "lang.de")->selected);
	assert_non_null(strstr(label(m, "a11y.text"), "Text size"));

	/* A language the content lacks, or the config does not offer: ignored. */
	model_activate(m, "lang.tr", t += 1000);
	assert_string_equal(model_language(m), "en");
	model_activate(m, "lang.xx", t += 1000);
	assert_string_equal(model_language(m), "en");

	model_activate(m, "home.guide", t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	assert_string_equal(label(m, "guide.einfach"), "Simply explained");
	assert_string_equal(label(m, "nav.back"), "Back");
	assert_string_equal(label(m, "nav.home"), "Start"); /* missing in en: German */
	/* A topic titled only in German shows the German title. */
	assert_string_equal(label(m, "guide.nur-deutsch"), "Nur auf Deutsch");

	model_activate(m, "guide.einfach", t += 1000);
	expect_screen(m, MODEL_SCREEN_PAGE);
	assert_string_equal(label(m, "page.block0"), "Simply explained");

	/* Switching on a page keeps the page and reloads it in the new language. */
	model_activate(m, "lang.de", t += 1000);
	expect_screen(m, MODEL_SCREEN_PAGE);
	assert_string_equal(model_language(m), "de");
	assert_string_equal(label(m, "page.block0"), "Einfach erklärt");
	assert_string_equal(label(m, "nav.back"), "Zurück");
	model_activate(m, "lang.en", t += 1000);
	assert_string_equal(label(m, "page.block0"), "Simply explained");
	assert_string_equal(label(m, "page.block1"),
			    "The municipality works for everyone, offline too.");

	/* A page only in German: German text with a note in English. */
	model_back(m, t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	assert_string_equal(model_language(m), "en"); /* back keeps the language */
	model_activate(m, "guide.nur-deutsch", t += 1000);
	expect_screen(m, MODEL_SCREEN_PAGE);
	const struct model_node *note = need(m, "page.fallback");
	assert_string_equal(note->label, "This text is only available in German.");
	const struct model_tree *tree = model_tree(m);
	assert_true(note < need(m, "page.block0") && note >= tree->nodes);
	assert_string_equal(label(m, "page.block0"), "Nur auf Deutsch");
	model_activate(m, "lang.de", t += 1000);
	assert_null(find(m, "page.fallback"));
	assert_string_equal(label(m, "page.block0"), "Nur auf Deutsch");
}

static void test_text_size_and_contrast(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0;
	assert_int_equal(model_tree(m)->text_scale, 100);
	static const int cycle[] = {150, 200, 100, 150};
	for (size_t i = 0; i < 4; i++) {
		model_activate(m, "a11y.text", t += 1000);
		assert_int_equal(model_tree(m)->text_scale, cycle[i]);
		assert_int_equal(need(m, "a11y.text")->value, cycle[i]);
		char num[8];
		snprintf(num, sizeof num, "%d", cycle[i]);
		if (cycle[i] != 100)
			assert_non_null(strstr(label(m, "a11y.text"), num));
		else
			assert_null(strstr(label(m, "a11y.text"), "100"));
	}
	assert_false(model_tree(m)->high_contrast);
	model_activate(m, "a11y.contrast", t += 1000);
	assert_true(model_tree(m)->high_contrast);
	assert_true(need(m, "a11y.contrast")->selected);
	/* Both stay while the resident moves around. */
	model_activate(m, "home.guide", t += 1000);
	assert_true(model_tree(m)->high_contrast);
	assert_int_equal(model_tree(m)->text_scale, 150);
	model_activate(m, "a11y.contrast", t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	assert_false(model_tree(m)->high_contrast);
	assert_false(need(m, "a11y.contrast")->selected);
}

static void test_idle_warning_and_more_time(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + S(5);
	model_activate(m, "home.guide", t);
	model_activate(m, "guide.einfach", t);
	expect_screen(m, MODEL_SCREEN_PAGE);
	assert_int_equal(model_next_deadline(m), t + S(90));

	model_tick(m, t + S(89));
	expect_screen(m, MODEL_SCREEN_PAGE);
	model_tick(m, t + S(90));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	check_tree_sanity(m);
	const struct model_node *n = need(m, "idle.more-time");
	assert_int_equal(n->role, MODEL_ROLE_BUTTON);
	assert_string_equal(n->label, "Mehr Zeit");
	assert_non_null(find(m, "idle.title"));
	assert_null(find(m, "page.block0")); /* the dialog alone */
	n = need(m, "idle.text");
	assert_int_equal(n->value, 30);
	assert_int_equal(n->value_max, 30);
	assert_string_equal(n->label, "Neustart in 30 Sekunden.");
	/* Next tick in a second, for the countdown. */
	assert_int_equal(model_next_deadline(m), t + S(91));

	/* The countdown moves with time. */
	model_tick(m, t + S(91));
	assert_string_equal(label(m, "idle.text"), "Neustart in 29 Sekunden.");
	model_tick(m, t + S(100) + 500);
	assert_int_equal(need(m, "idle.text")->value, 20); /* 19.5 s left: shown as 20 */
	assert_string_equal(label(m, "idle.text"), "Neustart in 20 Sekunden.");
	assert_int_equal(model_next_deadline(m), t + S(101));

	/* A touch on "more time" returns to the page, as it was. */
	model_activate(m, "idle.more-time", t + S(101));
	expect_screen(m, MODEL_SCREEN_PAGE);
	assert_string_equal(label(m, "page.block0"), "Einfach erklärt");
	assert_false(model_take_reset(m));
	/* And the timeout starts over from that touch. */
	assert_int_equal(model_next_deadline(m), t + S(101) + S(90));
	model_tick(m, t + S(101) + S(89));
	expect_screen(m, MODEL_SCREEN_PAGE);
	model_tick(m, t + S(101) + S(90));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	/* Any touch (not only the button) ends the warning too. */
	model_user_activity(m, t + S(200));
	expect_screen(m, MODEL_SCREEN_PAGE);
	assert_non_null(find(m, "page.block0"));
}

static void test_idle_reset(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + S(1);
	model_activate(m, "lang.en", t);
	model_activate(m, "a11y.text", t);
	model_activate(m, "a11y.contrast", t);
	model_activate(m, "home.guide", t);
	model_activate(m, "guide.einfach", t);
	expect_screen(m, MODEL_SCREEN_PAGE);

	model_tick(m, t + S(90));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	assert_string_equal(label(m, "idle.more-time"), "More time");
	model_tick(m, t + S(119));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	assert_string_equal(label(m, "idle.text"), "Starting over in 1 seconds.");
	assert_false(model_take_reset(m));
	assert_int_equal(model_next_deadline(m), t + S(120));

	/* 30 s without a touch: a fresh session for the next person. */
	model_tick(m, t + S(120));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_string_equal(model_language(m), "de");
	assert_int_equal(model_tree(m)->text_scale, 100);
	assert_false(model_tree(m)->high_contrast);
	assert_string_equal(label(m, "home.guide"), "Ratgeber");
	assert_true(need(m, "lang.de")->selected);
	assert_true(model_take_reset(m));
	assert_false(model_take_reset(m)); /* once per reset */
	/* Pristine again: no more warnings. */
	assert_int_equal(model_next_deadline(m), 0);
	model_tick(m, t + S(1000));
	expect_screen(m, MODEL_SCREEN_HOME);

	/* Back is not into the last person's page. */
	model_back(m, t + S(1001));
	expect_screen(m, MODEL_SCREEN_HOME);
	model_activate(m, "home.guide", t + S(1002));
	model_back(m, t + S(1003));
	expect_screen(m, MODEL_SCREEN_HOME);
}

static void test_idle_settings_restored(void **state)
{
	/* The configured text size, contrast and language are what a reset
	 * returns to, not 100 %, off and German. */
	struct fixture *f = *state;
	model_free(f->m);
	f->settings.text_scale = 150;
	f->settings.high_contrast = true;
	f->settings.default_language = "en";
	f->m = model_new(&f->settings, good_content(), T0);
	struct model *m = f->m;
	assert_string_equal(model_language(m), "en");
	assert_int_equal(model_tree(m)->text_scale, 150);
	assert_true(model_tree(m)->high_contrast);
	assert_int_equal(model_next_deadline(m), 0);

	model_activate(m, "lang.de", T0 + S(1));
	model_activate(m, "a11y.text", T0 + S(1));
	model_activate(m, "a11y.contrast", T0 + S(1));
	assert_int_equal(model_tree(m)->text_scale, 200);
	/* Changed settings on home are worth a warning and a reset. */
	assert_int_equal(model_next_deadline(m), T0 + S(91));
	model_tick(m, T0 + S(91));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	model_tick(m, T0 + S(121));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_string_equal(model_language(m), "en");
	assert_int_equal(model_tree(m)->text_scale, 150);
	assert_true(model_tree(m)->high_contrast);
	assert_true(model_take_reset(m));
	assert_int_equal(model_next_deadline(m), 0);
}

static void test_pristine_home_never_warns(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	assert_int_equal(model_next_deadline(m), 0);
	for (int s = 0; s <= 3600; s += 30)
		model_tick(m, T0 + S(s));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_false(model_take_reset(m));

	/* Nor after a visit that came back home with nothing changed. */
	model_activate(m, "home.films", T0 + S(4000));
	assert_int_equal(model_next_deadline(m), T0 + S(4090));
	model_back(m, T0 + S(4001));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_int_equal(model_next_deadline(m), 0);
	model_tick(m, T0 + S(9000));
	expect_screen(m, MODEL_SCREEN_HOME);
}

static void test_default_language_not_in_content(void **state)
{
	/* The configured default is not in the content: the kiosk speaks German,
	 * and that untouched home is still pristine (no warning every 90 s). */
	struct fixture *f = *state;
	model_free(f->m);
	f->settings.default_language = "tr";
	f->m = model_new(&f->settings, good_content(), T0);
	struct model *m = f->m;
	assert_string_equal(model_language(m), "de");
	assert_null(find(m, "lang.tr"));
	assert_int_equal(model_next_deadline(m), 0);
	model_tick(m, T0 + S(90));
	model_tick(m, T0 + S(200));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_false(model_take_reset(m));
}

static void test_out_of_service(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	model_activate(m, "home.guide", T0 + S(1));
	model_set_out_of_service(m, "/etc/kiosk.conf:4: kiosk.renderer: expected auto");
	expect_screen(m, MODEL_SCREEN_OUT_OF_SERVICE);
	check_tree_sanity(m);
	assert_string_equal(label(m, "oos.detail"),
			    "/etc/kiosk.conf:4: kiosk.renderer: expected auto");
	assert_non_null(find(m, "oos.title"));
	assert_null(find(m, "nav.back"));

	model_activate(m, "home.guide", T0 + S(2));
	model_activate(m, "nav.home", T0 + S(3));
	model_activate(m, "lang.en", T0 + S(4));
	model_activate(m, "a11y.text", T0 + S(5));
	model_back(m, T0 + S(6));
	expect_screen(m, MODEL_SCREEN_OUT_OF_SERVICE);
	assert_string_equal(model_language(m), "de");
	assert_int_equal(model_tree(m)->text_scale, 100);
	/* No idle warning, no reset: it stays for staff to read. */
	assert_int_equal(model_next_deadline(m), 0);
	model_tick(m, T0 + S(1000));
	expect_screen(m, MODEL_SCREEN_OUT_OF_SERVICE);
	assert_false(model_take_reset(m));
}

static void test_without_content(void **state)
{
	/* Nothing could be loaded: German built-in words, no topics, no crash. */
	struct fixture *f = *state;
	model_free(f->m);
	f->m = model_new(&f->settings, NULL, T0);
	struct model *m = f->m;
	assert_string_equal(label(m, "home.guide"), "Ratgeber");
	assert_non_null(find(m, "lang.de"));
	assert_null(find(m, "lang.en"));
	model_activate(m, "home.guide", T0 + S(1));
	expect_screen(m, MODEL_SCREEN_GUIDE);
	assert_non_null(find(m, "guide.empty"));
	model_activate(m, "guide.einfach", T0 + S(2));
	expect_screen(m, MODEL_SCREEN_GUIDE);

	/* New content arrives; it takes effect on the home screen. */
	model_offer_content(m, good_content());
	expect_screen(m, MODEL_SCREEN_GUIDE);
	assert_null(find(m, "guide.einfach"));
	model_activate(m, "nav.home", T0 + S(3));
	assert_non_null(find(m, "lang.en"));
	model_activate(m, "home.guide", T0 + S(4));
	assert_non_null(find(m, "guide.einfach"));
}

static void test_new_content_taken_at_reset(void **state)
{
	/* New content that arrived while a resident read a page is what the
	 * next resident gets after the idle reset lands on home. */
	struct fixture *f = *state;
	struct model *m = f->m;
	model_activate(m, "home.guide", T0 + S(1));
	model_activate(m, "guide.einfach", T0 + S(1));
	model_offer_content(m, load(KIOSK_SEED_DIR));
	expect_screen(m, MODEL_SCREEN_PAGE);
	assert_string_equal(label(m, "page.block0"), "Einfach erklärt"); /* not mid-read */
	model_tick(m, T0 + S(91));
	model_tick(m, T0 + S(121));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_true(model_take_reset(m));
	assert_string_equal(label(m, "home.welcome"), "Willkommen!");
	model_activate(m, "home.guide", T0 + S(200));
	assert_null(find(m, "guide.einfach"));
	assert_non_null(find(m, "guide.projekt"));
}

static void test_tap_on_warning_only_ends_it(void **state)
{
	/* A tap while the warning shows only ends the warning: it is not
	 * carried out on the screen below. */
	struct fixture *f = *state;
	struct model *m = f->m;
	model_activate(m, "home.guide", T0 + S(1));
	model_activate(m, "guide.einfach", T0 + S(1));
	model_tick(m, T0 + S(91));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	model_activate(m, "nav.home", T0 + S(95));
	expect_screen(m, MODEL_SCREEN_PAGE);
	model_tick(m, T0 + S(185));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	model_activate(m, "lang.en", T0 + S(186));
	expect_screen(m, MODEL_SCREEN_PAGE);
	assert_string_equal(model_language(m), "de");
}

/* ---- The survey, with the demo content's survey and a real database ---- */

struct survey_fixture {
	struct content *content; /* borrowed from the model, to look at */
	char **languages;
	char *dir;
	struct store *store;
	struct model_settings settings;
	struct model *m;
};

static int survey_setup(void **state)
{
	log_init();
	struct survey_fixture *f = xcalloc(1, sizeof *f);
	struct content_error err;
	if (content_load(KIOSK_SEED_DIR, &f->content, &err) != CONTENT_OK)
		fail_msg("%s", err.message);
	assert_non_null(f->content->survey);
	f->dir = test_mkdtemp("survey");
	char *db = path_join(f->dir, "kiosk.sqlite3");
	assert_int_equal(store_open(db, STORE_OPEN_RECOVER, &f->store), STORE_OK);
	free(db);
	assert_int_equal(store_survey_put(f->store, f->content->survey->id,
					  f->content->survey->version, f->content->survey_json),
			 STORE_OK);
	f->languages = strv_split_spaces("de en de-x-ls tr uk ar");
	f->settings = (struct model_settings){
		.languages = f->languages, .default_language = "de", .idle_timeout_s = 90,
		.idle_warning_s = 30, .text_scale = 100, .subtitles = true, .store = f->store,
		.kiosk_id = "kiosk-t",
	};
	f->m = model_new(&f->settings, f->content, T0);
	*state = f;
	return 0;
}

static int survey_teardown(void **state)
{
	struct survey_fixture *f = *state;
	model_free(f->m);
	store_close(f->store);
	strv_free(f->languages);
	path_remove_tree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int64_t pending(struct survey_fixture *f)
{
	int64_t p = -1, s = -1;
	assert_int_equal(store_feedback_counts(f->store, &p, &s), STORE_OK);
	return p;
}

static void test_survey_answers_and_submit(void **state)
{
	struct survey_fixture *f = *state;
	struct model *m = f->m;
	model_activate(m, "home.survey", T0 + S(1));
	expect_screen(m, MODEL_SCREEN_SURVEY);
	assert_string_equal(label(m, "survey.progress"), "Frage 1 von 6");
	assert_int_equal(need(m, "survey.helped.1")->role, MODEL_ROLE_OPTION);
	assert_null(find(m, "survey.back")); /* nothing before the first question */
	model_activate(m, "survey.helped.4", T0 + S(2));
	assert_true(need(m, "survey.helped.4")->selected);
	model_activate(m, "survey.helped.2", T0 + S(3)); /* single choice: replaces */
	assert_false(need(m, "survey.helped.4")->selected);
	assert_true(need(m, "survey.helped.2")->selected);
	/* A question on another screen cannot be answered from here. */
	model_activate(m, "survey.topic.projekt", T0 + S(4));
	model_activate(m, "survey.next", T0 + S(5));
	assert_string_equal(label(m, "survey.progress"), "Frage 2 von 6");
	assert_false(need(m, "survey.topic.projekt")->selected);
	/* Language switch mid-way keeps the answers. */
	model_activate(m, "lang.en", T0 + S(6));
	model_activate(m, "survey.back", T0 + S(7));
	assert_string_equal(label(m, "survey.helped.2"), "A little");
	assert_true(need(m, "survey.helped.2")->selected);
	for (int i = 0; i < 5; i++)
		model_activate(m, "survey.next", T0 + S(8 + i));
	assert_non_null(find(m, "survey.submit"));
	assert_null(find(m, "survey.next"));
	assert_non_null(find(m, "survey.note")); /* the no-personal-data warning */
	model_type_text(m, "Mehr davon!", T0 + S(14));
	model_activate(m, "kbd.backspace", T0 + S(15));
	assert_string_equal(label(m, "survey.comment.text"), "Mehr davon");
	assert_int_equal(pending(f), 0); /* nothing is stored before submit */
	char id[64];
	assert_false(model_take_submitted(m, id));
	model_activate(m, "survey.submit", T0 + S(16));
	expect_screen(m, MODEL_SCREEN_THANKS);
	assert_true(model_take_submitted(m, id));
	assert_int_equal(strlen(id), STORE_ID_LEN);
	assert_false(model_take_submitted(m, id)); /* reported once */
	assert_int_equal(pending(f), 1);
	/* The thanks screen closes by itself. */
	model_tick(m, T0 + S(16) + 7000);
	expect_screen(m, MODEL_SCREEN_THANKS);
	model_tick(m, T0 + S(16) + 8000);
	expect_screen(m, MODEL_SCREEN_HOME);
}

static void test_survey_abandoned_stores_nothing(void **state)
{
	struct survey_fixture *f = *state;
	struct model *m = f->m;
	model_activate(m, "home.survey", T0 + S(1));
	model_activate(m, "survey.helped.5", T0 + S(2));
	model_activate(m, "nav.home", T0 + S(3));
	expect_screen(m, MODEL_SCREEN_HOME);
	model_activate(m, "home.survey", T0 + S(4));
	assert_false(need(m, "survey.helped.5")->selected); /* a fresh start */
	model_activate(m, "survey.helped.1", T0 + S(5));
	model_back(m, T0 + S(6)); /* back on the first question leaves */
	expect_screen(m, MODEL_SCREEN_HOME);
	model_activate(m, "home.survey", T0 + S(7));
	model_activate(m, "survey.helped.3", T0 + S(8));
	model_tick(m, T0 + S(8 + 90));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	model_tick(m, T0 + S(8 + 120));
	expect_screen(m, MODEL_SCREEN_HOME);
	model_activate(m, "home.survey", T0 + S(130));
	assert_false(need(m, "survey.helped.3")->selected);
	assert_int_equal(pending(f), 0);
}

static void test_survey_all_skipped_stores_nothing(void **state)
{
	struct survey_fixture *f = *state;
	struct model *m = f->m;
	model_activate(m, "home.survey", T0 + S(1));
	for (int i = 0; i < 5; i++)
		model_activate(m, "survey.next", T0 + S(2 + i)); /* skipping is allowed */
	model_activate(m, "survey.submit", T0 + S(8));
	expect_screen(m, MODEL_SCREEN_THANKS);
	char id[64];
	assert_false(model_take_submitted(m, id));
	assert_int_equal(pending(f), 0);
}

static void test_survey_store_failure_keeps_answers(void **state)
{
	struct survey_fixture *f = *state;
	model_free(f->m);
	f->settings.store = NULL; /* the database could not be opened */
	f->m = model_new(&f->settings, f->content = load(KIOSK_SEED_DIR), T0);
	struct model *m = f->m;
	model_activate(m, "home.survey", T0 + S(1));
	model_activate(m, "survey.helped.4", T0 + S(2));
	for (int i = 0; i < 5; i++)
		model_activate(m, "survey.next", T0 + S(3 + i));
	model_activate(m, "survey.submit", T0 + S(9));
	expect_screen(m, MODEL_SCREEN_SURVEY); /* not thanks: nothing was stored */
	assert_non_null(find(m, "survey.error"));
	char id[64];
	assert_false(model_take_submitted(m, id));
	for (int i = 0; i < 5; i++)
		model_activate(m, "survey.back", T0 + S(10 + i));
	assert_true(need(m, "survey.helped.4")->selected); /* the answers are still there */
}

/* ---- Films, with the demo content (four films) ---- */

static int next_cmd(struct model *m, struct model_media_cmd *c)
{
	return model_take_media_cmd(m, c) ? (int)c->op : -1;
}

/* ---- The on-screen keyboard in every language (issue 9) ---- */

/* Opens the free-text question of the survey in this language. */
static void open_comment(struct model *m, const char *lang)
{
	char id[32];
	model_activate(m, "home.survey", T0 + S(1));
	snprintf(id, sizeof id, "lang.%s", lang);
	model_activate(m, id, T0 + S(2));
	assert_string_equal(model_language(m), lang);
	for (int i = 0; i < 5; i++)
		model_activate(m, "survey.next", T0 + S(3 + i));
	assert_non_null(find(m, "survey.comment.text"));
}

/* Taps keys, given as ids without "kbd." and separated by spaces. */
static void tap_keys(struct model *m, const char *keys)
{
	char *copy = xstrdup(keys), *save = NULL;
	for (char *k = strtok_r(copy, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
		char id[32];
		snprintf(id, sizeof id, "kbd.%s", k);
		assert_non_null(find(m, id)); /* on the keyboard on screen */
		model_activate(m, id, T0 + S(20));
	}
	free(copy);
}

static void test_keyboard_layouts(void **state)
{
	static const struct {
		const char *lang, *has, *lacks;
	} cases[] = {
		{"de", "q w z y u00e4 u00f6 u00fc u00df shift digits space backspace", "latin u0131"},
		{"de-x-ls", "z y u00e4 u00f6 u00fc u00df", "latin"},
		{"en", "q w y z ' shift digits", "latin u00e4 u00df"},
		{"tr", "q u00e7 u011f u0131 i u00f6 u015f u00fc shift", "latin u00e4"},
		{"uk", "u0439 u0446 u0443 u043a u0435 u043d u0456 u0457 u0454 u0491 u02bc shift latin digits",
		 "q a"},
		{"ar", "u0636 u0635 u062b u0642 u0634 u0630 u0626 u0621 u0623 u060c latin digits",
		 "shift q"},
	};
	struct survey_fixture *f = *state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		model_activate(f->m, "nav.home", T0 + S(1));
		open_comment(f->m, cases[i].lang);
		char *has = xstrdup(cases[i].has), *lacks = xstrdup(cases[i].lacks), *save;
		char id[32];
		for (char *k = strtok_r(has, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
			snprintf(id, sizeof id, "kbd.%s", k);
			if (!find(f->m, id))
				fail_msg("%s: no %s", cases[i].lang, id);
		}
		for (char *k = strtok_r(lacks, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
			snprintf(id, sizeof id, "kbd.%s", k);
			if (find(f->m, id))
				fail_msg("%s: %s should not be there", cases[i].lang, id);
		}
		free(has);
		free(lacks);
	}
}

/* Every key id is ASCII and names its key once. */
static void test_keyboard_ids_ascii(void **state)
{
	struct survey_fixture *f = *state;
	const char *langs[] = {"de", "en", "tr", "uk", "ar"};
	for (size_t l = 0; l < 5; l++) {
		model_activate(f->m, "nav.home", T0 + S(1));
		open_comment(f->m, langs[l]);
		for (int mode = 0; mode < 3; mode++) {
			if (mode == 1)
				model_activate(f->m, "kbd.digits", T0 + S(20));
			if (mode == 2 && !find(f->m, "kbd.latin"))
				break;
			if (mode == 2)
				model_activate(f->m, "kbd.latin", T0 + S(21));
			const struct model_tree *t = model_tree(f->m);
			for (size_t i = 0; i < t->n_nodes; i++) {
				if (strncmp(t->nodes[i].id, "kbd.", 4) != 0)
					continue;
				for (const char *p = t->nodes[i].id; *p; p++)
					assert_true(*p > 0x20 && *p < 0x7F);
				for (size_t j = i + 1; j < t->n_nodes; j++)
					assert_string_not_equal(t->nodes[i].id, t->nodes[j].id);
			}
		}
	}
}

struct found {
	const char *question, *value, *language;
	int answers, matches; /* to the question; with this value and language */
};

static int find_answer(const struct store_answer_row *row, void *user)
{
	struct found *f = user;
	if (strcmp(row->question_id, f->question) != 0)
		return 0;
	f->answers++;
	f->matches += strcmp(row->value, f->value) == 0 && strcmp(row->language, f->language) == 0;
	return 0;
}

/* A word typed by kbd.* taps in each language arrives byte for byte. */
static void test_keyboard_types_each_language(void **state)
{
	static const struct {
		const char *lang, *keys, *word;
	} cases[] = {
		{"de", "g r u00f6 u00df e space digits 7", "Größe 7"},
		{"de-x-ls", "u00fc b u n g", "Übung"},
		{"en", "d o n ' t", "Don't"},
		/* ı and i are two letters; with shift: I and İ. */
		{"tr", "u0131 u015f u0131 k space shift i y i space shift u0131", "Işık İyi I"},
		{"uk", "u0457 u0436 u0430 u043a space u043f u02bc u044f u0442 u044c space "
		       "u0491 u0454 u0456 latin o k latin u0439",
		 "Їжак пʼять ґєіokй"},
		{"ar", "u0634 u0643 u0631 u0627 space latin o k digits 3 digits latin u0644 u0627",
		 "شكرا ok3لا"},
	};
	struct survey_fixture *f = *state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		model_activate(f->m, "nav.home", T0 + S(1));
		open_comment(f->m, cases[i].lang);
		tap_keys(f->m, cases[i].keys);
		assert_string_equal(label(f->m, "survey.comment.text"), cases[i].word);
		model_activate(f->m, "survey.submit", T0 + S(30));
		expect_screen(f->m, MODEL_SCREEN_THANKS);
		/* strcmp: the stored bytes are the word's bytes. */
		struct found got = {"comment", cases[i].word, cases[i].lang, 0, 0};
		assert_int_equal(store_answers_each(f->store, find_answer, &got, NULL), STORE_OK);
		assert_int_equal(got.answers, (int)i + 1);
		assert_int_equal(got.matches, 1);
	}
}

/* The keyboard follows the language; what was typed stays. */
static void test_keyboard_language_switch_keeps_text(void **state)
{
	struct survey_fixture *f = *state;
	open_comment(f->m, "uk");
	tap_keys(f->m, "u0434 u0430");
	model_activate(f->m, "lang.ar", T0 + S(20));
	assert_null(find(f->m, "kbd.u0434"));
	tap_keys(f->m, "u0628");
	model_activate(f->m, "lang.tr", T0 + S(21));
	tap_keys(f->m, "shift i");
	assert_string_equal(label(f->m, "survey.comment.text"), "Даبİ");
	/* A key of another layout does nothing. */
	model_activate(f->m, "kbd.u0434", T0 + S(22));
	model_activate(f->m, "kbd.nonsense", T0 + S(22));
	assert_string_equal(label(f->m, "survey.comment.text"), "Даبİ");
}

static void test_film_play_and_controls(void **state)
{
	struct survey_fixture *f = *state;
	struct model *m = f->m;
	struct model_media_cmd c;
	assert_false(model_wants_media(m));
	model_activate(m, "home.films", T0 + S(1));
	expect_screen(m, MODEL_SCREEN_FILMS);
	assert_true(model_wants_media(m)); /* libvlc may start now, before the tap */
	assert_non_null(need(m, "films.projekt")->image);
	assert_string_equal(need(m, "films.projekt")->detail, "1:10 Min.");
	model_activate(m, "films.projekt", T0 + S(2));
	expect_screen(m, MODEL_SCREEN_PLAYER);
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_PLAY);
	assert_non_null(strstr(c.path, "projekt.mp4"));
	assert_non_null(strstr(c.subtitles, "projekt.de.srt")); /* on, in German */
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_VOLUME);
	assert_int_equal(next_cmd(m, &c), -1);
	assert_null(find(m, "lang.de")); /* no language bar over a film */
	assert_int_equal(need(m, "player.video")->role, MODEL_ROLE_VIDEO);
	model_film_status(m, MODEL_FILM_PLAYING, 1000, 70000, T0 + S(3));
	assert_non_null(find(m, "player.pause"));
	assert_int_equal(need(m, "player.video")->value, 1000);
	model_film_status(m, MODEL_FILM_PLAYING, 2500, 70000, T0 + S(4));
	assert_int_equal(need(m, "player.video")->value, 2500); /* patched in place */
	/* The controls fade while it plays, and come back with a touch. */
	model_tick(m, T0 + S(2) + 5000);
	assert_null(find(m, "player.pause"));
	model_activate(m, "player.video", T0 + S(8));
	assert_non_null(find(m, "player.pause"));
	/* Never idle while a film plays, whatever the clock says. */
	model_tick(m, T0 + S(500));
	expect_screen(m, MODEL_SCREEN_PLAYER);
	/* Rewind and forward, seek and volume become commands. */
	model_activate(m, "player.forward", T0 + S(501));
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_SEEK);
	assert_int_equal(c.ms, 12500);
	model_slide(m, "player.seek", 500, T0 + S(502));
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_SEEK);
	assert_int_equal(c.ms, 35000);
	model_slide(m, "player.volume", 300, T0 + S(503));
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_VOLUME);
	assert_int_equal(c.value, 30);
	model_activate(m, "player.subtitles", T0 + S(504));
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_SUBTITLES);
	assert_string_equal(c.subtitles, ""); /* off */
	assert_false(need(m, "player.subtitles")->selected);
	/* Paused: idle counts again. */
	model_activate(m, "player.pause", T0 + S(505));
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_PAUSE);
	model_film_status(m, MODEL_FILM_PAUSED, 35000, 70000, T0 + S(506));
	model_tick(m, T0 + S(506 + 90));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	model_tick(m, T0 + S(506 + 120));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_STOP); /* the reset stops the film */
}

static void test_film_end_offers_next(void **state)
{
	struct survey_fixture *f = *state;
	struct model *m = f->m;
	struct model_media_cmd c;
	model_activate(m, "home.films", T0 + S(1));
	model_activate(m, "films.plattformen", T0 + S(2));
	while (next_cmd(m, &c) >= 0)
		;
	model_film_status(m, MODEL_FILM_PLAYING, 58000, 59000, T0 + S(60));
	model_film_status(m, MODEL_FILM_ENDED, 59000, 59000, T0 + S(61));
	assert_non_null(strstr(label(m, "player.next"), "Prozesse sinnvoll digitalisieren"));
	model_tick(m, T0 + S(61) + 14000);
	expect_screen(m, MODEL_SCREEN_PLAYER);
	model_tick(m, T0 + S(61) + 15000); /* its task done: back to the list */
	expect_screen(m, MODEL_SCREEN_FILMS);
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_STOP);
	/* An end long before the end is a broken file, said as such. */
	model_activate(m, "films.prozesse", T0 + S(100));
	while (next_cmd(m, &c) >= 0)
		;
	model_film_status(m, MODEL_FILM_PLAYING, 400, 61000, T0 + S(101));
	model_film_status(m, MODEL_FILM_ENDED, 61000, 61000, T0 + S(102));
	assert_non_null(find(m, "player.error"));
	assert_null(find(m, "player.next"));
	model_back(m, T0 + S(103));
	expect_screen(m, MODEL_SCREEN_FILMS);
}

static void test_film_from_page_in_english(void **state)
{
	struct survey_fixture *f = *state;
	struct model *m = f->m;
	struct model_media_cmd c;
	model_activate(m, "lang.en", T0 + S(1));
	model_activate(m, "home.guide", T0 + S(2));
	model_activate(m, "guide.beteiligung", T0 + S(3));
	assert_null(find(m, "page.film")); /* a topic without a film */
	model_back(m, T0 + S(4));
	model_activate(m, "guide.prozesse", T0 + S(5));
	assert_string_equal(label(m, "page.film"), "Watch the film");
	model_activate(m, "page.film", T0 + S(6));
	expect_screen(m, MODEL_SCREEN_PLAYER);
	assert_int_equal(next_cmd(m, &c), MODEL_MEDIA_PLAY);
	assert_non_null(strstr(c.subtitles, "prozesse.en.srt"));
	model_activate(m, "player.back", T0 + S(7));
	expect_screen(m, MODEL_SCREEN_PAGE); /* back where it was opened */
}

/* ---- Speech and keypad ---- */

static char *take_said(struct model *m)
{
	char *text = NULL;
	const char *lang = NULL;
	if (!model_take_speech(m, &text, &lang))
		return NULL;
	assert_non_null(lang);
	return text;
}

static void test_speech_mode(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	assert_false(model_speech_mode(m));
	model_activate(m, "a11y.speak", T0 + S(1)); /* reads the screen, turns speech mode on */
	assert_true(model_speech_mode(m));
	assert_true(need(m, "a11y.speak")->selected);
	char *said = take_said(m);
	assert_non_null(said);
	assert_non_null(strstr(said, label(m, "home.welcome")));
	free(said);
	/* First tap speaks, second acts. */
	model_activate(m, "home.guide", T0 + S(2));
	expect_screen(m, MODEL_SCREEN_HOME);
	said = take_said(m);
	assert_non_null(strstr(said, label(m, "home.guide")));
	free(said);
	model_activate(m, "home.guide", T0 + S(3));
	expect_screen(m, MODEL_SCREEN_GUIDE);
	/* Text can be touched to be heard (it does nothing else). */
	model_activate(m, "title", T0 + S(4));
	said = take_said(m);
	assert_non_null(said);
	free(said);
	/* Off again: silence, and taps act at once. */
	model_activate(m, "a11y.speak", T0 + S(5));
	model_activate(m, "a11y.speak", T0 + S(6));
	assert_false(model_speech_mode(m));
	said = take_said(m);
	assert_string_equal(said, ""); /* stop speaking */
	free(said);
	model_activate(m, "nav.home", T0 + S(7));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_null(take_said(m));
}

static void test_keypad_focus(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	assert_null(model_focused(m));
	model_focus_move(m, +1, T0 + S(1));
	const char *first = model_focused(m);
	assert_non_null(first);
	assert_true(need(m, first)->focused);
	/* Walk forward to the guidance tile, then back one and forward again. */
	int steps = 0;
	while (strcmp(model_focused(m), "home.guide") != 0 && steps++ < 20)
		model_focus_move(m, +1, T0 + S(2));
	assert_string_equal(model_focused(m), "home.guide");
	model_focus_move(m, -1, T0 + S(3));
	assert_string_not_equal(model_focused(m), "home.guide");
	model_focus_move(m, +1, T0 + S(4));
	assert_string_equal(model_focused(m), "home.guide");
	/* Text is not focused on home (nothing to do with it there). */
	for (int i = 0; i < 30; i++) {
		model_focus_move(m, +1, T0 + S(5));
		assert_true(need(m, model_focused(m))->role != MODEL_ROLE_TEXT);
	}
	/* On a page the keypad walks the text, too. */
	model_activate(m, "home.guide", T0 + S(6));
	model_activate(m, "guide.einfach", T0 + S(7));
	bool text_reached = false;
	for (int i = 0; i < 15 && !text_reached; i++) {
		model_focus_move(m, +1, T0 + S(8));
		text_reached = need(m, model_focused(m))->role == MODEL_ROLE_TEXT;
	}
	assert_true(text_reached);
}


/* ---- Content installed while a resident reads (issue 8: one owner) ---- */

/* Writes a copy of the demo content with version + 1 and a new German
 * title for the first topic into dir; returns that version. */
static int64_t make_newer_seed(const char *dir, int64_t version)
{
	assert_int_equal(path_copy_tree(KIOSK_SEED_DIR, dir), 0);
	char *index = path_join(dir, "content.json");
	char *text = NULL;
	assert_int_equal(file_read_all(index, &text, NULL), 0);
	char *was = xasprintf("\"version\": %lld,", (long long)version);
	char *now = xasprintf("\"version\": %lld,", (long long)version + 1);
	char *bumped = str_replace_var(text, was, now);
	char *retitled = str_replace_var(bumped, "\"de\": \"Das Projekt und seine Fragen\"",
					 "\"de\": \"Neu: das Projekt\"");
	assert_string_not_equal(retitled, text);
	assert_int_equal(file_write_atomic(index, retitled, strlen(retitled), 0644), 0);
	free(retitled);
	free(bumped);
	free(now);
	free(was);
	free(text);
	free(index);
	return version + 1;
}

static const char *topic_title(struct model *m, const char *id)
{
	const struct model_node *n = find(m, id);
	assert_non_null(n);
	return n->label;
}

static void test_content_installed_while_reading(void **state)
{
	(void)state;
	log_init();
	char *tmp = test_mkdtemp("swap");
	char *data = path_join(tmp, "var");
	char *db = path_join(data, "kiosk.sqlite3");
	char *media = path_join(KIOSK_SOURCE_DIR, "media");
	struct store *store = NULL;
	assert_int_equal(store_open(db, STORE_OPEN_RECOVER, &store), STORE_OK);
	struct content_error err;
	char *dir = NULL;
	if (content_install_seed(store, data, KIOSK_SEED_DIR, media, &dir, &err) != CONTENT_OK)
		fail_msg("%s", err.message);
	struct content *first = load(dir);
	int64_t v1 = first->version;
	free(dir);

	char **langs = strv_split_spaces("de en");
	struct model_settings settings = {
		.languages = langs, .default_language = "de", .idle_timeout_s = 90,
		.idle_warning_s = 30, .text_scale = 100, .subtitles = true, .store = store,
		.kiosk_id = "kiosk-t", .data_dir = data,
	};
	struct model *m = model_new(&settings, first, T0);
	model_activate(m, "home.guide", T0 + S(1));
	assert_string_equal(topic_title(m, "guide.projekt"), "Das Projekt und seine Fragen");
	model_activate(m, "guide.projekt", T0 + S(2));
	expect_screen(m, MODEL_SCREEN_PAGE);
	char *reading = xstrdup(label(m, "page.block0"));

	/* Staff install newer content beside the running kiosk. */
	char *newer = path_join(tmp, "newer");
	int64_t v2 = make_newer_seed(newer, v1);
	if (content_install_dir(store, data, newer, media, &dir, &err) != CONTENT_OK)
		fail_msg("%s", err.message);
	free(dir);

	/* The resident reads on: the same page, the same content. */
	model_user_activity(m, T0 + S(10));
	model_back(m, T0 + S(11));
	expect_screen(m, MODEL_SCREEN_GUIDE);
	assert_string_equal(topic_title(m, "guide.projekt"), "Das Projekt und seine Fragen");
	model_activate(m, "guide.projekt", T0 + S(12));
	assert_string_equal(label(m, "page.block0"), reading);
	assert_int_equal(model_content_version(m), v1);

	/* Home: the new content, the old freed once (ASan would tell). */
	model_activate(m, "nav.home", T0 + S(13));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_int_equal(model_content_version(m), v2);
	model_activate(m, "home.guide", T0 + S(14));
	assert_string_equal(topic_title(m, "guide.projekt"), "Neu: das Projekt");
	/* Coming home again changes nothing more. */
	model_activate(m, "nav.home", T0 + S(15));
	assert_int_equal(model_content_version(m), v2);

	/* Offered directly (a bundle imported by the kiosk itself) while
	 * reading: a second offer before home replaces the first. */
	model_activate(m, "home.guide", T0 + S(16));
	model_activate(m, "guide.projekt", T0 + S(17));
	model_offer_content(m, load(KIOSK_SEED_DIR));
	model_offer_content(m, load(newer));
	assert_string_equal(label(m, "page.block0"), reading);
	model_tick(m, T0 + S(200)); /* idle: the reset lands home */
	model_tick(m, T0 + S(300));
	expect_screen(m, MODEL_SCREEN_HOME);
	assert_int_equal(model_content_version(m), v2);

	model_free(m);
	store_close(store);
	strv_free(langs);
	free(reading);
	free(newer);
	free(media);
	free(db);
	free(data);
	test_rmtree(tmp);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TS(fn) cmocka_unit_test_setup_teardown(fn, survey_setup, survey_teardown)
	const struct CMUnitTest tests[] = {
		T(test_home_tree),
		T(test_navigation),
		T(test_soon_screens),
		T(test_language_switch),
		T(test_text_size_and_contrast),
		T(test_idle_warning_and_more_time),
		T(test_idle_reset),
		T(test_idle_settings_restored),
		T(test_speech_mode),
		T(test_keypad_focus),
		TS(test_survey_answers_and_submit),
		TS(test_survey_abandoned_stores_nothing),
		TS(test_survey_all_skipped_stores_nothing),
		TS(test_survey_store_failure_keeps_answers),
		TS(test_keyboard_layouts),
		TS(test_keyboard_ids_ascii),
		TS(test_keyboard_types_each_language),
		TS(test_keyboard_language_switch_keeps_text),
		TS(test_film_play_and_controls),
		TS(test_film_end_offers_next),
		TS(test_film_from_page_in_english),
		T(test_pristine_home_never_warns),
		T(test_default_language_not_in_content),
		T(test_out_of_service),
		T(test_without_content),
		T(test_new_content_taken_at_reset),
		T(test_tap_on_warning_only_ends_it),
		cmocka_unit_test(test_content_installed_while_reading),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
