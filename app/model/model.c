/* model: screens, navigation and the idle timer of one resident's session. */
#include "kiosk/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"
#include "model_int.h"

#define LOG_MODULE "model"

/* The thanks screen goes home by itself after this long. */
#define THANKS_MS 8000



const char *model_str(const struct model *m, const char *key)
{
	return content_string(m->content, m->lang, key);
}

void model_changed(struct model *m) { m->dirty = true; }

static bool offered(const struct model *m, const char *lang)
{
	if (!strv_contains(m->settings.languages, lang))
		return false;
	return m->content ? content_has_language(m->content, lang) : strcmp(lang, "de") == 0;
}

static void stop_speaking(struct model *m);

static void set_language(struct model *m, const char *lang)
{
	if (strcmp(m->lang, lang) != 0)
		stop_speaking(m); /* the old language's words end with it */
	snprintf(m->lang, sizeof m->lang, "%s", lang);
	if (m->screen == MODEL_SCREEN_PAGE && m->topic[0]) {
		/* Reload the page in the new language, so text and UI agree. */
		const struct content_topic *t = content_topic_find(m->content, m->topic);
		struct content_error err;
		page_free(m->page);
		m->page = NULL;
		if (t && content_page_load(m->content, t, m->lang, &m->page, &err) != CONTENT_OK)
			LOG_ERR("%s", err.message);
	}
	model_changed(m);
}

/* The language a new session starts in: the default, where it is offered. */
static const char *session_language(const struct model *m)
{
	return offered(m, m->settings.default_language) ? m->settings.default_language : "de";
}

/* Keeps the survey of a content set, so that its responses always export
 * with their own version's questions. */
static void keep_survey(struct model *m)
{
	const struct content *c = m->content;
	if (c && c->survey && m->settings.store &&
	    store_survey_put(m->settings.store, c->survey->id, c->survey->version,
			     c->survey_json) != STORE_OK)
		LOG_ERR("the survey cannot be kept in the database; responses cannot be stored");
}

/* Looks for a version installed (or rolled back to) beside the running
 * kiosk: a bundle from a stick, kioskctl. */
static void look_for_installed(struct model *m)
{
	if (!m->settings.store || !m->settings.data_dir)
		return;
	int64_t shown = m->pending ? m->pending->version : model_content_version(m), in_use = 0;
	if (m->failed_version && store_content_version(m->settings.store, &in_use) == STORE_OK &&
	    in_use == m->failed_version)
		return; /* said once already */
	struct content *fresh = NULL;
	struct content_error err;
	if (content_load_other(m->settings.store, m->settings.data_dir, shown, &fresh, &err) !=
	    CONTENT_OK) {
		int64_t v = 0;
		store_content_version(m->settings.store, &v);
		m->failed_version = v; /* said once, not at every return home */
		LOG_ERR("newly installed content cannot be shown: %s", err.message);
		return;
	}
	if (fresh) {
		LOG_INFO("content version %lld was installed meanwhile", (long long)fresh->version);
		content_free(m->pending);
		m->pending = fresh;
	}
}

/* On the home screen, a waiting content set takes over; the old one is
 * freed here and nowhere else. */
static void take_pending_content(struct model *m)
{
	look_for_installed(m);
	if (!m->pending)
		return;
	content_free(m->content);
	m->content = m->pending;
	m->pending = NULL;
	keep_survey(m);
	LOG_INFO("now showing content version %lld", (long long)m->content->version);
}

/* Back to the state a new resident expects: nothing of the last one left. */
static void session_reset(struct model *m)
{
	import_reset(m);
	/* What was read from the old content goes before the content may go. */
	player_close(m);
	page_free(m->page);
	m->page = NULL;
	session_free(m->survey);
	m->survey = NULL;
	take_pending_content(m); /* the reset lands on home: new content takes effect */
	m->screen = MODEL_SCREEN_HOME;
	m->depth = 0;
	m->topic[0] = '\0';
	player_defaults(&m->player, m->settings.subtitles); /* subtitles, volume as configured */
	m->speech_mode = m->settings.speech;
	m->armed[0] = m->focus[0] = '\0';
	stop_speaking(m);
	m->text_scale = m->settings.text_scale;
	m->high_contrast = m->settings.high_contrast;
	m->warning_since = 0;
	snprintf(m->lang, sizeof m->lang, "%s", session_language(m));
	m->reset_happened = true;
	model_changed(m);
	import_at_home(m);
}

