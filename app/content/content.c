/* content: reading and checking content.json and the interface strings. */
#include "kiosk/content.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content_int.h"
#include "kiosk/core.h"

#define LOG_MODULE "content"

/* The words the kiosk needs even when no content could be read at all, so
 * that a broken folder still leaves a usable, German screen. */
static const char *const builtin_de[][2] = {
	{"lang.name", "Deutsch"},
	{"app.title", "Digitale Kommune"},
	{"home.welcome", "Willkommen!"},
	{"home.intro", "Hier erfahren Sie, wie eine Kommune digital wird – für alle."},
	{"home.guide", "Ratgeber"},
	{"home.guide.sub", "Themen zum Lesen"},
	{"home.films", "Filme"},
	{"home.films.sub", "Kurze Infofilme"},
	{"home.survey", "Umfrage"},
	{"home.survey.sub", "Sagen Sie uns Ihre Meinung"},
	{"nav.back", "Zurück"},
	{"nav.home", "Start"},
	{"a11y.text", "Schrift"},
	{"a11y.contrast", "Kontrast"},
	{"a11y.speak", "Vorlesen"},
	{"guide.title", "Ratgeber"},
	{"guide.minutes", "{n} Min. Lesezeit"},
	{"guide.empty", "Zurzeit sind keine Themen verfügbar."},
	{"films.title", "Filme"},
	{"survey.title", "Umfrage"},
	{"soon.title", "Bald verfügbar"},
	{"soon.text", "Dieser Bereich kommt mit einer der nächsten Aktualisierungen."},
	{"idle.title", "Sind Sie noch da?"},
	{"idle.text", "Ohne Berührung beginnt der Bildschirm in {n} Sekunden von vorn."},
	{"idle.more-time", "Ich brauche mehr Zeit"},
	{"fallback.note", "Dieser Text ist noch nicht in Ihrer Sprache verfügbar."},
	{"page.end", "Ende des Textes"},
	{"page.error", "Diese Seite kann gerade nicht angezeigt werden."},
	{"oos.title", "Vorübergehend außer Betrieb"},
	{"oos.text", "Bitte wenden Sie sich an das Personal."},
	{"survey.progress", "Frage {n} von {total}"},
	{"survey.back", "Zurück"},
	{"survey.next", "Weiter"},
	{"survey.submit", "Absenden"},
	{"survey.error", "Ihre Antworten konnten gerade nicht gespeichert werden. Bitte versuchen Sie es noch einmal oder sagen Sie dem Personal Bescheid."},
	{"survey.chars-left", "Noch {n} Zeichen"},
	{"kbd.shift", "Groß"},
	{"kbd.backspace", "Löschen"},
	{"kbd.space", "Leerzeichen"},
	{"films.duration", "{time} Min."},
	{"page.film", "Film ansehen"},
	{"player.play", "Abspielen"},
	{"player.pause", "Pause"},
	{"player.rewind", "10 s zurück"},
	{"player.forward", "10 s vor"},
	{"player.seek", "Stelle im Film"},
	{"player.subtitles", "Untertitel"},
	{"player.volume", "Lautstärke"},
	{"player.next", "Nächster Film"},
	{"player.error", "Dieser Film kann gerade nicht abgespielt werden. Bitte wählen Sie einen anderen Film oder sagen Sie dem Personal Bescheid."},
	{"speech.digit", "Ziffer"},
	{"speech.selected", ", ausgewählt"},
	{"thanks.title", "Vielen Dank!"},
	{"thanks.text", "Ihre Antworten sind gespeichert – ohne Namen und ohne genaue Uhrzeit. Der Bildschirm kehrt gleich zum Start zurück."},
	{"import.title", "Neue Inhalte vom USB-Stick"},
	{"import.checking.title", "Das Inhaltspaket wird geprüft …"},
	{"import.checking.text", "Signatur und Inhalt werden kontrolliert. Das dauert nur einen Moment."},
	{"import.ready", "Bereit zur Installation"},
	{"import.refused", "Dieses Paket wird hier nicht installiert"},
	{"import.summary", "Version {new}, signiert von „{signer}“. Jetzt in Betrieb: Version {old}."},
	{"import.same", "Themen, Filme und Umfrage bleiben gleich."},
	{"import.topics", "Themen"},
	{"import.films", "Filme"},
	{"import.survey", "Umfrage"},
	{"import.languages", "Sprachen"},
	{"import.languages.all", "Sprachen im Paket: {list}"},
	{"import.added", "Neu"},
	{"import.changed", "Geändert"},
	{"import.removed", "Entfällt"},
	{"import.install", "Installieren"},
	{"import.cancel", "Abbrechen"},
	{"import.installing", "Inhalte werden installiert"},
	{"import.checking", "Prüfen …"},
	{"import.copying", "Kopieren und prüfen: {n} %"},
	{"import.switching", "Umschalten …"},
	{"import.keep", "Bitte den USB-Stick jetzt nicht abziehen."},
	{"import.done.title", "Fertig"},
	{"import.done.text", "Version {version} ist installiert und wird ab sofort gezeigt. Sie können den USB-Stick jetzt abziehen."},
	{"import.done", "Zur Startseite"},
	{"import.failed", "Das hat nicht geklappt"},
	{"import.stopped", "Abgebrochen"},
	{"import.nothing", "Es wurde nichts verändert: Der Kiosk zeigt weiter die bisherigen Inhalte."},
	{"import.err.stick", "Der USB-Stick wurde während der Installation abgezogen. Stecken Sie ihn wieder ein, um es noch einmal zu versuchen."},
	{"import.err.signer", "Dieses Paket ist nicht mit einem Schlüssel signiert, dem dieser Kiosk vertraut. Verwenden Sie nur Pakete, die Ihre Verwaltung erstellt hat, oder wenden Sie sich an die IT."},
	{"import.err.changed", "Das Paket wurde nach dem Signieren verändert oder ist beschädigt. Kopieren Sie es erneut von der Quelle auf den Stick."},
	{"import.err.refused", "Dieses Paket ist nicht neuer als die Inhalte in Betrieb, oder es braucht eine neuere Kiosk-Version. Fragen Sie nach einem aktuellen Paket."},
	{"import.err.io", "Der Stick oder der Speicher des Kiosks konnte nicht gelesen oder beschrieben werden. Versuchen Sie es noch einmal; hilft das nicht, wenden Sie sich an die IT."},
	{"import.err.format", "Diese Datei ist kein gültiges Inhaltspaket. Erstellen Sie das Paket neu oder wenden Sie sich an die IT."},
	{"import.err.cancelled", "Die Installation wurde abgebrochen."},
	{"pin.title", "Verwaltung"},
	{"pin.heading", "PIN eingeben"},
	{"pin.wrong", "Diese PIN stimmt nicht. Bitte noch einmal."},
	{"pin.short", "Eine PIN hat mindestens 4 Ziffern."},
	{"pin.locked", "Zu viele falsche Versuche: Die Eingabe ist für {n} Min. gesperrt."},
	{"pin.checking", "PIN wird geprüft …"},
	{"pin.delete", "Löschen"},
	{"pin.ok", "OK"},
	{"admin.title", "Verwaltung"},
	{"admin.kiosk", "Kiosk"},
	{"admin.app", "Version"},
	{"admin.content", "Inhalte"},
	{"admin.languages", "Sprachen"},
	{"admin.responses", "Antworten"},
	{"admin.responses.counts", "{total} gespeichert, {pending} warten auf Versand, {sent} gesendet"},
	{"admin.last-sync", "Letzter Versand"},
	{"admin.sync.off", "kein Server eingerichtet"},
	{"admin.sync.never", "noch nie"},
	{"admin.sync-error", "Letzter Fehler"},
	{"admin.disk", "Freier Speicher"},
	{"admin.database", "Datenbank"},
	{"admin.database.ok", "in Ordnung"},
	{"admin.database.none", "nicht verfügbar – Antworten können nicht gespeichert werden"},
	{"admin.database.recovered", "war beschädigt und wurde ersetzt; die alte Datei liegt unter {file}"},
	{"admin.sync", "Jetzt senden"},
	{"admin.sync.running", "Antworten werden gesendet …"},
	{"admin.sync.done", "Gesendet: {n} Antworten."},
	{"admin.sync.failed", "Senden nicht möglich"},
	{"admin.import", "Inhalte vom USB-Stick"},
	{"admin.import.none", "Auf keinem USB-Stick wurde ein Inhaltspaket (.kiosk) gefunden."},
	{"admin.close", "Schließen"},
	{"admin.export", "Auf USB-Stick exportieren"},
	{"admin.export.measure", "Export: Platz auf dem Stick wird geprüft …"},
	{"admin.export.write", "Export läuft: Datei {n} von {total} …"},
	{"admin.export.finish", "Export wird abgeschlossen …"},
	{"admin.export.nostick", "Kein USB-Stick gefunden. Bitte einen Stick einstecken und erneut tippen."},
	{"admin.export.choose", "Mehrere USB-Sticks gefunden: Auf welchen soll exportiert werden?"},
	{"admin.export.done", "Gespeichert im Ordner {folder}. Sie können den USB-Stick jetzt abziehen."},
	{"admin.export.gone", "Der USB-Stick wurde während des Exports abgezogen. Es wurde nichts Unvollständiges gespeichert. Stecken Sie ihn wieder ein und tippen Sie erneut auf „Auf USB-Stick exportieren“."},
	{"admin.export.full", "Auf dem USB-Stick ist nicht genug Platz; es wurde nichts geschrieben."},
	{"admin.export.failed", "Der Export ist nicht gelungen; es wurde nichts Unvollständiges gespeichert."},
	{"admin.exit", "Kiosk beenden"},
	{"admin.exit.ask", "Wirklich beenden? Danach ist das System zu sehen, bis der Kiosk neu gestartet wird."},
	{"admin.exit.confirm", "Ja, Kiosk beenden"},
	{"admin.exit.no", "Nicht beenden"},
};

