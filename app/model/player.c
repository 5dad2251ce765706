/* Films: the list of films and the player screen.  The model decides what
 * should play and queues commands; ui/ carries them out with media/ and
 * reports back with model_film_status().  Controls fade while a film plays
 * and come back with a touch; a film that ends offers the next one and
 * returns to where it was opened by itself. */
#include "model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/content.h"
#include "kiosk/core.h"

#define LOG_MODULE "player"

#define CONTROLS_MS 5000     /* controls stay this long after a touch */
#define ENDED_OFFER_MS 15000 /* the next film is offered this long */
#define SKIP_MS 10000        /* rewind and forward */
#define INCOMPLETE_MS 5000   /* an end this long before the end is a broken file */

#define ICON_PLAY "\xee\x80\xb7"     /* e037 play_arrow */
#define ICON_PAUSE "\xee\x80\xb4"    /* e034 pause */
#define ICON_REPLAY10 "\xee\x81\x99" /* e059 replay_10 */
#define ICON_FORWARD10 "\xee\x81\x96" /* e056 forward_10 */
#define ICON_SUBTITLES "\xee\x81\x88" /* e048 subtitles */
#define ICON_VOLUME "\xee\x81\x90"   /* e050 volume_up */
#define ICON_MOVIE "\xee\x80\xac"    /* e02c movie */

void player_defaults(struct player *p, bool subtitles)
{
	p->subtitles = subtitles; /* on unless configured off (DESIGN.md §7) */
	p->volume = 80;
}

void player_reset(struct player *p, bool subtitles)
{
	memset(p, 0, sizeof *p);
	player_defaults(p, subtitles);
}

static struct model_media_cmd *enqueue(struct model *m, enum model_media_op op)
{
	struct player *p = &m->player;
	if (p->n_queued == (int)(sizeof p->queue / sizeof p->queue[0])) {
		/* The UI drains the queue after every event: this is a bug. */
		LOG_ERR("player command queue full; dropping the oldest");
		memmove(p->queue, p->queue + 1, sizeof p->queue - sizeof p->queue[0]);
		p->n_queued--;
	}
	struct model_media_cmd *c = &p->queue[p->n_queued++];
	memset(c, 0, sizeof *c);
	c->op = op;
	return c;
}

bool model_take_media_cmd(struct model *m, struct model_media_cmd *out)
{
	struct player *p = &m->player;
	if (!p->n_queued)
		return false;
	*out = p->queue[0];
	memmove(p->queue, p->queue + 1, (size_t)(p->n_queued - 1) * sizeof p->queue[0]);
	p->n_queued--;
	return true;
}

static const struct content_film *current(const struct model *m)
{
	return m->player.film[0] ? content_film_find(m->content, m->player.film) : NULL;
}

/* The subtitles in the interface's language, else German (DESIGN.md §4). */
static void subtitles_path(const struct model *m, const struct content_film *f, char *out,
			   size_t size)
{
	out[0] = '\0';
	if (!m->player.subtitles || !f)
		return;
	bool fell_back;
	const char *rel = content_i18n_get(&f->subtitles, m->lang, &fell_back);
	if (!rel || !*rel)
		return;
	char *abs = content_media_path(m->content, rel);
	snprintf(out, size, "%s", abs);
	free(abs);
}

static void show_controls(struct model *m)
{
	struct player *p = &m->player;
	if (!p->controls)
		model_changed(m);
	p->controls = true;
	p->controls_until = m->now + CONTROLS_MS;
}

