// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "aead_key.h"
#include "aead_sw.h"
#include "epoch_learn.h"
#include "epoch_peer.h"
#include "ovx_epoch.h"
#include "fastpath.h"
#include "learn.h"

/* Slots of the 256-byte export: cipher keys at 0 and 128, implicit IVs at
 * the start of the "hmac" slots, 64 and 192. */
#define M_C2S_KEY	0
#define M_C2S_IV	64
#define M_S2C_KEY	128
#define M_S2C_IV	192

void ovx_key_from_material(struct ovx_key_config *kc, const __u8 *m, int cipher,
			    enum ovx_role role)
{
	bool server = role == OVX_ROLE_SERVER;

	kc->cipher = cipher;
	kc->enc_key = m + (server ? M_S2C_KEY : M_C2S_KEY);
	kc->dec_key = m + (server ? M_C2S_KEY : M_S2C_KEY);
	memcpy(kc->enc_nonce_tail, m + (server ? M_S2C_IV : M_C2S_IV), OVX_NONCE_TAIL_LEN);
	memcpy(kc->dec_nonce_tail, m + (server ? M_C2S_IV : M_S2C_IV), OVX_NONCE_TAIL_LEN);
}

static int learn_get(const struct ovx_fastpath *fp, __u32 instance, __u32 dir,
		     const struct ovx_sockaddr *remote, __u32 key_id, struct ovx_learn *v)
{
	struct ovx_learn_key k = { .instance = instance, .dir = dir, .key_id = key_id,
				    .remote = *remote };

	return bpf_map_lookup_elem(fp->learn_fd, &k, v) ? -errno : 0;
}

static void learn_forget(const struct ovx_fastpath *fp, __u32 instance,
			 const struct ovx_sockaddr *remote, __u32 key_id)
{
	struct ovx_learn_key k = { .instance = instance, .key_id = key_id, .remote = *remote };

	for (k.dir = OVX_LEARN_RX; k.dir <= OVX_LEARN_TX; k.dir++)
		bpf_map_delete_elem(fp->learn_fd, &k);
}

/* The cipher under which @m opens the peer's sample, or -1. */
static int sample_cipher(const struct ovx_learn *v, const __u8 *m, enum ovx_role role)
{
	static const int ciphers[] = { OVX_CIPHER_AES_256_GCM, OVX_CIPHER_CHACHA20_POLY1305,
				       OVX_CIPHER_AES_128_GCM, OVX_CIPHER_AES_192_GCM };
	__u8 pkt[OVX_LEARN_SAMPLE_MAX];

	if (v->sample_len < OVX_DATA_HDR_LEN || v->sample_len > sizeof(pkt))
		return -1;
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		struct ovx_key_config kc;

		ovx_key_from_material(&kc, m, ciphers[i], role);
		memcpy(pkt, v->sample, v->sample_len);
		if (!ovx_sw_open(ciphers[i], kc.dec_key, kc.dec_nonce_tail, pkt,
				  v->sample_len - OVX_DATA_HDR_LEN)) {
			OPENSSL_cleanse(pkt, sizeof(pkt));
			return ciphers[i];
		}
	}
	return -1;
}

int ovx_learn_identify(const struct ovx_fastpath *fp, __u32 instance,
			const struct ovx_sockaddr *remote, __u32 key_id, enum ovx_role role,
			const __u8 *m, struct ovx_learnt *out)
{
	struct ovx_learn rx, tx;

	if (learn_get(fp, instance, OVX_LEARN_RX, remote, key_id, &rx) || !rx.sample_len ||
	    rx.sample_len == OVX_LEARN_SAMPLE_BUSY)
		return -EAGAIN;
	out->epoch = false;
	out->cipher = sample_cipher(&rx, m, role);
	out->peer_id = rx.peer_id;
	out->rx_id_max = rx.pid_max;
	out->rx_pid_max = rx.pid_max & 0xffffffffffffULL;	/* the epoch format's counter */
	if (out->cipher < 0) {
		out->tx_id_max = learn_get(fp, instance, OVX_LEARN_TX, remote, key_id, &tx) ?
				 0 : tx.pid_max;
		out->cipher = ovx_epoch_sample_cipher(rx.sample, rx.sample_len, m,
						       role == OVX_ROLE_SERVER);
		return out->cipher < 0 ? -EKEYREJECTED : -EPROTONOSUPPORT;
	}
	out->rx_pid_max = rx.pid_max >> 32;	/* the 2.6 format's 32-bit packet-id */
	out->tx_pid_max = learn_get(fp, instance, OVX_LEARN_TX, remote, key_id, &tx) ?
			  0 : tx.pid_max >> 32;
	return 0;
}

