// SPDX-License-Identifier: GPL-2.0
/* ChaCha20-Poly1305 in BPF (bpf/aead_chachapoly.h) through BPF_PROG_TEST_RUN,
 * from XDP and TC: RFC 8439 vectors, 10,000 random packets and random AADs
 * against OpenSSL, every single-bit forgery, bad input, the lengths around
 * block boundaries, and the cost of a 1408-byte packet. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "aead_harness.h"
#include "testlib.h"

#define CP	OVX_CIPHER_CHACHA20_POLY1305
#define HDR	OVX_DATA_HDR_LEN
#define MAXPKT	(HDR + OVX_AEAD_MAX_LEN + 16)

static const char *hook_name(int hook)
{
	return hook == AH_XDP ? "xdp" : "tc";
}

struct vector {
	const char *name;
	const char *key, *nonce, *aad, *pt, *ct, *tag;	/* hex; tag NULL: unknown */
};

static const char ladies[] =
	"Ladies and Gentlemen of the class of '99: If I could offer you only one "
	"tip for the future, sunscreen would be it.";

static const struct vector vectors[] = {
	{
		/* the AEAD example: 12-byte AAD, data not a multiple of 16 */
		.name = "RFC 8439 2.8.2",
		.key = "808182838485868788898a8b8c8d8e8f"
		       "909192939495969798999a9b9c9d9e9f",
		.nonce = "070000004041424344454647",
		.aad = "50515253c0c1c2c3c4c5c6c7",
		.pt = NULL,	/* ladies */
		.ct = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
		      "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
		      "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
		      "3ff4def08e4b7a9de576d26586cec64b6116",
		.tag = "1ae10b594f09e26a7e902ecbd0600691",
	},
	{
		/* ChaCha20 encryption example: the AEAD encrypts from block 1
		 * too, so its ciphertext is the same whatever the AAD */
		.name = "RFC 8439 2.4.2",
		.key = "000102030405060708090a0b0c0d0e0f"
		       "101112131415161718191a1b1c1d1e1f",
		.nonce = "000000000000004a00000000",
		.aad = "",
		.pt = NULL,	/* ladies */
		.ct = "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
		      "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
		      "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
		      "5af90bbf74a35be6b40b8eedf2785e42874d",
		.tag = NULL,
	},
	{
		/* AEAD decryption example: 265 bytes */
		.name = "RFC 8439 A.5",
		.key = "1c9240a5eb55d38af333888604f6b5f0"
		       "473917c1402b80099dca5cbc207075c0",
		.nonce = "000000000102030405060708",
		.aad = "f33388860000000000004e91",
		.pt = "496e7465726e65742d4472616674732061726520647261667420646f63756d65"
		      "6e74732076616c696420666f722061206d6178696d756d206f6620736978206d"
		      "6f6e74687320616e64206d617920626520757064617465642c207265706c6163"
		      "65642c206f72206f62736f6c65746564206279206f7468657220646f63756d65"
		      "6e747320617420616e792074696d652e20497420697320696e617070726f7072"
		      "6961746520746f2075736520496e7465726e65742d4472616674732061732072"
		      "65666572656e6365206d6174657269616c206f7220746f206369746520746865"
		      "6d206f74686572207468616e206173202fe2809c776f726b20696e2070726f67"
		      "726573732e2fe2809d",
		.ct = "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
		      "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
		      "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
		      "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
		      "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
		      "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
		      "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
		      "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
		      "a6ad5cb4022b02709b",
		.tag = "eead9d67890cbb22392336fea1851f38",
	},
};

/* A vector's bytes; the plaintext NULL stands for the "Ladies" text. */
static int unhex_or_ladies(const char *hex, uint8_t *out, size_t max)
{
	if (hex)
		return t_unhex(hex, out, max);
	memcpy(out, ladies, strlen(ladies));
	return strlen(ladies);
}

