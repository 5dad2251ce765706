/* The film on screen: libvlc (through media/) decodes on its own threads
 * and wakes us through the UI's one wake (source MEDIA); only this, the UI
 * thread, touches SDL.
 * Each new frame is copied into a streaming texture and only the film's
 * rectangle is redrawn and presented (DESIGN.md §8: a full-window present
 * per frame costs more than decoding the film). */
#include "ui_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "video"

/* A film that does not play is an error the resident sees, not a black
 * player "playing" at 0:00 for ever (which would also keep idle away): no
 * first picture this long after play, or no new picture this long while
 * playing.  Films play in real time, so the watchdog counts real time, not
 * the app's clock (which a script's "advance" moves on without the film). */
#define FIRST_FRAME_MS 8000
#define STALL_MS 8000

static void watch_start(struct ui *u)
{
	u->film_watch = true;
	u->film_alive_ms = clock_real_ms();
}

/* The film showed life (a new picture) or was told to move. */
static void watch_update(struct ui *u, const struct media_snapshot *snap)
{
	if (!u->film_watch)
		return;
	if (snap->state != MEDIA_OPENING && snap->state != MEDIA_PLAYING) {
		u->film_watch = false; /* paused, ended or failed: nothing to wait for */
		return;
	}
	if (snap->frames != u->film_frames_seen) {
		u->film_frames_seen = snap->frames;
		u->film_alive_ms = clock_real_ms();
	}
	u->film_opening = snap->state == MEDIA_OPENING;
}

static uint64_t watch_deadline_real(const struct ui *u)
{
	return u->film_alive_ms + (u->film_opening ? FIRST_FRAME_MS : STALL_MS);
}

uint64_t video_deadline(const struct ui *u)
{
	if (!u->film_watch)
		return 0;
	uint64_t real = clock_real_ms(), due = watch_deadline_real(u);
	return clock_now_ms() + (due > real ? due - real : 0);
}

void video_check(struct ui *u)
{
	if (!u->film_watch || !u->media || clock_real_ms() < watch_deadline_real(u))
		return;
	struct media_snapshot snap;
	media_snapshot(u->media, &snap);
	if (u->film_opening)
		LOG_ERR("the film showed no picture within %d s: it cannot be played",
			FIRST_FRAME_MS / 1000);
	else
		LOG_ERR("the film stood still at %lld ms for %d s: it cannot be played",
			(long long)snap.position_ms, STALL_MS / 1000);
	u->film_watch = false;
	media_stop(u->media);
	u->has_frame = false;
	model_film_status(u->model, MODEL_FILM_ERROR, snap.position_ms, snap.duration_ms,
			  clock_now_ms());
}

void video_prepare(struct ui *u)
{
	if (u->media || u->no_media || !model_wants_media(u->model))
		return;
	char warm[1024];
	struct media_options opts = {
		.warm = model_first_film(u->model, warm, sizeof warm) ? warm : NULL,
		.silent = u->opts->headless || getenv("KIOSK_SILENT") != NULL,
		/* Subtitles at least 40 px (LOOK.md), scaled with the screen. */
		.subtitle_px = (int)fmax(40, 46 * u->layout.m.s * u->tree->text_scale / 100.0),
	};
	u->media = media_new(&opts, &u->wake);
	LOG_INFO("libvlc starting in the background");
}

static enum model_film_state film_state(enum media_state s)
{
	switch (s) {
	case MEDIA_OPENING: return MODEL_FILM_OPENING;
	case MEDIA_PLAYING: return MODEL_FILM_PLAYING;
	case MEDIA_PAUSED: return MODEL_FILM_PAUSED;
	case MEDIA_ENDED: return MODEL_FILM_ENDED;
	case MEDIA_ERROR: return MODEL_FILM_ERROR;
	case MEDIA_IDLE: break;
	}
	return MODEL_FILM_NONE;
}

/* The largest size the film may have: the body between the bars. */
static void film_area(const struct ui *u, int *w, int *h)
{
	*w = u->w;
	*h = u->layout.viewport.h > 0 ? u->layout.viewport.h : u->h;
}

