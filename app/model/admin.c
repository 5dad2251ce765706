/* model: the PIN pad and the admin area, for staff and admins.
 *
 * A 3-second press in the top-left corner (ui/ sees it) opens the PIN pad,
 * when the kiosk has a PIN at all.  The PIN is checked on the job seam's
 * PIN worker (ui/ carries the command out): the pad waits, the screen never
 * freezes.  Three wrong PINs in a row lock the pad for five minutes, and
 * the lock is kept in the database so that a restart does not lift it.  The
 * admin area shows the kiosk's state and closes itself after two minutes
 * without a touch.  In speech mode a digit is spoken as "digit", never as
 * its value (model.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/export.h"
#include "kiosk/store.h"
#include "model_int.h"

#define LOG_MODULE "admin"

#define WRONG_MAX 3
#define LOCK_S (5 * 60)
#define ADMIN_IDLE_MS (2 * 60 * 1000)

static void clear_pin(struct admin_state *a)
{
	explicit_bzero(a->pin, sizeof a->pin);
}

static int64_t locked_for_s(const struct model *m)
{
	int64_t left = m->admin.locked_until - clock_wall_s();
	return left > 0 ? left : 0;
}

void model_admin_press(struct model *m, uint64_t now_ms)
{
	m->now = now_ms;
	if (!m->settings.admin || m->screen == MODEL_SCREEN_OUT_OF_SERVICE ||
	    m->screen == MODEL_SCREEN_ADMIN_PIN || m->screen == MODEL_SCREEN_ADMIN)
		return;
	if (import_busy(m))
		return; /* an install runs to its end first */
	/* Whatever a resident left open goes, as at an idle reset. */
	model_arrive_home(m);
	struct admin_state *a = &m->admin;
	clear_pin(a);
	a->message = NULL;
	a->checking = false;
	if (m->settings.store)
		store_admin_lock_get(m->settings.store, &a->failures, &a->locked_until);
	m->screen = MODEL_SCREEN_ADMIN_PIN;
	m->last_activity = now_ms;
	model_changed(m);
	LOG_INFO("the PIN pad was opened");
}

bool model_take_pin_check(struct model *m, char *pin)
{
	struct admin_state *a = &m->admin;
	if (!a->check_due)
		return false;
	a->check_due = false;
	memcpy(pin, a->pin, PIN_MAX_DIGITS + 1);
	clear_pin(a);
	return true;
}

static void keep_lock(struct model *m)
{
	struct admin_state *a = &m->admin;
	if (m->settings.store &&
	    store_admin_lock_set(m->settings.store, a->failures, a->locked_until) != STORE_OK)
		LOG_ERR("the PIN pad's lock cannot be kept in the database");
}

void model_pin_result(struct model *m, bool ok, uint64_t now_ms)
{
	struct admin_state *a = &m->admin;
	if (!a->checking)
		return;
	a->checking = false;
	m->last_activity = now_ms;
	if (m->screen != MODEL_SCREEN_ADMIN_PIN)
		return; /* the pad was left meanwhile */
	if (ok) {
		a->failures = 0;
		a->locked_until = 0;
		keep_lock(m);
		a->message = NULL;
		a->sync_note[0] = '\0';
		m->screen = MODEL_SCREEN_ADMIN;
		LOG_INFO("the admin area was opened");
	} else {
		a->failures++;
		a->message = "pin.wrong";
		if (a->failures >= WRONG_MAX) {
			a->failures = 0;
			a->locked_until = clock_wall_s() + LOCK_S;
			a->message = "pin.locked";
			LOG_WARN("%d wrong PINs: the PIN pad is locked for %d minutes", WRONG_MAX,
				 LOCK_S / 60);
		}
		keep_lock(m);
	}
	model_changed(m);
}

