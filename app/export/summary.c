/* export: the summary an admin would rather look at than read.
 *
 * One HTML page (German, like the kiosk's survey texts), self-contained:
 * inline CSS and SVG, no script, a Content-Security-Policy that fetches
 * nothing, and an @media print for A4.  A header (kiosks, time span,
 * responses, survey versions), then per survey and question, in survey
 * order, the answers as horizontal bars with their counts (a scale with
 * its mean; typed texts only counted), then responses per language and per
 * ISO week.
 *
 * Anonymity first (DESIGN.md §9): every count below min_cell, in every
 * breakdown and in the header, is written as "weniger als N" and drawn as
 * the threshold's hatched stub, so neither the text, the bar's length nor
 * a data attribute carries it; a mean over fewer than min_cell answers is
 * not shown; typed texts are listed only on request and only where at
 * least min_cell were typed.
 *
 * One pass over store_answers_each keeps counts only: per question and
 * option, per language, kiosk, survey version and week.  Memory grows
 * with the surveys' size and the weeks covered, never with the number of
 * responses.  Listing typed texts reads them in a second pass, straight
 * into the page.
 */
#include "kiosk/export.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"
#include "export_int.h"

#define LOG_MODULE "export"

/* Distinct languages and kiosks kept by name; more are counted together
 * (a stored field is not ours alone). */
#define MAX_NAMED 40
/* Weeks drawn at most (about five years); older ones are summed up. */
#define MAX_WEEKS 260

struct option_agg {
	char *id;
	char *text;          /* German, from the newest version that has it */
	int64_t count;
};

struct question_agg {
	char *id;
	enum survey_type type; /* from the newest version that has it */
	char *text;
	struct option_agg *options;
	size_t n_options;
	int64_t answered;    /* responses that answered it (with text, for a text question) */
	int64_t sum;         /* scale5: the sum of the values 1..5 */
	int64_t other;       /* answers that match no option */
	int64_t last_seq;    /* the response counted last in answered */
};

struct survey_agg {
	char *id;
	struct question_agg *questions; /* the newest version's order, then older ones' */
	size_t n_questions;
	int64_t responses;
	bool guarded;        /* a version's count is hidden: so is the survey's */
};

struct tally {
	char *key;
	int64_t version;     /* survey versions: the version, key the survey */
	int64_t count;
};

struct tallies {
	struct tally *v;
	size_t n;
	int64_t rest;        /* beyond MAX_NAMED */
};

struct week {
	int64_t monday;      /* days since the epoch */
	int64_t count;
};

struct summary {
	struct store *store;
	const struct export_options *opt;
	int min_cell;
	FILE *out;
	enum export_err err;
	struct survey_agg *surveys;
	size_t n_surveys;

	int64_t responses;
	int64_t first_hour, last_hour;
	struct tallies languages, kiosks, versions;
	struct week *weeks;  /* sorted by monday */
	size_t n_weeks;

	/* the response being read */
	char id[STORE_ID_LEN * 2 + 2];
	char *long_id;       /* an id longer than that (never the kiosk's own) */
	int64_t seq;
	struct survey_agg *current;

	/* the second pass: typed texts of one question */
	const char *text_survey, *text_question;
};

/* ---- The survey definitions ---- */
static struct survey_agg *survey_find(struct summary *m, const char *id)
{
	for (size_t i = 0; i < m->n_surveys; i++)
		if (strcmp(m->surveys[i].id, id) == 0)
			return &m->surveys[i];
	return NULL;
}

static struct question_agg *question_find(struct survey_agg *s, const char *id)
{
	for (size_t i = 0; i < s->n_questions; i++)
		if (strcmp(s->questions[i].id, id) == 0)
			return &s->questions[i];
	return NULL;
}

static struct option_agg *option_find(struct question_agg *q, const char *id)
{
	for (size_t i = 0; i < q->n_options; i++)
		if (strcmp(q->options[i].id, id) == 0)
			return &q->options[i];
	return NULL;
}

/* Newest version first (store_surveys_each): what a version adds to the
 * union goes after what newer versions have. */
static int add_version(const char *survey_id, int64_t version, const char *json, void *user)
{
	struct summary *m = user;
	if (m->opt->survey && strcmp(m->opt->survey, survey_id) != 0)
		return 0;
	char name[160];
	snprintf(name, sizeof name, "kept survey %s version %" PRId64, survey_id, version);
	struct survey *sv = NULL;
	struct content_error err;
	if (survey_parse(json, strlen(json), name, NULL, &sv, &err) != CONTENT_OK) {
		LOG_ERR("%s", err.message);
		m->err = EXPORT_ERR_SURVEY;
		return 1;
	}
	struct survey_agg *s = survey_find(m, survey_id);
	if (!s) {
		m->surveys = xrealloc(m->surveys, (m->n_surveys + 1) * sizeof *m->surveys);
		s = &m->surveys[m->n_surveys++];
		*s = (struct survey_agg){.id = xstrdup(survey_id)};
	}
	for (size_t i = 0; i < sv->n_questions; i++) {
		const struct survey_question *sq = &sv->questions[i];
		struct question_agg *q = question_find(s, sq->id);
		if (!q) {
			s->questions = xrealloc(s->questions, (s->n_questions + 1) * sizeof *s->questions);
			q = &s->questions[s->n_questions++];
			*q = (struct question_agg){
				.id = xstrdup(sq->id),
				.type = sq->type,
				.text = xstrdup(content_i18n_get(&sq->text, "de", NULL)),
				.last_seq = -1,
			};
		}
		for (size_t k = 0; k < sq->n_options; k++) {
			const struct survey_option *so = &sq->options[k];
			if (option_find(q, so->id))
				continue;
			q->options = xrealloc(q->options, (q->n_options + 1) * sizeof *q->options);
			q->options[q->n_options++] = (struct option_agg){
				.id = xstrdup(so->id),
				.text = xstrdup(content_i18n_get(&so->text, "de", NULL)),
			};
		}
	}
	survey_free(sv);
	return 0;
}

