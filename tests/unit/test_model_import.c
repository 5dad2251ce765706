/* Unit tests for the model's import screen: when a bundle on a USB stick is
 * offered (only from the home screen), what the screen asks the import
 * worker to do, what it shows of a preview, an install's progress and its
 * end, and what staff read when something went wrong.  No bundle is read:
 * the worker's outcomes are made by hand, as ui/ would hand them over.
 * Links kiosk_model only (bundle, content, store and core from below). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/bundle.h"
#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/model.h"
#include "test_util.h"

#define T0 1000000u /* the virtual clock starts away from 0 */
#define S(n) ((uint64_t)(n) * 1000u)

#define STICK "/media/kiosk/STICK/inhalte-200.kiosk"
#define OTHER_STICK "/media/kiosk/OTHER/inhalte-300.kiosk"

struct fixture {
	char **languages;
	struct model_settings settings;
	struct content *words; /* the same content, for the texts expected */
	struct model *m;
};

static struct content *good_content(void)
{
	struct content *c = NULL;
	struct content_error err;
	if (content_load(KIOSK_FIXTURES "/content/good", &c, &err) != CONTENT_OK)
		fail_msg("%s", err.message);
	return c;
}

static int setup(void **state)
{
	log_init();
	struct fixture *f = xcalloc(1, sizeof *f);
	f->languages = strv_split_spaces("de en");
	f->settings = (struct model_settings){
		.languages = f->languages,
		.default_language = "de",
		.idle_timeout_s = 90,
		.idle_warning_s = 30,
		.text_scale = 100,
		.subtitles = true,
	};
	f->words = good_content();
	f->m = model_new(&f->settings, good_content(), T0);
	assert_non_null(f->m);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	model_free(f->m);
	content_free(f->words);
	strv_free(f->languages);
	free(f);
	return 0;
}

