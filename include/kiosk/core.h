/* core: the ground every other module stands on.
 *
 * Configuration (kiosk.conf), logging, the one clock, paths and atomic
 * files, random ids, strings and memory.  Nothing here knows about SDL,
 * SQLite or the screens; every other layer may use it.
 */
#ifndef KIOSK_CORE_H
#define KIOSK_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Exit codes shared by kiosk and kioskctl (DESIGN.md §4) ---- */
enum kiosk_exit {
	KIOSK_EXIT_OK = 0,          /* everything worked */
	KIOSK_EXIT_RUNTIME = 1,     /* a runtime error */
	KIOSK_EXIT_USAGE = 2,       /* bad command line */
	KIOSK_EXIT_REJECTED = 3,    /* input rejected: config, bundle, content */
	KIOSK_EXIT_EXPECT = 4,      /* a script expectation failed */
	KIOSK_EXIT_UNREACHABLE = 5, /* the sync server could not be reached */
};

/* ---- Memory and strings: out of memory aborts (the service restarts us) ---- */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A NULL-terminated vector of owned strings. */
char **strv_split_spaces(const char *s);
size_t strv_len(char *const *v);
bool strv_contains(char *const *v, const char *s);
void strv_free(char **v);

/* True when the n bytes are well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t n);
/* Replaces every "{n}" in fmt by the number; caller frees. */
char *str_format_n(const char *fmt, long n);
/* Replaces every occurrence of var (e.g. "{total}") by the number; caller frees. */
char *str_format_var(const char *fmt, const char *var, long n);
/* Replaces every occurrence of var by value; caller frees. */
char *str_replace_var(const char *fmt, const char *var, const char *value);

/* ---- Logging: to standard error, one line per event, never secrets ---- */
enum log_level {
	LOG_LEVEL_ERROR,   /* something failed and a user may notice */
	LOG_LEVEL_WARNING, /* something is off but we carry on */
	LOG_LEVEL_INFO,    /* a notable step (start, content installed) */
	LOG_LEVEL_DEBUG,   /* detail for developers, off by default */
};