const char *content_strerror(enum content_err err)
{
	switch (err) {
	case CONTENT_OK: return "ok";
	case CONTENT_ERR_IO: return "a content file could not be read or written";
	case CONTENT_ERR_JSON: return "a content file is not valid JSON";
	case CONTENT_ERR_SCHEMA: return "content.json does not describe valid content";
	case CONTENT_ERR_UTF8: return "a content file is not valid UTF-8";
	case CONTENT_ERR_PAGE: return "a page cannot be shown";
	case CONTENT_ERR_MISSING: return "a content file is missing";
	case CONTENT_ERR_STORE: return "the database refused the content install";
	}
	return "unknown error";
}

enum content_err content_fail(struct content_error *err, enum content_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return code;
}

void i18n_free(struct content_i18n *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->langs[i]);
		free(t->texts[i]);
	}
	free(t->langs);
	free(t->texts);
	memset(t, 0, sizeof *t);
}

void i18n_add(struct content_i18n *t, const char *lang, const char *text)
{
	t->langs = xrealloc(t->langs, (t->n + 1) * sizeof *t->langs);
	t->texts = xrealloc(t->texts, (t->n + 1) * sizeof *t->texts);
	t->langs[t->n] = xstrdup(lang);
	t->texts[t->n] = xstrdup(text);
	t->n++;
}