void model_arrive_home(struct model *m)
{
	player_close(m);
	m->screen = MODEL_SCREEN_HOME;
	m->depth = 0;
	m->topic[0] = '\0';
	page_free(m->page);
	m->page = NULL;
	session_free(m->survey);
	m->survey = NULL;
	take_pending_content(m);
	if (!offered(m, m->lang))
		snprintf(m->lang, sizeof m->lang, "%s", session_language(m));
	model_changed(m);
	import_at_home(m);
}

void model_go(struct model *m, enum model_screen to)
{
	if (m->depth < HISTORY_MAX)
		m->history[m->depth++] = m->screen;
	m->screen = to;
	model_changed(m);
}

struct model *model_new(const struct model_settings *settings, struct content *content,
			uint64_t now_ms)
{
	struct model *m = xcalloc(1, sizeof *m);
	m->settings = *settings;
	m->content = content;
	keep_survey(m);
	m->last_activity = now_ms;
	m->now = now_ms;
	player_reset(&m->player, m->settings.subtitles);
	session_reset(m);
	m->reset_happened = false;
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	page_free(m->page);
	session_free(m->survey);
	free(m->say);
	tree_release(&m->tree);
	free(m->oos_message);
	import_free(m);
	admin_free(m);
	content_free(m->pending);
	content_free(m->content);
	free(m);
}

void model_offer_content(struct model *m, struct content *content)
{
	if (!content)
		return;
	content_free(m->pending);
	m->pending = content;
	if (m->screen == MODEL_SCREEN_HOME)
		model_arrive_home(m);
}

int64_t model_content_version(const struct model *m)
{
	return m->content ? m->content->version : 0;
}

bool model_can_store(const struct model *m)
{
	return m->settings.store && m->settings.data_dir;
}

void model_set_out_of_service(struct model *m, const char *message)
{
	free(m->oos_message);
	m->oos_message = xstrdup(message);
	m->screen = MODEL_SCREEN_OUT_OF_SERVICE;
	model_changed(m);
}

static void open_topic(struct model *m, const char *id)
{
	const struct content_topic *t = content_topic_find(m->content, id);
	if (!t)
		return;
	snprintf(m->topic, sizeof m->topic, "%s", id);
	page_free(m->page);
	m->page = NULL;
	struct content_error err;
	if (content_page_load(m->content, t, m->lang, &m->page, &err) != CONTENT_OK)
		LOG_ERR("%s", err.message); /* the page screen says it cannot show it */
	model_go(m, MODEL_SCREEN_PAGE);
}

static void say(struct model *m, char *text)
{
	free(m->say);
	m->say = text; /* a newer request replaces one not yet spoken */
	if (!*text)
		m->speaking_until = 0; /* "stop": nothing reads on */
}

/* Stops what is being read aloud at once (a reset, a new language): the
 * next person never hears the previous one's page. */
static void stop_speaking(struct model *m)
{
	say(m, xstrdup(""));
}

/* The moment the resident was last there: a touch, or the end of what the
 * kiosk reads to them. */
static uint64_t active_until(const struct model *m)
{
	return m->last_activity > m->speaking_until ? m->last_activity : m->speaking_until;
}

static const struct model_node *node_by_id(struct model *m, const char *id)
{
	const struct model_tree *t = model_tree(m);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].id, id) == 0)
			return &t->nodes[i];
	return NULL;
}

/* What a widget says when spoken: its words and its state, never a PIN digit. */
static char *spoken(const struct model *m, const struct model_node *n)
{
	if (strncmp(n->id, "pin.", 4) == 0 && n->id[4] >= '0' && n->id[4] <= '9')
		return xstrdup(model_str(m, "speech.digit"));
	return xasprintf("%s%s%s%s", n->label, n->detail ? ". " : "", n->detail ? n->detail : "",
			 n->selected ? model_str(m, "speech.selected") : "");
}

/* The whole screen, in reading order: its title and everything to read. */
static char *screen_words(struct model *m)
{
	const struct model_tree *t = model_tree(m);
	size_t len = 1;
	for (size_t i = 0; i < t->n_nodes; i++)
		len += strlen(t->nodes[i].label) + 3;
	char *out = xmalloc(len), *w = out;
	*w = '\0';
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct model_node *n = &t->nodes[i];
		bool words = n->slot == MODEL_SLOT_TITLE || n->slot == MODEL_SLOT_DIALOG ||
			     (n->slot == MODEL_SLOT_BODY && n->role != MODEL_ROLE_VIDEO);
		if (!words || !*n->label)
			continue;
		w += sprintf(w, "%s%s", w == out ? "" : ". ", n->label);
	}
	return out;
}

