/* kioskctl: the command line for admins and staff tools.  A thin main over
 * the same modules as the kiosk; it links neither SDL nor libvlc. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/bundle.h"
#include "kiosk/sync.h"
#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/export.h"
#include "kiosk/store.h"

#define LOG_MODULE "kioskctl"

static void usage(FILE *f)
{
	fputs("usage: kioskctl [--config FILE] COMMAND\n"
	      "\n"
	      "commands:\n"
	      "  status [--json]   the kiosk's id, content version, languages, database, free disk\n"
	      "  db check          SQLite integrity check and schema version (exit 1 if damaged)\n"
	      "  export --format csv|csv-wide|json [--out PATH] [--bom] [--raw]\n"
	      "         [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--survey ID]\n"
	      "                    the feedback: csv (a row per answer), csv-wide (a row per\n"
	      "                    response), json (a line per response); standard output\n"
	      "                    without --out; --bom puts a UTF-8 byte order mark first (CSV);\n"
	      "                    a CSV cell starting with = + - @, a tab or CR gets a leading '\n"
	      "                    so that spreadsheets show it as text; --raw writes it as typed;\n"
	      "                    --since and --until (UTC days, both included) and --survey\n"
	      "                    keep only those responses\n"
	      "  report --out FILE.html [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--survey ID]\n"
	      "         [--text]   the summary as one HTML page (bar charts, no script, prints\n"
	      "                    on A4); counts below [export] min_cell show as \"weniger als\n"
	      "                    N\"; --text also lists typed answers (where min_cell allow)\n"
	      "  bundle keygen PREFIX  a signing key pair: PREFIX.key (secret) and PREFIX.pub\n"
	      "  bundle create --key PREFIX.key --src DIR [--media DIR] [--version N] --out F\n"
	      "                    checks a content folder as a kiosk would, then signs it\n"
	      "  bundle verify FILE  checks a bundle against [bundle] trusted_keys\n"
	      "  bundle import [--force] FILE\n"
	      "                    verifies and installs it atomically; --force allows an older one\n"
	      "  bundle rollback   goes back to the version installed before the last import\n"
	      "  admin hash-pin    reads a PIN (4 to 12 digits) on standard input, prints the\n"
	      "                    line for [admin] pin_hash\n"
	      "  sync [--dry-run]  one sync pass now, a line per batch ([sync] url); --dry-run\n"
	      "                    says what it would send\n"
	      "\n"
	      "--config defaults to ./kiosk.conf.  Exit codes: 0 ok, 1 runtime error,\n"
	      "2 usage error, 3 input rejected (e.g. a bad config), 5 the sync server cannot be\n"
	      "reached (nothing lost).\n",
	      f);
}

static char *db_path(const struct config *cfg)
{
	return path_join(cfg->data_dir, "kiosk.sqlite3");
}

/* The kiosk's database opened in the given role, or NULL after one message
 * on standard error.  Never created here: run as root, a new file would be
 * one the kiosk's own user cannot write.  *path (the caller's) names it. */
static struct store *open_database(const struct config *cfg, enum store_open_mode mode,
				   const char *nothing_yet, char **path)
{
	*path = db_path(cfg);
	struct store *s = NULL;
	if (!path_exists(*path)) {
		fprintf(stderr, "kioskctl: %s: no database yet%s; the kiosk makes it at its first "
			"start\n", *path, nothing_yet);
		return NULL;
	}
	enum store_err e = store_open(*path, mode, &s);
	if (e != STORE_OK)
		fprintf(stderr, "kioskctl: %s: %s\n", *path, store_strerror(e));
	return s;
}

