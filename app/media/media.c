/* media: libvlc playing into a buffer we own (vmem callbacks, RV32).
 *
 * Threads: libvlc's decoder and vout threads call format/lock/unlock/
 * display and the event callbacks; they copy, mark, wake and return.  The
 * UI thread calls everything else.  libvlc itself starts on a thread of its
 * own when the media object is made, so that the tap on a film does not pay
 * for loading VLC's plugins. */
#include "kiosk/media.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vlc/vlc.h>

#include "kiosk/core.h"

#define LOG_MODULE "media"

struct media {
	struct media_options opts;
	struct wake wake;            /* the UI's, handed down (source MEDIA) */

	pthread_t starter;           /* runs libvlc_new */
	bool starter_joined;
	libvlc_instance_t *vlc;
	libvlc_media_player_t *mp;

	pthread_mutex_t lock;        /* guards the frame fields below */
	void *buf;
	int w, h;                    /* the frame's size as asked of libvlc */
	bool fresh;                  /* a frame arrived since the last take */
	uint64_t frames;
	int max_w, max_h;

	atomic_int state;            /* enum media_state */
	char *warm;                  /* the film to warm up with, or NULL */
	atomic_bool warm_abort;      /* a film is wanted now: stop warming up */
};

/* ---- libvlc's threads ---- */

static void wake(struct media *m)
{
	wake_call(&m->wake, WAKE_SOURCE_MEDIA);
}

/* VLC 3 logs hundreds of harmless lines on a machine without a GPU; only
 * its errors reach our log, as warnings (ours says what it means). */
static void on_log(void *data, int level, const libvlc_log_t *ctx, const char *fmt, va_list args)
{
	(void)data;
	(void)ctx;
	if (level < LIBVLC_ERROR)
		return;
	char line[512];
	vsnprintf(line, sizeof line, fmt, args);
	/* VLC 3 first tries to open a display of its own and to convert for it;
	 * with our callbacks these attempts fail harmlessly before the one that
	 * works.  Whether a film plays is known from its events, not from these. */
	static const char *const harmless[] = {
		"Too high level of recursion", "Failed to create video converter",
		"Failed to adapt decoder format to display", "video output creation failed",
		"failed to create video output",
	};
	for (size_t i = 0; i < sizeof harmless / sizeof harmless[0]; i++)
		if (strstr(line, harmless[i])) {
			LOG_DBG("vlc: %s", line);
			return;
		}
	LOG_WARN("vlc: %s", line);
}

static unsigned on_format(void **opaque, char *chroma, unsigned *width, unsigned *height,
			  unsigned *pitches, unsigned *lines)
{
	struct media *m = *opaque;
	double sx = (double)m->max_w / *width, sy = (double)m->max_h / *height;
	double scale = sx < sy ? sx : sy;
	if (scale > 1)
		scale = 1; /* never up: scaling every frame costs more than decoding it */
	unsigned w = (unsigned)(*width * scale) & ~1u, h = (unsigned)(*height * scale) & ~1u;
	memcpy(chroma, "RV32", 4);
	*width = w, *height = h;
	pitches[0] = w * 4;
	lines[0] = h;
	pthread_mutex_lock(&m->lock);
	free(m->buf);
	m->buf = xcalloc((size_t)w * h, 4);
	m->w = (int)w, m->h = (int)h;
	m->fresh = false;
	pthread_mutex_unlock(&m->lock);
	return 1;
}

static void *on_lock(void *opaque, void **planes)
{
	struct media *m = opaque;
	pthread_mutex_lock(&m->lock);
	planes[0] = m->buf;
	return NULL;
}

static void on_unlock(void *opaque, void *picture, void *const *planes)
{
	(void)picture;
	(void)planes;
	struct media *m = opaque;
	pthread_mutex_unlock(&m->lock);
}

static void on_display(void *opaque, void *picture)
{
	(void)picture;
	struct media *m = opaque;
	pthread_mutex_lock(&m->lock);
	m->fresh = true;
	m->frames++;
	pthread_mutex_unlock(&m->lock);
	int opening = MEDIA_OPENING;
	atomic_compare_exchange_strong(&m->state, &opening, MEDIA_PLAYING);
	wake(m);
}

static void on_event(const struct libvlc_event_t *e, void *data)
{
	struct media *m = data;
	switch (e->type) {
	case libvlc_MediaPlayerEndReached: atomic_store(&m->state, MEDIA_ENDED); break;
	case libvlc_MediaPlayerEncounteredError: atomic_store(&m->state, MEDIA_ERROR); break;
	case libvlc_MediaPlayerPaused: atomic_store(&m->state, MEDIA_PAUSED); break;
	case libvlc_MediaPlayerPlaying: {
		int paused = MEDIA_PAUSED;
		atomic_compare_exchange_strong(&m->state, &paused, MEDIA_PLAYING);
		break;
	}
	default: return;
	}
	wake(m);
}

