/* SPDX-License-Identifier: GPL-2.0 */
/* Outer headers of a packet the fast path sends: IPv4 or IPv6, UDP from
 * OpenVPN's socket address to the peer, and the P_DATA_V2 header. */
#ifndef OVX_ENCAP_H
#define OVX_ENCAP_H

#include "maps.h"
#include "parse.h"
#include "proto.h"
#include "scratch.h"

#define OVX_IP4_HLEN	20
#define OVX_IP6_HLEN	40
#define OVX_UDP_HLEN	8

struct ovx_path {
	struct ovx_sockaddr src, dst;
	__u32 ifindex;		/* the device it leaves through */
	__u32 hlen;		/* IP + UDP + P_DATA_V2 header and tag */
};

/* The outer path, from the peer's local address (an offloaded socket) to
 * its remote: out of the socket's link device, whose neighbour table gives
 * the next hop (bpf_redirect_neigh). The local address is the one the peer's
 * packets last arrived at, so a wildcard-bound socket works once the peer has
 * sent something. */
static __always_inline int ovx_encap_route(struct ovx_path *p)
{
	struct ovx_socket *sock;
	__u32 any = 0;

	for (int i = 0; i < 16; i++)
		any |= p->src.addr[i];
	if (!any)
		return -EADDRNOTAVAIL;
	if (p->ifindex)		/* learnt by RX with the local address */
		goto done;
	sock = ovx_socket_find(&p->src);
	if (!sock)
		return -ENOENT;
	p->ifindex = sock->link_ifindex;
done:
	p->hlen = (p->dst.family == OVX_AF_INET ? OVX_IP4_HLEN : OVX_IP6_HLEN) +
		  OVX_UDP_HLEN + OVX_DATA_HDR_LEN;
	return 0;
}

static __always_inline __u16 ovx_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

static __always_inline void ovx_encap_ipv4(struct iphdr *ip, const struct ovx_path *p,
					    __u32 tot_len)
{
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;

	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = bpf_htons(tot_len);
	ip->id = bpf_get_prandom_u32();
	ip->ttl = 64;
	ip->protocol = OVX_IPPROTO_UDP;
	__builtin_memcpy(&ip->saddr, p->src.addr, 4);
	__builtin_memcpy(&ip->daddr, p->dst.addr, 4);
	for (int i = 0; i < 10; i++)
		sum += w[i];
	ip->check = ~ovx_csum_fold(sum);
}

static __always_inline void ovx_encap_ipv6(struct ipv6hdr *ip6, const struct ovx_path *p,
					    __u32 payload_len)
{
	__builtin_memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->payload_len = bpf_htons(payload_len);
	ip6->nexthdr = OVX_IPPROTO_UDP;
	ip6->hop_limit = 64;
	__builtin_memcpy(&ip6->saddr, p->src.addr, 16);
	__builtin_memcpy(&ip6->daddr, p->dst.addr, 16);
}

/* UDP checksum over IPv6 (mandatory there): pseudo-header, UDP and P_DATA_V2
 * headers, tag, and the ciphertext still in scratch. Like the IPv4 header
 * checksum, it is summed over 16-bit words as they lie in memory, so it is
 * stored as it is, not byte-swapped. */
