/* The proof sheet (issue 11): every screen of a content source, in every
 * one of its languages, at a landscape and an upright screen size, drawn
 * offscreen into PNGs with an index.html contact sheet, so that the people
 * who write content see the whole bundle before it is signed for fifty
 * kiosks.
 *
 * It is the kiosk itself, not a look-alike: the model is driven with the
 * events a finger would give (model_activate, model_back), the UI lays out
 * and draws each screen in its one frame (ui_frame) and writes it with the
 * script's screenshot (ui_screenshot).  What differs from a resident's
 * kiosk is only what must not happen here: no database (nothing is stored;
 * an in-memory one takes the answers only when a question must be answered
 * to get on), no libvlc (films are not played; their list shows stills), a
 * clock that stands still (nothing times out while the pictures are made).
 */
#include "ui_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/content.h"
#include "kiosk/store.h"

#define LOG_MODULE "proof"

/* The screen sizes every content is proofed at: landscape and upright. */
static const struct {
	int w, h;
} proof_sizes[] = {{1920, 1080}, {1080, 1920}};

/* One PNG of the sheet. */
struct proof_shot {
	char *rel;        /* its path below the out folder */
	char *lang;       /* the language drawn */
	int size;         /* index into proof_sizes */
	char *caption;    /* number, screen, what it shows, screenful */
};

struct proof {
	const struct ui_proof_options *opts;
	const struct content *c; /* borrowed from the model, which owns it */
	struct model *m;
	struct ui *u;          /* the window of the size being drawn */
	const char *lang;      /* the language being drawn */
	int size;
	int seq_width;         /* digits of a screen's number, so that names sort */
	struct proof_shot *shots;
	size_t n_shots, cap_shots;
	char **notes;          /* what an editor should know (strv) */
	size_t n_notes;
	char **lang_names;     /* each language named in itself, parallel to c->languages */
	bool *lang_rtl;        /* … and whether it reads right to left */
};

static void note(struct proof *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct proof *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	LOG_WARN("%s", s);
	p->notes = xrealloc(p->notes, (p->n_notes + 2) * sizeof *p->notes);
	p->notes[p->n_notes++] = s;
	p->notes[p->n_notes] = NULL;
}

/* ---- Before anything is written: the source as a kiosk would read it ---- */

/* Every page of every language parses; a language marked complete that
 * lacks a page, and a film, still or subtitle that is not there, are noted
 * (the kiosk shows German, or the film's title without its picture, where
 * kioskctl bundle create refuses). */
static int check_source(struct proof *p)
{
	const struct content *c = p->c;
	struct content_error err;
	for (size_t t = 0; t < c->n_topics; t++)
		for (size_t l = 0; l < c->n_languages; l++) {
			struct page *page = NULL;
			if (content_page_load(c, &c->topics[t], c->languages[l].code, &page, &err) !=
			    CONTENT_OK) {
				LOG_ERR("%s", err.message);
				return KIOSK_EXIT_REJECTED;
			}
			if (page->fell_back && c->languages[l].complete)
				note(p, "topic %s has no page in %s, which is marked complete: the "
				     "kiosk shows the German page with a note, and a bundle made "
				     "from here would be refused (mark %s partial, or add the page)",
				     c->topics[t].id, c->languages[l].code, c->languages[l].code);
			page_free(page);
		}
	for (size_t i = 0; i < c->n_films; i++) {
		const struct content_film *f = &c->films[i];
		char *missing = NULL;
		size_t len = 0;
		FILE *list = open_memstream(&missing, &len);
		if (!list)
			abort();
		for (size_t k = 0; k < 2 + f->subtitles.n; k++) {
			const char *rel = k == 0 ? f->file : k == 1 ? f->still : f->subtitles.texts[k - 2];
			if (!rel)
				continue;
			char *path = content_media_path(c, rel);
			int rc = file_check_regular_inside(path);
			if (rc)
				fprintf(list, "%s%s%s%s", ftell(list) ? ", " : "", rel,
					rc == -ENOENT ? "" : ": ", rc == -ENOENT ? "" : file_read_strerror(rc));
			free(path);
		}
		fclose(list);
		if (len)
			note(p, "film %s: not in the media folder %s (a bundle made from here would be "
			     "refused): %s", f->id, c->media_dir, missing);
		free(missing);
	}
	return KIOSK_EXIT_OK;
}

/* The out folder is new or empty: a proof never mixes with older pictures,
 * and never removes anybody's files. */
