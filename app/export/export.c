/* export: stored feedback as csv, csv-wide or json lines.
 *
 * One pass over store_answers_each, which hands over the answers grouped by
 * response in question order.  Everything that repeats per answer is worked
 * out once: per survey version (kept definitions, parsed at the start) the
 * questions' German texts already neutralised and quoted for CSV and, for
 * csv-wide, the column of each question and option; per response the
 * quoted fixed fields.
 * Output goes through one large buffer of our own, written with fwrite in
 * big pieces; the buffers that hold one response grow to the largest
 * response and are reused, so memory does not grow with the number of rows.
 */
#include "kiosk/export.h"

#include <errno.h>
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

/* Big enough that a write(2) per 256 KiB is noise next to SQLite's reads. */
#define OUT_BUF_SIZE (256 * 1024)
#define NO_COLUMN SIZE_MAX

const char *export_strerror(enum export_err err)
{
	switch (err) {
	case EXPORT_OK: return "ok";
	case EXPORT_ERR_ARGS: return "a byte order mark and raw cells are for CSV only";
	case EXPORT_ERR_STORE: return "reading the feedback from the database failed";
	case EXPORT_ERR_SURVEY: return "a kept survey definition could not be read";
	case EXPORT_ERR_WRITE: return "writing the export failed";
	case EXPORT_ERR_NO_ROOM: return "there is not enough room for the export";
	}
	return "unknown error";
}

static const char *const format_names[] = {
	[EXPORT_CSV] = "csv",
	[EXPORT_CSV_WIDE] = "csv-wide",
	[EXPORT_JSON] = "json",
};

bool export_format_parse(const char *name, enum export_format *out)
{
	for (size_t i = 0; name && i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum export_format)i;
			return true;
		}
	return false;
}

const char *export_format_name(enum export_format f)
{
	return (size_t)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : "?";
}

/* ---- Output: one buffer, written in big pieces ---- */
struct out {
	FILE *f;
	size_t n;
	bool failed;
	int err;             /* errno of the failed write */
	char buf[OUT_BUF_SIZE];
};

static void out_flush(struct out *o)
{
	if (o->failed || o->n == 0) {
		o->n = 0;
		return;
	}
	errno = 0;
	if (fwrite(o->buf, 1, o->n, o->f) != o->n) {
		o->failed = true;
		o->err = errno ? errno : EIO;
	}
	o->n = 0;
}

