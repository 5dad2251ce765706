/* model: what is on the screen and what a tap does, without a display.
 *
 * The model takes events (a widget activated, back, any touch, the clock)
 * and keeps the state of one resident's session: the screen, the language,
 * text size and contrast, the topic being read, the idle countdown.  From
 * that state it builds a logical tree of widgets (id, role, label, state,
 * reading order) that ui/ gives geometry, draws, hit-tests and dumps, and
 * that speech and keypad focus will walk.  Nothing here knows SDL.
 */
#ifndef KIOSK_MODEL_H
#define KIOSK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct content;
struct page_block;
struct store;

enum model_screen {
	MODEL_SCREEN_HOME,           /* the three big entries */
	MODEL_SCREEN_GUIDE,          /* the guidance topics */
	MODEL_SCREEN_PAGE,           /* one guidance page */
	MODEL_SCREEN_FILMS,          /* the films (coming soon for now) */
	MODEL_SCREEN_PLAYER,         /* one film playing */
	MODEL_SCREEN_SURVEY,         /* the feedback survey (coming soon for now) */
	MODEL_SCREEN_THANKS,         /* after a submitted survey */
	MODEL_SCREEN_IDLE_WARNING,   /* "are you still there?" */
	MODEL_SCREEN_IMPORT,         /* a bundle found on a USB stick */
	MODEL_SCREEN_ADMIN_PIN,      /* the PIN pad */
	MODEL_SCREEN_ADMIN,          /* the admin area */
	MODEL_SCREEN_OUT_OF_SERVICE, /* the kiosk cannot serve; a message for staff */
};

/* The contract's screen name ("home", "idle-warning", …). */
const char *model_screen_name(enum model_screen screen);

enum model_role {
	MODEL_ROLE_BUTTON,  /* something to tap */
	MODEL_ROLE_HEADING, /* a title */
	MODEL_ROLE_TEXT,    /* text to read */
	MODEL_ROLE_IMAGE,   /* a picture */
	MODEL_ROLE_VIDEO,   /* a film */
	MODEL_ROLE_SLIDER,  /* a value to drag */
	MODEL_ROLE_INPUT,   /* a text field */
	MODEL_ROLE_OPTION,  /* one choice of several (a language, an answer) */
	MODEL_ROLE_PROGRESS, /* a bar that fills: value of value_max */
};

const char *model_role_name(enum model_role role);

/* Where on the screen a node belongs; ui/ turns slots into geometry. */
enum model_slot {
	MODEL_SLOT_NAV,    /* top bar, start side: back and home */
	MODEL_SLOT_TITLE,  /* top bar, middle: where am I */
	MODEL_SLOT_TOOLS,  /* top bar, end side: text size, contrast */
	MODEL_SLOT_BODY,   /* the screen's content (scrolls when long) */
	MODEL_SLOT_ACTIONS, /* above the language bar: back, next, submit of a survey */
	MODEL_SLOT_CONTROLS, /* over the bottom of a film: the player's controls */
	MODEL_SLOT_LANGS,  /* bottom bar: the languages */
	MODEL_SLOT_DIALOG, /* a full-screen overlay (idle warning) */
};

/* The colour family of a node (LOOK.md: one strong colour per area). */
enum model_tone {
	MODEL_TONE_PLAIN,  /* text colours on the background */
	MODEL_TONE_GUIDE,  /* the guidance area */
	MODEL_TONE_FILMS,  /* the films area */
	MODEL_TONE_SURVEY, /* the survey area */
};

/* Which type size and weight a text uses. */
enum model_type {
	MODEL_TYPE_BODY,   /* reading text */
	MODEL_TYPE_LEAD,   /* a lead paragraph */
	MODEL_TYPE_H1,     /* a page or screen title */
	MODEL_TYPE_H2,     /* a section title */
	MODEL_TYPE_H3,     /* a minor title */
	MODEL_TYPE_NOTE,   /* secondary, muted text */
	MODEL_TYPE_BUTTON, /* a button's label */
};

struct model_node {
	char id[64];            /* AREA.NAME, stable across languages */
	enum model_role role;
	enum model_slot slot;
	enum model_tone tone;
	enum model_type type;
	const char *icon;       /* a Material Icons glyph (UTF-8), or NULL */
	char *label;            /* what it says (and what speech reads) */
	char *detail;           /* a second line (summary, explanation), or NULL */
	const struct page_block *block; /* rich text of a page block, or NULL */
	char *image;            /* a picture's absolute path (a film's still), or NULL */
	bool selected;
	bool focused;
	bool enabled;
	int value;              /* sliders; a video's position (ms); the countdown's seconds */
	int value_max;          /* a slider's or a video's end (ms); the steps of a progress */
};

