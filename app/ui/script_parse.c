/* The script language's parser, with libc only (see script_parse.h). */
#include "script_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core.h"

/* Parses "UTF-8" with \" and \\ escapes; returns a new string or NULL. */
static char *parse_quoted(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return NULL;
	char *out = xmalloc(strlen(p) + 1), *w = out;
	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		*w++ = *p;
	}
	*w = '\0';
	if (*p != '"') {
		free(out);
		return NULL;
	}
	return out;
}

void script_parse_line(char *line, struct script_cmd *out, int stall)
{
	char cmd[32];
	int *n = out->n;
	memset(out, 0, sizeof *out);
	while (*line == ' ' || *line == '\t')
		line++;
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
		line[--len] = '\0';
	out->line = line;
	out->kind = SCRIPT_CMD_NONE;
	if (!*line || *line == '#')
		return;
	if (sscanf(line, "%31s", cmd) != 1)
		return;
	const char *rest = line + strlen(cmd);
	while (*rest == ' ')
		rest++;

	if (strcmp(cmd, "tap") == 0 && rest[0] == '@') {
		out->kind = SCRIPT_CMD_TAP_ID;
		out->id = rest + 1;
	} else if (strcmp(cmd, "tap") == 0 && sscanf(rest, "%d %d", &n[0], &n[1]) == 2) {
		out->kind = SCRIPT_CMD_TAP;
	} else if (strcmp(cmd, "hold") == 0 && sscanf(rest, "%d %d %d", &n[0], &n[1], &n[2]) == 3) {
		out->kind = SCRIPT_CMD_HOLD;
	} else if (strcmp(cmd, "swipe") == 0 &&
		   sscanf(rest, "%d %d %d %d %d", &n[0], &n[1], &n[2], &n[3], &n[4]) >= 4) {
		int ms = 300; /* the contract's default duration */
		sscanf(rest, "%*d %*d %*d %*d %d", &ms);
		n[4] = ms > 0 ? ms : 300;
		out->kind = SCRIPT_CMD_SWIPE;
	} else if (strcmp(cmd, "key") == 0 && *rest) {
		out->kind = SCRIPT_CMD_KEY;
		out->rest = rest;
	} else if (strcmp(cmd, "text") == 0) {
		out->kind = SCRIPT_CMD_TEXT;
		out->text = parse_quoted(rest);
	} else if (strcmp(cmd, "wait") == 0 && sscanf(rest, "%d", &n[0]) == 1 && n[0] >= 0) {
		out->kind = SCRIPT_CMD_WAIT;
	} else if (stall && strcmp(cmd, "stall") == 0 && sscanf(rest, "%d", &n[0]) == 1 &&
		   n[0] >= 0) {
		out->kind = SCRIPT_CMD_STALL;
	} else if (strcmp(cmd, "advance") == 0 && sscanf(rest, "%d", &n[0]) == 1 && n[0] >= 0) {
		out->kind = SCRIPT_CMD_ADVANCE;
	} else if (strcmp(cmd, "shot") == 0 && sscanf(rest, "%255s", out->arg) == 1) {
		out->kind = SCRIPT_CMD_SHOT;
	} else if (strcmp(cmd, "dump") == 0) {
		out->kind = SCRIPT_CMD_DUMP;
	} else if (strcmp(cmd, "expect-screen") == 0 && sscanf(rest, "%255s", out->arg) == 1) {
		out->kind = SCRIPT_CMD_EXPECT_SCREEN;
	} else if (strcmp(cmd, "expect") == 0 && rest[0] == '@') {
		out->kind = SCRIPT_CMD_EXPECT_ID;
		out->id = rest + 1;
	} else if (strcmp(cmd, "quit") == 0) {
		out->kind = SCRIPT_CMD_QUIT;
	} else {
		out->kind = SCRIPT_CMD_UNKNOWN;
	}
}

void script_cmd_free(struct script_cmd *c)
{
	if (c) {
		free(c->text);
		c->text = NULL;
	}
}
