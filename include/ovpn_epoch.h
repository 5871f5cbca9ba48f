/* SPDX-License-Identifier: GPL-2.0 */
/* OpenVPN 2.7's epoch data format (docs/epoch.md), what BPF and userspace
 * share. P_DATA_V2 payload:
 *     op/key-id (1) | peer-id (3) | epoch (2) | counter (6) | data | tag (16)
 * AAD = the first 12 bytes; nonce = (bytes 4..11 || 0^32) XOR the epoch's
 * 12-byte implicit IV. */
#ifndef OVPN_EPOCH_SHARED_H
#define OVPN_EPOCH_SHARED_H

#include "ovpn_xdp.h"
#include "ovpn_maps.h"

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

/* Epochs a receiver accepts ahead of its current one (OpenVPN 2.7: 16). */
#define OVPN_EPOCH_FUTURE	16
#define OVPN_EPOCH_LAST		0xffff
/* AES-GCM usage limit of OpenVPN 2.7 (crypto.c): blocks + packets. */
#define OVPN_EPOCH_GCM_LIMIT	((1ULL << 36) - 1)

enum ovpn_epoch_dir {
	OVPN_EPOCH_RX = 0,
	OVPN_EPOCH_TX = 1,
};

/* What RX makes of an epoch packet (bpf/epoch_keys.h). */
enum ovpn_epoch_rx_verdict {
	OVPN_EPOCH_RX_DELIVER = 0,	/* plaintext in place */
	OVPN_EPOCH_RX_PASS,		/* not ours to decide: to OpenVPN */
	OVPN_EPOCH_RX_BAD_TAG,
	OVPN_EPOCH_RX_REPLAY,
	OVPN_EPOCH_RX_MALFORMED,
};

/* ovpn_epoch_slots: one data key per instance, peer, key-id, direction and
 * epoch. Userspace installs them ahead (RX: current, retiring and future
 * epochs; TX: current and the next), the fast path picks by epoch. */
struct ovpn_epoch_id {
	__u32 instance;
	__u32 peer_id;
	__u32 key_id;
	__u32 dir;				/* enum ovpn_epoch_dir */
	__u32 epoch;
};

struct ovpn_epoch_slot {
	struct bpf_spin_lock lock;		/* guards replay */
	__u32 cipher_gcm;			/* 1: AES-GCM's usage limit applies */
	struct ovpn_replay replay;		/* RX: per epoch */
	__u64 tx_next;				/* TX: next counter, atomic, from 1 */
	__u64 tx_blocks;			/* TX: 16-byte blocks sealed, atomic */
	struct ovpn_epoch_key key;
};

/* ovpn_epoch_state: the epochs in use of a key (struct ovpn_key_id). */
struct ovpn_epoch_state {
	struct bpf_spin_lock lock;
	__u32 tx_epoch;				/* sealing with this one */
	__u32 rx_epoch;				/* current receive epoch */
	__u32 rx_retiring;			/* the previous one, 0: none */
};

#endif /* OVPN_EPOCH_SHARED_H */