void player_open(struct model *m, const char *film_id)
{
	const struct content_film *f = content_film_find(m->content, film_id);
	if (!f)
		return;
	struct player *p = &m->player;
	snprintf(p->film, sizeof p->film, "%s", f->id);
	p->state = MODEL_FILM_OPENING;
	p->position_ms = 0;
	p->duration_ms = (int64_t)f->duration_s * 1000;
	p->ended_at = 0;
	struct model_media_cmd *c = enqueue(m, MODEL_MEDIA_PLAY);
	char *path = content_media_path(m->content, f->file);
	snprintf(c->path, sizeof c->path, "%s", path);
	free(path);
	subtitles_path(m, f, c->subtitles, sizeof c->subtitles);
	enqueue(m, MODEL_MEDIA_VOLUME)->value = p->volume;
	show_controls(m);
	if (m->screen != MODEL_SCREEN_PLAYER)
		model_go(m, MODEL_SCREEN_PLAYER);
	model_changed(m);
}

void player_close(struct model *m)
{
	struct player *p = &m->player;
	if (p->film[0])
		enqueue(m, MODEL_MEDIA_STOP);
	p->film[0] = '\0';
	p->state = MODEL_FILM_NONE;
	p->controls = false;
}

static void seek_to(struct model *m, int64_t ms)
{
	struct player *p = &m->player;
	if (ms < 0)
		ms = 0;
	if (p->duration_ms > 0 && ms > p->duration_ms)
		ms = p->duration_ms;
	p->position_ms = ms;
	enqueue(m, MODEL_MEDIA_SEEK)->ms = ms;
	model_changed(m);
}

/* The film after this one in the content's order, or NULL. */
static const struct content_film *next_film(const struct model *m)
{
	const struct content_film *f = current(m);
	for (size_t i = 0; f && i + 1 < m->content->n_films; i++)
		if (&m->content->films[i] == f)
			return &m->content->films[i + 1];
	return NULL;
}

bool player_activate(struct model *m, const char *id)
{
	struct player *p = &m->player;
	if (strncmp(id, "player.", 7) != 0)
		return false;
	show_controls(m);
	const char *what = id + 7;
	if (strcmp(what, "play") == 0) {
		if (p->state == MODEL_FILM_ENDED)
			player_open(m, p->film);
		else
			enqueue(m, MODEL_MEDIA_RESUME);
	} else if (strcmp(what, "pause") == 0) {
		enqueue(m, MODEL_MEDIA_PAUSE);
	} else if (strcmp(what, "rewind") == 0) {
		seek_to(m, p->position_ms - SKIP_MS);
	} else if (strcmp(what, "forward") == 0) {
		seek_to(m, p->position_ms + SKIP_MS);
	} else if (strcmp(what, "subtitles") == 0) {
		p->subtitles = !p->subtitles;
		struct model_media_cmd *c = enqueue(m, MODEL_MEDIA_SUBTITLES);
		subtitles_path(m, current(m), c->subtitles, sizeof c->subtitles);
		model_changed(m);
	} else if (strcmp(what, "next") == 0 && next_film(m)) {
		player_open(m, next_film(m)->id);
	}
	return true;
}

void model_slide(struct model *m, const char *id, int fraction, uint64_t now_ms)
{
	model_user_activity(m, now_ms);
	if (m->screen != MODEL_SCREEN_PLAYER)
		return;
	struct player *p = &m->player;
	fraction = fraction < 0 ? 0 : fraction > 1000 ? 1000 : fraction;
	show_controls(m);
	if (strcmp(id, "player.seek") == 0 && p->duration_ms > 0) {
		seek_to(m, p->duration_ms * fraction / 1000);
	} else if (strcmp(id, "player.volume") == 0) {
		p->volume = fraction / 10;
		enqueue(m, MODEL_MEDIA_VOLUME)->value = p->volume;
		model_changed(m);
	}
}

/* Patches the position into the tree without a new layout: it changes many
 * times a second, and only the video and the seek bar show it. */
static void patch_position(struct model *m)
{
	for (size_t i = 0; i < m->tree.n_nodes; i++) {
		struct model_node *n = &m->tree.nodes[i];
		if (strcmp(n->id, "player.video") == 0 || strcmp(n->id, "player.seek") == 0) {
			n->value = (int)m->player.position_ms;
			n->value_max = (int)m->player.duration_ms;
		}
	}
}

