/* bundle: making, signing and verifying content bundles. */
#include "kiosk/bundle.h"
#include "bundle_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <sodium.h>

#include "kiosk/content.h"
#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "bundle"

#define fail bundle_fail

#define KEY_FILE_MAX 4096
#define CHUNK (64 * 1024)
/* Staged bytes handed to the disk while the rest of the member is hashed. */
#define WRITEBACK (8 * 1024 * 1024)

const char *bundle_strerror(enum bundle_err err)
{
	switch (err) {
	case BUNDLE_OK: return "ok";
	case BUNDLE_ERR_IO: return "a file could not be read or written";
	case BUNDLE_ERR_KEY: return "a key is missing or unreadable";
	case BUNDLE_ERR_SOURCE: return "the content would be refused by a kiosk";
	case BUNDLE_ERR_FORMAT: return "this is not a content bundle";
	case BUNDLE_ERR_SIGNER: return "the bundle is signed by a key this kiosk does not trust";
	case BUNDLE_ERR_SIGNATURE: return "the signature does not match: the bundle was changed";
	case BUNDLE_ERR_MEMBER: return "a file in the bundle breaks a rule";
	case BUNDLE_ERR_REFUSED: return "this kiosk may not install the bundle";
	case BUNDLE_ERR_CANCELLED: return "the import was stopped before the switch";
	}
	return "unknown error";
}

enum bundle_err bundle_fail(struct bundle_error *err, enum bundle_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return code;
}

/* ---- Keys ---- */

static void hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The first 16 hex digits of the SHA-256 of the public key. */
static void key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], char out[17])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char all[2 * crypto_hash_sha256_BYTES + 1];
	crypto_hash_sha256(h, pk, crypto_sign_PUBLICKEYBYTES);
	hex(h, sizeof h, all);
	memcpy(out, all, 16);
	out[16] = '\0';
}

/* Reads a key file (base64 of exactly n bytes) into out. */
static enum bundle_err read_key(const char *path, unsigned char *out, size_t n,
				struct bundle_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = file_read_capped(path, KEY_FILE_MAX, &text, &len);
	if (rc)
		return fail(err, BUNDLE_ERR_KEY, "%s: %s", path, file_read_strerror(rc));
	size_t got = 0;
	bool ok = sodium_base642bin(out, n, text, len, " \r\n\t", &got, NULL,
				    sodium_base64_VARIANT_ORIGINAL) == 0 && got == n;
	sodium_memzero(text, len);
	free(text);
	if (!ok)
		return fail(err, BUNDLE_ERR_KEY, "%s: not a key of this kind (base64 of %zu bytes)",
			    path, n);
	return BUNDLE_OK;
}

/* Writes a new file (never over one that is there) with the given mode. */
static enum bundle_err write_new(const char *path, const char *text, unsigned mode,
				 struct bundle_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return fail(err, BUNDLE_ERR_IO, "%s: %s", path,
			    errno == EEXIST ? "is there already; keys are never overwritten"
					    : strerror(errno));
	size_t n = strlen(text);
	bool ok = fchmod(fd, mode) == 0 && write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
	int saved = errno;
	close(fd);
	if (!ok) {
		unlink(path);
		return fail(err, BUNDLE_ERR_IO, "%s: %s", path, strerror(saved));
	}
	return BUNDLE_OK;
}

enum bundle_err bundle_keygen(const char *prefix, struct bundle_error *err)
{
	if (sodium_init() < 0)
		return fail(err, BUNDLE_ERR_KEY, "libsodium cannot start");
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	crypto_sign_keypair(pk, sk);
	char sk64[sodium_base64_ENCODED_LEN(sizeof sk, sodium_base64_VARIANT_ORIGINAL) + 1];
	char pk64[sodium_base64_ENCODED_LEN(sizeof pk, sodium_base64_VARIANT_ORIGINAL) + 1];
	sodium_bin2base64(sk64, sizeof sk64 - 1, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(pk64, sizeof pk64 - 1, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
	strcat(sk64, "\n");
	strcat(pk64, "\n");
	char *key_path = xasprintf("%s.key", prefix), *pub_path = xasprintf("%s.pub", prefix);
	enum bundle_err e = write_new(key_path, sk64, 0600, err);
	if (e == BUNDLE_OK && (e = write_new(pub_path, pk64, 0644, err)) != BUNDLE_OK)
		unlink(key_path);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(sk64, sizeof sk64);
	if (e == BUNDLE_OK) {
		char id[17];
		key_id(pk, id);
		LOG_INFO("made the key pair %s (key id %s); the secret key file is for the signer only",
			 pub_path, id);
	}
	free(key_path);
	free(pub_path);
	return e;
}

/* ---- Making a bundle ---- */

struct file {
	char *member;  /* its path in the bundle: content/… or media/… */
	char *path;    /* where it is read from */
};

struct files {
	struct file *v;
	size_t n;
};

static void files_add(struct files *f, char *member, char *path)
{
	f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
	f->v[f->n++] = (struct file){member, path};
}

static void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].member);
		free(f->v[i].path);
	}
	free(f->v);
}

