/* SPDX-License-Identifier: GPL-2.0 */
/* TX fast path: a plaintext packet leaving an OpenVPN instance's tun device
 * is encrypted with its peer's primary key, encapsulated from OpenVPN's
 * socket address to the peer and sent out of the right device, so OpenVPN
 * never reads it. What it cannot send goes on to OpenVPN unchanged: no peer
 * or key, no local address yet, TCP SYNs (OpenVPN clamps their MSS,
 * --mssfix), and packets whose L4 checksum the kernel has not computed yet
 * (CHECKSUM_PARTIAL: TCP from this host always is; the device completes it
 * after TC egress, too late for a payload we encrypt first).
 *
 * A packet too big for the link once encapsulated is dropped and counted,
 * not handed to OpenVPN: OpenVPN would send it as IP fragments, which the
 * renumbering of OpenVPN's own packets (renumber.h) cannot reach, so its
 * packet-id could repeat one of ours. The tun device's MTU is set so that
 * this does not happen (link MTU - 56 over IPv4, - 76 over IPv6: room for
 * the epoch format's 28 bytes, bpf/tx_epoch.h), as
 * WireGuard sizes its device; the kernel then fragments or signals PMTU for
 * the inner packets itself (less the framing: framing.h). With `fragment`,
 * a packet too big to go whole goes to OpenVPN, which fragments it. */
#ifndef OVX_TX_H
#define OVX_TX_H

#include <bpf/bpf_core_read.h>
#include "aead.h"
#include "csum.h"
#include "encap.h"
#include "framing.h"
#include "limit.h"
#include "maps.h"
#include "parse.h"
#include "pid.h"
#include "proto.h"
#include "route.h"
#include "tx_epoch.h"

/* bpf_redirect_neigh takes an Ethernet frame (it replaces the addresses), so
 * a dummy Ethernet header goes in front of the outer IP header, unless the
 * VPN device already carries one (OVX_IFACE_ETH: test harnesses). */
#define OVX_TX_L2		14
#define OVX_IPPROTO_TCP	6
#define OVX_TCP_SYN		0x02

/* What TX works out about a packet, kept per CPU: the BPF stack (512 bytes
 * for the whole call chain) is kept for the AEAD. */
struct ovx_tx_state {
	struct ovx_peer_key pk;
	struct ovx_dst dst;
	struct ovx_path path;
	__u32 len;		/* inner packet; once framed, the plaintext */
	__u32 flen;		/* framing (framing.h) around the inner packet */
	__u32 framing;		/* the instance's OVX_FRAMING_* and fragment size */
	__u32 pid;
	__u32 too_big;		/* over the link MTU once encapsulated */
	__u32 l2;		/* link header before the inner packet: 0 on tun */
	struct ovx_tx_epoch ep;	/* a key in the epoch format (tx_epoch.h) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_tx_state);
} ovx_tx_state SEC(".maps");

struct ovx_tx {
	struct ovx_tx_state *st;
	struct ovx_iface *ifc;		/* the tun device's */
	__u32 helper;			/* at the checksum helper: the tun's ifindex */
	struct ovx_peer *peer;
	struct ovx_key *key;		/* a 2.6-format key, or */
	struct ovx_epoch_slot *eslot;	/* the epoch format's send slot */
	struct ovx_peer_stats *stats;
};

/* Inner destination; false for what is not plain IPv4/IPv6 or is a TCP SYN. */
static __noinline bool ovx_tx_inner(struct bpf_dynptr *pkt, struct ovx_tx_state *tx)
{
	__u8 buf[OVX_IP6_HLEN + 14], *h;
	__u32 l4, proto;

	h = bpf_dynptr_slice(pkt, tx->l2 & 0x3f, buf, OVX_IP4_HLEN);
	if (!h)
		return false;
	if (h[0] >> 4 == 4) {
		tx->dst.family = OVX_AF_INET;
		__builtin_memset(tx->dst.addr, 0, 16);
		__builtin_memcpy(tx->dst.addr, h + 16, 4);
		l4 = (h[0] & 0xf) * 4;
		proto = (h[6] & 0x3f) || h[7] ? 0 : h[9];	/* not for fragments */
	} else if (h[0] >> 4 == 6) {
		h = bpf_dynptr_slice(pkt, tx->l2 & 0x3f, buf, OVX_IP6_HLEN);
		if (!h)
			return false;
		tx->dst.family = OVX_AF_INET6;
		__builtin_memcpy(tx->dst.addr, h + 24, 16);
		l4 = OVX_IP6_HLEN;
		proto = h[6];
	} else {
		return false;
	}
	if (proto == OVX_IPPROTO_TCP) {
		h = bpf_dynptr_slice(pkt, (tx->l2 & 0x3f) + (l4 & 0x3f), buf, 14);
		if (!h || h[13] & OVX_TCP_SYN)
			return false;
	}
	return true;
}

