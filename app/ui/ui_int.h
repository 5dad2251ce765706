/* ui: private parts shared by the files of the UI module. */
#ifndef KIOSK_UI_INT_H
#define KIOSK_UI_INT_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kiosk/core.h"
#include "kiosk/media.h"
#include "kiosk/model.h"
#include "kiosk/speech.h"
#include "kiosk/ui.h"

struct page_block;

/* ---- theme.c: the colour tokens of LOOK.md ---- */
struct theme {
	SDL_Color bg, surface, surface_border, text, muted, border, focus_outer, focus_inner;
	SDL_Color selected_fill, on_selected;
	SDL_Color tone[4];     /* per enum model_tone: the area's strong colour */
	SDL_Color on_tone[4];  /* text on that colour */
	int surface_border_px; /* 0 normally, 3 in high contrast */
};

void theme_get(struct theme *t, bool high_contrast);
/* WCAG 2 contrast ratio of two colours (1..21). */
double theme_contrast(SDL_Color a, SDL_Color b);

/* ---- text.c: fonts, paragraph layout and the texture cache ---- */
enum text_face {
	TEXT_FACE_REGULAR,
	TEXT_FACE_BOLD,
	TEXT_FACE_ITALIC,
	TEXT_FACE_BOLD_ITALIC,
	TEXT_FACE_ICON,
};

/* One run of styled text, the unit the layout takes. */
struct text_run {
	const char *text;
	enum text_face face;
};

struct text_style {
	int px;                /* font size in pixels */
	SDL_Color color;
	int line_height_pct;   /* 150 for body text */
	bool rtl;              /* the paragraph's base direction is right to left */
	bool center;           /* centre each line (titles, buttons) */
};

struct text_laid;

/* A laid-out paragraph; owned by the cache.  Its pixels are made in chunks
 * of lines when text_draw() first shows them. */
struct text_block {
	struct text_laid *laid; /* NULL for empty text */
	int w, h;
	int lines;
};

struct text;

/* font_dir: where noto/ and material-design-icons-iconfont/ are.  Returns
 * NULL (and logs which font is missing) when the body font cannot open. */
struct text *text_new(SDL_Renderer *ren, const char *font_dir);
void text_free(struct text *t);
/* Lays out the runs within max_w pixels (wrapping by words) and returns the
 * cached result; the same content, style and width is laid out only once.
 * Borrowed: valid until text_cache_trim() or text_free(). */
const struct text_block *text_layout(struct text *t, const struct text_run *runs, size_t n_runs,
				     const struct text_style *style, int max_w);
/* Draws b with its top left at x, y: only the chunks of lines that meet
 * clip (NULL: all), each made into a texture when first drawn; textures
 * least recently drawn are dropped when the budget is spent. */
void text_draw(struct text *t, const struct text_block *b, int x, int y, const SDL_Rect *clip);
/* Convenience for one run. */
const struct text_block *text_simple(struct text *t, const char *s, enum text_face face,
				     const struct text_style *style, int max_w);
/* The same for a text that changes many times a second (a film's clock):
 * one slot, replaced when the text changes, outside the cache.  Borrowed
 * until the next call. */
const struct text_block *text_scratch(struct text *t, const char *s, enum text_face face,
				      const struct text_style *style, int max_w);
/* Width of one line of text without wrapping. */
int text_measure(struct text *t, const char *s, enum text_face face, int px);
/* s cut at a word boundary, with "…", so that it fits max_w on one line;
 * s itself when it fits.  Caller frees. */
char *text_fit_line(struct text *t, const char *s, enum text_face face, int px, int max_w);
/* Drops entries not used since the last trim (call after a screen change). */
void text_cache_trim(struct text *t);

/* ---- layout.c: geometry for the tree ---- */
/* How a node's background is drawn. */
enum box_look {
	LOOK_TEXT,     /* text only, no background */
	LOOK_OUTLINE,  /* a surface button with a border (top bar) */
	LOOK_CHIP,     /* a language chip; selected: filled */
	LOOK_TILE,     /* a big coloured home tile */
	LOOK_ROW,      /* a list row on the surface colour */
	LOOK_PRIMARY,  /* a filled button in the area's colour */
	LOOK_OPTION,   /* a survey answer card; selected: tinted, thick border, check */
	LOOK_KEY,      /* a key of the on-screen keyboard */
	LOOK_INPUT,    /* a text field */
	LOOK_CARD,     /* a film card: still on top, words below */
	LOOK_VIDEO,    /* the film itself */
	LOOK_SLIDER,   /* a track with a thumb (seek, volume) */
	LOOK_CONTROL,  /* a round button on the film's dark band */
	LOOK_PICTURE,  /* a page's picture, at most the column's width */
};

