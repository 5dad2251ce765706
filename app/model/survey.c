/* The survey session: the answers of one resident, held in memory only, so
 * that an abandoned survey leaves nothing behind.  Answers are kept by
 * question and option id, so switching language keeps them. */
#include "model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"

const char *const model_scale_faces[5] = {
	"\xee\xa0\x94", /* e814 sentiment_very_dissatisfied */
	"\xee\xa0\x91", /* e811 sentiment_dissatisfied */
	"\xee\xa0\x92", /* e812 sentiment_neutral */
	"\xee\xa0\x93", /* e813 sentiment_satisfied */
	"\xee\xa0\x95", /* e815 sentiment_very_satisfied */
};

/* The on-screen keyboards: German (with umlauts and ß) and English.  Each
 * key's id is kbd.CHARACTER; the special keys come from the builder. */
static const char *const keys_de[4] = {"1234567890ß", "qwertzuiopü", "asdfghjklöä", "yxcvbnm,.-"};
static const char *const keys_en[4] = {"1234567890", "qwertyuiop", "asdfghjkl'", "zxcvbnm,.-"};

struct answer {
	unsigned chosen;         /* a bit per option */
	char *text;              /* text questions: what was typed */
};

struct survey_session {
	const struct survey *def;
	size_t index;
	struct answer *answers;
	bool shift;              /* the next letter is a capital */
	bool failed;
	struct store_answer *out; /* session_answers()'s result */
};

struct survey_session *session_new(const struct survey *def)
{
	struct survey_session *s = xcalloc(1, sizeof *s);
	s->def = def;
	s->answers = xcalloc(def->n_questions, sizeof *s->answers);
	s->shift = true; /* a sentence starts with a capital */
	return s;
}

static void free_out(struct survey_session *s)
{
	free(s->out);
	s->out = NULL;
}

void session_free(struct survey_session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->def->n_questions; i++)
		free(s->answers[i].text);
	free(s->answers);
	free_out(s);
	free(s);
}

static bool answered(const struct survey_session *s, size_t i)
{
	const struct answer *a = &s->answers[i];
	return a->chosen || (a->text && a->text[0]);
}

static bool may_go_on(const struct survey_session *s)
{
	return !s->def->questions[s->index].required || answered(s, s->index);
}