static int prepare_out(const char *out)
{
	DIR *d = opendir(out);
	if (!d) {
		if (errno != ENOENT) {
			LOG_ERR("%s: %s", out, strerror(errno));
			return KIOSK_EXIT_USAGE;
		}
		int rc = path_mkdirs(out, 0755);
		if (rc) {
			LOG_ERR("%s: cannot create the folder: %s", out, strerror(-rc));
			return KIOSK_EXIT_RUNTIME;
		}
		return KIOSK_EXIT_OK;
	}
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	if (!empty) {
		LOG_ERR("%s: not empty; give a new folder for the proof (or remove the old one)", out);
		return KIOSK_EXIT_USAGE;
	}
	return KIOSK_EXIT_OK;
}

/* path as the editor would write it: absolute, without "..", links
 * resolved, where it exists. */
static char *absolute(const char *path)
{
	char *real = realpath(path, NULL);
	return real ? real : path_resolve("", path);
}

/* The films, stills and subtitles: named, else beside the source (as
 * kioskctl bundle create takes them), else this kiosk's own. */
static char *media_folder(const struct config *cfg, const struct ui_proof_options *o)
{
	if (o->media_dir)
		return absolute(o->media_dir);
	char *rel = path_join(o->src, "../media");
	char *beside = absolute(rel);
	free(rel);
	if (path_is_dir(beside))
		return beside;
	free(beside);
	return xstrdup(cfg->media_dir);
}

/* ---- Drawing ---- */

/* A finger's tap on id, without the finger: the model's event, then the
 * frame.  False (noted) when it did not lead to the screen expected. */
static bool go(struct proof *p, const char *id, enum model_screen want)
{
	if (model_screen(p->m) == want && strcmp(id, "nav.home") == 0)
		return true;
	model_activate(p->m, id, clock_now_ms());
	ui_frame(p->u);
	if (model_screen(p->m) == want)
		return true;
	note(p, "%s %dx%d: %s led to the %s screen, not to %s", p->lang,
	     proof_sizes[p->size].w, proof_sizes[p->size].h, id,
	     model_screen_name(model_screen(p->m)), model_screen_name(want));
	return false;
}

static void add_shot(struct proof *p, char *rel, char *caption)
{
	if (p->n_shots == p->cap_shots) {
		p->cap_shots = p->cap_shots ? p->cap_shots * 2 : 64;
		p->shots = xrealloc(p->shots, p->cap_shots * sizeof *p->shots);
	}
	p->shots[p->n_shots++] = (struct proof_shot){
		.rel = rel, .lang = xstrdup(p->lang), .size = p->size, .caption = caption};
}

static int digits(size_t n)
{
	int d = 1;
	while (n >= 10)
		n /= 10, d++;
	return d;
}

/* The screen now, scrolled through: a picture per screenful until its end.
 * A screenful moves on by 80 % of the viewport, as Page Down does, so a
 * line cut at the bottom of one picture is whole in the next.  seq (the
 * screen's place in the proof), name and id go into the file's name
 * (screenfuls numbered in as many digits as the last needs, so that they
 * sort); what is the screen's caption. */
static int shoot(struct proof *p, int seq, const char *name, const char *id, const char *what)
{
	struct ui *u = p->u;
	ui_frame(u);
	int max = layout_max_scroll(u);
	int step = u->layout.viewport.h * 8 / 10;
	if (step < 1)
		step = 1;
	int count = 1 + (max + step - 1) / step;
	for (int k = 1; k <= count; k++) {
		int y = (k - 1) * step < max ? (k - 1) * step : max;
		u->scroll = y;
		ui_damage_all(u);
		ui_frame(u);
		char *rel = xasprintf("%s/%dx%d/%0*d-%s%s%s-%0*d.png", p->lang, proof_sizes[p->size].w,
				      proof_sizes[p->size].h, p->seq_width, seq, name, id ? "-" : "",
				      id ? id : "", digits((size_t)count), k);
		char *path = path_join(p->opts->out_dir, rel);
		char *dir = path_dirname(path);
		int rc = path_mkdirs(dir, 0755);
		if (rc)
			LOG_ERR("%s: cannot create the folder: %s", dir, strerror(-rc));
		else
			rc = ui_screenshot(u, path);
		free(dir);
		free(path);
		if (rc) {
			free(rel);
			return KIOSK_EXIT_RUNTIME;
		}
		char *caption = count > 1 ? xasprintf("%0*d %s (%d/%d)", p->seq_width, seq, what, k,
						      count)
					  : xasprintf("%0*d %s", p->seq_width, seq, what);
		add_shot(p, rel, caption);
	}
	u->scroll = 0;
	ui_damage_all(u);
	ui_frame(u);
	return KIOSK_EXIT_OK;
}