/* Every regular file below dir, as prefix/REL; links and other kinds are
 * refused (a bundle holds files, nothing that points elsewhere). */
static enum bundle_err walk(const char *dir, const char *prefix, struct files *out,
			    struct bundle_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return fail(err, BUNDLE_ERR_IO, "%s: %s", dir, strerror(errno));
	enum bundle_err e = BUNDLE_OK;
	struct dirent *ent;
	while (e == BUNDLE_OK && (ent = readdir(d))) {
		if (ent->d_name[0] == '.')
			continue; /* ., .. and hidden editor files */
		char *path = path_join(dir, ent->d_name);
		char *member = xasprintf("%s/%s", prefix, ent->d_name);
		struct stat st;
		if (lstat(path, &st) != 0) {
			e = fail(err, BUNDLE_ERR_IO, "%s: %s", path, strerror(errno));
		} else if (S_ISDIR(st.st_mode) && strcmp(member, "content/media") == 0) {
			e = fail(err, BUNDLE_ERR_SOURCE, "%s: a content source holds no media folder "
				 "(the content's folder is installed over media/); name it with --media",
				 path);
		} else if (S_ISDIR(st.st_mode)) {
			e = walk(path, member, out, err);
		} else if (S_ISREG(st.st_mode)) {
			files_add(out, member, path);
			continue;
		} else {
			e = fail(err, BUNDLE_ERR_SOURCE, "%s: not a regular file (a link or a device); "
				 "a bundle holds files only", path);
		}
		free(path);
		free(member);
	}
	closedir(d);
	return e;
}

/* The media file rel (named by the content) joins the bundle. */
static enum bundle_err add_media(const char *media_dir, const char *rel, struct files *out,
				 struct bundle_error *err)
{
	if (!rel)
		return BUNDLE_OK;
	for (size_t i = 0; i < out->n; i++)
		if (strncmp(out->v[i].member, "media/", 6) == 0 && strcmp(out->v[i].member + 6, rel) == 0)
			return BUNDLE_OK;
	char *path = path_join(media_dir, rel);
	int rc = file_check_regular_inside(path);
	if (rc) {
		enum bundle_err e = fail(err, BUNDLE_ERR_SOURCE, "%s: named by content.json, but %s",
					 path, rc == -ENOENT ? "missing" : file_read_strerror(rc));
		free(path);
		return e;
	}
	files_add(out, xasprintf("media/%s", rel), path);
	return BUNDLE_OK;
}

/* Checks the source as a kiosk would, then lists what the bundle holds. */
static enum bundle_err check_source(const char *src, const char *media_dir, struct files *out,
				    struct bundle_error *err)
{
	struct content *c = NULL;
	struct content_error cerr;
	if (content_load(src, &c, &cerr) != CONTENT_OK)
		return fail(err, BUNDLE_ERR_SOURCE, "%s", cerr.message);
	enum bundle_err e = BUNDLE_OK;
	for (size_t t = 0; e == BUNDLE_OK && t < c->n_topics; t++)
		for (size_t l = 0; e == BUNDLE_OK && l < c->n_languages; l++) {
			struct page *p = NULL;
			if (content_page_load(c, &c->topics[t], c->languages[l].code, &p, &cerr) !=
			    CONTENT_OK)
				e = fail(err, BUNDLE_ERR_SOURCE, "%s", cerr.message);
			else if (p->fell_back && c->languages[l].complete)
				e = fail(err, BUNDLE_ERR_SOURCE, "topic %s has no page in %s, but %s "
					 "is marked complete (mark it partial, or add the page)",
					 c->topics[t].id, c->languages[l].code, c->languages[l].code);
			page_free(p);
		}
	if (e == BUNDLE_OK)
		e = walk(src, "content", out, err);
	for (size_t i = 0; e == BUNDLE_OK && i < c->n_films; i++) {
		const struct content_film *f = &c->films[i];
		e = add_media(media_dir, f->file, out, err);
		if (e == BUNDLE_OK)
			e = add_media(media_dir, f->still, out, err);
		for (size_t k = 0; e == BUNDLE_OK && k < f->subtitles.n; k++)
			e = add_media(media_dir, f->subtitles.texts[k], out, err);
	}
	content_free(c);
	return e;
}

/* The bundle's content.json carries the bundle's version, so that the two
 * agree: a copy with "version" set takes the source's place. */
