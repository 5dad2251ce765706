/* Markdown pages: page_parse() on the input, and each block's text joined
 * as the screen does.  The input ends right before a page that may not be
 * read (PROT_NONE): md4c is a system library, not built with ASan, so a
 * read past the end of the text inside it would otherwise go unseen. */
#include "fuzz_common.h"

#include <sys/mman.h>

#include "kiosk/content.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), body = (size + pg - 1) / pg * pg;
	char *map = mmap(NULL, body + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0);
	if (map == MAP_FAILED || mprotect(map + body, pg, PROT_NONE) != 0)
		abort();
	char *copy = map + body - size;
	memcpy(copy, data, size);
	struct page *p = NULL;
	struct content_error err;
	if (page_parse(copy, size, fuzz_dir(), "fuzz.de.md", &p, &err) == CONTENT_OK) {
		for (size_t i = 0; i < p->n_blocks; i++)
			free(page_block_text(&p->blocks[i]));
	}
	page_free(p);
	munmap(map, body + pg);
	return 0;
}