/* Speech mode: the first tap on a widget speaks it, the second acts.
 * Returns true when this tap only spoke. */
static bool speak_first(struct model *m, const char *id)
{
	if (!m->speech_mode || strcmp(id, m->armed) == 0) {
		m->armed[0] = '\0';
		return false;
	}
	const struct model_node *n = node_by_id(m, id);
	if (!n)
		return false;
	snprintf(m->armed, sizeof m->armed, "%s", id);
	say(m, spoken(m, n));
	return true;
}

bool model_take_speech(struct model *m, char **text, const char **lang)
{
	if (!m->say)
		return false;
	*text = m->say;
	*lang = m->lang;
	m->say = NULL;
	return true;
}

bool model_speech_mode(const struct model *m) { return m->speech_mode; }

const char *model_focused(const struct model *m) { return m->focus[0] ? m->focus : NULL; }

static bool focusable(const struct model *m, const struct model_node *n)
{
	if (n->role == MODEL_ROLE_BUTTON || n->role == MODEL_ROLE_OPTION ||
	    n->role == MODEL_ROLE_SLIDER || n->role == MODEL_ROLE_INPUT)
		return n->enabled;
	/* On a page (and for speech) the keypad also walks the text. */
	return n->slot == MODEL_SLOT_BODY && n->role != MODEL_ROLE_VIDEO &&
	       (m->screen == MODEL_SCREEN_PAGE || m->speech_mode);
}

void model_focus_move(struct model *m, int direction, uint64_t now_ms)
{
	model_user_activity(m, now_ms);
	const struct model_tree *t = model_tree(m);
	if (!t->n_nodes)
		return;
	/* The focus walks the nodes in the tree's order: the top bar, the body,
	 * then the bars at the bottom; it wraps round at either end. */
	long at = -1;
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].id, m->focus) == 0)
			at = (long)i;
	long n = (long)t->n_nodes;
	for (long step = 1; step <= n; step++) {
		long i = ((at < 0 && direction < 0 ? n : at) + direction * step + n * 2) % n;
		if (!focusable(m, &t->nodes[i]))
			continue;
		snprintf(m->focus, sizeof m->focus, "%s", t->nodes[i].id);
		if (m->speech_mode) {
			snprintf(m->armed, sizeof m->armed, "%s", t->nodes[i].id);
			say(m, spoken(m, &t->nodes[i]));
		}
		model_changed(m);
		return;
	}
}

static bool activate_common(struct model *m, const char *id)
{
	if (strcmp(id, "a11y.speak") == 0) {
		/* Reads the screen aloud and turns speech mode on; off again stops. */
		m->speech_mode = !m->speech_mode;
		say(m, m->speech_mode ? screen_words(m) : xstrdup(""));
		model_changed(m);
	} else if (strcmp(id, "nav.home") == 0) {
		model_arrive_home(m);
	} else if (strcmp(id, "nav.back") == 0) {
		model_back(m, m->last_activity);
	} else if (strncmp(id, "lang.", 5) == 0 && offered(m, id + 5)) {
		set_language(m, id + 5);
	} else if (strcmp(id, "a11y.text") == 0) {
		m->text_scale = m->text_scale >= 200 ? 100 : m->text_scale + 50;
		model_changed(m);
	} else if (strcmp(id, "a11y.contrast") == 0) {
		m->high_contrast = !m->high_contrast;
		model_changed(m);
	} else {
		return false;
	}
	return true;
}

static void start_survey(struct model *m)
{
	session_free(m->survey);
	m->survey = m->content && m->content->survey ? session_new(m->content->survey) : NULL;
	model_go(m, MODEL_SCREEN_SURVEY); /* without a survey: "coming soon" */
}

/* The survey is over: its answers are gone from memory; back from thanks
 * leads home, not into the survey. */
static void show_thanks(struct model *m)
{
	session_free(m->survey);
	m->survey = NULL;
	m->screen = MODEL_SCREEN_THANKS;
	m->thanks_until = m->now + THANKS_MS;
	model_changed(m);
}

/* Stores the answers in one transaction; only a commit ends the survey. */
static void submit(struct model *m)
{
	const struct survey *def = m->content->survey;
	size_t n = 0;
	const struct store_answer *answers = session_answers(m->survey, &n);
	struct store_response r = {
		.kiosk_id = m->settings.kiosk_id ? m->settings.kiosk_id : "",
		.survey_id = def->id,
		.survey_version = def->version,
		.language = m->lang,
		/* The hour, never the minute: a resident must not be identifiable. */
		.hour = clock_wall_s() / 3600 * 3600,
		.answers = answers,
		.n_answers = n,
	};
	if (n == 0) {
		/* Every question skipped: nothing to learn, nothing to keep. */
		LOG_INFO("a survey was sent without any answer; nothing stored");
		show_thanks(m);
		return;
	}
	if (!m->settings.store ||
	    store_feedback_insert(m->settings.store, &r, m->submitted) != STORE_OK) {
		LOG_ERR("a survey response could not be stored; the answers stay on screen");
		session_set_failed(m->survey, true);
		model_changed(m);
		return;
	}
	m->has_submitted = true;
	show_thanks(m);
}