static void pin_key(struct model *m, const char *key)
{
	struct admin_state *a = &m->admin;
	size_t n = strlen(a->pin);
	if (a->checking || locked_for_s(m))
		return;
	a->message = NULL;
	if (key[0] >= '0' && key[0] <= '9' && !key[1]) {
		if (n < PIN_MAX_DIGITS)
			a->pin[n] = key[0];
	} else if (strcmp(key, "delete") == 0 && n) {
		a->pin[n - 1] = '\0';
	} else if (strcmp(key, "ok") == 0) {
		if (n < PIN_MIN_DIGITS) {
			a->message = "pin.short";
		} else {
			a->checking = true;
			a->check_due = true;
		}
	}
	model_changed(m);
}

static void leave(struct model *m)
{
	clear_pin(&m->admin);
	m->admin.confirm_exit = false;
	strv_free(m->admin.sticks);
	m->admin.sticks = NULL;
	m->admin.checking = false;
	m->admin.check_due = false;
	model_arrive_home(m);
}

bool admin_activate(struct model *m, const char *id)
{
	struct admin_state *a = &m->admin;
	if (m->screen == MODEL_SCREEN_ADMIN_PIN) {
		if (strncmp(id, "pin.", 4) == 0)
			pin_key(m, id + 4);
		else if (strcmp(id, "nav.back") == 0 || strcmp(id, "nav.home") == 0)
			leave(m);
		else
			return false;
		return true;
	}
	if (m->screen != MODEL_SCREEN_ADMIN)
		return false;
	if (strcmp(id, "admin.close") == 0 || strcmp(id, "nav.back") == 0 ||
	    strcmp(id, "nav.home") == 0) {
		if (a->exporting)
			return true; /* the export ends first: its message says when the stick may go */
		LOG_INFO("the admin area was closed");
		leave(m);
	} else if (strcmp(id, "admin.sync") == 0) {
		if (m->settings.sync && !a->syncing) {
			a->sync_due = true;
			a->syncing = true;
			snprintf(a->sync_note, sizeof a->sync_note, "%s",
				 model_str(m, "admin.sync.running"));
		}
		model_changed(m);
	} else if (strcmp(id, "admin.export") == 0) {
		if (!a->exporting) {
			a->export_due = true;
			strv_free(a->sticks);
			a->sticks = NULL;
		}
	} else if (strncmp(id, "admin.stick.", 12) == 0) {
		char *end;
		long k = strtol(id + 12, &end, 10);
		size_t n = a->sticks ? strv_len(a->sticks) : 0;
		if (!*end && k >= 0 && (size_t)k < n && !a->exporting) {
			free(a->export_to);
			a->export_to = xstrdup(a->sticks[k]);
			a->export_due = true;
			strv_free(a->sticks);
			a->sticks = NULL;
			model_changed(m);
		}
	} else if (strcmp(id, "admin.exit") == 0) {
		a->confirm_exit = !a->confirm_exit;
		model_changed(m);
	} else if (strcmp(id, "admin.exit.confirm") == 0 && a->confirm_exit) {
		LOG_WARN("an admin leaves the kiosk for the system");
		a->quit = true;
	} else if (strcmp(id, "admin.import") == 0) {
		if (!import_offer_again(m)) {
			snprintf(a->sync_note, sizeof a->sync_note, "%s",
				 model_str(m, "admin.import.none"));
			model_changed(m);
		}
	} else {
		return false;
	}
	return true;
}

static void note(struct model *m, char *text)
{
	snprintf(m->admin.sync_note, sizeof m->admin.sync_note, "%s", text);
	free(text);
	model_changed(m);
}

bool model_take_export(struct model *m, char **stick)
{
	struct admin_state *a = &m->admin;
	if (!a->export_due)
		return false;
	a->export_due = false;
	*stick = a->export_to;
	a->export_to = NULL;
	if (*stick) {
		a->exporting = true;
		note(m, xstrdup(model_str(m, "admin.export.measure")));
	}
	return true;
}

void model_export_sticks(struct model *m, char *const *folders)
{
	struct admin_state *a = &m->admin;
	size_t n = folders ? strv_len((char **)folders) : 0;
	if (n == 0) {
		note(m, xstrdup(model_str(m, "admin.export.nostick")));
	} else if (n == 1) {
		a->export_to = xstrdup(folders[0]);
		a->export_due = true;
	} else {
		a->sticks = xcalloc(n + 1, sizeof *a->sticks);
		for (size_t i = 0; i < n; i++)
			a->sticks[i] = xstrdup(folders[i]);
		note(m, xstrdup(model_str(m, "admin.export.choose")));
	}
}