static enum bundle_err stamp_version(struct files *files, int64_t version, const char *copy,
				     struct bundle_error *err)
{
	for (size_t i = 0; i < files->n; i++) {
		if (strcmp(files->v[i].member, "content/content.json") != 0)
			continue;
		json_error_t je;
		json_t *index = json_load_file(files->v[i].path, JSON_REJECT_DUPLICATES, &je);
		if (!index)
			return fail(err, BUNDLE_ERR_SOURCE, "%s:%d:%d: %s", files->v[i].path, je.line,
				    je.column, je.text);
		json_object_set_new(index, "version", json_integer(version));
		int rc = json_dump_file(index, copy, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(index);
		if (rc != 0)
			return fail(err, BUNDLE_ERR_IO, "%s: cannot be written", copy);
		free(files->v[i].path);
		files->v[i].path = xstrdup(copy);
		return BUNDLE_OK;
	}
	return fail(err, BUNDLE_ERR_SOURCE, "the source has no content.json");
}

/* SHA-256 and size of a file, streamed. */
enum bundle_err bundle_hash_file(const char *path, char out[65], uint64_t *size,
				 struct bundle_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, BUNDLE_ERR_IO, "%s: %s", path, strerror(errno));
	struct sha256_ctx st;
	sha256_init(&st);
	unsigned char *buf = xmalloc(CHUNK);
	ssize_t got;
	*size = 0;
	while ((got = read(fd, buf, CHUNK)) > 0) {
		sha256_update(&st, (size_t)got, buf);
		*size += (uint64_t)got;
	}
	int saved = errno;
	close(fd);
	free(buf);
	if (got < 0)
		return fail(err, BUNDLE_ERR_IO, "%s: %s", path, strerror(saved));
	unsigned char h[SHA256_DIGEST_SIZE];
	sha256_digest(&st, sizeof h, h);
	hex(h, sizeof h, out);
	return BUNDLE_OK;
}

static enum bundle_err write_member(struct archive *a, const char *name, const void *data,
				    size_t len, const char *from, int64_t mtime,
				    struct bundle_error *err)
{
	struct archive_entry *entry = archive_entry_new();
	archive_entry_set_pathname(entry, name);
	archive_entry_set_filetype(entry, AE_IFREG);
	archive_entry_set_perm(entry, 0644);
	archive_entry_set_mtime(entry, mtime, 0);
	archive_entry_set_size(entry, (la_int64_t)len);
	enum bundle_err e = BUNDLE_OK;
	if (archive_write_header(a, entry) != ARCHIVE_OK)
		e = fail(err, BUNDLE_ERR_IO, "%s: %s", name, archive_error_string(a));
	if (e == BUNDLE_OK && data && archive_write_data(a, data, len) != (la_ssize_t)len)
		e = fail(err, BUNDLE_ERR_IO, "%s: %s", name, archive_error_string(a));
	if (e == BUNDLE_OK && from) {
		int fd = open(from, O_RDONLY | O_CLOEXEC);
		char *buf = xmalloc(CHUNK);
		ssize_t got = fd < 0 ? -1 : 0;
		size_t total = 0;
		while (fd >= 0 && (got = read(fd, buf, CHUNK)) > 0 && total + (size_t)got <= len) {
			if (archive_write_data(a, buf, (size_t)got) != got)
				break;
			total += (size_t)got;
		}
		if (fd >= 0)
			close(fd);
		free(buf);
		if (got != 0 || total != len)
			e = fail(err, BUNDLE_ERR_IO, "%s: changed or unreadable while it was packed",
				 from);
	}
	archive_entry_free(entry);
	return e;
}

enum bundle_err bundle_create(const char *key_path, const char *src, const char *media_dir,
			      int64_t version, const char *out, struct bundle_error *err)
{
	if (sodium_init() < 0)
		return fail(err, BUNDLE_ERR_KEY, "libsodium cannot start");
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	enum bundle_err e = read_key(key_path, sk, sizeof sk, err);
	if (e)
		return e;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	struct files files = {0};
	json_t *list = json_array(), *manifest = NULL;
	char *text = NULL, *tmp = NULL;
	struct archive *a = NULL;
	e = check_source(src, media_dir, &files, err);
	int64_t now = clock_wall_s();
	if (version <= 0)
		version = now;
	char *index_copy = xasprintf("%s.content-%ld.json", out, (long)getpid());
	if (e == BUNDLE_OK)
		e = stamp_version(&files, version, index_copy, err);
	uint64_t total = 0;
	for (size_t i = 0; e == BUNDLE_OK && i < files.n; i++) {
		char sum[65];
		uint64_t size = 0;
		e = bundle_hash_file(files.v[i].path, sum, &size, err);
		json_array_append_new(list, json_pack("{s:s, s:I, s:s}", "path", files.v[i].member,
						      "size", (json_int_t)size, "sha256", sum));
		total += size;
	}
	if (e)
		goto out;
	char id[17], bundle_id[33];
	key_id(pk, id);
	id_random_hex(bundle_id, 16);
	manifest = json_pack("{s:i, s:s, s:I, s:I, s:s, s:s, s:O}", "format", 1, "bundle_id",
			     bundle_id, "version", (json_int_t)version,
			     "created", (json_int_t)now, "min_app_version", KIOSK_VERSION,
			     "key_id", id, "files", list);
	text = json_dumps(manifest, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	size_t text_len = strlen(text);
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, text_len, sk);

	tmp = xasprintf("%s.tmp-%ld", out, (long)getpid());
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		e = fail(err, BUNDLE_ERR_IO, "%s: %s", out, archive_error_string(a));
		goto out;
	}
	e = write_member(a, "manifest.json", text, text_len, NULL, now, err);
	if (e == BUNDLE_OK)
		e = write_member(a, "manifest.sig", sig, sizeof sig, NULL, now, err);
	for (size_t i = 0; e == BUNDLE_OK && i < files.n; i++) {
		json_t *f = json_array_get(list, i);
		e = write_member(a, files.v[i].member, NULL,
				 (size_t)json_integer_value(json_object_get(f, "size")),
				 files.v[i].path, now, err);
	}
	if (archive_write_close(a) != ARCHIVE_OK && e == BUNDLE_OK)
		e = fail(err, BUNDLE_ERR_IO, "%s: %s", out, archive_error_string(a));
	if (e == BUNDLE_OK && rename(tmp, out) != 0)
		e = fail(err, BUNDLE_ERR_IO, "%s: %s", out, strerror(errno));
	if (e == BUNDLE_OK)
		LOG_INFO("%s: version %lld, %zu files, %llu bytes, signed by key %s", out,
			 (long long)json_integer_value(json_object_get(manifest, "version")), files.n,
			 (unsigned long long)total, id);
