/* sync: one pass of feedback to a WebDAV server with libcurl. */
#include "kiosk/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "kiosk/core.h"
#include "kiosk/store.h"

#define LOG_MODULE "sync"

#define TOKEN_MAX 4096
#define REDIRECTS_MAX 3
#define CONNECT_TIMEOUT_S 15L

void sync_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		LOG_ERR("libcurl cannot start: feedback cannot be synced");
}

const char *sync_strerror(enum sync_err err)
{
	switch (err) {
	case SYNC_OK: return "ok";
	case SYNC_ERR_CONFIG: return "sync is not set up right";
	case SYNC_ERR_UNREACHABLE: return "the server cannot be reached";
	case SYNC_ERR_REFUSED: return "the server refused";
	case SYNC_ERR_SERVER: return "the server's answer cannot be used";
	case SYNC_ERR_STORE: return "the database could not be read or written";
	case SYNC_ERR_CANCELLED: return "the sync was stopped";
	}
	return "unknown error";
}

static enum sync_err fail(struct sync_result *r, enum sync_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum sync_err fail(struct sync_result *r, enum sync_err e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
	r->err = e;
	return e;
}

/* ---- The secret ---- */

/* The password or token from its file (mode 0600), without a final line
 * break.  *out is wiped and freed by the caller (token_free). */
static enum sync_err token_read(const char *path, char **out, struct sync_result *r)
{
	*out = NULL;
	if (!path || !*path)
		return SYNC_OK;
	struct stat st;
	if (stat(path, &st) != 0)
		return fail(r, SYNC_ERR_CONFIG, "[sync] token_file %s: %s", path, strerror(errno));
	if (st.st_mode & 077)
		return fail(r, SYNC_ERR_CONFIG, "[sync] token_file %s may be read by others (mode "
			    "%03o): refused; make it readable by the kiosk only (chmod 600)",
			    path, (unsigned)(st.st_mode & 0777));
	size_t len = 0;
	int rc = file_read_capped(path, TOKEN_MAX, out, &len);
	if (rc)
		return fail(r, SYNC_ERR_CONFIG, "[sync] token_file %s: %s", path,
			    file_read_strerror(rc));
	while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r'))
		(*out)[--len] = '\0';
	if (!len || strlen(*out) != len)
		return fail(r, SYNC_ERR_CONFIG, "[sync] token_file %s is empty or not text", path);
	return SYNC_OK;
}

static void token_free(char *token)
{
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
}

/* ---- One request ---- */

struct reply {
	char *data;
	size_t len;
	bool too_big;
};

static size_t on_reply(char *p, size_t size, size_t n, void *user)
{
	struct reply *rp = user;
	size_t got = size * n;
	if (rp->len + got > SYNC_REPLY_MAX) {
		rp->too_big = true;
		return 0; /* cut off: curl stops with a write error */
	}
	rp->data = xrealloc(rp->data, rp->len + got + 1);
	memcpy(rp->data + rp->len, p, got);
	rp->len += got;
	rp->data[rp->len] = '\0';
	return got;
}

struct body {
	const char *data;
	size_t len, at;
};

static size_t on_upload(char *p, size_t size, size_t n, void *user)
{
	struct body *b = user;
	size_t want = size * n, left = b->len - b->at;
	size_t give = want < left ? want : left;
	memcpy(p, b->data + b->at, give);
	b->at += give;
	return give;
}

struct conn {
	CURL *curl;
	const struct sync_options *o;
	char *token;
	char errbuf[CURL_ERROR_SIZE];
};

/* "https://host:port/" of a URL (the part a redirect must keep). */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

/* The URL without a user name, password or login options in it, or NULL
 * when it is not a URL.  libcurl puts the handle's credentials into the
 * redirect URL it makes of a relative Location, so the URL as it gives it
 * would carry the password into messages and logs, and would never be of
 * the same origin as the configured URL. */
static char *url_without_userinfo(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL, *clean = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		clean = xstrdup(out);
	curl_free(out);
	curl_url_cleanup(u);
	return clean;
}

static bool same_origin(const char *a, const char *b)
{
	size_t n = origin_len(a);
	return n && n == origin_len(b) && strncasecmp(a, b, n) == 0;
}

/* Sorts a failed transfer: the server away (try later) or an answer that
 * cannot be used. */
static enum sync_err transfer_failed(struct sync_result *r, CURLcode rc, const struct reply *rp,
				     const char *what, const char *errbuf)
{
	const char *why = *errbuf ? errbuf : curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return fail(r, SYNC_ERR_UNREACHABLE, "%s: %s", what, why);
	case CURLE_WRITE_ERROR:
		if (rp->too_big)
			return fail(r, SYNC_ERR_SERVER, "%s: the server's reply is above %d KiB: cut "
				    "off", what, SYNC_REPLY_MAX / 1024);
		return fail(r, SYNC_ERR_SERVER, "%s: %s", what, why);
	case CURLE_SSL_CACERT_BADFILE: /* missing, unreadable or not PEM: the config's fault */
		return fail(r, SYNC_ERR_CONFIG, "%s: [sync] ca_file cannot be used: %s (it must be "
			    "the CA's certificate in PEM)", what, why);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
		return fail(r, SYNC_ERR_SERVER, "%s: TLS: %s (the server's certificate is not "
			    "trusted or not for this host; check [sync] url and ca_file)", what, why);
	default:
		return fail(r, SYNC_ERR_SERVER, "%s: %s", what, why);
	}
}