/* ---- Warming up: one frame of a film into a throwaway buffer ----
 * libvlc_new is quick; what makes the first film slow is VLC loading its mp4
 * demuxer, the decoder with the libraries it pulls in, and the converter, at
 * the first play.  Doing that once in the background, while the resident
 * looks at the list, takes it off the path from the tap to the picture. */
struct warm {
	void *buf;
	atomic_bool done;
};

static unsigned warm_format(void **opaque, char *chroma, unsigned *width, unsigned *height,
			    unsigned *pitches, unsigned *lines)
{
	struct warm *w = *opaque;
	memcpy(chroma, "RV32", 4);
	pitches[0] = *width * 4;
	lines[0] = *height;
	w->buf = xcalloc((size_t)*width * *height, 4);
	return 1;
}

static void *warm_lock(void *opaque, void **planes)
{
	planes[0] = ((struct warm *)opaque)->buf;
	return NULL;
}

static void warm_display(void *opaque, void *picture)
{
	(void)picture;
	atomic_store(&((struct warm *)opaque)->done, true);
}

static void warm_up(struct media *m)
{
	struct warm w = {0};
	libvlc_media_t *md = libvlc_media_new_path(m->vlc, m->warm);
	libvlc_media_player_t *mp = md ? libvlc_media_player_new(m->vlc) : NULL;
	if (!mp) {
		if (md)
			libvlc_media_release(md);
		return;
	}
	libvlc_media_add_option(md, ":no-audio");
	libvlc_video_set_callbacks(mp, warm_lock, NULL, warm_display, &w);
	libvlc_video_set_format_callbacks(mp, warm_format, NULL);
	libvlc_media_player_set_media(mp, md);
	libvlc_media_release(md);
	if (libvlc_media_player_play(mp) == 0)
		for (int i = 0; i < 300 && !atomic_load(&w.done) && !atomic_load(&m->warm_abort); i++)
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	libvlc_media_player_stop(mp);
	libvlc_media_player_release(mp);
	free(w.buf);
	LOG_DBG("warmed up with %s: %s", m->warm, atomic_load(&w.done) ? "a frame" : "no frame");
}

/* ---- Start-up, on its own thread ---- */

static void *start_vlc(void *data)
{
	struct media *m = data;
	char font_size[48];
	snprintf(font_size, sizeof font_size, "--freetype-fontsize=%d",
		 m->opts.subtitle_px > 0 ? m->opts.subtitle_px : 44);
	const char *args[] = {
		"--quiet", "--no-video-title-show", "--no-sub-autodetect-file", "--no-osd",
		"--no-snapshot-preview", "--no-stats", "--no-xlib",
		/* Subtitles large, white, on a dark band (DESIGN.md §7). */
		"--freetype-font=Noto Sans", font_size, "--freetype-color=16777215",
		"--freetype-background-opacity=200", "--freetype-background-color=0",
		"--freetype-outline-thickness=0",
		m->opts.silent ? "--aout=adummy" : "--no-audio-time-stretch",
	};
	m->vlc = libvlc_new((int)(sizeof args / sizeof args[0]), args);
	if (!m->vlc) {
		LOG_ERR("libvlc could not start (Debian: vlc-plugin-base): %s", libvlc_errmsg());
		return NULL;
	}
	libvlc_log_set(m->vlc, on_log, m);
	m->mp = libvlc_media_player_new(m->vlc);
	libvlc_video_set_callbacks(m->mp, on_lock, on_unlock, on_display, m);
	libvlc_video_set_format_callbacks(m->mp, on_format, NULL);
	libvlc_event_manager_t *em = libvlc_media_player_event_manager(m->mp);
	libvlc_event_attach(em, libvlc_MediaPlayerEndReached, on_event, m);
	libvlc_event_attach(em, libvlc_MediaPlayerEncounteredError, on_event, m);
	libvlc_event_attach(em, libvlc_MediaPlayerPaused, on_event, m);
	libvlc_event_attach(em, libvlc_MediaPlayerPlaying, on_event, m);
	if (m->warm && file_check_regular_inside(m->warm) == 0)
		warm_up(m);
	return NULL;
}

/* Waits for the start-up thread, once (cutting a warm-up short). */
static bool ready(struct media *m)
{
	if (!m->starter_joined) {
		atomic_store(&m->warm_abort, true);
		pthread_join(m->starter, NULL);
		m->starter_joined = true;
	}
	return m->mp != NULL;
}

struct media *media_new(const struct media_options *opts, const struct wake *wake_to)
{
	struct media *m = xcalloc(1, sizeof *m);
	m->opts = *opts;
	if (wake_to)
		m->wake = *wake_to;
	m->warm = opts->warm ? xstrdup(opts->warm) : NULL;
	pthread_mutex_init(&m->lock, NULL);
	atomic_store(&m->state, MEDIA_IDLE);
	if (pthread_create(&m->starter, NULL, start_vlc, m) != 0) {
		start_vlc(m); /* no thread: start here */
		m->starter_joined = true;
	}
	return m;
}

