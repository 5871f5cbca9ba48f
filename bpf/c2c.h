/* SPDX-License-Identifier: GPL-2.0 */
/* Client-to-client of a server instance, as OpenVPN's --client-to-client:
 * a decrypted packet for another peer's VPN address or iroute is carried to
 * that peer without the kernel's forwarding (whatever ip_forward says).
 *
 * ovx_rx_xdp decides it from the plaintext and marks the delivered frame
 * with 4 more bytes of metadata in front of struct ovx_rx_meta, holding the
 * packet-id: GRO merges only frames with equal metadata, so such packets stay
 * single (a merged GSO packet would have to be split by the checksum helper
 * while the rest of its flow is encrypted at once: reordering). ovx_rx_tc
 * then redirects a marked packet to the tun device's egress instead of its
 * ingress: TX (ovx_tx_tc) encrypts it for the destination peer there, and
 * what TX leaves alone reaches OpenVPN through the tun device, which sends
 * it to that client as it would have. Without client-to-client such a packet
 * is delivered to the kernel, where OpenVPN would write it (the tun device).
 * Multicast stays with the kernel (OpenVPN also copies it to the clients). */
#ifndef OVX_C2C_H
#define OVX_C2C_H

#include "route.h"
#include "rx.h"
#include "scratch.h"

/* The plaintext in scratch (an IP packet, ovx_rx_is_ip) of a packet for
 * @tun goes to another peer of the instance. */
static __noinline bool ovx_c2c(__u32 tun)
{
	struct ovx_iface *ifc = bpf_map_lookup_elem(&ovx_ifaces, &tun);
	struct ovx_scratch *s = ovx_scratch_get();
	struct ovx_dst d = {};

	if (!ifc || !s || !(ifc->flags & OVX_IFACE_C2C) || ifc->flags & OVX_IFACE_P2P)
		return false;
	if (s->buf[0] >> 4 == 4) {
		d.family = OVX_AF_INET;
		__builtin_memcpy(d.addr, s->buf + 16, 4);
	} else {
		d.family = OVX_AF_INET6;
		__builtin_memcpy(d.addr, s->buf + 24, 16);
	}
	return ovx_route_vpn_addr(ifc->instance, &d) || ovx_route_prefix(ifc->instance, &d);
}

/* After ovpn_xdp_deliver: the mark. 0 or -errno. */
static __always_inline int ovx_c2c_mark(struct xdp_md *ctx, __u32 pid)
{
	__u32 *m;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return -EINVAL;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return -EINVAL;
	*m = pid;
	return 0;
}

#endif /* OVX_C2C_H */