static void test_vector(struct aead_harness *h, const struct vector *v)
{
	uint8_t key[32], nonce[12], aad[64], pt[512], ct[512], tag[16];
	uint8_t data[512], out_tag[16], ssl_ct[512], ssl_tag[16];
	uint8_t zero_tail[8] = { 0 };
	int aad_len, len, err;

	t_unhex(v->key, key, sizeof(key));
	t_unhex(v->nonce, nonce, sizeof(nonce));
	aad_len = t_unhex(v->aad, aad, sizeof(aad));
	len = unhex_or_ladies(v->pt, pt, sizeof(pt));
	if (!CHECK(t_unhex(v->ct, ct, sizeof(ct)) == len && aad_len >= 0,
		   "%s: bad vector", v->name))
		return;
	if (v->tag)
		t_unhex(v->tag, tag, sizeof(tag));
	/* the transcription, against OpenSSL */
	err = oracle_aead(CP, key, nonce, aad, aad_len, pt, len, ssl_ct, ssl_tag, true);
	CHECK(!err && !memcmp(ssl_ct, ct, len) && (!v->tag || !memcmp(ssl_tag, tag, 16)),
	      "%s: OpenSSL disagrees with the vector", v->name);
	if (!v->tag)
		memcpy(tag, ssl_tag, 16);

	err = ah_set_key(h, 1, CP, key, 32, zero_tail, NULL);
	CHECK(err == 0, "%s: key: %d", v->name, err);
	for (int hook = AH_XDP; hook <= AH_TC; hook++) {
		memcpy(data, pt, len);
		memset(out_tag, 0, 16);
		err = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 1, nonce, aad, aad_len,
				 out_tag, data, len);
		CHECK(err == 0 && !memcmp(data, ct, len) && !memcmp(out_tag, tag, 16),
		      "%s %s: seal %d, ciphertext %s, tag %s", v->name,
		      hook_name(hook), err, memcmp(data, ct, len) ? "differs" : "ok",
		      memcmp(out_tag, tag, 16) ? "differs" : "ok");

		memcpy(data, ct, len);
		memcpy(out_tag, tag, 16);
		err = ah_run_raw(h, hook, AEAD_TEST_OPEN_RAW, 1, nonce, aad, aad_len,
				 out_tag, data, len);
		CHECK(err == 0 && !memcmp(data, pt, len),
		      "%s %s: open %d", v->name, hook_name(hook), err);

		memcpy(data, ct, len);
		memcpy(out_tag, tag, 16);
		out_tag[15] ^= 0x80;
		err = ah_run_raw(h, hook, AEAD_TEST_OPEN_RAW, 1, nonce, aad, aad_len,
				 out_tag, data, len);
		CHECK(err == -EBADMSG && !memcmp(data, ct, len),
		      "%s %s: open with a bad tag: %d", v->name, hook_name(hook), err);
	}
}

/* Any AAD length 0..64 and nonce through the raw ops, against OpenSSL. */
static void test_raw_random(struct aead_harness *h, int n)
{
	uint8_t key[32], nonce[12], aad[64], pt[600], data[600], tag[16];
	uint8_t ssl_ct[600], ssl_tag[16], zero_tail[8] = { 0 };

	for (int i = 0; i < n; i++) {
		uint32_t aad_len = i % 65, len = t_rand() % 600;
		int hook = i & 1 ? AH_TC : AH_XDP;
		int seal, open;

		t_rand_bytes(key, sizeof(key));
		t_rand_bytes(nonce, sizeof(nonce));
		t_rand_bytes(aad, sizeof(aad));
		t_rand_bytes(pt, len);
		if (oracle_aead(CP, key, nonce, aad, aad_len, pt, len, ssl_ct, ssl_tag, true))
			t_fatal("OpenSSL seal failed");
		ah_set_key(h, 1, CP, key, 32, zero_tail, NULL);
		memcpy(data, pt, len);
		memset(tag, 0, 16);
		seal = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 1, nonce, aad, aad_len,
				  tag, data, len);
		seal = seal ? seal : memcmp(data, ssl_ct, len) || memcmp(tag, ssl_tag, 16);
		memcpy(data, ssl_ct, len);
		memcpy(tag, ssl_tag, 16);
		open = ah_run_raw(h, hook, AEAD_TEST_OPEN_RAW, 1, nonce, aad, aad_len,
				  tag, data, len);
		open = open ? open : memcmp(data, pt, len) != 0;
		CHECK(seal == 0 && open == 0, "raw #%d aad %u len %u %s: seal %d open %d",
		      i, aad_len, len, hook_name(hook), seal, open);
	}
}

/* A random OpenVPN packet: header with a nonzero packet-id, random tag and
 * data. */
static void random_packet(uint8_t *pkt, uint32_t len)
{
	t_rand_bytes(pkt, HDR + len);
	if (!(pkt[4] | pkt[5] | pkt[6] | pkt[7]))
		pkt[7] = 1;
}

