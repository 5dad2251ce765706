/* model: private parts shared by model.c and tree.c. */
#ifndef KIOSK_MODEL_INT_H
#define KIOSK_MODEL_INT_H

#include "kiosk/bundle.h"
#include "kiosk/core.h"
#include "kiosk/model.h"
#include "kiosk/store.h"

/* Material Icons code points, as UTF-8. */
#define ICON_HOME "\xee\xa2\x8a"          /* e88a home */
#define ICON_BACK "\xee\x97\x84"          /* e5c4 arrow_back */
#define ICON_GUIDE "\xee\xa8\x99"         /* ea19 menu_book */
#define ICON_FILMS "\xee\x80\xac"         /* e02c movie */
#define ICON_SURVEY "\xee\x95\xa0"        /* e560 rate_review */
#define ICON_TEXT_SIZE "\xee\xab\xa2"     /* eae2 text_increase */
#define ICON_SPEAK "\xee\xa4\x9f"         /* e91f record_voice_over */
#define ICON_CONTRAST "\xee\x90\xa7"      /* e427 tonality (half-filled circle) */
#define ICON_CHECK "\xee\x97\x8a"         /* e5ca check */
#define ICON_NEXT "\xee\x97\x8c"          /* e5cc chevron_right */
#define ICON_PREVIOUS "\xee\x97\x8b"      /* e5cb chevron_left */
#define ICON_SOON "\xee\xa8\xbc"          /* ea3c construction */
#define ICON_WARNING "\xee\x80\x82"       /* e002 warning */
#define ICON_HOURGLASS "\xee\xa2\x8b"     /* e88b hourglass_empty */
#define ICON_RADIO_ON "\xee\xa0\xb7"       /* e837 radio_button_checked */
#define ICON_RADIO_OFF "\xee\xa0\xb6"      /* e836 radio_button_unchecked */
#define ICON_BOX_ON "\xee\xa0\xb4"         /* e834 check_box */
#define ICON_BOX_OFF "\xee\xa0\xb5"        /* e835 check_box_outline_blank */
#define ICON_BACKSPACE "\xee\x85\x8a"      /* e14a backspace */
#define ICON_SHIFT "\xee\x97\x98"          /* e5d8 arrow_upward */
#define ICON_SPACE "\xee\x89\x96"          /* e256 space_bar */
#define ICON_SEND "\xee\x85\xa3"           /* e163 send */
#define ICON_FORWARD "\xee\x97\x88"        /* e5c8 arrow_forward */
#define ICON_THANKS "\xee\xa3\x9c"         /* e8dc thumb_up */
#define ICON_ERROR "\xee\x80\x81"          /* e001 error_outline */
#define ICON_USB "\xee\x87\xa0"            /* e1e0 usb */

/* The five faces of a scale, worst first. */
extern const char *const model_scale_faces[5];

struct content;
struct survey;
struct store_response;

/* ---- keyboard.c: the on-screen keyboard's layouts and key ids ---- */
struct kbd_layout {
	const char *lang;           /* the language code's first two letters */
	const char *rows[3];        /* the letter rows, UTF-8 */
	const char *punct;          /* comma and full stop beside the space bar */
	const char *name;           /* the key that comes back to these letters */
	bool cased;                 /* has capitals: a shift key */
	bool turkish;               /* i has the capital İ */
	bool latin_script;          /* no key for Latin letters needed */
};

/* The layout of a language (German for Leichte Sprache, else English). */
const struct kbd_layout *kbd_layout_for(const char *lang);
/* The letters on screen: the layout's own, or Latin ones where asked for. */
const struct kbd_layout *kbd_shown(const struct kbd_layout *l, bool latin);
/* The three rows of keys on screen. */
const char *const *kbd_rows(const struct kbd_layout *l, bool latin, bool digits);
/* Whether the keyboard on screen has a key that types cp. */
bool kbd_has_key(const struct kbd_layout *l, bool latin, bool digits, uint32_t cp);
/* kbd.a for ASCII, kbd.u0439 for other characters (see keyboard.c). */
void kbd_key_id(uint32_t cp, char *id, size_t size);
/* The character of a key id without "kbd."; false: not a character key. */
bool kbd_parse_key(const char *key, uint32_t *cp);
uint32_t kbd_upper(uint32_t cp, bool turkish);
/* One character from p (0 at the end); the bytes it took. */
size_t utf8_decode(const char *p, uint32_t *cp);
/* cp as UTF-8 in out, terminated; its length. */
size_t utf8_encode(uint32_t cp, char out[5]);