/* ---- Counting ---- */
static void tally_add(struct tallies *t, const char *key, int64_t version)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].version == version && strcmp(t->v[i].key, key) == 0) {
			t->v[i].count++;
			return;
		}
	if (t->n == MAX_NAMED) {
		t->rest++;
		return;
	}
	t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	t->v[t->n++] = (struct tally){xstrdup(key), version, 1};
}

static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->version < y->version ? -1 : x->version > y->version;
}

static void tallies_sort(struct tallies *t)
{
	if (t->n) /* qsort wants an array, even of nothing */
		qsort(t->v, t->n, sizeof *t->v, tally_cmp);
}

static void tallies_free(struct tallies *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
}

static int64_t days_of(int64_t s)
{
	return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}

/* The Monday (days since the epoch) of the ISO week of the hour. */
static int64_t monday_of(int64_t hour)
{
	int64_t day = days_of(hour);
	int64_t weekday = ((day + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday: Monday 0 */
	return day - weekday;
}

static void week_add(struct summary *m, int64_t hour)
{
	int64_t monday = monday_of(hour);
	size_t i = m->n_weeks;
	/* Rows come by hour: the week is nearly always the last one. */
	while (i > 0 && m->weeks[i - 1].monday > monday)
		i--;
	if (i > 0 && m->weeks[i - 1].monday == monday) {
		m->weeks[i - 1].count++;
		return;
	}
	m->weeks = xrealloc(m->weeks, (m->n_weeks + 1) * sizeof *m->weeks);
	memmove(&m->weeks[i + 1], &m->weeks[i], (m->n_weeks - i) * sizeof *m->weeks);
	m->weeks[i] = (struct week){monday, 1};
	m->n_weeks++;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* True when the row starts another response than the one before. */
static bool next_response(struct summary *m, const char *id)
{
	const char *have = m->long_id ? m->long_id : m->id;
	if (m->seq >= 0 && strcmp(have, id) == 0)
		return false;
	free(m->long_id);
	m->long_id = NULL;
	if (strlen(id) < sizeof m->id)
		strcpy(m->id, id);
	else
		m->long_id = xstrdup(id);
	return true;
}

static void count_answer(struct summary *m, const struct store_answer_row *r)
{
	struct question_agg *q = m->current ? question_find(m->current, r->question_id) : NULL;
	if (!q)
		return;
	if (q->type == SURVEY_TEXT) {
		if (!blank(r->value) && q->last_seq != m->seq) {
			q->answered++;
			q->last_seq = m->seq;
		}
		return;
	}
	if (q->last_seq != m->seq) {
		q->answered++;
		q->last_seq = m->seq;
	}
	struct option_agg *o = option_find(q, r->value);
	if (!o) {
		q->other++;
		return;
	}
	o->count++;
	if (q->type == SURVEY_SCALE5) {
		int v = atoi(o->id);
		if (v >= 1 && v <= 5)
			q->sum += v;
	}
}

static int on_answer(const struct store_answer_row *r, void *user)
{
	struct summary *m = user;
	if (!export_row_selected(m->opt, r))
		return 0;
	if (next_response(m, r->response_id)) {
		m->seq++;
		if (m->responses == 0 || r->hour < m->first_hour)
			m->first_hour = r->hour;
		if (m->responses == 0 || r->hour > m->last_hour)
			m->last_hour = r->hour;
		m->responses++;
		tally_add(&m->languages, r->language, 0);
		tally_add(&m->kiosks, r->kiosk_id, 0);
		tally_add(&m->versions, r->survey_id, r->survey_version);
		week_add(m, r->hour);
		m->current = survey_find(m, r->survey_id);
		if (m->current)
			m->current->responses++;
	}
	count_answer(m, r);
	return 0;
}

/* ---- Writing ---- */
static void html(struct summary *m, const char *s)
{
	fputs(s, m->out);
}

static void htmlf(struct summary *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void htmlf(struct summary *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(m->out, fmt, ap);
	va_end(ap);
}

/* Text as HTML: the five characters that mean something there escaped,
 * control characters (but line breaks and tabs) left out. */
static void esc(struct summary *m, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': html(m, "&amp;"); break;
		case '<': html(m, "&lt;"); break;
		case '>': html(m, "&gt;"); break;
		case '"': html(m, "&quot;"); break;
		case '\'': html(m, "&#39;"); break;
		case '\n': case '\t': fputc(*p, m->out); break;
		default:
			if (*p >= 0x20 && *p != 0x7f)
				fputc(*p, m->out);
		}
	}
}

static bool shown(const struct summary *m, int64_t count)
{
	return count >= m->min_cell;
}

/* A count as text: the number, or "weniger als N". */
static void count_text(struct summary *m, int64_t count)
{
	if (shown(m, count))
		htmlf(m, "%" PRId64, count);
	else
		htmlf(m, "weniger als %d", m->min_cell);
}

/* The data attribute tests and scripts of admins read: the number, or
 * "hidden" (never the number below the threshold). */
static void count_attr(struct summary *m, int64_t count)
{
	if (shown(m, count))
		htmlf(m, " data-count=\"%" PRId64 "\"", count);
	else
		html(m, " data-count=\"hidden\"");
}

enum bar_colour { BAR_SURVEY, BAR_GUIDE, BAR_FILMS };
static const char *const bar_fill[] = {"#8C3B0B", "#0B4F6C", "#2D5F2E"};

/* One bar of a chart. */
struct bar {
	const char *key;     /* data-row is "KEY_A.KEY" */
	char *label;         /* owned */
	int64_t count;
	enum { BAR_SHOWN, BAR_SMALL, BAR_GUARD } hide;
};

static void bars_add(struct bar **v, size_t *n, const char *key, char *label, int64_t count)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = (struct bar){key, label, count, BAR_SHOWN};
}

static void bars_free(struct bar *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].label);
	free(v);
}

