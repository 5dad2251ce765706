/* survey.json: survey_parse() on the input, which ends right before a page
 * that may not be read (fuzz_guard: jansson is not built with ASan). */
#include "fuzz_common.h"

#include "kiosk/content.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const languages[] = {"de", "en", NULL};
	struct fuzz_guarded g;
	char *copy = fuzz_guard(&g, data, size);
	struct survey *s = NULL;
	struct content_error err;
	if (survey_parse(copy, size, "survey.json", languages, &s, &err) == CONTENT_OK) {
		for (size_t i = 0; i < s->n_questions; i++)
			if (survey_question_find(s, s->questions[i].id) != &s->questions[i])
				abort();
	}
	survey_free(s);
	fuzz_unguard(&g);
	return 0;
}
