/* SPDX-License-Identifier: GPL-2.0 */
/* Which peer a packet leaving a VPN device goes to, as the DCO drivers
 * decide: the peer whose VPN address is the destination; else the longest
 * prefix routed via a peer (OpenVPN's iroute); else the kernel's route to the
 * destination, when its gateway is a peer's VPN address. A client (P2P)
 * instance has one peer for everything. */
#ifndef OVX_ROUTE_H
#define OVX_ROUTE_H

#include "maps.h"

/* Destination of an inner packet, as the maps key it. */
struct ovx_dst {
	__u32 family;
	__u8 addr[16];
};

static __always_inline __u32 *ovx_route_vpn_addr(__u32 instance, const struct ovx_dst *d)
{
	struct ovx_vpn_addr k = { .instance = instance, .family = d->family };

	__builtin_memcpy(k.addr, d->addr, sizeof(k.addr));
	return bpf_map_lookup_elem(&ovx_vpn_addrs, &k);
}

/* The index of the highest bit set in @x, which is not 0. */
static __always_inline __u32 ovx_fls64(__u64 x)
{
	return 63 - __builtin_clzll(x);	/* branch-free on BPF */
}

/* A 64-bit word with its @n high bits set, @n up to 64. */
static __always_inline __u64 ovx_mask64(__u32 n)
{
	return n >= 64 ? ~0ULL : ~(~0ULL >> n);
}

/* The IPv4 iroute for @d: one hash lookup per length in use (@l), longest
 * first. */
static __always_inline __u32 *ovx_route4_prefix(__u32 instance, const struct ovx_dst *d,
						 const struct ovx_route_lens *l)
{
	struct ovx_route4_key k = {};
	__be32 inst = bpf_htonl(instance);
	__u64 used = (__u64)(l->used[1] & 1) << 32 | l->used[0];
	__u32 addr, a;

	__builtin_memcpy(k.instance, &inst, 4);
	__builtin_memcpy(&addr, d->addr, 4);
	for (int i = 0; i <= 32 && used; i++) {	/* i: a bound for the verifier */
		__u32 len = ovx_fls64(used);
		__u32 *p;

		a = addr & bpf_htonl(ovx_mask64(len) >> 32);
		k.prefixlen = len;
		__builtin_memcpy(k.addr, &a, 4);
		p = bpf_map_lookup_elem(&ovx_routes4, &k);
		if (p)
			return p;
		used &= ~(1ULL << len);
	}
	return NULL;
}

/* The IPv6 iroute of a length @base + n for a bit n of @used (@base 0, 64 or
 * 128), longest first; @k holds the instance, @hi and @lo the destination's
 * halves as in the packet (network order), masked in that order. */
static __always_inline __u32 *ovx_route6_word(struct ovx_route6_key *k, __u64 hi, __u64 lo,
					       __u64 used, __u32 base)
{
	for (int i = 0; i < 64 && used; i++) {
		__u32 bit = ovx_fls64(used);
		__u64 h = hi, m = bpf_cpu_to_be64(ovx_mask64(bit));
		__u64 lw = base ? lo : 0;
		__u32 *p;

		if (!base)
			h &= m;
		else if (base == 64)
			lw &= m;
		k->prefixlen = base + bit;
		__builtin_memcpy(k->addr, &h, 8);
		__builtin_memcpy(k->addr + 8, &lw, 8);
		p = bpf_map_lookup_elem(&ovx_routes6, k);
		if (p)
			return p;
		used &= ~(1ULL << bit);
	}
	return NULL;
}

static __always_inline __u32 *ovx_route6_prefix(__u32 instance, const struct ovx_dst *d,
						 const struct ovx_route_lens *l)
{
	struct ovx_route6_key k = {};
	__be32 inst = bpf_htonl(instance);
	__u64 hi, lo;
	__u32 *p;

	__builtin_memcpy(k.instance, &inst, 4);
	__builtin_memcpy(&hi, d->addr, 8);
	__builtin_memcpy(&lo, d->addr + 8, 8);
	p = ovx_route6_word(&k, hi, lo, l->used[4] & 1, 128);
	if (!p)
		p = ovx_route6_word(&k, hi, lo, (__u64)l->used[3] << 32 | l->used[2], 64);
	if (!p)
		p = ovx_route6_word(&k, hi, lo, (__u64)l->used[1] << 32 | l->used[0], 0);
	return p;
}

/* The peer-id of the longest prefix routed via a peer (iroute) that holds
 * @d, or NULL. */
static __always_inline __u32 *ovx_route_prefix(__u32 instance, const struct ovx_dst *d)
{
	__u32 fam = d->family == OVX_AF_INET ? OVX_ROUTE_LENS_V4 : OVX_ROUTE_LENS_V6;
	const struct ovx_route_lens *l = bpf_map_lookup_elem(&ovx_route_lens, &fam);

	if (!l)
		return NULL;
	if (d->family == OVX_AF_INET)
		return ovx_route4_prefix(instance, d, l);
	return ovx_route6_prefix(instance, d, l);
}

/* The kernel's route for @d out of @ifindex; its gateway, if it has one, into
 * @gw. Returns false if the route has no gateway or leaves elsewhere. */
static __always_inline bool ovx_route_gateway(struct __sk_buff *skb, __u32 ifindex,
					       const struct ovx_dst *d,
					       struct ovx_dst *gw)
{
	struct bpf_fib_lookup fib = { .ifindex = ifindex };
	long ret;

	if (d->family == OVX_AF_INET) {
		fib.family = OVX_AF_INET;
		__builtin_memcpy(&fib.ipv4_dst, d->addr, 4);
	} else {
		fib.family = OVX_AF_INET6;
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
	if (d->family == OVX_AF_INET)
		__builtin_memcpy(gw->addr, &fib.ipv4_dst, 4);
	else
		__builtin_memcpy(gw->addr, fib.ipv6_dst, 16);
	return !ovx_addr16_eq(gw->addr, d->addr);
}

/* The peer-id for destination @d on VPN device @ifc; false for none. */
static __always_inline bool ovx_route_peer(struct __sk_buff *skb, __u32 ifindex,
					    const struct ovx_iface *ifc,
					    const struct ovx_dst *d, __u32 *peer_id)
{
	struct ovx_dst gw;
	__u32 *p;

	if (ifc->flags & OVX_IFACE_P2P) {
		*peer_id = ifc->p2p_peer_id;
		return true;
	}
	p = ovx_route_vpn_addr(ifc->instance, d);
	if (!p)
		p = ovx_route_prefix(ifc->instance, d);
	if (!p && ovx_route_gateway(skb, ifindex, d, &gw))
		p = ovx_route_vpn_addr(ifc->instance, &gw);
	if (!p)
		return false;
	*peer_id = *p;
	return true;
}

#endif /* OVX_ROUTE_H */