/* Which bars are hidden: every count below min_cell (BAR_SMALL).  Where
 * the bars split a total that the page shows (partition), a single small
 * count that is not 0 could be worked out as the total less the others,
 * so the smallest shown bar is hidden beside it (BAR_GUARD, "verborgen").
 * Returns what the hidden bars hold together (0: nothing hidden that a
 * mean could give away). */
static int64_t bars_hide(const struct summary *m, struct bar *v, size_t n, int64_t total,
			 bool partition)
{
	size_t small = 0, last_small = 0, guard = n;
	for (size_t i = 0; i < n; i++) {
		v[i].hide = shown(m, v[i].count) ? BAR_SHOWN : BAR_SMALL;
		if (v[i].hide == BAR_SMALL) {
			small++;
			last_small = i;
		} else if (guard == n || v[i].count < v[guard].count) {
			guard = i;
		}
	}
	if (partition && shown(m, total) && small == 1 && v[last_small].count > 0 && guard < n)
		v[guard].hide = BAR_GUARD;
	int64_t held = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].hide != BAR_SHOWN)
			held += v[i].count;
	return held;
}

/* A bar chart: per bar its label, the bar, the count (and its share of
 * total when total is shown).  The longest shown bar fills the width,
 * but at least four times the threshold does, so that the threshold's
 * stub always looks like one. */
static int64_t write_bars(struct summary *m, const char *key_a, struct bar *v, size_t n,
			  int64_t total, bool partition, enum bar_colour colour)
{
	int64_t held = bars_hide(m, v, n, total, partition);
	int64_t scale = 4 * (int64_t)m->min_cell;
	for (size_t i = 0; i < n; i++)
		if (v[i].hide == BAR_SHOWN && v[i].count > scale)
			scale = v[i].count;
	html(m, "<ul class=\"bars\">\n");
	for (size_t i = 0; i < n; i++) {
		const struct bar *b = &v[i];
		html(m, "<li data-row=\"");
		esc(m, key_a);
		html(m, ".");
		esc(m, b->key);
		html(m, "\"");
		if (b->hide == BAR_SHOWN)
			htmlf(m, " data-count=\"%" PRId64 "\"", b->count);
		else
			htmlf(m, " data-count=\"hidden\" class=\"%s\"",
			      b->hide == BAR_SMALL ? "small-count" : "guard");
		html(m, "><span class=\"label\">");
		esc(m, b->label);
		html(m, "</span><svg class=\"bar\" aria-hidden=\"true\">"
			"<rect class=\"track\" x=\"0\" y=\"0\" width=\"100%\" height=\"100%\"/>");
		if (b->hide == BAR_SHOWN)
			htmlf(m, "<rect x=\"0\" y=\"0\" width=\"%.2f%%\" height=\"100%%\" "
				 "fill=\"%s\"/>", 100.0 * (double)b->count / (double)scale,
			      bar_fill[colour]);
		else /* the threshold's stub: the same for 0, for min_cell - 1 and a guard */
			htmlf(m, "<rect x=\"1\" y=\"1\" width=\"%.2f%%\" height=\"95%%\" "
				 "fill=\"url(#hatch)\" stroke=\"#4B5259\" stroke-width=\"2\"/>",
			      100.0 * m->min_cell / (double)scale);
		html(m, "</svg>");
		if (b->hide == BAR_SHOWN) {
			htmlf(m, "<span class=\"value\">%" PRId64, b->count);
			if (shown(m, total) && total > 0)
				htmlf(m, " <small>(%" PRId64 "&#8239;%%)</small>",
				      (b->count * 100 + total / 2) / total);
			html(m, "</span>");
		} else if (b->hide == BAR_SMALL) {
			htmlf(m, "<span class=\"value hidden\">weniger als %d</span>", m->min_cell);
		} else {
			html(m, "<span class=\"value hidden\">verborgen<sup>*</sup></span>");
		}
		html(m, "</li>\n");
	}
	html(m, "</ul>\n");
	for (size_t i = 0; i < n; i++)
		if (v[i].hide == BAR_GUARD)
			htmlf(m, "<p class=\"hint\"><sup>*</sup> verborgen, damit sich die Zahl unter "
				 "%d nicht aus der Summe errechnen lässt.</p>\n", m->min_cell);
	return held;
}

