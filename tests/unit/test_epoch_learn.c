// SPDX-License-Identifier: GPL-2.0
/* A peer in OpenVPN 2.7's epoch data format: the fast path passes its
 * packets (a key it lacks) and learns one; given the key's TLS-EKM export,
 * the control plane finds that the sample opens in the epoch layout
 * (loader/lib/epoch_learn.c) and installs the peer and its receive epochs
 * (loader/lib/epoch_peer.c); later packets are decrypted and delivered by
 * the fast path (bpf/rx_epoch.h), replays and bad tags dropped, a future
 * epoch followed, what is not IP passed to OpenVPN unchanged; the key's
 * removal takes its slots. Also: every data packet of the real 2.7.6
 * captures through the fast path, and the 2.6 captures' packets are not
 * taken for the epoch format. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_peer.h"
#include "epoch_key.h"
#include "epoch_learn.h"
#include "learn_harness.h"
#include "frames.h"
#include "learn.h"
#include "ovx_epoch.h"
#include "testlib.h"
#include "vectors.h"

#define INST	LH_INST
#define PEER	5

/* A client->server epoch packet as a 2.7 client seals it with @c->m. */
static size_t epoch_payload(struct learn_client *c, uint8_t *p, uint32_t key_id, uint16_t epoch,
			    uint64_t counter, size_t len, uint8_t first)
{
	struct ovx_epoch_secret send, recv;
	uint8_t key[32], iv[12], nonce[12];

	ovx_epoch_from_ekm(c->m, false, &send, &recv);
	if (ovx_epoch_advance(&send, epoch) ||
	    ovx_epoch_data_key(&send, ovx_cipher_key_len(c->cipher), key, iv))
		t_fatal("derivation");
	p[0] = 9 << 3 | key_id, p[1] = 0, p[2] = 0, p[3] = PEER;
	p[4] = epoch >> 8, p[5] = epoch;
	for (int i = 0; i < 6; i++)
		p[6 + i] = counter >> (40 - 8 * i);
	t_rand_bytes(p + 12, len);
	p[12] = first;
	ovx_epoch_nonce(iv, epoch, counter, nonce);
	if (ovx_sw_aead(c->cipher, key, nonce, p, 12, p + 12, len, p + 12, p + 12 + len, true))
		t_fatal("seal");
	return OVX_EPOCH_OVERHEAD + len;
}

static uint8_t last_frame[1800];
static size_t last_len;

/* 'D' dropped, 'V' delivered, 'P' passed unchanged, 'X' passed changed. */
static int run_frame(struct fp_harness *h, const uint8_t *f, size_t n)
{
	static struct fp_result r;

	if (fp_run_xdp(h, f, n, &r))
		t_fatal("test run");
	if (r.verdict == XDP_DROP)
		return 'D';
	if (r.meta_len)
		return 'V';
	return r.out_len == n && !memcmp(r.out, f, n) ? 'P' : 'X';
}

static int run_epoch(struct learn_client *c, uint32_t key_id, uint16_t epoch, uint64_t counter,
		     size_t len, uint8_t first)
{
	uint8_t payload[1700];
	size_t n = epoch_payload(c, payload, key_id, epoch, counter, len, first);

	last_len = frame_build(last_frame, &c->spec, payload, n);
	return run_frame(&c->h, last_frame, last_len);
}

static int run(struct learn_client *c, uint32_t key_id, uint64_t counter, size_t len)
{
	return run_epoch(c, key_id, 1, counter, len, 0x45);
}

static size_t slots_of(struct learn_client *c)
{
	struct ovx_epoch_id k, *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(c->h.fp.epoch_slots_fd, prev, &k)) {
		n++;
		prev = &k;
	}
	return n;
}