struct box {
	SDL_Rect r;            /* screen coordinates (body: content coordinates) */
	bool in_body;          /* scrolls with the body viewport */
	enum box_look look;
	const struct text_block *label, *detail, *icon; /* borrowed from the text cache */
	SDL_Point label_at, detail_at, icon_at;         /* relative to r */
	SDL_Texture *image;                             /* borrowed from the image cache */
	SDL_Rect image_at;                              /* relative to r */
};

struct metrics {
	double s;              /* min(w, h) / 1080 */
	double ts;             /* s * text scale */
	int target;            /* the smallest touch target: 2 cm */
	int margin, gap;
	int body_px, lead_px, h1_px, h2_px, h3_px, note_px, button_px;
	int icon_px;
};

struct layout {
	struct metrics m;
	struct box *boxes;     /* parallel to the tree's nodes */
	size_t n;
	SDL_Rect viewport;     /* where the body scrolls */
	SDL_Rect column;       /* the reading column's card (content coordinates), or empty */
	SDL_Rect band;         /* the dark band under a film's controls (screen), or empty */
	int content_h;         /* height of the body's content */
	int top_h, bottom_h;
};

struct ui;
void layout_tree(struct ui *u);
/* The node's rectangle on screen now (scroll applied), clipped to what is
 * visible; false when nothing of it can be seen. */
bool layout_visible_rect(const struct ui *u, size_t i, SDL_Rect *out);
int layout_max_scroll(const struct ui *u);

/* ---- image.c: stills and pictures, loaded once ---- */
struct images;
struct images *images_new(SDL_Renderer *ren);
void images_free(struct images *im);
/* The picture at path as a texture kept at most keep_w wide (scaled down,
 * never up; the first request's width stays), or NULL (logged once) when it
 * cannot be read.  Borrowed: valid until images_free(). */
SDL_Texture *images_get(struct images *im, const char *path, int keep_w, int *w, int *h);

/* ---- video.c: the film on screen ---- */
/* Starts libvlc (in the background) once a film may be wanted. */
void video_prepare(struct ui *u);
/* Carries out the model's player commands. */
void video_run_commands(struct ui *u);
/* The player said something changed: pass it to the model, take the frame. */
void video_on_wake(struct ui *u);
/* When the film watchdog must look next (app clock), or 0; video_check()
 * then turns a film that shows no pictures into the player's error. */
uint64_t video_deadline(const struct ui *u);
void video_check(struct ui *u);
/* Where the current frame goes on screen; false when there is none. */
bool video_frame_rect(const struct ui *u, SDL_Rect *out);
void video_draw(struct ui *u, SDL_Rect box);
void video_free(struct ui *u);

/* ---- draw.c ---- */
void draw_frame(struct ui *u, const SDL_Rect *clip);
void draw_fill_round(SDL_Renderer *ren, SDL_Rect r, int radius, SDL_Color c);

/* ---- input.c: the one choke point for every input ---- */
enum ui_event_kind {
	UI_EV_PRESS,   /* finger or button down at x, y */
	UI_EV_MOVE,    /* finger moved to x, y */
	UI_EV_RELEASE, /* finger up at x, y */
	UI_EV_WHEEL,   /* scroll by dy pixels */
	UI_EV_KEY,     /* a key, by SDL name */
	UI_EV_TEXT,    /* typed text (UTF-8) */
};

struct ui_event {
	enum ui_event_kind kind;
	int x, y;
	int dy;
	const char *key;
	const char *text;
	uint64_t t;    /* on the app's clock */
};

void ui_input(struct ui *u, const struct ui_event *ev);
/* Runs scrolling inertia up to now; true while it is still moving. */
bool input_animate(struct ui *u, uint64_t now);

/* ---- ui.c ---- */
/* The damage list is short: a film and a progress bar far apart stay two
 * rectangles; beyond this many, the closest ones merge. */
#define UI_DAMAGE_MAX 8

struct ui {
	const struct config *cfg;
	const struct ui_options *opts;
	SDL_Window *win;
	SDL_Renderer *ren;
	bool software;         /* drawing into the window surface */
	bool fullscreen;       /* covering the display (follows it when it changes) */
	int w, h;
	struct model *model;
	const struct model_tree *tree;
	unsigned laid_generation;
	bool layout_stale;     /* the window's size changed: lay out again */
	struct theme theme;
	struct text *text;
	struct layout layout;
	const struct text_block *check_icon; /* drawn on chosen answers */

	double scroll;         /* body scroll offset, pixels */
	SDL_Rect damage[UI_DAMAGE_MAX]; /* what changed since the last frame */
	int n_damage;
	bool drawing;          /* inside ui_frame(): never re-entered */
	FILE *frame_log;       /* KIOSK_FRAME_LOG: one line per frame */

	/* gesture state (input.c) */
	bool pressed;
	SDL_FingerID finger;   /* the finger being followed */
	int press_x, press_y, last_y;
	uint64_t press_t;
	int press_node;        /* node under the finger at press, or -1 */
	bool dragging;
	double velocity;       /* px per ms, for inertia */
	uint64_t last_move_t;
	bool flinging;
	uint64_t fling_t;