static int cmd_db_check(const struct config *cfg)
{
	char *path = db_path(cfg);
	struct store *s = NULL;
	int rc = KIOSK_EXIT_RUNTIME;
	if (!path_exists(path)) {
		fprintf(stderr, "kioskctl: %s: no database yet (the kiosk makes it at first start)\n",
			path);
		goto out;
	}
	/* Read-only: a check never changes what it checks. */
	enum store_err e = store_open(path, STORE_OPEN_READONLY, &s);
	if (e != STORE_OK) {
		printf("database: %s\nintegrity: failed (%s)\n", path, store_strerror(e));
		goto out;
	}
	char *report = NULL, *tables = NULL;
	e = store_check(s, &report);
	enum store_err te = store_check_schema(s, &tables);
	printf("database: %s\nschema: %d (this kioskctl knows %d)\nintegrity: %s\ntables: %s\n",
	       path, store_schema_version(s), store_schema_latest(),
	       e == STORE_OK ? report : "failed", te == STORE_OK ? tables : "cannot be read");
	if (e == STORE_OK && strcmp(report, "ok") == 0 && te == STORE_OK &&
	    strcmp(tables, "ok") == 0)
		rc = KIOSK_EXIT_OK;
	free(report);
	free(tables);
out:
	store_close(s);
	free(path);
	return rc;
}

static json_t *json_string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int cmd_status(const struct config *cfg, bool as_json)
{
	char *path = NULL;
	char *kiosk_id = NULL;
	int64_t version = 0, pending = 0, sent = 0;
	int rc = KIOSK_EXIT_RUNTIME;
	/* Read-only: status never writes, not even a kiosk id that the kiosk
	 * has yet to make (it is reported as null until then). */
	struct store *s = open_database(cfg, STORE_OPEN_READONLY, "", &path);
	if (!s)
		goto out;
	enum store_err e = store_kiosk_id(s, cfg->kiosk_id, &kiosk_id);
	if (e == STORE_ERR_NOT_FOUND)
		e = STORE_OK;
	if (e == STORE_OK)
		e = store_content_version(s, &version);
	if (e == STORE_OK)
		e = store_feedback_counts(s, &pending, &sent);
	if (e != STORE_OK) {
		fprintf(stderr, "kioskctl: %s: %s\n", path, store_strerror(e));
		goto out;
	}
	/* Languages offered: those configured that the installed content has. */
	json_t *langs = json_array();
	struct content *content = NULL;
	struct content_error cerr;
	char *dir = content_version_dir(cfg->data_dir, version);
	if (version > 0 && content_load(dir, &content, &cerr) != CONTENT_OK)
		fprintf(stderr, "kioskctl: installed content: %s\n", cerr.message);
	for (size_t i = 0; cfg->languages[i]; i++)
		if (content_has_language(content, cfg->languages[i]))
			json_array_append_new(langs, json_string(cfg->languages[i]));
	content_free(content);
	free(dir);

	json_t *o = json_object();
	json_object_set_new(o, "kiosk_id", json_string_or_null(kiosk_id));
	json_object_set_new(o, "app_version", json_string(KIOSK_VERSION));
	json_object_set_new(o, "content_version", version > 0 ? json_integer(version) : json_null());
	json_object_set_new(o, "languages", langs);
	json_object_set_new(o, "feedback_pending", json_integer(pending));
	json_object_set_new(o, "feedback_sent", json_integer(sent));
	int64_t last_ok = 0;
	char *last_error = NULL;
	store_sync_last(s, &last_ok, &last_error);
	char when[32] = "";
	time_t t = (time_t)last_ok;
	struct tm tm;
	if (last_ok && gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, "last_sync", *when ? json_string(when) : json_null());
	json_object_set_new(o, "last_sync_error", json_string_or_null(last_error));
	free(last_error);
	json_object_set_new(o, "database", json_string(path));
	json_object_set_new(o, "database_schema", json_integer(store_schema_version(s)));
	json_object_set_new(o, "database_recovered_from",
			    json_string_or_null(store_recovered_from(s)));
	json_object_set_new(o, "free_disk_bytes", json_integer(path_free_bytes(cfg->data_dir)));
	if (as_json) {
		char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(text);
		free(text);
	} else {
		const char *key;
		json_t *v;
		json_object_foreach(o, key, v) {
			char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			printf("%-24s %s\n", key, text);
			free(text);
		}
	}
	json_decref(o);
	rc = KIOSK_EXIT_OK;
out:
	free(kiosk_id);
	store_close(s);
	free(path);
	return rc;
}