enum content_err read_capped(const char *path, size_t cap, char **text, size_t *len,
			     struct content_error *err)
{
	/* Nothing named by content is read from outside its folder. */
	int rc = file_check_regular_inside(path);
	if (rc == 0)
		rc = file_read_capped(path, cap, text, len);
	if (rc == -ENOENT)
		return content_fail(err, CONTENT_ERR_MISSING, "%s: missing", path);
	if (rc == -EFBIG)
		return content_fail(err, CONTENT_ERR_IO, "%s: larger than the %zu KiB such a file "
				    "may have; refused before reading it", path, cap / 1024);
	if (rc)
		return content_fail(err, CONTENT_ERR_IO, "%s: %s", path, file_read_strerror(rc));
	return CONTENT_OK;
}

/* Reads a JSON file, refusing bytes that are not UTF-8 with a clear message. */
enum content_err read_json(const char *path, size_t cap, json_t **out, struct content_error *err)
{
	char *text;
	size_t len;
	enum content_err e = read_capped(path, cap, &text, &len, err);
	if (e)
		return e;
	if (!utf8_valid(text, len)) {
		free(text);
		return content_fail(err, CONTENT_ERR_UTF8, "%s: not valid UTF-8", path);
	}
	json_error_t je;
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!*out)
		return content_fail(err, CONTENT_ERR_JSON, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	return CONTENT_OK;
}

