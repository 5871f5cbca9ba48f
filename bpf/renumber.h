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
#include "epoch_keys.h"
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
	__u32 key_id;
	__u32 epoch;		/* 1: a key in the epoch format (no r->key) */
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
	r->key_id = kid.key_id;
	if (!r->key && bpf_map_lookup_elem(&ovx_epoch_states, &kid)) {
		r->epoch = 1;	/* ovx_renumber_epoch checks the length */
		return r->f->payload_off < 0x10000 && r->f->payload_len < 0x10000;
	}
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

/* The UDP checksum after the payload (@span bytes at @off) changed from
 * summing to @before (a checksum still to be completed by the device is
 * left alone). */
static __always_inline void ovx_renumber_csum(struct __sk_buff *skb, struct bpf_dynptr *pkt,
					       __u32 off, __u32 span, __u64 before, __u32 family)
{
	__u64 after = ovx_renumber_sum(pkt, off, span);

	after += (__u32)~before;
	after = (after & 0xffffffff) + (after >> 32);
	after = (after & 0xffffffff) + (after >> 32);
	bpf_l4_csum_replace(skb, off - 2, 0, after,
			    family == OVX_AF_INET ? BPF_F_MARK_MANGLED_0 : 0);
}

/* The epoch format (docs/epoch.md, trap 3): OpenVPN's packet is opened with
 * the send slot of OpenVPN's own epoch and sealed again with the fast path's
 * next (epoch, counter) (ovx_epoch_tx_next), so that both senders draw from
 * one counter per epoch and the peer sees one rising sequence. Without the
 * slot of OpenVPN's epoch, or without a usable send epoch, the packet is
 * dropped: sent as it is, its (epoch, counter) could be one of ours.
 *
 * Opening and sealing are global functions, each verified on its own and
 * once: with both formats' open and seal inline the link egress program
 * would pass the verifier's limit. Their arguments are scalars: @ids =
 * peer-id | key-id << 24 | 1 << 31 over IPv4, @at = payload offset |
 * payload length << 16. */
#define OVX_RENUMBER_IPV4	(1U << 31)

/* The sealing's working values, per CPU: its stack is at the end of a deep
 * call chain (the AEAD's), within the combined 512 bytes. */
struct ovx_renumber_seal {
	struct ovx_key_id kid;
	__u32 epoch;
	__u64 counter;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_renumber_seal);
} ovx_renumber_seal SEC(".maps");

static __always_inline struct ovx_key_id ovx_renumber_kid(__u32 instance, __u32 ids)
{
	return (struct ovx_key_id){
		.instance = instance, .peer_id = ids & 0xffffff, .key_id = (ids >> 24) & 0x7f,
	};
}

/* Opens OpenVPN's packet into scratch (ovx_epoch_open; ovx_epoch_raw keeps
 * its header). 0 or -errno. */
__noinline int ovx_renumber_epoch_open(struct __sk_buff *skb, __u32 instance, __u32 ids,
				       __u32 at)
{
	struct ovx_key_id kid = ovx_renumber_kid(instance, ids);
	__u32 off = at & 0xffff, len = (at >> 16) - OVX_EPOCH_OVERHEAD;
	struct ovx_epoch_slot *from;
	struct ovx_epoch_state *st;
	struct bpf_dynptr pkt;
	__u8 h[OVX_EPOCH_AAD_LEN];

	if (bpf_dynptr_from_skb(skb, 0, &pkt) || bpf_dynptr_read(h, sizeof(h), &pkt, off, 0))
		return -EINVAL;
	from = ovx_epoch_slot_get(&kid, OVX_EPOCH_TX, ovx_epoch_of(h));
	if (!from)
		return -ENOENT;
	st = bpf_map_lookup_elem(&ovx_epoch_states, &kid);
	if (st && st->tx_openvpn < ovx_epoch_of(h))	/* its slot kept (epoch_slots.c) */
		st->tx_openvpn = ovx_epoch_of(h);
	return ovx_epoch_open(&pkt, off, len, &from->key);
}

/* Seals the plaintext in scratch with the next (epoch, counter) in place of
 * OpenVPN's, and mends the UDP checksum (@before: the payload's sum before).
 * 0 or -errno. */