void media_free(struct media *m)
{
	if (!m)
		return;
	ready(m);
	if (m->mp) {
		libvlc_media_player_stop(m->mp);
		libvlc_media_player_release(m->mp);
	}
	if (m->vlc) {
#ifdef KIOSK_SANITIZE_BUILD
		/* LeakSanitizer reports after exit; libvlc_release would unload the
		 * plugins before, leaving what they leak with no module name to
		 * suppress (tests/lsan.supp).  Sanitizer builds keep them loaded. */
		static libvlc_instance_t *kept;
		kept = m->vlc;
		(void)kept;
#else
		libvlc_release(m->vlc);
#endif
	}
	pthread_mutex_destroy(&m->lock);
	free(m->buf);
	free(m->warm);
	free(m);
}

/* ---- The UI thread ---- */

int media_play(struct media *m, const char *path, const char *subtitles, int max_w, int max_h)
{
	media_stop(m);
	if (!ready(m)) {
		atomic_store(&m->state, MEDIA_ERROR);
		return -1;
	}
	/* libvlc would wait for ever on a FIFO or read a device as a film, and
	 * its stop would then hang with it: only a regular file of the media
	 * folder is handed over. */
	int usable = file_check_regular_inside(path);
	if (usable) {
		LOG_ERR("%s: %s", path, usable == -ENOENT ? "the film is missing"
							     : file_read_strerror(usable));
		atomic_store(&m->state, MEDIA_ERROR);
		return -1;
	}
	libvlc_media_t *md = libvlc_media_new_path(m->vlc, path);
	if (!md) {
		LOG_ERR("%s: libvlc cannot open it", path);
		atomic_store(&m->state, MEDIA_ERROR);
		return -1;
	}
	int subs = subtitles ? file_check_regular_inside(subtitles) : -ENOENT;
	if (subs && subs != -ENOENT)
		LOG_ERR("%s: %s; the film plays without subtitles", subtitles, file_read_strerror(subs));
	if (subs == 0) {
		char *opt = xasprintf(":sub-file=%s", subtitles);
		libvlc_media_add_option(md, opt);
		free(opt);
	}
	m->max_w = max_w, m->max_h = max_h;
	pthread_mutex_lock(&m->lock);
	m->fresh = false;
	m->frames = 0;
	pthread_mutex_unlock(&m->lock);
	atomic_store(&m->state, MEDIA_OPENING);
	libvlc_media_player_set_media(m->mp, md);
	libvlc_media_release(md);
	if (libvlc_media_player_play(m->mp) != 0) {
		LOG_ERR("%s: libvlc cannot play it", path);
		atomic_store(&m->state, MEDIA_ERROR);
		return -1;
	}
	return 0;
}

void media_stop(struct media *m)
{
	if (!m->starter_joined || !m->mp)
		return;
	libvlc_media_player_stop(m->mp);
	atomic_store(&m->state, MEDIA_IDLE);
}

void media_set_pause(struct media *m, bool pause)
{
	if (ready(m))
		libvlc_media_player_set_pause(m->mp, pause);
}

void media_seek(struct media *m, int64_t ms)
{
	if (!ready(m))
		return;
	int64_t length = libvlc_media_player_get_length(m->mp);
	if (ms < 0)
		ms = 0;
	if (length > 0 && ms > length - 500)
		ms = length - 500;
	libvlc_media_player_set_time(m->mp, ms);
}

void media_set_volume(struct media *m, int percent)
{
	if (ready(m))
		libvlc_audio_set_volume(m->mp, percent);
}

void media_set_subtitles(struct media *m, const char *subtitles)
{
	if (!ready(m))
		return;
	if (!subtitles || file_check_regular_inside(subtitles) != 0) {
		libvlc_video_set_spu(m->mp, -1);
		return;
	}
	char *uri = xasprintf("file://%s", subtitles);
	if (libvlc_media_player_add_slave(m->mp, libvlc_media_slave_type_subtitle, uri, true) != 0)
		LOG_WARN("%s: subtitles could not be switched", subtitles);
	free(uri);
}

void media_snapshot(struct media *m, struct media_snapshot *out)
{
	memset(out, 0, sizeof *out);
	out->state = atomic_load(&m->state);
	if (m->starter_joined && m->mp && out->state != MEDIA_IDLE) {
		out->position_ms = libvlc_media_player_get_time(m->mp);
		out->duration_ms = libvlc_media_player_get_length(m->mp);
		if (out->position_ms < 0)
			out->position_ms = 0;
		if (out->duration_ms < 0)
			out->duration_ms = 0;
	}
	pthread_mutex_lock(&m->lock);
	out->width = m->frames ? m->w : 0;
	out->height = m->frames ? m->h : 0;
	out->frames = m->frames;
	pthread_mutex_unlock(&m->lock);
}

const void *media_frame_take(struct media *m, int *width, int *height)
{
	pthread_mutex_lock(&m->lock);
	if (!m->fresh || !m->buf) {
		pthread_mutex_unlock(&m->lock);
		return NULL;
	}
	m->fresh = false;
	*width = m->w, *height = m->h;
	return m->buf; /* the lock stays held until media_frame_release */
}

void media_frame_release(struct media *m)
{
	pthread_mutex_unlock(&m->lock);
}
