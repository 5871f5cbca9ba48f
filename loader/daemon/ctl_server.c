// SPDX-License-Identifier: GPL-2.0
/* The control socket: a Unix SOCK_SEQPACKET socket, root only (mode 0600) or
 * root and a group (0660), the peer's credentials checked again on accept. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "daemon.h"


static int sock_dir(struct ovpnd *d)
{
	char tmp[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *dir;

	snprintf(tmp, sizeof(tmp), "%s", d->cfg.sock_path);
	dir = dirname(tmp);
	if (!mkdir(dir, d->has_group ? 0750 : 0700) && d->has_group &&
	    chown(dir, 0, d->gid))
		return -errno;
	return 0;
}

/* A socket file left by a daemon that died; refused if a daemon answers. */
static int stale_remove(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int live = fd >= 0 && !connect(fd, (const void *)sun, sizeof(*sun));

	if (fd >= 0)
		close(fd);
	if (live)
		return -EADDRINUSE;
	unlink(sun->sun_path);
	return 0;
}

int ovpnd_ctl_listen(struct ovpnd *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mode = d->has_group ? 0660 : 0600;
	int fd, err;

	if (strlen(d->cfg.sock_path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, d->cfg.sock_path);
	err = sock_dir(d) ?: stale_remove(&sun);
	if (err) {
		ovpnd_log("%s: %s", d->cfg.sock_path, err == -EADDRINUSE ?
			  "another ovpn-xdpd serves this socket" : strerror(-err));
		return err;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	mode_t old = umask(0177);

	err = bind(fd, (void *)&sun, sizeof(sun)) || chmod(sun.sun_path, mode) ||
	      (d->has_group && chown(sun.sun_path, 0, d->gid)) || listen(fd, 64) ? -errno : 0;
	umask(old);
	if (err) {
		ovpnd_log("cannot listen on %s: %s", d->cfg.sock_path, strerror(-err));
		close(fd);
		return err;
	}
	d->listen_fd = fd;
	return 0;
}

static bool in_group(uid_t uid, gid_t gid, gid_t want)
{
	struct passwd *pw = getpwuid(uid);
	gid_t groups[256];
	int n = 256;

	if (gid == want)
		return true;
	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == want)
			return true;
	return false;
}

static bool peer_allowed(struct ovpnd *d, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	if (cr.uid == 0 || (d->has_group && in_group(cr.uid, cr.gid, d->gid)))
		return true;
	ovpnd_log("refused a control connection from uid %u pid %d (root%s only)",
		  cr.uid, cr.pid, d->has_group ? " and the group" : "");
	return false;
}

void ovpnd_ctl_accept(struct ovpnd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, slot;

	while ((fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (slot = 0; slot < OVPND_MAX_CLIENTS && d->clients[slot].fd >= 0; slot++)
			;
		if (slot == OVPND_MAX_CLIENTS || !peer_allowed(d, fd)) {
			if (slot == OVPND_MAX_CLIENTS)
				ovpnd_log("too many control connections (%d)", OVPND_MAX_CLIENTS);
			close(fd);
			continue;
		}
		/* room for bursts of notifications to a subscriber */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ 4 << 20 }, sizeof(int));
		ev.data.u32 = TAG_CLIENT + slot;
		if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		d->clients[slot] = (struct ovpnd_client){ .fd = fd };
	}
}

static void client_close(struct ovpnd *d, struct ovpnd_client *cl)
{
	struct ovpnd_instance in;

	epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	cl->fd = -1;
	cl->subscribed = false;
	if (cl->owned && !ovpnd_instance_get(d, cl->owned, &in)) {
		ovpnd_log("instance %u '%s': its owner (OpenVPN) went away", in.id, in.name);
		ovpnd_instance_del(d, &in);
	}
	cl->owned = 0;
}

/* The reply's status, after what the handler added; on an error, what it
 * added is dropped so that only status and message remain. */
static void reply_finish(struct nlmsghdr *reply, __u32 len_before, int status,
			 const struct ovx_ctl_err *e)
{
	if (status) {
		reply->nlmsg_len = len_before;
		ovx_ctl_put_str(reply, OVX_A_ERROR, e->code ? e->msg : strerror(-status));
	}
	ovx_ctl_put_u32(reply, OVX_A_STATUS, (__u32)status);
}

static void request(struct ovpnd *d, struct ovpnd_client *cl, size_t n, bool truncated)
{
	const struct nlmsghdr *in = (const void *)d->rx_buf;
	struct ovx_ctl_err e = {};
	struct ovx_req *r = calloc(1, sizeof(*r));
	struct nlmsghdr *reply;
	__u32 base;
	int status;

	reply = ovx_ctl_start(d->tx_buf, n >= sizeof(*in) ? in->nlmsg_type : NLMSG_ERROR,
			       n >= sizeof(*in) ? in->nlmsg_seq : 0);
	reply->nlmsg_flags = 0;
	base = reply->nlmsg_len;
	if (!r)
		status = ovx_ctl_errf(&e, -ENOMEM, "out of memory");
	else if (truncated)
		status = ovx_ctl_errf(&e, -EMSGSIZE, "request longer than %d bytes",
				       OVX_CTL_MSG_MAX);
	else
		status = ovx_req_decode(d->rx_buf, n, r, &e) ?:
			 ovpnd_handle(d, cl, r, reply, &e);
	OPENSSL_cleanse(d->rx_buf, n < OVX_CTL_MSG_MAX ? n : OVX_CTL_MSG_MAX);
	if (r) {
		ovx_req_wipe(r);
		free(r);
	}
	reply_finish(reply, base, status, &e);
	if (ovpnd_client_send(cl, reply)) {
		ovpnd_log("control client does not read its replies; closing it");
		client_close(d, cl);
	}
}

void ovpnd_ctl_readable(struct ovpnd *d, struct ovpnd_client *cl)
{
	for (int i = 0; i < 64 && cl->fd >= 0 && !d->stop; i++) {
		ssize_t n = recv(cl->fd, d->rx_buf, OVX_CTL_MSG_MAX, MSG_TRUNC | MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			client_close(d, cl);
			return;
		}
		request(d, cl, n, n > OVX_CTL_MSG_MAX);
	}
}

void ovpnd_ctl_close(struct ovpnd *d)
{
	for (int i = 0; i < OVPND_MAX_CLIENTS; i++)
		if (d->clients[i].fd >= 0)
			client_close(d, &d->clients[i]);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->cfg.sock_path);
		d->listen_fd = -1;
	}
}
