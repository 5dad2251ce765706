/* model: a bundle on a USB stick, for staff.
 *
 * The import screen opens only on the home screen, never over a resident's
 * page, film or survey: a stick that arrives meanwhile waits.  The screen
 * first shows what the bundle would change (a preview job), then, when
 * staff say so, installs it (an import job) with its progress; at the end
 * it says that the stick may go.  Whatever goes wrong, the message says
 * what happened and that the content in use did not change.  ui/ carries
 * out the commands on the job seam and reports back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/bundle.h"
#include "kiosk/core.h"
#include "model_int.h"

#define LOG_MODULE "import"

static void queue_cmd(struct model *m, enum model_import_op op)
{
	struct import_state *s = &m->import;
	if (s->n_queued == (int)(sizeof s->queue / sizeof s->queue[0]))
		return;
	struct model_import_cmd *c = &s->queue[s->n_queued++];
	c->op = op;
	snprintf(c->path, sizeof c->path, "%s", s->path);
}

bool model_take_import_cmd(struct model *m, struct model_import_cmd *out)
{
	struct import_state *s = &m->import;
	if (!s->n_queued)
		return false;
	*out = s->queue[0];
	memmove(s->queue, s->queue + 1, (size_t)--s->n_queued * sizeof s->queue[0]);
	return true;
}

static void forget_preview(struct import_state *s)
{
	free(s->changes);
	s->changes = NULL;
	s->n_changes = 0;
}

static void set_step(struct model *m, enum import_step step)
{
	m->import.step = step;
	model_changed(m);
}

/* The offer goes on screen (on the home screen only). */
static void open_screen(struct model *m)
{
	struct import_state *s = &m->import;
	forget_preview(s);
	s->phase = 0;
	s->done = s->total = 0;
	m->screen = MODEL_SCREEN_IMPORT;
	m->depth = 0;
	set_step(m, IMPORT_CHECKING);
	queue_cmd(m, MODEL_IMPORT_PREVIEW);
	LOG_INFO("showing the bundle on the stick: %s", s->path);
}

void import_at_home(struct model *m)
{
	if (m->import.step == IMPORT_WAITING && m->screen == MODEL_SCREEN_HOME)
		open_screen(m);
}

bool import_offer_again(struct model *m)
{
	struct import_state *s = &m->import;
	if (!s->path[0] || s->step == IMPORT_INSTALLING)
		return false;
	s->step = IMPORT_WAITING;
	model_arrive_home(m); /* opens it, as a stick arriving at home does */
	return true;
}

void model_stick_bundle(struct model *m, const char *path, uint64_t now_ms)
{
	struct import_state *s = &m->import;
	m->now = now_ms;
	if (path && strcmp(path, s->path) == 0 && s->step != IMPORT_NONE)
		return; /* the same stick, seen again */
	if (s->step == IMPORT_INSTALLING) {
		/* Pulled out (or swapped) mid-import: stop; the job's outcome
		 * says what is left, which is the old content. */
		s->stick_gone = !path;
		queue_cmd(m, MODEL_IMPORT_CANCEL);
		s->path[0] = '\0'; /* whatever comes next is new */
		return;
	}
	bool on_screen = m->screen == MODEL_SCREEN_IMPORT;
	if (!path && s->step == IMPORT_FAILED && on_screen) {
		/* What went wrong stays until staff have read it: a stick pulled
		 * mid-copy fails the job's reads before the watch notices that it
		 * went.  Put back, it is checked again. */
		s->path[0] = '\0';
		return;
	}
	if (s->step == IMPORT_CHECKING)
		queue_cmd(m, MODEL_IMPORT_CANCEL);
	snprintf(s->path, sizeof s->path, "%s", path ? path : "");
	forget_preview(s);
	s->stick_gone = false;
	if (!path) {
		s->step = IMPORT_NONE;
		if (on_screen) /* nothing left to show: the stick went */
			model_arrive_home(m);
		return;
	}
	s->step = IMPORT_WAITING;
	if (on_screen)
		m->screen = MODEL_SCREEN_HOME;
	import_at_home(m);
}