static void day_text(char *buf, size_t size, int64_t s)
{
	time_t t = (time_t)s;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(buf, size, "%d.%m.%Y", &tm);
	else
		snprintf(buf, size, "?");
}

static const char *const type_words[] = {
	[SURVEY_SCALE5] = "Skala von 1 bis 5",
	[SURVEY_SINGLE] = "eine Antwort",
	[SURVEY_MULTI] = "mehrere Antworten möglich",
	[SURVEY_YESNO] = "Ja oder Nein",
	[SURVEY_TEXT] = "freier Text",
};

/* The mean and where it lies on the scale; hidden over fewer than
 * min_cell answers, and where it would give away what the hidden bars
 * hold (held: their sum; with the count and the mean shown, two hidden
 * bars could be worked out exactly). */
static void write_mean(struct summary *m, const struct question_agg *q, int64_t held)
{
	int64_t n = 0;
	for (size_t i = 0; i < q->n_options; i++) {
		int v = atoi(q->options[i].id);
		if (v >= 1 && v <= 5)
			n += q->options[i].count;
	}
	if (!shown(m, n)) {
		htmlf(m, "<p class=\"mean\" data-mean=\"hidden\">Mittelwert: erst ab %d Antworten</p>\n",
		      m->min_cell);
		return;
	}
	if (held > 0) {
		htmlf(m, "<p class=\"mean\" data-mean=\"hidden\">Mittelwert: verborgen, weil sich aus "
			 "ihm die Zahlen unter %d errechnen ließen</p>\n", m->min_cell);
		return;
	}
	double mean = (double)q->sum / (double)n;
	char text[16];
	snprintf(text, sizeof text, "%.1f", mean);
	char *dot = strchr(text, '.');
	if (dot)
		*dot = ','; /* German */
	double x = 20 + (mean - 1) / 4 * 360;
	htmlf(m, "<p class=\"mean\" data-mean=\"%.2f\">Mittelwert <strong>%s</strong> von 5 "
		 "<svg class=\"scale\" viewBox=\"0 0 400 40\" aria-hidden=\"true\">"
		 "<line x1=\"20\" y1=\"20\" x2=\"380\" y2=\"20\" stroke=\"#767676\" stroke-width=\"4\"/>",
	      mean, text);
	for (int i = 0; i < 5; i++)
		htmlf(m, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"30\" stroke=\"#767676\" "
			 "stroke-width=\"3\"/>", 20 + i * 90, 20 + i * 90);
	htmlf(m, "<circle cx=\"%.1f\" cy=\"20\" r=\"13\" fill=\"#8C3B0B\" stroke=\"#FFFFFF\" "
		 "stroke-width=\"3\"/></svg></p>\n", x);
}

static int on_text(const struct store_answer_row *r, void *user)
{
	struct summary *m = user;
	if (!export_row_selected(m->opt, r) || strcmp(r->survey_id, m->text_survey) != 0 ||
	    strcmp(r->question_id, m->text_question) != 0 || blank(r->value))
		return 0;
	html(m, "<li>");
	esc(m, r->value);
	html(m, "</li>\n");
	return ferror(m->out) ? 1 : 0;
}

static void write_texts(struct summary *m, const struct survey_agg *s,
			const struct question_agg *q)
{
	htmlf(m, "<p class=\"meta\"><span data-row=\"");
	esc(m, q->id);
	html(m, ".text\"");
	count_attr(m, q->answered);
	html(m, ">");
	count_text(m, q->answered);
	html(m, q->answered == 1 ? " Antwort" : " Antworten");
	html(m, " mit Text</span></p>\n");
	if (!m->opt->text) {
		html(m, "<p class=\"hint\">Die Texte selbst stehen nicht in dieser Übersicht "
			"(nur auf Wunsch: <code>kioskctl report --text</code>).</p>\n");
		return;
	}
	if (!shown(m, q->answered)) {
		htmlf(m, "<p class=\"hint\">Die Texte werden erst ab %d Antworten gezeigt.</p>\n",
		      m->min_cell);
		return;
	}
	html(m, "<ul class=\"texts\">\n");
	m->text_survey = s->id;
	m->text_question = q->id;
	enum store_err se = store_answers_each(m->store, on_text, m, NULL);
	if (se != STORE_OK && !ferror(m->out))
		m->err = EXPORT_ERR_STORE;
	html(m, "</ul>\n");
}

