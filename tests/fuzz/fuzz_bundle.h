/* What the bundle targets share: a trusted key folder made once, holding
 * the public half of a fixed key (seeded, so the seeds' key_id stays
 * right), and a tar writer for the two members that open a bundle. */
#ifndef KIOSK_FUZZ_BUNDLE_H
#define KIOSK_FUZZ_BUNDLE_H

#include <sodium.h>

#include "fuzz_common.h"
#include "kiosk/bundle.h"

static unsigned char fuzz_pk[crypto_sign_PUBLICKEYBYTES], fuzz_sk[crypto_sign_SECRETKEYBYTES];
static char *fuzz_keys;

/* The key id of the fixed key is printed with KIOSK_FUZZ_KEY_ID=1 (the
 * seeds' manifests carry it). */
static inline void fuzz_bundle_init(void)
{
	fuzz_quiet();
	if (sodium_init() < 0)
		abort();
	unsigned char seed[crypto_sign_SEEDBYTES];
	memset(seed, 0x4b, sizeof seed); /* 'K': a fixed key, for fuzzing only */
	crypto_sign_seed_keypair(fuzz_pk, fuzz_sk, seed);
	char pk64[sodium_base64_ENCODED_LEN(sizeof fuzz_pk, sodium_base64_VARIANT_ORIGINAL) + 1];
	sodium_bin2base64(pk64, sizeof pk64 - 1, fuzz_pk, sizeof fuzz_pk,
			  sodium_base64_VARIANT_ORIGINAL);
	strcat(pk64, "\n");
	free(fuzz_write("keys/fuzz.pub", pk64, strlen(pk64)));
	/* A file beside it that is no key: the search must pass it by. */
	free(fuzz_write("keys/broken.pub", "not base64\n", 11));
	fuzz_keys = path_join(fuzz_dir(), "keys");
	if (getenv("KIOSK_FUZZ_KEY_ID")) {
		unsigned char h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(h, fuzz_pk, sizeof fuzz_pk);
		for (int i = 0; i < 8; i++)
			printf("%02x", h[i]);
		printf("\n");
		fflush(stdout);
		_exit(0); /* not exit(): libFuzzer would take that for a crash */
	}
}

/* Appends a ustar member (header, data, padding to 512) to out. */
static inline void fuzz_tar_member(struct capbuf *out, const char *name, const void *data, size_t size)
{
	unsigned char h[512] = {0};
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	memcpy(h + 136, "00000000000", 12);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (capbuf_add(out, h, sizeof h) || capbuf_add(out, data, size))
		abort();
	static const unsigned char zero[512];
	if (size % 512 && capbuf_add(out, zero, 512 - size % 512))
		abort();
}

/* manifest.json (the given bytes) and manifest.sig (their signature with
 * the fixed key), as a bundle opens. */
static inline void fuzz_tar_head(struct capbuf *out, const void *manifest, size_t size)
{
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, manifest, size, fuzz_sk);
	fuzz_tar_member(out, "manifest.json", manifest, size);
	fuzz_tar_member(out, "manifest.sig", sig, sizeof sig);
}

#endif
