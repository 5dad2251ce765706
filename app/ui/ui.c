/* ui: the window, the event loop and presenting what changed.
 *
 * On machines without a GPU (many kiosk PCs, and CI) SDL's software
 * renderer drawing into the window surface starts in half the time and a
 * fifth of the memory of Mesa's GL renderer (DESIGN.md §8), and presenting
 * only the changed rectangles with SDL_UpdateWindowSurfaceRects keeps a
 * still screen at 0 % CPU.  The accelerated renderer stays selectable.
 */
#include "ui_int.h"

#include <SDL_image.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "ui"

/* Inertia and presses redraw at this pace; nothing else ticks. */
#define ANIMATION_FRAME_MS 16

void ui_damage(struct ui *u, SDL_Rect r)
{
	SDL_Rect screen = {0, 0, u->w, u->h};
	if (!SDL_IntersectRect(&r, &screen, &r))
		return;
	if (u->has_damage)
		SDL_UnionRect(&u->damage, &r, &u->damage);
	else
		u->damage = r;
	u->has_damage = true;
}

void ui_damage_all(struct ui *u)
{
	ui_damage(u, (SDL_Rect){0, 0, u->w, u->h});
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void present(struct ui *u)
{
	if (!u->has_damage)
		return;
	uint64_t t0 = now_us();
	/* A GPU back buffer is undefined after a present: redraw all of it. */
	SDL_Rect r = u->software ? u->damage : (SDL_Rect){0, 0, u->w, u->h};
	draw_frame(u, &r);
	if (u->software) {
		SDL_RenderFlush(u->ren);
		SDL_UpdateWindowSurfaceRects(u->win, &r, 1);
	} else {
		SDL_RenderPresent(u->ren);
	}
	u->has_damage = false;
	if (u->frame_log) {
		fprintf(u->frame_log, "FRAME draw_us=%llu w=%d h=%d\n",
			(unsigned long long)(now_us() - t0), r.w, r.h);
		fflush(u->frame_log);
	}
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

/* Called on the speech worker's thread: the one SDL call allowed there. */
static void wake_for_speech(void *data)
{
	SDL_Event e = {.type = (Uint32)(uintptr_t)data};
	SDL_PushEvent(&e);
}

/* Passes what the model wants said to the speech worker. */
static void speak_requests(struct ui *u)
{
	char *text;
	const char *lang;
	while (model_take_speech(u->model, &text, &lang)) {
		if (u->audio)
			SDL_ClearQueuedAudio(u->audio); /* the new thing, not the rest of the old */
		if (*text) {
			if (!u->speech) {
				u->speech_event = SDL_RegisterEvents(1);
				u->speech = speech_new(wake_for_speech,
						       (void *)(uintptr_t)u->speech_event);
			}
			if (u->speech)
				speech_say(u->speech, lang, text);
		}
		free(text);
	}
}

/* The worker's sound is ready: play it (headphones on a kiosk). */
static void play_speech(struct ui *u)
{
	int16_t *pcm;
	size_t n;
	int rate;
	if (!u->speech || !speech_take(u->speech, &pcm, &n, &rate))
		return;
	if (u->audio && u->audio_rate != rate) {
		SDL_CloseAudioDevice(u->audio);
		u->audio = 0;
	}
	if (!u->audio && (SDL_WasInit(SDL_INIT_AUDIO) || SDL_InitSubSystem(SDL_INIT_AUDIO) == 0)) {
		SDL_AudioSpec want = {.freq = rate, .format = AUDIO_S16SYS, .channels = 1,
				      .samples = 2048}, have;
		u->audio = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
		u->audio_rate = rate;
		if (!u->audio)
			LOG_ERR("no sound output for speech: %s", SDL_GetError());
	}
	if (u->audio) {
		SDL_QueueAudio(u->audio, pcm, (Uint32)(n * sizeof *pcm));
		SDL_PauseAudioDevice(u->audio, 0);
	}
	LOG_INFO("speaking %.1f s of speech", (double)n / rate);
	free(pcm);
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

void ui_refresh(struct ui *u)
{
	video_run_commands(u);
	if (model_take_reset(u->model))
		u->scroll = 0;
	enum model_screen before = u->tree ? u->tree->screen : MODEL_SCREEN_HOME;
	u->tree = model_tree(u->model);
	if (u->tree->generation != u->laid_generation) {
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
	present(u);
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
	return d;
}

static void run_timers(struct ui *u, uint64_t now)
{
	input_animate(u, now);
	model_tick(u->model, now);
	ui_refresh(u);
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
		if (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
		    e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
			if (u->software)
				SDL_GetWindowSurface(u->win); /* re-fetch after a resize */
			ui_damage_all(u);
			present(u);
		}
		return;
	default:
		if (u->wake_event && e->type == u->wake_event)
			video_on_wake(u);
		else if (u->speech_event && e->type == u->speech_event)
			play_speech(u);
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

int ui_screenshot(struct ui *u, const char *path)
{
	SDL_Surface *shot = SDL_CreateRGBSurfaceWithFormat(0, u->w, u->h, 32,
							   SDL_PIXELFORMAT_ARGB8888);
	if (!shot)
		return -1;
	int rc = SDL_RenderReadPixels(u->ren, NULL, SDL_PIXELFORMAT_ARGB8888, shot->pixels,
				      shot->pitch);
	if (rc == 0)
		rc = IMG_SavePNG(shot, path);
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
	if (u->software) {
		SDL_Surface *surf = SDL_GetWindowSurface(u->win);
		u->ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
	} else {
		u->ren = SDL_CreateRenderer(u->win, -1, SDL_RENDERER_ACCELERATED);
		if (!u->ren) {
			LOG_WARN("no accelerated renderer (%s); drawing in software", SDL_GetError());
			u->software = true;
			SDL_Surface *surf = SDL_GetWindowSurface(u->win);
			u->ren = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
		}
	}
	if (!u->ren) {
		LOG_ERR("cannot create a renderer: %s", SDL_GetError());
		return -1;
	}
	SDL_GetWindowSize(u->win, &u->w, &u->h);
	if (fullscreen)
		SDL_ShowCursor(SDL_DISABLE);
	return 0;
}

static void close_ui(struct ui *u)
{
	speech_free(u->speech);
	if (u->audio)
		SDL_CloseAudioDevice(u->audio);
	video_free(u);
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

int ui_run(const struct config *cfg, struct model *m, const struct ui_options *opts)
{
	struct ui u = {.cfg = cfg, .opts = opts, .model = m, .w = cfg->width, .h = cfg->height,
		       .press_node = -1, .reported_screen = (enum model_screen)-1};
	int rc = KIOSK_EXIT_RUNTIME;
	if (opts->headless) {
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
		return rc;
	}
	if (TTF_Init() != 0 || IMG_Init(IMG_INIT_PNG | IMG_INIT_JPG) == 0) {
		LOG_ERR("cannot start SDL_ttf or SDL_image: %s", SDL_GetError());
		goto out;
	}
	u.software = choose_software(cfg, opts->headless);
	if (open_window(&u) != 0)
		goto out;
	u.text = text_new(u.ren, cfg->font_dir);
	if (!u.text)
		goto out;
	u.images = images_new(u.ren);
	u.video_node = -1;
	const char *frame_log = getenv("KIOSK_FRAME_LOG");
	if (frame_log && !(u.frame_log = fopen(frame_log, "w")))
		LOG_WARN("%s: cannot write the frame log", frame_log);
	LOG_INFO("%dx%d, %s renderer, 2 cm = %d px", u.w, u.h, u.software ? "software" : "GPU",
		 (int)ceil(2.0 * config_px_per_cm(cfg)));
	ui_refresh(&u);
	if (opts->script_path) {
		u.script_mode = true;
		rc = script_run(&u, opts->script_path);
	} else {
		run_forever(&u);
		rc = KIOSK_EXIT_OK;
	}
out:
	close_ui(&u);
	return rc;
}