static void write_question(struct summary *m, const struct survey_agg *s,
			   const struct question_agg *q, size_t number)
{
	html(m, "<article class=\"question\" data-q=\"");
	esc(m, q->id);
	htmlf(m, "\">\n<h3><span class=\"qno\">%zu</span> ", number);
	esc(m, q->text);
	html(m, "</h3>\n");
	if (q->type == SURVEY_TEXT) {
		write_texts(m, s, q);
		html(m, "</article>\n");
		return;
	}
	htmlf(m, "<p class=\"meta\">%s · <span data-row=\"", type_words[q->type]);
	esc(m, q->id);
	html(m, ".answered\"");
	count_attr(m, q->answered);
	html(m, ">");
	count_text(m, q->answered);
	html(m, q->answered == 1 ? " Antwort" : " Antworten");
	html(m, "</span>");
	if (q->type == SURVEY_MULTI)
		html(m, " · Anteile bezogen auf die Personen, die die Frage beantwortet haben");
	html(m, "</p>\n");
	struct bar *bars = NULL;
	size_t n = 0;
	for (size_t i = 0; i < q->n_options; i++) {
		const struct option_agg *o = &q->options[i];
		char *label = q->type == SURVEY_SCALE5 && strcmp(o->id, o->text) != 0
				      ? xasprintf("%s · %s", o->id, o->text)
				      : xstrdup(o->text);
		bars_add(&bars, &n, o->id, label, o->count);
	}
	if (q->other > 0)
		bars_add(&bars, &n, "_other", xstrdup("andere Werte"), q->other);
	/* A multiple choice's counts do not add up to a total. */
	int64_t held = write_bars(m, q->id, bars, n, q->answered, q->type != SURVEY_MULTI,
				  BAR_SURVEY);
	bars_free(bars, n);
	if (q->type == SURVEY_SCALE5)
		write_mean(m, q, held);
	html(m, "</article>\n");
}

static const struct {
	const char *code, *name;
} language_names[] = {
	{"de", "Deutsch"},        {"de-x-ls", "Leichte Sprache"}, {"en", "Englisch"},
	{"tr", "Türkisch"},       {"uk", "Ukrainisch"},           {"ar", "Arabisch"},
};

static const char *language_name(const char *code)
{
	for (size_t i = 0; i < sizeof language_names / sizeof language_names[0]; i++)
		if (strcmp(language_names[i].code, code) == 0)
			return language_names[i].name;
	return code;
}

static void write_languages(struct summary *m)
{
	struct tallies *t = &m->languages;
	tallies_sort(t);
	struct bar *bars = NULL;
	size_t n = 0;
	/* In the kiosk's order of languages first, then any other. */
	const size_t n_known = sizeof language_names / sizeof language_names[0];
	for (size_t k = 0; k <= n_known; k++)
		for (size_t i = 0; i < t->n; i++) {
			bool known = strcmp(language_name(t->v[i].key), t->v[i].key) != 0;
			if (k < n_known ? strcmp(t->v[i].key, language_names[k].code) != 0 : known)
				continue;
			bars_add(&bars, &n, t->v[i].key, xstrdup(language_name(t->v[i].key)),
				 t->v[i].count);
		}
	if (t->rest)
		bars_add(&bars, &n, "_other", xstrdup("weitere Sprachen"), t->rest);
	html(m, "<section class=\"small\">\n<h2>Antworten nach Sprache</h2>\n");
	write_bars(m, "lang", bars, n, m->responses, true, BAR_GUIDE);
	bars_free(bars, n);
	html(m, "</section>\n");
}

/* ISO 8601 week and year of a Monday. */
static void iso_week(int64_t monday, int *year, int *week)
{
	time_t thursday = (time_t)((monday + 3) * 86400);
	struct tm tm;
	gmtime_r(&thursday, &tm);
	*year = tm.tm_year + 1900;
	*week = tm.tm_yday / 7 + 1;
}