/* Gets past a question that must be answered: the first option, or a word
 * typed.  The picture was taken before, unanswered, as a resident sees it. */
static void answer_if_required(struct proof *p, const struct survey_question *q)
{
	if (!q->required)
		return;
	if (q->type == SURVEY_TEXT) {
		model_type_text(p->m, "Proof", clock_now_ms());
	} else if (q->n_options) {
		char id[128];
		snprintf(id, sizeof id, "survey.%s.%s", q->id, q->options[0].id);
		model_activate(p->m, id, clock_now_ms());
	}
	ui_frame(p->u);
}

static const char *tree_label(const struct model_tree *t, const char *id)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].id, id) == 0)
			return t->nodes[i].label;
	return NULL;
}

/* One language at one size: home, the guide, each page, the films, each
 * question of the survey and its thanks, numbered by their place in the
 * content (a screen that cannot be reached is noted and leaves its number
 * out). */
static int proof_language(struct proof *p, size_t l)
{
	const struct content *c = p->c;
	const char *lang = p->lang;
	const int guide = 2, first_page = 3, films = first_page + (int)c->n_topics;
	const int first_question = films + 1;
	char id[128];
	int rc = KIOSK_EXIT_OK;
	go(p, "nav.home", MODEL_SCREEN_HOME);
	snprintf(id, sizeof id, "lang.%s", lang);
	model_activate(p->m, id, clock_now_ms());
	ui_frame(p->u);
	if (strcmp(model_language(p->m), lang) != 0) {
		note(p, "%s: the kiosk does not offer this language", lang);
		return KIOSK_EXIT_OK;
	}
	if (!p->lang_names[l]) {
		const char *name = tree_label(p->u->tree, id);
		if (!name)
			note(p, "%s: the language bar has no button for it, so residents cannot choose "
			     "it (the kiosk names the languages it knows in themselves)", lang);
		p->lang_names[l] = xstrdup(name ? name : lang);
		p->lang_rtl[l] = p->u->tree->rtl;
	}
	rc = shoot(p, 1, "home", NULL, "home");
	if (rc == KIOSK_EXIT_OK && go(p, "home.guide", MODEL_SCREEN_GUIDE))
		rc = shoot(p, guide, "guide", NULL, "guide");
	for (size_t t = 0; rc == KIOSK_EXIT_OK && t < c->n_topics; t++) {
		const struct content_topic *topic = &c->topics[t];
		if (model_screen(p->m) != MODEL_SCREEN_GUIDE &&
		    !(go(p, "nav.home", MODEL_SCREEN_HOME) && go(p, "home.guide", MODEL_SCREEN_GUIDE)))
			break;
		snprintf(id, sizeof id, "guide.%s", topic->id);
		if (!go(p, id, MODEL_SCREEN_PAGE))
			continue;
		char *what = xasprintf("page %s: %s", topic->id,
				       content_i18n_get(&topic->title, lang, NULL));
		rc = shoot(p, first_page + (int)t, "page", topic->id, what);
		free(what);
		model_back(p->m, clock_now_ms());
		ui_frame(p->u);
	}
	if (rc == KIOSK_EXIT_OK && go(p, "nav.home", MODEL_SCREEN_HOME) &&
	    go(p, "home.films", MODEL_SCREEN_FILMS))
		rc = shoot(p, films, "films", NULL, "films");
	if (rc == KIOSK_EXIT_OK && go(p, "nav.home", MODEL_SCREEN_HOME) &&
	    go(p, "home.survey", MODEL_SCREEN_SURVEY)) {
		const struct survey *s = c->survey;
		if (!s)
			rc = shoot(p, first_question, "survey", NULL, "survey");
		for (size_t q = 0; s && rc == KIOSK_EXIT_OK && q < s->n_questions; q++) {
			const struct survey_question *question = &s->questions[q];
			char *what = xasprintf("survey %s: %s", question->id,
					       content_i18n_get(&question->text, lang, NULL));
			rc = shoot(p, first_question + (int)q, "survey", question->id, what);
			free(what);
			if (rc != KIOSK_EXIT_OK)
				break;
			answer_if_required(p, question);
			bool last = q + 1 == s->n_questions;
			if (!go(p, last ? "survey.submit" : "survey.next",
				last ? MODEL_SCREEN_THANKS : MODEL_SCREEN_SURVEY))
				break;
			if (last)
				rc = shoot(p, first_question + (int)q + 1, "thanks", NULL, "thanks");
		}
	}
	return rc;
}

