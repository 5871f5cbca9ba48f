// SPDX-License-Identifier: GPL-2.0
/* A learnt key in OpenVPN 2.7's epoch data format into the fast path
 * (epoch_peer.h): its state, receive and send slots installed ahead, the
 * send counter above OpenVPN's, then the peer's slot pointed at it. */
#include <errno.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "epoch_peer.h"
#include "epoch_refill.h"
#include "epoch_slots.h"

static struct ovx_epoch_maps epoch_maps(const struct ovx_fastpath *fp)
{
	return (struct ovx_epoch_maps){ .slots_fd = fp->epoch_slots_fd,
					 .states_fd = fp->epoch_states_fd,
					 .aes_prog_fd = fp->epoch_aes_fd, .aes_algo = fp->aes_algo };
}

static int slot_set(const struct ovx_fastpath *fp, const struct ovx_key_id *kid, __u32 slot,
		    __u32 *old)
{
	struct ovx_peer_ctl_args a = {
		.pk = { kid->instance, kid->peer_id }, .op = OVX_PEER_CTL_SLOT_SET,
		.slot = slot, .key_id = kid->key_id,
	};
	int err = ovx_peer_ctl(fp, &a);

	*old = a.old;
	return err;
}

int ovx_epoch_key_learnt(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			  int cipher, const __u8 *material, bool server, __u64 rx_floor,
			  __u64 tx_start)
{
	struct ovx_epoch_maps m = epoch_maps(fp);
	struct ovx_key_id old = *kid;
	struct ovx_epoch_chain c;
	struct ovx_peer p;
	__u32 slot;
	int err;

	if (fp->epoch_states_fd <= 0 || fp->epoch_aes_fd <= 0)
		return -EOPNOTSUPP;
	if (ovx_peer_get(fp, kid->instance, kid->peer_id, &p))
		return -ENOENT;
	ovx_epoch_key_remove(fp, kid);		/* a key-id of an older session */
	bpf_map_delete_elem(fp->keys_fd, kid);
	/* TX: the send epoch and the next (bpf/tx_epoch.h) */
	err = ovx_epoch_key_start(&m, kid, cipher, material, server, &c, OVX_EPOCH_FUTURE,
				  OVX_EPOCH_TX_AHEAD);
	if (!err && fp->epoch_chains)	/* for the refills (epoch_refill.h) */
		err = ovx_epoch_chain_keep(fp->epoch_chains, kid, &c, OVX_EPOCH_FUTURE,
					   OVX_EPOCH_TX_AHEAD);
	OPENSSL_cleanse(&c, sizeof(c));
	if (!err)	/* OpenVPN's send epoch not installed: it keeps the key */
		err = ovx_epoch_set_tx_start(fp, kid, tx_start);
	if (err)
		goto fail;
	if (rx_floor)
		err = ovx_epoch_set_rx_floor(fp, kid, rx_floor);
	if (err == -ENOENT)
		err = 0;	/* an epoch not installed: nothing of it to refuse */
	if (err)
		goto fail;
	slot = p.slot_key_id[OVX_SLOT_PRIMARY] == OVX_SLOT_EMPTY ||
	       p.slot_key_id[OVX_SLOT_PRIMARY] == kid->key_id ?
	       OVX_SLOT_PRIMARY : OVX_SLOT_SECONDARY;
	err = slot_set(fp, kid, slot, &old.key_id);
	if (err)
		goto fail;
	if (old.key_id != OVX_SLOT_EMPTY && old.key_id != kid->key_id) {
		bpf_map_delete_elem(fp->keys_fd, &old);
		ovx_epoch_key_remove(fp, &old);
	}
	return slot == OVX_SLOT_SECONDARY ? ovx_key_swap(fp, kid->instance, kid->peer_id) : 0;
fail:
	ovx_epoch_key_remove(fp, kid);
	return err;
}
