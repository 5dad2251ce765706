/* The bundle manifest: the input is manifest.json; the harness signs it
 * with the fixed trusted key and puts it into a tar with its signature and
 * no other member, so every input reaches the checks that follow the
 * signature (read_manifest, then the members it names are missing). */
#include "fuzz_bundle.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_bundle_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > BUNDLE_MANIFEST_MAX)
		return 0;
	struct capbuf tar;
	capbuf_init(&tar, 2 * BUNDLE_MANIFEST_MAX);
	fuzz_tar_head(&tar, data, size);
	static const unsigned char end[1024];
	capbuf_add(&tar, end, sizeof end);
	char *path = fuzz_write("in.kiosk", tar.data, tar.len);
	struct bundle_info info;
	struct bundle_error err;
	bundle_verify(path, fuzz_keys, &info, &err);
	capbuf_free(&tar);
	free(path);
	return 0;
}
