/* bundle: private parts shared by bundle.c, preview.c and job.c. */
#ifndef KIOSK_BUNDLE_INT_H
#define KIOSK_BUNDLE_INT_H

#include <jansson.h>

#include "kiosk/bundle.h"

/* Where the installed version keeps the manifest of the bundle it came
 * from (a name no member can take: it is staged first, O_EXCL). */
#define BUNDLE_KEPT_MANIFEST ".bundle-manifest.json"

enum bundle_err bundle_fail(struct bundle_error *err, enum bundle_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* SHA-256 (hex) and size of a file, streamed. */
enum bundle_err bundle_hash_file(const char *path, char out[65], uint64_t *size,
				 struct bundle_error *err);

/* How one pass over a bundle reads it. */
struct bundle_pass_opts {
	const char *staging;             /* members are written here; NULL: only checked */
	bool content_only;               /* media/ members are skipped unread (a preview) */
	const struct bundle_watch *watch; /* progress and cancel, or NULL */
	/* Looks at the verified manifest before any member is read; may refuse.
	 * May be NULL. */
	enum bundle_err (*before)(const struct bundle_info *info, json_t *manifest, void *user,
				  struct bundle_error *err);
	void *user;
};

/* Reads the bundle at path: the signature first, then the members against
 * the manifest.  *manifest (may be NULL) receives the verified manifest
 * (the caller's, json_decref). */
enum bundle_err bundle_read(const char *path, const char *trusted_dir,
			    const struct bundle_pass_opts *opts, struct bundle_info *info,
			    json_t **manifest, struct bundle_error *err);

/* The rules that need this kiosk: newer than the version in use (unless
 * force), made for this app, room on the disk. */
struct store;
enum bundle_err bundle_may_install(const struct bundle_info *info, struct store *s,
				   const char *data_dir, bool force, struct bundle_error *err);

#endif
