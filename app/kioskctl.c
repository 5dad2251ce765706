/* kioskctl: the command line for admins and staff tools.  A thin main over
 * the same modules as the kiosk; it links neither SDL nor libvlc. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "kioskctl"

static void usage(FILE *f)
{
	fputs("usage: kioskctl [--config FILE] COMMAND\n"
	      "\n"
	      "commands:\n"
	      "  status [--json]   the kiosk's id, content version, languages, database, free disk\n"
	      "  db check          SQLite integrity check and schema version (exit 1 if damaged)\n"
	      "\n"
	      "--config defaults to ./kiosk.conf.  Exit codes: 0 ok, 1 runtime error,\n"
	      "2 usage error, 3 input rejected (e.g. a bad config).\n",
	      f);
}

static char *db_path(const struct config *cfg)
{
	return path_join(cfg->data_dir, "kiosk.sqlite3");
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
	enum store_err e = store_open(path, STORE_OPEN_EXISTING, &s);
	if (e != STORE_OK) {
		printf("database: %s\nintegrity: failed (%s)\n", path, store_strerror(e));
		goto out;
	}
	char *report = NULL;
	e = store_check(s, &report);
	printf("database: %s\nschema: %d (this kioskctl knows %d)\nintegrity: %s\n", path,
	       store_schema_version(s), store_schema_latest(), e == STORE_OK ? report : "failed");
	if (e == STORE_OK && strcmp(report, "ok") == 0)
		rc = KIOSK_EXIT_OK;
	free(report);
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
	char *path = db_path(cfg);
	struct store *s = NULL;
	char *kiosk_id = NULL;
	int64_t version = 0;
	int rc = KIOSK_EXIT_RUNTIME;
	if (!path_exists(path)) {
		/* Never create it here: run as root, that would leave a database
		 * the kiosk's own user cannot write. */
		fprintf(stderr, "kioskctl: %s: no database yet; the kiosk makes it at its first "
			"start\n", path);
		goto out;
	}
	enum store_err e = store_open(path, STORE_OPEN_EXISTING, &s);
	if (e == STORE_OK)
		e = store_kiosk_id(s, cfg->kiosk_id, &kiosk_id);
	if (e == STORE_OK)
		e = store_content_version(s, &version);
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
	json_object_set_new(o, "kiosk_id", json_string(kiosk_id));
	json_object_set_new(o, "app_version", json_string(KIOSK_VERSION));
	json_object_set_new(o, "content_version", version > 0 ? json_integer(version) : json_null());
	json_object_set_new(o, "languages", langs);
	/* Feedback and sync arrive with their features: null until then. */
	json_object_set_new(o, "feedback_pending", json_null());
	json_object_set_new(o, "feedback_sent", json_null());
	json_object_set_new(o, "last_sync", json_null());
	json_object_set_new(o, "last_sync_error", json_null());
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
	else
		usage(stderr);
	config_free(&cfg);
	return rc;
}
