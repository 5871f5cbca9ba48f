/* SPDX-License-Identifier: GPL-2.0 */
/* Packet-ids of a key: one 64-bit counter in the key's map value, taken with
 * an atomic add by every sender of the key (TX on any CPU, and OpenVPN's own
 * data packets, which are renumbered on the way out). Each value is handed
 * out once, so no packet-id, hence no nonce, is ever used twice; the counter
 * is 64-bit, so it never wraps, and ids past 32 bits are refused. */
#ifndef OVX_PID_H
#define OVX_PID_H

#include "common.h"

#include "maps.h"

/* Returns the next packet-id of @key, or 0 when the key is exhausted. */
static __always_inline __u32 ovx_pid_next(struct ovx_key *key,
					   const struct ovx_peer_key *pk)
{
	__u64 pid = __sync_fetch_and_add(&key->tx_next_pid, 1);

	if (pid > OVX_PID_MAX)
		return 0;
	if (pid == OVX_PID_HIGH_WATER)		/* exactly once per key */
		ovx_event(OVX_EV_PID_HIGH_WATER, pk, key->key_id, NULL);
	return pid;
}

#endif /* OVX_PID_H */
