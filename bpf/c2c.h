/* SPDX-License-Identifier: GPL-2.0 */
/* Client-to-client of a server instance, as OpenVPN's --client-to-client:
 * a decrypted packet for another peer's VPN address or iroute is carried to
 * that peer without the kernel's forwarding (whatever ip_forward says).
 * ovpn_rx_tc then redirects it to the tun device's egress instead of its
 * ingress: TX (ovpn_tx_tc) encrypts it for the destination peer there, and
 * what TX leaves alone reaches OpenVPN through the tun device, which sends
 * it to that client as it would have. Without client-to-client such a packet
 * is delivered to the kernel, where OpenVPN would write it (the tun device).
 * Multicast stays with the kernel (OpenVPN also copies it to the clients). */
#ifndef OVPN_C2C_H
#define OVPN_C2C_H

#include "maps.h"
#include "parse.h"
#include "encap.h"
#include "route.h"

#define OVPN_C2C_L2	14	/* the Ethernet header deliver.h wrote */

/* The packet (Ethernet + inner IP, at TC ingress) delivered on @tun goes to
 * another peer of the instance. */
static __noinline bool ovpn_c2c(struct __sk_buff *skb, __u32 tun)
{
	struct ovpn_iface *ifc = bpf_map_lookup_elem(&ovpn_ifaces, &tun);
	struct ovpn_dst d = {};
	struct bpf_dynptr pkt;
	__u8 buf[OVPN_IP6_HLEN], *h;

	if (!ifc || !(ifc->flags & OVPN_IFACE_C2C) || ifc->flags & OVPN_IFACE_P2P ||
	    bpf_dynptr_from_skb(skb, 0, &pkt))
		return false;
	h = bpf_dynptr_slice(&pkt, OVPN_C2C_L2, buf, OVPN_IP4_HLEN);
	if (!h)
		return false;
	if (h[0] >> 4 == 4) {
		d.family = OVPN_AF_INET;
		__builtin_memcpy(d.addr, h + 16, 4);
	} else {
		h = bpf_dynptr_slice(&pkt, OVPN_C2C_L2, buf, OVPN_IP6_HLEN);
		if (!h || h[0] >> 4 != 6)
			return false;
		d.family = OVPN_AF_INET6;
		__builtin_memcpy(d.addr, h + 24, 16);
	}
	return ovpn_route_vpn_addr(ifc->instance, &d) || ovpn_route_prefix(ifc->instance, &d);
}

#endif /* OVPN_C2C_H */