void video_run_commands(struct ui *u)
{
	struct model_media_cmd c;
	while (model_take_media_cmd(u->model, &c)) {
		video_prepare(u);
		if (!u->media)
			continue;
		switch (c.op) {
		case MODEL_MEDIA_PLAY: {
			int w, h;
			film_area(u, &w, &h);
			u->has_frame = false;
			u->film_frames_seen = 0;
			u->film_opening = true;
			watch_start(u);
			if (media_play(u->media, c.path, c.subtitles[0] ? c.subtitles : NULL, w, h) != 0)
				video_on_wake(u); /* the model hears of the error at once */
			break;
		}
		case MODEL_MEDIA_STOP:
			media_stop(u->media);
			u->has_frame = false;
			u->film_watch = false;
			break;
		case MODEL_MEDIA_PAUSE:
			media_set_pause(u->media, true);
			u->film_watch = false;
			break;
		case MODEL_MEDIA_RESUME:
			media_set_pause(u->media, false);
			watch_start(u);
			break;
		case MODEL_MEDIA_SEEK:
			media_seek(u->media, c.ms);
			if (u->film_watch)
				watch_start(u); /* a jump takes a moment */
			break;
		case MODEL_MEDIA_VOLUME: media_set_volume(u->media, c.value); break;
		case MODEL_MEDIA_SUBTITLES:
			media_set_subtitles(u->media, c.subtitles[0] ? c.subtitles : NULL);
			break;
		}
	}
}

/* Copies the newest frame into the texture; true when there was one. */
static bool take_frame(struct ui *u)
{
	int w, h;
	const void *px = media_frame_take(u->media, &w, &h);
	if (!px)
		return false;
	if (!u->video_tex || w != u->video_w || h != u->video_h) {
		if (u->video_tex)
			SDL_DestroyTexture(u->video_tex);
		u->video_tex = SDL_CreateTexture(u->ren, SDL_PIXELFORMAT_RGB888,
						 SDL_TEXTUREACCESS_STREAMING, w, h);
		u->video_w = w, u->video_h = h;
	}
	if (u->video_tex)
		SDL_UpdateTexture(u->video_tex, NULL, px, w * 4);
	media_frame_release(u->media);
	u->has_frame = u->video_tex != NULL;
	return u->has_frame;
}

void video_on_wake(struct ui *u)
{
	if (!u->media)
		return;
	struct media_snapshot snap;
	media_snapshot(u->media, &snap);
	watch_update(u, &snap);
	model_film_status(u->model, film_state(snap.state), snap.position_ms, snap.duration_ms,
			  clock_now_ms());
	if (take_frame(u)) {
		SDL_Rect r;
		if (video_frame_rect(u, &r))
			ui_damage(u, r);
		/* The seek bar moves with the film. */
		if (u->layout.band.w)
			ui_damage(u, u->layout.band);
	}
}

bool video_frame_rect(const struct ui *u, SDL_Rect *out)
{
	if (!u->has_frame || u->video_node < 0 || (size_t)u->video_node >= u->layout.n)
		return false;
	SDL_Rect box = u->layout.boxes[u->video_node].r;
	box.y += u->layout.viewport.y;
	/* At its own size, in the middle of the space above the controls where
	 * that space is big enough (the controls then never cover the picture
	 * and it does not move when they fade), else in the middle. */
	int reserve = (int)lround(fmax(u->layout.m.target, 112 * u->layout.m.s) * 1.4);
	if (box.h - reserve >= u->video_h)
		box.h -= reserve;
	*out = (SDL_Rect){box.x + (box.w - u->video_w) / 2, box.y + (box.h - u->video_h) / 2,
			  u->video_w, u->video_h};
	return true;
}

void video_draw(struct ui *u, SDL_Rect box)
{
	SDL_SetRenderDrawColor(u->ren, 0, 0, 0, 255);
	SDL_RenderFillRect(u->ren, &box);
	SDL_Rect r;
	if (video_frame_rect(u, &r))
		SDL_RenderCopy(u->ren, u->video_tex, NULL, &r);
}

void video_free(struct ui *u)
{
	media_free(u->media);
	u->media = NULL;
	if (u->video_tex)
		SDL_DestroyTexture(u->video_tex);
	u->video_tex = NULL;
}
