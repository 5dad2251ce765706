/* Input: every touch, click, key and script line passes ui_input(), the one
 * choke point where input becomes the model's events (and where a session
 * could be recorded).  A press that moves becomes a drag that scrolls the
 * body; a quick release flings it on with inertia; a press that stays is a
 * tap on what lies beneath, activated on release. */
#include "ui_int.h"

#include <math.h>
#include <string.h>

/* A finger may wander this far (in cm) and still tap. */
#define TAP_SLOP_CM 0.4
/* Inertia: velocity decays with this time constant (ms). */
#define FLING_TAU_MS 325.0
#define FLING_MIN_SPEED 0.05 /* px per ms: slower than this and it stops */
/* The hidden admin corner: a press held this long is no tap. */
#define CORNER_HOLD_MS 3000

static int hit_test(const struct ui *u, int x, int y)
{
	SDL_Point p = {x, y};
	for (size_t i = u->layout.n; i-- > 0;) {
		const struct model_node *n = &u->tree->nodes[i];
		/* In speech mode everything can be touched to hear it. */
		if (n->role != MODEL_ROLE_BUTTON && n->role != MODEL_ROLE_OPTION &&
		    n->role != MODEL_ROLE_SLIDER && n->role != MODEL_ROLE_VIDEO &&
		    !model_speech_mode(u->model))
			continue;
		if (!n->enabled)
			continue;
		SDL_Rect r;
		if (layout_visible_rect(u, i, &r) && SDL_PointInRect(&p, &r))
			return (int)i;
	}
	return -1;
}

static int find_node(const struct ui *u, const char *id)
{
	for (size_t i = 0; i < u->layout.n; i++)
		if (strcmp(u->tree->nodes[i].id, id) == 0)
			return (int)i;
	return -1;
}

static void damage_node(struct ui *u, int i)
{
	SDL_Rect r;
	if (i >= 0 && (size_t)i < u->layout.n && layout_visible_rect(u, (size_t)i, &r))
		ui_damage(u, r);
}

static void scroll_to(struct ui *u, double y)
{
	double max = layout_max_scroll(u);
	if (y < 0)
		y = 0;
	if (y > max)
		y = max;
	if (fabs(y - u->scroll) < 0.01)
		return;
	u->scroll = y;
	ui_damage(u, u->layout.viewport);
}

static bool in_viewport(const struct ui *u, int x, int y)
{
	SDL_Point p = {x, y};
	return SDL_PointInRect(&p, &u->layout.viewport);
}

/* A slider takes the finger's place along its track (0 … 1000). */
static void slide(struct ui *u, int x, uint64_t t)
{
	int i = u->press_node;
	SDL_Rect r;
	if (i < 0 || !layout_visible_rect(u, (size_t)i, &r) || r.w <= 0)
		return;
	const struct box *b = &u->layout.boxes[i];
	int x0 = r.x + (b->icon ? b->icon->w : 0), w = r.w - (b->icon ? b->icon->w : 0);
	int f = w > 0 ? (x - x0) * 1000 / w : 0;
	if (u->tree->rtl)
		f = 1000 - f;
	char id[64];
	snprintf(id, sizeof id, "%s", u->tree->nodes[i].id); /* the tree may be rebuilt */
	model_slide(u->model, id, f, t);
}

static void on_press(struct ui *u, const struct ui_event *ev)
{
	u->pressed = true;
	u->dragging = false;
	u->flinging = false;
	u->velocity = 0;
	u->press_x = ev->x, u->press_y = ev->y, u->last_y = ev->y;
	u->press_t = u->last_move_t = ev->t;
	u->press_node = hit_test(u, ev->x, ev->y);
	u->sliding = u->press_node >= 0 && u->tree->nodes[u->press_node].role == MODEL_ROLE_SLIDER;
	if (u->sliding)
		slide(u, ev->x, ev->t);
	damage_node(u, u->press_node);
}

static void on_move(struct ui *u, const struct ui_event *ev)
{
	if (!u->pressed)
		return;
	if (u->sliding) {
		slide(u, ev->x, ev->t);
		return;
	}
	double slop = TAP_SLOP_CM * config_px_per_cm(u->cfg);
	if (!u->dragging && hypot(ev->x - u->press_x, ev->y - u->press_y) > slop) {
		u->dragging = true;
		damage_node(u, u->press_node); /* no longer pressed */
	}
	if (!u->dragging)
		return;
	if (in_viewport(u, u->press_x, u->press_y)) {
		int dy = ev->y - u->last_y;
		scroll_to(u, u->scroll - dy);
		uint64_t dt = ev->t > u->last_move_t ? ev->t - u->last_move_t : 1;
		/* Smooth the velocity so one jittery sample does not decide the fling. */
		double v = -dy / (double)dt;
		u->velocity = 0.6 * v + 0.4 * u->velocity;
	}
	u->last_y = ev->y;
	u->last_move_t = ev->t;
}