/* The export in format f, or with summary the summary page. */
static enum export_err write_any(struct store *s, bool summary, enum export_format f,
				 const struct export_options *opt, FILE *out)
{
	return summary ? export_summary_write(s, opt, out) : export_write(s, f, opt, out);
}

/* Writes the export to a temporary file beside path, then renames it over
 * path: a reader (or a stick pulled too early) sees the old file or the
 * whole new one, never half of it. */
static int export_to_file(struct store *s, bool summary, enum export_format f,
			  const struct export_options *opt, const char *path)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", path);
	char *dir = path_dirname(path);
	FILE *out = NULL;
	int rc = KIOSK_EXIT_RUNTIME;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kioskctl: %s: cannot write the export there: %s\n", path,
			strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* Feedback is for the admins, not for every user of the machine. */
	if (fchmod(fd, 0640) != 0 || !(out = fdopen(fd, "w"))) {
		fprintf(stderr, "kioskctl: %s: %s\n", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	enum export_err e = write_any(s, summary, f, opt, out);
	if (e == EXPORT_ERR_WRITE || (e == EXPORT_OK && fsync(fileno(out)) != 0)) {
		fprintf(stderr, "kioskctl: %s: writing the export failed: %s\n", path,
			strerror(errno));
		goto out;
	}
	if (e != EXPORT_OK) {
		fprintf(stderr, "kioskctl: export failed: %s\n", export_strerror(e));
		goto out;
	}
	int closed = fclose(out);
	out = NULL;
	if (closed != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "kioskctl: %s: writing the export failed: %s\n", path,
			strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	path_fsync_dir(dir);
	rc = KIOSK_EXIT_OK;
out:
	if (out)
		fclose(out);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
}

/* True when path names the database or one of its WAL files: an export
 * renamed over it would replace the feedback by a copy of it. */
static bool is_database_file(const char *path, const char *db)
{
	struct stat out_st, db_st;
	if (stat(path, &out_st) != 0)
		return false;
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *name = xasprintf("%s%s", db, suffixes[i]);
		bool same = stat(name, &db_st) == 0 && db_st.st_dev == out_st.st_dev &&
			    db_st.st_ino == out_st.st_ino;
		free(name);
		if (same)
			return true;
	}
	return false;
}

/* Why path cannot take an export, or NULL when it can: only a regular file
 * is replaced (by rename), never a device, a pipe, a folder, or a symbolic
 * link (renaming over it would replace the link, not what it points to). */
static const char *export_target_problem(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? NULL : strerror(errno);
	if (S_ISLNK(st.st_mode))
		return "--out names a symbolic link; give the file itself:";
	if (S_ISDIR(st.st_mode))
		return "--out names a folder; give a file in it:";
	if (!S_ISREG(st.st_mode))
		return "--out names no regular file (a device, a pipe or a socket):";
	return NULL;
}

static const char *const export_synopsis =
	"usage: kioskctl [--config FILE] export --format csv|csv-wide|json [--out PATH] "
	"[--bom] [--raw]\n"
	"         [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--survey ID]\n";
static const char *const report_synopsis =
	"usage: kioskctl [--config FILE] report --out FILE.html [--since YYYY-MM-DD] "
	"[--until YYYY-MM-DD]\n         [--survey ID] [--text]\n";

static int command_usage(const char *cmd, const char *why, const char *arg)
{
	fprintf(stderr, "kioskctl: %s: %s%s%s%s\n", cmd, why, arg ? " '" : "", arg ? arg : "",
		arg ? "'" : "");
	fputs(strcmp(cmd, "report") == 0 ? report_synopsis : export_synopsis, stderr);
	return KIOSK_EXIT_USAGE;
}

static int export_usage(const char *why, const char *arg)
{
	return command_usage("export", why, arg);
}

/* --since and --until (days, UTC, both included) into opt: 0, or the
 * usage error's exit code after its message. */
static int parse_days(const char *cmd, const char *since, const char *until,
		      struct export_options *opt)
{
	if (since && !export_day_parse(since, &opt->since))
		return command_usage(cmd, "--since takes a day as YYYY-MM-DD (UTC), not", since);
	if (until) {
		if (!export_day_parse(until, &opt->until))
			return command_usage(cmd, "--until takes a day as YYYY-MM-DD (UTC), not",
					     until);
		opt->until += 86400; /* the whole day */
	}
	if (since && until && opt->since >= opt->until)
		return command_usage(cmd, "--since lies after --until:", since);
	return 0;
}

/* kioskctl export: argv[0] is "export". */
static int cmd_export(const struct config *cfg, int argc, char **argv)
{
	const char *format = NULL, *out_path = NULL, *since = NULL, *until = NULL;
	struct export_options opt = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dest = NULL;
		const char *value = NULL;
		if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9))
			dest = &format;
		else if (!strcmp(a, "--out") || !strncmp(a, "--out=", 6))
			dest = &out_path;
		else if (!strcmp(a, "--since") || !strncmp(a, "--since=", 8))
			dest = &since;
		else if (!strcmp(a, "--until") || !strncmp(a, "--until=", 8))
			dest = &until;
		else if (!strcmp(a, "--survey") || !strncmp(a, "--survey=", 9))
			dest = &opt.survey;
		else if (!strcmp(a, "--bom"))
			opt.bom = true;
		else if (!strcmp(a, "--raw"))
			opt.raw = true;
		else
			return export_usage("unknown argument", a);
		if (!dest)
			continue;
		const char *eq = strchr(a, '=');
		if (eq)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return export_usage("a value is missing after", a);
		if (*dest)
			return export_usage("given twice:", a);
		if (!*value)
			return export_usage("an empty value for", a);
		*dest = value;
	}
	enum export_format f;
	if (!format)
		return export_usage("--format is required", NULL);
	if (!export_format_parse(format, &f))
		return export_usage("unknown format (csv, csv-wide or json):", format);
	if (opt.bom && f == EXPORT_JSON)
		return export_usage("--bom is for csv and csv-wide (JSON lines carry no byte order "
				    "mark)", NULL);
	if (opt.raw && f == EXPORT_JSON)
		return export_usage("--raw is for csv and csv-wide (JSON lines always carry the text "
				    "as typed)", NULL);
	int bad = parse_days("export", since, until, &opt);
	if (bad)
		return bad;

	char *path = NULL;
	int rc = KIOSK_EXIT_RUNTIME;
	struct store *s = open_database(cfg, STORE_OPEN_READONLY, ", so no feedback to export",
					&path);
	if (!s)
		goto out;
	if (out_path && is_database_file(out_path, path)) {
		rc = export_usage("--out names the database itself:", out_path);
		goto out;
	}
	const char *problem = out_path ? export_target_problem(out_path) : NULL;
	if (problem) {
		rc = export_usage(problem, out_path);
		goto out;
	}
	if (out_path) {
		rc = export_to_file(s, false, f, &opt, out_path);
		goto out;
	}
	enum export_err e = export_write(s, f, &opt, stdout);
	if (e == EXPORT_ERR_WRITE)
		fprintf(stderr, "kioskctl: standard output: writing the export failed: %s\n",
			strerror(errno));
	else if (e != EXPORT_OK)
		fprintf(stderr, "kioskctl: export failed: %s\n", export_strerror(e));
	else
		rc = KIOSK_EXIT_OK;