bool valid_id(const char *s)
{
	/* 24 at most, so that a widget id such as survey.QUESTION.OPTION fits
	 * its 64 bytes and two ids never end up the same when cut short. */
	if (!*s || strlen(s) > CONTENT_ID_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

bool valid_lang(const char *s)
{
	/* BCP 47's shape, lower case: a primary language of 2-3 letters, then
	 * subtags of 1-8 letters or digits ("de", "de-x-ls"); a code names files
	 * (strings/LANG.json, pages/TOPIC.LANG.md), so nothing else passes. */
	size_t n = 0;
	while (s[n] >= 'a' && s[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return false;
	for (const char *p = s + n; *p;) {
		if (*p++ != '-')
			return false;
		size_t k = 0;
		while ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9'))
			k++;
		if (k < 1 || k > 8)
			return false;
		p += k;
	}
	return strlen(s) <= 35;
}

/* A relative path that stays inside its folder. */
static bool safe_relative(const char *p)
{
	if (!*p || p[0] == '/' || strstr(p, "..") || strchr(p, '\\'))
		return false;
	return true;
}

enum content_err read_i18n(json_t *obj, const char *where, const char *path,
				  struct content_i18n *out, struct content_error *err)
{
	if (!json_is_object(obj) || json_object_size(obj) == 0)
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: %s: expected an object of language: text",
			    path, where);
	const char *lang;
	json_t *v;
	json_object_foreach(obj, lang, v) {
		if (!valid_lang(lang))
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: %s: '%.40s' is no language code "
					    "(like de, en or de-x-ls)", path, where, lang);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: %s.%s: expected a non-empty text",
				    path, where, lang);
		if (json_string_length(v) > CONTENT_CAP_TEXT)
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: %s.%s: %zu bytes, but a text "
					    "here has at most %d", path, where, lang,
					    json_string_length(v), CONTENT_CAP_TEXT);
		i18n_add(out, lang, json_string_value(v));
	}
	return CONTENT_OK;
}

static enum content_err read_film(json_t *jf, size_t index, const char *path,
				  struct content_film *f, struct content_error *err)
{
	const char *id = json_string_value(json_object_get(jf, "id"));
	const char *file = json_string_value(json_object_get(jf, "file"));
	const char *still = json_string_value(json_object_get(jf, "still"));
	json_t *duration = json_object_get(jf, "duration_s");
	if (!id || !valid_id(id))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: films[%zu].id: expected lowercase "
				    "letters, digits and '-'", path, index);
	f->id = xstrdup(id);
	if (!file || !safe_relative(file))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: film %s: file must be a relative "
				    "path inside the media folder", path, id);
	if (json_object_get(jf, "still") && (!still || !safe_relative(still)))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: film %s: still must be a relative "
				    "path inside the media folder", path, id);
	if (!json_is_integer(duration) || json_integer_value(duration) < 1 ||
	    json_integer_value(duration) > 4 * 3600)
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: film %s: duration_s: expected "
				    "seconds", path, id);
	f->file = xstrdup(file);
	f->still = still ? xstrdup(still) : NULL;
	f->duration_s = (int)json_integer_value(duration);
	char where[96];
	snprintf(where, sizeof where, "film %s: title", id);
	enum content_err e = read_i18n(json_object_get(jf, "title"), where, path, &f->title, err);
	json_t *subs = json_object_get(jf, "subtitles");
	if (e || !subs)
		return e;
	snprintf(where, sizeof where, "film %s: subtitles", id);
	if ((e = read_i18n(subs, where, path, &f->subtitles, err)))
		return e;
	for (size_t i = 0; i < f->subtitles.n; i++)
		if (!safe_relative(f->subtitles.texts[i]))
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: film %s: subtitles must be "
					    "relative paths inside the media folder", path, id);
	return CONTENT_OK;
}

