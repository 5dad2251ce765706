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

/* Installs the bundle at path: the signature first; then, before any member
 * is read, its version must be newer than the one in use (unless force),
 * its minimum app version this one's or older, and the disk must have room;
 * then every member is streamed through its hash into a staging folder
 * beside the installed content, and the content module switches: staged
 * files and folders fsynced, renamed to DATA/content/VERSION, named in use
 * in one transaction.  On any failure nothing changes and nothing staged
 * stays.  The version before stays on disk (for rollback). */
enum bundle_err bundle_import(const char *path, const char *trusted_dir, struct store *s,
			      const char *data_dir, bool force, struct bundle_info *info,
			      struct bundle_error *err);

#endif
