/* The script parser (app/ui/script_parse.c, split out of run_line so that
 * it runs without SDL): the input's lines, each parsed as the kiosk reads
 * a script, test hooks on. */
#include "fuzz_common.h"

#include "../../app/ui/script_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	size_t len = strlen(text); /* a NUL ends the script, as it ends a line read */
	for (size_t at = 0; at <= len;) {
		char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		char *line = xstrndup(text + at, n);
		struct script_cmd c;
		script_parse_line(line, &c, 1);
		if ((c.kind == SCRIPT_CMD_TAP_ID || c.kind == SCRIPT_CMD_EXPECT_ID) && !c.id)
			abort();
		if (c.kind == SCRIPT_CMD_SWIPE && c.n[4] <= 0)
			abort();
		script_cmd_free(&c);
		free(line);
		at += n + 1;
	}
	free(text);
	return 0;
}