out:
	sodium_memzero(sk, sizeof sk);
	if (a)
		archive_write_free(a);
	if (tmp && e != BUNDLE_OK)
		unlink(tmp);
	unlink(index_copy);
	free(index_copy);
	free(tmp);
	free(text);
	json_decref(manifest);
	json_decref(list);
	files_free(&files);
	return e;
}

/* ---- Verifying ---- */

/* The trusted key whose id the manifest names, or BUNDLE_ERR_SIGNER. */
static enum bundle_err find_signer(const char *trusted_dir, const char *want_id,
				   unsigned char pk[crypto_sign_PUBLICKEYBYTES], char *signer,
				   size_t signer_size, struct bundle_error *err)
{
	DIR *d = opendir(trusted_dir);
	if (!d)
		return fail(err, BUNDLE_ERR_SIGNER, "no trusted keys: %s: %s ([bundle] trusted_keys)",
			    trusted_dir, strerror(errno));
	enum bundle_err e = BUNDLE_ERR_SIGNER;
	struct dirent *ent;
	while (e == BUNDLE_ERR_SIGNER && (ent = readdir(d))) {
		size_t n = strlen(ent->d_name);
		if (n < 5 || strcmp(ent->d_name + n - 4, ".pub") != 0)
			continue;
		char *path = path_join(trusted_dir, ent->d_name);
		struct bundle_error ignored;
		char id[17];
		if (read_key(path, pk, crypto_sign_PUBLICKEYBYTES, &ignored) == BUNDLE_OK) {
			key_id(pk, id);
			if (strcmp(id, want_id) == 0) {
				snprintf(signer, signer_size, "%.*s", (int)(n - 4), ent->d_name);
				e = BUNDLE_OK;
			}
		}
		free(path);
	}
	closedir(d);
	if (e)
		fail(err, e, "the bundle is signed by key %s, which is not among the trusted keys in "
		     "%s: ask whoever made it, or have IT add its .pub file", want_id, trusted_dir);
	return e;
}

/* Reads the current member whole, refusing more than cap bytes. */
static enum bundle_err read_member(struct archive *a, struct archive_entry *entry, size_t cap,
				   struct capbuf *out, struct bundle_error *err)
{
	if (archive_entry_size(entry) < 0 || (uint64_t)archive_entry_size(entry) > cap)
		return fail(err, BUNDLE_ERR_FORMAT, "%s: larger than the %zu bytes it may have",
			    archive_entry_pathname(entry), cap);
	capbuf_init(out, cap);
	char buf[8192];
	la_ssize_t got;
	while ((got = archive_read_data(a, buf, sizeof buf)) > 0)
		if (capbuf_add(out, buf, (size_t)got) != 0)
			return fail(err, BUNDLE_ERR_FORMAT, "%s: larger than it says",
				    archive_entry_pathname(entry));
	if (got < 0)
		return fail(err, BUNDLE_ERR_FORMAT, "%s: %s", archive_entry_pathname(entry),
			    archive_error_string(a));
	return BUNDLE_OK;
}

/* Why p is not a member's path (relative, under content/ or media/, no "."
 * or "..", UTF-8 without control characters), or NULL when it is one. */
static const char *member_path_problem(const char *p)
{
	if (!p || !*p)
		return "no name";
	if (!utf8_valid(p, strlen(p)))
		return "not UTF-8";
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "a control character in it";
	if (p[0] == '/')
		return "an absolute path";
	for (const char *s = p; *s;) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return "'..' in it";
		if ((n == 1 && s[0] == '.') || (n == 0 && slash))
			return "'.' or '//' in it";
		s += n + (slash ? 1 : 0);
	}
	if (strncmp(p, "content/", 8) != 0 && strncmp(p, "media/", 6) != 0)
		return "outside content/ and media/";
	/* content/X is installed as X: content/media would land on media/. */
	if (strncmp(p, "content/media", 13) == 0 && (p[13] == '/' || !p[13]))
		return "content/media is where media/ is installed";
	return NULL;
}

