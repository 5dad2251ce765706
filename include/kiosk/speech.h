/* speech: text to speech with espeak-ng, for residents who cannot read the
 * screen.  It returns PCM; ui/ plays it through SDL audio.  espeak-ng is one
 * global engine, so one worker thread owns it; requests replace each other
 * (a new tap speaks the new thing, not the queue of old ones).  Only this
 * module includes espeak-ng's headers.
 */
#ifndef KIOSK_SPEECH_H
#define KIOSK_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct speech;

/* Called on the worker thread when a request's sound is ready (thread-safe
 * callbacks only, like SDL_PushEvent). */
typedef void (*speech_wake_fn)(void *data);

/* Starts the worker; NULL when espeak-ng cannot start (logged). */
struct speech *speech_new(speech_wake_fn wake, void *wake_data);
void speech_free(struct speech *s);

/* Speaks text in lang ("de", "de-x-ls" slower, "en", "tr", "uk", "ar"),
 * replacing whatever was asked before and not yet taken. */
void speech_say(struct speech *s, const char *lang, const char *text);
/* The sound of the latest request, if it is ready: mono, 16 bit, *rate Hz.
 * *pcm is the caller's to free. */
bool speech_take(struct speech *s, int16_t **pcm, size_t *samples, int *rate);

/* The same, at once on the calling thread (tests; the worker uses it).
 * Returns 0, or -1 when the language has no voice or synthesis failed. */
int speech_synthesize(const char *lang, const char *text, int16_t **pcm, size_t *samples,
		      int *rate);

#endif
