// SPDX-License-Identifier: GPL-2.0
/* A key in OpenVPN 2.7's epoch data format in the fast path (epoch_peer.h):
 * what it is, and its removal with the key, the peer, the instance. Its
 * installation: epoch_install.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "epoch_peer.h"
#include "epoch_refill.h"
#include "ovx_epoch.h"

#define WALK_BATCH	256

bool ovx_epoch_key_present(const struct ovx_fastpath *fp, const struct ovx_key_id *kid)
{
	struct ovx_epoch_state st;

	return fp->epoch_states_fd > 0 && !bpf_map_lookup_elem(fp->epoch_states_fd, kid, &st);
}

int ovx_epoch_key_info(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			struct ovx_key_info *ki)
{
	struct ovx_epoch_state st;
	struct ovx_epoch_slot *s;
	struct ovx_epoch_id id = { kid->instance, kid->peer_id, kid->key_id, OVX_EPOCH_RX, 0 };
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
		ki->tx_epoch = st.tx_epoch;
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	return err;
}

/* Deletes the slots of @kid, a batch of keys at a time (deleting while
 * walking a hash restarts the walk). */
static void slots_remove(const struct ovx_fastpath *fp, const struct ovx_key_id *kid)
{
	struct ovx_epoch_id ids[WALK_BATCH], cur, *prev;
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

void ovx_epoch_key_remove(const struct ovx_fastpath *fp, const struct ovx_key_id *kid)
{
	ovx_epoch_chain_forget(fp->epoch_chains, kid);
	if (!ovx_epoch_key_present(fp, kid))
		return;
	bpf_map_delete_elem(fp->epoch_states_fd, kid);	/* RX passes from here on */
	slots_remove(fp, kid);
}