/* BPF seal == OpenSSL seal, and BPF open of OpenSSL's packet == plaintext.
 * Returns a description of what went wrong, NULL if nothing did. */
static const char *seal_open(struct aead_harness *h, int hook, const uint8_t *key,
			     const uint8_t *tail, uint32_t len, int *ret)
{
	static uint8_t pt[MAXPKT], bpf[MAXPKT], ssl[MAXPKT];

	random_packet(pt, len);
	memcpy(bpf, pt, HDR + len);
	memcpy(ssl, pt, HDR + len);
	if (oracle_seal(CP, key, tail, ssl, len))
		t_fatal("OpenSSL seal failed");
	*ret = ah_run(h, hook, AEAD_TEST_SEAL, 0, bpf, len, 1, NULL);
	if (*ret)
		return "seal failed";
	if (memcmp(bpf, ssl, HDR + len))
		return "seal differs from OpenSSL";
	memcpy(bpf, ssl, HDR + len);
	*ret = ah_run(h, hook, AEAD_TEST_OPEN, 0, bpf, len, 1, NULL);
	if (*ret)
		return "open failed";
	if (memcmp(bpf + HDR, pt + HDR, len) || memcmp(bpf, ssl, HDR))
		return "open differs from the plaintext";
	return NULL;
}

static void test_random(struct aead_harness *h, int n)
{
	uint8_t key[32], tail[8];

	for (int i = 0; i < n; i++) {
		uint32_t len = t_rand() % 1501;
		int hook = i & 1 ? AH_TC : AH_XDP;
		const char *what;
		int ret = 0;

		t_rand_bytes(key, sizeof(key));
		t_rand_bytes(tail, sizeof(tail));
		if (ah_set_key(h, 0, CP, key, 32, tail, NULL))
			what = "key not installed";
		else
			what = seal_open(h, hook, key, tail, len, &ret);
		CHECK(!what, "random #%d len %u %s: %s (%d)", i, len, hook_name(hook),
		      what, ret);
	}
}

static void test_lengths(struct aead_harness *h)
{
	static const uint32_t lens[] = { 0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129,
					 1408, 2047, 2048 };
	uint8_t key[32], tail[8];

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(tail, sizeof(tail));
	ah_set_key(h, 0, CP, key, 32, tail, NULL);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (int hook = AH_XDP; hook <= AH_TC; hook++) {
			const char *what;
			int ret = 0;

			what = seal_open(h, hook, key, tail, lens[i], &ret);
			CHECK(!what, "len %u %s: %s (%d)", lens[i], hook_name(hook),
			      what, ret);
		}
}

/* Every single-bit change of a 100-byte packet (AAD, tag, ciphertext) is
 * rejected, and the packet is left as it was. */
static void test_tamper(struct aead_harness *h)
{
	enum { LEN = 100, BITS = (HDR + LEN) * 8 };
	uint8_t key[32], tail[8], sealed[HDR + LEN], pkt[HDR + LEN], want[HDR + LEN];
	int ok = 0;

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(tail, sizeof(tail));
	ah_set_key(h, 0, CP, key, 32, tail, NULL);
	random_packet(sealed, LEN);
	oracle_seal(CP, key, tail, sealed, LEN);
	memcpy(pkt, sealed, sizeof(pkt));
	CHECK(ah_run(h, AH_XDP, AEAD_TEST_OPEN, 0, pkt, LEN, 1, NULL) == 0,
	      "tamper: the intact packet does not open");
	for (int bit = 0; bit < BITS; bit++) {
		int hook = bit & 1 ? AH_TC : AH_XDP, err;

		memcpy(pkt, sealed, sizeof(pkt));
		pkt[bit / 8] ^= 1 << (bit % 8);
		memcpy(want, pkt, sizeof(pkt));
		err = ah_run(h, hook, AEAD_TEST_OPEN, 0, pkt, LEN, 1, NULL);
		ok += CHECK(err == -EBADMSG && !memcmp(pkt, want, sizeof(pkt)),
			    "tamper: bit %d (%s byte %d) %s: %d%s", bit,
			    bit < 64 ? "AAD" : bit < 192 ? "tag" : "data", bit / 8,
			    hook_name(hook), err,
			    memcmp(pkt, want, sizeof(pkt)) ? ", packet changed" : "");
	}
	printf("chachapoly: %d of %d single-bit forgeries rejected\n", ok, BITS);
}