void model_export_progress(struct model *m, int step, int64_t done, int64_t total)
{
	if (!m->admin.exporting)
		return;
	const char *key = step == EXPORT_STEP_WRITE    ? "admin.export.write"
			  : step == EXPORT_STEP_FINISH ? "admin.export.finish"
						       : "admin.export.measure";
	char *a = str_format_n(model_str(m, key), (long)done + 1);
	char *b = str_format_var(a, "{total}", (long)total);
	free(a);
	if (strcmp(b, m->admin.sync_note) != 0)
		note(m, b);
	else
		free(b);
}

void model_export_outcome(struct model *m, const struct export_outcome *o)
{
	struct admin_state *a = &m->admin;
	if (!a->exporting)
		return;
	a->exporting = false;
	m->last_activity = m->now;
	if (o && o->err == EXPORT_OK) {
		const char *base = strrchr(o->folder, '/');
		note(m, str_replace_var(model_str(m, "admin.export.done"), "{folder}",
					base ? base + 1 : o->folder));
	} else if (o && o->stick_gone) {
		note(m, xstrdup(model_str(m, "admin.export.gone")));
	} else {
		const char *key = o && o->err == EXPORT_ERR_NO_ROOM ? "admin.export.full"
								    : "admin.export.failed";
		note(m, xasprintf("%s %s", model_str(m, key), o ? o->error.message : ""));
	}
}

bool model_take_quit(struct model *m)
{
	bool quit = m->admin.quit;
	m->admin.quit = false;
	return quit;
}

bool model_take_admin_sync(struct model *m)
{
	bool due = m->admin.sync_due;
	m->admin.sync_due = false;
	return due;
}

void model_sync_outcome(struct model *m, bool ok, size_t responses, const char *message)
{
	struct admin_state *a = &m->admin;
	if (!a->syncing)
		return;
	a->syncing = false;
	if (ok) {
		char *t = str_format_n(model_str(m, "admin.sync.done"), (long)responses);
		snprintf(a->sync_note, sizeof a->sync_note, "%s", t);
		free(t);
	} else {
		snprintf(a->sync_note, sizeof a->sync_note, "%s: %s",
			 model_str(m, "admin.sync.failed"), message ? message : "");
	}
	model_changed(m);
}

bool admin_tick(struct model *m, uint64_t now_ms)
{
	if (m->screen != MODEL_SCREEN_ADMIN && m->screen != MODEL_SCREEN_ADMIN_PIN)
		return false;
	if (m->admin.exporting)
		return true; /* an export is not left half-written by the idle rule */
	if (now_ms >= m->last_activity + ADMIN_IDLE_MS) {
		LOG_INFO("two minutes without a touch: the %s closes",
			 m->screen == MODEL_SCREEN_ADMIN ? "admin area" : "PIN pad");
		leave(m);
	} else if (m->screen == MODEL_SCREEN_ADMIN_PIN && m->admin.locked_until) {
		model_changed(m); /* the lock's minutes count down */
	}
	return true;
}

uint64_t admin_deadline(const struct model *m)
{
	if (m->screen != MODEL_SCREEN_ADMIN && m->screen != MODEL_SCREEN_ADMIN_PIN)
		return 0;
	uint64_t close = m->last_activity + ADMIN_IDLE_MS;
	if (m->screen == MODEL_SCREEN_ADMIN_PIN && locked_for_s(m)) {
		uint64_t next = m->now + 1000;
		return next < close ? next : close;
	}
	return close;
}

/* ---- The screens ---- */

static struct model_node *add_line(struct model *m, const char *id, char *label,
				   enum model_type type)
{
	struct model_node *n = model_add(m, id, MODEL_ROLE_TEXT, MODEL_SLOT_BODY, NULL);
	free(n->label);
	n->label = label;
	n->type = type;
	return n;
}