out:
	store_close(s);
	free(path);
	return rc;
}

/* kioskctl report: argv[0] is "report". */
static int cmd_report(const struct config *cfg, int argc, char **argv)
{
	const char *out_path = NULL, *since = NULL, *until = NULL;
	struct export_options opt = {.min_cell = cfg->export_min_cell};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dest = NULL;
		if (!strcmp(a, "--out") || !strncmp(a, "--out=", 6))
			dest = &out_path;
		else if (!strcmp(a, "--since") || !strncmp(a, "--since=", 8))
			dest = &since;
		else if (!strcmp(a, "--until") || !strncmp(a, "--until=", 8))
			dest = &until;
		else if (!strcmp(a, "--survey") || !strncmp(a, "--survey=", 9))
			dest = &opt.survey;
		else if (!strcmp(a, "--text"))
			opt.text = true;
		else
			return command_usage("report", "unknown argument", a);
		if (!dest)
			continue;
		const char *eq = strchr(a, '='), *value = NULL;
		if (eq)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return command_usage("report", "a value is missing after", a);
		if (*dest)
			return command_usage("report", "given twice:", a);
		if (!*value)
			return command_usage("report", "an empty value for", a);
		*dest = value;
	}
	if (!out_path)
		return command_usage("report", "--out is required (the page is a file to open)",
				     NULL);
	int bad = parse_days("report", since, until, &opt);
	if (bad)
		return bad;

	char *path = NULL, *kiosk_id = NULL;
	int rc = KIOSK_EXIT_RUNTIME;
	struct store *s = open_database(cfg, STORE_OPEN_READONLY, ", so no feedback to report",
					&path);
	if (!s)
		goto out;
	if (is_database_file(out_path, path)) {
		rc = command_usage("report", "--out names the database itself:", out_path);
		goto out;
	}
	const char *problem = export_target_problem(out_path);
	if (problem) {
		rc = command_usage("report", problem, out_path);
		goto out;
	}
	if (store_kiosk_id(s, cfg->kiosk_id, &kiosk_id) == STORE_OK)
		opt.kiosk_id = kiosk_id;
	opt.now_s = clock_wall_s();
	rc = export_to_file(s, true, EXPORT_JSON, &opt, out_path);