static void test_bad_input(struct aead_harness *h)
{
	static uint8_t pkt[MAXPKT], copy[MAXPKT];
	uint8_t key[32], other[32], tail[8], nonce[12] = { 0 }, aad[64] = { 0 };
	uint8_t tag[16] = { 0 };

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(tail, sizeof(tail));
	memcpy(other, key, sizeof(other));
	other[31] ^= 1;
	random_packet(pkt, 200);
	oracle_seal(CP, key, tail, pkt, 200);
	memcpy(copy, pkt, HDR + 200);
	for (int hook = AH_XDP; hook <= AH_TC; hook++) {
		int err;

		ah_set_key(h, 2, CP, other, 32, tail, NULL);
		err = ah_run(h, hook, AEAD_TEST_OPEN, 2, pkt, 200, 1, NULL);
		CHECK(err == -EBADMSG && !memcmp(pkt, copy, HDR + 200),
		      "wrong key %s: %d", hook_name(hook), err);
		tail[0] ^= 1;
		ah_set_key(h, 2, CP, key, 32, tail, NULL);
		tail[0] ^= 1;
		err = ah_run(h, hook, AEAD_TEST_OPEN, 2, pkt, 200, 1, NULL);
		CHECK(err == -EBADMSG, "wrong implicit IV %s: %d", hook_name(hook), err);

		ah_set_key(h, 2, CP, key, 32, tail, NULL);
		err = ah_run(h, hook, AEAD_TEST_SEAL, 2, pkt, OVX_AEAD_MAX_LEN + 1, 1, NULL);
		CHECK(err == -E2BIG, "seal len 2049 %s: %d", hook_name(hook), err);
		err = ah_run(h, hook, AEAD_TEST_OPEN, 2, pkt, OVX_AEAD_MAX_LEN + 1, 1, NULL);
		CHECK(err == -E2BIG, "open len 2049 %s: %d", hook_name(hook), err);
		err = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 2, nonce, aad, 16, tag, pkt,
				 OVX_AEAD_MAX_LEN + 1);
		CHECK(err == -E2BIG, "raw seal len 2049 %s: %d", hook_name(hook), err);
		err = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 2, nonce, aad, 65, tag, pkt, 16);
		CHECK(err == -EINVAL, "raw seal AAD 65 %s: %d", hook_name(hook), err);
		err = ah_run_raw(h, hook, AEAD_TEST_OPEN_RAW, 2, nonce, aad, 65, tag, pkt, 16);
		CHECK(err == -EINVAL, "raw open AAD 65 %s: %d", hook_name(hook), err);
	}
}

/* Best of 5 means of 20,000 runs, XDP. */
static uint32_t bench_op(struct aead_harness *h, enum aead_test_op op, uint8_t *pkt,
			 uint32_t len)
{
	uint32_t best = ~0u, d;

	for (int r = 0; r < 5; r++)
		if (ah_run(h, AH_XDP, op, 0, pkt, len, 20000, &d) == 0 && d < best)
			best = d;
	return best;
}

static void bench(struct aead_harness *h)
{
	static uint8_t pkt[HDR + 1408], sealed[HDR + 1408];
	uint32_t seal, open, restore;
	uint8_t key[32], tail[8];

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(tail, sizeof(tail));
	ah_set_key(h, 0, CP, key, 32, tail, NULL);
	random_packet(pkt, 1408);
	memcpy(sealed, pkt, sizeof(pkt));
	oracle_seal(CP, key, tail, sealed, 1408);
	seal = bench_op(h, AEAD_TEST_SEAL, pkt, 1408);
	memcpy(pkt, sealed, sizeof(pkt));
	open = bench_op(h, AEAD_TEST_OPEN_RESTORE, pkt, 1408);
	restore = bench_op(h, AEAD_TEST_RESTORE, pkt, 1408);
	CHECK(seal != ~0u && open != ~0u && restore != ~0u, "bench runs failed");
	printf("chachapoly: 1408-byte packet: seal %u ns, open %u ns\n", seal,
	       open > restore ? open - restore : 0);
}

int main(void)
{
	struct aead_harness h;

	t_seed(1);
	ah_open(&h);
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		test_vector(&h, &vectors[i]);
	test_raw_random(&h, 650);
	test_random(&h, 10000);
	test_lengths(&h);
	test_tamper(&h);
	test_bad_input(&h);
	bench(&h);
	ah_close(&h);
	return t_done("chachapoly");
}