/* While a new key of the peer waits for the wire (key_wait_ns ahead), one
 * packet every OVX_KEY_WAIT_GAP_NS goes to OpenVPN, which sends it with its
 * newest key: the peer learns the key from it and answers with it, and this
 * side learns it from the answer, within a round trip (else at OpenVPN's
 * next keepalive, up to 10 s). One, not all: OpenVPN's packets leave from
 * its own CPU, renumbered at the link (renumber.h), not in order through the
 * checksum helper, and a stream of them (OpenVPN's queue draining once the
 * key is in) reordered the peer's packet-ids past a stock peer's window. */
static __always_inline bool ovx_tx_key_probe(struct ovx_peer *peer)
{
	__u64 now, last;

	if (!peer->key_wait_ns)
		return false;
	now = bpf_ktime_get_coarse_ns();
	last = peer->key_wait_sent_ns;
	if (peer->key_wait_ns <= now || now - last < OVX_KEY_WAIT_GAP_NS)
		return false;
	return __sync_val_compare_and_swap(&peer->key_wait_sent_ns, last, now) == last;
}

/* Peer and primary key: false to leave the packet to OpenVPN. */
static __noinline bool ovx_tx_lookup(struct __sk_buff *skb, struct ovx_tx *tx)
{
	struct ovx_tx_state *st = tx->st;
	struct ovx_iface *ifc = tx->ifc;
	struct ovx_peer *peer;
	struct ovx_key_id kid;

	st->pk.instance = ifc->instance;
	__u32 route_if = skb->ifindex;	/* the kernel's routes are via the tun */

	ovx_barrier_var(route_if);
	if (tx->helper)
		route_if = tx->helper;
	peer = ovx_route_peer(skb, route_if, ifc, &st->dst, &st->pk.peer_id) ?
	       bpf_map_lookup_elem(&ovx_peers, &st->pk) : NULL;
	if (!peer || peer->flags & OVX_PEER_F_FOREIGN_FRAMING) {	/* framing.h */
		ovx_gstat_inc(OVX_G_TX_NO_PEER);
		return false;
	}
	if (ovx_tx_key_probe(peer)) {
		ovx_gstat_inc(OVX_G_TX_KEY_WAITING);
		return false;
	}
	kid.instance = st->pk.instance;
	kid.peer_id = st->pk.peer_id;
	kid.key_id = peer->slot_key_id[OVX_SLOT_PRIMARY];
	tx->key = bpf_map_lookup_elem(&ovx_keys, &kid);
	if (!tx->key && ovx_tx_epoch_key(&kid)) {
		st->ep.fmt = 1;
		st->ep.key_id = kid.key_id;
		st->ep.peer_id = kid.peer_id;
	} else if (!tx->key) {
		ovx_gstat_inc(OVX_G_TX_NO_KEY);
		return false;
	}
	tx->peer = peer;
	tx->stats = bpf_map_lookup_elem(&ovx_peer_stats, &st->pk);
	bpf_spin_lock(&peer->lock);
	st->path.dst = peer->remote;
	st->path.src = peer->local;
	st->path.ifindex = peer->link_ifindex;
	bpf_spin_unlock(&peer->lock);
	return true;
}

/* Route and MTU of the outer packet: false to leave the packet to OpenVPN. */
static __noinline bool ovx_tx_path(struct __sk_buff *skb, struct ovx_tx_state *tx)
{
	__u32 mtu = 0, tail = 0, max = OVX_AEAD_MAX_LEN;

	if (ovx_encap_route(&tx->path)) {
		ovx_gstat_inc(OVX_G_TX_NO_ROUTE);
		return false;
	}
	if (tx->ep.fmt) {	/* 12 bytes of header in front, the tag at the end */
		tx->path.hlen += OVX_EPOCH_AAD_LEN - OVX_DATA_HDR_LEN;
		tail = OVX_TAG_LEN;
		max = OVX_TX_EPOCH_MAX_LEN;
	}
	if (tx->len + tx->flen > max ||
	    bpf_check_mtu(skb, tx->path.ifindex, &mtu, tx->path.hlen + tail + tx->flen, 0)) {
		ovx_gstat_inc(OVX_G_TX_TOO_BIG);
		tx->too_big = 1;
	}
	return true;
}

