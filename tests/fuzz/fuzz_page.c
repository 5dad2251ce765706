/* Markdown pages: page_parse() on the input, and each block's text joined
 * as the screen does.  The input ends right before a page that may not be
 * read (fuzz_guard): md4c is a system library, not built with ASan. */
#include "fuzz_common.h"

#include "kiosk/content.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_guarded g;
	char *copy = fuzz_guard(&g, data, size);
	struct page *p = NULL;
	struct content_error err;
	if (page_parse(copy, size, fuzz_dir(), "fuzz.de.md", &p, &err) == CONTENT_OK) {
		for (size_t i = 0; i < p->n_blocks; i++)
			free(page_block_text(&p->blocks[i]));
	}
	page_free(p);
	fuzz_unguard(&g);
	return 0;
}