static void out_put(struct out *o, const char *s, size_t len)
{
	if (len > OUT_BUF_SIZE - o->n) {
		out_flush(o);
		if (len >= OUT_BUF_SIZE) {
			errno = 0;
			if (!o->failed && fwrite(s, 1, len, o->f) != len) {
				o->failed = true;
				o->err = errno ? errno : EIO;
			}
			return;
		}
	}
	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

static inline void out_c(struct out *o, char c)
{
	if (o->n == OUT_BUF_SIZE)
		out_flush(o);
	o->buf[o->n++] = c;
}

static void out_s(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* ---- A growing byte buffer, reused from response to response ---- */
struct buf {
	char *p;
	size_t n, cap;
};

static void buf_put(struct buf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2 < 256 ? 256 : (b->n + len + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void buf_c(struct buf *b, char c)
{
	buf_put(b, &c, 1);
}

static void buf_s(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* ---- Escaping ---- */
/* RFC 4180: a field holding a comma, a quote, CR or LF is quoted, and its
 * quotes doubled. */
static const unsigned char csv_special[256] = {[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1};

/* The first characters with which a spreadsheet program takes a cell for a
 * formula (OWASP's list for CSV injection; tab and CR because some programs
 * skip them before looking). */
static const unsigned char csv_formula_start[256] = {
	['='] = 1, ['+'] = 1, ['-'] = 1, ['@'] = 1, ['\t'] = 1, ['\r'] = 1,
};

/* What goes before a field's text: "'" when the text would be read as a
 * formula (the spreadsheet then shows it as text), else nothing; nothing
 * at all in raw output. */
static const char *csv_guard(const char *s, bool raw)
{
	return !raw && csv_formula_start[(unsigned char)s[0]] ? "'" : "";
}

/* A text field, neutralised unless raw, then quoted.  Every text cell goes
 * through here or csv_field_out; only numbers the export makes itself do
 * not. */
static void csv_field(struct buf *b, const char *s, bool raw)
{
	const char *guard = csv_guard(s, raw);
	const unsigned char *p = (const unsigned char *)s;
	while (*p && !csv_special[*p])
		p++;
	if (!*p) {
		buf_s(b, guard);
		buf_put(b, s, (size_t)(p - (const unsigned char *)s));
		return;
	}
	buf_c(b, '"');
	buf_s(b, guard);
	for (const char *q; (q = strchr(s, '"')); s = q + 1) {
		buf_put(b, s, (size_t)(q - s) + 1);
		buf_c(b, '"');
	}
	buf_s(b, s);
	buf_c(b, '"');
}

/* The same, straight into the output (the one field that differs per row). */
static void csv_field_out(struct out *o, const char *s, bool raw)
{
	const char *guard = csv_guard(s, raw);
	const unsigned char *p = (const unsigned char *)s;
	while (*p && !csv_special[*p])
		p++;
	if (!*p) {
		out_s(o, guard);
		out_put(o, s, (size_t)(p - (const unsigned char *)s));
		return;
	}
	out_c(o, '"');
	out_s(o, guard);
	for (const char *q; (q = strchr(s, '"')); s = q + 1) {
		out_put(o, s, (size_t)(q - s) + 1);
		out_c(o, '"');
	}
	out_s(o, s);
	out_c(o, '"');
}

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 if it is not
 * one (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned c = p[0];
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* A JSON string with its quotes.  UTF-8 passes as it is; control
 * characters are escaped; a byte that is not well-formed UTF-8 (never
 * stored by the kiosk, but the file is not ours alone) becomes U+FFFD, so
 * that every line stays valid JSON. */
static void json_string_out(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	out_c(o, '"');
	for (;;) {
		const unsigned char *run = p;
		while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		out_put(o, (const char *)run, (size_t)(p - run));
		unsigned c = *p;
		if (c == 0)
			break;
		if (c >= 0x80) {
			size_t n = utf8_seq(p);
			if (n) {
				out_put(o, (const char *)p, n);
				p += n;
			} else {
				out_put(o, "\\ufffd", 6);
				p++;
			}
			continue;
		}
		p++;
		switch (c) {
		case '"': out_put(o, "\\\"", 2); break;
		case '\\': out_put(o, "\\\\", 2); break;
		case '\n': out_put(o, "\\n", 2); break;
		case '\r': out_put(o, "\\r", 2); break;
		case '\t': out_put(o, "\\t", 2); break;
		default: {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			out_put(o, e, 6);
		}
		}
	}
	out_c(o, '"');
}

/* ---- The kept survey definitions ---- */
struct column {
	const char *question_id; /* borrowed from the survey that brought it */
	const char *option_id;   /* a multiple choice's option, else NULL */
};

struct question_info {
	char *csv_text;          /* the German text, quoted for CSV */
	size_t column;           /* csv-wide: the question's column (not multi) */
	size_t *option_columns;  /* csv-wide, multi: per option */
};

struct version {
	struct survey *survey;
	struct question_info *q; /* parallel to survey->questions */
};

struct export {
	enum export_format format;
	bool raw;                    /* CSV cells as stored (export_options.raw) */
	const struct export_options *opt; /* borrowed: the filters */
	struct out *out;
	struct version *versions;    /* newest first */
	size_t n_versions;
	struct column *columns;      /* csv-wide */
	size_t n_columns;
	enum export_err err;

	/* the response being written */
	struct buf id;               /* its id, to notice the next one */
	const struct version *v;     /* its survey version, NULL if not kept */
	struct buf prefix;           /* its fixed fields, ready to write */
	int64_t hour;
	char hour_text[32];
	/* json */
	bool any_answer;
	bool in_array;
	struct buf last_question;
	/* csv-wide: one cell per column */
	struct cell {
		enum { CELL_EMPTY, CELL_ZERO, CELL_ONE, CELL_TEXT } kind;
		size_t off, len;     /* CELL_TEXT: in cell_text */
	} *cells;
	struct buf cell_text;
	long long unplaced;          /* answers no column fits */
};

static int add_version(const char *survey_id, int64_t version, const char *json, void *user)
{
	struct export *x = user;
	if (x->opt->survey && strcmp(x->opt->survey, survey_id) != 0)
		return 0; /* not asked for: not even its columns */
	char name[160];
	snprintf(name, sizeof name, "kept survey %s version %" PRId64, survey_id, version);
	struct survey *sv = NULL;
	struct content_error err;
	if (survey_parse(json, strlen(json), name, NULL, &sv, &err) != CONTENT_OK) {
		LOG_ERR("%s", err.message);
		x->err = EXPORT_ERR_SURVEY;
		return 1;
	}
	if (strcmp(sv->id, survey_id) != 0 || sv->version != version) {
		LOG_ERR("%s: the definition says survey %s version %" PRId64, name, sv->id,
			sv->version);
		survey_free(sv);
		x->err = EXPORT_ERR_SURVEY;
		return 1;
	}
	x->versions = xrealloc(x->versions, (x->n_versions + 1) * sizeof *x->versions);
	struct version *v = &x->versions[x->n_versions++];
	v->survey = sv;
	v->q = xcalloc(sv->n_questions, sizeof *v->q);
	struct buf b = {0};
	for (size_t i = 0; i < sv->n_questions; i++) {
		b.n = 0;
		csv_field(&b, content_i18n_get(&sv->questions[i].text, "de", NULL), x->raw);
		v->q[i].csv_text = xstrndup(b.p, b.n);
		v->q[i].column = NO_COLUMN;
	}
	free(b.p);
	return 0;
}

static size_t column_find(const struct export *x, const char *question_id, const char *option_id)
{
	for (size_t i = 0; i < x->n_columns; i++) {
		const struct column *c = &x->columns[i];
		if (strcmp(c->question_id, question_id) == 0 &&
		    (option_id ? c->option_id && strcmp(c->option_id, option_id) == 0 : !c->option_id))
			return i;
	}
	return NO_COLUMN;
}

static size_t column_add(struct export *x, const char *question_id, const char *option_id)
{
	size_t i = column_find(x, question_id, option_id);
	if (i != NO_COLUMN)
		return i;
	x->columns = xrealloc(x->columns, (x->n_columns + 1) * sizeof *x->columns);
	x->columns[x->n_columns] = (struct column){question_id, option_id};
	return x->n_columns++;
}

/* The union of every version's questions: the newest version's order
 * first, then what only older versions have, in their order. */
static void build_columns(struct export *x)
{
	for (size_t k = 0; k < x->n_versions; k++) {
		struct version *v = &x->versions[k];
		for (size_t i = 0; i < v->survey->n_questions; i++) {
			const struct survey_question *q = &v->survey->questions[i];
			if (q->type != SURVEY_MULTI) {
				v->q[i].column = column_add(x, q->id, NULL);
				continue;
			}
			v->q[i].option_columns = xcalloc(q->n_options, sizeof(size_t));
			for (size_t o = 0; o < q->n_options; o++)
				v->q[i].option_columns[o] = column_add(x, q->id, q->options[o].id);
		}
	}
	x->cells = xcalloc(x->n_columns ? x->n_columns : 1, sizeof *x->cells);
}

static const struct version *version_find(const struct export *x, const char *survey_id,
					  int64_t version)
{
	for (size_t i = 0; i < x->n_versions; i++)
		if (x->versions[i].survey->version == version &&
		    strcmp(x->versions[i].survey->id, survey_id) == 0)
			return &x->versions[i];
	return NULL;
}

/* The question's index in its version; position is tried first (0- or
 * 1-based), the id decides. */
static size_t question_index(const struct version *v, const char *id, int position)
{
	const struct survey *s = v->survey;
	if (position >= 0 && (size_t)position < s->n_questions &&
	    strcmp(s->questions[position].id, id) == 0)
		return (size_t)position;
	if (position >= 1 && (size_t)position - 1 < s->n_questions &&
	    strcmp(s->questions[position - 1].id, id) == 0)
		return (size_t)position - 1;
	for (size_t i = 0; i < s->n_questions; i++)
		if (strcmp(s->questions[i].id, id) == 0)
			return i;
	return NO_COLUMN;
}

static void version_free(struct version *v)
{
	for (size_t i = 0; i < v->survey->n_questions; i++) {
		free(v->q[i].csv_text);
		free(v->q[i].option_columns);
	}
	free(v->q);
	survey_free(v->survey);
}

/* ---- Per response ---- */
static const char *hour_text(struct export *x, int64_t hour)
{
	if (hour != x->hour || !x->hour_text[0]) {
		time_t t = (time_t)hour;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(x->hour_text, sizeof x->hour_text, "%Y-%m-%dT%H:00:00Z", &tm);
		else
			snprintf(x->hour_text, sizeof x->hour_text, "%" PRId64, hour);
		x->hour = hour;
	}
	return x->hour_text;
}

static const char *const fixed_columns[] = {
	"response_id", "kiosk_id", "survey_id", "survey_version", "hour", "language",
};

static void csv_prefix(struct export *x, const struct store_answer_row *r)
{
	char version[24];
	snprintf(version, sizeof version, "%" PRId64, r->survey_version);
	struct buf *b = &x->prefix;
	b->n = 0;
	csv_field(b, r->response_id, x->raw);
	buf_c(b, ',');
	csv_field(b, r->kiosk_id, x->raw);
	buf_c(b, ',');
	csv_field(b, r->survey_id, x->raw);
	buf_c(b, ',');
	buf_s(b, version);
	buf_c(b, ',');
	buf_s(b, hour_text(x, r->hour));
	buf_c(b, ',');
	csv_field(b, r->language, x->raw);
}

static void json_begin(struct export *x, const struct store_answer_row *r)
{
	struct out *o = x->out;
	char version[24];
	snprintf(version, sizeof version, "%" PRId64, r->survey_version);
	out_s(o, "{\"response_id\":");
	json_string_out(o, r->response_id);
	out_s(o, ",\"kiosk_id\":");
	json_string_out(o, r->kiosk_id);
	out_s(o, ",\"survey_id\":");
	json_string_out(o, r->survey_id);
	out_s(o, ",\"survey_version\":");
	out_s(o, version);
	out_s(o, ",\"hour\":\"");
	out_s(o, hour_text(x, r->hour));
	out_s(o, "\",\"language\":");
	json_string_out(o, r->language);
	out_s(o, ",\"answers\":{");
	x->any_answer = false;
	x->in_array = false;
	x->last_question.n = 0;
}

static void json_end(struct export *x)
{
	if (x->in_array)
		out_c(x->out, ']');
	out_put(x->out, "}}\n", 3);
}

static void wide_begin(struct export *x, const struct store_answer_row *r)
{
	csv_prefix(x, r);
	/* Every cell starts empty: a question skipped, or one the version
	 * does not ask, says nothing (wide_answer fills in the 0s of a
	 * multiple choice once it is answered). */
	x->cell_text.n = 0;
	for (size_t i = 0; i < x->n_columns; i++)
		x->cells[i].kind = CELL_EMPTY;
}

static void wide_end(struct export *x)
{
	struct out *o = x->out;
	out_put(o, x->prefix.p, x->prefix.n);
	for (size_t i = 0; i < x->n_columns; i++) {
		const struct cell *c = &x->cells[i];
		out_c(o, ',');
		if (c->kind == CELL_ZERO)
			out_c(o, '0');
		else if (c->kind == CELL_ONE)
			out_c(o, '1');
		else if (c->kind == CELL_TEXT)
			out_put(o, x->cell_text.p + c->off, c->len);
	}
	out_put(o, "\r\n", 2);
}

/* A multiple choice with an answer: the resident saw every option, so
 * each one not chosen (yet) is 0.  One chosen before stays 1. */
static void wide_multi_answered(struct export *x, const struct survey_question *q,
				const struct question_info *info)
{
	for (size_t k = 0; k < q->n_options; k++) {
		struct cell *c = &x->cells[info->option_columns[k]];
		if (c->kind == CELL_EMPTY)
			c->kind = CELL_ZERO;
	}
}

static void wide_answer(struct export *x, const struct store_answer_row *r, size_t qi)
{
	size_t col = NO_COLUMN;
	if (qi != NO_COLUMN) {
		const struct survey_question *q = &x->v->survey->questions[qi];
		const struct question_info *info = &x->v->q[qi];
		if (info->option_columns) {
			wide_multi_answered(x, q, info);
			for (size_t k = 0; k < q->n_options; k++)
				if (strcmp(q->options[k].id, r->value) == 0) {
					x->cells[info->option_columns[k]].kind = CELL_ONE;
					return;
				}
		} else {
			col = info->column;
		}
	}
	if (col == NO_COLUMN || x->cells[col].kind != CELL_EMPTY) {
		x->unplaced++;
		return;
	}
	size_t off = x->cell_text.n;
	csv_field(&x->cell_text, r->value, x->raw);
	x->cells[col] = (struct cell){CELL_TEXT, off, x->cell_text.n - off};
}

static void json_answer(struct export *x, const struct store_answer_row *r, size_t qi)
{
	struct out *o = x->out;
	bool multi = qi != NO_COLUMN && x->v->survey->questions[qi].type == SURVEY_MULTI;
	bool same = x->any_answer && strcmp(x->last_question.p, r->question_id) == 0;
	if (multi && same && x->in_array) {
		out_c(o, ',');
		json_string_out(o, r->value);
		return;
	}
	if (x->in_array)
		out_c(o, ']');
	x->in_array = false;
	if (x->any_answer)
		out_c(o, ',');
	json_string_out(o, r->question_id);
	out_c(o, ':');
	if (multi) {
		out_c(o, '[');
		x->in_array = true;
	}
	json_string_out(o, r->value);
	x->any_answer = true;
	x->last_question.n = 0;
	buf_s(&x->last_question, r->question_id);
}

static void response_end(struct export *x)
{
	if (!x->id.n)
		return;
	if (x->format == EXPORT_JSON)
		json_end(x);
	else if (x->format == EXPORT_CSV_WIDE)
		wide_end(x);
}

bool export_row_selected(const struct export_options *opt, const struct store_answer_row *r)
{
	if (opt->since && r->hour < opt->since)
		return false;
	if (opt->until && r->hour >= opt->until)
		return false;
	return !opt->survey || strcmp(opt->survey, r->survey_id) == 0;
}

bool export_day_parse(const char *text, int64_t *start_s)
{
	int y, m, d, n = 0;
	if (!text || strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || text[4] != '-' || text[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			return false;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
	time_t t = timegm(&tm);
	struct tm back;
	/* 2026-02-30 would become March the 2nd: refused. */
	if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != m - 1)
		return false;
	*start_s = (int64_t)t;
	return true;
}

static int on_answer(const struct store_answer_row *r, void *user)
{
	struct export *x = user;
	if (!export_row_selected(x->opt, r))
		return 0;
	if (!x->id.n || strcmp(x->id.p, r->response_id) != 0) {
		response_end(x);
		x->id.n = 0;
		buf_s(&x->id, r->response_id);
		x->v = version_find(x, r->survey_id, r->survey_version);
		if (x->format == EXPORT_JSON)
			json_begin(x, r);
		else if (x->format == EXPORT_CSV_WIDE)
			wide_begin(x, r);
		else
			csv_prefix(x, r);
	}
	size_t qi = x->v ? question_index(x->v, r->question_id, r->position) : NO_COLUMN;
	if (x->format == EXPORT_CSV) {
		struct out *o = x->out;
		out_put(o, x->prefix.p, x->prefix.n);
		out_c(o, ',');
		csv_field_out(o, r->question_id, x->raw);
		out_c(o, ',');
		if (qi != NO_COLUMN)
			out_s(o, x->v->q[qi].csv_text);
		out_c(o, ',');
		csv_field_out(o, r->value, x->raw);
		out_put(o, "\r\n", 2);
	} else if (x->format == EXPORT_JSON) {
		json_answer(x, r, qi);
	} else {
		wide_answer(x, r, qi);
	}
	return x->out->failed ? 1 : 0;
}

static void write_header(struct export *x)
{
	struct out *o = x->out;
	if (x->format == EXPORT_JSON)
		return;
	for (size_t i = 0; i < sizeof fixed_columns / sizeof fixed_columns[0]; i++) {
		if (i)
			out_c(o, ',');
		out_s(o, fixed_columns[i]);
	}
	if (x->format == EXPORT_CSV) {
		out_s(o, ",question_id,question,answer\r\n");
		return;
	}
	struct buf b = {0};
	for (size_t i = 0; i < x->n_columns; i++) {
		b.n = 0;
		buf_s(&b, x->columns[i].question_id);
		if (x->columns[i].option_id) {
			buf_c(&b, '.');
			buf_s(&b, x->columns[i].option_id);
		}
		out_c(o, ',');
		csv_field_out(o, b.p, x->raw);
	}
	free(b.p);
	out_put(o, "\r\n", 2);
}

/* The whole feedback, or with batch_id only that sync batch's. */
static enum export_err write_export(struct store *s, enum export_format f,
				    const struct export_options *opt, const char *batch_id, FILE *out)
{
	static const struct export_options defaults = {0};
	if (!opt)
		opt = &defaults;
	if ((opt->bom || opt->raw) && f == EXPORT_JSON)
		return EXPORT_ERR_ARGS;
	struct export x = {.format = f, .raw = opt->raw, .opt = opt, .out = xmalloc(sizeof *x.out)};
	x.out->f = out;
	x.out->n = 0;
	x.out->failed = false;
	x.out->err = 0;
	int errno_out = 0;

	enum store_err se = store_surveys_each(s, add_version, &x);
	if (x.err)
		goto out;
	if (se != STORE_OK) {
		LOG_ERR("%s: reading the kept survey definitions: %s", store_path(s),
			store_strerror(se));
		x.err = EXPORT_ERR_STORE;
		goto out;
	}
	if (f == EXPORT_CSV_WIDE)
		build_columns(&x);
	if (opt->bom)
		out_put(x.out, "\xef\xbb\xbf", 3);
	write_header(&x);

	se = batch_id ? store_answers_each_in_batch(s, batch_id, on_answer, &x, NULL)
		      : store_answers_each(s, on_answer, &x, NULL);
	if (se != STORE_OK) {
		LOG_ERR("%s: reading the feedback: %s", store_path(s), store_strerror(se));
		x.err = EXPORT_ERR_STORE;
		goto out;
	}
	response_end(&x);
	out_flush(x.out);
	if (!x.out->failed && fflush(out) != 0) {
		x.out->failed = true;
		x.out->err = errno;
	}
	if (x.out->failed) {
		x.err = EXPORT_ERR_WRITE;
		errno_out = x.out->err;
		goto out;
	}
	if (x.unplaced)
		LOG_WARN("%lld answer(s) fit no column of the kept survey definitions and are "
			 "missing from the csv-wide export (the csv and json exports have them)",
			 x.unplaced);
out:
	for (size_t i = 0; i < x.n_versions; i++)
		version_free(&x.versions[i]);
	free(x.versions);
	free(x.columns);
	free(x.cells);
	free(x.cell_text.p);
	free(x.last_question.p);
	free(x.prefix.p);
	free(x.id.p);
	free(x.out);
	errno = errno_out;
	return x.err;
}

enum export_err export_write(struct store *s, enum export_format f,
			     const struct export_options *opt, FILE *out)
{
	return write_export(s, f, opt, NULL, out);
}

enum export_err export_write_batch(struct store *s, const char *batch_id, FILE *out)
{
	return write_export(s, EXPORT_JSON, NULL, batch_id, out);
}
