// SPDX-License-Identifier: GPL-2.0
/* A learnt key in OpenVPN 2.7's epoch data format in the fast path
 * (epoch_peer.h): its state and receive slots installed ahead, then the
 * peer's slot pointed at it; removed with the key, the peer, the instance. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "epoch_peer.h"
#include "epoch_slots.h"

#define WALK_BATCH	256

static struct ovpn_epoch_maps epoch_maps(const struct ovpn_fastpath *fp)
{
	return (struct ovpn_epoch_maps){ .slots_fd = fp->epoch_slots_fd,
					 .states_fd = fp->epoch_states_fd,
					 .aes_prog_fd = fp->epoch_aes_fd, .aes_algo = fp->aes_algo };
}

bool ovpn_epoch_key_present(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid)
{
	struct ovpn_epoch_state st;

	return fp->epoch_states_fd > 0 && !bpf_map_lookup_elem(fp->epoch_states_fd, kid, &st);
}

int ovpn_epoch_key_info(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid,
			struct ovpn_key_info *ki)
{
	struct ovpn_epoch_state st;
	struct ovpn_epoch_slot *s;
	struct ovpn_epoch_id id = { kid->instance, kid->peer_id, kid->key_id, OVPN_EPOCH_RX, 0 };
	int err = 0;

	if (fp->epoch_states_fd <= 0 || bpf_map_lookup_elem(fp->epoch_states_fd, kid, &st))
		return -ENOENT;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	id.epoch = st.rx_epoch;
	if (bpf_map_lookup_elem(fp->epoch_slots_fd, &id, s)) {
		err = -errno;
	} else {
		ki->key_id = kid->key_id;
		ki->cipher = s->key.aead.cipher;
		ki->tx_next_pid = 0;
		ki->rx_epoch = st.rx_epoch;
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	return err;
}

/* Deletes the slots of @kid, a batch of keys at a time (deleting while
 * walking a hash restarts the walk). */
static void slots_remove(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid)
{
	struct ovpn_epoch_id ids[WALK_BATCH], cur, *prev;
	int n;

	do {
		n = 0;
		prev = NULL;
		while (n < WALK_BATCH && !bpf_map_get_next_key(fp->epoch_slots_fd, prev, &cur)) {
			ids[n] = cur;
			prev = &ids[n];
			if (cur.instance == kid->instance && cur.peer_id == kid->peer_id &&
			    cur.key_id == kid->key_id)
				n++;
		}
		for (int i = 0; i < n; i++)
			bpf_map_delete_elem(fp->epoch_slots_fd, &ids[i]);
	} while (n == WALK_BATCH);
}

void ovpn_epoch_key_remove(const struct ovpn_fastpath *fp, const struct ovpn_key_id *kid)
{
	if (!ovpn_epoch_key_present(fp, kid))
		return;
	bpf_map_delete_elem(fp->epoch_states_fd, kid);	/* RX passes from here on */
	slots_remove(fp, kid);
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
			  int cipher, const __u8 *material, bool server)
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