out:
	free(kiosk_id);
	store_close(s);
	free(path);
	return rc;
}

/* ---- kioskctl bundle ---- */

static int bundle_exit(enum bundle_err e)
{
	switch (e) {
	case BUNDLE_OK: return KIOSK_EXIT_OK;
	case BUNDLE_ERR_IO: return KIOSK_EXIT_RUNTIME;
	default: return KIOSK_EXIT_REJECTED; /* the input is what is wrong */
	}
}

static int bundle_usage(const char *why)
{
	fprintf(stderr, "kioskctl: bundle: %s\n"
		"usage: kioskctl bundle keygen PREFIX\n"
		"       kioskctl bundle create --key PREFIX.key --src DIR [--media DIR] [--version N] "
		"--out FILE.kiosk\n"
		"       kioskctl bundle verify FILE.kiosk\n"
		"       kioskctl bundle import [--force] FILE.kiosk\n"
		"       kioskctl bundle rollback\n", why);
	return KIOSK_EXIT_USAGE;
}

static int cmd_bundle_create(int argc, char **argv)
{
	const char *key = NULL, *src = NULL, *media = NULL, *out = NULL, *version = NULL;
	for (int i = 2; i < argc; i++) {
		const char **dest = !strcmp(argv[i], "--key")       ? &key
				    : !strcmp(argv[i], "--src")     ? &src
				    : !strcmp(argv[i], "--media")   ? &media
				    : !strcmp(argv[i], "--out")     ? &out
				    : !strcmp(argv[i], "--version") ? &version
								    : NULL;
		if (!dest || i + 1 >= argc || *dest)
			return bundle_usage("create: give each of --key, --src, --out (and --media, "
					    "--version) once, with a value");
		*dest = argv[++i];
	}
	if (!key || !src || !out)
		return bundle_usage("create needs --key, --src and --out");
	char *end = NULL;
	long long v = version ? strtoll(version, &end, 10) : 0;
	if (version && (!*version || *end || v < 1))
		return bundle_usage("create: --version is a positive whole number");
	char *media_dir = media ? xstrdup(media) : path_join(src, "../media");
	struct bundle_error err;
	enum bundle_err e = bundle_create(key, src, media_dir, v, out, &err);
	free(media_dir);
	if (e)
		fprintf(stderr, "kioskctl: bundle create: %s\n", err.message);
	else
		printf("%s: signed\n", out);
	return bundle_exit(e);
}

