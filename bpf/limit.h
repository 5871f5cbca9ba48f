/* SPDX-License-Identifier: GPL-2.0 */
/* AES-GCM's usage limit for a key in the 2.6 data format (OpenVPN 2.7's
 * cipher_get_aead_limits, crypto.c): plaintext blocks sealed + highest
 * packet-id <= 2^36 - 1. OpenVPN counts what it seals itself and cannot see
 * what the fast path seals, so the fast path counts per key, in the cache
 * line of the packet-id counter it writes anyway (struct ovx_key):
 *
 * - each packet sealed with the key (TX, and OpenVPN's own renumbered ones,
 *   renumber.h) adds its blocks: ceil((24 + plaintext) / 16), the header and
 *   tag counted too (OpenVPN counts the whole buffer it sealed: never less);
 * - past OVX_GCM_USAGE_HIGH_WATER (7/8, where OpenVPN itself renegotiates)
 *   one OVX_EV_USAGE_HIGH_WATER goes to the control plane;
 * - a packet whose blocks so far + its packet-id would pass
 *   OVX_GCM_USAGE_STOP is not sealed: the caller drops it. It must not go
 *   to OpenVPN instead: OpenVPN's packets of the key are renumbered with the
 *   same counter (renumber.h), so they would be refused too, and one that
 *   left with OpenVPN's own packet-id could repeat a nonce of ours.
 *
 * Blocks and packet-id are two atomics, so a packet on another CPU between
 * its two adds can see a lower sum than the final one; the slack below the
 * limit (2^20 blocks) is more than one packet per CPU (131 blocks at most)
 * on any machine, so the limit itself is never passed. */
#ifndef OVX_LIMIT_H
#define OVX_LIMIT_H

#include "common.h"
#include "maps.h"

static __always_inline __u64 ovx_usage_blocks(__u32 len)
{
	return ((__u64)len + OVX_DATA_HDR_LEN + 15) / 16;
}

/* Counts a packet of @len bytes of plaintext sealed with @key under
 * packet-id @pid. Returns false when it must not be sealed. */
static __always_inline bool ovx_usage_take(struct ovx_key *key, const struct ovx_peer_key *pk,
					    __u64 pid, __u32 len)
{
	__u64 b, sum;

	if (key->enc.cipher == OVX_CIPHER_CHACHA20_POLY1305)
		return true;
	b = ovx_usage_blocks(len);
	sum = __sync_fetch_and_add(&key->tx_blocks, b) + b + pid;
	if (sum >= OVX_GCM_USAGE_HIGH_WATER && !(key->tx_usage_flags & OVX_USAGE_F_HIGH_WATER) &&
	    !(__sync_fetch_and_or(&key->tx_usage_flags, OVX_USAGE_F_HIGH_WATER) &
	      OVX_USAGE_F_HIGH_WATER))
		ovx_event(OVX_EV_USAGE_HIGH_WATER, pk, key->key_id, NULL);
	return sum <= OVX_GCM_USAGE_STOP;
}

/* tx_blocks = max(tx_blocks, @value) against concurrent senders (the
 * ovx_key_ctl program). 0, or -EBUSY. */
static __always_inline int ovx_usage_blocks_min(struct ovx_key *key, __u64 value)
{
	for (int i = 0; i < 64; i++) {
		__u64 cur = key->tx_blocks;

		if (cur >= value || __sync_val_compare_and_swap(&key->tx_blocks, cur, value) == cur)
			return 0;
	}
	return -EBUSY;
}

#endif /* OVX_LIMIT_H */
