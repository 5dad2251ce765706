/* The member walk past the signature: the input is a manifest, a NUL, and
 * then the raw tar stream of the members (headers, data, end blocks: the
 * fuzzer's own).  The harness signs the manifest with the fixed trusted
 * key and puts manifest.json and manifest.sig before the members, so that
 * bundle_read() checks each member against the manifest (names, types,
 * sizes, hashes, duplicates, missing ones).  The product has no flag that
 * trusts any signature: nothing in it is built differently for fuzzing.
 * Every other input also runs once with a staging folder, as an import
 * writes the members (the folder is emptied after). */
#include "fuzz_bundle.h"

#include "../../app/bundle/bundle_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_bundle_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	if (!nul || (size_t)(nul - data) > BUNDLE_MANIFEST_MAX)
		return 0;
	size_t mlen = (size_t)(nul - data);
	struct capbuf tar;
	capbuf_init(&tar, 4 * BUNDLE_MANIFEST_MAX + size);
	fuzz_tar_head(&tar, data, mlen);
	capbuf_add(&tar, nul + 1, size - mlen - 1);
	char *path = fuzz_write("in.kiosk", tar.data, tar.len);
	struct bundle_info info;
	struct bundle_error err;
	struct bundle_pass_opts opts = {0};
	char *staging = NULL;
	if (size % 2) {
		staging = path_join(fuzz_dir(), "staging");
		opts.staging = staging;
	}
	json_t *manifest = NULL;
	bundle_read(path, fuzz_keys, &opts, &info, &manifest, &err);
	json_decref(manifest);
	if (staging) {
		path_remove_tree(staging);
		free(staging);
	}
	capbuf_free(&tar);
	free(path);
	return 0;
}
