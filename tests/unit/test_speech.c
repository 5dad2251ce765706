/* speech: every language of the kiosk gets real sound (RMS), Leichte Sprache
 * speaks slower, an unknown language is refused, and the worker delivers. */
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
		assert_int_equal(speech_synthesize(samples[i].lang, samples[i].text, &pcm, &n, &rate), 0);
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
	assert_int_equal(speech_synthesize("xx", "Hallo", &pcm, &n, &rate), -1);
	assert_null(pcm);
	assert_int_equal(n, 0);
}

static pthread_mutex_t woke_lock = PTHREAD_MUTEX_INITIALIZER;
static int woke;

static void on_wake(void *data)
{
	(void)data;
	pthread_mutex_lock(&woke_lock);
	woke++;
	pthread_mutex_unlock(&woke_lock);
}

static void test_worker_latest_wins(void **state)
{
	(void)state;
	struct speech *s = speech_new(on_wake, NULL);
	assert_non_null(s);
	speech_say(s, "de", "Das ist der erste, lange Satz, den niemand mehr hören will.");
	speech_say(s, "en", "Second.");
	int16_t *pcm = NULL;
	size_t n = 0;
	int rate = 0;
	for (int i = 0; i < 500 && !speech_take(s, &pcm, &n, &rate); i++)
		usleep(10000);
	assert_non_null(pcm);
	assert_true(woke >= 1);
	/* "Second." is short: the first, long sentence was dropped. */
	assert_true((double)n / rate < 2.0);
	assert_true(rms(pcm, n) > 300);
	free(pcm);
	speech_free(s);
	speech_free(NULL);
}

int main(void)
{
	log_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_language_sounds),
		cmocka_unit_test(test_unknown_language),
		cmocka_unit_test(test_worker_latest_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