static enum content_err read_films(json_t *root, const char *path, struct content *c,
				   struct content_error *err)
{
	json_t *films = json_object_get(root, "films");
	if (!films)
		return CONTENT_OK;
	if (!json_is_array(films) || json_array_size(films) > CONTENT_CAP_TOPICS)
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: films: expected a list of at most %d",
				    path, CONTENT_CAP_TOPICS);
	c->films = xcalloc(json_array_size(films) + 1, sizeof *c->films);
	for (size_t i = 0; i < json_array_size(films); i++) {
		c->n_films = i + 1;
		enum content_err e = read_film(json_array_get(films, i), i, path, &c->films[i], err);
		if (e)
			return e;
		for (size_t k = 0; k < i; k++)
			if (strcmp(c->films[k].id, c->films[i].id) == 0)
				return content_fail(err, CONTENT_ERR_SCHEMA, "%s: film %s appears twice",
						    path, c->films[i].id);
	}
	/* A topic's film must be one of the films. */
	for (size_t i = 0; i < c->n_topics; i++)
		if (c->topics[i].film && !content_film_find(c, c->topics[i].film))
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: topic %s: film %s is not "
					    "among the films", path, c->topics[i].id,
					    c->topics[i].film);
	return CONTENT_OK;
}

static enum content_err read_topic(json_t *jt, size_t index, const char *path,
				   struct content_topic *t, struct content_error *err)
{
	char where[64];
	snprintf(where, sizeof where, "topics[%zu]", index);
	const char *id = json_string_value(json_object_get(jt, "id"));
	const char *page = json_string_value(json_object_get(jt, "page"));
	json_t *minutes = json_object_get(jt, "minutes");
	if (!id || !valid_id(id))
		return content_fail(err, CONTENT_ERR_SCHEMA,
			    "%s: %s.id: expected lowercase letters, digits and '-'", path, where);
	if (!page || !safe_relative(page))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: topic %s: page must be a relative path "
			    "inside the content folder", path, id);
	if (minutes && (!json_is_integer(minutes) || json_integer_value(minutes) < 1 ||
			json_integer_value(minutes) > 120))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: topic %s: minutes must be 1..120", path, id);
	t->id = xstrdup(id);
	t->page = xstrdup(page);
	json_t *film = json_object_get(jt, "film");
	if (film && !json_is_null(film)) {
		if (!json_is_string(film) || !valid_id(json_string_value(film)))
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: topic %s: film: expected a "
					    "film's id", path, id);
		t->film = xstrdup(json_string_value(film));
	}
	t->minutes = minutes ? (int)json_integer_value(minutes) : 0;
	snprintf(where, sizeof where, "topic %s: title", id);
	enum content_err e = read_i18n(json_object_get(jt, "title"), where, path, &t->title, err);
	if (e)
		return e;
	snprintf(where, sizeof where, "topic %s: summary", id);
	return read_i18n(json_object_get(jt, "summary"), where, path, &t->summary, err);
}

static enum content_err read_strings(struct content *c, size_t li, struct content_error *err)
{
	char *path = xasprintf("%s/strings/%s.json", c->dir, c->languages[li].code);
	json_t *root = NULL;
	enum content_err e = read_json(path, CONTENT_CAP_STRINGS, &root, err);
	if (e == CONTENT_ERR_MISSING) {
		/* A language without its own words still works: German stands in. */
		LOG_WARN("%s: missing, the interface falls back to German", path);
		free(path);
		return CONTENT_OK;
	}
	if (e == CONTENT_OK && !json_is_object(root))
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: expected an object of key: text", path);
	const char *key;
	json_t *v;
	if (e == CONTENT_OK) {
		json_object_foreach(root, key, v) {
			if (!json_is_string(v)) {
				e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: %s: expected a text", path, key);
				break;
			}
			if (json_string_length(v) > CONTENT_CAP_TEXT) {
				e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: %s: %zu bytes, but a text "
						 "here has at most %d", path, key, json_string_length(v),
						 CONTENT_CAP_TEXT);
				break;
			}
			i18n_add(&c->strings[li], key, json_string_value(v));
		}
	}
	json_decref(root);
	free(path);
	return e;
}