/* One pass over a bundle's members (bundle_read). */
struct pass {
	struct archive *a;
	json_t *files;                   /* the manifest's, borrowed */
	struct bundle_info *info;
	bool *seen;                      /* parallel to files */
	const struct bundle_pass_opts *opts;
	uint64_t done, reported;         /* bytes read; bytes last reported */
	struct bundle_error *err;
};

static bool pass_cancelled(const struct pass *p)
{
	const struct bundle_watch *w = p->opts->watch;
	return w && w->cancelled && w->cancelled(w->user);
}

static void pass_progress(struct pass *p, enum bundle_phase phase)
{
	const struct bundle_watch *w = p->opts->watch;
	/* Every 1/200 of the bundle: a bar moves smoothly without waking the
	 * screen for each 64 KiB. */
	if (w && w->progress && (p->done - p->reported >= p->info->total_bytes / 200 + 1 ||
				 p->done == p->info->total_bytes)) {
		p->reported = p->done;
		w->progress(w->user, phase, p->done, p->info->total_bytes);
	}
}

/* Writes all of buf (a write may take part of it; the next one says why it
 * stops): 0, or the errno that stopped it. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : ENOSPC;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Streams the member through SHA-256 (and into sink, when >= 0); its size
 * and hash must be the manifest's.  A member longer than the manifest says
 * stops at once. */
static enum bundle_err check_member(struct pass *p, const char *name, json_t *want, int sink)
{
	uint64_t size = (uint64_t)json_integer_value(json_object_get(want, "size")), total = 0;
	uint64_t handed = 0;
	const char *sum = json_string_value(json_object_get(want, "sha256"));
	struct sha256_ctx st;
	sha256_init(&st);
	char *buf = xmalloc(CHUNK);
	la_ssize_t got;
	enum bundle_err e = BUNDLE_OK;
	while ((got = archive_read_data(p->a, buf, CHUNK)) > 0) {
		total += (uint64_t)got;
		if (total > size) {
			e = fail(p->err, BUNDLE_ERR_MEMBER, "%s: longer than the manifest says (%llu "
				 "bytes)", name, (unsigned long long)size);
			break;
		}
		sha256_update(&st, (size_t)got, (const uint8_t *)buf);
		int werr = sink >= 0 ? write_all(sink, buf, (size_t)got) : 0;
		if (werr) {
			e = fail(p->err, BUNDLE_ERR_IO, "%s: cannot be written: %s", name, strerror(werr));
			break;
		}
		/* Start writing back what is staged so far, so the disk works while
		 * the rest is hashed; the fsync before the switch still waits for
		 * every byte (this only starts it, and may fail without harm). */
		if (sink >= 0 && total - handed >= WRITEBACK) {
			(void)sync_file_range(sink, (off_t)handed, (off_t)(total - handed),
					      SYNC_FILE_RANGE_WRITE);
			handed = total;
		}
		if (pass_cancelled(p)) {
			e = fail(p->err, BUNDLE_ERR_CANCELLED, "stopped while copying %s", name);
			break;
		}
		p->done += (uint64_t)got;
		pass_progress(p, BUNDLE_PHASE_COPYING);
	}
	free(buf);
	if (e)
		return e;
	if (got < 0)
		return fail(p->err, BUNDLE_ERR_MEMBER, "%s: %s (the file may be cut short, or the "
			    "stick was pulled out)", name, archive_error_string(p->a));
	if (total != size)
		return fail(p->err, BUNDLE_ERR_MEMBER, "%s: %llu bytes, the manifest says %llu", name,
			    (unsigned long long)total, (unsigned long long)size);
	unsigned char h[SHA256_DIGEST_SIZE];
	char got_sum[65];
	sha256_digest(&st, sizeof h, h);
	hex(h, sizeof h, got_sum);
	if (!sum || strcmp(sum, got_sum) != 0)
		return fail(p->err, BUNDLE_ERR_MEMBER, "%s: its SHA-256 is not the manifest's: the "
			    "file was changed after signing", name);
	return BUNDLE_OK;
}

