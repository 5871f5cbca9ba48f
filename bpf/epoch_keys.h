/* SPDX-License-Identifier: GPL-2.0 */
/* Which epoch key a packet uses, as OpenVPN 2.7 decides (docs/epoch.md):
 *
 * RX: an epoch is accepted if it is the current receive epoch, the retiring
 * one, or one of the OVPN_EPOCH_FUTURE after the current (below 65535 - 17),
 * and its slot is installed; anything else goes to OpenVPN. The tag is
 * checked, then the epoch's own replay window. A future epoch that
 * authenticates becomes current (the old current retiring) and the sending
 * epoch follows it up if it was lower.
 *
 * TX: the counter of the sending epoch is taken atomically; when it passes
 * 2^48 - 1 or, for AES-GCM, blocks + counter pass 2^36 - 1, the sender moves
 * to the next epoch (its slot installed ahead by userspace), counter from 1.
 * Epochs only go up, and each (epoch, counter) is handed out once. */
#ifndef OVPN_EPOCH_KEYS_H
#define OVPN_EPOCH_KEYS_H

#include "common.h"
#include "ovpn_epoch.h"
#include "epoch.h"
#include "replay.h"

#ifndef OVPN_EPOCH_MAX_SLOTS
#define OVPN_EPOCH_MAX_SLOTS	(OVPN_MAX_KEYS * 4)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_EPOCH_MAX_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_epoch_id);
	__type(value, struct ovpn_epoch_slot);
} ovpn_epoch_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_key_id);
	__type(value, struct ovpn_epoch_state);
} ovpn_epoch_states SEC(".maps");

/* The slot an AES context is made for (struct ovpn_aes_ctx_args.map_key):
 * instance, peer-id, key-id | direction << 8, epoch. */
static __always_inline struct ovpn_epoch_slot *ovpn_epoch_slot_of_ctx(const __u32 map_key[4])
{
	struct ovpn_epoch_id id = {
		.instance = map_key[0], .peer_id = map_key[1],
		.key_id = map_key[2] & 0xff, .dir = map_key[2] >> 8, .epoch = map_key[3],
	};

	return bpf_map_lookup_elem(&ovpn_epoch_slots, &id);
}

static __always_inline struct ovpn_epoch_slot *
ovpn_epoch_slot_get(const struct ovpn_key_id *kid, __u32 dir, __u32 epoch)
{
	struct ovpn_epoch_id id = {
		.instance = kid->instance, .peer_id = kid->peer_id,
		.key_id = kid->key_id, .dir = dir, .epoch = epoch,
	};

	return bpf_map_lookup_elem(&ovpn_epoch_slots, &id);
}

/* Whether OpenVPN would look for a key of @epoch at all. */
static __always_inline bool ovpn_epoch_rx_acceptable(const struct ovpn_epoch_state *st,
						     __u32 epoch)
{
	__u32 cur = st->rx_epoch;

	if (!epoch)
		return false;
	if (epoch == cur || (st->rx_retiring && epoch == st->rx_retiring))
		return true;
	return epoch > cur && epoch <= cur + OVPN_EPOCH_FUTURE &&
	       epoch <= OVPN_EPOCH_LAST - OVPN_EPOCH_FUTURE - 1;
}

/* @epoch authenticated: make it current if it is newer, and the sending
 * epoch follow (if its slot is there: userspace installs it ahead). */