void model_import_progress(struct model *m, int phase, int64_t done, int64_t total)
{
	struct import_state *s = &m->import;
	if (s->step != IMPORT_INSTALLING)
		return;
	/* Redraw only when the bar moves by a visible step (1/1000). */
	long before = s->total > 0 ? (long)(s->done * 1000 / s->total) : 0;
	long after = total > 0 ? (long)(done * 1000 / total) : 0;
	if (phase != s->phase || before != after) {
		s->phase = phase;
		s->done = done;
		s->total = total;
		model_changed(m);
	}
}

static void take_preview(struct model *m, const struct bundle_outcome *o)
{
	struct import_state *s = &m->import;
	const struct bundle_preview *p = &o->preview;
	s->info = p->info;
	s->version_in_use = p->version_in_use;
	s->refused = p->refused;
	snprintf(s->detail, sizeof s->detail, "%s", p->refused ? p->refusal.message : "");
	s->changes = p->n_changes ? xmalloc(p->n_changes * sizeof *s->changes) : NULL;
	if (p->n_changes)
		memcpy(s->changes, p->changes, p->n_changes * sizeof *s->changes);
	s->n_changes = p->n_changes;
	snprintf(s->languages, sizeof s->languages, "%s", p->languages);
	set_step(m, IMPORT_READY);
}

static void take_failure(struct model *m, const struct bundle_outcome *o)
{
	struct import_state *s = &m->import;
	s->err = o ? o->err : BUNDLE_ERR_CANCELLED;
	s->stick_gone = s->stick_gone || (o && o->stick_gone);
	snprintf(s->detail, sizeof s->detail, "%s", o ? o->error.message : "");
	set_step(m, IMPORT_FAILED);
}

void model_import_outcome(struct model *m, const struct bundle_outcome *o, uint64_t now_ms)
{
	struct import_state *s = &m->import;
	m->now = now_ms;
	bool wanted = (s->step == IMPORT_CHECKING && o && o->op == BUNDLE_OP_PREVIEW) ||
		      (s->step == IMPORT_INSTALLING && (!o || o->op == BUNDLE_OP_IMPORT));
	if (!wanted) {
		if (o && o->op == BUNDLE_OP_IMPORT && o->err == BUNDLE_OK)
			LOG_INFO("version %lld was installed after the screen moved on",
				 (long long)o->info.version);
		return; /* a preview or import the screen has moved past */
	}
	if (o && o->err == BUNDLE_OK && o->op == BUNDLE_OP_PREVIEW) {
		take_preview(m, o);
	} else if (o && o->err == BUNDLE_OK) {
		s->info = o->info;
		LOG_INFO("content version %lld installed from a stick", (long long)o->info.version);
		set_step(m, IMPORT_DONE);
	} else {
		take_failure(m, o);
	}
	m->last_activity = now_ms; /* the result is news for whoever waits */
}

bool import_busy(const struct model *m)
{
	return m->screen == MODEL_SCREEN_IMPORT &&
	       (m->import.step == IMPORT_INSTALLING || m->import.step == IMPORT_CHECKING);
}

/* A reset (the idle timer) leaves nothing of the screen behind; an install
 * under way is never stopped by it (import_busy keeps the timer off). */
void import_reset(struct model *m)
{
	struct import_state *s = &m->import;
	if (s->step == IMPORT_CHECKING)
		queue_cmd(m, MODEL_IMPORT_CANCEL);
	if (s->step != IMPORT_NONE && s->step != IMPORT_WAITING && s->step != IMPORT_INSTALLING)
		s->step = IMPORT_DISMISSED;
	forget_preview(s);
}

/* Leaving the screen: cancel what runs, or close what is done.  Back and
 * home (every screen has them) act as cancel or close; while the switch
 * runs there is nothing to stop and they wait. */
static bool leave(struct model *m, bool close)
{
	struct import_state *s = &m->import;
	switch (s->step) {
	case IMPORT_INSTALLING:
		if (s->phase != BUNDLE_PHASE_SWITCHING)
			queue_cmd(m, MODEL_IMPORT_CANCEL); /* its outcome says nothing changed */
		return true;
	case IMPORT_CHECKING:
		queue_cmd(m, MODEL_IMPORT_CANCEL);
		break;
	case IMPORT_READY:
		if (close && !s->refused)
			return true; /* "close" is offered only for a refused bundle */
		break;
	case IMPORT_DONE:
	case IMPORT_FAILED:
		break;
	default:
		return true;
	}
	s->step = IMPORT_DISMISSED;
	forget_preview(s);
	model_arrive_home(m);
	return true;
}