/* Checks the manifest's fields and fills info. */
static enum bundle_err read_manifest(json_t *m, struct bundle_info *info, struct bundle_error *err)
{
	json_t *files = json_object_get(m, "files");
	const char *id = json_string_value(json_object_get(m, "bundle_id"));
	const char *key = json_string_value(json_object_get(m, "key_id"));
	const char *min = json_string_value(json_object_get(m, "min_app_version"));
	json_t *version = json_object_get(m, "version"), *created = json_object_get(m, "created");
	if (json_integer_value(json_object_get(m, "format")) != 1 || !id || !key || !min ||
	    !json_is_integer(version) || json_integer_value(version) < 1 ||
	    !json_is_integer(created) || !json_is_array(files))
		return fail(err, BUNDLE_ERR_FORMAT, "manifest.json: expected format 1 with bundle_id, "
			    "version, created, min_app_version, key_id and files");
	snprintf(info->bundle_id, sizeof info->bundle_id, "%s", id);
	snprintf(info->min_app_version, sizeof info->min_app_version, "%s", min);
	info->version = json_integer_value(version);
	info->created = json_integer_value(created);
	info->n_files = json_array_size(files);
	for (size_t i = 0; i < info->n_files; i++) {
		json_t *f = json_array_get(files, i);
		const char *path = json_string_value(json_object_get(f, "path"));
		json_t *size = json_object_get(f, "size");
		const char *problem = member_path_problem(path);
		if (problem)
			return fail(err, BUNDLE_ERR_FORMAT, "manifest.json: files[%zu] is not a safe "
				    "path: not a path inside content/ or media/ (%s)", i, problem);
		if (!json_is_integer(size) || json_integer_value(size) < 0 ||
		    !json_is_string(json_object_get(f, "sha256")))
			return fail(err, BUNDLE_ERR_FORMAT, "manifest.json: files[%zu] (%s) needs a size "
				    "and a sha256", i, path);
		for (size_t k = 0; k < i; k++)
			if (strcmp(path, json_string_value(json_object_get(json_array_get(files, k),
									  "path"))) == 0)
				return fail(err, BUNDLE_ERR_FORMAT, "manifest.json: %s is named twice",
					    path);
		info->total_bytes += (uint64_t)json_integer_value(size);
	}
	return BUNDLE_OK;
}

/* The first two members: the manifest and its signature, checked against
 * the trusted keys before anything in the manifest is believed. */
static enum bundle_err verify_head(struct archive *a, const char *trusted_dir, json_t **manifest,
				   struct bundle_info *info, struct bundle_error *err)
{
	struct archive_entry *entry;
	struct capbuf text = {0}, sig = {0};
	enum bundle_err e = BUNDLE_OK;
	if (archive_read_next_header(a, &entry) != ARCHIVE_OK ||
	    strcmp(archive_entry_pathname(entry), "manifest.json") != 0)
		return fail(err, BUNDLE_ERR_FORMAT, "the first member must be manifest.json");
	if ((e = read_member(a, entry, BUNDLE_MANIFEST_MAX, &text, err)))
		goto out;
	if (archive_read_next_header(a, &entry) != ARCHIVE_OK ||
	    strcmp(archive_entry_pathname(entry), "manifest.sig") != 0) {
		e = fail(err, BUNDLE_ERR_FORMAT, "the second member must be manifest.sig");
		goto out;
	}
	if ((e = read_member(a, entry, crypto_sign_BYTES, &sig, err)))
		goto out;
	if (sig.len != crypto_sign_BYTES) {
		e = fail(err, BUNDLE_ERR_SIGNATURE, "manifest.sig: not an Ed25519 signature");
		goto out;
	}
	/* Only the key id is read before the signature is checked. */
	json_error_t je;
	*manifest = json_loadb(text.data, text.len, JSON_REJECT_DUPLICATES, &je);
	const char *id = json_string_value(json_object_get(*manifest, "key_id"));
	if (!*manifest || !id || strlen(id) != 16) {
		e = fail(err, BUNDLE_ERR_FORMAT, "manifest.json:%d:%d: %s", je.line, je.column,
			 *manifest ? "no key_id" : je.text);
		goto out;
	}
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	if ((e = find_signer(trusted_dir, id, pk, info->signer, sizeof info->signer, err)))
		goto out;
	snprintf(info->key_id, sizeof info->key_id, "%s", id);
	if (crypto_sign_verify_detached((const unsigned char *)sig.data,
					(const unsigned char *)text.data, text.len, pk) != 0) {
		e = fail(err, BUNDLE_ERR_SIGNATURE, "manifest.sig does not sign this manifest.json "
			 "with key %s: the bundle was changed after signing", id);
		goto out;
	}
	e = read_manifest(*manifest, info, err);
out:
	capbuf_free(&text);
	capbuf_free(&sig);
	return e;
}

/* Where member name goes in a staging folder: content/X to X, media/X to
 * media/X (the installed layout); its folders are made.  NULL when it
 * cannot be made.  Caller frees. */
static char *staged_path(const char *staging, const char *name)
{
	char *path = strncmp(name, "content/", 8) == 0 ? path_join(staging, name + 8)
							 : path_join(staging, name);
	char *dir = path_dirname(path);
	int rc = path_mkdirs(dir, 0755);
	free(dir);
	if (rc) {
		free(path);
		return NULL;
	}
	return path;
}

static const char *file_path(json_t *files, size_t k)
{
	return json_string_value(json_object_get(json_array_get(files, k), "path"));
}

static bool is_media(const char *name) { return strncmp(name, "media/", 6) == 0; }

/* One member, checked against the manifest and, with a staging folder,
 * written into it (a new file, never through a link; fsynced).  A preview
 * skips media/ members unread. */
