/* sync: noticing that a network came back, without polling.  A thread
 * sleeps in poll() on a NETLINK_ROUTE socket subscribed to links,
 * addresses and routes; after a change (they come in bursts) and a quiet
 * moment it calls wake, and the kiosk tries a sync soon instead of waiting
 * out its backoff. */
#include "kiosk/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kiosk/core.h"

#define LOG_MODULE "net"

#define SETTLE_MS 500

struct net_watch {
	struct wake wake;
	int sock, stop[2];
	pthread_t thread;
	bool started;
};

static void drain(int fd)
{
	char buf[8192];
	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

static void *watch_thread(void *data)
{
	struct net_watch *w = data;
	struct pollfd fds[2] = {{.fd = w->stop[0], .events = POLLIN},
				{.fd = w->sock, .events = POLLIN}};
	bool dirty = false;
	for (;;) {
		int n = poll(fds, 2, dirty ? SETTLE_MS : -1);
		if ((n < 0 && errno != EINTR) || fds[0].revents)
			break;
		if (n == 0) {
			dirty = false;
			LOG_DBG("the network changed");
			wake_call(&w->wake, WAKE_SOURCE_NET);
		} else if (n > 0 && fds[1].revents) {
			drain(w->sock);
			dirty = true;
		}
	}
	return NULL;
}

struct net_watch *net_watch_start(const struct wake *wake)
{
	struct net_watch *w = xcalloc(1, sizeof *w);
	w->wake = *wake;
	w->stop[0] = w->stop[1] = -1;
	w->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			     RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
	};
	if (w->sock < 0 || bind(w->sock, (struct sockaddr *)&addr, sizeof addr) != 0 ||
	    pipe2(w->stop, O_CLOEXEC) != 0 ||
	    (errno = pthread_create(&w->thread, NULL, watch_thread, w)) != 0) {
		LOG_WARN("network changes cannot be watched (%s): sync keeps to its rhythm",
			 strerror(errno));
		return w;
	}
	w->started = true;
	return w;
}

void net_watch_stop(struct net_watch *w)
{
	if (!w)
		return;
	if (w->started) {
		char byte = 1;
		if (write(w->stop[1], &byte, 1) != 1)
			LOG_WARN("cannot stop the network watch: %s", strerror(errno));
		pthread_join(w->thread, NULL);
	}
	for (int i = 0; i < 2; i++)
		if (w->stop[i] >= 0)
			close(w->stop[i]);
	if (w->sock >= 0)
		close(w->sock);
	free(w);
}