struct model_tree {
	enum model_screen screen;
	const char *lang;       /* language of the labels */
	bool rtl;               /* right to left: the layout mirrors */
	int text_scale;         /* 100, 150, 200 */
	bool high_contrast;
	bool dark;              /* outside opening hours, untouched: the screen is black */
	unsigned generation;    /* changes whenever anything in the tree changes */
	struct model_node *nodes; /* in reading order */
	size_t n_nodes;
};

/* What the model needs from the configuration (borrowed for its lifetime). */
struct model_settings {
	char *const *languages;  /* offered, where the content has them */
	const char *default_language;
	int idle_timeout_s;
	int idle_warning_s;
	int text_scale;
	bool high_contrast;
	bool speech;             /* speech mode at the start of each session */
	bool subtitles;          /* films start with subtitles */
	struct store *store;     /* where survey responses go; NULL: they cannot be stored */
	const char *kiosk_id;
	const char *data_dir;    /* where installed content lives; NULL: never look for new */
	bool admin;              /* a PIN is set: the admin area exists */
	const struct opening_hours *hours; /* NULL: always open (borrowed) */
	bool sync;               /* a sync server is set */
};

/* content is handed over: the model owns it from now on and frees it.  It
 * may be NULL (nothing could be loaded): the model then offers what it
 * still can.  The caller frees the model with model_free(). */
struct model *model_new(const struct model_settings *settings, struct content *content,
			uint64_t now_ms);
void model_free(struct model *m);

/* A new content set, handed over (installed by a bundle or by kioskctl).
 * The model takes it only on the home screen (at once when it is there now,
 * else when a resident is done), so nobody's page changes under them; the
 * set it replaces is freed then, exactly once.  A set still waiting when a
 * newer one comes is freed.  Arriving home, the model also looks in
 * settings.data_dir for a version newer than its own (kioskctl's installs). */
void model_offer_content(struct model *m, struct content *content);
/* The version of the content shown now; 0 without content. */
int64_t model_content_version(const struct model *m);
/* Responses and content can be stored (a database and a data folder). */
bool model_can_store(const struct model *m);
/* The kiosk cannot serve: shows out-of-service with a message for staff. */
void model_set_out_of_service(struct model *m, const char *message);

/* Outside opening hours, on the home screen, nobody there: the screen is
 * dark (nothing drawn, nothing ticking).  A touch wakes it for 5 minutes;
 * that touch taps nothing. */
bool model_dark(const struct model *m);

/* ---- Events ---- */
/* A widget was tapped (or chosen with Enter).  Unknown ids are ignored. */
void model_activate(struct model *m, const char *id, uint64_t now_ms);
/* Escape, or the back button. */
void model_back(struct model *m, uint64_t now_ms);
/* Any touch, click or key: the resident is still there. */
void model_user_activity(struct model *m, uint64_t now_ms);
/* Text typed on a hardware keyboard (or a script's "text"). */
void model_type_text(struct model *m, const char *utf8, uint64_t now_ms);
/* Time passed: may show the idle warning or reset the session. */
void model_tick(struct model *m, uint64_t now_ms);
/* When model_tick should next run (absolute ms), or 0 for never. */
uint64_t model_next_deadline(const struct model *m);

/* ---- Films ----
 * The model decides what should play; ui/ carries it out with media/ and
 * reports back what the player does.  Nothing here knows libvlc. */
enum model_media_op {
	MODEL_MEDIA_PLAY,      /* play path (with subtitles, if any) from the start */
	MODEL_MEDIA_STOP,      /* stop and forget the film */
	MODEL_MEDIA_PAUSE,     /* hold at the current frame */
	MODEL_MEDIA_RESUME,    /* go on playing */
	MODEL_MEDIA_SEEK,      /* jump to ms */
	MODEL_MEDIA_VOLUME,    /* set the volume to value (percent) */
	MODEL_MEDIA_SUBTITLES, /* show subtitles from path, or none when path is empty */
};

struct model_media_cmd {
	enum model_media_op op;
	char path[1024];
	char subtitles[1024];
	int64_t ms;
	int value;
};

/* The next thing the player should do; false when there is nothing. */
bool model_take_media_cmd(struct model *m, struct model_media_cmd *out);

enum model_film_state {
	MODEL_FILM_NONE,    /* no film */
	MODEL_FILM_OPENING, /* loading */
	MODEL_FILM_PLAYING, /* frames are coming */
	MODEL_FILM_PAUSED,  /* held */
	MODEL_FILM_ENDED,   /* at its end */
	MODEL_FILM_ERROR,   /* it cannot be played */
};