bool import_activate(struct model *m, const char *id)
{
	struct import_state *s = &m->import;
	if (m->screen != MODEL_SCREEN_IMPORT)
		return false;
	if (strcmp(id, "import.install") == 0) {
		if (s->step == IMPORT_READY && !s->refused) {
			s->phase = BUNDLE_PHASE_CHECKING;
			s->done = s->total = 0;
			set_step(m, IMPORT_INSTALLING);
			queue_cmd(m, MODEL_IMPORT_INSTALL);
		}
		return true;
	}
	if (strcmp(id, "import.cancel") == 0 || strcmp(id, "nav.back") == 0 ||
	    strcmp(id, "nav.home") == 0)
		return leave(m, false);
	if (strcmp(id, "import.done") == 0)
		return s->step == IMPORT_INSTALLING ? true : leave(m, true);
	return false; /* the language bar, text size, contrast, speech */
}

/* ---- The screen ---- */

static struct model_node *add_text(struct model *m, const char *id, char *label,
				   enum model_type type)
{
	struct model_node *n = model_add(m, id, MODEL_ROLE_TEXT, MODEL_SLOT_BODY, NULL);
	free(n->label);
	n->label = label;
	n->type = type;
	return n;
}

static void add_heading(struct model *m, const char *key, const char *icon)
{
	struct model_node *n = model_add(m, "import.heading", MODEL_ROLE_HEADING, MODEL_SLOT_BODY,
					 key);
	n->type = MODEL_TYPE_H1;
	n->icon = icon;
}

static void add_action(struct model *m, const char *id, const char *icon)
{
	model_add(m, id, MODEL_ROLE_BUTTON, MODEL_SLOT_ACTIONS, id)->icon = icon;
}

static const char *change_key(enum bundle_change_kind kind)
{
	return kind == BUNDLE_ADDED ? "import.added" : kind == BUNDLE_CHANGED ? "import.changed"
									   : "import.removed";
}

/* One section of the list of changes: "Themen" and a line per change. */
static void add_changes(struct model *m, enum bundle_item item, const char *heading_key,
			const char *id_prefix)
{
	const struct import_state *s = &m->import;
	bool any = false;
	for (size_t i = 0; i < s->n_changes; i++) {
		const struct bundle_change *c = &s->changes[i];
		if (c->item != item)
			continue;
		if (!any) {
			struct model_node *h = model_add(m, id_prefix, MODEL_ROLE_HEADING,
							 MODEL_SLOT_BODY, heading_key);
			h->type = MODEL_TYPE_H3;
			any = true;
		}
		char id[64];
		snprintf(id, sizeof id, "%s.%s", id_prefix, c->id);
		char *line = xasprintf("%s: %s", model_str(m, change_key(c->kind)), c->title);
		add_text(m, id, line, MODEL_TYPE_BODY);
	}
}

static void build_ready(struct model *m)
{
	const struct import_state *s = &m->import;
	add_heading(m, s->refused ? "import.refused" : "import.ready", NULL);
	char *a = str_format_var(model_str(m, "import.summary"), "{new}", (long)s->info.version);
	char *b = str_format_var(a, "{old}", (long)s->version_in_use);
	char *c = str_replace_var(b, "{signer}", s->info.signer);
	add_text(m, "import.summary", c, MODEL_TYPE_LEAD);
	free(a);
	free(b);
	if (s->refused) {
		add_text(m, "import.what", xstrdup(model_str(m, "import.err.refused")),
			 MODEL_TYPE_BODY);
		add_text(m, "import.nothing", xstrdup(model_str(m, "import.nothing")), MODEL_TYPE_BODY);
		add_text(m, "import.detail", xstrdup(s->detail), MODEL_TYPE_NOTE);
		add_action(m, "import.done", ICON_CHECK);
		return;
	}
	if (!s->n_changes)
		add_text(m, "import.same", xstrdup(model_str(m, "import.same")), MODEL_TYPE_BODY);
	add_changes(m, BUNDLE_TOPIC, "import.topics", "import.topic");
	add_changes(m, BUNDLE_FILM, "import.films", "import.film");
	add_changes(m, BUNDLE_SURVEY, "import.survey", "import.survey");
	add_changes(m, BUNDLE_LANGUAGE, "import.languages", "import.language");
	char *langs = str_replace_var(model_str(m, "import.languages.all"), "{list}", s->languages);
	add_text(m, "import.languages.all", langs, MODEL_TYPE_NOTE);
	add_action(m, "import.cancel", ICON_BACK);
	add_action(m, "import.install", ICON_CHECK);
}

