// SPDX-License-Identifier: GPL-2.0
/* Events: the fast path's ring buffer (packet-id and AES-GCM usage
 * high-water, float) turned into notifications, a moved receive epoch into
 * its slots refilled (epoch_refill.h), and the kernel's link events (a vanished or renamed
 * device). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <bpf/libbpf.h>
#include "daemon.h"
#include "epoch_refill.h"
#include "link_watch.h"

/* OVX_EV_EPOCH_MOVED: the daemon's own business, no notification. */
static void epoch_moved(struct ovpnd *d, const struct ovx_event *ev)
{
	struct ovx_key_id kid = { ev->instance, ev->peer_id, ev->key_id };
	int err = ovx_epoch_key_refill(&d->b.fp, &kid);

	if (err == -ENOENT)
		ovpnd_log("instance %u peer %u key %u: receive epoch moved, but no secret chain "
			  "is kept for the key (taken over from pinned state, or gone): its "
			  "later epochs go to OpenVPN until the next renegotiation",
			  ev->instance, ev->peer_id, ev->key_id);
	else if (err)
		ovpnd_log("instance %u peer %u key %u: refilling its epoch slots failed: %s "
			  "(its later epochs go to OpenVPN)", ev->instance, ev->peer_id,
			  ev->key_id, strerror(-err));
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct ovpnd *d = ctx;
	const struct ovx_event *ev = data;
	struct nlmsghdr *nlh;
	char a[INET6_ADDRSTRLEN] = "", t[INET6_ADDRSTRLEN + 10];

	if (size < sizeof(*ev))
		return 0;
	if (ev->type == OVX_EV_EPOCH_MOVED) {
		epoch_moved(d, ev);
		return 0;
	}
	nlh = ovx_ctl_start(d->ntf_buf, OVX_CMD_NOTIFY, 0);
	nlh->nlmsg_flags = 0;
	ovx_ctl_put_u32(nlh, OVX_A_EVENT, ev->type);
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, ev->instance);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, ev->peer_id);
	ovx_ctl_put_u32(nlh, OVX_A_KEY_ID, ev->key_id);
	if (ev->type == OVX_EV_FLOAT) {
		inet_ntop(ev->addr.family == OVX_AF_INET6 ? AF_INET6 : AF_INET, ev->addr.addr,
			  a, sizeof(a));
		snprintf(t, sizeof(t), ev->addr.family == OVX_AF_INET6 ? "[%s]:%u" : "%s:%u",
			 a, ntohs(ev->addr.port));
		ovx_ctl_put_str(nlh, OVX_A_REMOTE, t);
	}
	if (ev->type == OVX_EV_FOREIGN_FRAMING)
		ovpnd_log("instance %u peer %u: its packets are framed otherwise than OpenVPN's "
			  "options say (a compression or fragment option pushed by the server?): "
			  "it stays in OpenVPN", ev->instance, ev->peer_id);
	if (ev->type == OVX_EV_PID_HIGH_WATER)
		ovpnd_log("instance %u peer %u key %u: packet-id past the high-water mark, "
			  "renegotiation needed", ev->instance, ev->peer_id, ev->key_id);
	if (ev->type == OVX_EV_USAGE_HIGH_WATER)
		ovpnd_log("instance %u peer %u key %u: AES-GCM usage (blocks + packet-id) past 7/8 "
			  "of OpenVPN's limit, renegotiation needed: the fast path stops sealing "
			  "with the key just below the limit", ev->instance, ev->peer_id,
			  ev->key_id);
	ovpnd_notify(d, nlh);
	return 0;
}

int ovpnd_events_open(struct ovpnd *d)
{
	d->rb = ring_buffer__new(d->b.events_fd, on_event, d, NULL);
	return d->rb ? 0 : -errno;
}

void ovpnd_events_poll(struct ovpnd *d)
{
	ring_buffer__consume(d->rb);
}

void ovpnd_events_close(struct ovpnd *d)
{
	ring_buffer__free(d->rb);
	d->rb = NULL;
	if (d->rtnl)
		mnl_socket_close(d->rtnl);
	d->rtnl = NULL;
}

int ovpnd_rtnl_open(struct ovpnd *d)
{
	d->rtnl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!d->rtnl)
		return -errno;
	if (mnl_socket_bind(d->rtnl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	d->rtnl_fd = mnl_socket_get_fd(d->rtnl);
	return 0;
}

static int on_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_DELLINK &&
	    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ifi)))
		ovpnd_link_gone(data, ifi->ifi_index);
	else if (nlh->nlmsg_type == RTM_NEWLINK)
		ovpnd_link_newlink(data, nlh);
	return MNL_CB_OK;
}

void ovpnd_rtnl_readable(struct ovpnd *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	while ((n = mnl_socket_recvfrom(d->rtnl, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, n, 0, 0, on_link, d);
	if (n < 0 && errno == ENOBUFS)
		ovpnd_instances_check(d);	/* lost events: look again */
}