static enum bundle_err take_member(struct pass *p, struct archive_entry *entry)
{
	const char *name = archive_entry_pathname(entry);
	struct bundle_error *err = p->err;
	size_t k = 0;
	while (k < p->info->n_files && strcmp(file_path(p->files, k), name ? name : "") != 0)
		k++;
	const char *problem = member_path_problem(name);
	if (problem) { /* a name that is not UTF-8 or holds control characters is not printed */
		bool printable = name && strcmp(problem, "not UTF-8") != 0 &&
				 strstr(problem, "control") == NULL;
		return fail(err, BUNDLE_ERR_MEMBER, "%s: not a path inside content/ or media/ (%s)",
			    printable ? name : "a member", problem);
	}
	if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) ||
	    archive_entry_symlink(entry))
		return fail(err, BUNDLE_ERR_MEMBER, "%s: not a regular file (a link, a folder or a "
			    "device)", name);
	if (k == p->info->n_files)
		return fail(err, BUNDLE_ERR_MEMBER, "%s: not named in the manifest", name);
	if (p->seen[k])
		return fail(err, BUNDLE_ERR_MEMBER, "%s: in the bundle twice", name);
	p->seen[k] = true;
	if (p->opts->content_only && is_media(name))
		return archive_read_data_skip(p->a) == ARCHIVE_OK
			       ? BUNDLE_OK
			       : fail(err, BUNDLE_ERR_FORMAT, "%s: %s", name,
				      archive_error_string(p->a));
	int fd = -1;
	char *path = NULL;
	if (p->opts->staging) {
		path = staged_path(p->opts->staging, name);
		fd = path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)
			  : -1;
		if (fd < 0) {
			enum bundle_err e = fail(err, BUNDLE_ERR_IO, "%s: cannot be staged: %s", name,
						 strerror(errno));
			free(path);
			return e;
		}
	}
	enum bundle_err e = check_member(p, name, json_array_get(p->files, k), fd);
	if (fd >= 0) {
		if (e == BUNDLE_OK && fsync(fd) != 0)
			e = fail(err, BUNDLE_ERR_IO, "%s: %s", name, strerror(errno));
		close(fd);
	}
	free(path);
	return e;
}

/* After the last member: every file the manifest names was there (a
 * preview asks only for content/). */
static enum bundle_err check_complete(const struct pass *p)
{
	for (size_t k = 0; k < p->info->n_files; k++)
		if (!p->seen[k] && !(p->opts->content_only && is_media(file_path(p->files, k))))
			return fail(p->err, BUNDLE_ERR_MEMBER, "%s: named in the manifest but "
				    "missing", file_path(p->files, k));
	return BUNDLE_OK;
}

enum bundle_err bundle_read(const char *path, const char *trusted_dir,
			    const struct bundle_pass_opts *opts, struct bundle_info *info,
			    json_t **manifest_out, struct bundle_error *err)
{
	memset(info, 0, sizeof *info);
	if (manifest_out)
		*manifest_out = NULL;
	if (sodium_init() < 0)
		return fail(err, BUNDLE_ERR_KEY, "libsodium cannot start");
	int usable = file_check_regular_inside(path);
	if (usable)
		return fail(err, BUNDLE_ERR_IO, "%s: %s", path, file_read_strerror(usable));
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a); /* plain tar only: no compression to bomb with */
	json_t *manifest = NULL;
	struct pass p = {.a = a, .info = info, .opts = opts, .err = err};
	enum bundle_err e = BUNDLE_OK;
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK) {
		e = fail(err, BUNDLE_ERR_FORMAT, "%s: not a content bundle, which is an uncompressed "
			 "tar (%s)", path, archive_error_string(a));
		goto out;
	}
	if (opts->watch && opts->watch->progress)
		opts->watch->progress(opts->watch->user, BUNDLE_PHASE_CHECKING, 0, 0);
	if ((e = verify_head(a, trusted_dir, &manifest, info, err)))
		goto out;
	if (opts->before && (e = opts->before(info, manifest, opts->user, err)))
		goto out;
	p.files = json_object_get(manifest, "files");
	p.seen = xcalloc(info->n_files + 1, sizeof *p.seen);
	struct archive_entry *entry;
	int rc = ARCHIVE_OK;
	while (e == BUNDLE_OK && (rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK)
		e = take_member(&p, entry);
	if (e == BUNDLE_OK && rc != ARCHIVE_EOF)
		e = fail(err, BUNDLE_ERR_FORMAT, "%s: %s (cut short, or the stick was pulled out?)",
			 path, archive_error_string(a));
	if (e == BUNDLE_OK)
		e = check_complete(&p);
out:
	free(p.seen);
	if (e == BUNDLE_OK && manifest_out)
		*manifest_out = manifest;
	else
		json_decref(manifest);
	archive_read_free(a);
	return e;
}

enum bundle_err bundle_verify(const char *path, const char *trusted_dir, struct bundle_info *info,
			      struct bundle_error *err)
{
	struct bundle_pass_opts opts = {0};
	return bundle_read(path, trusted_dir, &opts, info, NULL, err);
}

/* ---- Installing ---- */

/* "0.1.0" against "0.2": each number in turn. */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && (*a < '0' || *a > '9')) || (*b && (*b < '0' || *b > '9')))
			break;
	}
	return 0;
}