static void write_weeks(struct summary *m)
{
	html(m, "<section class=\"small\">\n<h2>Antworten nach Kalenderwoche</h2>\n");
	if (!m->n_weeks) {
		html(m, "</section>\n");
		return;
	}
	/* Every week from the first to the last, also those without an
	 * answer (they too are "weniger als N"); at most MAX_WEEKS, the
	 * older ones summed up. */
	int64_t first = m->weeks[0].monday, last = m->weeks[m->n_weeks - 1].monday;
	int64_t n_all = (last - first) / 7 + 1;
	int64_t n_drawn = n_all > MAX_WEEKS ? MAX_WEEKS : n_all;
	int64_t start = last - (n_drawn - 1) * 7;
	int64_t before = 0;
	int64_t *counts = xcalloc((size_t)n_drawn, sizeof *counts);
	for (size_t i = 0; i < m->n_weeks; i++) {
		if (m->weeks[i].monday < start)
			before += m->weeks[i].count;
		else
			counts[(m->weeks[i].monday - start) / 7] = m->weeks[i].count;
	}
	struct bar *bars = NULL;
	size_t n = 0;
	if (before) {
		char day[16];
		day_text(day, sizeof day, start * 86400);
		bars_add(&bars, &n, "_before", xasprintf("vor dem %s", day), before);
	}
	char (*keys)[24] = xcalloc((size_t)n_drawn, sizeof *keys);
	for (int64_t i = 0; i < n_drawn; i++) {
		int64_t monday = start + i * 7;
		int year, week;
		iso_week(monday, &year, &week);
		char day[16];
		day_text(day, sizeof day, monday * 86400);
		snprintf(keys[i], sizeof keys[i], "%04d-W%02d", year, week);
		bars_add(&bars, &n, keys[i], xasprintf("KW %d · %s", week, day), counts[i]);
	}
	write_bars(m, "week", bars, n, m->responses, true, BAR_FILMS);
	bars_free(bars, n);
	free(keys);
	free(counts);
	html(m, "</section>\n");
}

