/* SPDX-License-Identifier: GPL-2.0 */
/* OpenVPN 2.7's epoch data format (docs/epoch.md), what BPF and userspace
 * share. P_DATA_V2 payload:
 *     op/key-id (1) | peer-id (3) | epoch (2) | counter (6) | data | tag (16)
 * AAD = the first 12 bytes; nonce = (bytes 4..11 || 0^32) XOR the epoch's
 * 12-byte implicit IV. */
#ifndef OVX_EPOCH_SHARED_H
#define OVX_EPOCH_SHARED_H

#include "ovx_data.h"
#include "ovx_maps.h"

#define OVX_EPOCH_AAD_LEN	12	/* header and the 64-bit packet-id */
#define OVX_EPOCH_IV_LEN	12
#define OVX_EPOCH_OVERHEAD	(OVX_EPOCH_AAD_LEN + OVX_TAG_LEN)
#define OVX_EPOCH_COUNTER_MASK	0xffffffffffffULL	/* 48 bits */

/* One epoch's data key of one direction, as the BPF AEAD uses it: the key
 * (its nonce_tail unused) and the epoch's implicit IV. */
struct ovx_epoch_key {
	struct ovx_aead_key aead;
	__u8 iv[OVX_EPOCH_IV_LEN];
	__u32 epoch;				/* 1..65535, 0: empty */
};

/* Send epochs installed ahead of the current one (the next, ready). */
#define OVX_EPOCH_TX_AHEAD	1
/* Epochs a receiver accepts ahead of its current one (OpenVPN 2.7: 16). */
#define OVX_EPOCH_FUTURE	16
#define OVX_EPOCH_LAST		0xffff
/* AES-GCM usage limit of OpenVPN 2.7 (crypto.c): blocks + packets. */
#define OVX_EPOCH_GCM_LIMIT	((1ULL << 36) - 1)

enum ovx_epoch_dir {
	OVX_EPOCH_RX = 0,
	OVX_EPOCH_TX = 1,
};

/* What RX makes of an epoch packet (bpf/epoch_keys.h). */
enum ovx_epoch_rx_verdict {
	OVX_EPOCH_RX_DELIVER = 0,	/* plaintext in place */
	OVX_EPOCH_RX_PASS,		/* not ours to decide: to OpenVPN */
	OVX_EPOCH_RX_BAD_TAG,
	OVX_EPOCH_RX_REPLAY,
	OVX_EPOCH_RX_MALFORMED,
};

/* ovx_epoch_slots: one data key per instance, peer, key-id, direction and
 * epoch. Userspace installs them ahead (RX: current, retiring and future
 * epochs; TX: current and the next), the fast path picks by epoch. */
struct ovx_epoch_id {
	__u32 instance;
	__u32 peer_id;
	__u32 key_id;
	__u32 dir;				/* enum ovx_epoch_dir */
	__u32 epoch;
};

struct ovx_epoch_slot {
	struct bpf_spin_lock lock;		/* guards replay */
	__u32 cipher_gcm;			/* 1: AES-GCM's usage limit applies */
	struct ovx_replay replay;		/* RX: per epoch */
	__u64 tx_next;				/* TX: next counter, atomic, from 1 */
	__u64 tx_blocks;			/* TX: 16-byte blocks sealed, atomic */
	struct ovx_epoch_key key;
};

/* ovx_epoch_state: the epochs in use of a key (struct ovx_key_id). */
struct ovx_epoch_state {
	struct bpf_spin_lock lock;
	__u32 tx_epoch;				/* sealing with this one */
	__u32 rx_epoch;				/* current receive epoch */
	__u32 rx_retiring;			/* the previous one, 0: none */
	__u32 tx_openvpn;			/* the highest epoch OpenVPN's own
						 * packets were sealed in (renumbered
						 * from its slot), 0: none yet */
};

#endif /* OVX_EPOCH_SHARED_H */
