// SPDX-License-Identifier: GPL-2.0
/* Data-channel keys: installed into a peer's slot, swapped, deleted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "aead_key.h"
#include "epoch_peer.h"
#include "fastpath.h"

enum { DIR_ENC = 0, DIR_DEC = 1 };

static int key_value_build(struct ovx_key *k, const struct ovx_fastpath *fp,
			   const struct ovx_key_config *kc)
{
	size_t len = ovx_cipher_key_len(kc->cipher);
	int err;

	memset(k, 0, sizeof(*k));
	k->key_id = kc->key_id;
	k->tx_next_pid = kc->tx_start ? kc->tx_start : 1;
	k->replay.window = fp->replay_window ? fp->replay_window : OVX_REPLAY_DEFAULT;
	if (k->replay.window > OVX_REPLAY_MAX - 64 || kc->tx_start > OVX_PID_MAX)
		return -ERANGE;
	if (kc->rx_floor) {		/* as bpf/replay.h's ovx_replay_floor */
		k->replay.highest = kc->rx_floor;
		k->replay.floor = kc->rx_floor > OVX_PID_MAX ? OVX_PID_MAX : kc->rx_floor;
		memset(k->replay.bits, 0xff, sizeof(k->replay.bits));
		k->replay.bits[kc->rx_floor / 64 % (OVX_REPLAY_MAX / 64)] =
			OVX_REPLAY_FLOOR_BITS(kc->rx_floor);
	}
	err = ovx_aead_key_prepare(&k->enc, kc->cipher, kc->enc_key, len,
				    kc->enc_nonce_tail);
	if (!err)
		err = ovx_aead_key_prepare(&k->dec, kc->cipher, kc->dec_key, len,
					    kc->dec_nonce_tail);
	return err;
}

/* The AES contexts of both directions, created in the kernel. */
static int key_aes_contexts(const struct ovx_fastpath *fp,
			    const struct ovx_key_config *kc)
{
	__u32 mk[4] = { kc->instance, kc->peer_id, kc->key_id, DIR_ENC };
	size_t len = ovx_cipher_key_len(kc->cipher);
	int err;

	if (kc->cipher == OVX_CIPHER_CHACHA20_POLY1305)
		return 0;
	err = ovx_aes_ctx_create(fp->set_aes_fd, mk, kc->enc_key, len, fp->aes_algo);
	if (err)
		return err;
	mk[3] = DIR_DEC;
	return ovx_aes_ctx_create(fp->set_aes_fd, mk, kc->dec_key, len, fp->aes_algo);
}

static int key_validate(const struct ovx_key_config *kc, struct ovx_peer *p,
			const struct ovx_fastpath *fp)
{
	if (kc->slot > OVX_SLOT_SECONDARY || kc->key_id > OVX_KEY_ID_MAX)
		return -EINVAL;
	if (!ovx_cipher_key_len(kc->cipher) || !kc->enc_key || !kc->dec_key)
		return -EINVAL;
	if (ovx_peer_get(fp, kc->instance, kc->peer_id, p))
		return -ENOENT;
	/* the other slot may not hold the same key-id */
	if (p->slot_key_id[!kc->slot] == kc->key_id)
		return -EEXIST;
	return 0;
}

static int slot_op(const struct ovx_fastpath *fp, const struct ovx_key_config *kc,
		   __u32 op, __u32 *old)
{
	struct ovx_peer_ctl_args a = {
		.pk = { kc->instance, kc->peer_id }, .op = op, .slot = kc->slot,
		.key_id = kc->key_id,
	};
	int err = ovx_peer_ctl(fp, &a);

	if (old)
		*old = a.old;
	return err;
}

/* The key goes in first, with its contexts, and the slot points at it last:
 * until then the fast path does not use it. */