static void apply_session(struct model *m, enum session_action a)
{
	if (a == SESSION_CHANGED)
		model_changed(m);
	else if (a == SESSION_SUBMIT)
		submit(m);
	else if (a == SESSION_LEAVE)
		model_arrive_home(m);
}

void model_type_text(struct model *m, const char *utf8, uint64_t now_ms)
{
	model_user_activity(m, now_ms);
	/* Text enters the model here (a keyboard, a script line): only whole
	 * UTF-8 reaches an answer, the screen and the database. */
	if (!utf8_valid(utf8, strlen(utf8))) {
		LOG_WARN("typed text that is not UTF-8 was ignored");
		return;
	}
	if (m->screen == MODEL_SCREEN_SURVEY && m->survey && session_type(m->survey, utf8))
		model_changed(m);
}

void model_activate(struct model *m, const char *id, uint64_t now_ms)
{
	bool warning = m->screen == MODEL_SCREEN_IDLE_WARNING;
	model_user_activity(m, now_ms);
	if (m->screen == MODEL_SCREEN_OUT_OF_SERVICE)
		return;
	if (warning)
		return; /* the touch itself already ended the warning */
	if (speak_first(m, id))
		return;
	if (admin_activate(m, id) || import_activate(m, id) || activate_common(m, id))
		return;
	if (m->screen == MODEL_SCREEN_HOME) {
		if (strcmp(id, "home.guide") == 0)
			model_go(m, MODEL_SCREEN_GUIDE);
		else if (strcmp(id, "home.films") == 0)
			model_go(m, MODEL_SCREEN_FILMS);
		else if (strcmp(id, "home.survey") == 0)
			start_survey(m);
	} else if (m->screen == MODEL_SCREEN_GUIDE && strncmp(id, "guide.", 6) == 0) {
		open_topic(m, id + 6);
	} else if (m->screen == MODEL_SCREEN_SURVEY && m->survey) {
		apply_session(m, session_activate(m->survey, id, m->lang));
	} else if (m->screen == MODEL_SCREEN_FILMS && strncmp(id, "films.", 6) == 0) {
		player_open(m, id + 6);
	} else if (m->screen == MODEL_SCREEN_PAGE && strcmp(id, "page.film") == 0) {
		const struct content_topic *t = content_topic_find(m->content, m->topic);
		if (t && t->film)
			player_open(m, t->film);
	} else if (m->screen == MODEL_SCREEN_PLAYER) {
		if (strcmp(id, "player.back") == 0)
			model_back(m, now_ms);
		else
			player_activate(m, id);
	}
}

void model_back(struct model *m, uint64_t now_ms)
{
	model_user_activity(m, now_ms);
	if (m->screen == MODEL_SCREEN_OUT_OF_SERVICE || m->screen == MODEL_SCREEN_HOME)
		return;
	if (admin_activate(m, "nav.back") || import_activate(m, "nav.back"))
		return;
	if (m->screen == MODEL_SCREEN_SURVEY && m->survey) {
		apply_session(m, session_back(m->survey));
		return;
	}
	if (m->screen == MODEL_SCREEN_THANKS) {
		model_arrive_home(m);
		return;
	}
	if (m->screen == MODEL_SCREEN_PLAYER)
		player_close(m);
	if (m->depth == 0) {
		model_arrive_home(m);
		return;
	}
	enum model_screen to = m->history[--m->depth];
	if (to == MODEL_SCREEN_HOME) {
		model_arrive_home(m);
		return;
	}
	if (m->screen == MODEL_SCREEN_PAGE) {
		page_free(m->page);
		m->page = NULL;
		m->topic[0] = '\0';
	}
	m->screen = to;
	model_changed(m);
}

/* Nights off: a touch on a dark screen wakes it for this long. */
#define AWAKE_MS (5 * 60 * 1000)

static bool session_pristine(const struct model *m);

bool model_dark(const struct model *m)
{
	return m->settings.hours && m->screen == MODEL_SCREEN_HOME && session_pristine(m) &&
	       m->now >= m->awake_until && !hours_open(m->settings.hours, clock_wall_s());
}

