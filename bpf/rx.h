/* SPDX-License-Identifier: GPL-2.0 */
/* RX fast path: from a received UDP datagram to plaintext delivered on the
 * OpenVPN instance's tun device, for P_DATA_V2 of offloaded peers and keys.
 *
 * Verdicts: OVX_RX_PASS hands the frame to the stack unchanged (OpenVPN's
 * socket gets it: control channel, unknown peer or key, keepalive and OCC, a
 * peer's new address, and now and then a packet to keep OpenVPN's view of
 * the peer alive); OVX_RX_DROP drops it (bad tag, replay), counted per peer;
 * OVX_RX_NEXT: the stage is content, on to the next one; OVX_RX_DELIVER,
 * after the last stage, means the plaintext is in scratch, ready to deliver. */
#ifndef OVX_RX_H
#define OVX_RX_H

#include "aead.h"
#include "epoch_keys.h"
#include "framing.h"
#include "learn.h"
#include "maps.h"
#include "parse.h"
#include "proto.h"
#include "replay.h"


/* How often a peer's data packet goes to OpenVPN unchanged, so that OpenVPN
 * sees the peer alive (its ping-restart timer) and keeps its own state. Set
 * by the loader before load; 0 never hands a packet over for liveness. */
const volatile __u64 ovx_liveness_ns = 1000ULL * 1000 * 1000;

enum ovx_rx_verdict {
	OVX_RX_PASS,
	OVX_RX_DROP,
	OVX_RX_NEXT,		/* this stage is done: on to the next */
	OVX_RX_DELIVER,
	OVX_RX_EPOCH_NONE,	/* rx_epoch.h: the key is not in the epoch format */
};

/* Per-CPU home of the parsed frame: the BPF stack (512 bytes for all frames
 * of the call chain) is kept for the AEAD. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_frame);
} ovx_rx_frame SEC(".maps");

struct ovx_rx {
	struct ovx_frame *f;
	struct ovx_socket *sock;
	struct ovx_peer *peer;
	struct ovx_key *key;		/* 2.6 format, or NULL: */
	struct ovx_epoch_slot *eslot;	/* the epoch format (rx_epoch.h) */
	struct ovx_peer_stats *stats;
	struct ovx_peer_key pk;
	__u32 len;		/* plaintext length; once unframed, the packet's */
	__u32 off;		/* where the packet starts in scratch (framing) */
	__u32 pid;		/* packet-id (the epoch format: the counter's low 32 bits) */
	__u32 key_id;
	__u32 epoch;		/* the epoch format: the packet's epoch and counter */
	__u64 counter;
};

/* The epoch data format's stages (rx_epoch.h, included at the end). */
static __noinline int ovx_rx_epoch_lookup(struct bpf_dynptr *pkt, struct ovx_rx *rx,
					   const struct ovx_key_id *kid);
static __noinline int ovx_rx_epoch_authenticate(struct bpf_dynptr *pkt, struct ovx_rx *rx);

static __always_inline bool ovx_addr_eq(const struct ovx_sockaddr *a,
					 const struct ovx_sockaddr *b)
{
	const __u32 *x = (const void *)a, *y = (const void *)b;

	return ovx_addr16_eq(a->addr, b->addr) && x[4] == y[4];
}

/* Headers, socket, opcode, peer and key: PASS unless the packet is ours to
 * decrypt. Not inlined: its stack is free again when the AEAD runs. */