static int learn_peer(const struct ovx_fastpath *fp, const struct ovx_learn_install *li,
		      __u32 peer_id)
{
	struct ovx_peer_config pc = { .instance = li->instance, .peer_id = peer_id,
				       .remote = li->remote };
	struct ovx_peer p;

	if (!ovx_peer_get(fp, li->instance, peer_id, &p)) {
		/* A new session (key-id 0) from another address under a known
		 * peer-id: OpenVPN gave the id of a client that left to a new
		 * one and the old peer's removal never came through. A key-id
		 * above 0 from another address is the same client floating:
		 * RX follows it. */
		if (li->key_id || !memcmp(&p.remote, &li->remote, sizeof(p.remote)))
			return 0;
		ovx_routes_flush(fp, li->instance, false, peer_id);
		ovx_peer_del(fp, li->instance, peer_id);
	}
	pc.local.family = li->remote.family;	/* learnt from the next packet */
	pc.move_addrs = true;			/* OpenVPN's word: they are this peer's */
	memcpy(pc.vpn_ipv4, li->vpn_ipv4, sizeof(pc.vpn_ipv4));
	memcpy(pc.vpn_ipv6, li->vpn_ipv6, sizeof(pc.vpn_ipv6));
	return ovx_peer_new(fp, &pc);
}

/* The new key in the secondary slot, then swapped to primary: OpenVPN sends
 * with its newest key, and still accepts the previous one. */
static int learn_key(const struct ovx_fastpath *fp, const struct ovx_learn_install *li,
		     const struct ovx_learnt *l)
{
	struct ovx_key_config kc = {
		.instance = li->instance, .peer_id = l->peer_id, .key_id = li->key_id,
		.tx_start = l->tx_pid_max + 1 + OVX_LEARN_TX_MARGIN,
		.rx_floor = l->rx_pid_max,
	};
	struct ovx_peer p;
	int err;

	if (ovx_peer_get(fp, li->instance, l->peer_id, &p))
		return -ENOENT;
	ovx_key_from_material(&kc, li->material, l->cipher, li->role);
	kc.slot = p.slot_key_id[OVX_SLOT_PRIMARY] == OVX_SLOT_EMPTY ||
		  p.slot_key_id[OVX_SLOT_PRIMARY] == li->key_id ?
		  OVX_SLOT_PRIMARY : OVX_SLOT_SECONDARY;
	err = ovx_key_new(fp, &kc);
	if (!err && kc.slot == OVX_SLOT_SECONDARY)
		err = ovx_key_swap(fp, li->instance, l->peer_id);
	return err;
}

/* Where the fast path starts sending in the epoch format: above what
 * OpenVPN sent (@id: epoch << 48 | counter; 0: nothing), with the margin
 * of the 2.6 format for packets on their way meanwhile. */
static __u64 epoch_tx_start(__u64 id)
{
	__u64 epoch = id >> 48 ? id >> 48 : 1;

	return epoch << 48 | ((id & OVX_EPOCH_COUNTER_MASK) + 1 + OVX_LEARN_TX_MARGIN);
}

/* A key in OpenVPN 2.7's epoch data format: the peer, then its receive and
 * send epochs (epoch_peer.h). -EPROTONOSUPPORT where the pinned fast path is
 * too old to have the epoch maps. */
