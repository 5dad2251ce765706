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

struct answer {
	unsigned chosen;         /* a bit per option */
	char *text;              /* text questions: what was typed */
};

struct survey_session {
	const struct survey *def;
	size_t index;
	struct answer *answers;
	bool shift;              /* the next letter is a capital */
	bool latin, digits;      /* the keyboard shows Latin letters, digits */
	char kbd_lang[16];       /* the language whose keyboard is on screen */
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

/* The keyboard follows the language on screen; another language starts on
 * its own letters.  What was typed stays, as it belongs to the question. */
static void kbd_follow(struct survey_session *s, const char *lang)
{
	if (strcmp(s->kbd_lang, lang) == 0)
		return;
	snprintf(s->kbd_lang, sizeof s->kbd_lang, "%s", lang);
	s->latin = s->digits = false;
}

/* A character key, if it is on the keyboard on screen, with shift applied. */
static enum session_action type_key(struct survey_session *s, const char *key)
{
	const struct kbd_layout *l = kbd_layout_for(s->kbd_lang);
	uint32_t cp;
	if (!kbd_parse_key(key, &cp) || !kbd_has_key(l, s->latin, s->digits, cp))
		return SESSION_IGNORED;
	char buf[5];
	if (s->shift && !s->digits)
		cp = kbd_upper(cp, kbd_shown(l, s->latin)->turkish);
	s->shift = false;
	utf8_encode(cp, buf);
	append(s, buf);
	return SESSION_CHANGED;
}

static enum session_action on_keyboard(struct survey_session *s, const char *key,
				       const char *lang)
{
	struct answer *a = &s->answers[s->index];
	if (s->def->questions[s->index].type != SURVEY_TEXT)
		return SESSION_IGNORED;
	kbd_follow(s, lang);
	if (strcmp(key, "shift") == 0) {
		s->shift = !s->shift;
	} else if (strcmp(key, "backspace") == 0) {
		if (a->text)
			backspace(a->text);
	} else if (strcmp(key, "space") == 0) {
		append(s, " ");
	} else if (strcmp(key, "digits") == 0) {
		s->digits = !s->digits;
	} else if (strcmp(key, "latin") == 0 && !kbd_layout_for(lang)->latin_script) {
		s->latin = s->digits || !s->latin; /* from digits: to Latin letters */
		s->digits = false;
	} else {
		return type_key(s, key);
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

enum session_action session_activate(struct survey_session *s, const char *id, const char *lang)
{
	if (strncmp(id, "kbd.", 4) == 0)
		return on_keyboard(s, id + 4, lang);
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

/* A key; row from 0 (the ui lays keys out in rows); units: its width in
 * keys where there is room (0: the space bar, as wide as the rows). */
static struct model_node *add_key(struct model_tree *t, const char *id, const char *label,
				  int row, int units, const char *icon)
{
	struct model_node *n = tree_add(t, id, MODEL_ROLE_BUTTON, MODEL_SLOT_BODY, label);
	n->value = row + 1;
	n->value_max = units;
	n->icon = icon;
	n->type = MODEL_TYPE_BUTTON;
	return n;
}

/* The character keys of a string, shifted to capitals where shift is on. */
static void add_chars(struct model_tree *t, const char *keys, int row, bool upper, bool turkish)
{
	uint32_t cp;
	for (size_t len; (len = utf8_decode(keys, &cp)) > 0; keys += len) {
		char id[24], label[5];
		kbd_key_id(cp, id, sizeof id);
		utf8_encode(upper ? kbd_upper(cp, turkish) : cp, label);
		add_key(t, id, label, row, 1, NULL);
	}
}

/* The bottom row: digits, Latin letters (where the layout's are not), the
 * comma, the space bar, the full stop. */
static void build_bottom_row(struct survey_session *s, struct model_tree *t,
			     const struct content *c, const struct kbd_layout *l)
{
	const struct kbd_layout *shown = kbd_shown(l, s->latin);
	struct model_node *n = add_key(t, "kbd.digits", s->digits ? shown->name : "123", 3, 2, NULL);
	n->selected = s->digits;
	if (!l->latin_script) {
		n = add_key(t, "kbd.latin", s->latin && !s->digits ? l->name : "abc", 3, 2, NULL);
		n->selected = s->latin && !s->digits;
	}
	uint32_t comma;
	size_t len = utf8_decode(l->punct, &comma);
	char first[5];
	utf8_encode(comma, first);
	add_chars(t, first, 3, false, false);
	add_key(t, "kbd.space", str(c, s->kbd_lang, "kbd.space"), 3, 0, ICON_SPACE);
	add_chars(t, l->punct + len, 3, false, false);
}

static void build_keyboard(struct survey_session *s, struct model_tree *t, const struct content *c,
			   const char *lang)
{
	kbd_follow(s, lang);
	const struct kbd_layout *l = kbd_layout_for(lang);
	const struct kbd_layout *shown = kbd_shown(l, s->latin);
	const char *const *rows = kbd_rows(l, s->latin, s->digits);
	bool cased = shown->cased && !s->digits;
	for (int r = 0; r < 3; r++) {
		/* The shift key shows its state by more than colour: selected + label. */
		if (r == 2 && cased)
			add_key(t, "kbd.shift", str(c, lang, "kbd.shift"), r, 2, ICON_SHIFT)->selected =
				s->shift;
		add_chars(t, rows[r], r, s->shift && cased, shown->turkish);
		if (r == 2)
			add_key(t, "kbd.backspace", str(c, lang, "kbd.backspace"), r, 2, ICON_BACKSPACE);
	}
	build_bottom_row(s, t, c, l);
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
