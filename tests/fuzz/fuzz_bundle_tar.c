/* The tar reader: bundle_verify() on a file holding the input, against a
 * trusted key folder made once.  Most inputs end at the first two members
 * or the signature; fuzz_bundle_manifest and fuzz_bundle_members go on
 * past it. */
#include "fuzz_bundle.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_bundle_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_write("in.kiosk", data, size);
	struct bundle_info info;
	struct bundle_error err;
	bundle_verify(path, fuzz_keys, &info, &err);
	free(path);
	return 0;
}
