/* SPDX-License-Identifier: GPL-2.0 */
/* RX fast path: from a received UDP datagram to plaintext delivered on the
 * OpenVPN instance's tun device, for P_DATA_V2 of offloaded peers and keys.
 *
 * Verdicts: OVPN_RX_PASS hands the frame to the stack unchanged (OpenVPN's
 * socket gets it: control channel, unknown peer or key, keepalive and OCC, a
 * peer's new address, and now and then a packet to keep OpenVPN's view of
 * the peer alive); OVPN_RX_DROP drops it (bad tag, replay), counted per peer;
 * OVPN_RX_NEXT: the stage is content, on to the next one; OVPN_RX_DELIVER,
 * after the last stage, means the plaintext is in scratch, ready to deliver. */
#ifndef OVPN_RX_H
#define OVPN_RX_H

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
const volatile __u64 ovpn_liveness_ns = 1000ULL * 1000 * 1000;

enum ovpn_rx_verdict {
	OVPN_RX_PASS,
	OVPN_RX_DROP,
	OVPN_RX_NEXT,		/* this stage is done: on to the next */
	OVPN_RX_DELIVER,
	OVPN_RX_EPOCH_NONE,	/* rx_epoch.h: the key is not in the epoch format */
};

/* Per-CPU home of the parsed frame: the BPF stack (512 bytes for all frames
 * of the call chain) is kept for the AEAD. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovpn_frame);
} ovpn_rx_frame SEC(".maps");

struct ovpn_rx {
	struct ovpn_frame *f;
	struct ovpn_socket *sock;
	struct ovpn_peer *peer;
	struct ovpn_key *key;		/* 2.6 format, or NULL: */
	struct ovpn_epoch_slot *eslot;	/* the epoch format (rx_epoch.h) */
	struct ovpn_peer_stats *stats;
	struct ovpn_peer_key pk;
	__u32 len;		/* plaintext length; once unframed, the packet's */
	__u32 off;		/* where the packet starts in scratch (framing) */
	__u32 pid;		/* packet-id (the epoch format: the counter's low 32 bits) */
	__u32 key_id;
	__u32 epoch;		/* the epoch format: the packet's epoch and counter */
	__u64 counter;
};

/* The epoch data format's stages (rx_epoch.h, included at the end). */
static __noinline int ovpn_rx_epoch_lookup(struct bpf_dynptr *pkt, struct ovpn_rx *rx,
					   const struct ovpn_key_id *kid);
static __noinline int ovpn_rx_epoch_authenticate(struct bpf_dynptr *pkt, struct ovpn_rx *rx);

static __always_inline bool ovpn_addr_eq(const struct ovpn_sockaddr *a,
					 const struct ovpn_sockaddr *b)
{
	const __u32 *x = (const void *)a, *y = (const void *)b;

	return ovpn_addr16_eq(a->addr, b->addr) && x[4] == y[4];
}

/* Headers, socket, opcode, peer and key: PASS unless the packet is ours to
 * decrypt. Not inlined: its stack is free again when the AEAD runs. */