static void build_pin(struct model *m)
{
	const struct admin_state *a = &m->admin;
	model_add_top_bar(m, "pin.title", true);
	struct model_node *h = model_add(m, "pin.heading", MODEL_ROLE_HEADING, MODEL_SLOT_BODY,
					 "pin.heading");
	h->type = MODEL_TYPE_H1;
	/* The digits typed as dots: never their values on the screen. */
	size_t n = strlen(a->pin);
	char dots[PIN_MAX_DIGITS * 4 + 1] = "";
	for (size_t i = 0; i < n; i++)
		strcat(dots, "\xe2\x97\x8f"); /* U+25CF black circle */
	struct model_node *d = add_line(m, "pin.entered", xstrdup(n ? dots : "\xe2\x80\x94"),
					MODEL_TYPE_H2);
	d->value = (int)n;
	int64_t locked = locked_for_s(m);
	const char *msg = locked ? "pin.locked" : a->checking ? "pin.checking" : a->message;
	if (msg) {
		char *text = str_format_n(model_str(m, msg), (long)((locked + 59) / 60));
		add_line(m, "pin.message", text, MODEL_TYPE_LEAD);
	}
	static const char *const keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9",
					   "delete", "0", "ok"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char id[16];
		snprintf(id, sizeof id, "pin.%s", keys[i]);
		struct model_node *k = model_add(m, id, MODEL_ROLE_BUTTON, MODEL_SLOT_BODY, NULL);
		free(k->label);
		if (strcmp(keys[i], "delete") == 0) {
			k->label = xstrdup(model_str(m, "pin.delete"));
			k->icon = ICON_BACKSPACE;
		} else if (strcmp(keys[i], "ok") == 0) {
			k->label = xstrdup(model_str(m, "pin.ok"));
			k->icon = ICON_CHECK;
			k->tone = MODEL_TONE_GUIDE;
		} else {
			k->label = xstrdup(keys[i]);
		}
		k->enabled = !locked && !a->checking;
	}
}

static char *line_of(const struct model *m, const char *key, const char *value)
{
	return xasprintf("%s: %s", model_str(m, key), value);
}

static void add_state(struct model *m)
{
	struct store *s = m->settings.store;
	char buf[256], more[160];
	snprintf(buf, sizeof buf, "%s · %s %s · %s %lld", m->settings.kiosk_id ? m->settings.kiosk_id
										: "—",
		 model_str(m, "admin.app"), KIOSK_VERSION, model_str(m, "admin.content"),
		 (long long)model_content_version(m));
	add_line(m, "admin.kiosk", line_of(m, "admin.kiosk", buf), MODEL_TYPE_BODY);
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; m->content && i < m->content->n_languages; i++)
		used += (size_t)snprintf(buf + used, used < sizeof buf ? sizeof buf - used : 0,
					 "%s%s", i ? " " : "", m->content->languages[i].code);
	add_line(m, "admin.languages", line_of(m, "admin.languages", buf), MODEL_TYPE_BODY);
	int64_t pending = 0, sent = 0, last_ok = 0;
	char *last_error = NULL;
	if (s) {
		store_feedback_counts(s, &pending, &sent);
		store_sync_last(s, &last_ok, &last_error);
	}
	/* Placeholders, never a printf format: the words come with content. */
	char *c1 = str_format_var(model_str(m, "admin.responses.counts"), "{total}",
				  (long)(pending + sent));
	char *c2 = str_format_var(c1, "{pending}", (long)pending);
	char *counts = str_format_var(c2, "{sent}", (long)sent);
	free(c1);
	free(c2);
	add_line(m, "admin.responses", line_of(m, "admin.responses", counts), MODEL_TYPE_BODY);
	free(counts);
	if (!m->settings.sync) {
		snprintf(buf, sizeof buf, "%s", model_str(m, "admin.sync.off"));
	} else if (last_ok) {
		time_t t = (time_t)last_ok;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%d.%m.%Y %H:%M", &tm);
	} else {
		snprintf(buf, sizeof buf, "%s", model_str(m, "admin.sync.never"));
	}
	add_line(m, "admin.last-sync", line_of(m, "admin.last-sync", buf), MODEL_TYPE_BODY);
	if (last_error)
		add_line(m, "admin.sync-error", line_of(m, "admin.sync-error", last_error),
			 MODEL_TYPE_NOTE);
	free(last_error);
	int64_t free_b = m->settings.data_dir ? path_free_bytes(m->settings.data_dir) : -1;
	if (free_b >= 10000000000LL)
		snprintf(more, sizeof more, "%lld GB", (long long)(free_b / 1000000000LL));
	else
		snprintf(more, sizeof more, "%lld MB", (long long)(free_b >= 0 ? free_b / 1000000 : 0));
	const char *kept = s ? store_recovered_from(s) : NULL;
	char *db = kept ? str_replace_var(model_str(m, "admin.database.recovered"), "{file}", kept)
			: xstrdup(model_str(m, s ? "admin.database.ok" : "admin.database.none"));
	snprintf(buf, sizeof buf, "%s: %s · %s: %s", model_str(m, "admin.disk"), more,
		 model_str(m, "admin.database"), db);
	add_line(m, "admin.database", xstrdup(buf), kept || !s ? MODEL_TYPE_LEAD : MODEL_TYPE_BODY);
	free(db);
}

