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

void video_prepare(struct ui *u)
{
	if (u->media || !model_wants_media(u->model))
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
			if (media_play(u->media, c.path, c.subtitles[0] ? c.subtitles : NULL, w, h) != 0)
				video_on_wake(u); /* the model hears of the error at once */
			break;
		}
		case MODEL_MEDIA_STOP:
			media_stop(u->media);
			u->has_frame = false;
			break;
		case MODEL_MEDIA_PAUSE: media_set_pause(u->media, true); break;
		case MODEL_MEDIA_RESUME: media_set_pause(u->media, false); break;
		case MODEL_MEDIA_SEEK: media_seek(u->media, c.ms); break;
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