/* The German text of an interface string, as the screen shows it. */
static const char *words(void **state, const char *key)
{
	struct fixture *f = *state;
	return content_string(f->words, "de", key);
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

static void expect_no_cmd(struct model *m)
{
	struct model_import_cmd c;
	if (model_take_import_cmd(m, &c))
		fail_msg("an unexpected import command %d for %s", (int)c.op, c.path);
}

/* The next command is op (for path, when given), and no other follows. */
static void expect_cmd(struct model *m, enum model_import_op op, const char *path)
{
	struct model_import_cmd c;
	if (!model_take_import_cmd(m, &c))
		fail_msg("no import command, expected %d", (int)op);
	assert_int_equal(c.op, op);
	if (path)
		assert_string_equal(c.path, path);
	expect_no_cmd(m);
}

static void expect_button(struct model *m, const char *id)
{
	const struct model_node *n = need(m, id);
	assert_int_equal(n->role, MODEL_ROLE_BUTTON);
	assert_true(n->enabled);
}

static const struct bundle_change changes[] = {
	{BUNDLE_TOPIC, BUNDLE_CHANGED, "projekt", "Das Projekt und seine Fragen"},
	{BUNDLE_TOPIC, BUNDLE_ADDED, "neu", "Ganz neu"},
	{BUNDLE_TOPIC, BUNDLE_REMOVED, "alt", "Ganz alt"},
	{BUNDLE_FILM, BUNDLE_CHANGED, "prozesse", "Prozesse"},
	{BUNDLE_SURVEY, BUNDLE_CHANGED, "kiosk-feedback", "kiosk-feedback"},
	{BUNDLE_LANGUAGE, BUNDLE_ADDED, "ar", "ar"},
};

/* A preview as the worker hands it over: version 200 over 100. */
static struct bundle_outcome *preview_outcome(void)
{
	struct bundle_outcome *o = xcalloc(1, sizeof *o);
	o->op = BUNDLE_OP_PREVIEW;
	o->err = BUNDLE_OK;
	o->preview.info.version = 200;
	snprintf(o->preview.info.signer, sizeof o->preview.info.signer, "rathaus");
	o->preview.version_in_use = 100;
	o->preview.changes = (struct bundle_change *)changes;
	o->preview.n_changes = sizeof changes / sizeof changes[0];
	snprintf(o->preview.languages, sizeof o->preview.languages, "de en ar");
	return o;
}

static struct bundle_outcome *failed_outcome(enum bundle_op op, enum bundle_err err,
					     bool stick_gone)
{
	struct bundle_outcome *o = xcalloc(1, sizeof *o);
	o->op = op;
	o->err = err;
	o->stick_gone = stick_gone;
	snprintf(o->error.message, sizeof o->error.message, "the technical line %d", (int)err);
	return o;
}

/* Home, a stick comes: the screen checks it. */
static void stick_at_home(struct model *m, const char *path, uint64_t t)
{
	expect_screen(m, MODEL_SCREEN_HOME);
	model_stick_bundle(m, path, t);
	expect_screen(m, MODEL_SCREEN_IMPORT);
	expect_cmd(m, MODEL_IMPORT_PREVIEW, path);
}

/* … and its preview came: ready to install. */
static void ready(struct model *m, uint64_t t)
{
	stick_at_home(m, STICK, t);
	struct bundle_outcome *o = preview_outcome();
	model_import_outcome(m, o, t);
	free(o);
	expect_screen(m, MODEL_SCREEN_IMPORT);
	expect_button(m, "import.install");
}

/* … and installing it. */
static void installing(struct model *m, uint64_t t)
{
	ready(m, t);
	model_activate(m, "import.install", t);
	expect_cmd(m, MODEL_IMPORT_INSTALL, STICK);
	expect_screen(m, MODEL_SCREEN_IMPORT);
	need(m, "import.progress");
}

static void test_stick_waits_for_home(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0;
	model_activate(m, "home.guide", t += 1000);
	model_activate(m, "guide.einfach", t += 1000);
	expect_screen(m, MODEL_SCREEN_PAGE);

	/* A resident reads: the stick waits, nothing is checked yet. */
	model_stick_bundle(m, STICK, t += 1000);
	expect_screen(m, MODEL_SCREEN_PAGE);
	expect_no_cmd(m);
	model_back(m, t += 1000);
	expect_screen(m, MODEL_SCREEN_GUIDE);
	expect_no_cmd(m);

	/* Home: the import screen, and a preview of the bundle on the stick. */
	model_activate(m, "nav.home", t += 1000);
	expect_screen(m, MODEL_SCREEN_IMPORT);
	expect_cmd(m, MODEL_IMPORT_PREVIEW, STICK);
	need(m, "import.checking.text");
	expect_button(m, "import.cancel");
	assert_null(find(m, "import.install"));
	/* The same stick seen again asks for nothing more. */
	model_stick_bundle(m, STICK, t += 1000);
	expect_no_cmd(m);
	/* Checking takes as long as it takes: no warning meanwhile. */
	model_tick(m, t + S(600));
	expect_screen(m, MODEL_SCREEN_IMPORT);
}

/* A resident left the kiosk on a page: the idle reset brings it home, and
 * the stick that waited is checked then. */
static void test_stick_opens_after_idle_reset(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0;
	model_activate(m, "home.guide", t += 1000);
	model_stick_bundle(m, STICK, t);
	model_tick(m, t + S(90));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	expect_no_cmd(m);
	model_tick(m, t + S(120));
	expect_screen(m, MODEL_SCREEN_IMPORT);
	expect_cmd(m, MODEL_IMPORT_PREVIEW, STICK);
}

static void test_preview_install_done(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	ready(m, t);

	/* What would change: each line says how, and what. */
	assert_non_null(strstr(label(m, "import.summary"), "200"));
	assert_non_null(strstr(label(m, "import.summary"), "100"));
	assert_non_null(strstr(label(m, "import.summary"), "rathaus"));
	char *want = xasprintf("%s: Das Projekt und seine Fragen", words(state, "import.changed"));
	assert_string_equal(label(m, "import.topic.projekt"), want);
	free(want);
	want = xasprintf("%s: Ganz neu", words(state, "import.added"));
	assert_string_equal(label(m, "import.topic.neu"), want);
	free(want);
	want = xasprintf("%s: Ganz alt", words(state, "import.removed"));
	assert_string_equal(label(m, "import.topic.alt"), want);
	free(want);
	need(m, "import.film.prozesse");
	need(m, "import.survey.kiosk-feedback");
	need(m, "import.language.ar");
	assert_non_null(strstr(label(m, "import.languages.all"), "de en ar"));
	expect_button(m, "import.cancel");
	expect_button(m, "import.install");
	assert_null(find(m, "import.same"));
	expect_no_cmd(m);

	/* Install: the worker is asked, the bar starts at checking. */
	model_activate(m, "import.install", t += 1000);
	expect_cmd(m, MODEL_IMPORT_INSTALL, STICK);
	const struct model_node *n = need(m, "import.progress");
	assert_int_equal(n->role, MODEL_ROLE_PROGRESS);
	assert_int_equal(n->value, 0);
	assert_int_equal(n->value_max, 1000);
	assert_string_equal(n->label, words(state, "import.checking"));
	need(m, "import.keep");
	assert_null(find(m, "import.install"));

	/* Copying: the bar moves, the label names the phase and how far. */
	model_import_progress(m, BUNDLE_PHASE_COPYING, 400, 1000);
	n = need(m, "import.progress");
	assert_int_equal(n->value, 400);
	char *copying = str_format_n(words(state, "import.copying"), 40);
	assert_string_equal(n->label, copying);
	free(copying);
	expect_button(m, "import.cancel");
	model_import_progress(m, BUNDLE_PHASE_COPYING, 900, 1000);
	assert_int_equal(need(m, "import.progress")->value, 900);

	/* Nobody is warned or reset while it installs, however long. */
	model_tick(m, t + S(90));
	expect_screen(m, MODEL_SCREEN_IMPORT);
	model_tick(m, t + S(3600));
	expect_screen(m, MODEL_SCREEN_IMPORT);
	assert_int_equal(model_next_deadline(m), 0);
	assert_int_equal(need(m, "import.progress")->value, 900);
	expect_no_cmd(m);

	/* Switching: full bar, and no cancel any more (it runs to its end). */
	model_import_progress(m, BUNDLE_PHASE_SWITCHING, 1000, 1000);
	n = need(m, "import.progress");
	assert_int_equal(n->value, 1000);
	assert_string_equal(n->label, words(state, "import.switching"));
	assert_null(find(m, "import.cancel"));
	model_activate(m, "import.cancel", t += 1000);
	expect_no_cmd(m);

	/* Done: the stick may go. */
	struct bundle_outcome o = {.op = BUNDLE_OP_IMPORT, .err = BUNDLE_OK};
	o.info.version = 200;
	model_import_outcome(m, &o, t + S(3601));
	expect_screen(m, MODEL_SCREEN_IMPORT);
	assert_non_null(strstr(label(m, "import.done.text"), "200"));
	expect_button(m, "import.done");
	assert_null(find(m, "import.progress"));
	/* The stick goes: home. */
	model_stick_bundle(m, NULL, t + S(3602));
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);
}

