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

#endif
