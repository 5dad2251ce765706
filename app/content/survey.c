/* Surveys: survey.json read and checked, so that a definition a resident
 * would stumble over (a question without its text, an option twice) never
 * reaches the screen. */
#include "kiosk/content.h"

#include <stdlib.h>
#include <string.h>

#include "content_int.h"
#include "kiosk/core.h"

/* The longest free-text answer anyone may type (code points). */
#define TEXT_MAX_LENGTH 500

static const char *const type_names[] = {
	[SURVEY_SCALE5] = "scale5", [SURVEY_SINGLE] = "single", [SURVEY_MULTI] = "multi",
	[SURVEY_YESNO] = "yesno",   [SURVEY_TEXT] = "text",
};

static bool parse_type(const char *s, enum survey_type *out)
{
	for (size_t i = 0; s && i < sizeof type_names / sizeof type_names[0]; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*out = (enum survey_type)i;
			return true;
		}
	return false;
}

/* Each language of the content needs the text: German alone is no survey
 * for a resident who chose English. */
static enum content_err require_langs(const struct content_i18n *t, char *const *langs,
				      const char *name, const char *where,
				      struct content_error *err)
{
	for (size_t i = 0; langs && langs[i]; i++)
		if (!i18n_lookup(t, langs[i]))
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: %s: no text in '%s'", name,
					    where, langs[i]);
	return CONTENT_OK;
}

static enum content_err read_options(json_t *jq, struct survey_question *q, char *const *langs,
				     const char *name, struct content_error *err)
{
	json_t *opts = json_object_get(jq, "options");
	if (!json_is_array(opts) || json_array_size(opts) < 2 || json_array_size(opts) > 12)
		return content_fail(err, CONTENT_ERR_SCHEMA,
				    "%s: question %s: options: expected a list of 2 to 12", name, q->id);
	q->n_options = json_array_size(opts);
	q->options = xcalloc(q->n_options, sizeof *q->options);
	for (size_t i = 0; i < q->n_options; i++) {
		json_t *jo = json_array_get(opts, i);
		const char *id = json_string_value(json_object_get(jo, "id"));
		char where[160];
		if (!id || !valid_id(id))
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: options[%zu].id: "
					    "expected lowercase letters, digits and '-'", name, q->id, i);
		for (size_t k = 0; k < i; k++)
			if (strcmp(q->options[k].id, id) == 0)
				return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: option "
						    "%s appears twice", name, q->id, id);
		q->options[i].id = xstrdup(id);
		snprintf(where, sizeof where, "question %s: option %s", q->id, id);
		enum content_err e = read_i18n(json_object_get(jo, "text"), where, name,
					       &q->options[i].text, err);
		if (!e)
			e = require_langs(&q->options[i].text, langs, name, where, err);
		if (e)
			return e;
	}
	if (q->type == SURVEY_SCALE5 && q->n_options != 5)
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: a scale5 question has "
				    "exactly 5 options, worst first", name, q->id);
	if (q->type == SURVEY_YESNO && (q->n_options != 2 || strcmp(q->options[0].id, "yes") ||
					strcmp(q->options[1].id, "no")))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: a yesno question has "
				    "the options \"yes\" and \"no\"", name, q->id);
	return CONTENT_OK;
}

