/* SPDX-License-Identifier: GPL-2.0 */
/* The source check of a server (multi-client) instance, as OpenVPN's
 * multi_process_incoming_link() and the Linux ovpn driver make it: a
 * decrypted packet is delivered only if its inner source is the sending
 * peer's VPN address or lies in one of its iroutes (longest prefix, so a
 * more specific iroute of another peer wins). Otherwise a client could send
 * with another client's address, or from a LAN that is not behind it.
 *
 * A packet from another peer's address or iroute, or from an address no peer
 * owns, is dropped and counted (OVX_DROP_SOURCE). Two cases of a source no
 * peer owns go to OpenVPN instead, which checks them itself and drops them as
 * it does without the fast path: the peer has no VPN address of the packet's
 * family yet (the daemon learns it from OpenVPN's learn-address a little
 * after the client connects; dropping meanwhile would lose packets OpenVPN
 * accepts, and passing costs nothing in safety), and IPv6 link-local sources
 * (router solicitations of the client's tun: OpenVPN drops them silently;
 * they are no spoofing and not worth a counted drop). A client (P2P)
 * instance has one peer, whose packets come from anywhere behind it. */
#ifndef OVX_SRCCHECK_H
#define OVX_SRCCHECK_H

#include "route.h"
#include "rx.h"
#include "scratch.h"

/* The inner source of the plaintext in scratch (an IP packet of @len bytes
 * at @off, past the framing: ovx_rx_is_ip) into @d. */
static __always_inline bool ovx_src_of(__u32 off, __u32 len, struct ovx_dst *d)
{
	struct ovx_scratch *s = ovx_scratch_get();
	__u32 o = off & 7;		/* framing.h: at most 5 bytes */

	if (!s)
		return false;
	__builtin_memset(d->addr, 0, sizeof(d->addr));
	if (s->buf[o] >> 4 == 4) {
		d->family = OVX_AF_INET;
		__builtin_memcpy(d->addr, s->buf + o + 12, 4);
		return true;
	}
	if (len < 40)
		return false;
	d->family = OVX_AF_INET6;
	__builtin_memcpy(d->addr, s->buf + o + 8, 16);
	return true;
}

static __always_inline bool ovx_src_zero(const __u8 *a, __u32 n)
{
	__u8 x = 0;

	for (__u32 i = 0; i < n; i++)
		x |= a[i];
	return !x;
}

/* A source no peer owns that OpenVPN is to judge: the peer has no VPN
 * address of its family yet, or an IPv6 link-local one. */
static __always_inline bool ovx_src_for_openvpn(const struct ovx_peer *peer,
						 const struct ovx_dst *src)
{
	if (src->family == OVX_AF_INET)
		return ovx_src_zero(peer->vpn_ipv4, 4);
	return ovx_src_zero(peer->vpn_ipv6, 16) ||
	       (src->addr[0] == 0xfe && (src->addr[1] & 0xc0) == 0x80);
}

/* OVX_RX_DELIVER if the source is the peer's, OVX_RX_PASS to leave the
 * packet to OpenVPN, OVX_RX_DROP (counted) for a foreign source. */
static __noinline int ovx_rx_source(struct ovx_rx *rx)
{
	__u32 ifindex = rx->sock->vpn_ifindex;
	struct ovx_iface *ifc = bpf_map_lookup_elem(&ovx_ifaces, &ifindex);
	struct ovx_dst src;
	__u32 *owner;

	if (!ifc || ifc->flags & OVX_IFACE_P2P)
		return OVX_RX_DELIVER;
	if (!ovx_src_of(rx->off, rx->len, &src)) {
		ovx_count_drop(rx->stats, OVX_DROP_SOURCE);
		return OVX_RX_DROP;
	}
	owner = ovx_route_vpn_addr(rx->pk.instance, &src);
	if (!owner)
		owner = ovx_route_prefix(rx->pk.instance, &src);
	if (owner && *owner == rx->pk.peer_id)
		return OVX_RX_DELIVER;
	if (!owner && ovx_src_for_openvpn(rx->peer, &src)) {
		if (rx->stats)
			OVX_STAT_ADD(rx->stats->rx_to_ovpn, 1);
		return OVX_RX_PASS;
	}
	ovx_count_drop(rx->stats, OVX_DROP_SOURCE);
	return OVX_RX_DROP;
}

#endif /* OVX_SRCCHECK_H */
