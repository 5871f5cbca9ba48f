// SPDX-License-Identifier: GPL-2.0
/* What the daemon sends its control clients: a reply to one, notifications
 * to the clients that subscribed (SUBSCRIBE). */
#include <errno.h>
#include <sys/socket.h>
#include "daemon.h"

int ovpnd_client_send(struct ovpnd_client *cl, const struct nlmsghdr *reply)
{
	if (send(cl->fd, reply, reply->nlmsg_len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t)reply->nlmsg_len)
		return 0;
	return -errno;
}

void ovpnd_notify(struct ovpnd *d, const struct nlmsghdr *nlh)
{
	for (int i = 0; i < OVPND_MAX_CLIENTS; i++) {
		struct ovpnd_client *cl = &d->clients[i];

		if (cl->fd >= 0 && cl->subscribed && ovpnd_client_send(cl, nlh))
			d->notify_dropped++;	/* a slow subscriber loses events */
	}
}

void ovpnd_notify_peer_deleted(struct ovpnd *d, __u32 instance, __u32 peer_id, __u32 reason)
{
	struct nlmsghdr *nlh = ovx_ctl_start(d->ntf_buf, OVX_CMD_NOTIFY, 0);

	nlh->nlmsg_flags = 0;
	ovx_ctl_put_u32(nlh, OVX_A_EVENT, OVX_EV_PEER_DELETED);
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, instance);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, peer_id);
	ovx_ctl_put_u32(nlh, OVX_A_REASON, reason);
	ovpnd_notify(d, nlh);
}
