// SPDX-License-Identifier: GPL-2.0
/* Control socket client: connect, request, reply; all with timeouts. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "ctl_client.h"

static int connect_timeout(int fd, const struct sockaddr_un *sun, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, (const void *)sun, sizeof(*sun)))
		return 0;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return -errno;
	if (poll(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

int ovpn_ctl_open(struct ovpn_ctl_client *c, const char *path, int timeout_ms,
		  struct ovpn_ctl_err *e)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	path = path ? path : OVPN_CTL_DEFAULT_PATH;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ovpn_ctl_errf(e, -ENAMETOOLONG, "socket path %s is too long", path);
	strcpy(sun.sun_path, path);
	c->reply = malloc(OVPN_CTL_MSG_MAX);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!c->reply || c->fd < 0) {
		err = c->reply ? -errno : -ENOMEM;
		ovpn_ctl_close(c);
		return ovpn_ctl_errf(e, err, "cannot create a socket: %s", strerror(-err));
	}
	err = connect_timeout(c->fd, &sun, timeout_ms);
	if (err) {
		ovpn_ctl_close(c);
		return ovpn_ctl_errf(e, err, "cannot connect to %s: %s%s", path, strerror(-err),
				     err == -EACCES || err == -EPERM ?
				     " (root or the daemon's --group needed)" :
				     ": is ovpn-xdpd running?");
	}
	c->seq = (__u32)time(NULL) << 8 | 1;	/* never 0: that is a notification */
	return 0;
}

void ovpn_ctl_close(struct ovpn_ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->reply);
	c->fd = -1;
	c->reply = NULL;
}

int ovpn_ctl_send(struct ovpn_ctl_client *c, struct nlmsghdr *req, struct ovpn_ctl_err *e)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };

	req->nlmsg_seq = ++c->seq;
	for (;;) {
		if (send(c->fd, req, req->nlmsg_len, MSG_NOSIGNAL) == (ssize_t)req->nlmsg_len)
			return 0;
		if (errno != EAGAIN)
			return ovpn_ctl_errf(e, -errno, "cannot send to ovpn-xdpd: %s",
					     strerror(errno));
		if (poll(&p, 1, c->timeout_ms) <= 0)
			return ovpn_ctl_errf(e, -ETIMEDOUT, "ovpn-xdpd does not read its socket");
	}
}

int ovpn_ctl_recv(struct ovpn_ctl_client *c, struct ovpn_ctl_err *e)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->reply, OVPN_CTL_MSG_MAX, MSG_TRUNC);
		if (n > 0 && n <= OVPN_CTL_MSG_MAX)
			break;
		if (n > OVPN_CTL_MSG_MAX)
			return ovpn_ctl_errf(e, -EMSGSIZE, "reply of %zd bytes is too long", n);
		if (n == 0)
			return ovpn_ctl_errf(e, -ECONNRESET,
					     "ovpn-xdpd closed the connection (not allowed, or stopped)");
		if (errno != EAGAIN)
			return ovpn_ctl_errf(e, -errno, "cannot read from ovpn-xdpd: %s",
					     strerror(errno));
		if (poll(&p, 1, c->timeout_ms) <= 0)
			return ovpn_ctl_errf(e, -ETIMEDOUT, "no reply from ovpn-xdpd within %d ms",
					     c->timeout_ms);
	}
	return ovpn_ctl_parse(c->reply, n, &c->msg, e);
}

int ovpn_ctl_call(struct ovpn_ctl_client *c, struct nlmsghdr *req, struct ovpn_ctl_err *e)
{
	int err = ovpn_ctl_send(c, req, e);
	__u32 seq = c->seq;

	while (!err) {
		err = ovpn_ctl_recv(c, e);
		if (err)
			return err;
		if (c->msg.nlh->nlmsg_seq != seq)	/* notifications have seq 0 */
			continue;
		return ovpn_ctl_reply_status(&c->msg, e);
	}
	return err;
}