static int learn_epoch(const struct ovx_fastpath *fp, const struct ovx_learn_install *li,
		       const struct ovx_learnt *l)
{
	struct ovx_key_id kid = { li->instance, l->peer_id, li->key_id };
	struct ovx_learnt late;
	int err = learn_peer(fp, li, l->peer_id);

	err = err ?: ovx_epoch_key_learnt(fp, &kid, l->cipher, li->material,
					   li->role == OVX_ROLE_SERVER, l->rx_id_max,
					   epoch_tx_start(l->tx_id_max));
	if (err == -EOPNOTSUPP)
		return -EPROTONOSUPPORT;
	if (err)
		return err;
	usleep(2000);	/* as ovx_learn_install: packets that missed the key */
	if (ovx_learn_identify(fp, li->instance, &li->remote, li->key_id, li->role,
				li->material, &late) == -EPROTONOSUPPORT) {
		ovx_epoch_set_rx_floor(fp, &kid, late.rx_id_max);
		ovx_epoch_set_tx_start(fp, &kid, epoch_tx_start(late.tx_id_max));
	}
	learn_forget(fp, li->instance, &li->remote, li->key_id);
	return 0;
}

int ovx_learn_install(const struct ovx_fastpath *fp, const struct ovx_learn_install *li,
		       struct ovx_learnt *out)
{
	struct ovx_learnt l = { 0 }, late;
	int err;

	err = ovx_learn_identify(fp, li->instance, &li->remote, li->key_id, li->role,
				  li->material, &l);
	if (err == -EPROTONOSUPPORT) {
		l.epoch = true;
		if (out)
			*out = l;	/* what it is, for the caller's log */
		return learn_epoch(fp, li, &l);
	}
	err = err ?: learn_peer(fp, li, l.peer_id);
	err = err ?: learn_key(fp, li, &l);
	if (err)
		return err;
	/* Packets that missed the key on another CPU while it went in were
	 * passed to OpenVPN and learnt: once they are surely done, raise the
	 * floors above them too. */
	usleep(2000);
	if (!ovx_learn_identify(fp, li->instance, &li->remote, li->key_id, li->role,
				 li->material, &late)) {
		ovx_key_set_rx_floor(fp, li->instance, l.peer_id, li->key_id, late.rx_pid_max);
		ovx_key_set_tx_pid(fp, li->instance, l.peer_id, li->key_id,
				    late.tx_pid_max + 1 + OVX_LEARN_TX_MARGIN);
	}
	learn_forget(fp, li->instance, &li->remote, li->key_id);
	if (out)
		*out = l;
	return 0;
}

/* @v's sample opens under one of @m (each OVX_KEY_MATERIAL_LEN bytes); a
 * sample being written counts as opening (it is the newest packet). */
static bool sample_opens(const struct ovx_learn *v, const __u8 *const *m, int n,
			 enum ovx_role role)
{
	if (v->sample_len == OVX_LEARN_SAMPLE_BUSY)
		return true;
	for (int i = 0; i < n; i++)
		if (sample_cipher(v, m[i], role) >= 0)
			return true;
	return false;
}

/* The peer of @v has key @key_id in a slot. */
static bool key_installed(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			  __u32 key_id)
{
	struct ovx_peer p;

	return !ovx_peer_get(fp, instance, peer_id, &p) &&
	       (p.slot_key_id[0] == key_id || p.slot_key_id[1] == key_id);
}

int ovx_learn_forget_stale(const struct ovx_fastpath *fp, __u32 instance,
			    const struct ovx_sockaddr *remote, enum ovx_role role,
			    const __u8 *const *m, int n)
{
	static struct ovx_learn_key keys[OVX_LEARN_MAX];
	struct ovx_learn_key k, *prev = NULL;
	int nkeys = 0, forgotten = 0;

	while (nkeys < OVX_LEARN_MAX && !bpf_map_get_next_key(fp->learn_fd, prev, &k)) {
		keys[nkeys] = k;
		prev = &keys[nkeys];
		if (k.instance == instance && !memcmp(&k.remote, remote, sizeof(k.remote)))
			nkeys++;
	}
	for (int i = 0; i < nkeys; i++) {
		struct ovx_learn v;

		if (bpf_map_lookup_elem(fp->learn_fd, &keys[i], &v) ||
		    key_installed(fp, instance, v.peer_id, keys[i].key_id))
			continue;
		/* with keys still waiting, only a packet none of them opens
		 * tells of a key gone: what OpenVPN sent with a waiting key
		 * must stay known until it is installed */
		if (n && (keys[i].dir != OVX_LEARN_RX || sample_opens(&v, m, n, role)))
			continue;
		learn_forget(fp, instance, remote, keys[i].key_id);
		forgotten++;
	}
	return forgotten;
}