static void build_admin(struct model *m)
{
	const struct admin_state *a = &m->admin;
	model_add_top_bar(m, "admin.title", true);
	add_state(m);
	if (a->sync_note[0])
		add_line(m, "admin.note", xstrdup(a->sync_note), MODEL_TYPE_LEAD);
	if (a->sticks) { /* which stick: only the sticks (and close) to tap */
		for (size_t i = 0; a->sticks[i]; i++) {
			char id[32];
			snprintf(id, sizeof id, "admin.stick.%zu", i);
			const char *base = strrchr(a->sticks[i], '/');
			struct model_node *b = model_add(m, id, MODEL_ROLE_BUTTON, MODEL_SLOT_BODY,
							 NULL);
			free(b->label);
			b->label = xstrdup(base && base[1] ? base + 1 : a->sticks[i]);
			b->icon = ICON_USB;
			b->tone = MODEL_TONE_GUIDE;
		}
	} else {
		if (m->settings.sync) {
			struct model_node *b = model_add(m, "admin.sync", MODEL_ROLE_BUTTON,
							 MODEL_SLOT_BODY, "admin.sync");
			b->enabled = !a->syncing;
		}
		struct model_node *x = model_add(m, "admin.export", MODEL_ROLE_BUTTON,
						 MODEL_SLOT_BODY, "admin.export");
		x->icon = ICON_USB;
		x->enabled = !a->exporting;
		model_add(m, "admin.import", MODEL_ROLE_BUTTON, MODEL_SLOT_BODY, "admin.import");
	}
	if (a->confirm_exit) { /* leaving to the system: asked once more, on its own row */
		add_line(m, "admin.exit.ask", xstrdup(model_str(m, "admin.exit.ask")),
			 MODEL_TYPE_LEAD);
		struct model_node *q = model_add(m, "admin.exit.confirm", MODEL_ROLE_BUTTON,
						 MODEL_SLOT_BODY, "admin.exit.confirm");
		q->icon = ICON_WARNING;
		q->tone = MODEL_TONE_SURVEY;
	}
	struct model_node *x = model_add(m, "admin.exit", MODEL_ROLE_BUTTON, MODEL_SLOT_BODY,
					 a->confirm_exit ? "admin.exit.no" : "admin.exit");
	x->enabled = !a->exporting;
	struct model_node *c = model_add(m, "admin.close", MODEL_ROLE_BUTTON, MODEL_SLOT_BODY,
					 "admin.close");
	c->icon = ICON_HOME;
	c->enabled = !a->exporting;
}

void admin_build(struct model *m)
{
	if (m->screen == MODEL_SCREEN_ADMIN_PIN)
		build_pin(m);
	else
		build_admin(m);
}

void admin_free(struct model *m)
{
	clear_pin(&m->admin);
	strv_free(m->admin.sticks);
	free(m->admin.export_to);
}