/* After the key went in: the fast path's RX of it. */
static void test_rx_epoch(struct learn_client *c, const char *name)
{
	struct ovx_key_id kid = { INST, PEER, 0 };
	struct ovx_epoch_state st;
	struct ovx_key_info ki;
	int v[8];

	v[0] = run(c, 0, 70, 300);	/* past the floor's word (replay.h) */
	v[1] = run(c, 0, 70, 300);		/* replayed */
	v[2] = run(c, 0, 72, 1400);
	v[3] = run(c, 0, 71, 20);		/* reordered, still in the window */
	CHECK(v[0] == 'V' && v[1] == 'D' && v[2] == 'V' && v[3] == 'V',
	      "%s: delivered, replay dropped, reordering kept: %c%c%c%c", name, v[0], v[1],
	      v[2], v[3]);
	v[0] = run_epoch(c, 0, 1, 73, 60, 0x2a);	/* not IP (a keepalive): OpenVPN's */
	CHECK(v[0] == 'P', "%s: a packet not IP passed unchanged: %c", name, v[0]);
	run_epoch(c, 0, 1, 74, 100, 0x45);
	last_frame[last_len - 3] ^= 1;		/* the tag */
	v[0] = run_frame(&c->h, last_frame, last_len);
	CHECK(v[0] == 'D', "%s: a bad tag dropped: %c", name, v[0]);
	v[0] = run_epoch(c, 0, 3, 1, 100, 0x60);	/* the peer moved two epochs up */
	v[1] = run_epoch(c, 0, 1, 75, 100, 0x45);	/* epoch 1 retiring: still open */
	v[2] = run_epoch(c, 0, 2, 5, 100, 0x45);	/* below current, not retiring */
	v[3] = run_epoch(c, 0, 3 + OVX_EPOCH_FUTURE + 1, 1, 100, 0x45);	/* too far */
	CHECK(v[0] == 'V' && v[1] == 'V' && v[2] == 'P' && v[3] == 'P',
	      "%s: epochs: future taken, retiring kept, others to OpenVPN: %c%c%c%c", name,
	      v[0], v[1], v[2], v[3]);
	CHECK(!bpf_map_lookup_elem(c->h.fp.epoch_states_fd, &kid, &st) && st.rx_epoch == 3 &&
	      st.rx_retiring == 1, "%s: receive epoch 3, retiring 1: %u, %u", name,
	      st.rx_epoch, st.rx_retiring);
	CHECK(!ovx_key_info_get(&c->h.fp, INST, PEER, 0, &ki) && ki.rx_epoch == 3 &&
	      (int)ki.cipher == c->cipher && ki.key_id == 0,
	      "%s: key info: receive epoch %u, cipher %u", name, ki.rx_epoch, ki.cipher);
	v[0] = run_epoch(c, 1, 1, 1, 100, 0x45);	/* another key-id: not offloaded */
	CHECK(v[0] == 'P', "%s: key-id 1 passed: %c", name, v[0]);
}

static void test_cipher(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct learn_client *c = calloc(1, sizeof(*c));
	struct ovx_learn_install li = { .instance = INST, .role = OVX_ROLE_SERVER };
	uint8_t wrong[OVX_KEY_MATERIAL_LEN];
	struct ovx_learnt l = { 0 };
	struct ovx_peer p;
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
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(err == -EKEYREJECTED, "%s: wrong material: %d", name, err);
	li.material = c->m;
	err = ovx_learn_install(&c->h.fp, &li, &l);
	CHECK(!err && l.epoch && l.cipher == cipher && l.peer_id == PEER,
	      "%s: the epoch format told and installed: %d, cipher %s, peer %u", name, err,
	      ovx_cipher_name(l.cipher), l.peer_id);
	CHECK(!ovx_peer_get(&c->h.fp, INST, PEER, &p) && p.slot_key_id[OVX_SLOT_PRIMARY] == 0,
	      "%s: the peer installed, key 0 primary", name);
	CHECK(slots_of(c) == 2 + OVX_EPOCH_FUTURE + OVX_EPOCH_TX_AHEAD,
	      "%s: %zu slots (receive 1 + %d ahead, send 1 + %d ahead)", name, slots_of(c),
	      OVX_EPOCH_FUTURE, OVX_EPOCH_TX_AHEAD);
	passed = 0;
	for (int i = 4; i <= 6; i++)
		passed += run(c, 0, i, 200) == 'V';
	CHECK(passed == 3, "%s: %d/3 later packets delivered by the fast path", name, passed);
	/* 1..3 went to OpenVPN before the key was in: the learnt floor */
	passed = run(c, 0, 2, 60);
	CHECK(passed == 'P', "%s: a packet OpenVPN may have had (below the learnt floor) "
	      "goes to OpenVPN: %c", name, passed);
	passed = run(c, 0, 5, 60);
	CHECK(passed == 'D', "%s: a packet the fast path had, replayed, dropped: %c", name, passed);
	test_rx_epoch(c, name);
	CHECK(!ovx_key_del(&c->h.fp, INST, PEER, OVX_SLOT_PRIMARY) && slots_of(c) == 0,
	      "%s: the key deleted with its slots (%zu left)", name, slots_of(c));
	CHECK(run(c, 0, 50, 100) == 'P', "%s: after the key, passed to OpenVPN", name);
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
	setenv("OVX_VECTORS", dir, 1);
	if (vec_load(&v, name))
		return -1;
	for (int i = 0; i < v.npkts; i++) {
		const struct vec_pkt *vp = &v.pkts[i];
		const struct vec_key *k;
		uint8_t m[OVX_KEY_MATERIAL_LEN] = { 0 };
		__u32 peer_id, key_id;

		if (!vp->c2s || !vec_data_v2(vp, &peer_id, &key_id) ||
		    !(k = vec_find_key(&v, peer_id, key_id)))
			continue;
		(*data)++;
		memcpy(m, k->c2s_key, 32);
		memcpy(m + 64, k->c2s_iv, 8);
		memcpy(m + 128, k->s2c_key, 32);
		memcpy(m + 192, k->s2c_iv, 8);
		found += ovx_epoch_sample_cipher(vp->payload, vp->payload_len, m, true) ==
			 want_cipher;
	}
	vec_free(&v);
	return found;
}