/* What the player does now; called when it reports a change. */
void model_film_status(struct model *m, enum model_film_state state, int64_t position_ms,
		       int64_t duration_ms, uint64_t now_ms);
/* A slider was set to fraction (0 … 1000) of its range (tap or drag). */
void model_slide(struct model *m, const char *id, int fraction, uint64_t now_ms);
/* A film is (or should be) on screen: ui/ may start libvlc early. */
bool model_wants_media(const struct model *m);
/* The film most likely to be tapped first (the list's first), to warm the
 * player up with; false when there is none.  Written into path. */
bool model_first_film(const struct model *m, char *path, size_t size);

/* ---- Bundles from a USB stick (staff) ----
 * The model decides when the import screen shows (only from the home
 * screen) and what it asks for; ui/ runs the work on the job seam and
 * reports back.  Nothing here reads the stick. */
enum model_import_op {
	MODEL_IMPORT_PREVIEW, /* find out what path would change */
	MODEL_IMPORT_INSTALL, /* install path */
	MODEL_IMPORT_CANCEL,  /* stop the preview or install under way */
};

struct model_import_cmd {
	enum model_import_op op;
	char path[1024];
};

struct bundle_outcome;

/* The next thing the import worker should do; false when nothing. */
bool model_take_import_cmd(struct model *m, struct model_import_cmd *out);
/* The bundle on a stick now (path), or none any more (NULL). */
void model_stick_bundle(struct model *m, const char *path, uint64_t now_ms);
/* A preview or import finished; o is NULL for a job cancelled before it
 * began (borrowed for the call). */
void model_import_outcome(struct model *m, const struct bundle_outcome *o, uint64_t now_ms);
/* How far the import is (phase: enum bundle_phase; bytes). */
void model_import_progress(struct model *m, int phase, int64_t done, int64_t total);

/* ---- The admin area (staff, admins) ----
 * ui/ sees the corner gesture, runs the PIN check on the job seam and the
 * sync pass an admin asks for; the model shows the pad and the area. */
/* A 3-second press in the top-left corner: the PIN pad opens (when the
 * kiosk has a PIN). */
void model_admin_press(struct model *m, uint64_t now_ms);
/* A PIN to check (PIN_MAX_DIGITS + 1 bytes; the caller wipes it after
 * handing it to the worker); false when none waits. */
bool model_take_pin_check(struct model *m, char *pin);
void model_pin_result(struct model *m, bool ok, uint64_t now_ms);
/* The admin left the kiosk for the system (asked twice): the loop ends. */
bool model_take_quit(struct model *m);
/* The admin asked for a sync pass now. */
bool model_take_admin_sync(struct model *m);
/* The admin asked for an export: *stick (caller frees) is the stick
 * chosen, or NULL when ui/ should list the sticks (model_export_sticks). */
bool model_take_export(struct model *m, char **stick);
/* The sticks there (folders; borrowed): none says so, one is taken, more
 * are offered to choose from. */
void model_export_sticks(struct model *m, char *const *folders);
/* The export's progress (step: enum export_step) and its end (o NULL: it
 * never ran). */
void model_export_progress(struct model *m, int step, int64_t done, int64_t total);
struct export_outcome;
void model_export_outcome(struct model *m, const struct export_outcome *o);
/* How the sync pass the admin asked for ended. */
void model_sync_outcome(struct model *m, bool ok, size_t responses, const char *message);

/* ---- Speech and keypad ---- */
/* Something to say aloud: *text (caller frees) in the language of *lang
 * (borrowed); an empty text means "stop speaking".  False when nothing. */
bool model_take_speech(struct model *m, char **text, const char **lang);
bool model_speech_mode(const struct model *m);
/* What was taken with model_take_speech() sounds until until_ms (app clock).
 * Speech that plays counts as activity: nobody is warned or reset while the
 * kiosk reads to them, and the idle count starts when it ends.  A reset, a
 * new language and speech turned off stop it (model_take_speech() then
 * gives an empty text). */
void model_speech_playing(struct model *m, uint64_t until_ms);
/* Moves the keypad focus to the next (+1) or previous (-1) element in
 * reading order; in speech mode the element is spoken. */
void model_focus_move(struct model *m, int direction, uint64_t now_ms);
/* The focused element's id, or NULL. */
const char *model_focused(const struct model *m);

/* ---- State ---- */
enum model_screen model_screen(const struct model *m);
const char *model_language(const struct model *m);
/* The tree of the current screen; borrowed until the next event. */
const struct model_tree *model_tree(struct model *m);
/* True once per session reset, so that ui/ can forget scroll positions. */
bool model_take_reset(struct model *m);
/* True once after a survey response was durably stored; id (at least 33
 * bytes) receives its id. */
bool model_take_submitted(struct model *m, char *id);

#endif