void model_film_status(struct model *m, enum model_film_state state, int64_t position_ms,
		       int64_t duration_ms, uint64_t now_ms)
{
	struct player *p = &m->player;
	m->now = now_ms;
	if (!p->film[0] || m->screen != MODEL_SCREEN_PLAYER)
		return;
	if (state == MODEL_FILM_PLAYING || state == MODEL_FILM_OPENING)
		m->last_activity = now_ms; /* a film plays: nobody is idle */
	int64_t length = duration_ms > 0 ? duration_ms : p->duration_ms;
	if (state == MODEL_FILM_ENDED && p->state != MODEL_FILM_ENDED &&
	    p->position_ms + INCOMPLETE_MS < length) {
		/* An end long before the end: the file is cut short or damaged. */
		LOG_ERR("film %s ended at %lld of %lld ms: the file is incomplete or damaged",
			p->film, (long long)p->position_ms, (long long)length);
		state = MODEL_FILM_ERROR;
	} else if (state == MODEL_FILM_ERROR && p->state != MODEL_FILM_ERROR) {
		LOG_ERR("film %s cannot be played", p->film);
	}
	if (state == MODEL_FILM_ENDED && p->state != MODEL_FILM_ENDED)
		p->ended_at = now_ms;
	bool changed_state = state != p->state;
	p->state = state;
	p->position_ms = state == MODEL_FILM_ENDED && duration_ms > 0 ? duration_ms : position_ms;
	if (duration_ms > 0)
		p->duration_ms = duration_ms;
	if (changed_state) {
		if (state != MODEL_FILM_PLAYING)
			p->controls = true; /* paused, ended, failed: the controls stay */
		model_changed(m);
	} else {
		patch_position(m);
	}
}

bool model_first_film(const struct model *m, char *path, size_t size)
{
	const struct content_film *f = m->content && m->content->n_films ? &m->content->films[0]
									 : NULL;
	if (m->player.film[0])
		f = current(m); /* a film is chosen already: that one */
	if (!f)
		return false;
	char *abs = content_media_path(m->content, f->file);
	snprintf(path, size, "%s", abs);
	free(abs);
	return true;
}

bool player_busy(const struct model *m)
{
	return m->screen == MODEL_SCREEN_PLAYER &&
	       (m->player.state == MODEL_FILM_PLAYING || m->player.state == MODEL_FILM_OPENING);
}

void player_tick(struct model *m)
{
	struct player *p = &m->player;
	if (m->screen != MODEL_SCREEN_PLAYER)
		return;
	if (p->controls && p->state == MODEL_FILM_PLAYING && m->now >= p->controls_until) {
		p->controls = false;
		model_changed(m);
	}
	if (p->state == MODEL_FILM_ENDED && p->ended_at && m->now >= p->ended_at + ENDED_OFFER_MS)
		model_back(m, m->last_activity); /* its task is done: back where it was opened */
}

uint64_t player_deadline(const struct model *m)
{
	const struct player *p = &m->player;
	if (m->screen != MODEL_SCREEN_PLAYER)
		return 0;
	if (p->controls && p->state == MODEL_FILM_PLAYING)
		return p->controls_until;
	if (p->state == MODEL_FILM_ENDED && p->ended_at)
		return p->ended_at + ENDED_OFFER_MS;
	return 0;
}

/* ---- Trees ---- */

/* "1:10 Min.": the film's length as its card shows it. */
static char *duration_text(const struct model *m, int seconds)
{
	char time[32];
	snprintf(time, sizeof time, "%d:%02d", seconds / 60, seconds % 60);
	return str_replace_var(model_str(m, "films.duration"), "{time}", time);
}