/* The P_DATA_V2 header (the AAD) in front of the plaintext. */
static __noinline int ovx_tx_data_hdr(struct bpf_dynptr *pkt, const struct ovx_tx_state *st,
				       __u32 key_id)
{
	__u8 h[OVX_AAD_LEN];

	ovx_proto_pack(h, key_id, st->pk.peer_id, st->pid);
	return bpf_dynptr_write(pkt, OVX_TX_L2 + st->path.hlen - OVX_DATA_HDR_LEN, h,
				sizeof(h), 0);
}

/* The epoch format (tx_epoch.h): header and encryption, the tag at the end
 * (the packet has the room), outer headers. */
static __always_inline int ovx_tx_seal_epoch(struct bpf_dynptr *pkt, struct ovx_tx *tx)
{
	struct ovx_tx_state *st = tx->st;
	__be16 proto = bpf_htons(st->path.dst.family == OVX_AF_INET ? ETH_P_IP : ETH_P_IPV6);
	int err;

	err = ovx_tx_epoch_seal(pkt, OVX_TX_L2 + st->path.hlen - OVX_EPOCH_AAD_LEN, st->len,
				&st->ep, tx->eslot);
	if (err)
		return err;
	if (bpf_dynptr_write(pkt, 12, &proto, sizeof(proto), 0))
		return -EINVAL;
	return ovx_tx_epoch_outer(pkt, &st->path, OVX_TX_L2, st->len);
}

/* Whether the packet can be numbered, without taking a number: a 2.6 key
 * always (used up: dropped where it is numbered), an epoch key when its send
 * epoch has room for it or the next epoch's slot is there. */
static __always_inline bool ovx_tx_epoch_usable(const struct ovx_tx_state *st)
{
	struct ovx_key_id kid;
	struct ovx_epoch_state *es;
	struct ovx_epoch_slot *slot;

	if (!st->ep.fmt)
		return true;
	kid.instance = st->pk.instance;
	kid.peer_id = st->pk.peer_id;
	kid.key_id = st->ep.key_id;
	es = bpf_map_lookup_elem(&ovx_epoch_states, &kid);
	if (!es)
		return false;
	slot = ovx_epoch_slot_get(&kid, OVX_EPOCH_TX, es->tx_epoch);
	if (slot && ovx_epoch_tx_within(slot, slot->tx_next, slot->tx_blocks +
					ovx_epoch_blocks(st->len + st->flen)))
		return true;
	return ovx_epoch_slot_get(&kid, OVX_EPOCH_TX, es->tx_epoch + 1);
}

/* The packet-id of the next packet: the 2.6 format's counter, or the epoch
 * format's (epoch, counter) and slot. TC_ACT_OK: to OpenVPN untouched (no
 * usable send epoch), TC_ACT_SHOT (2.6 packet-ids or AES-GCM usage used
 * up), TC_ACT_UNSPEC: go on. */
static __always_inline int ovx_tx_number(struct ovx_tx *tx)
{
	struct ovx_tx_state *st = tx->st;
	struct ovx_key_id kid;

	if (!st->ep.fmt) {
		st->pid = tx->key ? ovx_pid_next(tx->key, &st->pk) : 0;
		if (st->pid && ovx_usage_take(tx->key, &st->pk, st->pid, st->len + st->flen))
			return TC_ACT_UNSPEC;
		ovx_count_drop(tx->stats, OVX_DROP_PID_EXHAUSTED);
		return TC_ACT_SHOT;
	}
	kid.instance = st->pk.instance;
	kid.peer_id = st->pk.peer_id;
	kid.key_id = st->ep.key_id;
	/* a subprogram's result is a scalar to the verifier: the slot again */
	if (ovx_epoch_tx_next(&kid, st->len + st->flen, &st->ep.epoch, &st->ep.counter))
		tx->eslot = ovx_epoch_slot_get(&kid, OVX_EPOCH_TX, st->ep.epoch);
	if (tx->eslot) {
		ovx_epoch_tx_moved(&kid, st->ep.counter);
		return TC_ACT_UNSPEC;
	}
	ovx_gstat_inc(OVX_G_TX_EPOCH_NO_SLOT);
	return TC_ACT_OK;
}

/* Room made for the outer headers: header, encryption, outer headers, and
 * the Ethernet type of the dummy link header. */
