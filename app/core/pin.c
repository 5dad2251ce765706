/* The admin PIN: hashed with libsodium's crypto_pwhash_str (Argon2id, its
 * salt and cost inside the string), checked on the job seam's PIN worker
 * because a check takes a tenth of a second and 64 MiB on purpose.  A PIN
 * is wiped from memory as soon as it is checked or hashed. */
#include "kiosk/core.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "pin"

static bool sodium_ready(void)
{
	if (sodium_init() < 0) {
		LOG_ERR("libsodium cannot start");
		return false;
	}
	return true;
}

bool pin_valid(const char *pin)
{
	size_t n = strlen(pin);
	if (n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return false;
	return true;
}

bool pin_hash_valid(const char *hash)
{
	return strncmp(hash, "$argon2id$", 10) == 0 && strlen(hash) < crypto_pwhash_STRBYTES;
}

int pin_hash(const char *pin, char out[PIN_HASH_MAX])
{
	if (!pin_valid(pin) || !sodium_ready())
		return -1;
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	snprintf(out, PIN_HASH_MAX, "%s", hash);
	return 0;
}

bool pin_verify(const char *hash, const char *pin)
{
	return pin_hash_valid(hash) && pin_valid(pin) && sodium_ready() &&
	       crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

/* ---- On the job seam ---- */

struct pin_request {
	char hash[PIN_HASH_MAX];
	char pin[PIN_MAX_DIGITS + 1];
	bool ran, ok;
};

static void request_free(void *data)
{
	struct pin_request *r = data;
	if (r)
		sodium_memzero(r->pin, sizeof r->pin);
	free(r);
}

static int run(struct job *job, void *data)
{
	(void)job;
	struct pin_request *r = data;
	r->ok = pin_verify(r->hash, r->pin);
	sodium_memzero(r->pin, sizeof r->pin); /* not kept a moment longer */
	r->ran = true;
	return r->ok ? 0 : -1;
}

uint64_t pin_submit(struct jobs *j, const char *hash, const char *pin)
{
	struct pin_request *r = xcalloc(1, sizeof *r);
	snprintf(r->hash, sizeof r->hash, "%s", hash);
	snprintf(r->pin, sizeof r->pin, "%s", pin);
	return jobs_submit(j, JOB_KIND_PIN, run, r, request_free);
}

bool pin_result(const struct job_result *r, bool *ok)
{
	const struct pin_request *q = r && r->kind == JOB_KIND_PIN ? r->data : NULL;
	if (!q || !q->ran)
		return false;
	*ok = q->ok;
	return true;
}