static size_t utf8_len(const char *p)
{
	size_t n = 0;
	for (; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	return n;
}

/* Removes the last character (a whole UTF-8 sequence). */
static void backspace(char *t)
{
	size_t n = strlen(t);
	while (n > 0 && ((unsigned char)t[n - 1] & 0xC0) == 0x80)
		n--;
	if (n > 0)
		n--;
	t[n] = '\0';
}

static void append(struct survey_session *s, const char *utf8)
{
	const struct survey_question *q = &s->def->questions[s->index];
	struct answer *a = &s->answers[s->index];
	if (!a->text)
		a->text = xstrdup("");
	for (const char *p = utf8; *p;) {
		/* One character at a time, up to the question's limit. */
		size_t len = 1;
		while (p[len] && ((unsigned char)p[len] & 0xC0) == 0x80)
			len++;
		if ((int)utf8_len(a->text) >= q->max_length)
			break;
		bool control = (unsigned char)*p < 0x20;
		if (!control) {
			size_t old = strlen(a->text);
			a->text = xrealloc(a->text, old + len + 1);
			memcpy(a->text + old, p, len);
			a->text[old + len] = '\0';
		}
		p += len;
	}
}

/* A letter key with the shift state applied (ASCII, umlauts; ß stays). */
static void type_key(struct survey_session *s, const char *key)
{
	char buf[8];
	snprintf(buf, sizeof buf, "%s", key);
	if (s->shift) {
		if (buf[0] >= 'a' && buf[0] <= 'z')
			buf[0] = (char)(buf[0] - 'a' + 'A');
		else if (!strcmp(key, "ä") || !strcmp(key, "ö") || !strcmp(key, "ü"))
			buf[1] = (char)(buf[1] - 0x20); /* U+00E4 → U+00C4 and so on */
		s->shift = false;
	}
	append(s, buf);
}

static enum session_action on_keyboard(struct survey_session *s, const char *key)
{
	struct answer *a = &s->answers[s->index];
	if (s->def->questions[s->index].type != SURVEY_TEXT)
		return SESSION_IGNORED;
	if (strcmp(key, "shift") == 0) {
		s->shift = !s->shift;
	} else if (strcmp(key, "backspace") == 0) {
		if (a->text)
			backspace(a->text);
	} else if (strcmp(key, "space") == 0) {
		append(s, " ");
	} else {
		type_key(s, key);
	}
	return SESSION_CHANGED;
}

static enum session_action on_option(struct survey_session *s, const char *rest)
{
	/* rest is "QUESTION.OPTION" of the question on screen */
	const struct survey_question *q = &s->def->questions[s->index];
	size_t ql = strlen(q->id);
	if (strncmp(rest, q->id, ql) != 0 || rest[ql] != '.')
		return SESSION_IGNORED;
	const char *opt = rest + ql + 1;
	for (size_t i = 0; i < q->n_options; i++) {
		if (strcmp(q->options[i].id, opt) != 0)
			continue;
		struct answer *a = &s->answers[s->index];
		if (q->type == SURVEY_MULTI)
			a->chosen ^= 1u << i;
		else /* a second tap on the chosen answer takes it back */
			a->chosen = a->chosen == 1u << i ? 0 : 1u << i;
		s->failed = false;
		return SESSION_CHANGED;
	}
	return SESSION_IGNORED;
}

enum session_action session_activate(struct survey_session *s, const char *id)
{
	if (strncmp(id, "kbd.", 4) == 0)
		return on_keyboard(s, id + 4);
	if (strncmp(id, "survey.", 7) != 0)
		return SESSION_IGNORED;
	const char *rest = id + 7;
	bool last = s->index + 1 == s->def->n_questions;
	if (strcmp(rest, "next") == 0 && !last && may_go_on(s)) {
		s->index++;
		return SESSION_CHANGED;
	}
	if (strcmp(rest, "back") == 0)
		return session_back(s);
	if (strcmp(rest, "submit") == 0 && last && may_go_on(s))
		return SESSION_SUBMIT;
	return on_option(s, rest);
}

enum session_action session_back(struct survey_session *s)
{
	if (s->index == 0)
		return SESSION_LEAVE;
	s->index--;
	s->failed = false;
	return SESSION_CHANGED;
}

bool session_type(struct survey_session *s, const char *utf8)
{
	if (s->def->questions[s->index].type != SURVEY_TEXT)
		return false;
	append(s, utf8);
	return true;
}

void session_set_failed(struct survey_session *s, bool failed) { s->failed = failed; }

const struct store_answer *session_answers(struct survey_session *s, size_t *n)
{
	free_out(s);
	size_t count = 0;
	for (size_t i = 0; i < s->def->n_questions; i++)
		count += s->answers[i].text && s->answers[i].text[0]
				 ? 1
				 : (size_t)__builtin_popcount(s->answers[i].chosen);
	s->out = xcalloc(count + 1, sizeof *s->out);
	size_t k = 0;
	for (size_t i = 0; i < s->def->n_questions; i++) {
		const struct survey_question *q = &s->def->questions[i];
		const struct answer *a = &s->answers[i];
		if (q->type == SURVEY_TEXT && a->text && a->text[0])
			s->out[k++] = (struct store_answer){q->id, a->text, (int)i};
		for (size_t o = 0; q->type != SURVEY_TEXT && o < q->n_options; o++)
			if (a->chosen & (1u << o))
				s->out[k++] = (struct store_answer){q->id, q->options[o].id, (int)i};
	}
	*n = k;
	return s->out;
}

/* ---- The question on screen ---- */

static const char *str(const struct content *c, const char *lang, const char *key)
{
	return content_string(c, lang, key);
}

static void build_options(struct survey_session *s, struct model_tree *t, const char *lang)
{
	const struct survey_question *q = &s->def->questions[s->index];
	const struct answer *a = &s->answers[s->index];
	for (size_t i = 0; i < q->n_options; i++) {
		char id[160];
		snprintf(id, sizeof id, "survey.%s.%s", q->id, q->options[i].id);
		struct model_node *n = tree_add(t, id, MODEL_ROLE_OPTION, MODEL_SLOT_BODY,
						content_i18n_get(&q->options[i].text, lang, NULL));
		n->selected = a->chosen & (1u << i);
		n->tone = MODEL_TONE_SURVEY;
		if (q->type == SURVEY_SCALE5) {
			n->icon = model_scale_faces[i];
			n->value = (int)i + 1; /* the ui lays faces out in a row */
		} else if (q->type == SURVEY_MULTI) {
			n->icon = n->selected ? ICON_BOX_ON : ICON_BOX_OFF;
		} else {
			n->icon = n->selected ? ICON_RADIO_ON : ICON_RADIO_OFF;
		}
	}
}

static void add_key(struct model_tree *t, const char *key, const char *label, int row,
		    const char *icon)
{
	char id[32];
	snprintf(id, sizeof id, "kbd.%s", key);
	struct model_node *n = tree_add(t, id, MODEL_ROLE_BUTTON, MODEL_SLOT_BODY, label);
	n->value = row + 1; /* keyboard row, from 1: the ui lays keys out in rows */
	n->icon = icon;
	n->type = MODEL_TYPE_BUTTON;
}

static void build_keyboard(struct survey_session *s, struct model_tree *t, const struct content *c,
			   const char *lang)
{
	bool german = strncmp(lang, "de", 2) == 0;
	const char *const *rows = german ? keys_de : keys_en;
	for (int r = 0; r < 4; r++) {
		if (r == 3)
			add_key(t, "shift", str(c, lang, "kbd.shift"), r, ICON_SHIFT);
		for (const char *p = rows[r]; *p;) {
			size_t len = 1;
			while (p[len] && ((unsigned char)p[len] & 0xC0) == 0x80)
				len++;
			char key[8] = {0}, label[8] = {0};
			memcpy(key, p, len);
			memcpy(label, p, len);
			if (s->shift && label[0] >= 'a' && label[0] <= 'z')
				label[0] = (char)(label[0] - 'a' + 'A');
			else if (s->shift && len == 2 && (!strcmp(key, "ä") || !strcmp(key, "ö") ||
							  !strcmp(key, "ü")))
				label[1] = (char)(label[1] - 0x20);
			add_key(t, key, label, r, NULL);
			p += len;
		}
		if (r == 3)
			add_key(t, "backspace", str(c, lang, "kbd.backspace"), r, ICON_BACKSPACE);
	}
	add_key(t, "space", str(c, lang, "kbd.space"), 4, ICON_SPACE);
	/* The shift key shows its state by more than colour: selected + label. */
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].id, "kbd.shift") == 0)
			t->nodes[i].selected = s->shift;
}