/* ---- survey.c: one resident's answers, until submit or reset ---- */
struct survey_session;

enum session_action {
	SESSION_IGNORED,  /* the id was not the survey's */
	SESSION_CHANGED,  /* an answer or the question on screen changed */
	SESSION_SUBMIT,   /* submit was tapped with every required answer given */
	SESSION_LEAVE,    /* back on the first question: leave the survey */
};

struct survey_session *session_new(const struct survey *def);
void session_free(struct survey_session *s);
/* lang: the language on screen, whose keyboard the kbd.* ids belong to. */
enum session_action session_activate(struct survey_session *s, const char *id, const char *lang);
/* Back: the previous question, or SESSION_LEAVE on the first. */
enum session_action session_back(struct survey_session *s);
/* Typed text (a script's "text", a hardware keyboard) for a text question. */
bool session_type(struct survey_session *s, const char *utf8);
/* Adds the nodes of the question on screen. */
void session_build(struct survey_session *s, struct model_tree *t, const struct content *c,
		   const char *lang);
/* The answers as the store takes them; borrowed from the session until the
 * next call.  *n is the number of answers (unanswered questions give none). */
const struct store_answer *session_answers(struct survey_session *s, size_t *n);
/* The last submit could not be stored: say so, keep every answer. */
void session_set_failed(struct survey_session *s, bool failed);

/* ---- player.c: the film on screen ---- */
struct player {
	char film[64];            /* the film's id; empty: none */
	enum model_film_state state;
	int64_t position_ms, duration_ms;
	bool subtitles;           /* shown (on by default) */
	int volume;               /* percent */
	bool controls;            /* the controls are visible */
	uint64_t controls_until;  /* when they fade while the film plays */
	uint64_t ended_at;        /* when the film ended (its offer closes later) */
	struct model_media_cmd queue[8];
	int n_queued;
};

/* ---- import.c: a bundle from a stick, for staff ---- */
enum import_step {
	IMPORT_NONE,       /* no stick with a bundle */
	IMPORT_WAITING,    /* a stick came; the screen opens at the next home */
	IMPORT_CHECKING,   /* the preview runs */
	IMPORT_READY,      /* what would change, install or cancel */
	IMPORT_INSTALLING, /* the import runs */
	IMPORT_DONE,       /* installed: the stick may go */
	IMPORT_FAILED,     /* nothing changed; a message for staff */
	IMPORT_DISMISSED,  /* dealt with; shown again only for another stick */
};

struct import_state {
	enum import_step step;
	char path[1024];                 /* the bundle on the stick */
	struct bundle_info info;
	int64_t version_in_use;
	bool refused;                    /* sound, but not for this kiosk (detail says why) */
	struct bundle_change *changes;   /* owned copy of the preview's */
	size_t n_changes;
	char languages[160];
	enum bundle_err err;             /* why it failed */
	bool stick_gone;                 /* the stick was pulled out mid-import */
	char detail[640];                /* the technical line for staff */
	int phase;                       /* enum bundle_phase */
	int64_t done, total;
	struct model_import_cmd queue[4];
	int n_queued;
};

/* The screen opens if a stick waits and the kiosk is home. */
void import_at_home(struct model *m);
/* A session reset: the screen's offer is dismissed (an install goes on). */
void import_reset(struct model *m);
/* A tap on the import screen; false when it is not on screen. */
bool import_activate(struct model *m, const char *id);
/* Work under way: the idle timer waits. */
bool import_busy(const struct model *m);
void import_build(struct model *m);
void import_free(struct model *m);

/* ---- admin.c: the PIN pad and the admin area ---- */
struct admin_state {
	char pin[PIN_MAX_DIGITS + 1];    /* digits typed; wiped once handed over */
	bool check_due;                  /* a check waits to be taken by ui/ */
	bool checking;                   /* the PIN worker has it */
	const char *message;             /* a string key: wrong, short, locked */
	int failures;                    /* wrong PINs in a row (kept in the database) */
	int64_t locked_until;            /* wall clock; 0: not locked */
	bool sync_due, syncing;          /* admin.sync asked for, running */
	char sync_note[600];             /* the outcome of the last action here */
	bool export_due;                 /* admin.export asked for: ui/ lists the sticks */
	char **sticks;                   /* owned: the sticks to choose from (two or more) */
	char *export_to;                 /* owned: the stick chosen, waiting for ui/ */
	bool exporting;
	bool confirm_exit;               /* admin.exit tapped: asking once more */
	bool quit;                       /* confirmed: the kiosk ends (ui/ takes it) */
};

