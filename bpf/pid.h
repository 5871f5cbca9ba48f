/* SPDX-License-Identifier: GPL-2.0 */
/* Packet-ids of a key: one 64-bit counter in the key's map value, taken with
 * an atomic add by every sender of the key (TX on any CPU, and OpenVPN's own
 * data packets, which are renumbered on the way out). Each value is handed
 * out once, so no packet-id, hence no nonce, is ever used twice; the counter
 * is 64-bit, so it never wraps, and ids past 32 bits are refused. */
#ifndef OVPN_PID_H
#define OVPN_PID_H

#include "common.h"

#include "maps.h"

/* Returns the next packet-id of @key, or 0 when the key is exhausted. */
static __always_inline __u32 ovpn_pid_next(struct ovpn_key *key,
					   const struct ovpn_peer_key *pk)
{
	__u64 pid = __sync_fetch_and_add(&key->tx_next_pid, 1);

	if (pid > OVPN_PID_MAX)
		return 0;
	if (pid == OVPN_PID_HIGH_WATER)		/* exactly once per key */
		ovpn_event(OVPN_EV_PID_HIGH_WATER, pk, key->key_id, NULL);
	return pid;
}

#endif /* OVPN_PID_H */