/* The plaintext of a c2s epoch packet by OpenSSL, or 0. */
static size_t sw_open(int cipher, const uint8_t *m, const uint8_t *pkt, size_t len,
		      uint8_t *out)
{
	struct ovx_epoch_secret send, recv;
	uint8_t key[32], iv[12], nonce[12], tag[16];
	size_t data = len - OVX_EPOCH_OVERHEAD;
	uint64_t counter = 0;

	for (int i = 6; i < 12; i++)
		counter = counter << 8 | pkt[i];
	ovx_epoch_from_ekm(m, true, &send, &recv);
	if (ovx_epoch_advance(&recv, pkt[4] << 8 | pkt[5]) ||
	    ovx_epoch_data_key(&recv, ovx_cipher_key_len(cipher), key, iv))
		return 0;
	ovx_epoch_nonce(iv, pkt[4] << 8 | pkt[5], counter, nonce);
	memcpy(tag, pkt + len - 16, 16);
	return ovx_sw_aead(cipher, key, nonce, pkt, 12, pkt + 12, data, out, tag, false) ?
	       0 : data;
}

static void material_of(const struct vec_key *k, uint8_t m[OVX_KEY_MATERIAL_LEN])
{
	memset(m, 0, OVX_KEY_MATERIAL_LEN);
	memcpy(m, k->c2s_key, 32);
	memcpy(m + 64, k->c2s_iv, 8);
	memcpy(m + 128, k->s2c_key, 32);
	memcpy(m + 192, k->s2c_iv, 8);
}

/* The peer of a capture's key, as learn would make it (its VPN addresses:
 * the server's source check). */
static void capture_peer(struct fp_harness *h, const struct vec_key *k,
			 const struct ovx_sockaddr *remote)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = k->peer_id, .remote = *remote };
	struct ovx_peer p;

	if (!ovx_peer_get(&h->fp, INST, k->peer_id, &p))
		return;
	pc.local.family = remote->family;
	inet_pton(AF_INET, k->vpn4, pc.vpn_ipv4);
	inet_pton(AF_INET6, k->vpn6, pc.vpn_ipv6);
	if (ovx_peer_new(&h->fp, &pc))
		t_fatal("peer");
}

/* Every c2s data packet of a real 2.7.6 capture through ovx_rx_xdp, each
 * key installed as the daemon does when its first packet is seen (a key-id
 * not in a slot: the newest primary, as at a renegotiation): delivered with
 * OpenSSL's plaintext, or passed unchanged (not IP: keepalives; a key no
 * longer in a slot); none dropped. */