/* A tap on the PIN pad or in the admin area; false when neither is shown. */
bool admin_activate(struct model *m, const char *id);
/* The admin screens' own idle rule (they close after two minutes, with no
 * warning); false when neither is shown. */
bool admin_tick(struct model *m, uint64_t now_ms);
uint64_t admin_deadline(const struct model *m);
void admin_build(struct model *m);
void admin_free(struct model *m);
/* The admin area's "import": the bundle on a stick (also one dismissed
 * before) on the import screen; false when no stick holds one. */
bool import_offer_again(struct model *m);

/* ---- model.c: the state of one resident's session ---- */
#define HISTORY_MAX 8

struct model {
	struct model_settings settings;
	struct content *content;         /* owned: the set shown now, or NULL */
	struct content *pending;         /* owned: a newer set, taken at the next home */
	int64_t failed_version;          /* an installed version that did not load (said once) */

	enum model_screen screen;
	enum model_screen history[HISTORY_MAX]; /* where back leads */
	int depth;
	char lang[16];
	int text_scale;
	bool high_contrast;

	char topic[64];                  /* the topic on the page screen */
	struct page *page;               /* its page, or NULL when it failed */

	uint64_t last_activity;
	uint64_t now;                    /* the latest time an event brought */
	uint64_t warning_since;          /* when the idle warning appeared, or 0 */
	uint64_t speaking_until;         /* the kiosk reads aloud until then: activity */
	enum model_screen before_warning;
	char *oos_message;               /* set: the kiosk is out of service */

	struct survey_session *survey;   /* answers so far, in memory only */
	uint64_t thanks_until;           /* when the thanks screen closes */
	char submitted[STORE_ID_LEN + 1]; /* the response just stored, for the event */
	bool has_submitted;

	struct player player;            /* the film on the player screen (player.c) */
	struct import_state import;      /* a bundle from a stick (import.c) */
	struct admin_state admin;        /* the PIN pad and admin area (admin.c) */

	bool speech_mode;                /* a first tap speaks, a second acts */
	char armed[64];                  /* speech mode: the widget spoken, waiting for its second tap */
	char *say;                       /* what should be spoken next, or NULL */
	char focus[64];                  /* the keypad focus, or empty */

	uint64_t awake_until;            /* a touch woke a dark screen until then */
	bool was_dark;                   /* as the tree last showed it */

	struct model_tree tree;
	bool dirty;                      /* the tree must be rebuilt */
	bool reset_happened;
};

const char *model_str(const struct model *m, const char *key);
void model_changed(struct model *m);
void model_go(struct model *m, enum model_screen to);
void model_arrive_home(struct model *m);
struct model_node *model_add(struct model *m, const char *id, enum model_role role,
			     enum model_slot slot, const char *key);
void model_add_top_bar(struct model *m, const char *title_key, bool with_nav);
/* The accessibility controls of the top bar (text size, contrast). */
void model_add_tools(struct model *m);

void player_reset(struct player *p, bool subtitles);
/* What a new resident gets: subtitles as configured, the normal volume. */
void player_defaults(struct player *p, bool subtitles);
/* Opens the film with this id on the player screen. */
void player_open(struct model *m, const char *film_id);
/* Stops the film when the player screen is left. */
void player_close(struct model *m);
bool player_activate(struct model *m, const char *id);
void player_tick(struct model *m);
uint64_t player_deadline(const struct model *m);
void player_build(struct model *m);
void films_build(struct model *m);
/* While a film plays, nobody is idle. */
bool player_busy(const struct model *m);

/* Appends a node to the tree and returns it (label copied). */
struct model_node *tree_add(struct model_tree *t, const char *id, enum model_role role,
			    enum model_slot slot, const char *label);
/* Empties the tree, keeping its storage. */
void tree_clear(struct model_tree *t);
void tree_release(struct model_tree *t);

#endif
