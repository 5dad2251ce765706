/* survey.json: survey_parse() on the input, in a buffer of exactly its
 * size (no NUL after it, so that a read past the end is caught). */
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
	char *copy = xmalloc(size ? size : 1);
	memcpy(copy, data, size);
	struct survey *s = NULL;
	struct content_error err;
	if (survey_parse(copy, size, "survey.json", languages, &s, &err) == CONTENT_OK) {
		for (size_t i = 0; i < s->n_questions; i++)
			if (survey_question_find(s, s->questions[i].id) != &s->questions[i])
				abort();
	}
	survey_free(s);
	free(copy);
	return 0;
}