/* Sends method to url (with body, if any); *status is the HTTP answer.
 * Follows a redirect only to the same scheme, host and port. */
static enum sync_err request(struct conn *c, const char *method, const char *url,
			     const char *body, size_t len, long *status, struct sync_result *r)
{
	char *target = xstrdup(url);
	enum sync_err e = SYNC_OK;
	for (int hop = 0;; hop++) {
		struct reply rp = {0};
		struct body b = {body, len, 0};
		CURL *h = c->curl;
		curl_easy_setopt(h, CURLOPT_URL, target);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(h, CURLOPT_UPLOAD, body ? 1L : 0L);
		curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
		if (body) {
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
			curl_easy_setopt(h, CURLOPT_READDATA, &b);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
		}
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &rp);
		c->errbuf[0] = '\0';
		CURLcode rc = curl_easy_perform(h);
		*status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		char *location = NULL;
		if (rc == CURLE_OK && *status >= 300 && *status < 400) {
			char *next = NULL;
			curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next);
			location = next ? url_without_userinfo(next) : NULL;
		}
		free(rp.data);
		char *what = xasprintf("%s %s", method, target);
		if (rc != CURLE_OK) {
			e = transfer_failed(r, rc, &rp, what, c->errbuf);
		} else if (location && !same_origin(location, target)) {
			e = fail(r, SYNC_ERR_SERVER, "%s: %ld, a redirect to another server (%.*s): "
				 "not followed", what, *status, (int)origin_len(location), location);
		} else if (location && hop < REDIRECTS_MAX) {
			free(target);
			target = location;
			free(what);
			continue;
		} else if (location) {
			e = fail(r, SYNC_ERR_SERVER, "%s: more than %d redirects", what, REDIRECTS_MAX);
		}
		free(location);
		free(what);
		break;
	}
	free(target);
	return e;
}

static void conn_close(struct conn *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	token_free(c->token);
	c->curl = NULL;
	c->token = NULL;
}

