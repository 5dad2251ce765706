/* ui: the window, the event loop and presenting what changed.
 *
 * On machines without a GPU (many kiosk PCs, and CI) SDL's software
 * renderer drawing into the window surface starts in half the time and a
 * fifth of the memory of Mesa's GL renderer (DESIGN.md §8), and presenting
 * only the changed rectangles with SDL_UpdateWindowSurfaceRects keeps a
 * still screen at 0 % CPU.  The accelerated renderer stays selectable.
 */
#include "ui_int.h"

#include "kiosk/bundle.h"
#include "kiosk/export.h"

#include <SDL_image.h>
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "ui"

/* Inertia and presses redraw at this pace; nothing else ticks. */
#define ANIMATION_FRAME_MS 16

static long area(SDL_Rect r) { return (long)r.w * r.h; }

/* The damage list stays short and never redraws much that did not change:
 * two rectangles merge only where their union costs no more than both. */
void ui_damage(struct ui *u, SDL_Rect r)
{
	SDL_Rect screen = {0, 0, u->w, u->h};
	if (!SDL_IntersectRect(&r, &screen, &r))
		return;
	for (int i = 0; i < u->n_damage;) {
		SDL_Rect joined;
		SDL_UnionRect(&u->damage[i], &r, &joined);
		if (area(joined) > area(u->damage[i]) + area(r)) {
			i++;
			continue;
		}
		r = joined; /* it grew: look at the others again */
		u->damage[i] = u->damage[--u->n_damage];
		i = 0;
	}
	if (u->n_damage < UI_DAMAGE_MAX) {
		u->damage[u->n_damage++] = r;
		return;
	}
	int best = 0;
	long best_growth = -1;
	for (int i = 0; i < u->n_damage; i++) {
		SDL_Rect joined;
		SDL_UnionRect(&u->damage[i], &r, &joined);
		long growth = area(joined) - area(u->damage[i]);
		if (best_growth < 0 || growth < best_growth)
			best = i, best_growth = growth;
	}
	SDL_UnionRect(&u->damage[best], &r, &u->damage[best]);
}