static enum content_err read_languages(json_t *root, const char *path, struct content *c,
				       struct content_error *err)
{
	json_t *langs = json_object_get(root, "languages");
	if (!json_is_array(langs) || json_array_size(langs) == 0 ||
	    json_array_size(langs) > CONTENT_CAP_LANGUAGES)
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: languages: expected a list of 1 to "
				    "%d", path, CONTENT_CAP_LANGUAGES);
	c->n_languages = json_array_size(langs);
	c->languages = xcalloc(c->n_languages, sizeof *c->languages);
	c->strings = xcalloc(c->n_languages, sizeof *c->strings);
	for (size_t i = 0; i < c->n_languages; i++) {
		json_t *l = json_array_get(langs, i);
		const char *code = json_string_value(json_object_get(l, "code"));
		if (!code || !valid_lang(code))
			return content_fail(err, CONTENT_ERR_SCHEMA, "%s: languages[%zu].code: expected a "
				    "language code (like de, en or de-x-ls)", path, i);
		c->languages[i].code = xstrdup(code);
		c->languages[i].complete = json_is_true(json_object_get(l, "complete"));
	}
	if (!content_has_language(c, "de"))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: languages: German (de) is required, "
			    "it is what every other language falls back to", path);
	return CONTENT_OK;
}

/* survey.json, when content.json names one: checked against the languages
 * marked complete (a partial language falls back to German). */
static enum content_err read_survey(struct content *c, json_t *name, const char *path,
				    struct content_error *err)
{
	if (!name || json_is_null(name))
		return CONTENT_OK;
	const char *rel = json_string_value(name);
	if (!rel || !safe_relative(rel))
		return content_fail(err, CONTENT_ERR_SCHEMA, "%s: survey: expected a relative path "
				    "inside the content folder", path);
	char *file = path_join(c->dir, rel);
	size_t len = 0;
	enum content_err e = read_capped(file, CONTENT_CAP_SURVEY, &c->survey_json, &len, err);
	if (e == CONTENT_OK) {
		char **complete = xcalloc(c->n_languages + 1, sizeof *complete);
		for (size_t i = 0, n = 0; i < c->n_languages; i++)
			if (c->languages[i].complete)
				complete[n++] = c->languages[i].code;
		e = survey_parse(c->survey_json, len, file, complete, &c->survey, err);
		free(complete);
	}
	free(file);
	return e;
}

enum content_err content_load(const char *dir, struct content **out, struct content_error *err)
{
	*out = NULL;
	struct content *c = xcalloc(1, sizeof *c);
	c->dir = xstrdup(dir);
	c->media_dir = path_join(dir, "media");
	char *path = path_join(dir, "content.json");
	json_t *root = NULL;
	enum content_err e = read_json(path, CONTENT_CAP_INDEX, &root, err);
	if (e)
		goto out;
	json_t *format = json_object_get(root, "format");
	json_t *version = json_object_get(root, "version");
	if (!json_is_integer(format) || json_integer_value(format) != 1) {
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: format: this kiosk reads format 1", path);
		goto out;
	}
	if (!json_is_integer(version) || json_integer_value(version) < 1) {
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: version: expected a positive number", path);
		goto out;
	}
	c->format = 1;
	c->version = json_integer_value(version);
	/* Versions only grow, and a bundle's is its creation time in seconds:
	 * one far ahead of the clock would stay in use for ever, since no later
	 * version could ever replace it. */
	if (c->version > clock_wall_s() + CONTENT_VERSION_AHEAD_S) {
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: version %lld lies more than a year "
				 "ahead of this kiosk's clock; no later version could replace it",
				 path, (long long)c->version);
		goto out;
	}
	if ((e = read_languages(root, path, c, err)))
		goto out;
	json_t *topics = json_object_get(root, "topics");
	if (!json_is_array(topics) || json_array_size(topics) > CONTENT_CAP_TOPICS) {
		e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: topics: expected a list of at most %d",
				 path, CONTENT_CAP_TOPICS);
		goto out;
	}
	c->topics = xcalloc(json_array_size(topics) + 1, sizeof *c->topics);
	for (size_t i = 0; i < json_array_size(topics); i++) {
		c->n_topics = i + 1;
		if ((e = read_topic(json_array_get(topics, i), i, path, &c->topics[i], err)))
			goto out;
		for (size_t k = 0; k < i; k++)
			if (strcmp(c->topics[k].id, c->topics[i].id) == 0) {
				e = content_fail(err, CONTENT_ERR_SCHEMA, "%s: topic %s appears twice", path,
					 c->topics[i].id);
				goto out;
			}
	}
	if ((e = read_films(root, path, c, err)))
		goto out;
	for (size_t i = 0; i < c->n_languages; i++)
		if ((e = read_strings(c, i, err)))
			goto out;
	e = read_survey(c, json_object_get(root, "survey"), path, err);
