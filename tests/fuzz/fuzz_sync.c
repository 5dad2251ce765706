/* The sync server's replies: sync_pass() against a small server on
 * 127.0.0.1 in a thread of the harness, which reads each request whole
 * (or its headers, when the client waits for "100-continue") and answers
 * every one with the input's bytes, then closes.  So the raw
 * bytes pass libcurl's HTTP reading (status line, headers, chunked
 * bodies, redirects) and reach everything the kiosk does with a reply: the
 * status sorted into sent, refused or unreachable, the reply cap, a
 * Location followed only to the same origin, the status PUT.  (The kiosk
 * parses no reply body of its own: nothing narrower to fuzz.)  The store
 * is made once, empty of feedback, so each pass is the same: the folders
 * made with MKCOL, then the status PUT. */
#include "fuzz_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>

#include "kiosk/store.h"
#include "kiosk/sync.h"

static struct store *store;
static char url[64];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const uint8_t *reply;
static size_t reply_len;

/* Reads until the headers and the body they announce are in (or the
 * client stops sending for a moment). */
static void read_request(int fd)
{
	char buf[8192];
	size_t have = 0;
	long want = -1;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 500) <= 0)
			return;
		ssize_t got = read(fd, buf + have, sizeof buf - 1 - have);
		if (got <= 0)
			return;
		have += (size_t)got;
		buf[have] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (end && want < 0) {
			want = 0;
			for (char *h = buf; h && h < end; h = strstr(h, "\r\n"), h = h ? h + 2 : h) {
				if (strncasecmp(h, "Content-Length:", 15) == 0)
					want = strtol(h + 15, NULL, 10);
				/* The client waits for a word before it sends the body:
				 * the reply comes at once (a final answer, as a server
				 * that refuses an upload gives it). */
				if (strncasecmp(h, "Expect: 100-continue", 20) == 0)
					return;
			}
		}
		if (end && (long)(have - (size_t)(end + 4 - buf)) >= want)
			return;
		if (have == sizeof buf - 1) /* a long body: keep the tail only */
			have = 0;
	}
}

static void *serve(void *arg)
{
	int ls = *(int *)arg;
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		read_request(fd);
		pthread_mutex_lock(&lock);
		size_t off = 0;
		while (off < reply_len) {
			ssize_t w = send(fd, reply + off, reply_len - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		pthread_mutex_unlock(&lock);
		shutdown(fd, SHUT_WR);
		char drain[4096];
		struct pollfd p = {.fd = fd, .events = POLLIN};
		while (poll(&p, 1, 5) > 0 && read(fd, drain, sizeof drain) > 0)
			;
		close(fd);
	}
	return NULL;
}

static int no_batch(struct store *s, const char *batch_id, FILE *out) { return -1; }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	sync_init();
	char *db = path_join(fuzz_dir(), "kiosk.sqlite3");
	if (store_open(db, STORE_OPEN_EXISTING, &store) != 0)
		abort();
	free(db);
	static int ls;
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 8) ||
	    getsockname(ls, (struct sockaddr *)&a, &alen))
		abort();
	snprintf(url, sizeof url, "http://127.0.0.1:%d/dav", ntohs(a.sin_port));
	pthread_t t;
	pthread_create(&t, NULL, serve, &ls);
	pthread_detach(t);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pthread_mutex_lock(&lock);
	reply = data;
	reply_len = size;
	pthread_mutex_unlock(&lock);
	struct sync_options o = {
		.url = url, .user = "", .token_file = "", .ca_file = "", .kiosk_id = "fuzzkiosk",
		.data_dir = fuzz_dir(), .batch_size = 50, .stall_s = 2, .now_s = 1767225600,
		.uptime_s = 1, .write_batch = no_batch,
	};
	struct sync_result r;
	sync_pass(store, &o, &r);
	pthread_mutex_lock(&lock);
	reply = NULL;
	reply_len = 0;
	pthread_mutex_unlock(&lock);
	return 0;
}