static __always_inline int ovx_tx_seal(struct bpf_dynptr *pkt, struct ovx_tx *tx)
{
	struct ovx_tx_state *st = tx->st;
	__u32 off = OVX_TX_L2 + st->path.hlen - OVX_DATA_HDR_LEN;
	int err;

	if (tx->eslot)
		return ovx_tx_seal_epoch(pkt, tx);
	if (!tx->key || ovx_tx_data_hdr(pkt, st, tx->key->key_id))
		return -EINVAL;
	__be16 proto = bpf_htons(st->path.dst.family == OVX_AF_INET ? ETH_P_IP : ETH_P_IPV6);

	err = ovx_aead_encrypt(pkt, off, st->len, &tx->key->enc);
	if (err)
		return err;
	if (bpf_dynptr_write(pkt, 12, &proto, sizeof(proto), 0))
		return -EINVAL;
	return ovx_encap_outer(pkt, &st->path, OVX_TX_L2, st->len);
}

/* Room for the link and outer headers in front of the inner packet. When the
 * outer family is the inner one, a single change_head does (one possible
 * reallocation); otherwise adjust_room also sets skb->protocol to the outer
 * family, which bpf_redirect_neigh goes by. */
static __always_inline int ovx_tx_make_room(struct __sk_buff *skb,
					     const struct ovx_tx_state *st, __u32 front)
{
	__u64 flags = st->path.dst.family == OVX_AF_INET ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 :
							    BPF_F_ADJ_ROOM_ENCAP_L3_IPV6;
	__u32 room = st->path.hlen + (front & 7);

	if (!st->l2 && st->dst.family == st->path.dst.family)
		return bpf_skb_change_head(skb, OVX_TX_L2 + room, 0);
	if (bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, flags))
		return -EINVAL;
	return st->l2 ? 0 : bpf_skb_change_head(skb, OVX_TX_L2, 0);
}

/* The framing (framing.h) around the inner packet, with room made for it
 * and the outer headers: the fragment header, then 0xFA in front, or 0xFB in
 * place of the packet's first byte, which goes to the end. st->len becomes
 * the plaintext's length. */
static __noinline int ovx_tx_frame(struct __sk_buff *skb, struct ovx_tx_state *st)
{
	__u8 hdr[OVX_FRAG_HLEN + 1] = {}, first;
	__u32 fr = st->framing, front = 0, comp_at, len = st->len;
	struct bpf_dynptr pkt;

	if (fr & OVX_FRAMING_FRAGMENT)
		front = OVX_FRAG_HLEN;
	comp_at = front;
	if (fr & OVX_FRAMING_COMP_V1) {
		hdr[comp_at] = OVX_NO_COMPRESS_BYTE;
		front++;
	} else if (fr & OVX_FRAMING_COMP_SWAP) {
		/* at the inner packet's end: the epoch format's tag room follows */
		if (bpf_skb_load_bytes(skb, st->l2 & 0x3f, &first, 1) ||
		    bpf_skb_change_tail(skb, skb->len + 1, 0) ||
		    bpf_skb_store_bytes(skb, (st->l2 & 0x3f) + len, &first, 1, 0))
			return -EINVAL;
		hdr[comp_at] = OVX_NO_COMPRESS_BYTE_SWAP;
		len++;
	}
	if (ovx_tx_make_room(skb, st, front) || bpf_dynptr_from_skb(skb, 0, &pkt))
		return -EINVAL;
	st->len = front + len;
	if (fr & (OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP))
		comp_at++;
	return comp_at ? bpf_dynptr_write(&pkt, OVX_TX_L2 + st->path.hlen, hdr,
					  comp_at & 7, 0) : 0;
}

/* Through the checksum helper (see struct ovx_iface): with a link header,
 * out of the helper's sending end. */
static __always_inline int ovx_tx_via_helper(struct __sk_buff *skb, const struct ovx_iface *ifc)
{
	__be16 proto = skb->protocol;

	if (bpf_skb_change_head(skb, OVX_TX_L2, 0) ||
	    bpf_skb_store_bytes(skb, 12, &proto, sizeof(proto), 0))
		return TC_ACT_SHOT;
	return bpf_redirect(ifc->peer_ifindex, 0);
}

