/* SPDX-License-Identifier: GPL-2.0 */
/* Which epoch key a packet uses, as OpenVPN 2.7 decides (docs/epoch.md):
 *
 * RX: an epoch is accepted if it is the current receive epoch, the retiring
 * one, or one of the OVX_EPOCH_FUTURE after the current (below 65535 - 17),
 * and its slot is installed; anything else goes to OpenVPN. The tag is
 * checked, then the epoch's own replay window. A future epoch that
 * authenticates becomes current (the old current retiring) and the sending
 * epoch follows it up if it was lower.
 *
 * TX: the counter of the sending epoch is taken atomically; when it passes
 * 2^48 - 1 or, for AES-GCM, blocks + counter pass 2^36 - 1, the sender moves
 * to the next epoch (its slot installed ahead by userspace), counter from 1.
 * Epochs only go up, and each (epoch, counter) is handed out once. */
#ifndef OVX_EPOCH_KEYS_H
#define OVX_EPOCH_KEYS_H

#include "common.h"
#include "ovx_epoch.h"
#include "epoch.h"
#include "maps.h"
#include "replay.h"

#ifndef OVX_EPOCH_MAX_SLOTS
#define OVX_EPOCH_MAX_SLOTS	(OVX_MAX_KEYS * 4)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_EPOCH_MAX_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_epoch_id);
	__type(value, struct ovx_epoch_slot);
} ovx_epoch_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_key_id);
	__type(value, struct ovx_epoch_state);
} ovx_epoch_states SEC(".maps");

/* The slot an AES context is made for (struct ovx_aes_ctx_args.map_key):
 * instance, peer-id, key-id | direction << 8, epoch. */
static __always_inline struct ovx_epoch_slot *ovx_epoch_slot_of_ctx(const __u32 map_key[4])
{
	struct ovx_epoch_id id = {
		.instance = map_key[0], .peer_id = map_key[1],
		.key_id = map_key[2] & 0xff, .dir = map_key[2] >> 8, .epoch = map_key[3],
	};

	return bpf_map_lookup_elem(&ovx_epoch_slots, &id);
}

static __always_inline struct ovx_epoch_slot *
ovx_epoch_slot_get(const struct ovx_key_id *kid, __u32 dir, __u32 epoch)
{
	struct ovx_epoch_id id = {
		.instance = kid->instance, .peer_id = kid->peer_id,
		.key_id = kid->key_id, .dir = dir, .epoch = epoch,
	};

	return bpf_map_lookup_elem(&ovx_epoch_slots, &id);
}

/* Whether OpenVPN would look for a key of @epoch at all. */
static __always_inline bool ovx_epoch_rx_acceptable(const struct ovx_epoch_state *st,
						     __u32 epoch)
{
	__u32 cur = st->rx_epoch;

	if (!epoch)
		return false;
	if (epoch == cur || (st->rx_retiring && epoch == st->rx_retiring))
		return true;
	return epoch > cur && epoch <= cur + OVX_EPOCH_FUTURE &&
	       epoch <= OVX_EPOCH_LAST - OVX_EPOCH_FUTURE - 1;
}

/* @epoch authenticated: make it current if it is newer, and the sending
 * epoch follow (if its slot is there: userspace installs it ahead). */
static __always_inline bool ovx_epoch_rx_advance(const struct ovx_key_id *kid,
						  struct ovx_epoch_state *st, __u32 epoch)
{
	bool tx_up = epoch > st->tx_epoch && ovx_epoch_slot_get(kid, OVX_EPOCH_TX, epoch);
	bool moved = false;

	bpf_spin_lock(&st->lock);
	if (epoch > st->rx_epoch) {
		st->rx_retiring = st->rx_epoch;
		st->rx_epoch = epoch;
		moved = true;
	}
	if (tx_up && epoch > st->tx_epoch)
		st->tx_epoch = epoch;
	bpf_spin_unlock(&st->lock);
	return moved;
}

/* The epoch packet at @off (header 12 | @len | tag 16) of key @kid.
 * *@moved is set when the receive epoch moved up (userspace then installs
 * the next future slots and removes the old ones). */
