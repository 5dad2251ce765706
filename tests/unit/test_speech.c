/* speech: every language of the kiosk gets real sound (RMS), Leichte Sprache
 * speaks slower, an unknown language is refused, and on the job seam a new
 * request or a cancel drops the sound under way. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kiosk/core.h"
#include "kiosk/speech.h"

static double rms(const int16_t *pcm, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)pcm[i] * pcm[i];
	return n ? sqrt(sum / (double)n) : 0;
}

static const struct {
	const char *lang, *text;
} samples[] = {
	{"de", "Willkommen! Hier erfahren Sie, wie eine Kommune digital wird."},
	{"de-x-ls", "Willkommen! Hier erfahren Sie, wie eine Kommune digital wird."},
	{"en", "Welcome! Find out how a municipality can go digital."},
	{"tr", "Hoş geldiniz! Bir belediyenin nasıl dijitalleşebileceğini öğrenin."},
	{"uk", "Ласкаво просимо! Дізнайтеся, як громада може стати цифровою."},
	{"ar", "مرحبا! تعرّف على كيف يمكن للبلدية أن تصبح رقمية."},
};

static void test_every_language_sounds(void **state)
{
	(void)state;
	size_t de_samples = 0;
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		int16_t *pcm = NULL;
		size_t n = 0;
		int rate = 0;
		assert_int_equal(speech_synthesize(samples[i].lang, samples[i].text, NULL, &pcm, &n,
						   &rate), 0);
		assert_true(rate >= 8000);
		double seconds = (double)n / rate, loud = rms(pcm, n);
		print_message("%-8s %.1f s, RMS %.0f\n", samples[i].lang, seconds, loud);
		assert_true(seconds > 1.0); /* a sentence, not a click */
		assert_true(loud > 300);    /* sound, not silence */
		if (strcmp(samples[i].lang, "de") == 0)
			de_samples = n;
		if (strcmp(samples[i].lang, "de-x-ls") == 0)
			assert_true(n > de_samples * 11 / 10); /* the same words, slower */
		free(pcm);
	}
}

static void test_unknown_language(void **state)
{
	(void)state;
	int16_t *pcm = (int16_t *)1;
	size_t n = 1;
	int rate = 0;
	assert_int_equal(speech_synthesize("xx", "Hallo", NULL, &pcm, &n, &rate), -1);
	assert_null(pcm);
	assert_int_equal(n, 0);
}

/* The UI side of the wake, as a test sees it. */
static pthread_mutex_t woke_lock = PTHREAD_MUTEX_INITIALIZER;
static int woke;

static void on_wake(void *data, enum wake_source source)
{
	(void)data;
	pthread_mutex_lock(&woke_lock);
	if (source == WAKE_SOURCE_JOBS)
		woke++;
	pthread_mutex_unlock(&woke_lock);
}

static bool next_result(struct jobs *jobs, struct job_result *r)
{
	for (int i = 0; i < 3000; i++) {
		if (jobs_take_result(jobs, r))
			return true;
		usleep(10000);
	}
	return false;
}

/* A long text, many seconds of speech. */
static char *long_text(void)
{
	char *text = xstrdup("");
	for (int i = 0; i < 200; i++) {
		char *more = xasprintf("%sDas ist Satz Nummer %d, den am Ende niemand hören will. ",
				       text, i);
		free(text);
		text = more;
	}
	return text;
}

/* A new request cancels the one before: its result comes back cancelled,
 * without sound, and only the new one is heard. */
static void test_latest_request_wins(void **state)
{
	(void)state;
	struct wake wake = {on_wake, NULL};
	struct jobs *jobs = jobs_new(&wake);
	char *text = long_text();
	uint64_t first = speech_request(jobs, "de", text);
	uint64_t second = speech_request(jobs, "en", "Second.");
	free(text);
	assert_true(first > 0 && second > first);
	struct job_result r;
	bool heard_second = false;
	for (int got = 0; got < 2; got++) {
		assert_true(next_result(jobs, &r));
		const struct speech_sound *sound = speech_result(&r);
		if (r.id == first) {
			assert_true(r.cancelled);
			assert_null(sound);
		} else {
			assert_int_equal(r.id, second);
			assert_non_null(sound);
			/* "Second." is short: not the long German text. */
			assert_true((double)sound->samples / sound->rate < 2.0);
			assert_true(rms(sound->pcm, sound->samples) > 300);
			heard_second = true;
		}
		job_result_free(&r);
	}
	assert_true(heard_second);
	pthread_mutex_lock(&woke_lock);
	assert_true(woke >= 1);
	pthread_mutex_unlock(&woke_lock);
	jobs_free(jobs);
}

/* Speech turned off (or a reset) drops a synthesis under way. */
static void test_cancel_stops_synthesis(void **state)
{
	(void)state;
	struct jobs *jobs = jobs_new(NULL);
	char *text = long_text();
	uint64_t id = speech_request(jobs, "de", text);
	free(text);
	while (!jobs_busy(jobs, JOB_KIND_SPEECH))
		usleep(1000);
	usleep(20000); /* inside espeak-ng now */
	uint64_t t0 = clock_now_ms();
	speech_cancel(jobs);
	struct job_result r;
	assert_true(next_result(jobs, &r));
	/* The whole text takes seconds to make (see below); a cancelled one
	 * stops at espeak-ng's next chunk of sound. */
	uint64_t stopped_ms = clock_now_ms() - t0;
	print_message("cancelled synthesis stopped after %llu ms\n",
		      (unsigned long long)stopped_ms);
	assert_int_equal(r.id, id);
	assert_true(r.cancelled);
	assert_null(speech_result(&r));
	job_result_free(&r);
	jobs_free(jobs);

	text = long_text();
	int16_t *pcm = NULL;
	size_t n = 0;
	int rate = 0;
	t0 = clock_now_ms();
	assert_int_equal(speech_synthesize("de", text, NULL, &pcm, &n, &rate), 0);
	uint64_t whole_ms = clock_now_ms() - t0;
	print_message("the whole text took %llu ms (%.0f s of speech)\n",
		      (unsigned long long)whole_ms, (double)n / rate);
	assert_true(stopped_ms * 4 < whole_ms);
	free(pcm);
	free(text);
}

int main(void)
{
	log_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_language_sounds),
		cmocka_unit_test(test_unknown_language),
		cmocka_unit_test(test_latest_request_wins),
		cmocka_unit_test(test_cancel_stops_synthesis),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
