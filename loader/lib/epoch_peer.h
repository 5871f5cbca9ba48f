/* SPDX-License-Identifier: GPL-2.0 */
/* A peer's key in OpenVPN 2.7's epoch data format in the fast path: RX
 * slots (the current epoch and OVPN_EPOCH_FUTURE ahead) with their AES
 * contexts made ahead; TX stays in OpenVPN for now (docs/epoch.md). */
#ifndef OVPN_LOADER_EPOCH_PEER_H
#define OVPN_LOADER_EPOCH_PEER_H

#include <stdbool.h>
#include "fastpath.h"

/* Installs key @kid of a known peer from the 256-byte TLS-EKM export
 * @material, then points a slot of the peer at it (primary if free or
 * already @kid's, else secondary and swapped), as a 2.6 key would be.
 * Whatever the key-id held before goes. Returns 0 or -errno (nothing left). */
int ovpn_epoch_key_learnt(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid,
			  int cipher, const __u8 *material, bool server);

/* Removes the epoch state and every slot of @kid, if it has any. */
void ovpn_epoch_key_remove(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid);

/* What `show` tells of an epoch-format key: key-id, cipher, receive epoch.
 * -ENOENT when @kid is not one. */
int ovpn_epoch_key_info(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid,
			struct ovpn_key_info *ki);

bool ovpn_epoch_key_present(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid);

#endif
