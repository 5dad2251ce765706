/* media: films decoded by libvlc into a frame buffer this module owns.
 *
 * libvlc runs its own threads.  Its video callbacks copy the decoded
 * picture into our buffer under a mutex, mark it fresh and call the wake
 * callback the UI handed down; they never touch SDL, and the UI thread
 * alone takes frames out.  Playback state crosses threads as a snapshot
 * (media_snapshot), as cmus's player does.  Only this module includes
 * <vlc/vlc.h>.
 */
#ifndef KIOSK_MEDIA_H
#define KIOSK_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

struct media;

struct media_options {
	bool silent;        /* no audio output (tests, headless runs) */
	int subtitle_px;    /* subtitle text height in pixels, on a dark band */
	const char *warm;   /* a film to decode one frame of in the background, so
	                     * that VLC's demuxer, decoder and converter are loaded
	                     * before the first tap; NULL: none (copied) */
};

/* Starts libvlc in the background, so that the first tap on a film does not
 * wait for it.  wake (copied) is called from libvlc's threads with
 * WAKE_SOURCE_MEDIA when something changed (a frame, the end, an error).
 * The caller frees with media_free(). */
struct wake;
struct media *media_new(const struct media_options *opts, const struct wake *wake);
void media_free(struct media *m);

/* Plays a film scaled to fit max_w x max_h (never up: a 720p film on a
 * 1080p screen plays 1:1).  subtitles may be NULL.  Returns 0, or -1 when
 * libvlc could not start it (the log says why). */
int media_play(struct media *m, const char *path, const char *subtitles, int max_w, int max_h);
void media_stop(struct media *m);
void media_set_pause(struct media *m, bool pause);
void media_seek(struct media *m, int64_t ms);
void media_set_volume(struct media *m, int percent);
/* Switches subtitles to another file, or off with NULL. */
void media_set_subtitles(struct media *m, const char *subtitles);

enum media_state {
	MEDIA_IDLE,     /* nothing loaded */
	MEDIA_OPENING,  /* loading, no frame yet */
	MEDIA_PLAYING,  /* frames are coming */
	MEDIA_PAUSED,   /* stopped at a frame */
	MEDIA_ENDED,    /* reached the end */
	MEDIA_ERROR,    /* missing, truncated or undecodable */
};

struct media_snapshot {
	enum media_state state;
	int64_t position_ms;
	int64_t duration_ms;
	int width, height;  /* the frame's size, 0 before the first frame */
	uint64_t frames;    /* frames shown so far */
};

void media_snapshot(struct media *m, struct media_snapshot *out);

/* The newest frame (XRGB8888, pitch = width * 4) if one arrived since the
 * last call; the buffer stays valid and unchanged until media_frame_release().
 * Returns NULL when there is nothing new. */
const void *media_frame_take(struct media *m, int *width, int *height);
void media_frame_release(struct media *m);

#endif
