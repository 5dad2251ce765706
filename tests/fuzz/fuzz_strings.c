/* strings/LANG.json: content_load() on the demo content.json with the
 * input as strings/de.json (the other languages' files as in the demo). */
#include "fuzz_common.h"

#include "kiosk/content.h"

static const char *langs[] = {"en", "de-x-ls", "tr", "uk", "ar"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	char src[64], rel[64];
	for (size_t i = 0; i < sizeof langs / sizeof *langs; i++) {
		snprintf(src, sizeof src, "assets/content/strings/%s.json", langs[i]);
		snprintf(rel, sizeof rel, "content/strings/%s.json", langs[i]);
		fuzz_copy(src, rel);
	}
	fuzz_copy("assets/content/survey.json", "content/survey.json");
	fuzz_copy("assets/content/content.json", "content/content.json");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	free(fuzz_write("content/strings/de.json", data, size));
	char *dir = path_join(fuzz_dir(), "content");
	struct content *c = NULL;
	struct content_error err;
	if (content_load(dir, &c, &err) == CONTENT_OK) {
		content_string(c, "de", "home.title");
		content_string(c, "en", "survey.submit");
	}
	content_free(c);
	free(dir);
	return 0;
}
