// SPDX-License-Identifier: GPL-2.0
/* Completing a captured key from the wire: the fast path passes and learns
 * the packets of a key it lacks; given the 256 bytes OpenVPN exported, the
 * control plane finds the peer-id and the cipher, installs the key, and the
 * fast path takes over without accepting what OpenVPN may already have seen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "aead_key.h"
#include "learn_harness.h"
#include "frames.h"
#include "learn.h"
#include "testlib.h"

#define INST	LH_INST
#define PEER	3

/* A client->server frame for @pid sealed as the client would with @c->m. */
static size_t frame(struct learn_client *c, uint8_t *f, uint32_t key_id, uint32_t pid, size_t len)
{
	struct ovx_key_config kc;
	uint8_t pt[1500], payload[1600];

	ovx_key_from_material(&kc, c->m, c->cipher, OVX_ROLE_CLIENT);
	inner_ipv4(pt, len, pid);
	return frame_build(f, &c->spec, payload,
			   data_v2_build(payload, PEER, key_id, pid, c->cipher, kc.enc_key,
					 kc.enc_nonce_tail, pt, len));
}

static int run(struct learn_client *c, uint32_t key_id, uint32_t pid, size_t len)
{
	static struct fp_result r;
	uint8_t f[1700];
	size_t n = frame(c, f, key_id, pid, len);

	if (fp_run_xdp(&c->h, f, n, &r))
		t_fatal("test run");
	if (r.verdict == XDP_DROP)
		return 'D';
	return r.meta_len ? 'V' : 'P';		/* delivered, or passed */
}

static void test_cipher(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct learn_client *c = calloc(1, sizeof(*c));
	struct ovx_learn_install li = { .instance = INST, .key_id = 0,
					 .role = OVX_ROLE_SERVER };
	struct ovx_learnt l;
	uint8_t wrong[OVX_KEY_MATERIAL_LEN];
	int err;

	c->cipher = cipher;
	t_rand_bytes(c->m, sizeof(c->m));
	t_rand_bytes(wrong, sizeof(wrong));
	lh_open(c);
	li.remote = c->spec.src;
	li.material = c->m;

	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(err == -EAGAIN, "%s: install before any packet: %d", name, err);
	/* the client sends a large packet first (the sample), then small ones */
	CHECK(run(c, 0, 1, 1400) == 'P' && run(c, 0, 2, 60) == 'P' && run(c, 0, 3, 60) == 'P',
	      "%s: packets of an unknown peer not passed to OpenVPN", name);
	li.material = wrong;
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(err == -EKEYREJECTED, "%s: wrong material: %d", name, err);
	li.material = c->m;
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(err == 0 && l.peer_id == PEER && l.cipher == cipher && l.rx_pid_max == 3,
	      "%s: install: %d, peer %u, cipher %s, rx max %llu", name, err, l.peer_id,
	      ovx_cipher_name(l.cipher), (unsigned long long)l.rx_pid_max);
	/* below the floor: OpenVPN may have it already, and only it knows */
	CHECK(run(c, 0, 2, 60) == 'P', "%s: a packet OpenVPN may have had not left to it", name);
	CHECK(run(c, 0, 4, 60) == 'V' && run(c, 0, 5, 1400) == 'V',
	      "%s: fast path did not take over", name);
	/* just above the floor and overtaken by a later packet: still new */
	CHECK(run(c, 0, 7, 60) == 'V' && run(c, 0, 6, 60) == 'V' && run(c, 0, 6, 60) == 'D',
	      "%s: a packet reordered just above the install floor not taken once", name);
	/* the floor raised later (packets that missed the key): the same */
	err = ovx_key_set_rx_floor(&c->h.fp, INST, PEER, 0, 20);
	CHECK(err == 0 && run(c, 0, 22, 60) == 'V' && run(c, 0, 21, 60) == 'V' &&
	      run(c, 0, 19, 60) == 'P',
	      "%s: raised floor: %d, or a packet just above it not taken", name, err);

	/* a renegotiation: key-id 1 learnt, then installed as primary */
	CHECK(run(c, 1, 1, 80) == 'P', "%s: new key-id not passed", name);
	li.key_id = 1;
	err = ovx_learn_install(&c->h.fp, &li, &l);
	struct ovx_peer p;

	ovx_peer_get(&c->h.fp, INST, PEER, &p);
	CHECK(err == 0 && p.slot_key_id[OVX_SLOT_PRIMARY] == 1 &&
	      p.slot_key_id[OVX_SLOT_SECONDARY] == 0,
	      "%s: rotation: %d, slots %u %u", name, err, p.slot_key_id[0], p.slot_key_id[1]);
	CHECK(run(c, 1, 2, 80) == 'V' && run(c, 0, 23, 80) == 'V',
	      "%s: both keys not accepted after the rotation", name);
	fp_close(&c->h);
	free(c);
}

static void setup(struct learn_client *c, int cipher, struct ovx_learn_install *li)
{

	c->cipher = cipher;
	t_rand_bytes(c->m, sizeof(c->m));
	lh_open(c);
	*li = (struct ovx_learn_install){ .instance = INST, .role = OVX_ROLE_SERVER,
					   .remote = c->spec.src, .material = c->m };
}

