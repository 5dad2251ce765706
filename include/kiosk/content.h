/* content: what the kiosk shows, read from a content folder.
 *
 * A content folder (assets/content/, a bundle's content/, or an installed
 * DATA/content/VERSION/) holds content.json, pages/TOPIC.LANG.md and
 * strings/LANG.json (DESIGN.md §4).  This module reads and checks them,
 * parses pages (Markdown, md4c) into blocks of styled text, answers the
 * interface strings with German as the fallback, and installs the demo
 * content into the data folder at first start.
 */
#ifndef KIOSK_CONTENT_H
#define KIOSK_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum content_err {
	CONTENT_OK,          /* it worked */
	CONTENT_ERR_IO,      /* a file could not be read or written */
	CONTENT_ERR_JSON,    /* a JSON file is not valid JSON */
	CONTENT_ERR_SCHEMA,  /* valid JSON, but not what content.json must hold */
	CONTENT_ERR_UTF8,    /* a text file is not valid UTF-8 */
	CONTENT_ERR_PAGE,    /* a page could not be used (empty, too big, bad Markdown) */
	CONTENT_ERR_MISSING, /* a topic, page or string that is not there */
	CONTENT_ERR_STORE,   /* the database refused to record the install */
};

const char *content_strerror(enum content_err err);

/* Caps on the files of a content source: each is read through the capped
 * reader and refused above its cap before it is parsed. */
#define CONTENT_CAP_INDEX (1024 * 1024)  /* content.json */
#define CONTENT_CAP_STRINGS (256 * 1024) /* strings/LANG.json */
#define CONTENT_CAP_SURVEY (256 * 1024)  /* survey.json */
#define CONTENT_CAP_PAGE (128 * 1024)    /* pages/TOPIC.LANG.md */
/* Caps on what those files hold, so that memory and time on the screen are
 * bounded by design (checked when content is read, named by file and field). */
#define CONTENT_CAP_TEXT 1000        /* bytes of a title, summary, label, question, option */
#define CONTENT_CAP_PARAGRAPH 8192   /* bytes of a paragraph, heading or list item of a page */
#define CONTENT_CAP_WORD 120         /* characters of a word (a long web address fits) */
#define CONTENT_CAP_TOPICS 48        /* topics, and films, of a content */
#define CONTENT_CAP_LANGUAGES 12     /* languages of a content */
/* A content version may lie at most this far ahead of the clock (versions
 * are creation times in seconds, or small numbers). */
#define CONTENT_VERSION_AHEAD_S (366LL * 24 * 3600)
/* The longest id of a topic, film, question or option. */
#define CONTENT_ID_MAX 24

/* Where a content error happened, for one clear log line. */
struct content_error {
	char message[768];   /* "FILE:LINE:COLUMN: what is wrong" */
};

/* A text in several languages: pairs of (language, text). */
struct content_i18n {
	char **langs;
	char **texts;
	size_t n;
};

struct content_language {
	char *code;
	bool complete;
};

struct content_topic {
	char *id;
	char *page;          /* relative to the content folder, without ".LANG.md" */
	char *film;          /* the id of the topic's film, or NULL */
	int minutes;         /* reading time */
	struct content_i18n title;
	struct content_i18n summary;
};

struct content_film {
	char *id;
	struct content_i18n title;
	char *file;                  /* relative to the media folder */
	char *still;                 /* relative to the media folder, or NULL */
	struct content_i18n subtitles; /* language → file relative to the media folder */
	int duration_s;              /* as content.json says; the player knows better */
};

/* ---- Surveys (survey.json) ---- */
enum survey_type {
	SURVEY_SCALE5, /* five faces with words, from worst (1) to best (5) */
	SURVEY_SINGLE, /* one option of several */
	SURVEY_MULTI,  /* any number of options */
	SURVEY_YESNO,  /* the options "yes" and "no" */
	SURVEY_TEXT,   /* a short free text, typed on the screen's keyboard */
};

struct survey_option {
	char *id;            /* stable across languages and versions: what is stored */
	struct content_i18n text;
};

struct survey_question {
	char *id;
	enum survey_type type;
	bool required;
	struct content_i18n text;
	struct content_i18n note;    /* e.g. "please enter no names"; may be empty */
	struct survey_option *options;
	size_t n_options;
	int max_length;              /* SURVEY_TEXT: characters (code points) at most */
};

struct survey {
	char *id;
	int64_t version;
	struct survey_question *questions;
	size_t n_questions;
};

/* Parses and checks a survey definition.  Every question and option needs
 * its text in each language of `languages` (NULL-terminated); a definition
 * that does not validate is refused naming the file (name) and question. */
enum content_err survey_parse(const char *json, size_t len, const char *name,
			      char *const *languages, struct survey **out,
			      struct content_error *err);
void survey_free(struct survey *s);
const struct survey_question *survey_question_find(const struct survey *s, const char *id);
const struct survey_option *survey_option_find(const struct survey_question *q, const char *id);

struct content {
	char *dir;           /* the content folder (absolute) */
	int format;
	int64_t version;
	struct content_language *languages;
	size_t n_languages;
	struct content_topic *topics;
	size_t n_topics;
	struct content_film *films;
	size_t n_films;
	char *media_dir;     /* films, stills, subtitles: DIR/media unless set otherwise */
	/* strings/LANG.json, one table per language of the content */
	struct content_i18n *strings; /* parallel to languages: key/value pairs */
	struct survey *survey;        /* NULL when the content has none */
	char *survey_json;            /* its exact text, kept with each response's version */
};

/* ---- Loading ---- */
/* Reads and checks DIR/content.json and DIR/strings/LANG.json.  On failure
 * *out is NULL and err says which file, line and column. */
enum content_err content_load(const char *dir, struct content **out, struct content_error *err);
void content_free(struct content *c);

