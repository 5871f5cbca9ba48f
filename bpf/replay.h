/* SPDX-License-Identifier: GPL-2.0 */
/* Replay protection per key, as OpenVPN's backtrack window: a packet-id above
 * every one seen is accepted; an older one only within @window and if not seen
 * yet; 0 never. The bitmap is a ring of 64-bit words, each covering 64
 * consecutive ids and cleared when the highest id first enters it (so the
 * usable backtrack is OVX_REPLAY_MAX - 64).
 *
 * ovx_replay_check() is a lock-free pre-check, to skip the AEAD for packets
 * that would fail anyway; ovx_replay_update() decides, under the key's lock,
 * once the tag is verified. */
#ifndef OVX_REPLAY_H
#define OVX_REPLAY_H

#include "common.h"
#include "ovx_maps.h"

#define OVX_REPLAY_WORDS	(OVX_REPLAY_MAX / 64)

static __always_inline bool ovx_replay_seen(const struct ovx_replay *r, __u64 id)
{
	__u64 highest = r->highest;
	__u32 window = r->window;

	if (window > OVX_REPLAY_MAX - 64)
		window = OVX_REPLAY_MAX - 64;

	if (id == 0)
		return true;
	if (id > highest)
		return false;
	if (highest - id >= window)
		return true;
	return r->bits[(id / 64) % OVX_REPLAY_WORDS] & (1ULL << (id % 64));
}

static __always_inline bool ovx_replay_check(const struct ovx_replay *r, __u64 id)
{
	return !ovx_replay_seen(r, id);
}

/* Records @id; false if it is a replay. Caller holds the key's lock. */
static __always_inline bool ovx_replay_update(struct ovx_replay *r, __u64 id)
{
	__u64 word = id / 64, cur = r->highest / 64;

	if (ovx_replay_seen(r, id))
		return false;
	if (id > r->highest) {
		/* a jump of a whole ring or more clears every word */
		for (int i = 0; i < OVX_REPLAY_WORDS && cur < word; i++) {
			cur++;
			r->bits[cur % OVX_REPLAY_WORDS] = 0;
		}
		r->highest = id;
	}
	r->bits[word % OVX_REPLAY_WORDS] |= 1ULL << (id % 64);
	return true;
}

/* Marks every packet-id up to @floor as seen, and none above it: those
 * OpenVPN may already have received itself before the fast path had the key
 * (a packet just above the floor, overtaken by a later one, is still new).
 * Caller holds the lock. */
static __always_inline void ovx_replay_floor(struct ovx_replay *r, __u64 floor)
{
	if (floor <= r->highest)
		return;
	r->highest = floor;
	r->floor = floor > 0xFFFFFFFFULL ? 0xFFFFFFFF : (__u32)floor;
	for (int i = 0; i < OVX_REPLAY_WORDS; i++)
		r->bits[i] = ~0ULL;
	r->bits[(floor / 64) % OVX_REPLAY_WORDS] = OVX_REPLAY_FLOOR_BITS(floor);
}

/* A packet-id the fast path refuses only because it lies below the floor
 * set at installation, still inside the window: OpenVPN may not have seen it
 * (a packet overtaken on the wire while the key went in), and only OpenVPN
 * knows, so it goes there; OpenVPN drops it if it is a replay. */
static __always_inline bool ovx_replay_openvpns(const struct ovx_replay *r, __u64 id)
{
	__u32 window = r->window;

	if (window > OVX_REPLAY_MAX - 64)
		window = OVX_REPLAY_MAX - 64;
	return id && id <= r->floor && r->highest - id < window;
}

#endif /* OVX_REPLAY_H */
