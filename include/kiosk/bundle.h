/* bundle: signed content bundles (DESIGN.md §5), the way staff bring new
 * content on a USB stick.
 *
 * A bundle is a tar whose first two members are manifest.json (format,
 * bundle id, a version that only grows, creation time, minimum app version,
 * the signer's key id, and every file with path, size and SHA-256) and
 * manifest.sig (a detached Ed25519 signature over the manifest's exact
 * bytes), then the files under content/ and media/.  Keys are files holding
 * the base64 of libsodium's key bytes; a key id is the first 16 hex digits
 * of the SHA-256 of the public key.  Verifying checks the signature first,
 * then streams every member through its hash: nothing of a bundle is
 * trusted, or parsed beyond the capped manifest, before its signer is
 * known.  Only this module (and core) includes libsodium; only this one
 * includes libarchive (and nettle, whose SHA-256 hashes the members).
 */
#ifndef KIOSK_BUNDLE_H
#define KIOSK_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bundle_err {
	BUNDLE_OK,           /* it worked */
	BUNDLE_ERR_IO,       /* a file could not be read or written */
	BUNDLE_ERR_KEY,      /* a key file is missing, unreadable or not a key */
	BUNDLE_ERR_SOURCE,   /* the content to sign would be refused by a kiosk */
	BUNDLE_ERR_FORMAT,   /* not a bundle: not a tar, members out of order, manifest bad */
	BUNDLE_ERR_SIGNER,   /* signed by a key this kiosk does not trust */
	BUNDLE_ERR_SIGNATURE, /* the signature is not over these manifest bytes */
	BUNDLE_ERR_MEMBER,   /* a member breaks a rule: path, type, size, hash, extra, missing */
	BUNDLE_ERR_REFUSED,  /* a sound bundle this kiosk may not take: not newer, app too old */
	BUNDLE_ERR_CANCELLED, /* stopped before the switch (cancelled, the stick pulled out) */
};

const char *bundle_strerror(enum bundle_err err);

/* What went wrong, for one clear line (never a key's bytes). */
struct bundle_error {
	char message[640];
};

/* The largest manifest read: above this it is refused before parsing. */
#define BUNDLE_MANIFEST_MAX (1024 * 1024)

/* Makes a key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub.  Refuses
 * to overwrite either. */
enum bundle_err bundle_keygen(const char *prefix, struct bundle_error *err);

/* Signs the content folder src (laid out like assets/content/) with the
 * films, stills and subtitles it names from media_dir, as version, into
 * out (written under a temporary name, then renamed).  The source is
 * checked first as a kiosk would check it; nothing is signed that a kiosk
 * would refuse. */
enum bundle_err bundle_create(const char *key_path, const char *src, const char *media_dir,
			      int64_t version, const char *out, struct bundle_error *err);

/* What a verified bundle says about itself. */
struct bundle_info {
	char bundle_id[33];
	char key_id[17];
	char signer[256];    /* the trusted key file's name, without .pub */
	int64_t version;
	int64_t created;
	char min_app_version[32];
	size_t n_files;
	uint64_t total_bytes;
};

/* Verifies path against the *.pub keys in trusted_dir: the signature over
 * the manifest first, then every member streamed through its hash, checked
 * against the manifest (names, types, sizes, duplicates, nothing extra,
 * nothing missing). */
enum bundle_err bundle_verify(const char *path, const char *trusted_dir, struct bundle_info *info,
			      struct bundle_error *err);

struct store;

/* The steps of an import, as its progress shows them. */
enum bundle_phase {
	BUNDLE_PHASE_CHECKING = 1, /* signature, manifest, the kiosk's rules */
	BUNDLE_PHASE_COPYING,      /* members streamed through their hash into staging */
	BUNDLE_PHASE_SWITCHING,    /* fsync, rename, the one transaction */
};

/* How a long import reports and is stopped; any member may be NULL.  Both
 * are called on the importing thread. */
struct bundle_watch {
	void (*progress)(void *user, enum bundle_phase phase, uint64_t done, uint64_t total);
	bool (*cancelled)(void *user); /* true: stop before the switch */
	void *user;
};

/* Installs the bundle at path: the signature first; then, before any member
 * is read, its version must be newer than the one in use (unless force),
 * its minimum app version this one's or older, and the disk must have room;
 * then every member is streamed through its hash into a staging folder
 * beside the installed content, and the content module switches: staged
 * files and folders fsynced, renamed to DATA/content/VERSION, named in use
 * in one transaction.  On any failure nothing changes and nothing staged
 * stays.  The version before stays on disk (for rollback). */