static int cmd_bundle_import(const struct config *cfg, const char *file, bool force)
{
	char *path = NULL;
	int rc = KIOSK_EXIT_RUNTIME;
	/* The importer's role (DESIGN.md §2): it never creates, migrates or
	 * renames the kiosk's database. */
	struct store *s = open_database(cfg, STORE_OPEN_WORKER, "", &path);
	if (!s)
		goto out;
	struct bundle_info info;
	struct bundle_error err;
	enum bundle_err e = bundle_import(file, cfg->trusted_keys, s, cfg->data_dir, force, NULL,
					  &info, &err);
	if (e)
		fprintf(stderr, "kioskctl: bundle import: %s: %s; the content in use is unchanged\n",
			file, err.message);
	else
		printf("%s: installed version %lld (signed by %s); a running kiosk shows it when it "
		       "is next home\n", file, (long long)info.version, info.signer);
	rc = bundle_exit(e);
out:
	store_close(s);
	free(path);
	return rc;
}

static int cmd_bundle_rollback(const struct config *cfg)
{
	char *path = NULL;
	int rc = KIOSK_EXIT_RUNTIME;
	struct store *s = open_database(cfg, STORE_OPEN_WORKER, "", &path);
	if (!s)
		goto out;
	int64_t version = 0;
	struct bundle_error err;
	enum bundle_err e = bundle_rollback(s, cfg->data_dir, &version, &err);
	if (e)
		fprintf(stderr, "kioskctl: bundle rollback: %s; the content in use is unchanged\n",
			err.message);
	else
		printf("content version %lld is in use again; a running kiosk shows it when it is "
		       "next home\n", (long long)version);
	rc = bundle_exit(e);
out:
	store_close(s);
	free(path);
	return rc;
}

static int cmd_bundle(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return bundle_usage("which command?");
	const char *sub = argv[1];
	struct bundle_error err;
	enum bundle_err e;
	if (strcmp(sub, "keygen") == 0 && argc == 3) {
		if ((e = bundle_keygen(argv[2], &err)))
			fprintf(stderr, "kioskctl: bundle keygen: %s\n", err.message);
		else
			printf("%s.key (secret: keep it off the kiosks) and %s.pub (copy it into "
			       "[bundle] trusted_keys)\n", argv[2], argv[2]);
		return bundle_exit(e);
	}
	if (strcmp(sub, "create") == 0)
		return cmd_bundle_create(argc, argv);
	if (strcmp(sub, "verify") == 0 && argc == 3) {
		struct bundle_info info;
		if ((e = bundle_verify(argv[2], cfg->trusted_keys, &info, &err))) {
			fprintf(stderr, "kioskctl: bundle verify: %s: %s\n", argv[2], err.message);
		} else {
			printf("%s: ok\nversion: %lld\nsigner: %s (key %s)\nfiles: %zu, %llu bytes\n"
			       "bundle id: %s\nmade for kiosk %s or newer\n", argv[2],
			       (long long)info.version, info.signer, info.key_id, info.n_files,
			       (unsigned long long)info.total_bytes, info.bundle_id,
			       info.min_app_version);
		}
		return bundle_exit(e);
	}
	if (strcmp(sub, "import") == 0 && (argc == 3 || (argc == 4 && !strcmp(argv[2], "--force"))))
		return cmd_bundle_import(cfg, argv[argc - 1], argc == 4);
	if (strcmp(sub, "rollback") == 0 && argc == 2)
		return cmd_bundle_rollback(cfg);
	return bundle_usage("unknown command or arguments");
}

