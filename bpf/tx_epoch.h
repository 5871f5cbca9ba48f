/* SPDX-License-Identifier: GPL-2.0 */
/* TX of a key in OpenVPN 2.7's epoch data format (docs/epoch.md): the peer's
 * primary slot names a key-id that ovx_keys lacks and ovx_epoch_states has.
 * The (epoch, counter) comes from ovx_epoch_tx_next (bpf/epoch_keys.h: the
 * send epoch's counter taken atomically, the next epoch at the counter's end
 * or AES-GCM's usage limit, its slot installed ahead by userspace); without
 * a usable slot the packet goes to OpenVPN untouched.
 *
 * On the wire:  IP | UDP | op/key-id, peer-id, epoch, counter (12, the AAD)
 *               | ciphertext | tag (16)
 * 28 bytes of overhead after UDP (the 2.6 format: 24), the tag at the end:
 * TX makes room for 12 bytes in front (path.hlen) and 16 at the tail. */
#ifndef OVX_TX_EPOCH_H
#define OVX_TX_EPOCH_H

#include "encap.h"
#include "epoch.h"
#include "epoch_keys.h"
#include "renumber.h"

/* What TX knows of the epoch packet in flight (in struct ovx_tx_state). */
struct ovx_tx_epoch {
	__u32 fmt;		/* 1: the key is in the epoch format */
	__u32 key_id;
	__u32 peer_id;
	__u32 epoch;
	__u64 counter;
};

/* Longest plaintext sealed: the IPv6 checksum reads the whole UDP payload
 * (28 bytes more than the plaintext) through scratch (ovx_renumber_sum). */
#define OVX_TX_EPOCH_MAX_LEN	(OVX_AEAD_MAX_LEN - (OVX_EPOCH_OVERHEAD - OVX_DATA_HDR_LEN))

/* Whether @kid is a key in the epoch format. */
static __always_inline bool ovx_tx_epoch_key(const struct ovx_key_id *kid)
{
	return bpf_map_lookup_elem(&ovx_epoch_states, kid) != NULL;
}

/* Header at @off, then the plaintext behind it (@len bytes) sealed in place
 * with the tag after it (the packet already has the room). */
static __noinline int ovx_tx_epoch_seal(struct bpf_dynptr *pkt, __u32 off, __u32 len,
					 const struct ovx_tx_epoch *e,
					 struct ovx_epoch_slot *slot)
{
	__u8 h[OVX_EPOCH_AAD_LEN];

	ovx_epoch_pack(h, e->key_id, e->peer_id, e->epoch, e->counter);
	if (bpf_dynptr_write(pkt, off, h, sizeof(h), 0))
		return -EINVAL;
	return ovx_epoch_encrypt(pkt, off, len, &slot->key);
}

/* The outer IP and UDP headers in front of a sealed epoch packet (@len bytes
 * of plaintext) whose link header ends at @l2. Over IPv6 the UDP checksum is
 * summed from the packet as it now is. 0 or -EINVAL. */
static __noinline int ovx_tx_epoch_outer(struct bpf_dynptr *pkt, const struct ovx_path *p,
					  __u32 l2, __u32 len)
{
	__u32 udp_len = OVX_UDP_HLEN + OVX_EPOCH_OVERHEAD + len;
	struct ovx_encap_hdr h;
	__u32 ip_len = ovx_encap_fill(&h, p, udp_len);
	struct {
		__u8 src[16], dst[16];
		__be32 len;
		__be32 next;
		struct udphdr udp;
	} ph;
	__s64 sum;

	if (len > OVX_TX_EPOCH_MAX_LEN)
		return -EINVAL;
	if (ip_len == OVX_IP6_HLEN) {
		__builtin_memcpy(ph.src, p->src.addr, 16);
		__builtin_memcpy(ph.dst, p->dst.addr, 16);
		ph.len = bpf_htonl(udp_len);
		ph.next = bpf_htonl(OVX_IPPROTO_UDP);
		ph.udp = h.udp;
		sum = ovx_renumber_sum(pkt, l2 + ip_len + OVX_UDP_HLEN, OVX_EPOCH_OVERHEAD + len);
		sum = bpf_csum_diff(NULL, 0, (void *)&ph, sizeof(ph), (__u32)sum);
		h.udp.check = ~ovx_csum_fold(sum) & 0xffff;
		if (!h.udp.check)
			h.udp.check = 0xffff;
	}
	return ovx_encap_write(pkt, l2, &h, ip_len);
}

/* Control (ovx_key_ctl): @id = epoch << 48 | counter of what OpenVPN sent
 * with key @kid before the fast path had it: that epoch's send slot hands
 * out counters from @id's on (never lowered), and the send epoch is at least
 * that one. Returns 0, -ENOENT (no such slot or state), -EBUSY. */
static __always_inline int ovx_epoch_tx_start(const struct ovx_key_id *kid, __u64 id)
{
	struct ovx_epoch_state *st = bpf_map_lookup_elem(&ovx_epoch_states, kid);
	__u32 epoch = id >> 48;
	__u64 next = id & OVX_EPOCH_COUNTER_MASK;
	struct ovx_epoch_slot *s = ovx_epoch_slot_get(kid, OVX_EPOCH_TX, epoch);

	if (!st || !s)
		return -ENOENT;
	bpf_spin_lock(&st->lock);
	if (st->tx_epoch < epoch)
		st->tx_epoch = epoch;
	bpf_spin_unlock(&st->lock);
	for (int i = 0; i < 64; i++) {	/* atomic max against concurrent senders */
		__u64 cur = s->tx_next;

		if (cur >= next || __sync_val_compare_and_swap(&s->tx_next, cur, next) == cur)
			return 0;
	}
	return -EBUSY;
}

#endif /* OVX_TX_EPOCH_H */