out:
	json_decref(root);
	free(path);
	if (e) {
		content_free(c);
		return e;
	}
	*out = c;
	return CONTENT_OK;
}

void content_free(struct content *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_films; i++) {
		free(c->films[i].id);
		free(c->films[i].file);
		free(c->films[i].still);
		i18n_free(&c->films[i].title);
		i18n_free(&c->films[i].subtitles);
	}
	free(c->films);
	free(c->media_dir);
	for (size_t i = 0; i < c->n_topics; i++) {
		free(c->topics[i].id);
		free(c->topics[i].page);
		free(c->topics[i].film);
		i18n_free(&c->topics[i].title);
		i18n_free(&c->topics[i].summary);
	}
	for (size_t i = 0; i < c->n_languages; i++) {
		free(c->languages[i].code);
		if (c->strings)
			i18n_free(&c->strings[i]);
	}
	free(c->topics);
	free(c->languages);
	free(c->strings);
	survey_free(c->survey);
	free(c->survey_json);
	free(c->dir);
	free(c);
}

bool content_has_language(const struct content *c, const char *lang)
{
	for (size_t i = 0; c && i < c->n_languages; i++)
		if (strcmp(c->languages[i].code, lang) == 0)
			return true;
	return false;
}

const struct content_topic *content_topic_find(const struct content *c, const char *id)
{
	for (size_t i = 0; c && i < c->n_topics; i++)
		if (strcmp(c->topics[i].id, id) == 0)
			return &c->topics[i];
	return NULL;
}

const struct content_film *content_film_find(const struct content *c, const char *id)
{
	for (size_t i = 0; c && i < c->n_films; i++)
		if (strcmp(c->films[i].id, id) == 0)
			return &c->films[i];
	return NULL;
}

char *content_media_path(const struct content *c, const char *rel)
{
	return rel ? path_join(c->media_dir, rel) : NULL;
}

void content_set_media_dir(struct content *c, const char *dir)
{
	free(c->media_dir);
	c->media_dir = xstrdup(dir);
}

const char *i18n_lookup(const struct content_i18n *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->langs[i], key) == 0)
			return t->texts[i];
	return NULL;
}

const char *content_i18n_get(const struct content_i18n *t, const char *lang, bool *fell_back)
{
	const char *s = i18n_lookup(t, lang);
	if (fell_back)
		*fell_back = s == NULL;
	if (!s)
		s = i18n_lookup(t, "de");
	if (!s)
		s = t->n ? t->texts[0] : "";
	return s;
}

const char *content_string(const struct content *c, const char *lang, const char *key)
{
	const char *s = NULL;
	for (size_t i = 0; c && i < c->n_languages && !s; i++)
		if (strcmp(c->languages[i].code, lang) == 0)
			s = i18n_lookup(&c->strings[i], key);
	for (size_t i = 0; c && i < c->n_languages && !s; i++)
		if (strcmp(c->languages[i].code, "de") == 0)
			s = i18n_lookup(&c->strings[i], key);
	for (size_t i = 0; i < sizeof builtin_de / sizeof builtin_de[0] && !s; i++)
		if (strcmp(builtin_de[i][0], key) == 0)
			s = builtin_de[i][1];
	if (!s) {
		LOG_WARN("no text for '%s' in any language", key);
		s = "…";
	}
	return s;
}
