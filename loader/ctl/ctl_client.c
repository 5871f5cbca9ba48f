// SPDX-License-Identifier: GPL-2.0
/* Control socket client: connect, request, reply. Every call runs against one
 * deadline, so that what it waits for (a full backlog, a full socket, a
 * daemon that sends notifications but no reply) never adds up past it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "ctl_client.h"

static __s64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Waits for @events until @deadline; 0, or -ETIMEDOUT. */
static int wait_until(int fd, short events, __s64 deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		__s64 left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* A Unix socket's connect does not go on in the background: when the
 * daemon's backlog is full (EAGAIN) it is tried again until the deadline. */
static int connect_until(int fd, const struct sockaddr_un *sun, __s64 deadline)
{
	for (;;) {
		__s64 left = deadline - now_ms();

		if (!connect(fd, (const void *)sun, sizeof(*sun)))
			return 0;
		if (errno == EINPROGRESS)
			return wait_until(fd, POLLOUT, deadline);
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (left <= 0)
			return -ETIMEDOUT;
		poll(NULL, 0, left < 10 ? (int)left : 10);
	}
}

static int open_until(struct ovx_ctl_client *c, const char *path, int timeout_ms,
		      __s64 deadline, struct ovx_ctl_err *e)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	path = path ? path : OVX_CTL_DEFAULT_PATH;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ovx_ctl_errf(e, -ENAMETOOLONG, "socket path %s is too long", path);
	strcpy(sun.sun_path, path);
	c->reply = malloc(OVX_CTL_MSG_MAX);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!c->reply || c->fd < 0) {
		err = c->reply ? -errno : -ENOMEM;
		ovx_ctl_close(c);
		return ovx_ctl_errf(e, err, "cannot create a socket: %s", strerror(-err));
	}
	err = connect_until(c->fd, &sun, deadline);
	if (err) {
		ovx_ctl_close(c);
		return ovx_ctl_errf(e, err, "cannot connect to %s within %d ms: %s%s", path,
				     timeout_ms, strerror(-err),
				     err == -EACCES || err == -EPERM ?
				     " (root or the daemon's --group needed)" :
				     ": is ovpn-xdpd running?");
	}
	c->seq = (__u32)time(NULL) << 8 | 1;	/* never 0: that is a notification */
	return 0;
}

int ovx_ctl_open(struct ovx_ctl_client *c, const char *path, int timeout_ms,
		  struct ovx_ctl_err *e)
{
	return open_until(c, path, timeout_ms, now_ms() + timeout_ms, e);
}

void ovx_ctl_close(struct ovx_ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->reply);
	c->fd = -1;
	c->reply = NULL;
}

static int send_until(struct ovx_ctl_client *c, struct nlmsghdr *req, __s64 deadline,
		      struct ovx_ctl_err *e)
{
	int err;

	req->nlmsg_seq = ++c->seq;
	for (;;) {
		if (send(c->fd, req, req->nlmsg_len, MSG_NOSIGNAL) == (ssize_t)req->nlmsg_len)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return ovx_ctl_errf(e, -errno, "cannot send to ovpn-xdpd: %s",
					     strerror(errno));
		err = wait_until(c->fd, POLLOUT, deadline);
		if (err)
			return ovx_ctl_errf(e, err, "ovpn-xdpd does not read its socket (%d ms)",
					     c->timeout_ms);
	}
}

static int recv_until(struct ovx_ctl_client *c, __s64 deadline, struct ovx_ctl_err *e)
{
	ssize_t n;
	int err;

	for (;;) {
		n = recv(c->fd, c->reply, OVX_CTL_MSG_MAX, MSG_TRUNC);
		if (n > 0 && n <= OVX_CTL_MSG_MAX)
			break;
		if (n > OVX_CTL_MSG_MAX)
			return ovx_ctl_errf(e, -EMSGSIZE, "reply of %zd bytes is too long", n);
		if (n == 0)
			return ovx_ctl_errf(e, -ECONNRESET,
					     "ovpn-xdpd closed the connection (not allowed, or stopped)");
		if (errno != EAGAIN && errno != EINTR)
			return ovx_ctl_errf(e, -errno, "cannot read from ovpn-xdpd: %s",
					     strerror(errno));
		err = wait_until(c->fd, POLLIN, deadline);
		if (err)
			return ovx_ctl_errf(e, err, "no reply from ovpn-xdpd within %d ms",
					     c->timeout_ms);
	}
	return ovx_ctl_parse(c->reply, n, &c->msg, e);
}

/* The deadline of a call starting now; a negative timeout waits forever. */
static __s64 deadline_of(const struct ovx_ctl_client *c)
{
	return c->timeout_ms < 0 ? INT64_MAX : now_ms() + c->timeout_ms;
}

int ovx_ctl_send(struct ovx_ctl_client *c, struct nlmsghdr *req, struct ovx_ctl_err *e)
{
	return send_until(c, req, deadline_of(c), e);
}

int ovx_ctl_recv(struct ovx_ctl_client *c, struct ovx_ctl_err *e)
{
	return recv_until(c, deadline_of(c), e);
}

/* The reply to @req: notifications on the way (seq 0) are skipped, within
 * the same deadline. */
static int call_until(struct ovx_ctl_client *c, struct nlmsghdr *req, __s64 deadline,
		      struct ovx_ctl_err *e)
{
	int err = send_until(c, req, deadline, e);
	__u32 seq = c->seq;

	while (!err) {
		err = recv_until(c, deadline, e);
		if (!err && c->msg.nlh->nlmsg_seq == seq)
			return ovx_ctl_reply_status(&c->msg, e);
	}
	return err;
}

int ovx_ctl_call(struct ovx_ctl_client *c, struct nlmsghdr *req, struct ovx_ctl_err *e)
{
	return call_until(c, req, now_ms() + c->timeout_ms, e);
}

int ovx_ctl_open_call(struct ovx_ctl_client *c, const char *path, int timeout_ms,
		       struct nlmsghdr *req, struct ovx_ctl_err *e)
{
	__s64 deadline = now_ms() + timeout_ms;
	int err = open_until(c, path, timeout_ms, deadline, e);

	return err ?: call_until(c, req, deadline, e);
}
