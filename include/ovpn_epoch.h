/* SPDX-License-Identifier: GPL-2.0 */
/* OpenVPN 2.7's epoch data format (docs/epoch.md), what BPF and userspace
 * share. P_DATA_V2 payload:
 *     op/key-id (1) | peer-id (3) | epoch (2) | counter (6) | data | tag (16)
 * AAD = the first 12 bytes; nonce = (bytes 4..11 || 0^32) XOR the epoch's
 * 12-byte implicit IV. */
#ifndef OVPN_EPOCH_SHARED_H
#define OVPN_EPOCH_SHARED_H

#include "ovpn_xdp.h"

#define OVPN_EPOCH_AAD_LEN	12	/* header and the 64-bit packet-id */
#define OVPN_EPOCH_IV_LEN	12
#define OVPN_EPOCH_OVERHEAD	(OVPN_EPOCH_AAD_LEN + OVPN_TAG_LEN)
#define OVPN_EPOCH_COUNTER_MASK	0xffffffffffffULL	/* 48 bits */

/* One epoch's data key of one direction, as the BPF AEAD uses it: the key
 * (its nonce_tail unused) and the epoch's implicit IV. */
struct ovpn_epoch_key {
	struct ovpn_aead_key aead;
	__u8 iv[OVPN_EPOCH_IV_LEN];
	__u32 epoch;				/* 1..65535, 0: empty */
};

#endif /* OVPN_EPOCH_SHARED_H */
