// SPDX-License-Identifier: GPL-2.0
/* The VPN (tun) devices whose egress the fast path serves. */
#include <errno.h>
#include <bpf/bpf.h>
#include "fastpath.h"

int ovx_iface_set(const struct ovx_fastpath *fp, __u32 ifindex, __u32 instance,
		   __u32 flags, __u32 p2p_peer_id)
{
	struct ovx_iface v = { .instance = instance, .flags = flags,
				.p2p_peer_id = p2p_peer_id }, old;

	/* the checksum helper set by ovx_iface_set_peer stays, and so does the
	 * framing unless @flags give one */
	if (!bpf_map_lookup_elem(fp->ifaces_fd, &ifindex, &old)) {
		v.peer_ifindex = old.peer_ifindex;
		if (!(flags & ~0xffu))
			v.flags |= old.flags & ~0xffu;
	}
	if (!ifindex || flags & 0xff & ~(OVX_IFACE_P2P | OVX_IFACE_ETH | OVX_IFACE_CSUM_HELPER |
					  OVX_IFACE_C2C) ||
	    flags & 0xff00 & ~OVX_FRAMING_MASK || p2p_peer_id > OVX_PEER_ID_MAX)
		return -EINVAL;
	return ovx_map_update(fp->ifaces_fd, &ifindex, &v, BPF_ANY);
}

int ovx_iface_del(const struct ovx_fastpath *fp, __u32 ifindex)
{
	return bpf_map_delete_elem(fp->ifaces_fd, &ifindex) ? -errno : 0;
}

int ovx_iface_set_peer(const struct ovx_fastpath *fp, __u32 ifindex, __u32 peer_ifindex)
{
	struct ovx_iface v;

	if (bpf_map_lookup_elem(fp->ifaces_fd, &ifindex, &v))
		return -errno;
	v.peer_ifindex = peer_ifindex;
	return ovx_map_update(fp->ifaces_fd, &ifindex, &v, BPF_EXIST);
}