/* Redraws when the screen turns dark or light (the clock did it). */
static void notice_dark(struct model *m)
{
	bool dark = model_dark(m);
	if (dark != m->was_dark)
		model_changed(m);
}

void model_user_activity(struct model *m, uint64_t now_ms)
{
	if (model_dark(m)) {
		m->awake_until = now_ms + AWAKE_MS;
		LOG_INFO("a touch woke the dark screen for %d minutes", AWAKE_MS / 60000);
		model_changed(m);
	}
	m->last_activity = now_ms;
	m->now = now_ms;
	if (m->screen == MODEL_SCREEN_IDLE_WARNING) {
		m->screen = m->before_warning;
		m->warning_since = 0;
		model_changed(m);
	}
}

/* A pristine home screen has nothing to protect or to clear. */
static bool session_pristine(const struct model *m)
{
	return m->screen == MODEL_SCREEN_HOME && m->text_scale == m->settings.text_scale &&
	       m->high_contrast == m->settings.high_contrast &&
	       strcmp(m->lang, session_language(m)) == 0;
}

void model_tick(struct model *m, uint64_t now_ms)
{
	m->now = now_ms;
	notice_dark(m);
	if (m->screen == MODEL_SCREEN_OUT_OF_SERVICE)
		return;
	uint64_t timeout = (uint64_t)m->settings.idle_timeout_s * 1000;
	uint64_t warning = (uint64_t)m->settings.idle_warning_s * 1000;
	if (m->screen == MODEL_SCREEN_IDLE_WARNING) {
		if (now_ms >= m->warning_since + warning) {
			LOG_INFO("nobody answered the idle warning: session reset");
			session_reset(m);
			m->last_activity = now_ms;
		} else {
			model_changed(m); /* the countdown moved on */
		}
		return;
	}
	if (admin_tick(m, now_ms))
		return; /* the admin screens close by their own rule, without a warning */
	player_tick(m);
	if (player_busy(m) || import_busy(m))
		return; /* never idle while a film plays or a bundle installs */
	if (m->screen == MODEL_SCREEN_THANKS && now_ms >= m->thanks_until) {
		model_arrive_home(m);
		return;
	}
	if (session_pristine(m) || now_ms < active_until(m) + timeout)
		return;
	m->before_warning = m->screen;
	m->screen = MODEL_SCREEN_IDLE_WARNING;
	m->warning_since = now_ms;
	model_changed(m);
	if (m->speech_mode) /* a blind resident hears it, and how to get more time */
		say(m, screen_words(m));
}

void model_speech_playing(struct model *m, uint64_t until_ms)
{
	if (until_ms > m->speaking_until)
		m->speaking_until = until_ms;
}

static uint64_t next_deadline(const struct model *m);

/* When the screen may turn dark or light next: the hours' next change and
 * the end of a wake-up; 0 without opening hours. */
static uint64_t dark_deadline(const struct model *m)
{
	if (!m->settings.hours)
		return 0;
	int64_t wall = clock_wall_s(), change = hours_next_change(m->settings.hours, wall);
	uint64_t d = change ? m->now + (uint64_t)(change - wall) * 1000 : 0;
	if (m->awake_until > m->now && (!d || m->awake_until < d))
		d = m->awake_until;
	return d;
}

uint64_t model_next_deadline(const struct model *m)
{
	uint64_t a = next_deadline(m), b = dark_deadline(m);
	if (m->screen == MODEL_SCREEN_OUT_OF_SERVICE)
		return a;
	return !a ? b : !b ? a : a < b ? a : b;
}

static uint64_t next_deadline(const struct model *m)
{
	if (m->screen == MODEL_SCREEN_OUT_OF_SERVICE)
		return 0;
	if (m->screen == MODEL_SCREEN_IDLE_WARNING) {
		/* Once a second for the countdown; the last one ends the warning. */
		uint64_t end = m->warning_since + (uint64_t)m->settings.idle_warning_s * 1000;
		uint64_t passed = m->now > m->warning_since ? m->now - m->warning_since : 0;
		uint64_t next = m->warning_since + (passed / 1000 + 1) * 1000;
		return next < end ? next : end;
	}
	uint64_t admin = admin_deadline(m);
	if (admin)
		return admin;
	uint64_t film = player_deadline(m);
	if (player_busy(m))
		return film;
	if (import_busy(m))
		return 0; /* the job's outcome is the next event */
	if (session_pristine(m))
		return 0;
	uint64_t idle = active_until(m) + (uint64_t)m->settings.idle_timeout_s * 1000;
	if (film && film < idle)
		return film;
	if (m->screen == MODEL_SCREEN_THANKS && m->thanks_until < idle)
		return m->thanks_until;
	return idle;
}

