/* content.json: content_load() on a folder whose content.json is the input,
 * beside the demo content's strings and survey (so that what it names can
 * be found and read on). */
#include "fuzz_common.h"

#include "kiosk/content.h"

static const char *langs[] = {"de", "en", "de-x-ls", "tr", "uk", "ar"};

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
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	free(fuzz_write("content/content.json", data, size));
	char *dir = path_join(fuzz_dir(), "content");
	struct content *c = NULL;
	struct content_error err;
	if (content_load(dir, &c, &err) == CONTENT_OK) {
		/* What the screens ask of a loaded content. */
		for (size_t i = 0; i < c->n_topics; i++)
			content_i18n_get(&c->topics[i].title, "en", NULL);
		content_string(c, "ar", "home.title");
	}
	content_free(c);
	free(dir);
	return 0;
}