enum bundle_err bundle_may_install(const struct bundle_info *info, struct store *s,
				   const char *data_dir, bool force, struct bundle_error *err)
{
	int64_t in_use = 0;
	if (store_content_version(s, &in_use) != STORE_OK)
		return fail(err, BUNDLE_ERR_IO, "the content version in use cannot be read");
	if (info->version <= in_use && !force)
		return fail(err, BUNDLE_ERR_REFUSED, "version %lld is not newer than the version in "
			    "use (%lld): an older bundle is installed only when an admin forces it "
			    "(--force)", (long long)info->version, (long long)in_use);
	if (version_cmp(info->min_app_version, KIOSK_VERSION) > 0)
		return fail(err, BUNDLE_ERR_REFUSED, "the bundle needs kiosk %s or newer; this is %s",
			    info->min_app_version, KIOSK_VERSION);
	int64_t free_bytes = path_free_bytes(data_dir);
	uint64_t need = info->total_bytes + 16u * 1024 * 1024;
	if (free_bytes >= 0 && (uint64_t)free_bytes < need)
		return fail(err, BUNDLE_ERR_IO, "the kiosk's disk has %lld MB free, the bundle needs "
			    "%llu MB", (long long)free_bytes / 1048576,
			    (unsigned long long)(need / 1048576));
	return BUNDLE_OK;
}

struct import_ctx {
	struct store *store;
	const char *data_dir;
	const char *staging;
	bool force;
};

/* The rules that need the verified manifest and this kiosk; then the
 * manifest is staged first, so that the installed version keeps it. */
static enum bundle_err may_install(const struct bundle_info *info, json_t *manifest, void *user,
				   struct bundle_error *err)
{
	const struct import_ctx *x = user;
	enum bundle_err e = bundle_may_install(info, x->store, x->data_dir, x->force, err);
	if (e)
		return e;
	char *kept = path_join(x->staging, BUNDLE_KEPT_MANIFEST);
	int fd = open(kept, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || json_dumpfd(manifest, fd, JSON_COMPACT) != 0 || fsync(fd) != 0)
		e = fail(err, BUNDLE_ERR_IO, "%s: %s", kept, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(kept);
	return e;
}

static void watch_progress(const struct bundle_watch *w, enum bundle_phase phase, uint64_t done,
			   uint64_t total)
{
	if (w && w->progress)
		w->progress(w->user, phase, done, total);
}

enum bundle_err bundle_import(const char *path, const char *trusted_dir, struct store *s,
			      const char *data_dir, bool force, const struct bundle_watch *watch,
			      struct bundle_info *info, struct bundle_error *err)
{
	/* The version is known only from the verified manifest: stage under a
	 * name of this process, renamed by the content module at the switch.
	 * The shared lock keeps a starting kiosk from removing the staging. */
	int lock = content_lock(data_dir, false);
	char *staging = xasprintf("%s/content/import.staging-%ld", data_dir, (long)getpid());
	path_remove_tree(staging);
	int rc = path_mkdirs(staging, 0755);
	enum bundle_err e = BUNDLE_OK;
	if (rc)
		e = fail(err, BUNDLE_ERR_IO, "%s: %s", staging, strerror(-rc));
	struct import_ctx x = {s, data_dir, staging, force};
	struct bundle_pass_opts opts = {.staging = staging, .watch = watch, .before = may_install,
					.user = &x};
	if (e == BUNDLE_OK)
		e = bundle_read(path, trusted_dir, &opts, info, NULL, err);
	/* The last moment to stop: after this, the switch runs to its end. */
	if (e == BUNDLE_OK && watch && watch->cancelled && watch->cancelled(watch->user))
		e = fail(err, BUNDLE_ERR_CANCELLED, "stopped before the switch");
	char *dir = NULL;
	struct content_error cerr;
	if (e == BUNDLE_OK) {
		watch_progress(watch, BUNDLE_PHASE_SWITCHING, info->total_bytes, info->total_bytes);
		enum content_err ce = content_install_staged(s, data_dir, staging, info->version, &dir,
							&cerr);
		if (ce)
			e = fail(err, ce == CONTENT_ERR_IO || ce == CONTENT_ERR_STORE ? BUNDLE_ERR_IO
										: BUNDLE_ERR_FORMAT,
				 "%s", cerr.message);
	}
	if (e == BUNDLE_OK)
		LOG_INFO("installed content version %lld from %s (signed by %s) into %s",
			 (long long)info->version, path, info->signer, dir);
	path_remove_tree(staging); /* nothing half-staged stays behind */
	content_unlock(lock);
	free(dir);
	free(staging);
	return e;
}

enum bundle_err bundle_rollback(struct store *s, const char *data_dir, int64_t *version,
				struct bundle_error *err)
{
	struct content_error cerr;
	enum content_err ce = content_rollback(s, data_dir, version, &cerr);
	if (ce == CONTENT_OK)
		return BUNDLE_OK;
	return fail(err, ce == CONTENT_ERR_IO || ce == CONTENT_ERR_STORE ? BUNDLE_ERR_IO
									 : BUNDLE_ERR_REFUSED,
		    "%s", cerr.message);
}