static bool in_admin_corner(const struct ui *u, int x, int y)
{
	/* The physical top-left corner, whatever the language's direction. */
	return x < 120 && y < 120;
}

static void on_release(struct ui *u, const struct ui_event *ev)
{
	if (!u->pressed)
		return;
	on_move(u, ev);
	u->pressed = false;
	if (u->sliding) {
		u->sliding = false;
		u->press_node = -1;
		return;
	}
	int node = u->press_node;
	u->press_node = -1;
	damage_node(u, node);
	if (u->dragging) {
		/* A finger that stopped before lifting does not fling. */
		if (ev->t - u->last_move_t < 100 && fabs(u->velocity) > FLING_MIN_SPEED) {
			u->flinging = true;
			u->fling_t = ev->t;
		}
		return;
	}
	if (ev->t - u->press_t >= CORNER_HOLD_MS && in_admin_corner(u, u->press_x, u->press_y)) {
		model_admin_press(u->model, ev->t); /* no tap on what lies beneath */
		return;
	}
	if (node >= 0 && hit_test(u, ev->x, ev->y) == node)
		model_activate(u->model, u->tree->nodes[node].id, ev->t);
}

bool input_animate(struct ui *u, uint64_t now)
{
	if (!u->flinging)
		return false;
	double dt = (double)(now - u->fling_t);
	if (dt <= 0)
		return true;
	/* Exact integral of an exponentially decaying velocity over dt. */
	double decay = exp(-dt / FLING_TAU_MS);
	double dist = u->velocity * FLING_TAU_MS * (1 - decay);
	double before = u->scroll;
	scroll_to(u, u->scroll + dist);
	u->velocity *= decay;
	u->fling_t = now;
	if (fabs(u->velocity) < FLING_MIN_SPEED || u->scroll == before)
		u->flinging = false;
	return u->flinging;
}

/* The player's key: Space plays and pauses. */
static bool on_player_key(struct ui *u, const char *k, uint64_t t)
{
	if (strcmp(k, "Space") != 0)
		return false;
	model_activate(u->model, find_node(u, "player.pause") >= 0 ? "player.pause" : "player.play",
		       t);
	return true;
}

/* The keypad: arrows and Tab walk the focus in reading order, Enter acts
 * on it, Escape goes back; page keys scroll. */
static void on_key(struct ui *u, const struct ui_event *ev)
{
	const char *k = ev->key;
	int page = u->layout.viewport.h * 8 / 10;
	const char *focus = model_focused(u->model);
	if (strcmp(k, "Escape") == 0 || strcmp(k, "AC Back") == 0)
		model_back(u->model, ev->t);
	else if (model_screen(u->model) == MODEL_SCREEN_PLAYER && on_player_key(u, k, ev->t))
		;
	else if (!strcmp(k, "Tab") || !strcmp(k, "Down") || !strcmp(k, "Right"))
		model_focus_move(u->model, +1, ev->t);
	else if (!strcmp(k, "Up") || !strcmp(k, "Left"))
		model_focus_move(u->model, -1, ev->t);
	else if ((!strcmp(k, "Return") || !strcmp(k, "Keypad Enter") || !strcmp(k, "Space")) && focus) {
		char id[64];
		snprintf(id, sizeof id, "%s", focus); /* the tree changes under it */
		model_activate(u->model, id, ev->t);
	} else if (strcmp(k, "Backspace") == 0)
		model_activate(u->model, "kbd.backspace", ev->t);
	else if (strcmp(k, "PageDown") == 0 || strcmp(k, "Space") == 0)
		scroll_to(u, u->scroll + page);
	else if (strcmp(k, "PageUp") == 0)
		scroll_to(u, u->scroll - page);
	else if (strcmp(k, "Home") == 0)
		scroll_to(u, 0);
	else if (strcmp(k, "End") == 0)
		scroll_to(u, layout_max_scroll(u));
	else
		model_user_activity(u->model, ev->t);
}

void ui_input(struct ui *u, const struct ui_event *ev)
{
	/* Hit-tests see the screen as the model has it now (an earlier event
	 * of this turn may have changed it); drawing waits for the turn's end. */
	ui_sync(u);
	/* Every input says a person is there; the idle warning ends with it. */
	enum model_screen before = model_screen(u->model);
	bool dark = model_dark(u->model);
	model_user_activity(u->model, ev->t);
	if ((model_screen(u->model) != before || dark) && ev->kind == UI_EV_PRESS)
		return; /* that touch answered the idle warning or woke the screen; it taps
			 * nothing else */
	switch (ev->kind) {
	case UI_EV_PRESS: on_press(u, ev); break;
	case UI_EV_MOVE: on_move(u, ev); break;
	case UI_EV_RELEASE: on_release(u, ev); break;
	case UI_EV_WHEEL:
		u->flinging = false;
		scroll_to(u, u->scroll + ev->dy);
		break;
	case UI_EV_KEY: on_key(u, ev); break;
	case UI_EV_TEXT: model_type_text(u->model, ev->text, ev->t); break;
	}
}