void films_build(struct model *m)
{
	model_add_top_bar(m, "films.title", true);
	size_t n = m->content ? m->content->n_films : 0;
	for (size_t i = 0; i < n; i++) {
		const struct content_film *f = &m->content->films[i];
		char id[80];
		snprintf(id, sizeof id, "films.%s", f->id);
		struct model_node *node = tree_add(&m->tree, id, MODEL_ROLE_BUTTON, MODEL_SLOT_BODY,
						   content_i18n_get(&f->title, m->lang, NULL));
		node->detail = duration_text(m, f->duration_s);
		node->image = content_media_path(m->content, f->still);
		node->tone = MODEL_TONE_FILMS;
		node->icon = ICON_PLAY;
	}
	if (n == 0) {
		struct model_node *node = model_add(m, "soon.title", MODEL_ROLE_HEADING,
						    MODEL_SLOT_BODY, "soon.title");
		node->type = MODEL_TYPE_H1;
		node->icon = ICON_MOVIE;
		node->tone = MODEL_TONE_FILMS;
		model_add(m, "soon.text", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "soon.text")->type =
			MODEL_TYPE_LEAD;
	}
}

static struct model_node *control(struct model *m, const char *id, const char *key,
				  const char *icon)
{
	struct model_node *n = model_add(m, id, MODEL_ROLE_BUTTON, MODEL_SLOT_CONTROLS, key);
	n->icon = icon;
	return n;
}

void player_build(struct model *m)
{
	struct player *p = &m->player;
	const struct content_film *f = current(m);
	/* A slim top bar: back leaves the player, as nav.back does elsewhere. */
	struct model_node *n = model_add(m, "player.back", MODEL_ROLE_BUTTON, MODEL_SLOT_NAV,
					 "nav.back");
	n->icon = "\xee\x97\x84";
	model_add(m, "nav.home", MODEL_ROLE_BUTTON, MODEL_SLOT_NAV, "nav.home")->icon =
		"\xee\xa2\x8a";
	n = tree_add(&m->tree, "title", MODEL_ROLE_HEADING, MODEL_SLOT_TITLE,
		     f ? content_i18n_get(&f->title, m->lang, NULL) : "");
	n->type = MODEL_TYPE_H2;
	model_add_tools(m);

	n = tree_add(&m->tree, "player.video", MODEL_ROLE_VIDEO, MODEL_SLOT_BODY,
		     f ? content_i18n_get(&f->title, m->lang, NULL) : "");
	n->value = (int)p->position_ms;
	n->value_max = (int)p->duration_ms;
	if (p->state == MODEL_FILM_ERROR) {
		n = model_add(m, "player.error", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, "player.error");
		n->icon = "\xee\x80\x81";
		n->type = MODEL_TYPE_LEAD;
		return;
	}
	if (!p->controls)
		return;
	if (p->state == MODEL_FILM_ENDED && next_film(m)) {
		n = control(m, "player.next", NULL, ICON_PLAY);
		free(n->label);
		n->label = xasprintf("%s: %s", model_str(m, "player.next"),
				     content_i18n_get(&next_film(m)->title, m->lang, NULL));
		n->tone = MODEL_TONE_FILMS;
	}
	control(m, "player.rewind", "player.rewind", ICON_REPLAY10);
	bool playing = p->state == MODEL_FILM_PLAYING || p->state == MODEL_FILM_OPENING;
	n = control(m, playing ? "player.pause" : "player.play",
		    playing ? "player.pause" : "player.play", playing ? ICON_PAUSE : ICON_PLAY);
	n->tone = MODEL_TONE_FILMS;
	control(m, "player.forward", "player.forward", ICON_FORWARD10);
	n = model_add(m, "player.seek", MODEL_ROLE_SLIDER, MODEL_SLOT_CONTROLS, "player.seek");
	n->value = (int)p->position_ms;
	n->value_max = (int)p->duration_ms;
	control(m, "player.subtitles", "player.subtitles", ICON_SUBTITLES)->selected = p->subtitles;
	n = model_add(m, "player.volume", MODEL_ROLE_SLIDER, MODEL_SLOT_CONTROLS, "player.volume");
	n->icon = ICON_VOLUME;
	n->value = p->volume;
	n->value_max = 100;
}
