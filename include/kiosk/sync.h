/* sync: feedback to the municipality's WebDAV server (DESIGN.md §6).
 *
 * One pass: every batch made before and not yet confirmed is sent again
 * with its fixed bytes; then new batches are made (store_batch_make: up to
 * batch_size responses of hours that have ended, picked at random), their
 * bytes written by the caller's write_batch (export_write_batch: sync
 * knows no format) and kept, and each is PUT to
 * URL/feedback/KIOSK_ID/BATCH_ID.ndjson after MKCOL of missing folders (a
 * 405 means the folder is there).  Only a 2xx marks a batch's responses
 * sent; anything else stops the pass with the batch kept as it was, so the
 * next pass writes the same object again: never a loss, never a
 * duplicate.  After the batches the pass PUTs URL/status/KIOSK_ID.json.
 *
 * TLS certificates and host names are always verified (ca_file adds a
 * municipal CA); redirects are followed only to the same scheme, host and
 * port; replies are cut off above SYNC_REPLY_MAX.  The password or token
 * (token_file, mode 0600: refused when others may read it) is never
 * logged, never in a message or the status, and wiped after the pass.
 * Only this module includes libcurl.
 */
#ifndef KIOSK_SYNC_H
#define KIOSK_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;

enum sync_err {
	SYNC_OK,              /* everything due was sent */
	SYNC_ERR_CONFIG,      /* no url, the token file missing or readable by others, a
	                       * ca_file that cannot be read as PEM */
	SYNC_ERR_UNREACHABLE, /* no connection, a timeout, a stall, a cut: nothing lost, later */
	SYNC_ERR_REFUSED,     /* the server answered other than 2xx (http_status says what) */
	SYNC_ERR_SERVER,      /* not HTTP, a reply above the cap, a redirect elsewhere, bad TLS */
	SYNC_ERR_STORE,       /* the database could not be read or written */
	SYNC_ERR_CANCELLED,   /* stopped between batches */
};

const char *sync_strerror(enum sync_err err);

/* The most a server's reply may hold; above it the transfer is cut off. */
#define SYNC_REPLY_MAX (64 * 1024)

struct sync_options {
	const char *url;        /* the server, without a trailing '/' */
	const char *user;       /* set: basic auth; empty: the token is a bearer token */
	const char *token_file; /* the password or token; empty: no auth */
	const char *ca_file;    /* empty: the system's CAs */
	const char *kiosk_id;
	const char *data_dir;   /* for the free disk in the status, and a fetched bundle */
	const char *bundle_url; /* a bundle to fetch when it changed (If-None-Match); may be
				 * NULL or empty */
	size_t batch_size;      /* responses per batch */
	long stall_s;           /* no byte moving for this long: the server is away */
	int64_t now_s;          /* wall clock: responses of hours before this one's go */
	int64_t uptime_s;       /* for the status */
	/* Writes a batch's bytes on the connection holding it (export_write_batch);
	 * 0 on success. */
	int (*write_batch)(struct store *s, const char *batch_id, FILE *out);
	/* Called after each batch the server confirmed (may be NULL). */
	void (*on_batch)(void *data, const char *batch_id, size_t responses);
	/* Asked between batches; true stops the pass (may be NULL). */
	bool (*cancelled)(void *data);
	void *data;             /* for on_batch and cancelled */
};

struct sync_result {
	enum sync_err err;
	char message[512];      /* one line for a log or an admin; never a secret */
	long http_status;       /* the answer that stopped the pass, or 0 */
	size_t batches;         /* confirmed in this pass */
	size_t responses;
	/* A new bundle from bundle_url, saved as DATA/content/download.kiosk for
	 * the caller to install as a bundle from a stick (empty: none new). */
	char bundle_file[1024];
	char bundle_error[512]; /* why fetching it failed (the pass's err is the feedback's) */
};

/* One pass on s (a worker connection).  The result also goes into the
 * database (last sync, last error) for status. */
enum sync_err sync_pass(struct store *s, const struct sync_options *o, struct sync_result *r);

/* What a pass now would send: batches kept from before and responses of
 * ended hours not yet in a batch (reads only). */
enum sync_err sync_plan(struct store *s, int64_t now_s, int64_t *batches, int64_t *responses);

/* Seconds to wait before the next try after failures passes in a row that
 * could not reach the server: full jitter between 5 s and the smaller of
 * interval_s and 5 s doubled per failure; random is any 32-bit number. */
int64_t sync_retry_delay_s(int failures, int interval_s, uint32_t random);

/* Once at the start, before any thread: libcurl's global set-up. */
void sync_init(void);

/* ---- On the kiosk: a pass on the job seam's sync worker ---- */
struct jobs;
struct job_result;

/* Queues a pass with o (its strings copied; on_batch, cancelled and data
 * are the job's own; now_s is taken when it runs).  The id, or 0 when the
 * queue is full. */
uint64_t sync_submit(struct jobs *j, const struct sync_options *o);
/* The result in a finished sync job's result (NULL for other results and
 * for a job cancelled before it ran); owned by the result. */
const struct sync_result *sync_result_of(const struct job_result *r);

/* A thread that calls wake (WAKE_SOURCE_NET) when a network link, address
 * or route comes or goes (netlink, no polling), so that a kiosk whose
 * server was away tries again soon.  Never NULL; a watch that cannot start
 * just never wakes. */
struct net_watch;
struct wake;
struct net_watch *net_watch_start(const struct wake *wake);
void net_watch_stop(struct net_watch *w);

#endif