bool content_has_language(const struct content *c, const char *lang);
const struct content_topic *content_topic_find(const struct content *c, const char *id);
const struct content_film *content_film_find(const struct content *c, const char *id);
/* An absolute path in the media folder for rel (a film, still or subtitle);
 * NULL for NULL.  Caller frees. */
char *content_media_path(const struct content *c, const char *rel);
/* Uses another media folder (the seed's, when the seed is shown directly). */
void content_set_media_dir(struct content *c, const char *dir);

/* The text in lang, else German, else the first there is.  *fell_back (if
 * given) tells whether lang was missing.  Borrowed from c (or static). */
const char *content_i18n_get(const struct content_i18n *t, const char *lang, bool *fell_back);

/* An interface string (strings/LANG.json) in lang, falling back to German
 * and then to the built-in German words, never to a blank or a key.
 * c may be NULL (no content could be loaded).  Borrowed. */
const char *content_string(const struct content *c, const char *lang, const char *key);

/* ---- Pages ---- */
enum page_block_kind {
	PAGE_BLOCK_HEADING,   /* level 1..3 */
	PAGE_BLOCK_PARAGRAPH, /* body text */
	PAGE_BLOCK_LIST_ITEM, /* a bullet or numbered item, with its depth */
	PAGE_BLOCK_QUOTE,     /* a quoted paragraph */
	PAGE_BLOCK_IMAGE,     /* a picture from the content folder, with its alt text */
	PAGE_BLOCK_RULE,      /* a thematic break */
};

enum page_span_style {
	PAGE_SPAN_BOLD = 1 << 0,
	PAGE_SPAN_ITALIC = 1 << 1,
	PAGE_SPAN_CODE = 1 << 2,
};

struct page_span {
	char *text;          /* UTF-8, never empty */
	unsigned style;      /* enum page_span_style bits */
};

struct page_block {
	enum page_block_kind kind;
	int level;           /* heading level, or list depth (1 = top) */
	int number;          /* list item number in an ordered list, else 0 */
	struct page_span *spans;
	size_t n_spans;
	char *image;         /* PAGE_BLOCK_IMAGE: absolute path of the picture */
};

struct page {
	char *lang;          /* the language of the text shown */
	bool fell_back;      /* true when it is the German text instead of the one asked */
	struct page_block *blocks;
	size_t n_blocks;
};

/* Parses Markdown text (UTF-8) into blocks; image paths are taken from
 * base_dir.  name is used in error messages. */
enum content_err page_parse(const char *markdown, size_t len, const char *base_dir,
			    const char *name, struct page **out, struct content_error *err);
/* Reads the page of a topic in lang, else German. */
enum content_err content_page_load(const struct content *c, const struct content_topic *t,
				   const char *lang, struct page **out, struct content_error *err);
void page_free(struct page *p);
/* All the text of a block, spans joined; caller frees. */
char *page_block_text(const struct page_block *b);

/* ---- Installing ---- */
/* Makes sure a content version is installed under DATA/content/ and named
 * in the database: at first start (or after the database was renewed) the
 * demo content from seed_dir and media_dir is copied into
 * DATA/content/VERSION/ via a staging folder, fsynced, renamed, and then
 * named in one transaction.  Folders that no version names are removed.
 * *dir (caller frees) is the installed folder in use. */
enum content_err content_install_seed(struct store *s, const char *data_dir, const char *seed_dir,
				      const char *media_dir, char **dir, struct content_error *err);
/* Installs the content folder src_dir (with the films, stills and subtitles
 * of media_dir) as DATA/content/VERSION/ via a staging folder, fsynced and
 * renamed, then names it in use in one transaction: the single moment of
 * change.  Nothing else is removed (a running kiosk still shows the version
 * before until it is home; unused folders go at the next start).  *dir
 * (caller frees) is the installed folder. */
enum content_err content_install_dir(struct store *s, const char *data_dir, const char *src_dir,
				     const char *media_dir, char **dir, struct content_error *err);
/* Where a bundle of version is streamed before it is installed:
 * DATA/content/VERSION.staging-PID, beside the installed versions (so the
 * switch is a rename on one file system).  Caller frees. */
char *content_staging_dir(const char *data_dir, int64_t version);
/* Installs a staged folder (content and its media/): checked as content,
 * its survey against the one kept with earlier answers, every folder
 * fsynced, renamed to DATA/content/VERSION, then named in use in one
 * transaction, the single moment of change.  Its content.json must say
 * version_expected (the bundle's).  The version in use before stays on
 * disk.  *dir (caller frees) is the installed folder. */
enum content_err content_install_staged(struct store *s, const char *data_dir, const char *staging,
					int64_t version_expected, char **dir,
					struct content_error *err);
/* The content version the database names in use, loaded, when it is not
 * the version shown (a running kiosk picking up what was installed or
 * rolled back beside it); *out is NULL when it is the same.  *out is the
 * caller's, freed with content_free(). */
enum content_err content_load_other(struct store *s, const char *data_dir, int64_t shown,
				    struct content **out, struct content_error *err);
/* Names the version kept from before the one in use (checked as content
 * first) in use again, in one transaction; *version is that version. */
enum content_err content_rollback(struct store *s, const char *data_dir, int64_t *version,
				  struct content_error *err);
/* A lock on DATA/content: an import holds it shared (waiting for it) while
 * its staging folder exists; the start-up clean-up tries it exclusive and
 * skips when it cannot have it.  A descriptor, or -1; content_unlock(). */
int content_lock(const char *data_dir, bool exclusive);
void content_unlock(int fd);
/* The folder of an installed version: DATA/content/VERSION.  Caller frees. */
char *content_version_dir(const char *data_dir, int64_t version);

#endif
