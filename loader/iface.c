// SPDX-License-Identifier: GPL-2.0
/* The VPN (tun) devices whose egress the fast path serves. */
#include <errno.h>
#include <bpf/bpf.h>
#include "fastpath.h"

int ovpn_iface_set(const struct ovpn_fastpath *fp, __u32 ifindex, __u32 instance,
		   __u32 flags, __u32 p2p_peer_id)
{
	struct ovpn_iface v = { .instance = instance, .flags = flags,
				.p2p_peer_id = p2p_peer_id };

	if (!ifindex || flags & ~(OVPN_IFACE_P2P | OVPN_IFACE_ETH) || p2p_peer_id > OVPN_PEER_ID_MAX)
		return -EINVAL;
	return ovpn_map_update(fp->ifaces_fd, &ifindex, &v, BPF_ANY);
}

int ovpn_iface_del(const struct ovpn_fastpath *fp, __u32 ifindex)
{
	return bpf_map_delete_elem(fp->ifaces_fd, &ifindex) ? -errno : 0;
}
