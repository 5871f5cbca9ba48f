/* SPDX-License-Identifier: GPL-2.0 */
/* Which peer a packet leaving a VPN device goes to, as the DCO drivers
 * decide: the peer whose VPN address is the destination; else the longest
 * prefix routed via a peer (OpenVPN's iroute); else the kernel's route to the
 * destination, when its gateway is a peer's VPN address. A client (P2P)
 * instance has one peer for everything. */
#ifndef OVPN_ROUTE_H
#define OVPN_ROUTE_H

#include "maps.h"

/* Destination of an inner packet, as the maps key it. */
struct ovpn_dst {
	__u32 family;
	__u8 addr[16];
};

static __always_inline __u32 *ovpn_route_vpn_addr(__u32 instance, const struct ovpn_dst *d)
{
	struct ovpn_vpn_addr k = { .instance = instance, .family = d->family };

	__builtin_memcpy(k.addr, d->addr, sizeof(k.addr));
	return bpf_map_lookup_elem(&ovpn_vpn_addrs, &k);
}

static __always_inline __u32 *ovpn_route_prefix(__u32 instance, const struct ovpn_dst *d)
{
	__be32 inst = bpf_htonl(instance);

	if (d->family == OVPN_AF_INET) {
		struct ovpn_route4_key k = { .prefixlen = 32 + 32 };

		__builtin_memcpy(k.instance, &inst, 4);
		__builtin_memcpy(k.addr, d->addr, 4);
		return bpf_map_lookup_elem(&ovpn_routes4, &k);
	}
	struct ovpn_route6_key k6 = { .prefixlen = 32 + 128 };

	__builtin_memcpy(k6.instance, &inst, 4);
	__builtin_memcpy(k6.addr, d->addr, 16);
	return bpf_map_lookup_elem(&ovpn_routes6, &k6);
}

/* The kernel's route for @d out of @ifindex; its gateway, if it has one, into
 * @gw. Returns false if the route has no gateway or leaves elsewhere. */
static __always_inline bool ovpn_route_gateway(struct __sk_buff *skb, __u32 ifindex,
					       const struct ovpn_dst *d,
					       struct ovpn_dst *gw)
{
	struct bpf_fib_lookup fib = { .ifindex = ifindex };
	long ret;

	if (d->family == OVPN_AF_INET) {
		fib.family = OVPN_AF_INET;
		__builtin_memcpy(&fib.ipv4_dst, d->addr, 4);
	} else {
		fib.family = OVPN_AF_INET6;
		__builtin_memcpy(fib.ipv6_dst, d->addr, 16);
	}
	ret = bpf_fib_lookup(skb, &fib, sizeof(fib),
			     BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH);
	if (ret != BPF_FIB_LKUP_RET_SUCCESS && ret != BPF_FIB_LKUP_RET_NO_NEIGH)
		return false;
	if (fib.ifindex != ifindex)
		return false;
	gw->family = d->family;
	__builtin_memset(gw->addr, 0, sizeof(gw->addr));
	if (d->family == OVPN_AF_INET)
		__builtin_memcpy(gw->addr, &fib.ipv4_dst, 4);
	else
		__builtin_memcpy(gw->addr, fib.ipv6_dst, 16);
	return !ovpn_addr16_eq(gw->addr, d->addr);
}

/* The peer-id for destination @d on VPN device @ifc; false for none. */
static __always_inline bool ovpn_route_peer(struct __sk_buff *skb, __u32 ifindex,
					    const struct ovpn_iface *ifc,
					    const struct ovpn_dst *d, __u32 *peer_id)
{
	struct ovpn_dst gw;
	__u32 *p;

	if (ifc->flags & OVPN_IFACE_P2P) {
		*peer_id = ifc->p2p_peer_id;
		return true;
	}
	p = ovpn_route_vpn_addr(ifc->instance, d);
	if (!p)
		p = ovpn_route_prefix(ifc->instance, d);
	if (!p && ovpn_route_gateway(skb, ifindex, d, &gw))
		p = ovpn_route_vpn_addr(ifc->instance, &gw);
	if (!p)
		return false;
	*peer_id = *p;
	return true;
}

#endif /* OVPN_ROUTE_H */