static const char *phase_key(int phase)
{
	return phase == BUNDLE_PHASE_COPYING     ? "import.copying"
	       : phase == BUNDLE_PHASE_SWITCHING ? "import.switching"
						 : "import.checking";
}

static void build_installing(struct model *m)
{
	const struct import_state *s = &m->import;
	add_heading(m, "import.installing", ICON_HOURGLASS);
	int permille = s->total > 0 ? (int)(s->done * 1000 / s->total) : 0;
	char *label = str_format_n(model_str(m, phase_key(s->phase)), permille / 10);
	struct model_node *n = add_text(m, "import.progress", label, MODEL_TYPE_BODY);
	n->role = MODEL_ROLE_PROGRESS;
	n->value = s->phase == BUNDLE_PHASE_SWITCHING ? 1000 : permille;
	n->value_max = 1000;
	add_text(m, "import.keep", xstrdup(model_str(m, "import.keep")), MODEL_TYPE_NOTE);
	if (s->phase != BUNDLE_PHASE_SWITCHING)
		add_action(m, "import.cancel", ICON_BACK);
}

/* (Only the last screen has a symbol over its heading: the others need the
 * room for what they say.) */

/* What went wrong, for staff: what happened and what to do. */
static const char *failure_key(const struct import_state *s)
{
	if (s->stick_gone)
		return "import.err.stick";
	switch (s->err) {
	case BUNDLE_ERR_SIGNER: return "import.err.signer";
	case BUNDLE_ERR_SIGNATURE:
	case BUNDLE_ERR_MEMBER: return "import.err.changed";
	case BUNDLE_ERR_CANCELLED: return "import.err.cancelled";
	case BUNDLE_ERR_REFUSED: return "import.err.refused";
	case BUNDLE_ERR_IO: return "import.err.io";
	default: return "import.err.format";
	}
}

static void build_failed(struct model *m)
{
	const struct import_state *s = &m->import;
	add_heading(m, s->err == BUNDLE_ERR_CANCELLED && !s->stick_gone ? "import.stopped"
									 : "import.failed",
		    NULL);
	add_text(m, "import.what", xstrdup(model_str(m, failure_key(s))), MODEL_TYPE_LEAD);
	add_text(m, "import.nothing", xstrdup(model_str(m, "import.nothing")), MODEL_TYPE_BODY);
	if (s->detail[0] && s->err != BUNDLE_ERR_CANCELLED)
		add_text(m, "import.detail", xstrdup(s->detail), MODEL_TYPE_NOTE);
	add_action(m, "import.done", ICON_CHECK);
}

void import_build(struct model *m)
{
	const struct import_state *s = &m->import;
	model_add_top_bar(m, "import.title", true);
	switch (s->step) {
	case IMPORT_READY: build_ready(m); break;
	case IMPORT_INSTALLING: build_installing(m); break;
	case IMPORT_DONE: {
		add_heading(m, "import.done.title", ICON_CHECK);
		char *text = str_format_var(model_str(m, "import.done.text"), "{version}",
					    (long)s->info.version);
		add_text(m, "import.done.text", text, MODEL_TYPE_LEAD);
		add_action(m, "import.done", ICON_HOME);
		break;
	}
	case IMPORT_FAILED: build_failed(m); break;
	default: /* checking */
		add_heading(m, "import.checking.title", ICON_HOURGLASS);
		add_text(m, "import.checking.text", xstrdup(model_str(m, "import.checking.text")),
			 MODEL_TYPE_BODY);
		add_action(m, "import.cancel", ICON_BACK);
		break;
	}
}

void import_free(struct model *m) { forget_preview(&m->import); }