static __always_inline __maybe_unused int ovx_epoch_rx(struct bpf_dynptr *pkt, __u32 off, __u32 len,
						   const struct ovx_key_id *kid, bool *moved)
{
	struct ovx_epoch_state *st = bpf_map_lookup_elem(&ovx_epoch_states, kid);
	struct ovx_epoch_slot *slot;
	__u8 h[OVX_EPOCH_AAD_LEN];
	__u32 epoch;
	__u64 counter;
	bool fresh;
	int err;

	*moved = false;
	if (!st || bpf_dynptr_read(h, sizeof(h), pkt, off, 0))
		return OVX_EPOCH_RX_PASS;
	epoch = ovx_epoch_of(h);
	counter = ovx_epoch_counter(h);
	if (!ovx_epoch_rx_acceptable(st, epoch))
		return OVX_EPOCH_RX_PASS;
	slot = ovx_epoch_slot_get(kid, OVX_EPOCH_RX, epoch);
	if (!slot)
		return OVX_EPOCH_RX_PASS;
	if (!ovx_replay_check(&slot->replay, counter))
		return OVX_EPOCH_RX_REPLAY;
	err = ovx_epoch_decrypt(pkt, off, len, &slot->key);
	if (err)
		return err == -EBADMSG ? OVX_EPOCH_RX_BAD_TAG : OVX_EPOCH_RX_MALFORMED;
	bpf_spin_lock(&slot->lock);
	fresh = ovx_replay_update(&slot->replay, counter);
	bpf_spin_unlock(&slot->lock);
	if (!fresh)
		return OVX_EPOCH_RX_REPLAY;
	*moved = ovx_epoch_rx_advance(kid, st, epoch);
	return OVX_EPOCH_RX_DELIVER;
}

/* Blocks OpenVPN counts for a packet: the 8-byte packet-id and the data. */
static __always_inline __u64 ovx_epoch_blocks(__u32 len)
{
	return (8 + (__u64)len + 15) / 16;
}

/* Whether (@counter, blocks so far) is still within the key's limits. */
static __always_inline bool ovx_epoch_tx_within(const struct ovx_epoch_slot *slot,
						 __u64 counter, __u64 blocks)
{
	if (!counter || counter > OVX_EPOCH_COUNTER_MASK)
		return false;
	return !slot->cipher_gcm || blocks + counter <= OVX_EPOCH_GCM_LIMIT;
}

/* Moves the sending epoch from @from to @from + 1 if that slot is there. */
static __always_inline void ovx_epoch_tx_move(const struct ovx_key_id *kid,
					       struct ovx_epoch_state *st, __u32 from)
{
	if (from >= OVX_EPOCH_LAST || !ovx_epoch_slot_get(kid, OVX_EPOCH_TX, from + 1))
		return;
	bpf_spin_lock(&st->lock);
	if (st->tx_epoch == from)
		st->tx_epoch = from + 1;
	bpf_spin_unlock(&st->lock);
}

#define OVX_EPOCH_TX_TRIES	3

/* The first packet of a send epoch (counter 1; a key's first epoch starts
 * above it, epoch_install.c) asks userspace, once per epoch, to install the
 * slot after it (OVX_EV_EPOCH_MOVED, loader/lib/epoch_refill.c). */
static __always_inline void ovx_epoch_tx_moved(const struct ovx_key_id *kid, __u64 counter)
{
	/* a key id starts with its peer's (no copy: the renumbering's call
	 * chain has no stack to spare) */
	_Static_assert(offsetof(struct ovx_key_id, instance) == offsetof(struct ovx_peer_key, instance) &&
		       offsetof(struct ovx_key_id, peer_id) == offsetof(struct ovx_peer_key, peer_id),
		       "struct ovx_key_id begins with struct ovx_peer_key");
	if (counter == 1)
		ovx_event(OVX_EV_EPOCH_MOVED, (const struct ovx_peer_key *)kid, kid->key_id, NULL);
}

/* Picks the epoch and counter of the next packet of @kid with @len bytes of
 * plaintext: the slot, or NULL when no key is left (all slots ahead used
 * up: the packet must not be sealed). */
static __noinline __maybe_unused struct ovx_epoch_slot *
ovx_epoch_tx_next(const struct ovx_key_id *kid, __u32 len, __u32 *epoch, __u64 *counter)
{
	struct ovx_epoch_state *st = bpf_map_lookup_elem(&ovx_epoch_states, kid);

	if (!st)
		return NULL;
	for (int i = 0; i < OVX_EPOCH_TX_TRIES; i++) {
		__u32 e = st->tx_epoch;
		struct ovx_epoch_slot *slot = ovx_epoch_slot_get(kid, OVX_EPOCH_TX, e);
		__u64 c, blocks;

		if (!slot)
			return NULL;
		c = __sync_fetch_and_add(&slot->tx_next, 1);
		blocks = __sync_fetch_and_add(&slot->tx_blocks, ovx_epoch_blocks(len));
		if (ovx_epoch_tx_within(slot, c, blocks)) {
			*epoch = e;
			*counter = c;
			return slot;
		}
		ovx_epoch_tx_move(kid, st, e);
	}
	return NULL;
}

#endif /* OVX_EPOCH_KEYS_H */