/* ---- kioskctl admin ---- */

/* Reads a line from standard input without echoing it on a terminal. */
static bool read_secret_line(char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fputs("PIN (4 to 12 digits): ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	bool got = fgets(buf, (int)size, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (got)
		buf[strcspn(buf, "\r\n")] = '\0';
	return got;
}

static int cmd_admin_hash_pin(void)
{
	char pin[64] = "";
	char hash[PIN_HASH_MAX];
	int rc = KIOSK_EXIT_OK;
	if (!read_secret_line(pin, sizeof pin) || !pin_valid(pin)) {
		fprintf(stderr, "kioskctl: admin hash-pin: a PIN is 4 to 12 digits, on one line of "
			"standard input\n");
		rc = KIOSK_EXIT_REJECTED;
	} else if (pin_hash(pin, hash) != 0) {
		fprintf(stderr, "kioskctl: admin hash-pin: the PIN cannot be hashed\n");
		rc = KIOSK_EXIT_RUNTIME;
	} else {
		printf("pin_hash = %s\n", hash);
	}
	explicit_bzero(pin, sizeof pin);
	return rc;
}

/* ---- kioskctl sync ---- */

static int sync_exit(enum sync_err e)
{
	switch (e) {
	case SYNC_OK: return KIOSK_EXIT_OK;
	case SYNC_ERR_UNREACHABLE: return KIOSK_EXIT_UNREACHABLE; /* nothing lost: later */
	case SYNC_ERR_CONFIG: return KIOSK_EXIT_REJECTED;
	default: return KIOSK_EXIT_RUNTIME;
	}
}

static int write_batch(struct store *s, const char *batch_id, FILE *out)
{
	return export_write_batch(s, batch_id, out) == EXPORT_OK ? 0 : -1;
}

static void print_batch(void *data, const char *batch_id, size_t responses)
{
	(void)data;
	printf("batch %s: %zu responses sent\n", batch_id, responses);
	fflush(stdout);
}

static int cmd_sync(const struct config *cfg, bool dry_run)
{
	if (!*cfg->sync_url) {
		fprintf(stderr, "kioskctl: sync: no server: set [sync] url in %s\n", cfg->path);
		return KIOSK_EXIT_REJECTED;
	}
	char *path = NULL, *kiosk_id = NULL;
	int rc = KIOSK_EXIT_RUNTIME;
	struct store *s = open_database(cfg, dry_run ? STORE_OPEN_READONLY : STORE_OPEN_WORKER, "",
					&path);
	if (!s || store_kiosk_id(s, cfg->kiosk_id, &kiosk_id) != STORE_OK) {
		if (s)
			fprintf(stderr, "kioskctl: sync: the kiosk has no id yet (it makes one at its "
				"first start)\n");
		goto out;
	}
	if (dry_run) {
		int64_t batches = 0, responses = 0, kept = 0, ignored = 0;
		/* At a clock of 0 no hour has ended: only the kept batches' responses. */
		if (sync_plan(s, clock_wall_s(), &batches, &responses) != SYNC_OK ||
		    sync_plan(s, 0, &ignored, &kept) != SYNC_OK) {
			fprintf(stderr, "kioskctl: sync: %s: cannot be read\n", path);
			goto out;
		}
		printf("would send %lld responses (%lld of them in %lld batch%s made before) to "
		       "%s/feedback/%s/; nothing sent\n", (long long)responses, (long long)kept,
		       (long long)batches, batches == 1 ? "" : "es", cfg->sync_url, kiosk_id);
		rc = KIOSK_EXIT_OK;
		goto out;
	}
	struct sync_options o = {
		.url = cfg->sync_url,
		.user = cfg->sync_user,
		.token_file = cfg->sync_token_file,
		.ca_file = cfg->sync_ca_file,
		.kiosk_id = kiosk_id,
		.data_dir = cfg->data_dir,
		.bundle_url = cfg->sync_bundle_url,
		.batch_size = 200,
		.stall_s = 20,
		.now_s = clock_wall_s(),
		.write_batch = write_batch,
		.on_batch = print_batch,
	};
	struct sync_result r;
	enum sync_err e = sync_pass(s, &o, &r);
	int64_t pending = 0, sent = 0;
	store_feedback_counts(s, &pending, &sent);
	if (e)
		fprintf(stderr, "kioskctl: sync: %s%s\n", r.message,
			e == SYNC_ERR_UNREACHABLE ? " (nothing is lost: the next pass sends it)" : "");
	printf("%zu responses sent in %zu batches; %lld waiting\n", r.responses, r.batches,
	       (long long)pending);
	rc = sync_exit(e);
	if (r.bundle_error[0])
		fprintf(stderr, "kioskctl: sync: content from the server: %s\n", r.bundle_error);
	if (r.bundle_file[0]) {
		/* The same code and the same refusals as a bundle from a stick. */
		struct bundle_info info;
		struct bundle_error berr;
		enum bundle_err be = bundle_import(r.bundle_file, cfg->trusted_keys, s, cfg->data_dir,
						   false, NULL, &info, &berr);
		if (be)
			fprintf(stderr, "kioskctl: sync: the bundle from the server is not installed: "
				"%s; the content in use is unchanged\n", berr.message);
		else
			printf("content version %lld from the server installed (signed by %s)\n",
			       (long long)info.version, info.signer);
		unlink(r.bundle_file);
	}
out:
	free(kiosk_id);
	store_close(s);
	free(path);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = "kiosk.conf";
	int c;
	log_init();
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		if (c == 'c') {
			config_path = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return KIOSK_EXIT_OK;
		} else {
			usage(stderr);
			return KIOSK_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return KIOSK_EXIT_USAGE;
	}
	struct config cfg;
	struct config_error cerr;
	if (config_load(&cfg, config_path, &cerr) != 0) {
		fprintf(stderr, "kioskctl: %s\n", cerr.message);
		config_free(&cfg);
		return KIOSK_EXIT_REJECTED;
	}
	int rc = KIOSK_EXIT_USAGE;
	const char *cmd = argv[optind];
	if (strcmp(cmd, "status") == 0 && (argc - optind == 1 ||
					   (argc - optind == 2 && !strcmp(argv[optind + 1], "--json"))))
		rc = cmd_status(&cfg, argc - optind == 2);
	else if (strcmp(cmd, "db") == 0 && argc - optind == 2 && !strcmp(argv[optind + 1], "check"))
		rc = cmd_db_check(&cfg);
	else if (strcmp(cmd, "export") == 0)
		rc = cmd_export(&cfg, argc - optind, argv + optind);
	else if (strcmp(cmd, "report") == 0)
		rc = cmd_report(&cfg, argc - optind, argv + optind);
	else if (strcmp(cmd, "bundle") == 0)
		rc = cmd_bundle(&cfg, argc - optind, argv + optind);
	else if (strcmp(cmd, "admin") == 0 && argc - optind == 2 &&
		 !strcmp(argv[optind + 1], "hash-pin"))
		rc = cmd_admin_hash_pin();
	else if (strcmp(cmd, "sync") == 0 && (argc - optind == 1 ||
					      (argc - optind == 2 && !strcmp(argv[optind + 1], "--dry-run"))))
		rc = cmd_sync(&cfg, argc - optind == 2);
	else
		usage(stderr);
	config_free(&cfg);
	return rc;
}