static enum sync_err conn_open(struct conn *c, const struct sync_options *o,
			       struct sync_result *r)
{
	memset(c, 0, sizeof *c);
	c->o = o;
	if (!o->url || !*o->url)
		return fail(r, SYNC_ERR_CONFIG, "no server: [sync] url is empty");
	enum sync_err e = token_read(o->token_file, &c->token, r);
	if (e)
		return e;
	c->curl = curl_easy_init();
	if (!c->curl)
		return fail(r, SYNC_ERR_CONFIG, "libcurl cannot start");
	CURL *h = c->curl;
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* redirects are checked by hand */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file && *o->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	/* A server that stops answering is one that is away: below 1 byte a
	 * second for stall_s, the transfer ends and the pass tries later. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->stall_s > 0 ? o->stall_s : 20L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "digitale-kommune-kiosk/" KIOSK_VERSION);
	if (c->token && o->user && *o->user) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->token);
	} else if (c->token) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, c->token);
	}
	return SYNC_OK;
}

static bool ok_2xx(long status) { return status >= 200 && status < 300; }

/* A 2xx, or else the refusal with its status. */
static enum sync_err expect_2xx(const char *what, long status, struct sync_result *r)
{
	if (ok_2xx(status))
		return SYNC_OK;
	r->http_status = status;
	const char *hint = status == 401   ? ": check [sync] user and token_file"
			   : status == 403 ? ": the server does not let this kiosk write there"
			   : status == 413 ? ": the server takes no file this large"
			   : status == 507 ? ": the server's disk is full"
					   : "";
	return fail(r, SYNC_ERR_REFUSED, "%s: the server answered %ld%s", what, status, hint);
}

/* MKCOL of URL/path/: made now (201) or there already (405). */
static enum sync_err make_folder(struct conn *c, const char *path, struct sync_result *r)
{
	char *url = xasprintf("%s/%s/", c->o->url, path);
	long status = 0;
	enum sync_err e = request(c, "MKCOL", url, NULL, 0, &status, r);
	if (e == SYNC_OK && status != 405)
		e = expect_2xx("MKCOL", status, r);
	free(url);
	return e;
}

static enum sync_err put(struct conn *c, const char *path, const char *data, size_t len,
			 struct sync_result *r)
{
	char *url = xasprintf("%s/%s", c->o->url, path);
	long status = 0;
	enum sync_err e = request(c, "PUT", url, data, len, &status, r);
	if (e == SYNC_OK) {
		char *what = xasprintf("PUT %s", path);
		e = expect_2xx(what, status, r);
		free(what);
	}
	free(url);
	return e;
}

/* ---- The pass ---- */

/* Writes and keeps the bytes of batch id (its responses are given). */
static enum sync_err keep_bytes(struct store *s, const struct sync_options *o, const char *id,
				struct sync_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int rc = out ? o->write_batch(s, id, out) : -1;
	if (out && fclose(out) != 0)
		rc = -1;
	enum sync_err e = SYNC_OK;
	if (rc != 0) {
		store_batch_drop(s, id);
		e = fail(r, SYNC_ERR_STORE, "%s: the responses of a batch cannot be read",
			 store_path(s));
	} else if (store_batch_keep(s, id, text, len) != STORE_OK) {
		e = fail(r, SYNC_ERR_STORE, "%s: a batch cannot be kept", store_path(s));
	}
	free(text);
	return e;
}

/* A batch with its bytes fixed: one made before and never kept (a crash
 * between its steps), else a new one of responses of ended hours; *made is
 * false when none is due. */
static enum sync_err make_batch(struct store *s, const struct sync_options *o, bool *made,
				struct sync_result *r)
{
	*made = false;
	char id[STORE_ID_LEN + 1];
	size_t n = 0;
	enum store_err se = store_batch_unkept(s, id);
	if (se == STORE_ERR_NOT_FOUND) {
		int64_t before_hour = o->now_s - o->now_s % 3600;
		se = store_batch_make(s, before_hour, o->batch_size ? o->batch_size : 200, id, &n);
		if (se == STORE_OK && n == 0)
			return SYNC_OK;
	}
	if (se != STORE_OK)
		return fail(r, SYNC_ERR_STORE, "%s: a batch cannot be made", store_path(s));
	enum sync_err e = keep_bytes(s, o, id, r);
	*made = e == SYNC_OK;
	return e;
}

static enum sync_err send_batches(struct conn *c, struct store *s, struct sync_result *r)
{
	const struct sync_options *o = c->o;
	for (;;) {
		if (o->cancelled && o->cancelled(o->data))
			return fail(r, SYNC_ERR_CANCELLED, "stopped between batches");
		char id[STORE_ID_LEN + 1];
		void *body = NULL;
		size_t len = 0, responses = 0;
		enum store_err se = store_batch_next(s, id, &body, &len, &responses);
		if (se == STORE_ERR_NOT_FOUND) {
			bool made = false;
			enum sync_err e = make_batch(s, o, &made, r);
			if (e || !made)
				return e;
			continue;
		}
		if (se != STORE_OK)
			return fail(r, SYNC_ERR_STORE, "%s: the next batch cannot be read",
				    store_path(s));
		char *path = xasprintf("feedback/%s/%s.ndjson", o->kiosk_id, id);
		enum sync_err e = put(c, path, body, len, r);
		free(path);
		free(body);
		if (e)
			return e;
		size_t marked = 0;
		if (store_batch_sent(s, id, &marked) != STORE_OK)
			return fail(r, SYNC_ERR_STORE, "%s: batch %s was received but cannot be marked "
				    "sent (it goes again, as the same file)", store_path(s), id);
		r->batches++;
		r->responses += responses;
		LOG_INFO("batch %s: %zu responses received by the server", id, responses);
		if (o->on_batch)
			o->on_batch(o->data, id, responses);
		/* A breath between batches: a pass through a long backlog to a
		 * nearby server would otherwise write hundreds of batches a second,
		 * and a resident's submit, whose commit waits for the disk, would
		 * flush them all (tests/bench submit_p99_sync).  50 ms still sends
		 * a backlog of 100,000 responses in under a minute. */
		struct timespec pause = {0, 50 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

static char *iso_time(int64_t t)
{
	if (t <= 0)
		return NULL;
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char buf[32];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* URL/status/KIOSK_ID.json: what an admin needs to see a kiosk that
 * stopped, and nothing about any resident. */
static char *status_json(struct store *s, const struct sync_options *o)
{
	int64_t pending = 0, sent = 0, content = 0, last_ok = 0;
	char *last_error = NULL;
	store_feedback_counts(s, &pending, &sent);
	store_content_version(s, &content);
	store_sync_last(s, &last_ok, &last_error);
	char *last = iso_time(last_ok);
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:I, s:I}", "kiosk_id",
			      o->kiosk_id, "app_version", KIOSK_VERSION, "content_version",
			      (json_int_t)content, "feedback_pending", (json_int_t)pending,
			      "feedback_sent", (json_int_t)sent, "last_sync",
			      last ? json_string(last) : json_null(), "last_sync_error",
			      last_error ? json_string(last_error) : json_null(), "free_disk_bytes",
			      (json_int_t)path_free_bytes(o->data_dir), "uptime_s",
			      (json_int_t)o->uptime_s);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(last);
	free(last_error);
	return text;
}

static void put_status(struct conn *c, struct store *s)
{
	struct sync_result ignored = {0};
	char *text = status_json(s, c->o);
	char *path = xasprintf("status/%s.json", c->o->kiosk_id);
	if (make_folder(c, "status", &ignored) || put(c, path, text, strlen(text), &ignored))
		LOG_WARN("the status could not be sent: %s", ignored.message);
	free(path);
	free(text);
}

/* ---- Content from the server ---- */

/* The largest bundle fetched (and never more than the disk has). */
#define BUNDLE_FETCH_MAX (8LL << 30)

struct download {
	int fd;
	bool failed;
	char etag[256];
};

static size_t on_bundle_bytes(char *p, size_t size, size_t n, void *user)
{
	struct download *d = user;
	size_t want = size * n, done = 0;
	while (done < want) {
		ssize_t w = write(d->fd, p + done, want - done);
		if (w <= 0) {
			d->failed = true;
			return 0;
		}
		done += (size_t)w;
	}
	return want;
}

/* Keeps the ETag header of the answer (for the next If-None-Match). */
static size_t on_header(char *p, size_t size, size_t n, void *user)
{
	struct download *d = user;
	size_t len = size * n;
	if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
		const char *v = p + 5;
		size_t k = len - 5;
		while (k && (*v == ' ' || *v == '\t'))
			v++, k--;
		while (k && (v[k - 1] == '\r' || v[k - 1] == '\n' || v[k - 1] == ' '))
			k--;
		if (k < sizeof d->etag && memchr(v, '\n', k) == NULL)
			snprintf(d->etag, sizeof d->etag, "%.*s", (int)k, v);
	}
	return len;
}

static void fetch_failed(struct sync_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fetch_failed(struct sync_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->bundle_error, sizeof r->bundle_error, fmt, ap);
	va_end(ap);
	LOG_WARN("content from the server: %s", r->bundle_error);
}

/* GET bundle_url with If-None-Match; a new one is written beside the
 * installed content, fsynced and renamed to download.kiosk.  Credentials
 * go only to the feedback server's own origin. */
static void fetch_bundle(struct conn *c, struct store *s, struct sync_result *r)
{
	const struct sync_options *o = c->o;
	CURL *h = c->curl;
	char *etag = NULL;
	store_bundle_etag(s, &etag);
	char *dir = path_join(o->data_dir, "content");
	char *tmp = xasprintf("%s/.download-%ld", dir, (long)getpid());
	char *final = path_join(dir, "download.kiosk");
	struct download d = {.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
					0600)};
	struct curl_slist *headers = NULL;
	if (etag) {
		char *line = xasprintf("If-None-Match: %s", etag);
		headers = curl_slist_append(headers, line);
		free(line);
	}
	int64_t room = path_free_bytes(o->data_dir) - (64LL << 20);
	curl_easy_setopt(h, CURLOPT_URL, o->bundle_url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_bundle_bytes);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &d);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)(room > 0 && room < BUNDLE_FETCH_MAX ? room : BUNDLE_FETCH_MAX));
	if (!same_origin(o->bundle_url, o->url)) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_NONE);
		curl_easy_setopt(h, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(h, CURLOPT_PASSWORD, NULL);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, NULL);
	}
	c->errbuf[0] = '\0';
	CURLcode rc = d.fd >= 0 ? curl_easy_perform(h) : CURLE_WRITE_ERROR;
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, NULL);
	curl_slist_free_all(headers);
	bool saved = false;
	if (d.fd < 0)
		fetch_failed(r, "%s: %s", tmp, strerror(errno));
	else if (rc == CURLE_FILESIZE_EXCEEDED)
		fetch_failed(r, "%s is larger than the disk has room for", o->bundle_url);
	else if (rc != CURLE_OK)
		fetch_failed(r, "%s: %s", o->bundle_url, *c->errbuf ? c->errbuf : curl_easy_strerror(rc));
	else if (status == 304)
		LOG_DBG("the bundle on the server is the one fetched before");
	else if (!ok_2xx(status))
		fetch_failed(r, "GET %s: the server answered %ld", o->bundle_url, status);
	else if (fsync(d.fd) != 0 || rename(tmp, final) != 0 || path_fsync_dir(dir) != 0)
		fetch_failed(r, "%s: %s", final, strerror(errno));
	else
		saved = true;
	if (d.fd >= 0)
		close(d.fd);
	if (!saved)
		unlink(tmp);
	if (saved) {
		snprintf(r->bundle_file, sizeof r->bundle_file, "%s", final);
		/* Kept at once: a bundle the kiosk refuses is not fetched again
		 * until the server's file changes. */
		if (d.etag[0] && store_bundle_etag_set(s, d.etag) != STORE_OK)
			LOG_WARN("the bundle's ETag cannot be kept; it is fetched again next time");
		LOG_INFO("a new bundle was fetched from %s", o->bundle_url);
	}
	free(etag);
	free(final);
	free(tmp);
	free(dir);
}