/* The decision for one packet: TC_ACT_OK leaves it to OpenVPN. */
static __always_inline int ovx_tx_verdict(struct __sk_buff *skb, const struct ovx_tx *in)
{
	struct ovx_tx tx = *in;
	struct bpf_dynptr pkt;
	__u32 zero = 0;
	int v;

	tx.eslot = NULL;	/* a known 0 to the verifier, not the copy's bytes */
	tx.st = bpf_map_lookup_elem(&ovx_tx_state, &zero);
	if (!tx.ifc || !tx.st)
		return TC_ACT_OK;
	ovx_gstat_inc(OVX_G_TX_SEEN);
	__builtin_memset(tx.st, 0, sizeof(*tx.st));
	tx.st->l2 = tx.helper || tx.ifc->flags & OVX_IFACE_ETH ? OVX_TX_L2 : 0;
	if (skb->len < tx.st->l2 || bpf_dynptr_from_skb(skb, 0, &pkt) ||
	    !ovx_tx_inner(&pkt, tx.st))
		return TC_ACT_OK;
	tx.st->len = skb->len - tx.st->l2;
	tx.st->framing = tx.ifc->flags;
	tx.st->flen = ovx_framing_len(tx.st->framing);
	if (!ovx_tx_lookup(skb, &tx) || !ovx_tx_path(skb, tx.st))
		return TC_ACT_OK;
	if (ovx_csum_pending(skb)) {
		ovx_gstat_inc(OVX_G_TX_CSUM_PARTIAL);
		if (tx.ifc->peer_ifindex && !tx.helper)
			return ovx_tx_via_helper(skb, tx.ifc);
		return TC_ACT_OK;
	}
	if (ovx_framing_needs_fragment(tx.st->framing, tx.st->len)) {
		ovx_gstat_inc(OVX_G_TX_FRAGMENT);	/* OpenVPN fragments it */
		return TC_ACT_OK;
	}
	if (tx.st->too_big) {
		ovx_count_drop(tx.stats, OVX_DROP_TOO_BIG);
		return TC_ACT_SHOT;
	}
	/* sealed in order there, but for a stale PARTIAL one (bpf/csum.h); an
	 * epoch key without a usable send slot goes to OpenVPN from here (from
	 * the helper it would come back through the tun's egress) */
	if (tx.ifc->peer_ifindex && !tx.helper && !ovx_csum_stale(skb))
		return ovx_tx_epoch_usable(tx.st) ? ovx_tx_via_helper(skb, tx.ifc) : TC_ACT_OK;
	v = ovx_tx_number(&tx);
	if (v != TC_ACT_UNSPEC)
		return v;
	__u32 inner = tx.st->len;

	/* the tag's room first: an skb marked encapsulated (adjust_room, inner
	 * and outer families apart) cannot change its tail */
	if ((tx.eslot && bpf_skb_change_tail(skb, skb->len + OVX_TAG_LEN, 0)) ||
	    (tx.st->flen ? ovx_tx_frame(skb, tx.st) : ovx_tx_make_room(skb, tx.st, 0)) ||
	    bpf_dynptr_from_skb(skb, 0, &pkt) || ovx_tx_seal(&pkt, &tx)) {
		ovx_count_drop(tx.stats, OVX_DROP_ENCAP);
		return TC_ACT_SHOT;
	}
	if (tx.eslot)
		ovx_gstat_inc(OVX_G_TX_EPOCH_SEALED);
	if (tx.stats) {
		OVX_STAT_ADD(tx.stats->tx_vpn_pkts, 1);
		OVX_STAT_ADD(tx.stats->tx_vpn_bytes, inner);
		OVX_STAT_ADD(tx.stats->tx_link_pkts, 1);
		OVX_STAT_ADD(tx.stats->tx_link_bytes, (tx.eslot ? OVX_EPOCH_OVERHEAD :
						       OVX_DATA_HDR_LEN) + tx.st->len);
	}
	return bpf_redirect_neigh(tx.st->path.ifindex, NULL, 0, 0);
}

/* TX on a tun device's egress, or on a checksum helper's ingress, where a
 * packet that TX leaves to OpenVPN goes back out of the tun device. */
static __always_inline int ovx_tx(struct __sk_buff *skb)
{
	struct ovx_tx tx = {};
	__u32 ifindex = skb->ifindex, tun = 0;
	struct ovx_iface *ifc;
	int v;

	ifc = bpf_map_lookup_elem(&ovx_ifaces, &ifindex);
	if (ifc && ifc->flags & OVX_IFACE_CSUM_HELPER) {
		tun = ifc->peer_ifindex;	/* the tun's entry says the rest */
		ifc = bpf_map_lookup_elem(&ovx_ifaces, &tun);
	}
	if (!ifc)
		return tun ? bpf_redirect(tun, 0) : TC_ACT_OK;
	tx.ifc = ifc;
	tx.helper = tun;
	v = ovx_tx_verdict(skb, &tx);
	return v == TC_ACT_OK && tun ? bpf_redirect(tun, 0) : v;
}

#endif /* OVX_TX_H */
