/* export: the kiosk's feedback as files for admins (DESIGN.md §4).
 *
 * Reads every stored response through the store, names each answer's
 * question with the German text of the survey version the resident saw
 * (the kept definitions, store_surveys_each), and writes one of three
 * formats: csv (a row per answer), csv-wide (a row per response, a column
 * per question) and json (a line per response, as sync sends them).
 * Streams: memory stays flat however many responses there are.
 *
 * CSV is quoted per RFC 4180.  The answers are what residents typed on a
 * public screen, and the survey texts come with content from elsewhere, so
 * by default a CSV cell of text that starts with "=", "+", "-", "@", a tab
 * or a carriage return gets a leading "'" first (OWASP's advice against
 * CSV injection): a spreadsheet program shows it as text instead of running
 * it as a formula.  Numbers the export writes itself (survey_version, hour,
 * csv-wide's 0 and 1) never start so and are never prefixed.  JSON lines
 * carry every value exactly as stored.
 *
 * The summary (summary.c) is the same feedback for a person to look at: a
 * self-contained HTML page with bar charts, in German, where every count
 * below [export] min_cell shows as "weniger als N" (DESIGN.md §4, §9).
 */
#ifndef KIOSK_EXPORT_H
#define KIOSK_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct store;

enum export_format {
	EXPORT_CSV,      /* one row per answer (a multiple choice: one row per option chosen) */
	EXPORT_CSV_WIDE, /* one row per response, one column per question (or option) */
	EXPORT_JSON,     /* one JSON object per response and line */
};

enum export_err {
	EXPORT_OK,            /* it worked */
	EXPORT_ERR_ARGS,      /* an option the format does not have (a BOM or raw cells in JSON) */
	EXPORT_ERR_STORE,     /* reading the database failed */
	EXPORT_ERR_SURVEY,    /* a kept survey definition could not be read */
	EXPORT_ERR_WRITE,     /* writing the output failed (errno says why) */
	EXPORT_ERR_NO_ROOM,   /* the stick has too little room (nothing was written) */
};

const char *export_strerror(enum export_err err);

/* "csv", "csv-wide" or "json"; false for anything else. */
bool export_format_parse(const char *name, enum export_format *out);
const char *export_format_name(enum export_format f);

/* How to write an export; all zero (or a NULL pointer) is the default:
 * every response, no BOM, formulas neutralised. */
struct export_options {
	bool bom;            /* the UTF-8 byte order mark first (CSV only, for spreadsheets) */
	bool raw;            /* CSV cells as stored, formulas not neutralised (CSV only) */
	/* Which responses (every format and the summary); 0 or NULL: no limit. */
	int64_t since;       /* only responses of an hour at or after this second */
	int64_t until;       /* only responses of an hour before this second */
	const char *survey;  /* only responses to this survey id (and only its columns) */
	/* The summary only. */
	int min_cell;        /* counts below it show as "weniger als N"; 0: 5 */
	bool text;           /* list the typed texts (never where fewer than min_cell) */
	const char *kiosk_id; /* named in the header when no response names a kiosk */
	int64_t now_s;       /* when the summary was made, said in it; 0: not said */
};

/* The default of [export] min_cell. */
#define EXPORT_MIN_CELL_DEFAULT 5

/* A day "YYYY-MM-DD" (UTC) as the second it starts; false for anything
 * else (a day that does not exist, other characters, a year before 1970). */
bool export_day_parse(const char *text, int64_t *start_s);

/* Writes every response in format f to out, grouped by response (by hour,
 * then by the random id), in question order.  opt may be NULL for the
 * defaults; an option the format does not have is EXPORT_ERR_ARGS, with
 * nothing written.  out is borrowed; it is flushed but not closed.  On
 * EXPORT_ERR_WRITE errno holds the cause. */
enum export_err export_write(struct store *s, enum export_format f,
			     const struct export_options *opt, FILE *out);

/* Writes the summary of the responses opt selects (summary.c) as one HTML
 * page: header (kiosks, time span, responses, survey versions), then per
 * survey and question in survey order a bar chart of the answers (German
 * texts from the kept definitions; a scale with its mean; typed texts only
 * counted unless opt->text), then responses per language and per ISO
 * week.  No script, nothing fetched; prints on A4.  Streams: only counts
 * are kept.  On EXPORT_ERR_WRITE errno holds the cause. */
enum export_err export_summary_write(struct store *s, const struct export_options *opt,
				     FILE *out);

/* ---- Onto a USB stick (folder.c) ---- */
struct export_error {
	char message[640];
};

enum export_step {
	EXPORT_STEP_MEASURE = 1, /* counting the room the files need */
	EXPORT_STEP_WRITE,       /* the files, done of total */
	EXPORT_STEP_FINISH,      /* fsync and rename */
};

/* Progress of an export to a stick (called on the exporting thread). */
struct export_watch {
	void (*progress)(void *data, int step, uint64_t done, uint64_t total);
	void *data;
};

/* Writes csv, csv-wide (both with a BOM, for spreadsheets), json and
 * summary.html (counts below min_cell hidden) into the new folder
 * kiosk-export-KIOSKID-YYYYMMDD-HHMM on the stick: the room
 * is counted first; the folder is written under a partial name, every
 * file and the folder fsynced, renamed, the stick fsynced.  On success
 * *made (caller frees) is the folder; on failure nothing that looks
 * complete is left, and err says what happened. */
enum export_err export_to_stick(struct store *s, const char *stick, const char *kiosk_id,
				int min_cell, int64_t now_s, const struct export_watch *w, char **made,
				struct export_error *err);

/* On the kiosk: an export to a stick on the job seam's export worker. */
struct jobs;
struct job_result;

struct export_outcome {
	enum export_err err;
	struct export_error error;
	char *folder;        /* the folder made, owned by the result */
	bool stick_gone;     /* the stick went away while it was written */
};

/* The id, or 0 when the queue is full; progress: enum export_step. */
uint64_t export_submit(struct jobs *j, const char *data_dir, const char *stick,
		       const char *kiosk_id, int min_cell);
/* NULL for other results and a job cancelled before it ran. */
const struct export_outcome *export_outcome_of(const struct job_result *r);

/* The JSON lines of one sync batch's responses (store_batch_make), as
 * export_write writes them, ordered by response id: the bytes sync sends.
 * Reads on the connection that holds the batch's transaction. */
enum export_err export_write_batch(struct store *s, const char *batch_id, FILE *out);

#endif
