/* SPDX-License-Identifier: GPL-2.0 */
/* One nonce sequence per key (trap 1): OpenVPN still sends some data packets
 * with an offloaded key itself (keepalive pings, OCC, exit notification, and
 * what the fast path handed to it), numbered by its own counter, which knows
 * nothing of the fast path's. On the link's TC egress each such packet is
 * opened with the key, given the next packet-id of the key's shared counter
 * and sealed again, so every packet-id of a key leaves the host once. The
 * first sealing never reaches the wire.
 *
 * OpenVPN's packets are told from the fast path's own (which pass here too,
 * after bpf_redirect_neigh) by their socket: a UDP socket bound to the port
 * the packet leaves from. Anything else passes untouched. */
#ifndef OVX_RENUMBER_H
#define OVX_RENUMBER_H

#include "aead.h"
#include "learn.h"
#include "limit.h"
#include "maps.h"
#include "parse.h"
#include "proto.h"
#include "pid.h"

/* Per-CPU home of the parsed frame of OpenVPN's packet, as RX has its own. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_frame);
} ovx_renumber_frame SEC(".maps");

struct ovx_renumber {
	struct ovx_frame *f;
	struct ovx_key *key;
	struct ovx_peer_stats *stats;
	struct ovx_peer_key pk;
	__u32 len;
};

/* The frame is an OpenVPN data packet for an offloaded key, sent by a socket. */
static __noinline bool ovx_renumber_match(struct __sk_buff *skb, struct bpf_dynptr *pkt,
					   struct ovx_renumber *r)
{
	struct bpf_sock *sk = skb->sk;
	struct ovx_socket *sock;
	struct ovx_peer *peer;
	struct ovx_key_id kid;
	__u8 hbuf[4], *h;

	if (!sk || !(sk = bpf_sk_fullsock(sk)) || sk->protocol != OVX_IPPROTO_UDP)
		return false;
	if (ovx_parse(pkt, r->f) != OVX_PARSE_OK || sk->src_port != bpf_ntohs(r->f->src.port))
		return false;
	sock = ovx_socket_find(&r->f->src);
	if (!sock)
		return false;
	h = bpf_dynptr_slice(pkt, r->f->payload_off, hbuf, sizeof(hbuf));
	if (!h || !ovx_proto_is_data_v2(h) ||
	    r->f->payload_len < OVX_DATA_HDR_LEN)
		return false;
	r->pk.instance = sock->instance;
	r->pk.peer_id = ovx_proto_peer_id(h);
	peer = bpf_map_lookup_elem(&ovx_peers, &r->pk);
	kid.instance = r->pk.instance;
	kid.peer_id = r->pk.peer_id;
	kid.key_id = ovx_proto_key_id(h);
	if (!peer || (peer->slot_key_id[0] != kid.key_id && peer->slot_key_id[1] != kid.key_id)) {
		/* not offloaded (yet): what OpenVPN sends with it */
		struct ovx_learn_key lk = {
			.instance = r->pk.instance, .dir = OVX_LEARN_TX, .remote = r->f->dst,
		};

		ovx_learn_record(pkt, r->f->payload_off, r->f->payload_len, &lk);
		return false;
	}
	r->key = bpf_map_lookup_elem(&ovx_keys, &kid);
	r->stats = bpf_map_lookup_elem(&ovx_peer_stats, &r->pk);
	r->len = r->f->payload_len - OVX_DATA_HDR_LEN;
	return r->key != NULL;
}

/* Ones'-complement sum of @len bytes of the packet at @off (through scratch). */
static __noinline __u64 ovx_renumber_sum(struct bpf_dynptr *pkt, __u32 off, __u32 len)
{
	struct ovx_scratch *s = ovx_scratch_get();
	__s64 sum = 0;

	if (!s || len > OVX_DATA_HDR_LEN + OVX_AEAD_MAX_LEN)
		return 0;
	if (bpf_dynptr_read(s->ks, len, pkt, off, 0))
		return 0;
	s->ks[len] = s->ks[len + 1] = s->ks[len + 2] = 0;
	for (__u32 o = 0, i = 0; i < (OVX_DATA_HDR_LEN + OVX_AEAD_MAX_LEN) / 512 + 1;
	     i++, o += 512) {
		__u32 n = (len + 3 - o) & ~3U;

		if (o >= len || o > OVX_AEAD_MAX_LEN)
			break;
		if (n > 512)
			n = 512;
		sum = bpf_csum_diff(NULL, 0, (void *)&s->ks[o], n, sum);
	}
	return (__u32)sum;
}

/* Re-seals the packet with a fresh packet-id. TC_ACT_OK, or TC_ACT_SHOT when
 * that cannot be done (then the packet must not leave as it is). */
static __always_inline int ovx_renumber_packet(struct __sk_buff *skb, struct bpf_dynptr *pkt,
						struct ovx_renumber *r)
{
	__u32 off = r->f->payload_off, span = OVX_DATA_HDR_LEN + r->len;
	__u32 csum_off = off - 2;	/* UDP checksum */
	__u64 before, after;
	__be32 pid;
	__u32 id;

	if (r->len > OVX_AEAD_MAX_LEN)
		goto drop;
	before = ovx_renumber_sum(pkt, off, span);
	if (ovx_aead_decrypt(pkt, off, r->len, &r->key->enc))
		goto drop;
	id = ovx_pid_next(r->key, &r->pk);
	if (!id || !ovx_usage_take(r->key, &r->pk, id, r->len))
		goto drop;
	pid = bpf_htonl(id);
	if (bpf_dynptr_write(pkt, off + 4, &pid, sizeof(pid), 0) ||
	    ovx_aead_encrypt(pkt, off, r->len, &r->key->enc))
		goto drop;
	after = ovx_renumber_sum(pkt, off, span);
	/* a checksum still to be completed by the device is left alone */
	after += (__u32)~before;
	after = (after & 0xffffffff) + (after >> 32);
	after = (after & 0xffffffff) + (after >> 32);
	bpf_l4_csum_replace(skb, csum_off, 0, after,
			    r->f->dst.family == OVX_AF_INET ? BPF_F_MARK_MANGLED_0 : 0);
	ovx_gstat_inc(OVX_G_TX_RENUMBERED);
	return TC_ACT_OK;
drop:
	ovx_count_drop(r->stats, OVX_DROP_RENUMBER);
	return TC_ACT_SHOT;
}

static __always_inline int ovx_renumber(struct __sk_buff *skb)
{
	struct ovx_renumber r = {};
	struct bpf_dynptr pkt;
	__u32 zero = 0;

	/* most packets here have no socket (forwarded, or sent by the fast
	 * path, whose skb lost its socket on the way) or a TCP one */
	if (!skb->sk)
		return TC_ACT_OK;
	r.f = bpf_map_lookup_elem(&ovx_renumber_frame, &zero);
	if (!r.f || bpf_dynptr_from_skb(skb, 0, &pkt))
		return TC_ACT_OK;
	__builtin_memset(r.f, 0, sizeof(*r.f));
	if (!ovx_renumber_match(skb, &pkt, &r))
		return TC_ACT_OK;
	return ovx_renumber_packet(skb, &pkt, &r);
}

#endif /* OVX_RENUMBER_H */
