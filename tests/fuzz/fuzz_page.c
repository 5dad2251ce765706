/* Markdown pages: page_parse() on the input, in a buffer of exactly its
 * size, and each block's text joined as the screen does. */
#include "fuzz_common.h"

#include "kiosk/content.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = xmalloc(size ? size : 1);
	memcpy(copy, data, size);
	struct page *p = NULL;
	struct content_error err;
	if (page_parse(copy, size, fuzz_dir(), "fuzz.de.md", &p, &err) == CONTENT_OK) {
		for (size_t i = 0; i < p->n_blocks; i++)
			free(page_block_text(&p->blocks[i]));
	}
	page_free(p);
	free(copy);
	return 0;
}