static __noinline int ovpn_rx_lookup(struct bpf_dynptr *pkt, struct ovpn_rx *rx)
{
	struct ovpn_learn_key lk = {};
	struct ovpn_key_id kid;
	__u8 hbuf[OVPN_AAD_LEN], *h;
	__u32 key_id, zero = 0;
	int v;

	rx->f = bpf_map_lookup_elem(&ovpn_rx_frame, &zero);
	if (!rx->f)
		return OVPN_RX_PASS;
	__builtin_memset(rx->f, 0, sizeof(*rx->f));
	switch (ovpn_parse(pkt, rx->f)) {
	case OVPN_PARSE_OK:
		break;
	case OVPN_PARSE_FRAGMENT:
		ovpn_gstat_inc(OVPN_G_RX_FRAGMENT);
		return OVPN_RX_PASS;
	default:
		return OVPN_RX_PASS;
	}
	rx->sock = ovpn_socket_find(&rx->f->dst);
	if (!rx->sock)
		return OVPN_RX_PASS;
	ovpn_gstat_inc(OVPN_G_RX_SEEN);
	h = bpf_dynptr_slice(pkt, rx->f->payload_off, hbuf, sizeof(hbuf));
	if (!h || !ovpn_proto_is_data_v2(h) ||
	    rx->f->payload_len < OVPN_DATA_HDR_LEN) {
		ovpn_gstat_inc(OVPN_G_RX_NOT_DATA);
		return OVPN_RX_PASS;
	}
	rx->pk.instance = rx->sock->instance;
	rx->pk.peer_id = ovpn_proto_peer_id(h);
	rx->pid = ovpn_proto_pid(h);
	key_id = ovpn_proto_key_id(h);
	rx->peer = bpf_map_lookup_elem(&ovpn_peers, &rx->pk);
	if (!rx->peer) {
		ovpn_gstat_inc(OVPN_G_RX_NO_PEER);
		goto learn;
	}
	rx->stats = bpf_map_lookup_elem(&ovpn_peer_stats, &rx->pk);
	if (rx->peer->flags & OVPN_PEER_F_FOREIGN_FRAMING) {	/* framing.h */
		if (rx->stats)
			OVPN_STAT_ADD(rx->stats->rx_to_ovpn, 1);
		return OVPN_RX_PASS;
	}
	kid.instance = rx->pk.instance;
	kid.peer_id = rx->pk.peer_id;
	kid.key_id = key_id;
	rx->key_id = key_id;
	if (rx->peer->slot_key_id[0] != key_id && rx->peer->slot_key_id[1] != key_id) {
		ovpn_gstat_inc(OVPN_G_RX_NO_KEY);
		goto learn;
	}
	rx->key = bpf_map_lookup_elem(&ovpn_keys, &kid);
	if (!rx->key) {
		v = ovpn_rx_epoch_lookup(pkt, rx, &kid);
		if (v != OVPN_RX_EPOCH_NONE)
			return v;
		ovpn_gstat_inc(OVPN_G_RX_NO_KEY);
		goto learn;
	}
	rx->len = rx->f->payload_len - OVPN_DATA_HDR_LEN;
	if (rx->len > OVPN_AEAD_MAX_LEN) {
		ovpn_gstat_inc(OVPN_G_RX_TOO_BIG);
		return OVPN_RX_PASS;
	}
	return OVPN_RX_NEXT;
learn:
	if (rx->stats)		/* a key not offloaded yet: OpenVPN's packet */
		OVPN_STAT_ADD(rx->stats->rx_to_ovpn, 1);
	lk.instance = rx->pk.instance;
	lk.dir = OVPN_LEARN_RX;
	lk.remote = rx->f->src;
	ovpn_learn_record(pkt, rx->f->payload_off, rx->f->payload_len, &lk);
	return OVPN_RX_PASS;
}

/* Tag, then replay: DROP, or NEXT with the plaintext in scratch. */
static __always_inline int ovpn_rx_authenticate(struct bpf_dynptr *pkt, struct ovpn_rx *rx)
{
	struct ovpn_key *key = rx->key;
	bool fresh;
	int err;

	if (!key)
		return ovpn_rx_epoch_authenticate(pkt, rx);
	if (!ovpn_replay_check(&key->replay, rx->pid)) {
		if (ovpn_replay_openvpns(&key->replay, rx->pid)) {
			if (rx->stats)
				OVPN_STAT_ADD(rx->stats->rx_to_ovpn, 1);
			return OVPN_RX_PASS;
		}
		ovpn_count_drop(rx->stats, OVPN_DROP_REPLAY);
		return OVPN_RX_DROP;
	}
	err = ovpn_aead_open(pkt, rx->f->payload_off, rx->len, &key->dec);
	if (err) {
		ovpn_count_drop(rx->stats, err == -EBADMSG ? OVPN_DROP_BAD_TAG : OVPN_DROP_MALFORMED);
		return OVPN_RX_DROP;
	}
	bpf_spin_lock(&key->lock);
	fresh = ovpn_replay_update(&key->replay, rx->pid);
	bpf_spin_unlock(&key->lock);
	if (!fresh) {
		ovpn_count_drop(rx->stats, OVPN_DROP_REPLAY);
		return OVPN_RX_DROP;
	}
	return OVPN_RX_NEXT;
}