static __always_inline bool ovpn_epoch_rx_advance(const struct ovpn_key_id *kid,
						  struct ovpn_epoch_state *st, __u32 epoch)
{
	bool tx_up = epoch > st->tx_epoch && ovpn_epoch_slot_get(kid, OVPN_EPOCH_TX, epoch);
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
static __always_inline __maybe_unused int ovpn_epoch_rx(struct bpf_dynptr *pkt, __u32 off, __u32 len,
						   const struct ovpn_key_id *kid, bool *moved)
{
	struct ovpn_epoch_state *st = bpf_map_lookup_elem(&ovpn_epoch_states, kid);
	struct ovpn_epoch_slot *slot;
	__u8 h[OVPN_EPOCH_AAD_LEN];
	__u32 epoch;
	__u64 counter;
	bool fresh;
	int err;

	*moved = false;
	if (!st || bpf_dynptr_read(h, sizeof(h), pkt, off, 0))
		return OVPN_EPOCH_RX_PASS;
	epoch = ovpn_epoch_of(h);
	counter = ovpn_epoch_counter(h);
	if (!ovpn_epoch_rx_acceptable(st, epoch))
		return OVPN_EPOCH_RX_PASS;
	slot = ovpn_epoch_slot_get(kid, OVPN_EPOCH_RX, epoch);
	if (!slot)
		return OVPN_EPOCH_RX_PASS;
	if (!ovpn_replay_check(&slot->replay, counter))
		return OVPN_EPOCH_RX_REPLAY;
	err = ovpn_epoch_decrypt(pkt, off, len, &slot->key);
	if (err)
		return err == -EBADMSG ? OVPN_EPOCH_RX_BAD_TAG : OVPN_EPOCH_RX_MALFORMED;
	bpf_spin_lock(&slot->lock);
	fresh = ovpn_replay_update(&slot->replay, counter);
	bpf_spin_unlock(&slot->lock);
	if (!fresh)
		return OVPN_EPOCH_RX_REPLAY;
	*moved = ovpn_epoch_rx_advance(kid, st, epoch);
	return OVPN_EPOCH_RX_DELIVER;
}

/* Blocks OpenVPN counts for a packet: the 8-byte packet-id and the data. */
static __always_inline __u64 ovpn_epoch_blocks(__u32 len)
{
	return (8 + (__u64)len + 15) / 16;
}

/* Whether (@counter, blocks so far) is still within the key's limits. */
static __always_inline bool ovpn_epoch_tx_within(const struct ovpn_epoch_slot *slot,
						 __u64 counter, __u64 blocks)
{
	if (!counter || counter > OVPN_EPOCH_COUNTER_MASK)
		return false;
	return !slot->cipher_gcm || blocks + counter <= OVPN_EPOCH_GCM_LIMIT;
}

/* Moves the sending epoch from @from to @from + 1 if that slot is there. */
static __always_inline void ovpn_epoch_tx_move(const struct ovpn_key_id *kid,
					       struct ovpn_epoch_state *st, __u32 from)
{
	if (from >= OVPN_EPOCH_LAST || !ovpn_epoch_slot_get(kid, OVPN_EPOCH_TX, from + 1))
		return;
	bpf_spin_lock(&st->lock);
	if (st->tx_epoch == from)
		st->tx_epoch = from + 1;
	bpf_spin_unlock(&st->lock);
}

#define OVPN_EPOCH_TX_TRIES	3

/* Picks the epoch and counter of the next packet of @kid with @len bytes of
 * plaintext: the slot, or NULL when no key is left (all slots ahead used
 * up: the packet must not be sealed). */
static __noinline __maybe_unused struct ovpn_epoch_slot *
ovpn_epoch_tx_next(const struct ovpn_key_id *kid, __u32 len, __u32 *epoch, __u64 *counter)
{
	struct ovpn_epoch_state *st = bpf_map_lookup_elem(&ovpn_epoch_states, kid);

	if (!st)
		return NULL;
	for (int i = 0; i < OVPN_EPOCH_TX_TRIES; i++) {
		__u32 e = st->tx_epoch;
		struct ovpn_epoch_slot *slot = ovpn_epoch_slot_get(kid, OVPN_EPOCH_TX, e);
		__u64 c, blocks;

		if (!slot)
			return NULL;
		c = __sync_fetch_and_add(&slot->tx_next, 1);
		blocks = __sync_fetch_and_add(&slot->tx_blocks, ovpn_epoch_blocks(len));
		if (ovpn_epoch_tx_within(slot, c, blocks)) {
			*epoch = e;
			*counter = c;
			return slot;
		}
		ovpn_epoch_tx_move(kid, st, e);
	}
	return NULL;
}

#endif /* OVPN_EPOCH_KEYS_H */
