/* content: private helpers shared by the files of the content module. */
#ifndef KIOSK_CONTENT_INT_H
#define KIOSK_CONTENT_INT_H

#include <jansson.h>

#include "kiosk/content.h"

/* Fills err and returns code, for one-line error returns. */
enum content_err content_fail(struct content_error *err, enum content_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reads a JSON file, refusing bytes that are not UTF-8; *out is the caller's. */
/* Reads a JSON file of at most cap bytes (the capped reader). */
enum content_err read_json(const char *path, size_t cap, json_t **out, struct content_error *err);
/* Reads a text file of at most cap bytes; a clear message for what is refused. */
enum content_err read_capped(const char *path, size_t cap, char **text, size_t *len,
			     struct content_error *err);
/* Reads {"de": "…", "en": "…"} into out; where names the place for errors. */
enum content_err read_i18n(json_t *obj, const char *where, const char *path,
			   struct content_i18n *out, struct content_error *err);
void i18n_add(struct content_i18n *t, const char *lang, const char *text);
void i18n_free(struct content_i18n *t);
/* The text for key (a language, or a string key), or NULL. */
const char *i18n_lookup(const struct content_i18n *t, const char *key);
/* Lowercase ASCII letters, digits and '-', 1..48 characters. */
/* An id of content (topic, film, question, option): lowercase letters,
 * digits and '-', at most CONTENT_ID_MAX bytes. */
bool valid_id(const char *s);
/* A language code as BCP 47 shapes it, lower case ("de", "de-x-ls"). */
bool valid_lang(const char *s);

#endif
