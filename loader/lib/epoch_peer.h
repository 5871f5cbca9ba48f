/* SPDX-License-Identifier: GPL-2.0 */
/* A peer's key in OpenVPN 2.7's epoch data format in the fast path (installed
 * by epoch_install.c, known and removed by epoch_peer.c): RX
 * slots (the current epoch and OVX_EPOCH_FUTURE ahead) with their AES
 * contexts made ahead; TX slots (the send epoch and the next) likewise
 * (docs/epoch.md). */
#ifndef OVX_LOADER_EPOCH_PEER_H
#define OVX_LOADER_EPOCH_PEER_H

#include <stdbool.h>
#include "fastpath.h"

/* Installs key @kid of a known peer from the 256-byte TLS-EKM export
 * @material, then points a slot of the peer at it (primary if free or
 * already @kid's, else secondary and swapped), as a 2.6 key would be.
 * Whatever the key-id held before goes. @rx_floor (epoch << 48 | counter,
 * 0: none): what OpenVPN received of the key before, refused as replays
 * (ovx_epoch_set_rx_floor) before the slot points at the key. Returns 0 or
 * -errno (nothing left). */
int ovx_epoch_key_learnt(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			  int cipher, const __u8 *material, bool server, __u64 rx_floor,
			  __u64 tx_start);

/* Sends with @kid from epoch @id >> 48, counter @id's low 48 bits on (never
 * lowers either): above what OpenVPN sent with the key before the fast path
 * had it. Returns 0 or -errno (-ENOENT: no such send slot). */
int ovx_epoch_set_tx_start(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			    __u64 id);

/* Refuses, in @kid's receive slot of epoch @id >> 48, the counters up to
 * @id's low 48 bits (those OpenVPN may have received itself before the key
 * went in; ones inside the window go to OpenVPN, which knows). Returns 0 or
 * -errno (-ENOENT: no such slot). */
int ovx_epoch_set_rx_floor(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			    __u64 id);

/* Removes the epoch state and every slot of @kid, if it has any. */
void ovx_epoch_key_remove(const struct ovx_fastpath *fp, const struct ovx_key_id *kid);

/* What `show` tells of an epoch-format key: key-id, cipher, receive and
 * send epochs.
 * -ENOENT when @kid is not one. */
int ovx_epoch_key_info(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			struct ovx_key_info *ki);

bool ovx_epoch_key_present(const struct ovx_fastpath *fp, const struct ovx_key_id *kid);

#endif