static __noinline int ovx_rx_lookup(struct bpf_dynptr *pkt, struct ovx_rx *rx)
{
	struct ovx_learn_key lk = {};
	struct ovx_key_id kid;
	__u8 hbuf[OVX_AAD_LEN], *h;
	__u32 key_id, zero = 0;
	int v;

	rx->f = bpf_map_lookup_elem(&ovx_rx_frame, &zero);
	if (!rx->f)
		return OVX_RX_PASS;
	__builtin_memset(rx->f, 0, sizeof(*rx->f));
	switch (ovx_parse(pkt, rx->f)) {
	case OVX_PARSE_OK:
		break;
	case OVX_PARSE_FRAGMENT:
		ovx_gstat_inc(OVX_G_RX_FRAGMENT);
		return OVX_RX_PASS;
	default:
		return OVX_RX_PASS;
	}
	rx->sock = ovx_socket_find(&rx->f->dst);
	if (!rx->sock)
		return OVX_RX_PASS;
	ovx_gstat_inc(OVX_G_RX_SEEN);
	h = bpf_dynptr_slice(pkt, rx->f->payload_off, hbuf, sizeof(hbuf));
	if (!h || !ovx_proto_is_data_v2(h) ||
	    rx->f->payload_len < OVX_DATA_HDR_LEN) {
		ovx_gstat_inc(OVX_G_RX_NOT_DATA);
		return OVX_RX_PASS;
	}
	rx->pk.instance = rx->sock->instance;
	rx->pk.peer_id = ovx_proto_peer_id(h);
	rx->pid = ovx_proto_pid(h);
	key_id = ovx_proto_key_id(h);
	rx->peer = bpf_map_lookup_elem(&ovx_peers, &rx->pk);
	if (!rx->peer) {
		ovx_gstat_inc(OVX_G_RX_NO_PEER);
		goto learn;
	}
	rx->stats = bpf_map_lookup_elem(&ovx_peer_stats, &rx->pk);
	if (rx->peer->flags & OVX_PEER_F_FOREIGN_FRAMING) {	/* framing.h */
		if (rx->stats)
			OVX_STAT_ADD(rx->stats->rx_to_ovpn, 1);
		return OVX_RX_PASS;
	}
	kid.instance = rx->pk.instance;
	kid.peer_id = rx->pk.peer_id;
	kid.key_id = key_id;
	rx->key_id = key_id;
	if (rx->peer->slot_key_id[0] != key_id && rx->peer->slot_key_id[1] != key_id) {
		ovx_gstat_inc(OVX_G_RX_NO_KEY);
		goto learn;
	}
	rx->key = bpf_map_lookup_elem(&ovx_keys, &kid);
	if (!rx->key) {
		v = ovx_rx_epoch_lookup(pkt, rx, &kid);
		if (v != OVX_RX_EPOCH_NONE)
			return v;
		ovx_gstat_inc(OVX_G_RX_NO_KEY);
		goto learn;
	}
	rx->len = rx->f->payload_len - OVX_DATA_HDR_LEN;
	if (rx->len > OVX_AEAD_MAX_LEN) {
		ovx_gstat_inc(OVX_G_RX_TOO_BIG);
		return OVX_RX_PASS;
	}
	return OVX_RX_NEXT;
learn:
	if (rx->stats)		/* a key not offloaded yet: OpenVPN's packet */
		OVX_STAT_ADD(rx->stats->rx_to_ovpn, 1);
	lk.instance = rx->pk.instance;
	lk.dir = OVX_LEARN_RX;
	lk.remote = rx->f->src;
	ovx_learn_record(pkt, rx->f->payload_off, rx->f->payload_len, &lk);
	return OVX_RX_PASS;
}

/* Tag, then replay: DROP, or NEXT with the plaintext in scratch. */
static __always_inline int ovx_rx_authenticate(struct bpf_dynptr *pkt, struct ovx_rx *rx)
{
	struct ovx_key *key = rx->key;
	bool fresh;
	int err;

	if (!key)
		return ovx_rx_epoch_authenticate(pkt, rx);
	if (!ovx_replay_check(&key->replay, rx->pid)) {
		if (ovx_replay_openvpns(&key->replay, rx->pid)) {
			if (rx->stats)
				OVX_STAT_ADD(rx->stats->rx_to_ovpn, 1);
			return OVX_RX_PASS;
		}
		ovx_count_drop(rx->stats, OVX_DROP_REPLAY);
		return OVX_RX_DROP;
	}
	err = ovx_aead_open(pkt, rx->f->payload_off, rx->len, &key->dec);
	if (err) {
		ovx_count_drop(rx->stats, err == -EBADMSG ? OVX_DROP_BAD_TAG : OVX_DROP_MALFORMED);
		return OVX_RX_DROP;
	}
	bpf_spin_lock(&key->lock);
	fresh = ovx_replay_update(&key->replay, rx->pid);
	bpf_spin_unlock(&key->lock);
	if (!fresh) {
		ovx_count_drop(rx->stats, OVX_DROP_REPLAY);
		return OVX_RX_DROP;
	}
	return OVX_RX_NEXT;
}