/* KIOSK_LOG=debug|info|warning|error in the environment sets the floor. */
void log_init(void);
void log_msg(enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define LOG_ERR(...) log_msg(LOG_LEVEL_ERROR, LOG_MODULE, __VA_ARGS__)
#define LOG_WARN(...) log_msg(LOG_LEVEL_WARNING, LOG_MODULE, __VA_ARGS__)
#define LOG_INFO(...) log_msg(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define LOG_DBG(...) log_msg(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__)

/* ---- The clock: one source of time for the whole program ----
 * In real runs it is CLOCK_MONOTONIC.  Scripted runs switch to a virtual
 * clock that moves only when the script says so (advance, wait, gestures),
 * so idle timeouts and inertia are tested without waiting and screenshots
 * come out the same every time. */
uint64_t clock_now_ms(void);
void clock_use_virtual(void);
bool clock_is_virtual(void);
void clock_advance_ms(uint64_t ms);
/* Monotonic real time in ms, whatever the virtual clock says: for budgets
 * of work beside the screen (a worker's transaction), never for the UI. */
uint64_t clock_real_ms(void);
/* Seconds since the epoch (wall time, for stamps and file names); in a
 * scripted run it moves on with the virtual clock from the real start. */
int64_t clock_wall_s(void);

/* ---- Paths and files ---- */
/* Joins a and b with one '/'; b absolute wins.  Caller frees. */
char *path_join(const char *a, const char *b);
/* The folder part of path ("." when there is none).  Caller frees. */
char *path_dirname(const char *path);
/* Makes an absolute path: relative paths are taken from base_dir. */
char *path_resolve(const char *base_dir, const char *path);
bool path_is_dir(const char *path);
bool path_exists(const char *path);
/* mkdir -p; returns 0 or -errno. */
int path_mkdirs(const char *path, unsigned mode);
/* Reads a whole file the program wrote itself (no cap); *out is
 * NUL-terminated and owned by the caller.  Returns 0 or -errno.  Bytes from
 * anywhere else go through file_read_capped(). */
int file_read_all(const char *path, char **out, size_t *len);

/* ---- The capped reader: every read of untrusted bytes (capread.c) ----
 * Content, bundles, sticks and server replies are read through this, so
 * that what is above its cap is refused before it is parsed (the shape of
 * curl's dynbuf and its toobig limit). */
struct capbuf {
	char *data;   /* NUL-terminated; NULL while empty */
	size_t len;   /* bytes held */
	size_t alloc; /* bytes allocated */
	size_t limit; /* the cap: more than this is refused */
};

void capbuf_init(struct capbuf *b, size_t limit);
/* Appends n bytes; -EFBIG (and nothing appended) when that would pass the
 * cap.  Returns 0 or -EFBIG. */
int capbuf_add(struct capbuf *b, const void *bytes, size_t n);
/* Hands the bytes over (NUL-terminated, never NULL; the caller frees) and
 * empties b. */
char *capbuf_take(struct capbuf *b, size_t *len);
void capbuf_free(struct capbuf *b);

/* Reads a whole regular file of at most cap bytes; *out is NUL-terminated
 * and owned by the caller.  Opens without blocking, so a FIFO or a device
 * is refused rather than waited on.  Returns 0, -EFBIG above the cap (before
 * reading), -EISDIR, -EINVAL (not a regular file) or -errno. */
int file_read_capped(const char *path, size_t cap, char **out, size_t *len);
/* For files handed to a library that opens them itself (films, subtitles,
 * pictures): 0 when path is a regular file whose real place is inside its
 * own folder; -ENOENT, -EISDIR, -EINVAL (not a regular file), -EXDEV (a link
 * that leads out of the folder) or -errno.  Never blocks (a FIFO is no
 * file). */
int file_check_regular_inside(const char *path);
/* A person's words for a file_read_capped() or file_check_regular_inside()
 * error. */
const char *file_read_strerror(int rc);
/* Writes via a temporary file, fsync, rename and fsync of the folder,
 * so that a crash leaves either the old or the new file. */
int file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* fsync of a folder, so that a rename inside it is durable. */
int path_fsync_dir(const char *dir);
/* Copies the tree src into dst (created), fsyncing every file and folder. */
int path_copy_tree(const char *src, const char *dst);
/* rm -rf; returns 0 or -errno (a missing path is 0). */
int path_remove_tree(const char *path);
/* Free bytes for an unprivileged user on the file system holding path, or -1. */
int64_t path_free_bytes(const char *path);

/* ---- Random ids (libsodium) ---- */
/* Writes 2*nbytes lowercase hex digits and a NUL into out. */
void id_random_hex(char *out, size_t nbytes);
/* A random 32-bit number (jitter, never a secret's only source). */
uint32_t id_random_u32(void);

/* ---- Jobs: the one seam for work beside the screen (jobs.c) ----
 * A worker thread per kind of job, a queue each, cancellation, a progress
 * record, and results handed back to the thread that owns struct jobs (the
 * UI thread).  Speech, PIN checks, bundle import, sync and export all run
 * here; none has a mailbox or an event of its own. */

/* Who is waking the UI thread: the one event type is dispatched by this. */
enum wake_source {
	WAKE_SOURCE_JOBS,  /* a job finished, was cancelled or made progress */
	WAKE_SOURCE_MEDIA, /* the film player has a frame or a change of state */
	WAKE_SOURCE_STICK, /* a USB stick came or went */
	WAKE_SOURCE_NET,   /* a network link or address came or went */
	WAKE_SOURCE_COUNT, /* (the number of sources) */
};

/* The one way back to the UI thread; ui/ hands it down.  fn is called on
 * other threads and must be thread-safe (it posts an event, nothing more). */
struct wake {
	void (*fn)(void *data, enum wake_source source);
	void *data;
};

/* Calls w->fn; does nothing for a NULL w or fn. */
void wake_call(const struct wake *w, enum wake_source source);

enum job_kind {
	JOB_KIND_SPEECH, /* text to PCM (espeak-ng) */
	JOB_KIND_PIN,    /* checking the admin PIN, slow on purpose */
	JOB_KIND_IMPORT, /* installing a content bundle */
	JOB_KIND_SYNC,   /* sending feedback to the server */
	JOB_KIND_EXPORT, /* writing feedback to a stick */
	JOB_KIND_COUNT,  /* (the number of kinds) */
};

const char *job_kind_name(enum job_kind kind);

/* At most this many jobs of one kind wait; one more is refused. */
#define JOBS_QUEUE_MAX 8

struct job;  /* one piece of work, as its run function sees it */
struct jobs; /* the workers, their queues and the finished jobs */

/* Runs on the kind's worker thread.  data holds the job's input and
 * receives its result.  Returns 0 or the doing module's error code. */
typedef int (*job_run_fn)(struct job *job, void *data);
typedef void (*job_free_fn)(void *data);

struct job_progress {
	uint64_t id;         /* the job it describes (0: none yet) */
	int phase;           /* the job's own steps (verify, copy, switch …) */
	int64_t done, total; /* units of the phase (bytes, batches) */
};

struct job_result {
	enum job_kind kind;
	uint64_t id;
	int status;          /* what the run function returned */
	bool cancelled;      /* cancelled before or while it ran */
	void *data;          /* owned by the result until job_result_free() */
	job_free_fn free_data;
};

/* The owner's side (one thread: the one that called jobs_new). */
struct jobs *jobs_new(const struct wake *wake);
/* Cancels what runs, drops what waits, joins every worker. */
void jobs_free(struct jobs *j);
/* Queues run(data) on the kind's worker, taking ownership of data (freed
 * with free_data).  Returns the job's id, or 0 when the queue is full (data
 * is then freed and the refusal logged). */
uint64_t jobs_submit(struct jobs *j, enum job_kind kind, job_run_fn run, void *data,
		     job_free_fn free_data);
/* Every job of kind is cancelled: waiting ones come back at once, marked
 * cancelled; the running one sees job_cancelled() and stops when it can. */
void jobs_cancel(struct jobs *j, enum job_kind kind);
/* The oldest finished job, if any; free it with job_result_free(). */
bool jobs_take_result(struct jobs *j, struct job_result *out);
void job_result_free(struct job_result *r);
/* Any thread: the progress of the kind's newest job. */
void jobs_progress(struct jobs *j, enum job_kind kind, struct job_progress *out);
/* A job of kind is waiting or running. */
bool jobs_busy(struct jobs *j, enum job_kind kind);

/* The running job's side (its worker thread). */
bool job_cancelled(const struct job *job);
uint64_t job_id(const struct job *job);
/* Records progress and wakes the UI thread. */
void job_set_progress(struct job *job, int phase, int64_t done, int64_t total);

/* ---- Configuration (kiosk.conf) ---- */
enum config_renderer {
	CONFIG_RENDERER_AUTO,        /* software unless a GPU is known to be there */
	CONFIG_RENDERER_SOFTWARE,    /* SDL's software renderer on the window surface */
	CONFIG_RENDERER_ACCELERATED, /* SDL's accelerated renderer (GPU machines) */
};

struct config {
	char *path;          /* the file read (absolute) */
	char *dir;           /* its folder: relative paths are taken from here */
	/* [kiosk] */
	char *kiosk_id;      /* empty: made at first start, kept in the database */
	char **languages;    /* offered, where the content has them */
	char *default_language;
	int idle_timeout;    /* seconds without a touch before the warning */
	int idle_warning;    /* seconds the warning stays, at least 20 */
	bool fullscreen;
	int width, height;   /* the screen's resolution in pixels */
	double screen_diagonal_inch;
	enum config_renderer renderer;
	char *data_dir;      /* absolute */
	char *font_dir;      /* absolute */
	char *opening_hours; /* empty: always on; else hours_parse's syntax */
	/* [content] */
	char *seed_dir;      /* absolute: the demo content installed at first start */
	char *media_dir;     /* absolute: films, stills and subtitles of the seed */
	/* [bundle] */
	char *trusted_keys;  /* absolute: the folder whose *.pub files may sign bundles */
	char **usb_roots;    /* absolute: where sticks appear */
	/* [export] */
	int export_min_cell; /* counts below it show as "weniger als N" in a summary */
	/* [sync] (empty strings: not set) */
	char *sync_url;        /* the server's address without a trailing '/'; empty: no sync */
	char *sync_bundle_url; /* a bundle to fetch; empty: no content from the server */
	char *sync_user;       /* set: basic auth with the token file as password */
	char *sync_token_file; /* absolute: the password, or without user a bearer token */
	char *sync_ca_file;    /* absolute: a municipal CA to verify the server with */
	int sync_interval;     /* seconds between passes */
	/* [admin] */
	char *admin_pin_hash;  /* crypto_pwhash_str of the PIN; empty: no admin area */
	/* [accessibility] */
	int text_scale;      /* 100, 150 or 200 */
	bool high_contrast;
	bool subtitles;      /* films start with subtitles */
	bool speech;         /* speech mode (first tap speaks, second acts) at the start */
	bool low_reach;      /* every control in the lower part of a tall screen */
};

struct config_error {
	char file[512];
	int line;            /* 0 when the whole file is at fault */
	char key[128];       /* "section.key", or empty */
	char message[512];   /* one line for a person: "FILE:LINE: [s] k: why" */
};

/* Fills c with the defaults (paths relative to dir). */
void config_defaults(struct config *c, const char *dir);
/* Reads path over the defaults.  Returns 0, or -1 with err filled in. */
int config_load(struct config *c, const char *path, struct config_error *err);
void config_free(struct config *c);
/* Pixels per centimetre on the configured screen. */
double config_px_per_cm(const struct config *c);

/* ---- The admin PIN (pin.c) ----
 * Digits only, 4 to 12 of them.  Hashed with libsodium's crypto_pwhash_str
 * (Argon2id); a check costs a tenth of a second and 64 MiB on purpose, so
 * it runs on the job seam's PIN worker.  The PIN is wiped after use. */
#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 12
#define PIN_HASH_MAX 128

bool pin_valid(const char *pin);
/* A string crypto_pwhash_str makes ("$argon2id$..."). */
bool pin_hash_valid(const char *hash);
/* 0, or -1 for a PIN that is not 4 to 12 digits. */
int pin_hash(const char *pin, char out[PIN_HASH_MAX]);
bool pin_verify(const char *hash, const char *pin);
/* Queues a check of pin (copied, wiped after) against hash; the job id,
 * or 0 when the queue is full. */
uint64_t pin_submit(struct jobs *j, const char *hash, const char *pin);
/* A finished PIN job's verdict; false for other results and for a check
 * cancelled before it ran. */
bool pin_result(const struct job_result *r, bool *ok);

/* ---- Opening hours (hours.c): when the screen may go dark ----
 * "Mo-Fr 08:00-18:00; Sa 09:00-13:00; 2026-12-24 off": weekday rules
 * (a later one replaces an earlier for its days), dates closed; local
 * time.  hours_parse returns NULL with why set for a bad text. */
struct opening_hours;
struct opening_hours *hours_parse(const char *text, char *why, size_t why_size);
void hours_free(struct opening_hours *h);
/* Open at that wall-clock second (always, for NULL hours). */
bool hours_open(const struct opening_hours *h, int64_t wall_s);
/* The next second at which open turns to closed or back; 0: never. */
int64_t hours_next_change(const struct opening_hours *h, int64_t wall_s);

#endif
