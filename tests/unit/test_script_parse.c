/* The script parser (app/ui/script_parse.c), apart from SDL: each command
 * of DESIGN.md §4 and the lines it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "script_parse.h"

static struct script_cmd parse(const char *text)
{
	static char line[512];
	snprintf(line, sizeof line, "%s", text);
	struct script_cmd c;
	script_parse_line(line, &c, 1);
	return c;
}

static void test_commands(void **state)
{
	struct script_cmd c = parse("  tap @home.guide \r\n");
	assert_int_equal(c.kind, SCRIPT_CMD_TAP_ID);
	assert_string_equal(c.id, "home.guide");
	c = parse("tap 10 20");
	assert_int_equal(c.kind, SCRIPT_CMD_TAP);
	assert_int_equal(c.n[0], 10);
	assert_int_equal(c.n[1], 20);
	c = parse("hold 1 2 3000");
	assert_int_equal(c.kind, SCRIPT_CMD_HOLD);
	assert_int_equal(c.n[2], 3000);
	c = parse("swipe 1 2 3 4");
	assert_int_equal(c.kind, SCRIPT_CMD_SWIPE);
	assert_int_equal(c.n[4], 300);
	c = parse("swipe 1 2 3 4 -5");
	assert_int_equal(c.n[4], 300);
	c = parse("swipe 1 2 3 4 120");
	assert_int_equal(c.n[4], 120);
	c = parse("key Escape");
	assert_int_equal(c.kind, SCRIPT_CMD_KEY);
	assert_string_equal(c.rest, "Escape");
	c = parse("text \"a \\\"b\\\" \\\\ c\"");
	assert_int_equal(c.kind, SCRIPT_CMD_TEXT);
	assert_string_equal(c.text, "a \"b\" \\ c");
	script_cmd_free(&c);
	c = parse("wait 250");
	assert_int_equal(c.kind, SCRIPT_CMD_WAIT);
	c = parse("advance 90");
	assert_int_equal(c.kind, SCRIPT_CMD_ADVANCE);
	assert_int_equal(c.n[0], 90);
	c = parse("shot de-home");
	assert_int_equal(c.kind, SCRIPT_CMD_SHOT);
	assert_string_equal(c.arg, "de-home");
	assert_int_equal(parse("dump").kind, SCRIPT_CMD_DUMP);
	c = parse("expect-screen home");
	assert_int_equal(c.kind, SCRIPT_CMD_EXPECT_SCREEN);
	assert_string_equal(c.arg, "home");
	c = parse("expect @nav.back");
	assert_int_equal(c.kind, SCRIPT_CMD_EXPECT_ID);
	assert_string_equal(c.id, "nav.back");
	assert_int_equal(parse("quit").kind, SCRIPT_CMD_QUIT);
	assert_int_equal(parse("stall 5").kind, SCRIPT_CMD_STALL);
}

static void test_refused(void **state)
{
	assert_int_equal(parse("").kind, SCRIPT_CMD_NONE);
	assert_int_equal(parse("   # a comment").kind, SCRIPT_CMD_NONE);
	struct script_cmd c = parse("text \"open");
	assert_int_equal(c.kind, SCRIPT_CMD_TEXT);
	assert_null(c.text);
	assert_int_equal(parse("wait -1").kind, SCRIPT_CMD_UNKNOWN);
	assert_int_equal(parse("tap 1").kind, SCRIPT_CMD_UNKNOWN);
	assert_int_equal(parse("key").kind, SCRIPT_CMD_UNKNOWN);
	assert_int_equal(parse("bogus").kind, SCRIPT_CMD_UNKNOWN);
	char line[] = "stall 5";
	script_parse_line(line, &c, 0); /* a Release build has no test hooks */
	assert_int_equal(c.kind, SCRIPT_CMD_UNKNOWN);
	assert_string_equal(parse("bogus line \n").line, "bogus line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