int ovx_key_new(const struct ovx_fastpath *fp, const struct ovx_key_config *kc)
{
	struct ovx_key_id id = { kc->instance, kc->peer_id, kc->key_id };
	struct ovx_key_id old = id;
	struct ovx_key *k;
	struct ovx_peer p;
	int err;

	err = key_validate(kc, &p, fp);
	if (err)
		return err;
	k = malloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	err = key_value_build(k, fp, kc);
	if (!err)
		err = ovx_map_update(fp->keys_fd, &id, k, BPF_ANY);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
	if (!err)
		err = key_aes_contexts(fp, kc);
	if (!err)
		err = slot_op(fp, kc, OVX_PEER_CTL_SLOT_SET, &old.key_id);
	if (err) {
		bpf_map_delete_elem(fp->keys_fd, &id);
		return err;
	}
	if (old.key_id != OVX_SLOT_EMPTY && old.key_id != kc->key_id)
		bpf_map_delete_elem(fp->keys_fd, &old);
	if (old.key_id != OVX_SLOT_EMPTY)
		ovx_epoch_key_remove(fp, &old);
	return 0;
}

int ovx_key_swap(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id)
{
	struct ovx_key_config kc = { .instance = instance, .peer_id = peer_id };

	return slot_op(fp, &kc, OVX_PEER_CTL_SLOT_SWAP, NULL);
}

int ovx_key_del(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
		 __u32 slot)
{
	struct ovx_key_config kc = { .instance = instance, .peer_id = peer_id, .slot = slot };
	struct ovx_key_id id = { .instance = instance, .peer_id = peer_id };
	int err;

	if (slot > OVX_SLOT_SECONDARY)
		return -EINVAL;
	err = slot_op(fp, &kc, OVX_PEER_CTL_SLOT_CLEAR, &id.key_id);
	if (err)
		return err;
	if (id.key_id == OVX_SLOT_EMPTY)
		return -ENOENT;
	bpf_map_delete_elem(fp->keys_fd, &id);
	ovx_epoch_key_remove(fp, &id);
	return 0;
}

static int key_ctl(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
		   __u32 key_id, __u32 op, __u64 value)
{
	struct ovx_key_ctl_args a = {
		.id = { instance, peer_id, key_id },
		.op = op,
		.value = value,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &a, .ctx_size_in = sizeof(a));

	if (bpf_prog_test_run_opts(fp->key_ctl_fd, &opts))
		return -errno;
	return a.err;
}

int ovx_key_set_tx_pid(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			__u32 key_id, __u64 next_pid)
{
	return key_ctl(fp, instance, peer_id, key_id, OVX_KEY_CTL_TX_PID_MIN, next_pid);
}

int ovx_key_set_tx_blocks(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			   __u32 key_id, __u64 blocks)
{
	return key_ctl(fp, instance, peer_id, key_id, OVX_KEY_CTL_TX_BLOCKS_MIN, blocks);
}

int ovx_key_set_rx_floor(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			  __u32 key_id, __u64 floor)
{
	return key_ctl(fp, instance, peer_id, key_id, OVX_KEY_CTL_RX_FLOOR, floor);
}

int ovx_epoch_set_rx_floor(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			    __u64 id)
{
	return key_ctl(fp, kid->instance, kid->peer_id, kid->key_id, OVX_KEY_CTL_EPOCH_RX_FLOOR,
		       id);
}

int ovx_epoch_set_tx_start(const struct ovx_fastpath *fp, const struct ovx_key_id *kid,
			    __u64 id)
{
	return key_ctl(fp, kid->instance, kid->peer_id, kid->key_id, OVX_KEY_CTL_EPOCH_TX_START,
		       id);
}

int ovx_key_info_get(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
		      __u32 key_id, struct ovx_key_info *ki)
{
	struct ovx_key_id id = { instance, peer_id, key_id };
	struct ovx_key *k = malloc(sizeof(*k));
	int err = 0;

	if (!k)
		return -ENOMEM;
	memset(ki, 0, sizeof(*ki));
	if (bpf_map_lookup_elem(fp->keys_fd, &id, k)) {
		err = ovx_epoch_key_info(fp, &id, ki);
	} else {
		ki->key_id = k->key_id;
		ki->cipher = k->enc.cipher;
		ki->tx_next_pid = k->tx_next_pid;
	}
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
	return err;
}