enum model_screen model_screen(const struct model *m) { return m->screen; }

const char *model_language(const struct model *m) { return m->lang; }

bool model_wants_media(const struct model *m)
{
	/* Not for a page's film button: libvlc starts in 10 ms, and a reader
	 * who never taps it should not carry VLC's memory. */
	return m->screen == MODEL_SCREEN_FILMS || m->screen == MODEL_SCREEN_PLAYER;
}

bool model_take_submitted(struct model *m, char *id)
{
	if (!m->has_submitted)
		return false;
	memcpy(id, m->submitted, sizeof m->submitted);
	m->has_submitted = false;
	return true;
}

bool model_take_reset(struct model *m)
{
	bool r = m->reset_happened;
	m->reset_happened = false;
	return r;
}

/* ---- The tree of each screen ---- */

/* Each language named in itself, in the order of the language bar. */
static const char *const endonyms[][2] = {
	{"de", "Deutsch"}, {"de-x-ls", "Leichte Sprache"}, {"en", "English"},
	{"tr", "Türkçe"},  {"uk", "Українська"},           {"ar", "العربية"},
};

struct model_node *model_add(struct model *m, const char *id, enum model_role role,
			      enum model_slot slot, const char *key)
{
	return tree_add(&m->tree, id, role, slot, key ? model_str(m, key) : "");
}

void model_add_top_bar(struct model *m, const char *title_key, bool with_nav)
{
	if (with_nav) {
		model_add(m, "nav.back", MODEL_ROLE_BUTTON, MODEL_SLOT_NAV, "nav.back")->icon = ICON_BACK;
		model_add(m, "nav.home", MODEL_ROLE_BUTTON, MODEL_SLOT_NAV, "nav.home")->icon = ICON_HOME;
	}
	struct model_node *t = model_add(m, "title", MODEL_ROLE_HEADING, MODEL_SLOT_TITLE, title_key);
	t->type = MODEL_TYPE_H2;
	model_add_tools(m);
}

void model_add_tools(struct model *m)
{
	struct model_node *n = model_add(m, "a11y.text", MODEL_ROLE_BUTTON, MODEL_SLOT_TOOLS, NULL);
	free(n->label);
	/* The size is named once it differs from the normal one. */
	n->label = m->text_scale == 100 ? xstrdup(model_str(m, "a11y.text"))
					: xasprintf("%s %d %%", model_str(m, "a11y.text"), m->text_scale);
	n->icon = ICON_TEXT_SIZE;
	n->value = m->text_scale;
	n = model_add(m, "a11y.contrast", MODEL_ROLE_BUTTON, MODEL_SLOT_TOOLS, "a11y.contrast");
	n->icon = ICON_CONTRAST;
	n->selected = m->high_contrast;
	n = model_add(m, "a11y.speak", MODEL_ROLE_BUTTON, MODEL_SLOT_TOOLS, "a11y.speak");
	n->icon = ICON_SPEAK;
	n->selected = m->speech_mode;
}

static void add_language_bar(struct model *m)
{
	for (size_t i = 0; i < sizeof endonyms / sizeof endonyms[0]; i++) {
		if (!offered(m, endonyms[i][0]))
			continue;
		char id[32];
		snprintf(id, sizeof id, "lang.%s", endonyms[i][0]);
		struct model_node *n = tree_add(&m->tree, id, MODEL_ROLE_OPTION, MODEL_SLOT_LANGS,
						endonyms[i][1]);
		n->selected = strcmp(m->lang, endonyms[i][0]) == 0;
	}
}

static void add_tile(struct model *m, const char *id, const char *sub_key, enum model_tone tone,
		     const char *icon)
{
	struct model_node *n = model_add(m, id, MODEL_ROLE_BUTTON, MODEL_SLOT_BODY, id);
	n->detail = xstrdup(model_str(m, sub_key));
	n->tone = tone;
	n->icon = icon;
}

static void build_home(struct model *m)
{
	model_add_top_bar(m, "app.title", false);
	model_add(m, "home.welcome", MODEL_ROLE_HEADING, MODEL_SLOT_BODY, "home.welcome")->type =
		MODEL_TYPE_H1;
	model_add(m, "home.intro", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "home.intro")->type = MODEL_TYPE_LEAD;
	add_tile(m, "home.guide", "home.guide.sub", MODEL_TONE_GUIDE, ICON_GUIDE);
	add_tile(m, "home.films", "home.films.sub", MODEL_TONE_FILMS, ICON_FILMS);
	add_tile(m, "home.survey", "home.survey.sub", MODEL_TONE_SURVEY, ICON_SURVEY);
	add_language_bar(m);
}