	struct images *images;
	/* the film (video.c) */
	struct media *media;
	SDL_Texture *video_tex;
	int video_w, video_h;  /* the texture's size */
	bool has_frame;
	int video_node;        /* index of player.video in the tree, or -1 */
	bool film_watch;       /* a film should be showing pictures (the watchdog) */
	bool film_opening;     /* … its first one */
	uint64_t film_alive_ms; /* real time of its last sign of life */
	uint64_t film_frames_seen;
	bool sliding;          /* the finger drags a slider */
	bool no_media;         /* never start libvlc (the proof sheet shows stills only) */
	bool fast_png;         /* screenshots at zlib's fastest level (the proof sheet) */

	/* work beside the screen and the one wake (ui.c) */
	struct jobs *jobs;     /* speech, and later import, sync, PIN, export */
	struct wake wake;      /* handed down to jobs and media */
	Uint32 wake_event;     /* the one SDL event type of every wake */
	atomic_bool wake_pending[WAKE_SOURCE_COUNT]; /* posted and not yet handled */

	/* the sync rhythm (syncing.c) */
	struct {
		const char *kiosk_id;  /* borrowed; NULL: no sync */
		uint64_t due_ms;       /* the next pass (app clock), 0: none waiting */
		uint64_t started_ms;
		int failures;          /* passes in a row that could not reach the server */
		struct net_watch *net;
	} sync;

	/* the service watchdog (watchdog.c) */
	uint64_t watchdog_every_ms; /* 0: no watchdog */
	uint64_t watchdog_due_ms;

	/* bundles from sticks (sticks.c) */
	struct stick_watch *sticks; /* NULL: none are watched (no database) */

	/* speech (ui.c) */
	uint64_t speech_job;   /* the newest speech asked for; older sound is dropped */
	SDL_AudioDeviceID audio;
	int audio_rate;

	enum model_screen reported_screen;
	bool script_mode;
	bool quit;
};

/* Starts SDL, opens the window (u->cfg's size, u->opts' mode) and draws
 * the first frame; u holds cfg, opts, model, w and h.  -1 (logged) when it
 * cannot; ui_close() then cleans up what was opened, as it always must. */
int ui_open(struct ui *u);
void ui_close(struct ui *u);
/* Marks a rectangle (screen coordinates) to be redrawn and presented. */
void ui_damage(struct ui *u, SDL_Rect r);
void ui_damage_all(struct ui *u);
/* Brings the layout up to date with the model and marks what changed;
 * draws nothing.  Handlers call it before they hit-test. */
void ui_sync(struct ui *u);
/* The end of a turn of the loop: sync, then draw and present the damage,
 * once.  The only place that draws. */
void ui_frame(struct ui *u);
/* Reports a changed screen on standard output in script mode. */
void ui_report_screen(struct ui *u);
/* Writes the window's pixels as a PNG. Returns 0 or -1. */
int ui_screenshot(struct ui *u, const char *path);
/* Lets time pass on the app's clock up to target, running timers and
 * inertia in order (scripted runs). */
void ui_advance_to(struct ui *u, uint64_t target);
/* Handles the SDL events waiting now (input, wakes). */
void ui_drain_events(struct ui *u);
/* Handles SDL events and timers for up to ms of real time. */
void ui_pump(struct ui *u, uint32_t ms);

/* ---- script.c ---- */
/* Runs the script; returns an exit code. */
int script_run(struct ui *u, const char *path);

/* ---- sticks.c: bundles from USB sticks, between watch, model and jobs ---- */
struct job_result;
void sticks_start(struct ui *u);
void sticks_stop(struct ui *u);
void sticks_on_wake(struct ui *u);
void sticks_on_result(struct ui *u, const struct job_result *r);
/* The import's progress, read on every jobs wake. */
void sticks_progress(struct ui *u);
/* The model's import commands, passed to the job seam. */
void sticks_requests(struct ui *u);

/* ---- syncing.c: the sync rhythm ---- */
void syncing_start(struct ui *u, const char *kiosk_id);
void syncing_stop(struct ui *u);
uint64_t syncing_deadline(const struct ui *u);
void syncing_timer(struct ui *u, uint64_t now);
void syncing_on_result(struct ui *u, const struct job_result *r);
void syncing_on_net(struct ui *u);
/* A pass now (the admin area's admin.sync); its outcome goes to the model. */
void syncing_now(struct ui *u);

/* ---- watchdog.c: systemd's watchdog and readiness ---- */
/* After the first frame: READY=1, and the rhythm of WATCHDOG=1. */
void watchdog_start(struct ui *u);
/* The next sign of life on the app clock (0 in a scripted run, whose clock
 * is virtual), and in real ms from now (UINT32_MAX: none). */
uint64_t watchdog_deadline(const struct ui *u);
uint32_t watchdog_wait_ms(const struct ui *u);
void watchdog_timer(struct ui *u);

#endif