__noinline int ovx_renumber_epoch_seal(struct __sk_buff *skb, __u32 instance, __u32 ids,
				       __u32 at, __u64 before)
{
	__u32 off = at & 0xffff, len = (at >> 16) - OVX_EPOCH_OVERHEAD, zero = 0;
	struct ovx_renumber_seal *w = bpf_map_lookup_elem(&ovx_renumber_seal, &zero);
	struct ovx_scratch *s = ovx_scratch_get();
	struct ovx_aead_raw *r = ovx_epoch_raw_get();
	struct ovx_epoch_slot *to;
	struct bpf_dynptr pkt;
	int err;

	if (!w || !s || !r || len > OVX_AEAD_MAX_LEN || bpf_dynptr_from_skb(skb, 0, &pkt))
		return -EINVAL;
	w->kid = ovx_renumber_kid(instance, ids);
	/* a subprogram's result is a scalar to the verifier: the slot again */
	to = ovx_epoch_tx_next(&w->kid, len, &w->epoch, &w->counter) ?
	     ovx_epoch_slot_get(&w->kid, OVX_EPOCH_TX, w->epoch) : NULL;
	if (!to)
		return -ENOENT;
	ovx_epoch_tx_moved(&w->kid, w->counter);
	w->counter |= (__u64)w->epoch << 48;
	for (int i = 0; i < 8; i++)	/* r->aad holds OpenVPN's header */
		r->aad[4 + i] = w->counter >> (56 - 8 * i);
	ovx_epoch_nonce(&to->key, r);
	err = ovx_aead_seal_raw(&to->key.aead, s, r, len);
	if (err)
		return err;
	if (bpf_dynptr_write(&pkt, off, r->aad, OVX_EPOCH_AAD_LEN, 0) ||
	    bpf_dynptr_write(&pkt, off + OVX_EPOCH_AAD_LEN, s->buf, len, 0) ||
	    bpf_dynptr_write(&pkt, off + OVX_EPOCH_AAD_LEN + len, s->tag, OVX_TAG_LEN, 0))
		return -EINVAL;
	ovx_renumber_csum(skb, &pkt, off, OVX_EPOCH_OVERHEAD + len, before,
			  ids & OVX_RENUMBER_IPV4 ? OVX_AF_INET : OVX_AF_INET6);
	return 0;
}

static __always_inline int ovx_renumber_epoch(struct __sk_buff *skb, struct bpf_dynptr *pkt,
					       struct ovx_renumber *r)
{
	__u32 plen = r->f->payload_len, off = r->f->payload_off;
	__u32 ids = r->pk.peer_id | r->key_id << 24 |
		    (r->f->dst.family == OVX_AF_INET ? OVX_RENUMBER_IPV4 : 0);
	__u32 at = off | plen << 16;
	__u64 before;

	if (plen <= OVX_EPOCH_OVERHEAD ||
	    plen - OVX_EPOCH_OVERHEAD > OVX_AEAD_MAX_LEN - (OVX_EPOCH_OVERHEAD - OVX_DATA_HDR_LEN))
		goto drop;
	before = ovx_renumber_sum(pkt, off, plen);
	if (ovx_renumber_epoch_open(skb, r->pk.instance, ids, at) ||
	    ovx_renumber_epoch_seal(skb, r->pk.instance, ids, at, before))
		goto drop;
	ovx_gstat_inc(OVX_G_TX_RENUMBERED);
	return TC_ACT_OK;
drop:
	ovx_count_drop(r->stats, OVX_DROP_RENUMBER);
	return TC_ACT_SHOT;
}

/* Re-seals the packet with a fresh packet-id. TC_ACT_OK, or TC_ACT_SHOT when
 * that cannot be done (then the packet must not leave as it is). */
static __always_inline int ovx_renumber_packet(struct __sk_buff *skb, struct bpf_dynptr *pkt,
						struct ovx_renumber *r)
{
	__u32 off = r->f->payload_off, span = OVX_DATA_HDR_LEN + r->len;
	__u64 before;
	__be32 pid;
	__u32 id;

	if (!r->key || r->len > OVX_AEAD_MAX_LEN)
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
	ovx_renumber_csum(skb, pkt, off, span, before, r->f->dst.family);
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
	if (r.epoch)
		return ovx_renumber_epoch(skb, &pkt, &r);
	return ovx_renumber_packet(skb, &pkt, &r);
}

#endif /* OVX_RENUMBER_H */
