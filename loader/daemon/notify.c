// SPDX-License-Identifier: GPL-2.0
/* Notifications to the clients that subscribed (SUBSCRIBE). */
#include "daemon.h"

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
	struct nlmsghdr *nlh = ovpn_ctl_start(d->ntf_buf, OVPN_CMD_NOTIFY, 0);

	nlh->nlmsg_flags = 0;
	ovpn_ctl_put_u32(nlh, OVPN_A_EVENT, OVPN_EV_PEER_DELETED);
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, instance);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, peer_id);
	ovpn_ctl_put_u32(nlh, OVPN_A_REASON, reason);
	ovpnd_notify(d, nlh);
}
