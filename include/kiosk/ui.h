/* ui: the touch screen.  Gives the model's widget tree its geometry, draws
 * it with SDL2 and SDL2_ttf, turns touches, keys and script lines into the
 * model's events, and runs the event loop.  The only module that knows SDL.
 */
#ifndef KIOSK_UI_H
#define KIOSK_UI_H

#include <stdbool.h>

struct config;
struct model;

struct ui_options {
	bool windowed;              /* a window instead of covering the screen */
	bool headless;              /* SDL's offscreen driver: no display, no audio */
	const char *script_path;    /* scripted input ("-" = standard input), or NULL */
	const char *screenshot_dir; /* where "shot NAME" writes; NULL = current folder */
	const char *kiosk_id;       /* this kiosk's id (for sync); NULL: no sync */
};

/* Opens the window and runs until the script ends (or forever on a real
 * kiosk).  cfg and m are borrowed.  Returns an exit code (enum kiosk_exit). */
int ui_run(const struct config *cfg, struct model *m, const struct ui_options *opts);

/* The proof sheet for the people who write content: every screen of the
 * content source src (laid out like assets/content/) in each of its
 * languages, at 1920x1080 and 1080x1920, drawn offscreen into PNGs under
 * out_dir (LANG/WxH/NN-SCREEN[-ID]-K.png, K counting screenfuls) with an
 * index.html contact sheet.  The films, stills and subtitles come from
 * media_dir, else from src/../media when that folder exists, else from the
 * configured media folder.  src is loaded and checked before anything is
 * written; no database is opened and nothing is stored.  cfg gives the
 * fonts and the screen's diagonal.  Returns an exit code (enum kiosk_exit):
 * 3 when the source is refused, 2 when out_dir is not a new or empty folder. */
struct ui_proof_options {
	const char *src;       /* the content source folder */
	const char *media_dir; /* its films, stills and subtitles; NULL: see above */
	const char *out_dir;   /* where the PNGs and index.html go */
};

int ui_proof(const struct config *cfg, const struct ui_proof_options *opts);

#endif
