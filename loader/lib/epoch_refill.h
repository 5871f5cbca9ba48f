/* SPDX-License-Identifier: GPL-2.0 */
/* Keeping the receive window of epoch-format keys filled (docs/epoch.md):
 * the fast path moves a key's receive epoch itself when a future epoch
 * authenticates and says so once per move (OVX_EV_EPOCH_MOVED); the secret
 * chain of each offloaded key (struct ovx_epoch_chain, its E(n)) stays in
 * the control plane's memory, so that on the event the slots up to the new
 * current + OVX_EPOCH_FUTURE are installed and those below the retiring
 * epoch removed.
 *
 * The chains live in the process that installed the keys (the daemon:
 * struct ovx_fastpath.epoch_chains). A daemon that took over pinned state
 * has none for the keys already there: their slots stay as they are (keys
 * OpenVPN has too), so after OVX_EPOCH_FUTURE moves of such a peer its
 * packets go to OpenVPN, which opens them itself, until the key is
 * replaced at the next renegotiation. */
#ifndef OVX_LOADER_EPOCH_REFILL_H
#define OVX_LOADER_EPOCH_REFILL_H

#include <stddef.h>
#include "epoch_slots.h"
#include "fastpath.h"

/* An empty set of chains; NULL when out of memory. */
struct ovx_epoch_chains *ovx_epoch_chains_new(void);

/* Wipes and frees every chain. NULL does nothing. */
void ovx_epoch_chains_free(struct ovx_epoch_chains *cs);

/* Keeps a copy of @c for key @kid (replacing one kept before), refilled up
 * to current + @rx_ahead (receive) and sending + @tx_ahead (send) epochs.
 * Returns 0 or -ENOMEM. */
int ovx_epoch_chain_keep(struct ovx_epoch_chains *cs, const struct ovx_key_id *kid,
			  const struct ovx_epoch_chain *c, __u32 rx_ahead, __u32 tx_ahead);

/* Wipes and drops the chain of @kid, if any. @cs may be NULL. */
void ovx_epoch_chain_forget(struct ovx_epoch_chains *cs, const struct ovx_key_id *kid);

/* How many chains are kept. */
size_t ovx_epoch_chains_count(const struct ovx_epoch_chains *cs);

/* What the control plane does on OVX_EV_EPOCH_MOVED of @kid: the slots
 * ahead installed from the kept chain, the old ones removed
 * (ovx_epoch_key_refresh). Returns 0, -ENOENT when no chain is kept for
 * @kid (a key of pinned state taken over, or removed since the event: the
 * fast path stays as it is, which is safe), or -errno. */
int ovx_epoch_key_refill(const struct ovx_fastpath *fp, const struct ovx_key_id *kid);

#endif
