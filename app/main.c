/* kiosk: the touch-screen program.  Wires configuration, database, content,
 * model and UI together; every part lives in its module. */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/model.h"
#include "kiosk/store.h"
#include "kiosk/sync.h"
#include "kiosk/ui.h"

#define LOG_MODULE "main"

static void usage(FILE *f)
{
	fputs("usage: kiosk [--config FILE] [--windowed] [--headless] [--script FILE|-]\n"
	      "             [--screenshot-dir DIR]\n"
	      "       kiosk [--config FILE] --headless --proof SRC [--media DIR] --out DIR\n"
	      "\n"
	      "  --config FILE         the configuration (default ./kiosk.conf)\n"
	      "  --windowed            a window instead of the whole screen\n"
	      "  --headless            draw offscreen: no display needed (for tests)\n"
	      "  --script FILE|-       scripted input, one command a line; - reads stdin\n"
	      "  --screenshot-dir DIR  where the script's \"shot NAME\" writes NAME.png\n"
	      "  --proof SRC           every screen of the content source SRC, in each of its\n"
	      "                        languages at 1920x1080 and 1080x1920, as PNGs with an\n"
	      "                        index.html into the new or empty folder --out DIR;\n"
	      "                        films, stills and subtitles from --media DIR (default\n"
	      "                        SRC/../media, else [content] media_dir)\n",
	      f);
}

/* What the kiosk has to show: installed content, else the seed, else none. */
static struct content *load_content(const struct config *cfg, struct store *store)
{
	struct content_error err;
	char *dir = NULL;
	struct content *content = NULL;
	if (content_install_seed(store, cfg->data_dir, cfg->seed_dir, cfg->media_dir, &dir, &err) !=
	    CONTENT_OK) {
		LOG_ERR("content: %s", err.message);
	} else if (content_load(dir, &content, &err) != CONTENT_OK) {
		LOG_ERR("installed content: %s", err.message);
	}
	free(dir);
	if (!content && content_load(cfg->seed_dir, &content, &err) != CONTENT_OK)
		LOG_ERR("demo content: %s; showing the built-in screens only", err.message);
	return content;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"windowed", no_argument, NULL, 'w'},
		{"headless", no_argument, NULL, 'H'},
		{"script", required_argument, NULL, 's'},
		{"screenshot-dir", required_argument, NULL, 'd'},
		{"proof", required_argument, NULL, 'p'},
		{"media", required_argument, NULL, 'm'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = "kiosk.conf";
	struct ui_options ui = {0};
	struct ui_proof_options proof = {0};
	int c;
	log_init();
	/* libvlc starts new decoder threads for every film; glibc would give them
	 * arenas of their own, each keeping freed memory.  Two arenas keep a
	 * kiosk that plays films for weeks at a flat size. */
	mallopt(M_ARENA_MAX, 2);
	/* A film's frames are megabytes each (a 720p frame is 3.7 MB, in our
	 * buffer and in VLC's pictures).  glibc raises its mmap threshold after
	 * such a block is freed and then serves the next from the heap, where
	 * it stays resident in pieces; a fixed threshold keeps every big buffer
	 * mapped, so that a stopped film gives its memory back to the system. */
	mallopt(M_MMAP_THRESHOLD, 512 * 1024);
	sync_init(); /* libcurl, before any thread */
	while ((c = getopt_long(argc, argv, "c:wHs:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'w': ui.windowed = true; break;
		case 'H': ui.headless = true; break;
		case 's': ui.script_path = optarg; break;
		case 'd': ui.screenshot_dir = optarg; break;
		case 'p': proof.src = optarg; break;
		case 'm': proof.media_dir = optarg; break;
		case 'o': proof.out_dir = optarg; break;
		case 'h': usage(stdout); return KIOSK_EXIT_OK;
		default: usage(stderr); return KIOSK_EXIT_USAGE;
		}
	}
	/* A proof is drawn offscreen and runs no script. */
	bool proofing = proof.src || proof.out_dir || proof.media_dir;
	if (optind != argc ||
	    (proofing && (!proof.src || !proof.out_dir || ui.script_path || ui.windowed))) {
		usage(stderr);
		return KIOSK_EXIT_USAGE;
	}
	/* Scripted runs live on a virtual clock from the very start. */
	if (ui.script_path)
		clock_use_virtual();

	int rc = KIOSK_EXIT_RUNTIME;
	struct config cfg;
	struct config_error cerr;
	struct store *store = NULL;
	struct content *content = NULL;
	struct model *model = NULL;
	struct opening_hours *hours = NULL;
	char *kiosk_id = NULL;
	bool config_ok = config_load(&cfg, config_path, &cerr) == 0;
	if (!config_ok) {
		LOG_ERR("%s", cerr.message);
		if (ui.headless || ui.script_path || proofing) {
			rc = KIOSK_EXIT_REJECTED;
			goto out;
		}
		/* On the screen: say so to staff rather than vanish. */
		char *dir = path_dirname(cerr.file[0] ? cerr.file : "kiosk.conf");
		config_free(&cfg);
		config_defaults(&cfg, dir);
		free(dir);
	}
	if (proofing) {
		rc = ui_proof(&cfg, &proof); /* no database, no installed content */
		goto out;
	}
	if (config_ok) {
		char *db = path_join(cfg.data_dir, "kiosk.sqlite3");
		enum store_err e = store_open(db, STORE_OPEN_RECOVER, &store);
		if (e != STORE_OK)
			LOG_ERR("%s: %s; feedback cannot be stored", db, store_strerror(e));
		else if (store_recovered_from(store))
			LOG_WARN("this database replaced a damaged one, kept as %s",
				 store_recovered_from(store));
		free(db);
		if (store && store_kiosk_id(store, cfg.kiosk_id, &kiosk_id) != STORE_OK)
			LOG_ERR("the kiosk's id cannot be read or made; feedback cannot be stored");
		if (store)
			content = load_content(&cfg, store);
	}
	/* The config checked the text: parsing it again cannot fail. */
	char why[160];
	if (config_ok && *cfg.opening_hours)
		hours = hours_parse(cfg.opening_hours, why, sizeof why);
	struct model_settings settings = {
		.languages = cfg.languages,
		.default_language = cfg.default_language,
		.idle_timeout_s = cfg.idle_timeout,
		.idle_warning_s = cfg.idle_warning,
		.text_scale = cfg.text_scale,
		.high_contrast = cfg.high_contrast,
		.speech = cfg.speech,
		.subtitles = cfg.subtitles,
		.store = kiosk_id ? store : NULL,
		.kiosk_id = kiosk_id,
		.data_dir = config_ok ? cfg.data_dir : NULL,
		.admin = config_ok && *cfg.admin_pin_hash,
		.hours = hours,
		.sync = config_ok && *cfg.sync_url,
	};
	model = model_new(&settings, content, clock_now_ms()); /* the model owns the content */
	if (!config_ok)
		model_set_out_of_service(model, cerr.message);
	else if (!store)
		model_set_out_of_service(model, "The database cannot be opened; see the log.");
	ui.kiosk_id = kiosk_id;
	rc = ui_run(&cfg, model, &ui);
out:
	model_free(model);
	hours_free(hours);
	store_close(store);
	free(kiosk_id);
	config_free(&cfg);
	return rc;
}