static void build_guide(struct model *m)
{
	model_add_top_bar(m, "guide.title", true);
	size_t n_topics = m->content ? m->content->n_topics : 0;
	for (size_t i = 0; i < n_topics; i++) {
		const struct content_topic *t = &m->content->topics[i];
		char id[80];
		snprintf(id, sizeof id, "guide.%s", t->id);
		struct model_node *n = tree_add(&m->tree, id, MODEL_ROLE_BUTTON, MODEL_SLOT_BODY,
						content_i18n_get(&t->title, m->lang, NULL));
		char *minutes = str_format_n(model_str(m, "guide.minutes"), t->minutes ? t->minutes : 1);
		n->detail = xasprintf("%s · %s", content_i18n_get(&t->summary, m->lang, NULL),
				      minutes);
		free(minutes);
		n->tone = MODEL_TONE_GUIDE;
		n->icon = ICON_NEXT;
		n->value = (int)i + 1;
	}
	if (n_topics == 0)
		model_add(m, "guide.empty", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "guide.empty");
	add_language_bar(m);
}

static void add_film_button(struct model *m)
{
	struct model_node *f = model_add(m, "page.film", MODEL_ROLE_BUTTON, MODEL_SLOT_BODY,
					 "page.film");
	f->icon = ICON_FILMS;
	f->tone = MODEL_TONE_FILMS;
}

static void build_page(struct model *m)
{
	model_add_top_bar(m, "guide.title", true);
	if (!m->page) {
		struct model_node *n = model_add(m, "page.error", MODEL_ROLE_TEXT, MODEL_SLOT_BODY,
					   "page.error");
		n->icon = ICON_WARNING;
		add_language_bar(m);
		return;
	}
	if (m->page->fell_back)
		model_add(m, "page.fallback", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "fallback.note")->type =
			MODEL_TYPE_NOTE;
	const struct content_topic *topic = content_topic_find(m->content, m->topic);
	bool film = topic && topic->film && content_film_find(m->content, topic->film);
	if (film && m->page->blocks[0].kind != PAGE_BLOCK_HEADING) {
		add_film_button(m); /* no title: the film comes first */
		film = false;
	}
	for (size_t i = 0; i < m->page->n_blocks; i++) {
		const struct page_block *b = &m->page->blocks[i];
		char id[32];
		snprintf(id, sizeof id, "page.block%zu", i);
		enum model_role role = b->kind == PAGE_BLOCK_HEADING ? MODEL_ROLE_HEADING
				       : b->kind == PAGE_BLOCK_IMAGE ? MODEL_ROLE_IMAGE
								     : MODEL_ROLE_TEXT;
		char *text = page_block_text(b);
		struct model_node *n = tree_add(&m->tree, id, role, MODEL_SLOT_BODY, text);
		free(text);
		n->block = b;
		if (b->kind == PAGE_BLOCK_HEADING)
			n->type = b->level <= 1 ? MODEL_TYPE_H1
				  : b->level == 2 ? MODEL_TYPE_H2 : MODEL_TYPE_H3;
		/* The topic's film right under its title. */
		if (film && i == 0)
			add_film_button(m);
	}
	model_add(m, "page.end", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "page.end")->type = MODEL_TYPE_NOTE;
	add_language_bar(m);
}

static void build_soon(struct model *m, const char *title_key, enum model_tone tone)
{
	model_add_top_bar(m, title_key, true);
	struct model_node *n = model_add(m, "soon.title", MODEL_ROLE_HEADING, MODEL_SLOT_BODY,
				   "soon.title");
	n->type = MODEL_TYPE_H1;
	n->icon = ICON_SOON;
	n->tone = tone;
	model_add(m, "soon.text", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "soon.text")->type = MODEL_TYPE_LEAD;
	add_language_bar(m);
}

static void build_survey(struct model *m)
{
	if (!m->survey) {
		build_soon(m, "survey.title", MODEL_TONE_SURVEY);
		return;
	}
	model_add_top_bar(m, "survey.title", true);
	session_build(m->survey, &m->tree, m->content, m->lang);
	add_language_bar(m);
}

