// SPDX-License-Identifier: GPL-2.0
/* The epoch data format's key derivation (loader/lib/epoch_key.c):
 * - known answers of OVPN-Expand-Label, computed apart with OpenSSL's CLI
 *   (`openssl kdf -kdfopt mode:EXPAND_ONLY ... HKDF` over an info string
 *   built by hand: u16 length, u8 5 + label length, "ovpn " label, u8 0);
 * - the epoch chain, its ends, the nonce and the AES-GCM usage limit;
 * - real OpenVPN 2.7.6 <-> 2.7.6 traffic (tests/epoch_vectors, made by
 *   scripts/make-epoch-vectors.sh): every P_DATA_V2 packet opens with the
 *   keys derived from the captured TLS-EKM export, in the epoch layout
 *   (packet-id 64 bit, tag at the end, XOR nonce), and none in 2.6's. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_key.h"
#include "testlib.h"
#include "vectors.h"

static const char *E1_HEX =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static void check_hex(const __u8 *got, size_t len, const char *want, const char *what)
{
	__u8 w[64];

	CHECK(t_unhex(want, w, sizeof(w)) == (int)len && !memcmp(got, w, len),
	      "%s differs from the known answer", what);
}

static void test_known_answers(void)
{
	struct ovx_epoch_secret e = { .epoch = 1 };
	__u8 out[32], iv[OVX_EPOCH_IV_LEN];

	t_unhex(E1_HEX, e.secret, sizeof(e.secret));
	CHECK(!ovx_epoch_expand_label(e.secret, "data_key", out, 32), "expand");
	check_hex(out, 32, "ebbbf838a8658beb56f2324d691351bd4c8c230fb271ada8f67de830b7ee3192",
		  "data_key 32");
	CHECK(!ovx_epoch_data_key(&e, 16, out, iv), "data key 16");
	check_hex(out, 16, "c0b015350de890ee8e1849d2c29a1b94", "data_key 16");
	check_hex(iv, 12, "568de14f8f744bfb0b721f66", "data_iv");
	CHECK(!ovx_epoch_next(&e) && e.epoch == 2, "E1 -> E2");
	check_hex(e.secret, 32, "e35bffa31e2723bf09e8d394fa9171ca4e534553bffa1d3482de4c9b3bc639d7",
		  "E2");
	CHECK(!ovx_epoch_data_key(&e, 32, out, iv), "data key of E2");
	check_hex(out, 32, "4010426e3e169cd80289883d7f38d7eee445ead5fa21812fabebe155a4408ee5",
		  "data_key E2");
	check_hex(iv, 12, "9caaa619cb6277bbb0e90c48", "data_iv E2");
	t_unhex(E1_HEX, e.secret, sizeof(e.secret));
	e.epoch = 1;
	CHECK(!ovx_epoch_advance(&e, 3) && e.epoch == 3, "E1 -> E3");
	check_hex(e.secret, 32, "f42019f62ea8cd6a2dc9e3e0778903253a1320d2c87f27e15e0494b796665101",
		  "E3");
	CHECK(!ovx_epoch_data_key(&e, 16, out, iv), "data key of E3");
	check_hex(out, 16, "4254f2a6c4ab003f3857ab2e4c25bf53", "data_key E3");
}

static void test_edges(void)
{
	struct ovx_epoch_secret e = { .epoch = 5 }, last = { .epoch = OVX_EPOCH_MAX };
	__u8 ekm[OVX_EPOCH_EKM_LEN], out[32], iv[12], nonce[12];
	struct ovx_epoch_secret s, r;

	CHECK(ovx_epoch_advance(&e, 4) == -ERANGE && e.epoch == 5, "no way back");
	CHECK(!ovx_epoch_advance(&e, 5) && e.epoch == 5, "advance to itself");
	CHECK(ovx_epoch_next(&last) == -ERANGE && last.epoch == OVX_EPOCH_MAX,
	      "65535 is the last epoch");
	CHECK(ovx_epoch_data_key(&e, 20, out, iv) == -EINVAL, "key length 20");
	CHECK(ovx_epoch_expand_label(e.secret, "", out, 8) == -EINVAL, "empty label");
	CHECK(ovx_epoch_expand_label(e.secret, "x", out, 0) == -EINVAL, "length 0");

	for (int i = 0; i < OVX_EPOCH_EKM_LEN; i++)
		ekm[i] = i;
	ovx_epoch_from_ekm(ekm, true, &s, &r);
	CHECK(s.epoch == 1 && s.secret[0] == 128 && s.secret[31] == 159 &&
	      r.epoch == 1 && r.secret[0] == 0 && r.secret[31] == 31,
	      "server: sends with s2c [128..159], receives with c2s [0..31]");
	ovx_epoch_from_ekm(ekm, false, &s, &r);
	CHECK(s.secret[0] == 0 && r.secret[0] == 128, "client: the reverse");

	for (int i = 0; i < 12; i++)
		iv[i] = 0x10 * i;
	ovx_epoch_nonce(iv, 0x0102, 0x030405060708ULL, nonce);
	check_hex(nonce, 12, "0112233445566778 8090a0b0", "nonce");
	ovx_epoch_nonce(iv, 1, 1ULL << 48 | 9, nonce);
	check_hex(nonce, 12, "0011203040506079 8090a0b0", "counter above 48 bits masked");

	CHECK(!ovx_epoch_usage_limit_reached(true, (1ULL << 36) - 2, 1), "at the limit");
	CHECK(ovx_epoch_usage_limit_reached(true, (1ULL << 36) - 2, 2), "past the limit");
	CHECK(!ovx_epoch_usage_limit_reached(false, 1ULL << 40, 1ULL << 40),
	      "ChaCha20-Poly1305 has no limit");
}

static bool plaintext_ok(const __u8 *p, size_t len)
{
	static const __u8 ping[16] = { 0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
				       0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48 };

	if (len >= 20 && p[0] >> 4 == 4)
		return (size_t)(p[2] << 8 | p[3]) == len;
	if (len >= 40 && p[0] >> 4 == 6)
		return (size_t)(p[4] << 8 | p[5]) + 40 == len;
	return len >= 16 && !memcmp(p, ping, 16);	/* ping, OCC */
}