/* ---- The contact sheet ---- */

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

static const char sheet_css[] =
	"body{font-family:'Noto Sans',sans-serif;background:#F6F4EF;color:#1A1D21;margin:2rem}"
	"h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:3px solid #0B4F6C}"
	"h3{color:#4B5259}"
	".sheet{display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr))}"
	".sheet.upright{grid-template-columns:repeat(auto-fill,minmax(10rem,1fr))}"
	"figure{margin:0;background:#fff;border:1px solid #767676;padding:.4rem}"
	"img{display:block;width:100%;height:auto}"
	"figcaption{font-size:.85rem;margin-top:.3rem;overflow-wrap:anywhere}"
	".notes{background:#fff;border-left:6px solid #8C3B0B;padding:.5rem 1.5rem}";

static int write_sheet(struct proof *p, const char *src_dir, const char *media_dir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		abort();
	const struct content *c = p->c;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"generator\" content=\"kiosk --proof\">\n"
		   "<title>Proof: content version %lld</title>\n<style>%s</style>\n</head>\n<body>\n",
		(long long)c->version, sheet_css);
	fprintf(f, "<h1>Proof sheet: content version %lld</h1>\n<p>Content: ",
		(long long)c->version);
	html_text(f, src_dir);
	fputs("<br>Media: ", f);
	html_text(f, media_dir);
	fprintf(f, "<br>%zu pictures: %zu languages at ", p->n_shots, c->n_languages);
	for (size_t s = 0; s < sizeof proof_sizes / sizeof proof_sizes[0]; s++)
		fprintf(f, "%s%dx%d", s ? " and " : "", proof_sizes[s].w, proof_sizes[s].h);
	fputs(". Films are not played here: their list shows the stills.</p>\n", f);
	if (p->n_notes) {
		fputs("<div class=\"notes\"><h2>Worth a look</h2>\n<ul>\n", f);
		for (size_t i = 0; i < p->n_notes; i++) {
			fputs("<li>", f);
			html_text(f, p->notes[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul></div>\n", f);
	}
	for (size_t l = 0; l < c->n_languages; l++) {
		const char *code = c->languages[l].code;
		fprintf(f, "<section lang=\"%s\"%s>\n<h2>", code,
			p->lang_rtl[l] ? " dir=\"rtl\"" : "");
		html_text(f, p->lang_names[l] ? p->lang_names[l] : code);
		fprintf(f, " (%s)%s</h2>\n", code, c->languages[l].complete ? "" : ", partial");
		for (size_t s = 0; s < sizeof proof_sizes / sizeof proof_sizes[0]; s++) {
			int w = proof_sizes[s].w, h = proof_sizes[s].h;
			fprintf(f, "<h3>%dx%d</h3>\n<div class=\"sheet%s\">\n", w, h,
				h > w ? " upright" : "");
			for (size_t i = 0; i < p->n_shots; i++) {
				const struct proof_shot *sh = &p->shots[i];
				if ((size_t)sh->size != s || strcmp(sh->lang, code) != 0)
					continue;
				fputs("<figure><a href=\"", f);
				html_text(f, sh->rel);
				fprintf(f, "\" title=\"content version %lld, %s, %dx%d: ",
					(long long)c->version, code, w, h);
				html_text(f, sh->caption);
				fputs("\"><img src=\"", f);
				html_text(f, sh->rel);
				fprintf(f, "\" width=\"%d\" height=\"%d\" loading=\"lazy\" alt=\"", w, h);
				html_text(f, sh->caption);
				fputs("\"></a><figcaption>", f);
				html_text(f, sh->caption);
				fputs("</figcaption></figure>\n", f);
			}
			fputs("</div>\n", f);
		}
		fputs("</section>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	fclose(f);
	char *path = path_join(p->opts->out_dir, "index.html");
	int rc = file_write_atomic(path, buf, len, 0644);
	if (rc)
		LOG_ERR("%s: cannot be written: %s", path, strerror(rc < 0 ? -rc : rc));
	free(path);
	free(buf);
	return rc ? KIOSK_EXIT_RUNTIME : KIOSK_EXIT_OK;
}

static void proof_free(struct proof *p)
{
	for (size_t i = 0; i < p->n_shots; i++) {
		free(p->shots[i].rel);
		free(p->shots[i].lang);
		free(p->shots[i].caption);
	}
	free(p->shots);
	strv_free(p->notes);
	if (p->c)
		for (size_t l = 0; l < p->c->n_languages; l++)
			free(p->lang_names[l]);
	free(p->lang_names);
	free(p->lang_rtl);
}

int ui_proof(const struct config *cfg, const struct ui_proof_options *opts)
{
	struct proof p = {.opts = opts};
	struct content *content = NULL;
	struct content_error err;
	struct store *store = NULL;
	char **langs = NULL;
	char *src_dir = NULL, *media_dir = NULL;
	int rc = KIOSK_EXIT_REJECTED;
	/* The clock stands still: nothing times out while the pictures are made. */
	clock_use_virtual();
	if (content_load(opts->src, &content, &err) != CONTENT_OK) {
		LOG_ERR("%s", err.message);
		goto out;
	}
	src_dir = absolute(opts->src);
	media_dir = media_folder(cfg, opts);
	content_set_media_dir(content, media_dir);
	p.c = content;
	p.lang_names = xcalloc(content->n_languages, sizeof *p.lang_names);
	p.lang_rtl = xcalloc(content->n_languages, sizeof *p.lang_rtl);
	rc = check_source(&p);
	if (rc == KIOSK_EXIT_OK)
		rc = prepare_out(opts->out_dir);
	if (rc != KIOSK_EXIT_OK)
		goto out;
	LOG_INFO("proofing content version %lld from %s (media: %s) into %s",
		 (long long)content->version, src_dir, media_dir, opts->out_dir);

	/* Only a survey that must be answered to get on needs somewhere to put
	 * the answers on its way to the thanks; an in-memory database takes
	 * them and is gone at the end. */
	bool required = false;
	for (size_t q = 0; content->survey && q < content->survey->n_questions; q++)
		required |= content->survey->questions[q].required;
	if (required && store_open(":memory:", STORE_OPEN_EXISTING, &store) != STORE_OK) {
		rc = KIOSK_EXIT_RUNTIME;
		goto out;
	}
	langs = xcalloc(content->n_languages + 1, sizeof *langs);
	for (size_t l = 0; l < content->n_languages; l++)
		langs[l] = xstrdup(content->languages[l].code);
	/* As a resident first meets it: normal text size and contrast, no
	 * speech mode (where a first tap only speaks). */
	struct model_settings settings = {
		.languages = langs,
		.default_language = "de",
		.idle_timeout_s = cfg->idle_timeout,
		.idle_warning_s = cfg->idle_warning,
		.text_scale = 100,
		.subtitles = true,
		.store = store,
		.kiosk_id = "proof",
	};
	p.m = model_new(&settings, content, clock_now_ms()); /* owns the content from here */
	content = NULL;

	size_t per_language = 4 + p.c->n_topics + (p.c->survey ? p.c->survey->n_questions : 0);
	p.seq_width = digits(per_language) < 2 ? 2 : digits(per_language);
	/* No kiosk id: nothing is synced from here either. */
	const struct ui_options ui_opts = {.headless = true, .kiosk_id = NULL};
	for (size_t s = 0; rc == KIOSK_EXIT_OK && s < sizeof proof_sizes / sizeof proof_sizes[0];
	     s++) {
		struct config at = *cfg; /* borrowed strings; only the screen differs */
		at.width = proof_sizes[s].w;
		at.height = proof_sizes[s].h;
		at.fullscreen = false;
		at.low_reach = false;
		at.renderer = CONFIG_RENDERER_SOFTWARE;
		at.data_dir = NULL;   /* nothing is installed from here, */
		at.usb_roots = NULL;  /* and no stick is watched */
		struct ui u = {.cfg = &at, .opts = &ui_opts, .model = p.m, .w = at.width,
			       .h = at.height, .no_media = true,
			       .fast_png = true};
		p.u = &u;
		p.size = (int)s;
		if (ui_open(&u) != 0)
			rc = KIOSK_EXIT_RUNTIME;
		for (size_t l = 0; rc == KIOSK_EXIT_OK && l < p.c->n_languages; l++) {
			p.lang = p.c->languages[l].code;
			rc = proof_language(&p, l);
		}
		ui_close(&u);
		p.u = NULL;
	}
	if (rc == KIOSK_EXIT_OK)
		rc = write_sheet(&p, src_dir, media_dir);
	if (rc == KIOSK_EXIT_OK)
		LOG_INFO("%zu pictures and %s/index.html written%s", p.n_shots, opts->out_dir,
			 p.n_notes ? "; see its notes" : "");
out:
	proof_free(&p);
	model_free(p.m);
	content_free(content);
	store_close(store);
	strv_free(langs);
	free(src_dir);
	free(media_dir);
	return rc;
}
