/* ui: the script language's parser (DESIGN.md §4), apart from SDL.
 *
 * run_line() in script.c carries a line out on the screen; what the line
 * says is read here, with libc only, so that the parser is unit-tested and
 * fuzzed without a window (tests/fuzz/fuzz_script.c). */
#ifndef KIOSK_SCRIPT_PARSE_H
#define KIOSK_SCRIPT_PARSE_H

enum script_cmd_kind {
	SCRIPT_CMD_NONE,          /* a blank line or a # comment: nothing to do */
	SCRIPT_CMD_TAP_ID,        /* tap @ID: id */
	SCRIPT_CMD_TAP,           /* tap X Y: n[0], n[1] */
	SCRIPT_CMD_HOLD,          /* hold X Y MS: n[0..2] */
	SCRIPT_CMD_SWIPE,         /* swipe X1 Y1 X2 Y2 [MS]: n[0..4] (MS 300 unless given > 0) */
	SCRIPT_CMD_KEY,           /* key NAME: arg */
	SCRIPT_CMD_TEXT,          /* text "UTF-8": text (owned), NULL when not quoted right */
	SCRIPT_CMD_WAIT,          /* wait MS: n[0] >= 0 */
	SCRIPT_CMD_STALL,         /* stall MS (test builds only): n[0] >= 0 */
	SCRIPT_CMD_ADVANCE,       /* advance S: n[0] >= 0 */
	SCRIPT_CMD_SHOT,          /* shot NAME: arg (a word of at most 255 bytes) */
	SCRIPT_CMD_DUMP,          /* dump */
	SCRIPT_CMD_EXPECT_SCREEN, /* expect-screen NAME: arg */
	SCRIPT_CMD_EXPECT_ID,     /* expect @ID: id */
	SCRIPT_CMD_QUIT,          /* quit */
	SCRIPT_CMD_UNKNOWN,       /* anything else: line names it */
};

struct script_cmd {
	enum script_cmd_kind kind;
	const char *line;  /* the line, trimmed: borrowed from the caller's buffer */
	const char *id;    /* TAP_ID, EXPECT_ID: after the '@', borrowed */
	const char *rest;  /* KEY: the key name, borrowed */
	char arg[256];     /* SHOT, EXPECT_SCREEN */
	char *text;        /* TEXT: owned, free with script_cmd_free() */
	int n[5];
};

/* Reads one line (trimmed in place: leading blanks, trailing newline, CR
 * and spaces).  The command's strings point into line.  Test hooks (stall)
 * are understood only when stall is true. */
void script_parse_line(char *line, struct script_cmd *out, int stall);
void script_cmd_free(struct script_cmd *c);

#endif
