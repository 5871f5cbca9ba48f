// SPDX-License-Identifier: GPL-2.0
/* A peer in OpenVPN 2.7's epoch data format stays wholly in OpenVPN, and the
 * daemon says why: the fast path passes its packets (a key it lacks) and
 * learns one; given the key's TLS-EKM export, the control plane finds that
 * the sample opens in the epoch layout (loader/lib/epoch_learn.c) and
 * installs nothing (-EPROTONOSUPPORT, with the cipher and peer-id). Also:
 * the real 2.7.6 capture's packets are told apart, the 2.6 captures' are not
 * taken for the epoch format. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_key.h"
#include "epoch_learn.h"
#include "learn_harness.h"
#include "frames.h"
#include "learn.h"
#include "ovpn_epoch.h"
#include "testlib.h"
#include "vectors.h"

#define INST	LH_INST
#define PEER	5

/* A client->server epoch packet as a 2.7 client seals it with @c->m. */
static size_t epoch_payload(struct learn_client *c, uint8_t *p, uint32_t key_id, uint16_t epoch,
			    uint64_t counter, size_t len)
{
	struct ovpn_epoch_secret send, recv;
	uint8_t key[32], iv[12], nonce[12];

	ovpn_epoch_from_ekm(c->m, false, &send, &recv);
	if (ovpn_epoch_advance(&send, epoch) ||
	    ovpn_epoch_data_key(&send, ovpn_cipher_key_len(c->cipher), key, iv))
		t_fatal("derivation");
	p[0] = 9 << 3 | key_id, p[1] = 0, p[2] = 0, p[3] = PEER;
	p[4] = epoch >> 8, p[5] = epoch;
	for (int i = 0; i < 6; i++)
		p[6 + i] = counter >> (40 - 8 * i);
	t_rand_bytes(p + 12, len);
	p[12] = 0x45;
	ovpn_epoch_nonce(iv, epoch, counter, nonce);
	if (ovpn_sw_aead(c->cipher, key, nonce, p, 12, p + 12, len, p + 12, p + 12 + len, true))
		t_fatal("seal");
	return OVPN_EPOCH_OVERHEAD + len;
}

static int run(struct learn_client *c, uint32_t key_id, uint64_t counter, size_t len)
{
	static struct fp_result r;
	uint8_t f[1800], payload[1700];
	size_t n = frame_build(f, &c->spec, payload,
			       epoch_payload(c, payload, key_id, 1, counter, len));

	if (fp_run_xdp(&c->h, f, n, &r))
		t_fatal("test run");
	if (r.verdict == XDP_DROP)
		return 'D';
	return r.meta_len ? 'V' : 'P';
}

static void test_cipher(int cipher)
{
	const char *name = ovpn_cipher_name(cipher);
	struct learn_client *c = calloc(1, sizeof(*c));
	struct ovpn_learn_install li = { .instance = INST, .role = OVPN_ROLE_SERVER };
	uint8_t wrong[OVPN_KEY_MATERIAL_LEN];
	struct ovpn_learnt l = { 0 };
	struct ovpn_peer p;
	int err, passed = 0;

	c->cipher = cipher;
	t_rand_bytes(c->m, sizeof(c->m));
	t_rand_bytes(wrong, sizeof(wrong));
	lh_open(c);
	li.remote = c->spec.src;
	li.material = c->m;

	for (int i = 1; i <= 3; i++)
		passed += run(c, 0, i, i == 1 ? 1300 : 60) == 'P';
	CHECK(passed == 3, "%s: %d/3 epoch packets passed to OpenVPN", name, passed);
	li.material = wrong;
	err = ovpn_learn_install(&c->h.fp, &li, &l);
	CHECK(err == -EKEYREJECTED, "%s: wrong material: %d", name, err);
	li.material = c->m;
	err = ovpn_learn_install(&c->h.fp, &li, &l);
	CHECK(err == -EPROTONOSUPPORT && l.cipher == cipher && l.peer_id == PEER,
	      "%s: the epoch format told: %d, cipher %s, peer %u", name, err,
	      ovpn_cipher_name(l.cipher), l.peer_id);
	CHECK(ovpn_peer_get(&c->h.fp, INST, PEER, &p) == -ENOENT,
	      "%s: a peer installed for an epoch key", name);
	passed = 0;
	for (int i = 4; i <= 6; i++)
		passed += run(c, 0, i, 200) == 'P';
	CHECK(passed == 3, "%s: %d/3 later packets passed to OpenVPN", name, passed);
	fp_close(&c->h);
	free(c);
}

/* Every c2s data packet of a capture, its key's export rebuilt from the
 * .keys columns: how many open in the epoch layout, and of how many. */
static int count_epoch(const char *dir, const char *name, int want_cipher, int *data)
{
	struct vec_set v;
	int found = 0;

	*data = 0;
	setenv("OVPN_VECTORS", dir, 1);
	if (vec_load(&v, name))
		return -1;
	for (int i = 0; i < v.npkts; i++) {
		const struct vec_pkt *vp = &v.pkts[i];
		const struct vec_key *k;
		uint8_t m[OVPN_KEY_MATERIAL_LEN] = { 0 };
		__u32 peer_id, key_id;

		if (!vp->c2s || !vec_data_v2(vp, &peer_id, &key_id) ||
		    !(k = vec_find_key(&v, peer_id, key_id)))
			continue;
		(*data)++;
		memcpy(m, k->c2s_key, 32);
		memcpy(m + 64, k->c2s_iv, 8);
		memcpy(m + 128, k->s2c_key, 32);
		memcpy(m + 192, k->s2c_iv, 8);
		found += ovpn_epoch_sample_cipher(vp->payload, vp->payload_len, m, true) ==
			 want_cipher;
	}
	vec_free(&v);
	return found;
}

int main(void)
{
	char shared[PATH_MAX];
	int data, n;

	snprintf(shared, sizeof(shared), "%s", vec_dir());	/* ../shared/vectors */
	t_seed(1919);
	test_cipher(OVPN_CIPHER_AES_256_GCM);
	test_cipher(OVPN_CIPHER_CHACHA20_POLY1305);
	test_cipher(OVPN_CIPHER_AES_128_GCM);

	n = count_epoch(epoch_vec_dir(), "aes-256-gcm", OVPN_CIPHER_AES_256_GCM, &data);
	CHECK(data > 20 && n == data, "2.7.6 capture: %d/%d told as the epoch format", n, data);
	n = count_epoch(shared, "aes-256-gcm-two-peers", OVPN_CIPHER_AES_256_GCM, &data);
	CHECK(data > 20 && n == 0, "2.6 capture: %d/%d taken for the epoch format", n, data);
	n = count_epoch(shared, "chacha20-poly1305", OVPN_CIPHER_CHACHA20_POLY1305, &data);
	CHECK(data > 20 && n == 0, "2.6 capture: %d/%d taken for the epoch format", n, data);
	return t_done("epoch-learn");
}