/* A bulk upload: every packet of the new key is large. It is learnt from the
 * first one, and each packet of a key not offloaded yet is counted as handed
 * to OpenVPN. */
static void test_large_only(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct learn_client *c = calloc(1, sizeof(*c));
	struct ovx_learn_install li;
	struct ovx_peer_stats st0, st1;
	struct ovx_learnt l;
	int err, passed = 0;

	setup(c, cipher, &li);
	for (uint32_t pid = 1; pid <= 20; pid++)
		passed += run(c, 0, pid, 1400) == 'P';
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(passed == 20 && err == 0 && l.peer_id == PEER && l.rx_pid_max == 20,
	      "%s: large packets only: %d passed, install %d, rx max %llu", name, passed, err,
	      (unsigned long long)l.rx_pid_max);
	CHECK(run(c, 0, 21, 1400) == 'V', "%s: large packets not taken over", name);
	/* the next key, also large packets only: counted to OpenVPN until learnt */
	ovx_peer_stats_get(&c->h.fp, INST, PEER, &st0);
	for (uint32_t pid = 1; pid <= 10; pid++)
		run(c, 1, pid, 1400);
	ovx_peer_stats_get(&c->h.fp, INST, PEER, &st1);
	CHECK(st1.rx_to_ovpn - st0.rx_to_ovpn == 10,
	      "%s: packets of a key not offloaded yet counted to OpenVPN: %llu of 10", name,
	      (unsigned long long)(st1.rx_to_ovpn - st0.rx_to_ovpn));
	li.key_id = 1;
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(err == 0 && run(c, 1, 11, 1400) == 'V', "%s: next key from large packets: %d",
	      name, err);
	fp_close(&c->h);
	free(c);
}

/* A key never offloaded (its material never came, or it expired), then seven
 * rotations later a new key with its key-id: the new one must start clean,
 * not with the old one's sample (it would never be learnt) nor its
 * packet-ids (every packet refused as a replay). */
static void test_key_id_reused(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct learn_client *c = calloc(1, sizeof(*c));
	struct ovx_learn_install li;
	struct ovx_learnt l;
	const uint8_t *m[1];
	int err, n;

	setup(c, cipher, &li);
	CHECK(run(c, 0, 1, 100) == 'P' && !ovx_learn_install(&c->h.fp, &li, &l),
	      "%s: key 0", name);
	/* key-id 2 of a key the daemon never had: learnt from the wire only */
	t_rand_bytes(c->m, sizeof(c->m));
	for (uint32_t pid = 1; pid <= 5000; pid += 100)
		run(c, 2, pid, 1400);
	run(c, 2, 90000, 60);
	/* key-id 2 again, a new key: captured, then the peer sends with it */
	t_rand_bytes(c->m, sizeof(c->m));
	m[0] = c->m;
	n = ovx_learn_forget_stale(&c->h.fp, INST, &c->spec.src, OVX_ROLE_SERVER, m, 1);
	CHECK(n == 1, "%s: the old key-id 2 not forgotten when the new key came: %d", name, n);
	CHECK(run(c, 2, 1, 60) == 'P' && run(c, 2, 2, 1400) == 'P', "%s: new key-id 2", name);
	li.key_id = 2;
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(err == 0 && l.rx_pid_max == 2,
	      "%s: new key with a reused key-id: install %d, rx floor %llu (want 2)", name, err,
	      (unsigned long long)l.rx_pid_max);
	CHECK(run(c, 2, 3, 60) == 'V' && run(c, 2, 4, 1400) == 'V',
	      "%s: the new key's packets refused", name);
	/* a waiting key's own packets are kept; with no key waiting, all go */
	t_rand_bytes(c->m, sizeof(c->m));
	run(c, 3, 1, 60);
	n = ovx_learn_forget_stale(&c->h.fp, INST, &c->spec.src, OVX_ROLE_SERVER, m, 1);
	CHECK(n == 0, "%s: a waiting key's sample forgotten: %d", name, n);
	n = ovx_learn_forget_stale(&c->h.fp, INST, &c->spec.src, OVX_ROLE_SERVER, NULL, 0);
	CHECK(n == 1, "%s: a dropped key's state kept: %d", name, n);
	li.key_id = 3;
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(err == -EAGAIN, "%s: forgotten state still used: %d", name, err);
	fp_close(&c->h);
	free(c);
}

int main(void)
{
	t_seed(31);
	test_cipher(OVX_CIPHER_AES_256_GCM);
	test_cipher(OVX_CIPHER_AES_128_GCM);
	test_cipher(OVX_CIPHER_AES_192_GCM);
	test_cipher(OVX_CIPHER_CHACHA20_POLY1305);
	test_large_only(OVX_CIPHER_AES_256_GCM);
	test_large_only(OVX_CIPHER_CHACHA20_POLY1305);
	test_key_id_reused(OVX_CIPHER_AES_256_GCM);
	test_key_id_reused(OVX_CIPHER_CHACHA20_POLY1305);
	return t_done("learn");
}
