/* SPDX-License-Identifier: GPL-2.0 */
/* The epoch keys of one data-channel key in the maps (bpf/epoch_keys.h):
 * each epoch's slot derived from the direction's secret chain and installed
 * ahead of use, the old ones removed. */
#ifndef OVX_LOADER_EPOCH_SLOTS_H
#define OVX_LOADER_EPOCH_SLOTS_H

#include "epoch_key.h"
#include "ovx_epoch.h"

/* The maps and the SEC("syscall") program that makes a slot's AES context
 * (map_key as bpf/epoch_keys.h's ovx_epoch_slot_of_ctx reads it). */
struct ovx_epoch_maps {
	int slots_fd, states_fd, aes_prog_fd;
	const char *aes_algo;			/* NULL: ecb(aes) */
};

/* What userspace keeps of a key: the secret of the next epoch to install,
 * per direction, and the lowest installed. */
struct ovx_epoch_chain {
	int cipher;				/* OVX_CIPHER_* */
	struct ovx_epoch_secret next[2];	/* [enum ovx_epoch_dir] */
	__u32 low[2];
};

/* Installs one slot: epoch @e->epoch of @dir. Never replaces a slot (its
 * counters and replay window): -EEXIST. Returns 0 or -errno. */
int ovx_epoch_slot_install(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			    __u32 dir, int cipher, const struct ovx_epoch_secret *e);

/* A new key from its TLS-EKM export: the state (epoch 1 both ways) and the
 * slots RX 1..1 + @rx_ahead, TX 1..1 + @tx_ahead. Wipes nothing of @ekm. */
int ovx_epoch_key_start(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			 int cipher, const __u8 ekm[OVX_EPOCH_EKM_LEN], bool server,
			 struct ovx_epoch_chain *c, __u32 rx_ahead, __u32 tx_ahead);

/* After the fast path moved (its state read from the map): installs the
 * slots up to current + ahead, removes RX slots below the retiring epoch and
 * TX slots below the sending one. Returns 0 or -errno. */
int ovx_epoch_key_refresh(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			   struct ovx_epoch_chain *c, __u32 rx_ahead, __u32 tx_ahead);

#endif