static void test_capture(const char *dir, const char *name, int cipher)
{
	struct fp_harness h;
	struct frame_spec spec = { 0 };
	struct ovx_sockaddr sa;
	struct vec_set v;
	static struct fp_result r;
	int n[128] = { 0 }, data = 0, same = 0;

	setenv("OVX_VECTORS", dir, 1);
	if (vec_load(&v, name)) {
		CHECK(0, "capture %s loads", name);
		return;
	}
	fp_open(&h, 0);
	ovx_sockaddr_parse(&spec.src, "10.99.0.2:41000");
	ovx_sockaddr_parse(&spec.dst, "10.99.0.1:1194");
	ovx_sockaddr_parse(&sa, "0.0.0.0:1194");
	if (ovx_socket_add(&h.fp, &sa, INST, 42, 1))
		t_fatal("socket");
	for (int i = 0; i < v.npkts; i++) {
		const struct vec_pkt *vp = &v.pkts[i];
		const struct vec_key *k;
		uint8_t m[OVX_KEY_MATERIAL_LEN], f[2048], pt[2048];
		struct ovx_key_id kid;
		struct ovx_peer p;
		size_t fl, ptl;
		__u32 peer_id, key_id;
		int res;

		if (!vp->c2s || !vec_data_v2(vp, &peer_id, &key_id) ||
		    !(k = vec_find_key(&v, peer_id, key_id)) || vp->payload_len > 1800)
			continue;
		data++;
		material_of(k, m);
		capture_peer(&h, k, &spec.src);
		kid = (struct ovx_key_id){ INST, peer_id, key_id };
		if (!ovx_peer_get(&h.fp, INST, peer_id, &p) && p.slot_key_id[0] != key_id &&
		    p.slot_key_id[1] != key_id &&
		    ovx_epoch_key_learnt(&h.fp, &kid, cipher, m, true, 0,
					 1ULL << 48 | 1))
			t_fatal("install");
		fl = frame_build(f, &spec, vp->payload, vp->payload_len);
		if (fp_run_xdp(&h, f, fl, &r))
			t_fatal("run");
		res = r.verdict == XDP_DROP ? 'D' : r.meta_len ? 'V' :
		      r.out_len == fl && !memcmp(r.out, f, fl) ? 'P' : 'X';
		n[res]++;
		ptl = sw_open(cipher, m, vp->payload, vp->payload_len, pt);
		same += res == 'V' && ptl && r.out_len == r.meta_len + 14 + ptl &&
			!memcmp(r.out + r.meta_len + 14, pt, ptl);
	}
	printf("capture %s: %d data packets: %d delivered (%d as OpenSSL opens them), "
	       "%d passed, %d dropped, %d changed\n", name, data, n['V'], same, n['P'], n['D'],
	       n['X']);
	CHECK(data > 20 && n['D'] == 0 && n['X'] == 0 && n['V'] + n['P'] == data &&
	      same == n['V'] && n['V'] * 10 >= data * 9,
	      "capture %s: %d/%d delivered, same plaintext as OpenSSL: %d, %d dropped", name,
	      n['V'], data, same, n['D']);
	fp_close(&h);
	vec_free(&v);
}

int main(void)
{
	char shared[PATH_MAX];
	int data, n;

	snprintf(shared, sizeof(shared), "%s", vec_dir());	/* ../shared/vectors */
	t_seed(1919);
	test_cipher(OVX_CIPHER_AES_256_GCM);
	test_cipher(OVX_CIPHER_CHACHA20_POLY1305);
	test_cipher(OVX_CIPHER_AES_128_GCM);

	test_capture(epoch_vec_dir(), "aes-128-gcm", OVX_CIPHER_AES_128_GCM);
	test_capture(epoch_vec_dir(), "aes-256-gcm", OVX_CIPHER_AES_256_GCM);
	test_capture(epoch_vec_dir(), "chacha20-poly1305", OVX_CIPHER_CHACHA20_POLY1305);
	n = count_epoch(epoch_vec_dir(), "aes-256-gcm", OVX_CIPHER_AES_256_GCM, &data);
	CHECK(data > 20 && n == data, "2.7.6 capture: %d/%d told as the epoch format", n, data);
	n = count_epoch(shared, "aes-256-gcm-two-peers", OVX_CIPHER_AES_256_GCM, &data);
	CHECK(data > 20 && n == 0, "2.6 capture: %d/%d taken for the epoch format", n, data);
	n = count_epoch(shared, "chacha20-poly1305", OVX_CIPHER_CHACHA20_POLY1305, &data);
	CHECK(data > 20 && n == 0, "2.6 capture: %d/%d taken for the epoch format", n, data);
	return t_done("epoch-learn");
}