/* Opens one P_DATA_V2 packet in the epoch layout; 1 if it authenticates and
 * holds an IP packet or OpenVPN's own message. */
static int open_epoch(const struct vec_key *k, const struct vec_pkt *p, __u16 *epoch)
{
	const __u8 *pl = p->payload;
	size_t ct_len = p->payload_len - 12 - OVX_TAG_LEN;
	struct ovx_epoch_secret e = { .epoch = 1 };
	__u8 key[32], iv[12], nonce[12], tag[OVX_TAG_LEN], out[2048];
	__u64 counter = 0;

	if (p->payload_len < 12 + OVX_TAG_LEN + 1 || ct_len > sizeof(out))
		return 0;
	*epoch = pl[4] << 8 | pl[5];
	for (int i = 6; i < 12; i++)
		counter = counter << 8 | pl[i];
	memcpy(e.secret, p->c2s ? k->c2s_key : k->s2c_key, 32);
	if (!*epoch || ovx_epoch_advance(&e, *epoch) ||
	    ovx_epoch_data_key(&e, k->key_len, key, iv))
		return 0;
	ovx_epoch_nonce(iv, *epoch, counter, nonce);
	memcpy(tag, pl + p->payload_len - OVX_TAG_LEN, OVX_TAG_LEN);
	if (ovx_sw_aead(k->cipher, key, nonce, pl, 12, pl + 12, ct_len, out, tag, false))
		return 0;
	return plaintext_ok(out, ct_len);
}

/* The 2.6 layout with the same key material (c2s/s2c key and the 8-byte
 * implicit IV of the export): must open nothing. */
static int open_v26(const struct vec_key *k, const struct vec_pkt *p)
{
	__u8 pkt[2048];

	if (p->payload_len > sizeof(pkt) || p->payload_len < OVX_DATA_HDR_LEN)
		return 0;
	memcpy(pkt, p->payload, p->payload_len);
	return !ovx_sw_open(k->cipher, p->c2s ? k->c2s_key : k->s2c_key,
			     p->c2s ? k->c2s_iv : k->s2c_iv, pkt,
			     p->payload_len - OVX_DATA_HDR_LEN);
}

static void test_capture(const char *name, int min_keys)
{
	int data = 0, opened = 0, v26 = 0, c2s = 0, s2c = 0, keys_seen = 0;
	unsigned long seen = 0;
	struct vec_set v;

	setenv("OVX_VECTORS", epoch_vec_dir(), 1);
	if (!CHECK(!vec_load(&v, name), "%s: cannot load the capture", name))
		return;
	for (int i = 0; i < v.npkts; i++) {
		const struct vec_pkt *p = &v.pkts[i];
		const struct vec_key *k;
		__u32 peer_id, key_id;
		__u16 epoch = 0;

		if (!vec_data_v2(p, &peer_id, &key_id))
			continue;
		data++;
		k = vec_find_key(&v, peer_id, key_id);
		if (!CHECK(k, "%s: no key for peer %u key %u", name, peer_id, key_id))
			continue;
		if (open_epoch(k, p, &epoch)) {
			opened++;
			p->c2s ? c2s++ : s2c++;
			seen |= 1UL << key_id;
		}
		v26 += open_v26(k, p);
		CHECK(epoch == 1, "%s: packet %d of epoch %u (no switch expected)", name, i, epoch);
	}
	for (int i = 0; i < 8; i++)
		keys_seen += !!(seen & 1UL << i);
	printf("%s: %d/%d data packets open in the epoch layout (%d c2s, %d s2c, %d keys), %d in 2.6's\n",
	       name, opened, data, c2s, s2c, keys_seen, v26);
	CHECK(data >= 40, "%s: only %d data packets", name, data);
	CHECK(opened == data, "%s: %d of %d data packets open", name, opened, data);
	CHECK(c2s > 0 && s2c > 0, "%s: both directions", name);
	CHECK(keys_seen >= min_keys, "%s: %d keys, %d expected", name, keys_seen, min_keys);
	CHECK(v26 == 0, "%s: %d packets open in the 2.6 layout", name, v26);
	vec_free(&v);
}

int main(void)
{
	test_known_answers();
	test_edges();
	test_capture("aes-256-gcm", 3);
	test_capture("aes-128-gcm", 3);
	test_capture("chacha20-poly1305", 3);
	return t_done("epoch-key");
}