/* Plaintext that is not an IP packet (keepalive ping, OCC) is OpenVPN's. */
static __always_inline bool ovx_rx_is_ip(__u32 off, __u32 len)
{
	struct ovx_scratch *s = ovx_scratch_get();
	__u8 v;

	if (!s || len < 20)
		return false;
	v = s->buf[off & 7] >> 4;
	return v == 4 || (v == 6 && len >= 40);
}

/* After authentication: what OpenVPN must see itself. A packet from a new
 * address floats the peer (OpenVPN follows it too, as it gets the packet).
 * What is left is unframed (framing.h): rx->off and rx->len the packet's. */
static __noinline int ovx_rx_for_openvpn(struct ovx_rx *rx)
{
	struct ovx_peer *peer = rx->peer;
	__u64 now = bpf_ktime_get_coarse_ns();
	bool floated = false, stale;

	peer->last_rx_ns = now;
	if (!ovx_addr_eq(&rx->f->dst, &peer->local)) {	/* TX sends from here */
		bpf_spin_lock(&peer->lock);
		peer->local = rx->f->dst;
		peer->link_ifindex = rx->sock->link_ifindex;
		bpf_spin_unlock(&peer->lock);
	}
	if (!ovx_addr_eq(&rx->f->src, &peer->remote)) {
		bpf_spin_lock(&peer->lock);
		peer->remote = rx->f->src;
		bpf_spin_unlock(&peer->lock);
		ovx_event(OVX_EV_FLOAT, &rx->pk, rx->key_id, &rx->f->src);
		floated = true;
	}
	stale = ovx_liveness_ns && now - peer->last_to_ovpn_ns >= ovx_liveness_ns;
	if (!ovx_framing_strip(rx->sock->flags, &rx->off, &rx->len) ||
	    !ovx_rx_is_ip(rx->off, rx->len)) {
		if (ovx_framing_foreign(rx->sock->flags, rx->len) &&
		    !(peer->flags & OVX_PEER_F_FOREIGN_FRAMING)) {
			__sync_fetch_and_or(&peer->flags, OVX_PEER_F_FOREIGN_FRAMING);
			ovx_event(OVX_EV_FOREIGN_FRAMING, &rx->pk, 0, NULL);
		}
		stale = true;
	}
	if (floated || stale) {
		peer->last_to_ovpn_ns = now;
		if (rx->stats)
			OVX_STAT_ADD(rx->stats->rx_to_ovpn, 1);
		return OVX_RX_PASS;
	}
	return OVX_RX_NEXT;
}

/* The decision for one frame up to the source check (srccheck.h): NEXT
 * when every stage is content. */
static __always_inline int ovx_rx(struct bpf_dynptr *pkt, struct ovx_rx *rx)
{
	int v;

	v = ovx_rx_lookup(pkt, rx);
	if (v != OVX_RX_NEXT)
		return v;
	v = ovx_rx_authenticate(pkt, rx);
	if (v != OVX_RX_NEXT)
		return v;
	if (rx->stats) {
		OVX_STAT_ADD(rx->stats->rx_link_pkts, 1);
		OVX_STAT_ADD(rx->stats->rx_link_bytes, rx->f->payload_len);
	}
	return ovx_rx_for_openvpn(rx);
}

#include "rx_epoch.h"

#endif /* OVX_RX_H */