static enum content_err read_question(json_t *jq, size_t index, struct survey_question *q,
				      char *const *langs, const char *name,
				      struct content_error *err)
{
	const char *id = json_string_value(json_object_get(jq, "id"));
	if (!id || !valid_id(id))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: questions[%zu].id: expected "
				    "lowercase letters, digits and '-'", name, index);
	q->id = xstrdup(id);
	if (!parse_type(json_string_value(json_object_get(jq, "type")), &q->type))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: type: expected "
				    "scale5, single, multi, yesno or text", name, id);
	json_t *req = json_object_get(jq, "required");
	if (req && !json_is_boolean(req))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: required: expected "
				    "true or false", name, id);
	q->required = json_is_true(req);
	char where[160];
	snprintf(where, sizeof where, "question %s: text", id);
	enum content_err e = read_i18n(json_object_get(jq, "text"), where, name, &q->text, err);
	if (!e)
		e = require_langs(&q->text, langs, name, where, err);
	if (e)
		return e;
	json_t *note = json_object_get(jq, "note");
	if (note) {
		snprintf(where, sizeof where, "question %s: note", id);
		if ((e = read_i18n(note, where, name, &q->note, err)) ||
		    (e = require_langs(&q->note, langs, name, where, err)))
			return e;
	}
	if (q->type != SURVEY_TEXT)
		return read_options(jq, q, langs, name, err);
	json_t *max = json_object_get(jq, "max_length");
	q->max_length = max ? (int)json_integer_value(max) : 200;
	if (q->max_length < 1 || q->max_length > TEXT_MAX_LENGTH)
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: max_length: expected "
				    "1 to %d", name, id, TEXT_MAX_LENGTH);
	/* The anonymity promise (DESIGN.md §9): free text always warns. */
	if (!q->note.n)
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s: a text question needs "
				    "a note asking not to enter names or other personal data",
				    name, id);
	return CONTENT_OK;
}

enum content_err survey_parse(const char *json, size_t len, const char *name,
			      char *const *languages, struct survey **out,
			      struct content_error *err)
{
	*out = NULL;
	if (!utf8_valid(json, len))
		return content_fail(err, CONTENT_ERR_UTF8, "%s: not valid UTF-8", name);
	json_error_t je;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return content_fail(err, CONTENT_ERR_JSON, "%s:%d:%d: %s", name, je.line, je.column,
				    je.text);
	struct survey *s = xcalloc(1, sizeof *s);
	enum content_err e = CONTENT_OK;
	const char *id = json_string_value(json_object_get(root, "id"));
	json_t *version = json_object_get(root, "version");
	json_t *qs = json_object_get(root, "questions");
	if (!json_is_integer(json_object_get(root, "format")) ||
	    json_integer_value(json_object_get(root, "format")) != 1)
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: format: this kiosk reads format 1", name);
	else if (!id || !valid_id(id))
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: id: expected lowercase letters, digits "
				 "and '-'", name);
	else if (!json_is_integer(version) || json_integer_value(version) < 1)
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: version: expected a positive number",
				 name);
	else if (!json_is_array(qs) || json_array_size(qs) < 1 || json_array_size(qs) > 12)
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: questions: expected a list of 1 to 12",
				 name);
	if (!e) {
		s->id = xstrdup(id);
		s->version = json_integer_value(version);
		s->questions = xcalloc(json_array_size(qs), sizeof *s->questions);
	}
	for (size_t i = 0; !e && i < json_array_size(qs); i++) {
		s->n_questions = i + 1;
		e = read_question(json_array_get(qs, i), i, &s->questions[i], languages, name, err);
		for (size_t k = 0; !e && k < i; k++)
			if (strcmp(s->questions[k].id, s->questions[i].id) == 0)
				e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: question %s appears "
						 "twice", name, s->questions[i].id);
	}
	json_decref(root);
	if (e) {
		survey_free(s);
		return e;
	}
	*out = s;
	return CONTENT_OK;
}

void survey_free(struct survey *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_questions; i++) {
		struct survey_question *q = &s->questions[i];
		for (size_t k = 0; k < q->n_options; k++) {
			free(q->options[k].id);
			i18n_free(&q->options[k].text);
		}
		free(q->options);
		free(q->id);
		i18n_free(&q->text);
		i18n_free(&q->note);
	}
	free(s->questions);
	free(s->id);
	free(s);
}

const struct survey_question *survey_question_find(const struct survey *s, const char *id)
{
	for (size_t i = 0; s && i < s->n_questions; i++)
		if (strcmp(s->questions[i].id, id) == 0)
			return &s->questions[i];
	return NULL;
}

const struct survey_option *survey_option_find(const struct survey_question *q, const char *id)
{
	for (size_t i = 0; q && i < q->n_options; i++)
		if (strcmp(q->options[i].id, id) == 0)
			return &q->options[i];
	return NULL;
}
