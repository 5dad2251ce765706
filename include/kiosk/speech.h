/* speech: text to speech with espeak-ng, for residents who cannot read the
 * screen.  It returns PCM; ui/ plays it through SDL audio.  Synthesis runs
 * on the job seam's speech worker (core: struct jobs), and a new request
 * cancels the one before, even in the middle of a sentence: a new tap speaks
 * the new thing, not the queue of old ones.  Only this module includes
 * espeak-ng's headers.
 */
#ifndef KIOSK_SPEECH_H
#define KIOSK_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct job;
struct job_result;
struct jobs;

/* Mono, 16 bit PCM at rate Hz. */
struct speech_sound {
	int16_t *pcm;
	size_t samples;
	int rate;
};

/* Cancels whatever speech was asked before and queues text in lang ("de",
 * "de-x-ls" slower, "en", "tr", "uk", "ar") on the jobs' speech worker.
 * Returns the job's id, or 0 when it could not be queued (logged). */
uint64_t speech_request(struct jobs *jobs, const char *lang, const char *text);
/* Cancels any speech being made or waiting. */
void speech_cancel(struct jobs *jobs);
/* The sound of a finished speech job, or NULL when it was cancelled or
 * failed.  Borrowed from r: valid until job_result_free(r). */
const struct speech_sound *speech_result(const struct job_result *r);

/* The synthesis itself, on the calling thread (the worker; tests).  job may
 * be NULL; when it is cancelled, synthesis stops early and -1 is returned.
 * *pcm is the caller's to free.  Returns 0, or -1 when the language has no
 * voice, synthesis failed or it was cancelled. */
int speech_synthesize(const char *lang, const char *text, const struct job *job, int16_t **pcm,
		      size_t *samples, int *rate);

#endif
