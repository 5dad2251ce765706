/* speech: espeak-ng synthesizing into memory on a worker thread. */
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

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
	(void)events;
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

int speech_synthesize(const char *lang, const char *text, int16_t **pcm, size_t *samples,
		      int *rate)
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
	if (espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL,
			 NULL) != EE_OK) {
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

/* ---- The worker ---- */

struct speech {
	speech_wake_fn wake;
	void *wake_data;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *lang, *text;       /* the request waiting, or NULL */
	int16_t *pcm;            /* the sound ready to take, or NULL */
	size_t samples;
	int rate;
	bool quit;
};

static void *worker(void *data)
{
	struct speech *s = data;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->quit && !s->text)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->quit)
			break;
		char *lang = s->lang, *text = s->text;
		s->lang = s->text = NULL;
		pthread_mutex_unlock(&s->lock);
		int16_t *pcm = NULL;
		size_t n = 0;
		int rate = 0;
		int rc = speech_synthesize(lang, text, &pcm, &n, &rate);
		free(lang);
		free(text);
		pthread_mutex_lock(&s->lock);
		if (rc == 0 && !s->text) { /* not already replaced by a newer request */
			free(s->pcm);
			s->pcm = pcm, s->samples = n, s->rate = rate;
			pthread_mutex_unlock(&s->lock);
			s->wake(s->wake_data);
			pthread_mutex_lock(&s->lock);
		} else {
			free(pcm);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct speech *speech_new(speech_wake_fn wake, void *wake_data)
{
	struct speech *s = xcalloc(1, sizeof *s);
	s->wake = wake;
	s->wake_data = wake_data;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, worker, s) != 0) {
		LOG_ERR("cannot start the speech thread");
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
		free(s);
		return NULL;
	}
	return s;
}

void speech_free(struct speech *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	free(s->lang);
	free(s->text);
	free(s->pcm);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

void speech_say(struct speech *s, const char *lang, const char *text)
{
	pthread_mutex_lock(&s->lock);
	free(s->lang);
	free(s->text);
	s->lang = xstrdup(lang);
	s->text = xstrdup(text);
	free(s->pcm); /* the old sound is no longer wanted */
	s->pcm = NULL;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

bool speech_take(struct speech *s, int16_t **pcm, size_t *samples, int *rate)
{
	pthread_mutex_lock(&s->lock);
	bool ready = s->pcm != NULL;
	if (ready) {
		*pcm = s->pcm, *samples = s->samples, *rate = s->rate;
		s->pcm = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return ready;
}
