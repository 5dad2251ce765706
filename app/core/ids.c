/* Random ids from libsodium's CSPRNG. */
#include "kiosk/core.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

void id_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof buf)
		nbytes = sizeof buf;
	if (sodium_init() < 0) {
		fputs("kiosk: libsodium failed to initialise\n", stderr);
		abort();
	}
	randombytes_buf(buf, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, buf, nbytes);
}

uint32_t id_random_u32(void)
{
	if (sodium_init() < 0) {
		fputs("kiosk: libsodium failed to initialise\n", stderr);
		abort();
	}
	return randombytes_random();
}
