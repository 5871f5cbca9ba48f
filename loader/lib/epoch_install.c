// SPDX-License-Identifier: GPL-2.0
/* A learnt key in OpenVPN 2.7's epoch data format into the fast path
 * (epoch_peer.h): its state and receive slots installed ahead, then the
 * peer's slot pointed at it. */
#include <errno.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "epoch_peer.h"
#include "epoch_slots.h"

static struct ovpn_epoch_maps epoch_maps(const struct ovpn_fastpath *fp)
{
	return (struct ovpn_epoch_maps){ .slots_fd = fp->epoch_slots_fd,
					 .states_fd = fp->epoch_states_fd,
					 .aes_prog_fd = fp->epoch_aes_fd, .aes_algo = fp->aes_algo };
}

static int slot_set(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid, __u32 slot,
		    __u32 *old)
{
	struct ovpn_peer_ctl_args a = {
		.pk = { kid->instance, kid->peer_id }, .op = OVPN_PEER_CTL_SLOT_SET,
		.slot = slot, .key_id = kid->key_id,
	};
	int err = ovpn_peer_ctl(fp, &a);

	*old = a.old;
	return err;
}

int ovpn_epoch_key_learnt(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid,
			  int cipher, const __u8 *material, bool server, __u64 rx_floor)
{
	struct ovpn_epoch_maps m = epoch_maps(fp);
	struct ovpn_key_id old = *kid;
	struct ovpn_epoch_chain c;
	struct ovpn_peer p;
	__u32 slot;
	int err;

	if (fp->epoch_states_fd <= 0 || fp->epoch_aes_fd <= 0)
		return -EOPNOTSUPP;
	if (ovpn_peer_get(fp, kid->instance, kid->peer_id, &p))
		return -ENOENT;
	ovpn_epoch_key_remove(fp, kid);		/* a key-id of an older session */
	bpf_map_delete_elem(fp->keys_fd, kid);
	/* RX only for now: TX stays in OpenVPN (no TX slot ahead) */
	err = ovpn_epoch_key_start(&m, kid, cipher, material, server, &c, OVPN_EPOCH_FUTURE, 0);
	OPENSSL_cleanse(&c, sizeof(c));
	if (!err && rx_floor)
		err = ovpn_epoch_set_rx_floor(fp, kid, rx_floor);
	if (err == -ENOENT)
		err = 0;	/* an epoch not installed: nothing of it to refuse */
	if (err)
		goto fail;
	slot = p.slot_key_id[OVPN_SLOT_PRIMARY] == OVPN_SLOT_EMPTY ||
	       p.slot_key_id[OVPN_SLOT_PRIMARY] == kid->key_id ?
	       OVPN_SLOT_PRIMARY : OVPN_SLOT_SECONDARY;
	err = slot_set(fp, kid, slot, &old.key_id);
	if (err)
		goto fail;
	if (old.key_id != OVPN_SLOT_EMPTY && old.key_id != kid->key_id) {
		bpf_map_delete_elem(fp->keys_fd, &old);
		ovpn_epoch_key_remove(fp, &old);
	}
	return slot == OVPN_SLOT_SECONDARY ? ovpn_key_swap(fp, kid->instance, kid->peer_id) : 0;
fail:
	ovpn_epoch_key_remove(fp, kid);
	return err;
}
