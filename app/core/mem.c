/* Memory and string helpers: running out of memory aborts, since the kiosk
 * cannot do anything sensible without it and the system service restarts it. */
#include "kiosk/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
	if (!p) {
		fputs("kiosk: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xmalloc(size_t size) { return check(malloc(size ? size : 1)); }
void *xcalloc(size_t n, size_t size) { return check(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t size) { return check(realloc(p, size ? size : 1)); }
char *xstrdup(const char *s) { return check(strdup(s ? s : "")); }
char *xstrndup(const char *s, size_t n) { return check(strndup(s, n)); }

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *out = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

char **strv_split_spaces(const char *s)
{
	size_t n = 0, cap = 4;
	char **v = xmalloc(cap * sizeof *v);
	while (s && *s) {
		while (*s == ' ' || *s == '\t')
			s++;
		const char *start = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (s == start)
			break;
		if (n + 2 > cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[n++] = xstrndup(start, (size_t)(s - start));
	}
	v[n] = NULL;
	return v;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2, min = 0x80, c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, min = 0x800, c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, min = 0x10000, c &= 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

char *str_replace_var(const char *fmt, const char *var, const char *value)
{
	char *out = xstrdup(fmt);
	size_t vl = strlen(var), done = 0;
	for (char *at; vl && (at = strstr(out + done, var));) {
		size_t before = (size_t)(at - out);
		char *next = xasprintf("%.*s%s%s", (int)before, out, value, at + vl);
		free(out);
		out = next;
		done = before + strlen(value); /* a value holding var is not replaced again */
	}
	return out;
}

char *str_format_var(const char *fmt, const char *var, long n)
{
	char number[32];
	snprintf(number, sizeof number, "%ld", n);
	return str_replace_var(fmt, var, number);
}

char *str_format_n(const char *fmt, long n)
{
	return str_format_var(fmt, "{n}", n);
}