enum bundle_err bundle_import(const char *path, const char *trusted_dir, struct store *s,
			      const char *data_dir, bool force, const struct bundle_watch *watch,
			      struct bundle_info *info, struct bundle_error *err);

/* Goes back to the version kept from before the last import, in one
 * transaction (its folder is checked as content first).  *version is the
 * version now in use.  The newer folder goes at the next start. */
enum bundle_err bundle_rollback(struct store *s, const char *data_dir, int64_t *version,
				struct bundle_error *err);

/* ---- What a bundle would change ---- */
enum bundle_change_kind { BUNDLE_ADDED, BUNDLE_CHANGED, BUNDLE_REMOVED };
enum bundle_item { BUNDLE_TOPIC, BUNDLE_FILM, BUNDLE_SURVEY, BUNDLE_LANGUAGE };

struct bundle_change {
	enum bundle_item item;
	enum bundle_change_kind kind;
	char id[32];          /* topic or film id, survey id, language code */
	char title[128];      /* its German title (else the first language's), or the id */
};

struct bundle_preview {
	struct bundle_info info;
	int64_t version_in_use;
	bool refused;               /* the bundle is sound but may not be installed here */
	struct bundle_error refusal; /* why (version, app version, disk) */
	struct bundle_change *changes; /* owned: topics, films, survey, languages in that order */
	size_t n_changes;
	char languages[160];        /* the bundle's languages, "de en tr" */
};

/* Reads what installing path would change against the version in use:
 * the signature and manifest first, then only the content/ members (each
 * through its hash, into a preview folder under DATA/content that is
 * removed again).  Films are compared by the hashes of the manifests (the
 * installed version keeps its bundle's), never by reading them.  A bundle
 * that breaks a rule fails like bundle_verify(); one that is sound but
 * may not be installed here comes back with refused set.  Free with
 * bundle_preview_free(). */
enum bundle_err bundle_preview(const char *path, const char *trusted_dir, struct store *s,
			       const char *data_dir, struct bundle_preview *out,
			       struct bundle_error *err);
void bundle_preview_free(struct bundle_preview *p);

/* ---- On the kiosk: the work on the job seam's import worker ---- */
struct jobs;
struct job_result;

enum bundle_op { BUNDLE_OP_PREVIEW, BUNDLE_OP_IMPORT };

/* What an import job hands back to the UI thread. */
struct bundle_outcome {
	enum bundle_op op;
	enum bundle_err err;
	struct bundle_error error;
	struct bundle_preview preview; /* BUNDLE_OP_PREVIEW */
	struct bundle_info info;       /* BUNDLE_OP_IMPORT */
	bool stick_gone;               /* the bundle's file went away while it was read */
};

/* Queue a preview or an import of path (copied) on the import worker, with
 * a worker connection to DATA/kiosk.sqlite3 of its own.  Progress goes to
 * the job's record (phase: enum bundle_phase; done/total: bytes).  The id,
 * or 0 when the queue is full. */
uint64_t bundle_submit(struct jobs *j, enum bundle_op op, const char *path,
		       const char *trusted_dir, const char *data_dir);
/* The outcome in a finished import job's result (NULL for other results,
 * for a job cancelled before it ran: then nothing was done, and for a
 * preview cancelled at all: it is about a bundle nobody waits for); owned
 * by the result.  An import cancelled while it ran reports what it did:
 * stopped (BUNDLE_ERR_CANCELLED), or installed when the cancel came after
 * the switch began. */
const struct bundle_outcome *bundle_outcome_of(const struct job_result *r);

/* ---- Sticks: where bundles come from (stick.c) ----
 * A thread that waits, without polling the disk, for sticks: inotify on
 * each of roots (a new folder there is a stick; its subfolders are watched
 * too) and poll() on /proc/self/mountinfo for mounts anywhere.  On a
 * change it looks for *.kiosk files two folders deep and calls wake. */
struct stick_watch;
struct wake;

struct stick_watch *stick_watch_start(char *const *roots, const struct wake *wake);
void stick_watch_stop(struct stick_watch *w);
/* The bundle on a stick now (the last by name when there are several), or
 * NULL; the caller frees. */
char *stick_watch_bundle(struct stick_watch *w);
/* The sticks there now (folders to write an export into), by name; a
 * NULL-terminated list the caller frees with strv_free().  Reads the
 * roots' folders on the calling thread. */
char **stick_watch_folders(struct stick_watch *w);

#endif
