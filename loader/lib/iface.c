// SPDX-License-Identifier: GPL-2.0
/* The VPN (tun) devices whose egress the fast path serves. */
#include <errno.h>
#include <bpf/bpf.h>
#include "fastpath.h"

int ovpn_iface_set(const struct ovpn_fastpath *fp, __u32 ifindex, __u32 instance,
		   __u32 flags, __u32 p2p_peer_id)
{
	struct ovpn_iface v = { .instance = instance, .flags = flags,
				.p2p_peer_id = p2p_peer_id }, old;

	/* the checksum helper set by ovpn_iface_set_peer stays, and so does the
	 * framing unless @flags give one */
	if (!bpf_map_lookup_elem(fp->ifaces_fd, &ifindex, &old)) {
		v.peer_ifindex = old.peer_ifindex;
		if (!(flags & ~0xffu))
			v.flags |= old.flags & ~0xffu;
	}
	if (!ifindex || flags & 0xff & ~(OVPN_IFACE_P2P | OVPN_IFACE_ETH | OVPN_IFACE_CSUM_HELPER |
					  OVPN_IFACE_C2C) ||
	    flags & 0xff00 & ~OVPN_FRAMING_MASK || p2p_peer_id > OVPN_PEER_ID_MAX)
		return -EINVAL;
	return ovpn_map_update(fp->ifaces_fd, &ifindex, &v, BPF_ANY);
}

int ovpn_iface_del(const struct ovpn_fastpath *fp, __u32 ifindex)
{
	return bpf_map_delete_elem(fp->ifaces_fd, &ifindex) ? -errno : 0;
}

int ovpn_iface_set_peer(const struct ovpn_fastpath *fp, __u32 ifindex, __u32 peer_ifindex)
{
	struct ovpn_iface v;

	if (bpf_map_lookup_elem(fp->ifaces_fd, &ifindex, &v))
		return -errno;
	v.peer_ifindex = peer_ifindex;
	return ovpn_map_update(fp->ifaces_fd, &ifindex, &v, BPF_EXIST);
}