static void build_thanks(struct model *m)
{
	model_add_top_bar(m, "survey.title", true);
	struct model_node *n = model_add(m, "thanks.title", MODEL_ROLE_HEADING, MODEL_SLOT_BODY,
				   "thanks.title");
	n->type = MODEL_TYPE_H1;
	n->icon = ICON_THANKS;
	n->tone = MODEL_TONE_SURVEY;
	model_add(m, "thanks.text", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "thanks.text")->type =
		MODEL_TYPE_LEAD;
	add_language_bar(m);
}

static void build_idle_warning(struct model *m)
{
	uint64_t total = (uint64_t)m->settings.idle_warning_s * 1000;
	uint64_t passed = m->now > m->warning_since ? m->now - m->warning_since : 0;
	int left = (int)((total > passed ? total - passed : 0) + 999) / 1000;
	struct model_node *n = model_add(m, "idle.title", MODEL_ROLE_HEADING, MODEL_SLOT_DIALOG,
				   "idle.title");
	n->type = MODEL_TYPE_H1;
	n->icon = ICON_HOURGLASS;
	n = model_add(m, "idle.text", MODEL_ROLE_TEXT, MODEL_SLOT_DIALOG, NULL);
	free(n->label);
	n->label = str_format_n(model_str(m, "idle.text"), left);
	n->type = MODEL_TYPE_LEAD;
	n->value = left;
	n->value_max = m->settings.idle_warning_s;
	n = model_add(m, "idle.more-time", MODEL_ROLE_BUTTON, MODEL_SLOT_DIALOG, "idle.more-time");
	n->tone = MODEL_TONE_GUIDE;
}

static void build_out_of_service(struct model *m)
{
	struct model_node *n = model_add(m, "oos.title", MODEL_ROLE_HEADING, MODEL_SLOT_BODY,
				   "oos.title");
	n->type = MODEL_TYPE_H1;
	n->icon = ICON_WARNING;
	model_add(m, "oos.text", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "oos.text")->type = MODEL_TYPE_LEAD;
	n = tree_add(&m->tree, "oos.detail", MODEL_ROLE_TEXT, MODEL_SLOT_BODY,
		     m->oos_message ? m->oos_message : "");
	n->type = MODEL_TYPE_NOTE;
}

/* Arrows point the way the reading goes: right to left, they turn round.
 * (Player symbols such as play stay as they are, as everywhere.) */
static const char *mirrored_icon(const char *icon)
{
	if (!icon)
		return NULL;
	if (strcmp(icon, ICON_BACK) == 0)
		return ICON_FORWARD;
	if (strcmp(icon, ICON_FORWARD) == 0)
		return ICON_BACK;
	if (strcmp(icon, ICON_NEXT) == 0)
		return ICON_PREVIOUS;
	return icon;
}

const struct model_tree *model_tree(struct model *m)
{
	if (!m->dirty && m->tree.nodes)
		return &m->tree;
	tree_clear(&m->tree);
	switch (m->screen) {
	case MODEL_SCREEN_HOME: build_home(m); break;
	case MODEL_SCREEN_GUIDE: build_guide(m); break;
	case MODEL_SCREEN_PAGE: build_page(m); break;
	case MODEL_SCREEN_FILMS:
		films_build(m);
		add_language_bar(m);
		break;
	case MODEL_SCREEN_PLAYER: player_build(m); break; /* no language bar over a film */
	case MODEL_SCREEN_SURVEY: build_survey(m); break;
	case MODEL_SCREEN_THANKS: build_thanks(m); break;
	case MODEL_SCREEN_IDLE_WARNING: build_idle_warning(m); break;
	case MODEL_SCREEN_OUT_OF_SERVICE: build_out_of_service(m); break;
	case MODEL_SCREEN_IMPORT:
		import_build(m);
		add_language_bar(m);
		break;
	case MODEL_SCREEN_ADMIN_PIN:
	case MODEL_SCREEN_ADMIN:
		admin_build(m);
		add_language_bar(m);
		break;
	default: build_soon(m, "app.title", MODEL_TONE_PLAIN); break;
	}
	m->tree.screen = m->screen;
	m->tree.dark = m->was_dark = model_dark(m);
	m->tree.lang = m->lang;
	m->tree.rtl = strcmp(m->lang, "ar") == 0;
	m->tree.text_scale = m->text_scale;
	m->tree.high_contrast = m->high_contrast;
	for (size_t i = 0; i < m->tree.n_nodes; i++) {
		struct model_node *n = &m->tree.nodes[i];
		n->focused = m->focus[0] && strcmp(n->id, m->focus) == 0;
		if (m->tree.rtl)
			n->icon = mirrored_icon(n->icon);
	}
	m->tree.generation++;
	m->dirty = false;
	return &m->tree;
}