static void test_done_button_goes_home(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	installing(m, t);
	struct bundle_outcome o = {.op = BUNDLE_OP_IMPORT, .err = BUNDLE_OK};
	o.info.version = 200;
	model_import_outcome(m, &o, t += 1000);
	model_activate(m, "import.done", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	/* The stick still in: not offered again. */
	model_stick_bundle(m, STICK, t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);
}

/* What staff read when it fails: what happened, that nothing changed. */
static void expect_failed(void **state, struct model *m, const char *key, const char *heading)
{
	expect_screen(m, MODEL_SCREEN_IMPORT);
	assert_string_equal(label(m, "import.what"), words(state, key));
	assert_string_equal(label(m, "import.nothing"), words(state, "import.nothing"));
	assert_string_equal(label(m, "import.heading"), words(state, heading));
	expect_button(m, "import.done");
	assert_null(find(m, "import.install"));
	assert_null(find(m, "import.progress"));
}

static void test_failures_for_staff(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	struct {
		enum bundle_op op;
		enum bundle_err err;
		bool stick_gone;
		const char *key;
	} cases[] = {
		{BUNDLE_OP_PREVIEW, BUNDLE_ERR_SIGNER, false, "import.err.signer"},
		{BUNDLE_OP_PREVIEW, BUNDLE_ERR_SIGNATURE, false, "import.err.changed"},
		{BUNDLE_OP_PREVIEW, BUNDLE_ERR_MEMBER, false, "import.err.changed"},
		{BUNDLE_OP_PREVIEW, BUNDLE_ERR_FORMAT, false, "import.err.format"},
		{BUNDLE_OP_PREVIEW, BUNDLE_ERR_IO, true, "import.err.stick"},
		{BUNDLE_OP_IMPORT, BUNDLE_ERR_MEMBER, false, "import.err.changed"},
		{BUNDLE_OP_IMPORT, BUNDLE_ERR_IO, false, "import.err.io"},
		{BUNDLE_OP_IMPORT, BUNDLE_ERR_MEMBER, true, "import.err.stick"},
	};
	uint64_t t = T0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t += S(10);
		if (cases[i].op == BUNDLE_OP_PREVIEW)
			stick_at_home(m, STICK, t);
		else
			installing(m, t);
		struct bundle_outcome *o = failed_outcome(cases[i].op, cases[i].err,
							  cases[i].stick_gone);
		model_import_outcome(m, o, t);
		free(o);
		expect_failed(state, m, cases[i].key, "import.failed");
		/* The technical line, for whoever staff call. */
		assert_non_null(strstr(label(m, "import.detail"), "the technical line"));
		model_activate(m, "import.done", t + 1000);
		expect_screen(m, MODEL_SCREEN_HOME);
		expect_no_cmd(m);
		model_stick_bundle(m, NULL, t + 2000); /* the stick goes */
		expect_screen(m, MODEL_SCREEN_HOME);
	}
}

