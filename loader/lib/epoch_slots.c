// SPDX-License-Identifier: GPL-2.0
/* Installing and retiring the epoch slots of a key (epoch_slots.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "aead_key.h"
#include "cipher.h"
#include "epoch_slots.h"

static struct ovx_epoch_id slot_id(const struct ovx_key_id *kid, __u32 dir, __u32 epoch)
{
	return (struct ovx_epoch_id){ .instance = kid->instance, .peer_id = kid->peer_id,
				       .key_id = kid->key_id, .dir = dir, .epoch = epoch };
}

static int fill_slot(struct ovx_epoch_slot *s, int cipher, const struct ovx_epoch_secret *e,
		     __u8 *key, size_t key_len)
{
	static const __u8 no_tail[OVX_NONCE_TAIL_LEN];
	int err = ovx_epoch_data_key(e, key_len, key, s->key.iv);

	if (!err)
		err = ovx_aead_key_prepare(&s->key.aead, cipher, key, key_len, no_tail);
	s->key.epoch = e->epoch;
	s->cipher_gcm = cipher != OVX_CIPHER_CHACHA20_POLY1305;
	s->replay.window = OVX_REPLAY_DEFAULT;
	s->tx_next = 1;
	return err;
}

int ovx_epoch_slot_install(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			    __u32 dir, int cipher, const struct ovx_epoch_secret *e)
{
	struct ovx_epoch_id id = slot_id(kid, dir, e->epoch);
	__u32 map_key[4] = { kid->instance, kid->peer_id, kid->key_id | dir << 8, e->epoch };
	size_t key_len = ovx_cipher_key_len(cipher);
	struct ovx_epoch_slot *s = calloc(1, sizeof(*s));
	__u8 key[OVX_KEY_MAX_LEN];
	int err;

	if (!s)
		return -ENOMEM;
	err = key_len ? fill_slot(s, cipher, e, key, key_len) : -EINVAL;
	if (!err && bpf_map_update_elem(m->slots_fd, &id, s, BPF_NOEXIST))
		err = -errno;
	if (!err && s->cipher_gcm) {
		err = ovx_aes_ctx_create(m->aes_prog_fd, map_key, key, key_len, m->aes_algo);
		if (err)
			bpf_map_delete_elem(m->slots_fd, &id);
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	return err;
}

/* Installs c->next[dir] up to epoch @upto, advancing the chain. */
static int install_upto(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			struct ovx_epoch_chain *c, __u32 dir, __u32 upto)
{
	struct ovx_epoch_secret *e = &c->next[dir];
	int err = 0;

	if (upto > OVX_EPOCH_LAST)
		upto = OVX_EPOCH_LAST;
	while (!err && e->epoch && e->epoch <= upto) {
		err = ovx_epoch_slot_install(m, kid, dir, c->cipher, e);
		if (err == -EEXIST)
			err = 0;
		if (!err && e->epoch == OVX_EPOCH_LAST) {
			e->epoch = 0;	/* the chain ends: nothing more to install */
			break;
		}
		if (!err)
			err = ovx_epoch_next(e);
	}
	return err;
}

/* Removes the slots of @dir below @below. */
static void remove_below(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			 struct ovx_epoch_chain *c, __u32 dir, __u32 below)
{
	for (; c->low[dir] && c->low[dir] < below; c->low[dir]++) {
		struct ovx_epoch_id id = slot_id(kid, dir, c->low[dir]);

		bpf_map_delete_elem(m->slots_fd, &id);
	}
}

int ovx_epoch_key_start(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			 int cipher, const __u8 ekm[OVX_EPOCH_EKM_LEN], bool server,
			 struct ovx_epoch_chain *c, __u32 rx_ahead, __u32 tx_ahead)
{
	struct ovx_epoch_state st = { .tx_epoch = 1, .rx_epoch = 1 };

	memset(c, 0, sizeof(*c));
	c->cipher = cipher;
	ovx_epoch_from_ekm(ekm, server, &c->next[OVX_EPOCH_TX], &c->next[OVX_EPOCH_RX]);
	c->low[OVX_EPOCH_RX] = c->low[OVX_EPOCH_TX] = 1;
	if (bpf_map_update_elem(m->states_fd, kid, &st, BPF_NOEXIST))
		return -errno;
	return ovx_epoch_key_refresh(m, kid, c, rx_ahead, tx_ahead);
}

/* The lowest send slot kept: OpenVPN's own send epoch may lag behind the
 * fast path's (it follows the peer only through the packets it sees), and
 * its packets are renumbered from that epoch's slot (bpf/renumber.h); at
 * most OVX_EPOCH_FUTURE epochs behind, below that they are dropped. */
static __u32 tx_keep_from(const struct ovx_epoch_state *st)
{
	__u32 low = st->tx_openvpn && st->tx_openvpn < st->tx_epoch ? st->tx_openvpn : st->tx_epoch;

	return st->tx_epoch - low > OVX_EPOCH_FUTURE ? st->tx_epoch - OVX_EPOCH_FUTURE : low;
}

int ovx_epoch_key_refresh(const struct ovx_epoch_maps *m, const struct ovx_key_id *kid,
			   struct ovx_epoch_chain *c, __u32 rx_ahead, __u32 tx_ahead)
{
	struct ovx_epoch_state st;
	int err;

	if (rx_ahead > OVX_EPOCH_FUTURE)
		rx_ahead = OVX_EPOCH_FUTURE;
	if (bpf_map_lookup_elem(m->states_fd, kid, &st))
		return -errno;
	err = install_upto(m, kid, c, OVX_EPOCH_RX, st.rx_epoch + rx_ahead);
	if (!err)
		err = install_upto(m, kid, c, OVX_EPOCH_TX, st.tx_epoch + tx_ahead);
	remove_below(m, kid, c, OVX_EPOCH_RX, st.rx_retiring ? st.rx_retiring : st.rx_epoch);
	remove_below(m, kid, c, OVX_EPOCH_TX, tx_keep_from(&st));
	return err;
}