/* Plaintext that is not an IP packet (keepalive ping, OCC) is OpenVPN's. */
static __always_inline bool ovpn_rx_is_ip(__u32 off, __u32 len)
{
	struct ovpn_scratch *s = ovpn_scratch_get();
	__u8 v;

	if (!s || len < 20)
		return false;
	v = s->buf[off & 7] >> 4;
	return v == 4 || (v == 6 && len >= 40);
}

/* After authentication: what OpenVPN must see itself. A packet from a new
 * address floats the peer (OpenVPN follows it too, as it gets the packet).
 * What is left is unframed (framing.h): rx->off and rx->len the packet's. */
static __noinline int ovpn_rx_for_openvpn(struct ovpn_rx *rx)
{
	struct ovpn_peer *peer = rx->peer;
	__u64 now = bpf_ktime_get_coarse_ns();
	bool floated = false, stale;

	peer->last_rx_ns = now;
	if (!ovpn_addr_eq(&rx->f->dst, &peer->local)) {	/* TX sends from here */
		bpf_spin_lock(&peer->lock);
		peer->local = rx->f->dst;
		peer->link_ifindex = rx->sock->link_ifindex;
		bpf_spin_unlock(&peer->lock);
	}
	if (!ovpn_addr_eq(&rx->f->src, &peer->remote)) {
		bpf_spin_lock(&peer->lock);
		peer->remote = rx->f->src;
		bpf_spin_unlock(&peer->lock);
		ovpn_event(OVPN_EV_FLOAT, &rx->pk, rx->key_id, &rx->f->src);
		floated = true;
	}
	stale = ovpn_liveness_ns && now - peer->last_to_ovpn_ns >= ovpn_liveness_ns;
	if (!ovpn_framing_strip(rx->sock->flags, &rx->off, &rx->len) ||
	    !ovpn_rx_is_ip(rx->off, rx->len)) {
		if (ovpn_framing_foreign(rx->sock->flags, rx->len) &&
		    !(peer->flags & OVPN_PEER_F_FOREIGN_FRAMING)) {
			__sync_fetch_and_or(&peer->flags, OVPN_PEER_F_FOREIGN_FRAMING);
			ovpn_event(OVPN_EV_FOREIGN_FRAMING, &rx->pk, 0, NULL);
		}
		stale = true;
	}
	if (floated || stale) {
		peer->last_to_ovpn_ns = now;
		if (rx->stats)
			OVPN_STAT_ADD(rx->stats->rx_to_ovpn, 1);
		return OVPN_RX_PASS;
	}
	return OVPN_RX_NEXT;
}

/* The decision for one frame up to the source check (srccheck.h): NEXT
 * when every stage is content. */
static __always_inline int ovpn_rx(struct bpf_dynptr *pkt, struct ovpn_rx *rx)
{
	int v;

	v = ovpn_rx_lookup(pkt, rx);
	if (v != OVPN_RX_NEXT)
		return v;
	v = ovpn_rx_authenticate(pkt, rx);
	if (v != OVPN_RX_NEXT)
		return v;
	if (rx->stats) {
		OVPN_STAT_ADD(rx->stats->rx_link_pkts, 1);
		OVPN_STAT_ADD(rx->stats->rx_link_bytes, rx->f->payload_len);
	}
	return ovpn_rx_for_openvpn(rx);
}

#include "rx_epoch.h"

#endif /* OVPN_RX_H */