static void build_text(struct survey_session *s, struct model_tree *t, const struct content *c,
		       const char *lang)
{
	const struct survey_question *q = &s->def->questions[s->index];
	const struct answer *a = &s->answers[s->index];
	char id[160];
	snprintf(id, sizeof id, "survey.%s.text", q->id);
	struct model_node *n = tree_add(t, id, MODEL_ROLE_INPUT, MODEL_SLOT_BODY,
					a->text ? a->text : "");
	n->value = a->text ? (int)utf8_len(a->text) : 0;
	n->value_max = q->max_length;
	n->focused = true; /* the keyboard types here */
	n->detail = str_format_n(str(c, lang, "survey.chars-left"),
				 q->max_length - n->value);
	build_keyboard(s, t, c, lang);
}

void session_build(struct survey_session *s, struct model_tree *t, const struct content *c,
		   const char *lang)
{
	const struct survey_question *q = &s->def->questions[s->index];
	char *progress = str_format_n(str(c, lang, "survey.progress"), (long)s->index + 1);
	char *full = str_format_var(progress, "{total}", (long)s->def->n_questions);
	struct model_node *n = tree_add(t, "survey.progress", MODEL_ROLE_TEXT, MODEL_SLOT_BODY, full);
	free(full);
	free(progress);
	n->type = MODEL_TYPE_NOTE;
	n->value = (int)s->index + 1;
	n->value_max = (int)s->def->n_questions;
	char id[160];
	snprintf(id, sizeof id, "survey.%s", q->id);
	n = tree_add(t, id, MODEL_ROLE_HEADING, MODEL_SLOT_BODY,
		     content_i18n_get(&q->text, lang, NULL));
	n->type = MODEL_TYPE_H1;
	if (q->note.n) {
		n = tree_add(t, "survey.note", MODEL_ROLE_TEXT, MODEL_SLOT_BODY,
			     content_i18n_get(&q->note, lang, NULL));
		n->icon = ICON_WARNING;
		n->tone = MODEL_TONE_SURVEY;
	}
	if (q->type == SURVEY_TEXT)
		build_text(s, t, c, lang);
	else
		build_options(s, t, lang);
	if (s->failed) {
		n = tree_add(t, "survey.error", MODEL_ROLE_TEXT, MODEL_SLOT_ACTIONS,
			     str(c, lang, "survey.error"));
		n->icon = ICON_ERROR;
	}
	bool last = s->index + 1 == s->def->n_questions;
	if (s->index > 0) {
		n = tree_add(t, "survey.back", MODEL_ROLE_BUTTON, MODEL_SLOT_ACTIONS,
			     str(c, lang, "survey.back"));
		n->icon = ICON_BACK;
	}
	n = tree_add(t, last ? "survey.submit" : "survey.next", MODEL_ROLE_BUTTON,
		     MODEL_SLOT_ACTIONS, str(c, lang, last ? "survey.submit" : "survey.next"));
	n->icon = last ? ICON_SEND : ICON_FORWARD;
	n->tone = MODEL_TONE_SURVEY;
	n->enabled = may_go_on(s);
	n->selected = false;
}
