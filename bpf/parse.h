/* SPDX-License-Identifier: GPL-2.0 */
/* Outer headers of a received frame: Ethernet with up to two VLAN tags, IPv4
 * or IPv6, UDP. Anything else (fragments, IPv6 extension headers, truncated
 * headers) is not ours and goes to the stack unchanged. */
#ifndef OVX_PARSE_H
#define OVX_PARSE_H

#include "common.h"
#include "ovx_maps.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define OVX_IPPROTO_UDP 17
#define OVX_MAX_VLANS	2

enum ovx_parse {
	OVX_PARSE_OK,
	OVX_PARSE_OTHER,	/* not UDP over IP */
	OVX_PARSE_FRAGMENT,	/* IP fragment: OpenVPN's socket reassembles it */
	OVX_PARSE_BAD,		/* truncated or inconsistent headers */
};

struct ovx_frame {
	__u32 l3_off;		/* IP header */
	__u32 payload_off;	/* UDP payload */
	__u32 payload_len;	/* from the UDP length */
	struct ovx_sockaddr src, dst;
};

struct ovx_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* Ethernet and VLAN tags; returns the ethertype, sets *off past them. */
static __always_inline __u16 ovx_parse_l2(struct bpf_dynptr *pkt, __u32 *off)
{
	struct ethhdr ebuf, *eth = bpf_dynptr_slice(pkt, 0, &ebuf, sizeof(ebuf));
	struct ovx_vlan_hdr vbuf, *vlan;
	__u16 proto;

	if (!eth)
		return 0;
	proto = bpf_ntohs(eth->h_proto);
	*off = sizeof(*eth);
	for (int i = 0; i < OVX_MAX_VLANS; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		vlan = bpf_dynptr_slice(pkt, *off, &vbuf, sizeof(vbuf));
		if (!vlan)
			return 0;
		proto = bpf_ntohs(vlan->proto);
		*off += sizeof(*vlan);
	}
	return proto;
}

static __always_inline int ovx_parse_ipv4(struct bpf_dynptr *pkt,
					   struct ovx_frame *f, __u32 *l4_off)
{
	struct iphdr buf, *ip = bpf_dynptr_slice(pkt, f->l3_off, &buf, sizeof(buf));

	if (!ip)
		return OVX_PARSE_BAD;
	if (ip->version != 4 || ip->ihl < 5)
		return OVX_PARSE_BAD;
	if (ip->frag_off & bpf_htons(0x3FFF))	/* MF or an offset */
		return OVX_PARSE_FRAGMENT;
	if (ip->protocol != OVX_IPPROTO_UDP)
		return OVX_PARSE_OTHER;
	__builtin_memcpy(f->src.addr, &ip->saddr, 4);
	__builtin_memcpy(f->dst.addr, &ip->daddr, 4);
	f->src.family = f->dst.family = OVX_AF_INET;
	*l4_off = f->l3_off + ip->ihl * 4;
	return OVX_PARSE_OK;
}

static __always_inline int ovx_parse_ipv6(struct bpf_dynptr *pkt,
					   struct ovx_frame *f, __u32 *l4_off)
{
	struct ipv6hdr buf, *ip6 = bpf_dynptr_slice(pkt, f->l3_off, &buf, sizeof(buf));

	if (!ip6)
		return OVX_PARSE_BAD;
	if (ip6->version != 6)
		return OVX_PARSE_BAD;
	if (ip6->nexthdr == 44)			/* fragment header */
		return OVX_PARSE_FRAGMENT;
	if (ip6->nexthdr != OVX_IPPROTO_UDP)	/* or extension headers */
		return OVX_PARSE_OTHER;
	__builtin_memcpy(f->src.addr, &ip6->saddr, 16);
	__builtin_memcpy(f->dst.addr, &ip6->daddr, 16);
	f->src.family = f->dst.family = OVX_AF_INET6;
	*l4_off = f->l3_off + sizeof(*ip6);
	return OVX_PARSE_OK;
}

/* Fills @f (zeroed by the caller) for a UDP datagram over IPv4 or IPv6. */
static __always_inline int ovx_parse(struct bpf_dynptr *pkt, struct ovx_frame *f)
{
	struct udphdr ubuf, *udp;
	__u32 l4_off = 0, ulen;
	__u16 proto;
	int ret;

	proto = ovx_parse_l2(pkt, &f->l3_off);
	if (proto == ETH_P_IP)
		ret = ovx_parse_ipv4(pkt, f, &l4_off);
	else if (proto == ETH_P_IPV6)
		ret = ovx_parse_ipv6(pkt, f, &l4_off);
	else
		return OVX_PARSE_OTHER;
	if (ret != OVX_PARSE_OK)
		return ret;
	udp = bpf_dynptr_slice(pkt, l4_off, &ubuf, sizeof(ubuf));
	if (!udp)
		return OVX_PARSE_BAD;
	ulen = bpf_ntohs(udp->len);
	if (ulen < sizeof(*udp) || l4_off + ulen > bpf_dynptr_size(pkt))
		return OVX_PARSE_BAD;
	f->src.port = udp->source;
	f->dst.port = udp->dest;
	f->payload_off = l4_off + sizeof(*udp);
	f->payload_len = ulen - sizeof(*udp);
	return OVX_PARSE_OK;
}

#endif /* OVX_PARSE_H */