static const char style[] =
	"@page{size:A4;margin:14mm 14mm 16mm}\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"body{margin:0;background:#F6F4EF;color:#1A1D21;"
	"font:20px/1.5 \"Noto Sans\",\"DejaVu Sans\",Arial,sans-serif}\n"
	".page{max-width:1100px;margin:0 auto;padding:48px 40px 64px}\n"
	"header{border-top:12px solid #8C3B0B;padding-top:20px}\n"
	".kicker{margin:0;color:#4B5259;font-weight:700;letter-spacing:.02em}\n"
	"h1{font-size:44px;line-height:1.15;margin:.15em 0 .5em}\n"
	"h2{font-size:30px;line-height:1.2;margin:1.4em 0 .5em}\n"
	"h3{font-size:24px;line-height:1.3;margin:0 0 .3em;display:flex;gap:.6em;align-items:baseline}\n"
	".qno{flex:none;display:inline-block;min-width:1.7em;padding:0 .35em;border-radius:6px;"
	"background:#8C3B0B;color:#FFFFFF;text-align:center}\n"
	".facts{display:grid;grid-template-columns:1fr 1.3fr .8fr 1.7fr;gap:16px;"
	"margin:0 0 16px;align-items:start}\n"
	".facts>div{background:#FFFFFF;border:2px solid #D9D4C8;border-radius:10px;padding:12px 18px}\n"
	"dt{color:#4B5259;font-size:18px}\n"
	"dd{margin:0;font-size:26px;font-weight:700;line-height:1.3;overflow-wrap:anywhere}\n"
	"dd small{display:block;font-size:18px;font-weight:400}\n"
	".facts .versions{font-size:20px;font-weight:400}\n"
	".guard .value,.small-count .value{font-size:18px}\n"
	".note,.hint,.meta{color:#4B5259}\n"
	".note{font-size:18px;margin:0}\n"
	".question{background:#FFFFFF;border:2px solid #D9D4C8;border-left:10px solid #8C3B0B;"
	"border-radius:12px;padding:22px 28px;margin:22px 0;break-inside:avoid}\n"
	".meta{margin:0 0 10px;font-size:18px}\n"
	".bars{list-style:none;padding:0;margin:8px 0}\n"
	".bars li{display:grid;grid-template-columns:minmax(0,15em) minmax(0,1fr) 8.5em;"
	"align-items:center;gap:14px;padding:5px 0}\n"
	".bar{display:block;width:100%;height:34px}\n"
	".track{fill:#F6F4EF}\n"
	".value{font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	".value small{font-weight:400;color:#4B5259;font-size:17px}\n"
	".value.hidden{font-weight:400;color:#4B5259;white-space:normal;line-height:1.2}\n"
	".mean{margin:12px 0 0;display:flex;align-items:center;gap:12px;flex-wrap:wrap}\n"
	".mean strong{font-size:30px}\n"
	".scale{width:260px;height:26px}\n"
	".texts{margin:8px 0 0;padding-left:1.2em}\n"
	".texts li{margin:6px 0;white-space:pre-wrap}\n"
	".breakdowns{display:grid;grid-template-columns:1fr 1fr;gap:0 32px}\n"
	".small{background:#FFFFFF;border:2px solid #D9D4C8;border-radius:12px;padding:4px 24px 16px;"
	"margin-top:22px;break-inside:avoid}\n"
	".small h2{font-size:24px;margin:.8em 0 .3em}\n"
	".small .bars li{grid-template-columns:minmax(0,10.5em) minmax(0,1fr) 7em;font-size:17px;"
	"padding:3px 0}\n"
	".small .bar{height:22px}\n"
	".small .value small{font-size:15px}\n"
	".empty{font-size:24px;font-weight:700}\n"
	"footer{margin-top:32px;color:#4B5259;font-size:17px}\n"
	"code{font-family:\"Noto Sans Mono\",\"DejaVu Sans Mono\",monospace;font-size:.9em}\n"
	"@media (max-width:900px){.breakdowns{grid-template-columns:1fr}"
	".bars li{grid-template-columns:1fr 8.5em}.bars li .label{grid-column:1/-1}}\n"
	"@media print{body{background:#FFFFFF;font-size:11pt}"
	".page{max-width:none;padding:0}"
	"h1{font-size:22pt}h2{font-size:15pt}h3{font-size:12.5pt}"
	"dt,.note,.meta,.hint,footer{font-size:10pt}dd{font-size:13pt}dd small{font-size:10pt}"
	".question,.small,.facts>div{border-color:#767676}.question{border-left-color:#8C3B0B}"
	".question{padding:10pt 14pt;margin:10pt 0}"
	".bars li{padding:2pt 0;gap:8pt}.bar{height:15pt}.small .bar{height:11pt}"
	".small .bars li{font-size:10pt}.value small{font-size:9pt}"
	".mean strong{font-size:15pt}.scale{width:150pt;height:15pt}"
	".breakdowns{gap:0 14pt}h2{break-after:avoid}"
	".bars li{grid-template-columns:minmax(0,14em) minmax(0,1fr) 7.5em}"
	".bars li .label{grid-column:auto}"
	".small .bars li{grid-template-columns:minmax(0,9.5em) minmax(0,1fr) 6.5em}"
	".guard .value,.small-count .value,.facts .versions{font-size:10pt}}\n";

static void write_header(struct summary *m)
{
	html(m, "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>Rückmeldungen am Kiosk – Übersicht</title>\n<style>\n");
	html(m, style);
	html(m, "</style>\n</head>\n<body>\n"
		"<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
		"<pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"10\" height=\"10\" "
		"patternTransform=\"rotate(45)\"><rect width=\"10\" height=\"10\" fill=\"#FFFFFF\"/>"
		"<rect width=\"4\" height=\"10\" fill=\"#767676\"/></pattern></defs></svg>\n"
		"<div class=\"page\">\n<header>\n"
		"<p class=\"kicker\">Digitale Kommune – Digitale Region</p>\n"
		"<h1>Rückmeldungen am Kiosk</h1>\n<dl class=\"facts\">\n");

	/* kiosks */
	struct tallies *k = &m->kiosks;
	tallies_sort(k);
	htmlf(m, "<div><dt>%s</dt><dd data-row=\"kiosks\">", k->n > 1 ? "Kiosks" : "Kiosk");
	if (!k->n)
		esc(m, m->opt->kiosk_id && *m->opt->kiosk_id ? m->opt->kiosk_id : "–");
	for (size_t i = 0; i < k->n; i++) {
		if (i)
			html(m, ", ");
		esc(m, k->v[i].key);
	}
	if (k->rest)
		html(m, " und weitere");
	html(m, "</dd></div>\n");

	/* time span: the days of the first and last response, and the filter */
	char a[16], b[16];
	html(m, "<div><dt>Zeitraum</dt><dd data-row=\"span\">");
	if (m->responses) {
		day_text(a, sizeof a, m->first_hour);
		day_text(b, sizeof b, m->last_hour);
		if (strcmp(a, b) == 0)
			htmlf(m, "%s", a);
		else
			htmlf(m, "%s bis %s", a, b);
	} else {
		html(m, "–");
	}
	if (m->opt->since || m->opt->until) {
		html(m, "<small>ausgewählt: ");
		if (m->opt->since) {
			day_text(a, sizeof a, m->opt->since);
			htmlf(m, "ab %s%s", a, m->opt->until ? " " : "");
		}
		if (m->opt->until) {
			day_text(b, sizeof b, m->opt->until - 1); /* the last second taken */
			htmlf(m, "bis %s", b);
		}
		html(m, "</small>");
	}
	html(m, "</dd></div>\n");

	html(m, "<div><dt>Antworten</dt><dd data-row=\"responses\"");
	count_attr(m, m->responses);
	html(m, ">");
	count_text(m, m->responses);
	html(m, "</dd></div>\n");

	/* survey versions */
	struct tallies *v = &m->versions;
	tallies_sort(v);
	/* The versions split the responses: the same guard as in a chart. */
	struct bar *vb = xcalloc(v->n + 1, sizeof *vb);
	for (size_t i = 0; i < v->n; i++)
		vb[i].count = v->v[i].count;
	bars_hide(m, vb, v->n, v->rest ? 0 : m->responses, true);
	html(m, "<div><dt>Fragebogen</dt><dd class=\"versions\">");
	if (!v->n)
		html(m, "–");
	for (size_t i = 0; i < v->n; i++) {
		if (i == 0 || strcmp(v->v[i - 1].key, v->v[i].key) != 0) {
			if (i)
				html(m, "<br>");
			esc(m, v->v[i].key);
			html(m, ": ");
		} else {
			html(m, ", ");
		}
		htmlf(m, "<span data-row=\"version.");
		esc(m, v->v[i].key);
		htmlf(m, ".%" PRId64 "\"", v->v[i].version);
		if (vb[i].hide == BAR_SHOWN)
			count_attr(m, v->v[i].count);
		else
			html(m, " data-count=\"hidden\"");
		htmlf(m, ">Version %" PRId64 " (", v->v[i].version);
		if (vb[i].hide == BAR_GUARD)
			html(m, "verborgen");
		else
			count_text(m, v->v[i].count);
		html(m, ")</span>");
		struct survey_agg *sa = vb[i].hide != BAR_SHOWN ? survey_find(m, v->v[i].key) : NULL;
		if (sa)
			sa->guarded = true;
	}
	free(vb);
	if (v->rest)
		html(m, " und weitere");
	if (m->opt->survey) {
		html(m, "<small>ausgewählt: ");
		esc(m, m->opt->survey);
		html(m, "</small>");
	}
	html(m, "</dd></div>\n</dl>\n");
	htmlf(m, "<p class=\"note\">Zum Schutz der Befragten steht jede Zahl unter %d als "
		 "„weniger als %d“ (ein schraffierter Balken); wo sie sich sonst aus der Summe "
		 "errechnen ließe, ist eine zweite Zahl „verborgen“. Ein Mittelwert steht erst ab %d "
		 "Antworten. Zeiten sind auf die Stunde gerundet, Tage und Wochen in UTC.</p>\n"
		 "</header>\n<main>\n",
	      m->min_cell, m->min_cell, m->min_cell);
}

static void write_body(struct summary *m)
{
	if (!m->responses)
		html(m, "<p class=\"empty\">Für diese Auswahl gibt es keine Antworten.</p>\n");
	for (size_t i = 0; i < m->n_surveys && !m->err; i++) {
		const struct survey_agg *s = &m->surveys[i];
		if (!s->responses)
			continue;
		html(m, "<section class=\"survey\" data-survey=\"");
		esc(m, s->id);
		html(m, "\">\n<h2>Fragebogen „");
		esc(m, s->id);
		html(m, "“ <small class=\"meta\" data-row=\"survey.");
		esc(m, s->id);
		html(m, "\"");
		if (s->guarded) {
			html(m, " data-count=\"hidden\">");
		} else {
			count_attr(m, s->responses);
			html(m, ">– ");
			count_text(m, s->responses);
			html(m, " Antworten");
		}
		html(m, "</small></h2>\n");
		for (size_t q = 0; q < s->n_questions && !m->err; q++)
			write_question(m, s, &s->questions[q], q + 1);
		html(m, "</section>\n");
	}
	if (m->responses) {
		html(m, "<div class=\"breakdowns\">\n");
		write_languages(m);
		write_weeks(m);
		html(m, "</div>\n");
	}
	html(m, "</main>\n<footer>");
	if (m->opt->now_s) {
		time_t t = (time_t)m->opt->now_s;
		struct tm tm;
		char when[40];
		if (gmtime_r(&t, &tm) && strftime(when, sizeof when, "%d.%m.%Y um %H:%M UTC", &tm))
			htmlf(m, "Erstellt am %s. ", when);
	}
	html(m, "Digitale Kommune Kiosk " KIOSK_VERSION ". Diese Seite braucht kein Netz und "
		"lässt sich auf A4 drucken.</footer>\n</div>\n</body>\n</html>\n");
}

static void summary_free(struct summary *m)
{
	for (size_t i = 0; i < m->n_surveys; i++) {
		struct survey_agg *s = &m->surveys[i];
		for (size_t q = 0; q < s->n_questions; q++) {
			struct question_agg *qa = &s->questions[q];
			for (size_t o = 0; o < qa->n_options; o++) {
				free(qa->options[o].id);
				free(qa->options[o].text);
			}
			free(qa->options);
			free(qa->id);
			free(qa->text);
		}
		free(s->questions);
		free(s->id);
	}
	free(m->surveys);
	tallies_free(&m->languages);
	tallies_free(&m->kiosks);
	tallies_free(&m->versions);
	free(m->weeks);
	free(m->long_id);
}

enum export_err export_summary_write(struct store *s, const struct export_options *opt,
				     FILE *out)
{
	static const struct export_options defaults = {0};
	struct summary m = {
		.store = s,
		.opt = opt ? opt : &defaults,
		.out = out,
		.seq = -1,
	};
	m.min_cell = m.opt->min_cell > 0 ? m.opt->min_cell : EXPORT_MIN_CELL_DEFAULT;
	int errno_out = 0;
	enum store_err se = store_surveys_each(s, add_version, &m);
	if (m.err)
		goto out;
	if (se == STORE_OK)
		se = store_answers_each(s, on_answer, &m, NULL);
	if (se != STORE_OK) {
		LOG_ERR("%s: reading the feedback: %s", store_path(s), store_strerror(se));
		m.err = EXPORT_ERR_STORE;
		goto out;
	}
	write_header(&m);
	write_body(&m);
	errno = 0;
	if (fflush(out) != 0 || ferror(out)) {
		errno_out = errno ? errno : EIO;
		m.err = EXPORT_ERR_WRITE;
	}
out:
	summary_free(&m);
	errno = errno_out;
	return m.err;
}
