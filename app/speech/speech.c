/* speech: espeak-ng synthesizing into memory, on the job seam's speech worker. */
#include "kiosk/speech.h"

#include <espeak-ng/speak_lib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"

#define LOG_MODULE "speech"

/* espeak-ng is one engine per process: this lock serialises its use. */
static pthread_mutex_t engine = PTHREAD_MUTEX_INITIALIZER;
static int engine_rate;                 /* sample rate, 0 until initialised */
static int16_t *collect;                /* the sound of the synthesis running */
static size_t collected, collect_cap;
static const struct job *collect_job;   /* its job, to notice a cancel; or NULL */

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
	(void)events;
	if (job_cancelled(collect_job))
		return 1; /* stop: nobody wants this sound any more */
	if (!wav || n <= 0)
		return 0;
	if (collected + (size_t)n > collect_cap) {
		collect_cap = (collected + (size_t)n) * 2;
		collect = xrealloc(collect, collect_cap * sizeof *collect);
	}
	memcpy(collect + collected, wav, (size_t)n * sizeof *wav);
	collected += (size_t)n;
	return 0; /* go on */
}

static bool engine_start(void)
{
	if (engine_rate > 0)
		return true;
	int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0);
	if (rate <= 0) {
		LOG_ERR("espeak-ng cannot start (Debian: espeak-ng-data)");
		return false;
	}
	espeak_SetSynthCallback(on_samples);
	engine_rate = rate;
	return true;
}

/* The espeak-ng voice and speed for a kiosk language. */
static const char *voice_for(const char *lang, int *words_per_minute)
{
	*words_per_minute = 160;
	if (strcmp(lang, "de-x-ls") == 0) {
		*words_per_minute = 125; /* Leichte Sprache: the German voice, slower */
		return "de";
	}
	static const char *const voices[] = {"de", "en", "tr", "uk", "ar"};
	for (size_t i = 0; i < sizeof voices / sizeof voices[0]; i++)
		if (strcmp(lang, voices[i]) == 0)
			return voices[i];
	return NULL;
}

int speech_synthesize(const char *lang, const char *text, const struct job *job, int16_t **pcm,
		      size_t *samples, int *rate)
{
	int wpm;
	const char *voice = voice_for(lang, &wpm);
	*pcm = NULL;
	*samples = 0;
	if (!voice) {
		LOG_WARN("no voice for language %s", lang);
		return -1;
	}
	pthread_mutex_lock(&engine);
	int rc = -1;
	if (!engine_start())
		goto out;
	if (espeak_SetVoiceByName(voice) != EE_OK) {
		LOG_ERR("espeak-ng has no voice '%s'", voice);
		goto out;
	}
	espeak_SetParameter(espeakRATE, wpm, 0);
	collected = 0;
	collect_job = job;
	espeak_ERROR said = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
					 espeakCHARS_UTF8, NULL, NULL);
	collect_job = NULL;
	if (job_cancelled(job)) {
		LOG_DBG("speech in %s cancelled", lang);
		goto out;
	}
	if (said != EE_OK) {
		LOG_ERR("espeak-ng could not speak a text in %s", lang);
		goto out;
	}
	*pcm = xmalloc((collected ? collected : 1) * sizeof **pcm);
	memcpy(*pcm, collect, collected * sizeof **pcm);
	*samples = collected;
	*rate = engine_rate;
	rc = 0;
out:
	pthread_mutex_unlock(&engine);
	return rc;
}

/* ---- On the job seam ---- */

struct speech_job {
	char *lang, *text;
	struct speech_sound sound; /* pcm NULL until made */
};

static void speech_job_free(void *data)
{
	struct speech_job *sj = data;
	free(sj->lang);
	free(sj->text);
	free(sj->sound.pcm);
	free(sj);
}

static int speech_job_run(struct job *job, void *data)
{
	struct speech_job *sj = data;
	return speech_synthesize(sj->lang, sj->text, job, &sj->sound.pcm, &sj->sound.samples,
				 &sj->sound.rate);
}

uint64_t speech_request(struct jobs *jobs, const char *lang, const char *text)
{
	jobs_cancel(jobs, JOB_KIND_SPEECH);
	struct speech_job *sj = xcalloc(1, sizeof *sj);
	sj->lang = xstrdup(lang);
	sj->text = xstrdup(text);
	return jobs_submit(jobs, JOB_KIND_SPEECH, speech_job_run, sj, speech_job_free);
}

void speech_cancel(struct jobs *jobs)
{
	jobs_cancel(jobs, JOB_KIND_SPEECH);
}

const struct speech_sound *speech_result(const struct job_result *r)
{
	if (r->kind != JOB_KIND_SPEECH || r->cancelled || r->status != 0 || !r->data)
		return NULL;
	const struct speech_job *sj = r->data;
	return sj->sound.pcm ? &sj->sound : NULL;
}