void ui_damage_all(struct ui *u)
{
	u->n_damage = 0;
	ui_damage(u, (SDL_Rect){0, 0, u->w, u->h});
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Draws and presents the damage list: on the window surface only what
 * changed; a GPU back buffer is undefined after a present, so all of it. */
static void present(struct ui *u)
{
	if (!u->n_damage)
		return;
	uint64_t t0 = now_us();
	if (!u->software)
		u->damage[0] = (SDL_Rect){0, 0, u->w, u->h}, u->n_damage = 1;
	long pixels = 0;
	for (int i = 0; i < u->n_damage; i++) {
		draw_frame(u, &u->damage[i]);
		pixels += area(u->damage[i]);
	}
	if (u->software) {
		SDL_RenderFlush(u->ren);
		SDL_UpdateWindowSurfaceRects(u->win, u->damage, u->n_damage);
	} else {
		SDL_RenderPresent(u->ren);
	}
	if (u->frame_log) {
		fprintf(u->frame_log, "FRAME draw_us=%llu rects=%d pixels=%ld\n",
			(unsigned long long)(now_us() - t0), u->n_damage, pixels);
		fflush(u->frame_log);
	}
	u->n_damage = 0;
}

void ui_report_screen(struct ui *u)
{
	enum model_screen s = model_screen(u->model);
	if (s == u->reported_screen)
		return;
	u->reported_screen = s;
	if (u->script_mode) {
		printf("{\"event\":\"screen\",\"screen\":\"%s\"}\n", model_screen_name(s));
		fflush(stdout);
	}
	if (s == MODEL_SCREEN_OUT_OF_SERVICE)
		LOG_WARN("showing the out-of-service screen until the problem above is fixed");
	else
		LOG_DBG("screen %s", model_screen_name(s));
}

/* Any thread: the one wake of DESIGN.md §2, an SDL event with the source
 * in its code.  SDL_PushEvent is the one SDL call allowed off the UI thread;
 * one event per source waits at most (the UI takes everything new when it
 * comes), so 25 film frames a second never fill the queue. */
static void wake_ui(void *data, enum wake_source source)
{
	struct ui *u = data;
	if (atomic_exchange(&u->wake_pending[source], true))
		return;
	SDL_Event e = {.type = u->wake_event};
	e.user.code = (Sint32)source;
	if (SDL_PushEvent(&e) != 1)
		atomic_store(&u->wake_pending[source], false); /* the next wake tries again */
}

/* Passes what the model wants said to the speech worker; an empty text
 * stops what is being said or made. */
static void speak_requests(struct ui *u)
{
	char *text;
	const char *lang;
	while (model_take_speech(u->model, &text, &lang)) {
		if (u->audio)
			SDL_ClearQueuedAudio(u->audio); /* the new thing, not the rest of the old */
		if (*text) {
			u->speech_job = speech_request(u->jobs, lang, text);
		} else {
			if (u->speech_job)
				LOG_INFO("speech stopped");
			speech_cancel(u->jobs);
			u->speech_job = 0;
		}
		free(text);
	}
}

/* An export the admin asked for: the sticks there go to the model, which
 * takes the one there or lets the admin choose; the chosen one goes to the
 * export worker. */
static void export_requests(struct ui *u)
{
	char *stick = NULL;
	for (int round = 0; round < 2 && model_take_export(u->model, &stick); round++) {
		if (!stick) {
			char **folders = u->sticks ? stick_watch_folders(u->sticks) : NULL;
			model_export_sticks(u->model, folders);
			strv_free(folders);
			continue;
		}
		if (!u->opts->kiosk_id ||
		    !export_submit(u->jobs, u->cfg->data_dir, stick, u->opts->kiosk_id,
				   u->cfg->export_min_cell))
			model_export_outcome(u->model, NULL);
		free(stick);
		break;
	}
}

/* The PIN the pad asks about goes to the PIN worker; the copy here is
 * wiped at once (the worker wipes its own after the check). */
static void admin_requests(struct ui *u)
{
	char pin[PIN_MAX_DIGITS + 1];
	if (model_take_pin_check(u->model, pin)) {
		if (!pin_submit(u->jobs, u->cfg->admin_pin_hash, pin))
			model_pin_result(u->model, false, clock_now_ms());
		explicit_bzero(pin, sizeof pin);
	}
	if (model_take_admin_sync(u->model))
		syncing_now(u);
	export_requests(u);
	if (model_take_quit(u->model))
		u->quit = true; /* exit status 0: the service does not start it again */
}

static void export_progress(struct ui *u)
{
	struct job_progress p;
	jobs_progress(u->jobs, JOB_KIND_EXPORT, &p);
	if (p.id && jobs_busy(u->jobs, JOB_KIND_EXPORT))
		model_export_progress(u->model, p.phase, p.done, p.total);
}

static void take_pin_result(struct ui *u, const struct job_result *r)
{
	bool ok = false;
	if (pin_result(r, &ok))
		model_pin_result(u->model, ok, clock_now_ms());
}

/* A speech job's sound is ready: play it (headphones on a kiosk), unless
 * something newer was asked for meanwhile. */
static void play_speech(struct ui *u, const struct job_result *r)
{
	const struct speech_sound *sound = speech_result(r);
	if (!sound || r->id != u->speech_job)
		return;
	if (u->audio && u->audio_rate != sound->rate) {
		SDL_CloseAudioDevice(u->audio);
		u->audio = 0;
	}
	if (!u->audio && (SDL_WasInit(SDL_INIT_AUDIO) || SDL_InitSubSystem(SDL_INIT_AUDIO) == 0)) {
		SDL_AudioSpec want = {.freq = sound->rate, .format = AUDIO_S16SYS, .channels = 1,
				      .samples = 2048}, have;
		u->audio = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
		u->audio_rate = sound->rate;
		if (!u->audio)
			LOG_ERR("no sound output for speech: %s", SDL_GetError());
	}
	if (u->audio) {
		SDL_QueueAudio(u->audio, sound->pcm, (Uint32)(sound->samples * sizeof *sound->pcm));
		SDL_PauseAudioDevice(u->audio, 0);
	}
	/* While it sounds, the resident is there (the idle count waits). */
	model_speech_playing(u->model, clock_now_ms() + sound->samples * 1000u / (unsigned)sound->rate);
	LOG_INFO("speaking %.1f s of speech", (double)sound->samples / sound->rate);
}

/* Every finished job comes back here, on the UI thread, by its kind. */
static void take_job_results(struct ui *u)
{
	struct job_result r;
	while (jobs_take_result(u->jobs, &r)) {
		switch (r.kind) {
		case JOB_KIND_SPEECH: play_speech(u, &r); break;
		case JOB_KIND_IMPORT: sticks_on_result(u, &r); break;
		case JOB_KIND_SYNC: syncing_on_result(u, &r); break;
		case JOB_KIND_PIN: take_pin_result(u, &r); break;
		case JOB_KIND_EXPORT: model_export_outcome(u->model, export_outcome_of(&r)); break;
		default:
			LOG_WARN("a %s job ended (status %d) with nobody waiting for it",
				 job_kind_name(r.kind), r.status);
			break;
		}
		job_result_free(&r);
	}
}

static void on_wake(struct ui *u, enum wake_source source)
{
	atomic_store(&u->wake_pending[source], false); /* later changes wake us again */
	switch (source) {
	case WAKE_SOURCE_MEDIA: video_on_wake(u); break;
	case WAKE_SOURCE_JOBS:
		take_job_results(u);
		sticks_progress(u);
		export_progress(u);
		break;
	case WAKE_SOURCE_STICK: sticks_on_wake(u); break;
	case WAKE_SOURCE_NET: syncing_on_net(u); break;
	case WAKE_SOURCE_COUNT: break;
	}
}

/* Tells a script that a response is durably committed. */
static void report_submitted(struct ui *u)
{
	char id[64];
	if (!model_take_submitted(u->model, id))
		return;
	if (u->script_mode) {
		printf("{\"event\":\"submitted\",\"response\":\"%s\"}\n", id);
		fflush(stdout);
	}
	LOG_INFO("a survey response was stored");
}

/* While typing, the field and the keyboard stay in view together. */
static void keep_input_in_view(struct ui *u)
{
	for (size_t i = 0; i < u->layout.n; i++) {
		const struct model_node *n = &u->tree->nodes[i];
		if (n->role != MODEL_ROLE_INPUT || !n->focused || !u->layout.boxes[i].in_body)
			continue;
		double top = u->layout.boxes[i].r.y - u->layout.m.gap;
		double max = layout_max_scroll(u);
		u->scroll = top < 0 ? 0 : top < max ? top : max;
		return;
	}
}

/* The keypad's focus is always on screen: the body scrolls to it. */
static void keep_focus_in_view(struct ui *u)
{
	for (size_t i = 0; i < u->layout.n; i++) {
		const struct box *b = &u->layout.boxes[i];
		if (!u->tree->nodes[i].focused || !b->in_body)
			continue;
		int gap = u->layout.m.gap, vh = u->layout.viewport.h;
		if (b->r.y - gap < u->scroll)
			u->scroll = b->r.y - gap;
		else if (b->r.y + b->r.h + gap > u->scroll + vh)
			u->scroll = b->r.h + 2 * gap > vh ? b->r.y - gap : b->r.y + b->r.h + gap - vh;
		if (u->scroll < 0)
			u->scroll = 0;
		return;
	}
}

void ui_sync(struct ui *u)
{
	video_run_commands(u);
	if (model_take_reset(u->model))
		u->scroll = 0;
	enum model_screen before = u->tree ? u->tree->screen : MODEL_SCREEN_HOME;
	u->tree = model_tree(u->model);
	if (u->tree->generation != u->laid_generation || u->layout_stale) {
		bool same_screen = u->tree->screen == before;
		/* A new screen starts at the top; the same one keeps its place. */
		if (!same_screen) {
			u->scroll = 0;
			u->flinging = false;
		}
		u->pressed = false;
		u->press_node = -1;
		layout_tree(u);
		u->laid_generation = u->tree->generation;
		u->layout_stale = false;
		if (same_screen) {
			keep_input_in_view(u);
			keep_focus_in_view(u);
		}
		if (u->scroll > layout_max_scroll(u))
			u->scroll = layout_max_scroll(u);
		ui_damage_all(u);
	}
	report_submitted(u);
	ui_report_screen(u);
	video_prepare(u);
	speak_requests(u);
	sticks_requests(u);
	admin_requests(u);
}

void ui_frame(struct ui *u)
{
	assert(!u->drawing);
	ui_sync(u);
	u->drawing = true;
	present(u);
	u->drawing = false;
}

/* The next moment something must happen by itself, on the app's clock. */
static uint64_t next_deadline(struct ui *u)
{
	uint64_t d = model_next_deadline(u->model);
	if (u->flinging) {
		uint64_t a = u->fling_t + ANIMATION_FRAME_MS;
		if (!d || a < d)
			d = a;
	}
	uint64_t film = video_deadline(u);
	if (film && (!d || film < d))
		d = film;
	uint64_t sync = syncing_deadline(u);
	if (sync && (!d || sync < d))
		d = sync;
	uint64_t alive = watchdog_deadline(u);
	if (alive && (!d || alive < d))
		d = alive;
	return d;
}

static void run_timers(struct ui *u, uint64_t now)
{
	input_animate(u, now);
	video_check(u);
	watchdog_timer(u);
	syncing_timer(u, now);
	model_tick(u->model, now);
	ui_frame(u);
}

/* The window has a new size (a display back at another resolution, a
 * resize): the renderer draws into the window's new surface (SDL's own
 * software renderer fetches it anew; nothing draws into the freed one), and
 * the screen is laid out again for the new size. */
static void on_resized(struct ui *u)
{
	int w, h;
	SDL_GetWindowSize(u->win, &w, &h);
	if (w == u->w && h == u->h)
		return;
	LOG_INFO("the window is now %dx%d (was %dx%d): laying out anew", w, h, u->w, u->h);
	u->w = w, u->h = h;
	u->layout_stale = true;
	u->n_damage = 0;
	ui_damage_all(u);
}

/* A display came, went or changed: a full-screen kiosk covers it again. */
static void fit_to_display(struct ui *u)
{
	SDL_Rect bounds;
	if (!u->fullscreen || SDL_GetDisplayBounds(0, &bounds) != 0)
		return;
	if (bounds.w == u->w && bounds.h == u->h)
		return;
	SDL_SetWindowPosition(u->win, bounds.x, bounds.y);
	SDL_SetWindowSize(u->win, bounds.w, bounds.h); /* SIZE_CHANGED follows */
}

static void handle_sdl_event(struct ui *u, const SDL_Event *e)
{
	struct ui_event ev = {.t = clock_now_ms()};
	switch (e->type) {
	case SDL_QUIT:
		/* Only the admin area may leave the kiosk; a script or a signal may. */
		if (u->script_mode || !u->cfg->fullscreen || u->opts->windowed)
			u->quit = true;
		return;
	case SDL_MOUSEBUTTONDOWN:
	case SDL_MOUSEBUTTONUP:
		/* A touch arrives twice, as a finger and as a mouse: keep the finger. */
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			return;
		ev.kind = e->type == SDL_MOUSEBUTTONDOWN ? UI_EV_PRESS : UI_EV_RELEASE;
		ev.x = e->button.x, ev.y = e->button.y;
		break;
	case SDL_MOUSEMOTION:
		if (e->motion.which == SDL_TOUCH_MOUSEID || !(e->motion.state & SDL_BUTTON_LMASK))
			return;
		ev.kind = UI_EV_MOVE;
		ev.x = e->motion.x, ev.y = e->motion.y;
		break;
	case SDL_FINGERDOWN:
	case SDL_FINGERUP:
	case SDL_FINGERMOTION:
		/* One finger at a time: a second hand on the screen changes nothing. */
		if (e->type == SDL_FINGERDOWN && !u->pressed)
			u->finger = e->tfinger.fingerId;
		else if (e->tfinger.fingerId != u->finger)
			return;
		ev.kind = e->type == SDL_FINGERDOWN ? UI_EV_PRESS
			  : e->type == SDL_FINGERUP ? UI_EV_RELEASE : UI_EV_MOVE;
		ev.x = (int)lround(e->tfinger.x * u->w);
		ev.y = (int)lround(e->tfinger.y * u->h);
		break;
	case SDL_MOUSEWHEEL:
		ev.kind = UI_EV_WHEEL;
		ev.dy = -e->wheel.y * u->layout.m.body_px * 3;
		break;
	case SDL_KEYDOWN:
		ev.kind = UI_EV_KEY;
		ev.key = SDL_GetKeyName(e->key.keysym.sym);
		break;
	case SDL_TEXTINPUT:
		ev.kind = UI_EV_TEXT;
		ev.text = e->text.text;
		break;
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
			on_resized(u);
		else if (e->window.event == SDL_WINDOWEVENT_EXPOSED)
			ui_damage_all(u);
		return;
	case SDL_DISPLAYEVENT:
		fit_to_display(u);
		return;
	default:
		if (u->wake_event && e->type == u->wake_event &&
		    (unsigned)e->user.code < WAKE_SOURCE_COUNT)
			on_wake(u, (enum wake_source)e->user.code);
		return;
	}
	ui_input(u, &ev);
}

void ui_drain_events(struct ui *u)
{
	SDL_Event e;
	while (!u->quit && SDL_PollEvent(&e))
		handle_sdl_event(u, &e);
}

void ui_pump(struct ui *u, uint32_t ms)
{
	uint64_t real_end = now_us() + (uint64_t)ms * 1000;
	for (;;) {
		uint64_t real_now = now_us();
		if (real_now >= real_end)
			break;
		uint32_t wait = (uint32_t)((real_end - real_now) / 1000);
		uint64_t d = next_deadline(u), now = clock_now_ms();
		if (d && !clock_is_virtual())
			wait = d <= now ? 0 : (uint32_t)fmin(wait, (double)(d - now));
		if (clock_is_virtual() && u->flinging)
			wait = wait < ANIMATION_FRAME_MS ? wait : ANIMATION_FRAME_MS;
		uint32_t alive = watchdog_wait_ms(u);
		wait = alive < wait ? alive : wait;
		uint64_t before = now_us();
		SDL_Event e;
		if (SDL_WaitEventTimeout(&e, (int)wait ? (int)wait : 1))
			handle_sdl_event(u, &e);
		if (clock_is_virtual())
			clock_advance_ms((now_us() - before) / 1000);
		run_timers(u, clock_now_ms());
		if (u->quit)
			break;
	}
}

void ui_advance_to(struct ui *u, uint64_t target)
{
	for (;;) {
		uint64_t d = next_deadline(u);
		if (!d || d > target)
			break;
		uint64_t now = clock_now_ms();
		if (d > now)
			clock_advance_ms(d - now);
		run_timers(u, clock_now_ms());
	}
	uint64_t now = clock_now_ms();
	if (target > now)
		clock_advance_ms(target - now);
	run_timers(u, clock_now_ms());
}

/* A PNG at zlib's fastest level and without row filters, RGB: on a UI's
 * flat colours it comes out about 10 % larger than SDL_image's and five
 * times faster (11 against 57 ms at 1920x1080), which is most of the time
 * of a proof sheet's hundreds of pictures.  shot is ARGB8888. */
static int save_png_fast(SDL_Surface *shot, const char *path)
{
	FILE *volatile f = fopen(path, "wb");
	if (!f) {
		SDL_SetError("%s", strerror(errno));
		return -1;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info || setjmp(png_jmpbuf(png))) {
		SDL_SetError("libpng could not write it");
		png_destroy_write_struct(&png, &info);
		fclose(f);
		return -1;
	}
	png_init_io(png, f);
	png_set_compression_level(png, 1);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_set_IHDR(png, info, (png_uint_32)shot->w, (png_uint_32)shot->h, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
	png_write_info(png, info);
	/* ARGB8888 words lie in memory as B, G, R, A (little endian) or A, R,
	 * G, B: libpng takes them as they lie and drops the A. */
	if (SDL_BYTEORDER == SDL_LIL_ENDIAN) {
		png_set_bgr(png);
		png_set_filler(png, 0, PNG_FILLER_AFTER);
	} else {
		png_set_filler(png, 0, PNG_FILLER_BEFORE);
	}
	for (int y = 0; y < shot->h; y++)
		png_write_row(png, (png_const_bytep)shot->pixels + (size_t)y * (size_t)shot->pitch);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	if (fclose(f) != 0) {
		SDL_SetError("%s", strerror(errno));
		return -1;
	}
	return 0;
}

int ui_screenshot(struct ui *u, const char *path)
{
	SDL_Surface *shot = SDL_CreateRGBSurfaceWithFormat(0, u->w, u->h, 32,
							   SDL_PIXELFORMAT_ARGB8888);
	if (!shot)
		return -1;
	int rc = SDL_RenderReadPixels(u->ren, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels,
				      shot->pitch);
	if (rc == 0)
		rc = u->fast_png ? save_png_fast(shot, path) : IMG_SavePNG(shot, path);
	if (rc != 0)
		LOG_ERR("%s: cannot write the screenshot: %s", path, SDL_GetError());
	SDL_FreeSurface(shot);
	return rc == 0 ? 0 : -1;
}

static bool choose_software(const struct config *cfg, bool headless)
{
	if (headless || cfg->renderer == CONFIG_RENDERER_SOFTWARE)
		return true;
	return cfg->renderer == CONFIG_RENDERER_AUTO; /* no GPU assumed: see above */
}

static int open_window(struct ui *u)
{
	bool fullscreen = u->cfg->fullscreen && !u->opts->windowed && !u->opts->headless;
	int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
	Uint32 flags = SDL_WINDOW_SHOWN;
	if (fullscreen) {
		/* A borderless window at the display's size: FULLSCREEN_DESKTOP waits
		 * ~100 ms for a window manager that a kiosk X session does not have. */
		SDL_Rect bounds;
		if (SDL_GetDisplayBounds(0, &bounds) == 0) {
			u->w = bounds.w, u->h = bounds.h;
			x = bounds.x, y = bounds.y;
		}
		flags |= SDL_WINDOW_BORDERLESS;
	}
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, u->software ? "0" : "1");
	u->win = SDL_CreateWindow("Digitale Kommune", x, y, u->w, u->h, flags);
	if (!u->win) {
		LOG_ERR("cannot open a window: %s", SDL_GetError());
		return -1;
	}
	/* SDL's software renderer bound to the window (not to one surface, as
	 * SDL_CreateSoftwareRenderer would be): when the window's surface is
	 * made anew after a resize, it draws into the new one. */
	if (!u->software) {
		u->ren = SDL_CreateRenderer(u->win, -1, SDL_RENDERER_ACCELERATED);
		if (!u->ren) {
			LOG_WARN("no accelerated renderer (%s); drawing in software", SDL_GetError());
			u->software = true;
		}
	}
	if (u->software)
		u->ren = SDL_CreateRenderer(u->win, -1, SDL_RENDERER_SOFTWARE);
	if (!u->ren) {
		LOG_ERR("cannot create a renderer: %s", SDL_GetError());
		return -1;
	}
	SDL_GetWindowSize(u->win, &u->w, &u->h);
	u->fullscreen = fullscreen;
	if (fullscreen)
		SDL_ShowCursor(SDL_DISABLE);
	return 0;
}

void ui_close(struct ui *u)
{
	/* Workers, the stick watch and libvlc wake through SDL: they stop
	 * before SDL does. */
	sticks_stop(u);
	syncing_stop(u);
	jobs_free(u->jobs);
	video_free(u);
	if (u->audio)
		SDL_CloseAudioDevice(u->audio);
	images_free(u->images);
	text_free(u->text);
	free(u->layout.boxes);
	if (u->ren)
		SDL_DestroyRenderer(u->ren);
	if (u->win)
		SDL_DestroyWindow(u->win);
	if (u->frame_log)
		fclose(u->frame_log);
	IMG_Quit();
	TTF_Quit();
	SDL_Quit();
}

static void run_forever(struct ui *u)
{
	while (!u->quit) {
		uint64_t d = next_deadline(u), now = clock_now_ms();
		int timeout = -1;
		if (d)
			timeout = d <= now ? 0 : (int)fmin(d - now, 1 << 30);
		SDL_Event e;
		int got = timeout < 0 ? SDL_WaitEvent(&e) : SDL_WaitEventTimeout(&e, timeout);
		if (got) {
			handle_sdl_event(u, &e);
			/* Take everything queued before drawing again. */
			while (!u->quit && SDL_PollEvent(&e))
				handle_sdl_event(u, &e);
		}
		run_timers(u, clock_now_ms());
	}
}

int ui_open(struct ui *u)
{
	const struct config *cfg = u->cfg;
	u->press_node = -1;
	u->reported_screen = (enum model_screen)-1;
	u->video_node = -1;
	if (u->opts->headless) {
		setenv("SDL_VIDEODRIVER", "offscreen", 1);
		setenv("SDL_AUDIODRIVER", "dummy", 1);
	}
	SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
	/* SIGINT and SIGTERM end the process as usual (the system service's stop),
	 * rather than arriving as a window close that a kiosk ignores. */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
	if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
		LOG_ERR("cannot start SDL: %s%s", SDL_GetError(),
			getenv("DISPLAY") || getenv("WAYLAND_DISPLAY")
				? ""
				: " (no display: run under Xvfb, e.g. xvfb-run -a -s \"-screen 0 "
				  "1920x1080x24\" kiosk, or use --headless)");
		return -1;
	}
	if (TTF_Init() != 0 || IMG_Init(IMG_INIT_PNG | IMG_INIT_JPG) == 0) {
		LOG_ERR("cannot start SDL_ttf or SDL_image: %s", SDL_GetError());
		return -1;
	}
	u->software = choose_software(cfg, u->opts->headless);
	if (open_window(u) != 0)
		return -1;
	u->text = text_new(u->ren, cfg->font_dir);
	if (!u->text)
		return -1;
	u->images = images_new(u->ren);
	u->wake_event = SDL_RegisterEvents(1);
	u->wake = (struct wake){wake_ui, u};
	u->jobs = jobs_new(&u->wake);
	sticks_start(u);
	syncing_start(u, u->opts->kiosk_id);
	const char *frame_log = getenv("KIOSK_FRAME_LOG");
	if (frame_log && !(u->frame_log = fopen(frame_log, "w")))
		LOG_WARN("%s: cannot write the frame log", frame_log);
	LOG_INFO("%dx%d, %s renderer, 2 cm = %d px", u->w, u->h, u->software ? "software" : "GPU",
		 (int)ceil(2.0 * config_px_per_cm(cfg)));
	ui_frame(u);
	return 0;
}

int ui_run(const struct config *cfg, struct model *m, const struct ui_options *opts)
{
	struct ui u = {.cfg = cfg, .opts = opts, .model = m, .w = cfg->width, .h = cfg->height};
	int rc = KIOSK_EXIT_RUNTIME;
	if (ui_open(&u) != 0)
		goto out;
	watchdog_start(&u);
	if (opts->script_path) {
		u.script_mode = true;
		rc = script_run(&u, opts->script_path);
	} else {
		run_forever(&u);
		rc = KIOSK_EXIT_OK;
	}
out:
	ui_close(&u);
	return rc;
}