static void test_stick_pulled_while_installing(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	installing(m, t);
	model_import_progress(m, BUNDLE_PHASE_COPYING, 300, 1000);
	model_stick_bundle(m, NULL, t += 1000);
	expect_cmd(m, MODEL_IMPORT_CANCEL, NULL);
	/* The screen waits for the worker to say what is left. */
	expect_screen(m, MODEL_SCREEN_IMPORT);
	need(m, "import.progress");
	/* The worker stopped (its file still there when it looked). */
	struct bundle_outcome *o = failed_outcome(BUNDLE_OP_IMPORT, BUNDLE_ERR_CANCELLED, false);
	model_import_outcome(m, o, t += 1000);
	free(o);
	expect_failed(state, m, "import.err.stick", "import.failed");
	model_activate(m, "import.done", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	/* Back in: offered again. */
	stick_at_home(m, STICK, t += 1000);
}

/* A pulled stick often fails the job's reads before the watch notices it
 * went: the message for staff stays until they have read it, and the
 * stick put back is checked again. */
static void test_failure_stays_when_stick_goes(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	installing(m, t);
	struct bundle_outcome *o = failed_outcome(BUNDLE_OP_IMPORT, BUNDLE_ERR_MEMBER, true);
	model_import_outcome(m, o, t += 1000);
	free(o);
	expect_failed(state, m, "import.err.stick", "import.failed");
	model_stick_bundle(m, NULL, t += 300);
	expect_failed(state, m, "import.err.stick", "import.failed");
	expect_no_cmd(m);
	model_activate(m, "import.done", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	stick_at_home(m, STICK, t += 1000);

	/* A bundle refused for its signer: staff pull the stick to fix it. */
	o = failed_outcome(BUNDLE_OP_PREVIEW, BUNDLE_ERR_SIGNER, false);
	model_import_outcome(m, o, t += 1000);
	free(o);
	model_stick_bundle(m, NULL, t += 1000);
	expect_failed(state, m, "import.err.signer", "import.failed");
	/* Put back (or another one) before tapping: checked anew. */
	model_stick_bundle(m, STICK, t += 1000);
	expect_screen(m, MODEL_SCREEN_IMPORT);
	expect_cmd(m, MODEL_IMPORT_PREVIEW, STICK);
	need(m, "import.checking.text");
}

static void test_cancel_while_installing(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	installing(m, t);
	model_import_progress(m, BUNDLE_PHASE_COPYING, 300, 1000);
	model_activate(m, "import.cancel", t += 1000);
	expect_cmd(m, MODEL_IMPORT_CANCEL, NULL);
	expect_screen(m, MODEL_SCREEN_IMPORT); /* until the worker has stopped */
	struct bundle_outcome *o = failed_outcome(BUNDLE_OP_IMPORT, BUNDLE_ERR_CANCELLED, false);
	model_import_outcome(m, o, t += 1000);
	free(o);
	expect_failed(state, m, "import.err.cancelled", "import.stopped");
	model_activate(m, "import.done", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
}

/* A job cancelled before it began has no outcome (NULL): an install that
 * never ran failed, and says so. */
static void test_install_never_ran(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	installing(m, t);
	model_import_outcome(m, NULL, t += 1000);
	expect_failed(state, m, "import.err.cancelled", "import.stopped");
}

static void test_cancel_on_ready(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	ready(m, t);
	model_activate(m, "import.cancel", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m); /* nothing runs that needs stopping */

	/* The same stick is not offered again while it stays in … */
	model_stick_bundle(m, STICK, t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);
	model_activate(m, "home.guide", t += 1000);
	model_activate(m, "nav.home", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);
	/* … nor after an idle reset. */
	model_activate(m, "home.guide", t += 1000);
	model_tick(m, t + S(90));
	model_tick(m, t + S(120));
	t += S(120);
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);

	/* Gone and back: offered again. */
	model_stick_bundle(m, NULL, t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);
	stick_at_home(m, STICK, t += 1000);
}

/* Nobody at the screen: the idle reset dismisses the offer like a cancel. */
static void test_idle_reset_dismisses_ready(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	ready(m, t);
	model_tick(m, t + S(89));
	expect_screen(m, MODEL_SCREEN_IMPORT);
	model_tick(m, t + S(90));
	expect_screen(m, MODEL_SCREEN_IDLE_WARNING);
	model_tick(m, t + S(120));
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);
	assert_true(model_take_reset(m));
	/* The install was never started, and the offer does not come back. */
	model_activate(m, "home.guide", t + S(121));
	model_activate(m, "nav.home", t + S(122));
	expect_screen(m, MODEL_SCREEN_HOME);
	expect_no_cmd(m);
	model_activate(m, "import.install", t + S(123));
	expect_no_cmd(m);
	/* Another stick is offered. */
	model_stick_bundle(m, OTHER_STICK, t + S(124));
	expect_screen(m, MODEL_SCREEN_IMPORT);
	expect_cmd(m, MODEL_IMPORT_PREVIEW, OTHER_STICK);
}

/* A sound bundle this kiosk may not take: shown with why, no install. */
static void test_refused_preview(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	stick_at_home(m, STICK, t);
	struct bundle_outcome *o = preview_outcome();
	o->preview.refused = true;
	snprintf(o->preview.refusal.message, sizeof o->preview.refusal.message,
		 "version 200 is not newer than the version in use (300)");
	model_import_outcome(m, o, t);
	free(o);
	expect_screen(m, MODEL_SCREEN_IMPORT);
	assert_string_equal(label(m, "import.heading"), words(state, "import.refused"));
	assert_string_equal(label(m, "import.what"), words(state, "import.err.refused"));
	assert_non_null(strstr(label(m, "import.detail"), "not newer"));
	assert_null(find(m, "import.install"));
	model_activate(m, "import.install", t += 1000);
	expect_no_cmd(m);
	model_activate(m, "import.done", t += 1000);
	expect_screen(m, MODEL_SCREEN_HOME);
}

/* Another stick while the first is checked: its preview is stopped, the
 * new one checked; the stick pulled while checking: home. */
static void test_stick_changes_while_checking(void **state)
{
	struct fixture *f = *state;
	struct model *m = f->m;
	uint64_t t = T0 + 1000;
	stick_at_home(m, STICK, t);
	model_stick_bundle(m, OTHER_STICK, t += 1000);
	struct model_import_cmd c;
	assert_true(model_take_import_cmd(m, &c));
	assert_int_equal(c.op, MODEL_IMPORT_CANCEL);
	expect_cmd(m, MODEL_IMPORT_PREVIEW, OTHER_STICK);
	expect_screen(m, MODEL_SCREEN_IMPORT);

	model_stick_bundle(m, NULL, t += 1000);
	expect_cmd(m, MODEL_IMPORT_CANCEL, NULL);
	expect_screen(m, MODEL_SCREEN_HOME);
	/* A preview that finished anyway changes nothing now. */
	struct bundle_outcome *o = preview_outcome();
	model_import_outcome(m, o, t += 1000);
	free(o);
	expect_screen(m, MODEL_SCREEN_HOME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stick_waits_for_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stick_opens_after_idle_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preview_install_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_button_goes_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_for_staff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stick_pulled_while_installing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_stays_when_stick_goes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_while_installing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_never_ran, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_on_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_reset_dismisses_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_preview, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stick_changes_while_checking, setup, teardown),
	};
	return cmocka_run_group_tests_name("model_import", tests, NULL, NULL);
}
