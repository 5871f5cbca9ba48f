/* SPDX-License-Identifier: GPL-2.0 */
/* Telling OpenVPN 2.7's epoch data format (docs/epoch.md) from the wire: a
 * learnt packet that opens in the epoch layout with a key's material. */
#ifndef OVX_LOADER_EPOCH_LEARN_H
#define OVX_LOADER_EPOCH_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The cipher (OVX_CIPHER_*) under which the P_DATA_V2 payload @pkt of
 * @len bytes, received by the server (@server) or the client, opens in the
 * epoch layout with the 256-byte TLS-EKM export @m; -1 if none does. */
int ovx_epoch_sample_cipher(const __u8 *pkt, size_t len, const __u8 *m, bool server);

#endif