static __always_inline __u16 ovx_udp6_csum(const struct ovx_path *p,
					    const struct udphdr *udp,
					    const __u8 *hdr, struct ovx_scratch *s,
					    __u32 len)
{
	struct {
		__u8 src[16], dst[16];
		__be32 len;
		__be32 next;
		struct udphdr udp;
		__u8 hdr[OVX_AAD_LEN];
		__u8 tag[OVX_TAG_LEN];
	} ph;
	__s64 sum;

	__builtin_memcpy(ph.src, p->src.addr, 16);
	__builtin_memcpy(ph.dst, p->dst.addr, 16);
	ph.len = bpf_htonl(bpf_ntohs(udp->len));
	ph.next = bpf_htonl(OVX_IPPROTO_UDP);
	ph.udp = *udp;
	ph.udp.check = 0;
	__builtin_memcpy(ph.hdr, hdr, OVX_AAD_LEN);
	__builtin_memcpy(ph.tag, s->tag, OVX_TAG_LEN);
	sum = bpf_csum_diff(NULL, 0, (void *)&ph, sizeof(ph), 0);
	if (len > OVX_AEAD_MAX_LEN)
		return 0;
	/* zero the pad up to 4 bytes, then the ciphertext in 512-byte steps */
	s->buf[len] = s->buf[len + 1] = s->buf[len + 2] = 0;
	for (__u32 off = 0, i = 0; i < OVX_AEAD_MAX_LEN / 512; i++, off += 512) {
		__u32 n = (len + 3 - off) & ~3U;

		if (off >= len)
			break;
		if (n > 512)
			n = 512;
		if (off > OVX_AEAD_MAX_LEN - 512)
			break;
		sum = bpf_csum_diff(NULL, 0, (void *)&s->buf[off], n, sum);
	}
	sum = ~ovx_csum_fold(sum) & 0xffff;
	return sum ? sum : 0xffff;
}

/* Outer IP and UDP headers, as written in front of a sealed packet. */
struct ovx_encap_hdr {
	union {
		struct iphdr ip;
		struct ipv6hdr ip6;
	};
	struct udphdr udp;
};

/* Fills @h for @udp_len bytes of UDP (checksum 0, for the caller); returns
 * the IP header's length. */
static __always_inline __u32 ovx_encap_fill(struct ovx_encap_hdr *h, const struct ovx_path *p,
					    __u32 udp_len)
{
	__u32 ip_len = p->dst.family == OVX_AF_INET ? OVX_IP4_HLEN : OVX_IP6_HLEN;

	if (ip_len == OVX_IP4_HLEN)
		ovx_encap_ipv4(&h->ip, p, ip_len + udp_len);
	else
		ovx_encap_ipv6(&h->ip6, p, udp_len);
	h->udp.source = p->src.port;
	h->udp.dest = p->dst.port;
	h->udp.len = bpf_htons(udp_len);
	h->udp.check = 0;
	return ip_len;
}

/* Writes @h behind the link header ending at @l2. 0 or -EINVAL. */
static __always_inline int ovx_encap_write(struct bpf_dynptr *pkt, __u32 l2,
					   struct ovx_encap_hdr *h, __u32 ip_len)
{
	if (bpf_dynptr_write(pkt, l2 + ip_len, &h->udp, OVX_UDP_HLEN, 0))
		return -EINVAL;
	return bpf_dynptr_write(pkt, l2, h, ip_len, 0);
}

/* The outer IP and UDP headers of a sealed packet whose link header ends at
 * @l2 and whose ciphertext (@len bytes, in scratch with its tag) follows the
 * P_DATA_V2 header: written once the payload is sealed, as IPv6's UDP
 * checksum covers it. 0 or -EINVAL. */
static __noinline int ovx_encap_outer(struct bpf_dynptr *pkt, const struct ovx_path *p,
				       __u32 l2, __u32 len)
{
	__u32 udp_len = OVX_UDP_HLEN + OVX_DATA_HDR_LEN + len;
	struct ovx_scratch *s = ovx_scratch_get();
	struct ovx_encap_hdr h;
	__u32 ip_len = ovx_encap_fill(&h, p, udp_len);
	__u8 aad[OVX_AAD_LEN];

	if (!s || bpf_dynptr_read(aad, sizeof(aad), pkt, l2 + ip_len + OVX_UDP_HLEN, 0))
		return -EINVAL;
	if (ip_len == OVX_IP6_HLEN)
		h.udp.check = ovx_udp6_csum(p, &h.udp, aad, s, len);
	return ovx_encap_write(pkt, l2, &h, ip_len);
}

#endif /* OVX_ENCAP_H */