enum sync_err sync_pass(struct store *s, const struct sync_options *o, struct sync_result *r)
{
	memset(r, 0, sizeof *r);
	if (store_redoable_writes(s) != STORE_OK)
		LOG_DBG("%s: sync's commits wait for the disk", store_path(s));
	struct conn c;
	enum sync_err e = conn_open(&c, o, r);
	if (e == SYNC_OK)
		e = make_folder(&c, "feedback", r);
	if (e == SYNC_OK) {
		char *mine = xasprintf("feedback/%s", o->kiosk_id);
		e = make_folder(&c, mine, r);
		free(mine);
	}
	if (e == SYNC_OK)
		e = send_batches(&c, s, r);
	if (e != SYNC_ERR_CANCELLED && store_sync_note(s, o->now_s, e ? r->message : NULL))
		LOG_WARN("%s: the sync's outcome cannot be noted for status", store_path(s));
	if (c.curl && e != SYNC_ERR_UNREACHABLE)
		put_status(&c, s);
	if (c.curl && e != SYNC_ERR_UNREACHABLE && e != SYNC_ERR_CANCELLED && o->bundle_url &&
	    *o->bundle_url)
		fetch_bundle(&c, s, r);
	conn_close(&c);
	if (e)
		LOG_WARN("sync: %s", r->message);
	return e;
}

enum sync_err sync_plan(struct store *s, int64_t now_s, int64_t *batches, int64_t *responses)
{
	return store_batch_plan(s, now_s - now_s % 3600, batches, responses) == STORE_OK
		       ? SYNC_OK
		       : SYNC_ERR_STORE;
}

int64_t sync_retry_delay_s(int failures, int interval_s, uint32_t random)
{
	int64_t cap = 5;
	for (int i = 0; i < failures && cap < interval_s; i++)
		cap *= 2;
	if (cap > interval_s)
		cap = interval_s;
	if (cap < 5)
		cap = 5;
	return 5 + (int64_t)(random % (uint32_t)(cap - 5 + 1));
}
