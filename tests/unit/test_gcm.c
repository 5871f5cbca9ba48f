// SPDX-License-Identifier: GPL-2.0
/* AES-GCM in BPF (bpf/aead_gcm.h), through BPF_PROG_TEST_RUN from XDP and
 * TC: the GCM specification's vectors, random packets against OpenSSL,
 * tampering, both kernel AES implementations, bad input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "testlib.h"

#define ALGO_GENERIC	"ecb(aes-generic)"

static const int gcm_ciphers[] = {
	OVX_CIPHER_AES_128_GCM, OVX_CIPHER_AES_192_GCM, OVX_CIPHER_AES_256_GCM,
};

static const char *hook_name(int hook)
{
	return hook == AH_XDP ? "xdp" : "tc";
}

/* Test cases with a 96-bit IV from McGrew & Viega, "The Galois/Counter Mode
 * of Operation (GCM)", appendix B (the vectors NIST's GCM validation uses):
 * 1-4 (AES-128), 7-10 (AES-192), 13-16 (AES-256). */
static const struct gcm_vector {
	const char *name, *key, *iv, *aad, *pt, *ct, *tag;
} vectors[] = {
#define K128	"feffe9928665731c6d6a8f9467308308"
#define IV	"cafebabefacedbaddecaf888"
#define AAD	"feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define PT60	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define PT64	PT60 "1aafd255"
	{ "TC1", "00000000000000000000000000000000", "000000000000000000000000",
	  "", "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
	{ "TC2", "00000000000000000000000000000000", "000000000000000000000000",
	  "", "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
	  "ab6e47d42cec13bdf53a67b21257bddf" },
	{ "TC3", K128, IV, "", PT64,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "TC4", K128, IV, AAD, PT60,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ "TC7", "000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "", "cd33b28ac773f74ba00ed1f312572435" },
	{ "TC8", "000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "00000000000000000000000000000000",
	  "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb" },
	{ "TC9", K128 "feffe9928665731c", IV, "", PT64,
	  "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
	  "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
	  "9924a7c8587336bfb118024db8674a14" },
	{ "TC10", K128 "feffe9928665731c", IV, AAD, PT60,
	  "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
	  "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
	  "2519498e80f1478f37ba55bd6d27618c" },
	{ "TC13", "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "TC14", "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "00000000000000000000000000000000",
	  "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "TC15", K128 K128, IV, "", PT64,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "TC16", K128 K128, IV, AAD, PT60,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
#undef K128
#undef IV
#undef AAD
#undef PT60
#undef PT64
};

static int cipher_of_key_len(int key_len)
{
	return key_len == 16 ? OVX_CIPHER_AES_128_GCM :
	       key_len == 24 ? OVX_CIPHER_AES_192_GCM : OVX_CIPHER_AES_256_GCM;
}

/* Each vector: OpenSSL agrees with it (the data is right), then BPF seal,
 * open and open of a corrupted tag, on both hooks and both AES drivers. */
static void test_vectors(struct aead_harness *h)
{
	static const uint8_t zero_tail[8];
	static const char *algos[] = { NULL, ALGO_GENERIC };

	for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
		const struct gcm_vector *t = &vectors[v];
		uint8_t key[32], iv[12], aad[64], pt[64], ct[64], tag[16];
		uint8_t buf[64], btag[16];
		int kl = t_unhex(t->key, key, sizeof(key));
		int al = t_unhex(t->aad, aad, sizeof(aad));
		int pl = t_unhex(t->pt, pt, sizeof(pt));
		int cipher = cipher_of_key_len(kl);
		int err;

		if (t_unhex(t->iv, iv, sizeof(iv)) != 12 || al < 0 || pl < 0 ||
		    t_unhex(t->ct, ct, sizeof(ct)) != pl ||
		    t_unhex(t->tag, tag, sizeof(tag)) != 16)
			t_fatal("bad vector %s", t->name);
		err = oracle_aead(cipher, key, iv, aad, al, pt, pl, buf, btag, true);
		CHECK(!err && !memcmp(buf, ct, pl) && !memcmp(btag, tag, 16),
		      "%s: OpenSSL disagrees with the vector", t->name);

		for (int a = 0; a < 2; a++) {
			err = ah_set_key(h, 0, cipher, key, kl, zero_tail, algos[a]);
			CHECK(err == 0, "%s: install key: %d", t->name, err);
			for (int hook = AH_XDP; hook <= AH_TC; hook++) {
				memcpy(buf, pt, pl);
				memset(btag, 0, 16);
				err = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 0, iv, aad,
						 al, btag, buf, pl);
				CHECK(err == 0 && !memcmp(buf, ct, pl) && !memcmp(btag, tag, 16),
				      "%s %s %s: seal differs (%d)", t->name,
				      hook_name(hook), algos[a] ?: "ecb(aes)", err);
				memcpy(buf, ct, pl);
				memcpy(btag, tag, 16);
				err = ah_run_raw(h, hook, AEAD_TEST_OPEN_RAW, 0, iv, aad,
						 al, btag, buf, pl);
				CHECK(err == 0 && !memcmp(buf, pt, pl),
				      "%s %s: open differs (%d)", t->name,
				      hook_name(hook), err);
				memcpy(buf, ct, pl);
				btag[15] ^= 1;
				err = ah_run_raw(h, hook, AEAD_TEST_OPEN_RAW, 0, iv, aad,
						 al, btag, buf, pl);
				CHECK(err == -EBADMSG && !memcmp(buf, ct, pl),
				      "%s %s: bad tag accepted (%d)", t->name,
				      hook_name(hook), err);
			}
		}
	}
}

/* Random nonces, AAD of 0..64 bytes and data of 0..300 bytes through the
 * _RAW ops against OpenSSL: the AAD padding and lengths. */
static void test_raw_random(struct aead_harness *h, int cases)
{
	for (size_t c = 0; c < 3; c++) {
		int cipher = gcm_ciphers[c], bad = 0;
		size_t kl = ovx_cipher_key_len(cipher);
		uint8_t key[32], iv[12], aad[64], pt[300], ct[300], tag[16];
		uint8_t buf[300], btag[16], tail[8] = { 0 };

		t_rand_bytes(key, sizeof(key));
		if (ah_set_key(h, 0, cipher, key, kl, tail, NULL))
			t_fatal("cannot install a key");
		for (int i = 0; i < cases; i++) {
			uint32_t al = t_rand() % 65, pl = t_rand() % 301;
			int hook = i & 1, e1, e2;

			t_rand_bytes(iv, sizeof(iv));
			t_rand_bytes(aad, sizeof(aad));
			t_rand_bytes(pt, sizeof(pt));
			if (oracle_aead(cipher, key, iv, aad, al, pt, pl, ct, tag, true))
				t_fatal("OpenSSL seal failed");
			memcpy(buf, pt, pl);
			e1 = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 0, iv, aad, al,
					btag, buf, pl);
			if (e1 || memcmp(buf, ct, pl) || memcmp(btag, tag, 16)) {
				bad++;
				continue;
			}
			e2 = ah_run_raw(h, !hook, AEAD_TEST_OPEN_RAW, 0, iv, aad, al,
					btag, buf, pl);
			bad += e2 || memcmp(buf, pt, pl);
		}
		CHECK(bad == 0, "%s raw: %d of %d random cases differ from OpenSSL",
		      ovx_cipher_name(cipher), bad, cases);
	}
}

/* A random P_DATA_V2 payload: header with a nonzero packet-id, data. */
static void random_packet(uint8_t *pkt, uint32_t len)
{
	uint32_t pid;

	t_rand_bytes(pkt, OVX_DATA_HDR_LEN + len);
	do
		pid = t_rand();
	while (!pid);
	memcpy(pkt + 4, &pid, 4);
}

/* One random case with key slot @slot already holding @key: BPF seal equals
 * OpenSSL's, and BPF opens OpenSSL's packet to the plaintext. */
static bool random_case(struct aead_harness *h, int cipher, const uint8_t *key,
			const uint8_t tail[8], uint32_t slot, uint32_t len, int hook)
{
	static uint8_t plain[OVX_DATA_HDR_LEN + OVX_AEAD_MAX_LEN];
	static uint8_t want[sizeof(plain)], pkt[sizeof(plain)];
	size_t size = OVX_DATA_HDR_LEN + len;

	random_packet(plain, len);
	memcpy(want, plain, size);
	if (oracle_seal(cipher, key, tail, want, len))
		t_fatal("OpenSSL seal failed");
	memcpy(pkt, plain, size);
	if (ah_run(h, hook, AEAD_TEST_SEAL, slot, pkt, len, 1, NULL) ||
	    memcmp(pkt, want, size))
		return false;
	memcpy(pkt, want, size);
	return ah_run(h, !hook, AEAD_TEST_OPEN, slot, pkt, len, 1, NULL) == 0 &&
	       !memcmp(pkt + OVX_DATA_HDR_LEN, plain + OVX_DATA_HDR_LEN, len) &&
	       !memcmp(pkt, want, OVX_DATA_HDR_LEN);
}

/* @cases random keys, nonces, headers and lengths 0..1500 per key size, with
 * the AES implementation @algo. */
static void test_random(struct aead_harness *h, int cases, const char *algo)
{
	for (size_t c = 0; c < 3; c++) {
		int cipher = gcm_ciphers[c], bad = 0;
		size_t kl = ovx_cipher_key_len(cipher);
		uint8_t key[32], tail[8];

		for (int i = 0; i < cases; i++) {
			uint32_t len = t_rand() % 1501;

			t_rand_bytes(key, sizeof(key));
			t_rand_bytes(tail, sizeof(tail));
			if (ah_set_key(h, 1, cipher, key, kl, tail, algo))
				t_fatal("cannot install a key");
			if (!CHECK(random_case(h, cipher, key, tail, 1, len, i & 1),
				   "%s %s case %d (len %u, %s): differs from OpenSSL",
				   ovx_cipher_name(cipher), algo ?: "ecb(aes)", i, len,
				   hook_name(i & 1)))
				bad++;
			if (bad > 10)
				t_fatal("too many failures");
		}
	}
}

/* Lengths at the block and size limits, both hooks. */
static void test_edge_lengths(struct aead_harness *h)
{
	static const uint32_t lens[] = { 0, 1, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65,
					 1408, 2032, 2047, 2048 };
	uint8_t key[32], tail[8];

	for (size_t c = 0; c < 3; c++) {
		int cipher = gcm_ciphers[c];

		t_rand_bytes(key, sizeof(key));
		t_rand_bytes(tail, sizeof(tail));
		if (ah_set_key(h, 1, cipher, key, ovx_cipher_key_len(cipher), tail, NULL))
			t_fatal("cannot install a key");
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			for (int hook = AH_XDP; hook <= AH_TC; hook++)
				CHECK(random_case(h, cipher, key, tail, 1, lens[i], hook),
				      "%s len %u %s: differs from OpenSSL",
				      ovx_cipher_name(cipher), lens[i], hook_name(hook));
	}
}

/* Every single-bit change of header, tag or ciphertext of a 100-byte packet
 * is refused, and the packet is left as it came (no plaintext released). */
static void test_tamper(struct aead_harness *h)
{
	enum { LEN = 100, BITS = (OVX_DATA_HDR_LEN + LEN) * 8 };
	uint8_t key[32], tail[8], sealed[OVX_DATA_HDR_LEN + LEN];
	uint8_t bad[sizeof(sealed)], pkt[sizeof(sealed)];
	int refused = 0, intact = 0;

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(tail, sizeof(tail));
	if (ah_set_key(h, 2, OVX_CIPHER_AES_256_GCM, key, 32, tail, NULL))
		t_fatal("cannot install a key");
	random_packet(sealed, LEN);
	if (oracle_seal(OVX_CIPHER_AES_256_GCM, key, tail, sealed, LEN))
		t_fatal("OpenSSL seal failed");
	memcpy(pkt, sealed, sizeof(pkt));
	CHECK(ah_run(h, AH_XDP, AEAD_TEST_OPEN, 2, pkt, LEN, 1, NULL) == 0,
	      "tamper: the intact packet does not open");
	for (int bit = 0; bit < BITS; bit++) {
		memcpy(bad, sealed, sizeof(bad));
		bad[bit / 8] ^= 1 << (bit % 8);
		memcpy(pkt, bad, sizeof(pkt));
		refused += ah_run(h, bit & 1, AEAD_TEST_OPEN, 2, pkt, LEN, 1, NULL) ==
			   -EBADMSG;
		intact += !memcmp(pkt, bad, sizeof(pkt));
	}
	CHECK(refused == BITS, "tamper: %d of %d flipped bits refused", refused, BITS);
	CHECK(intact == BITS, "tamper: %d of %d refused packets left intact",
	      intact, BITS);
}

/* The same packets sealed with ecb(aes) and ecb(aes-generic) are identical. */
static void test_aes_drivers(struct aead_harness *h, int cases)
{
	static uint8_t a[OVX_DATA_HDR_LEN + 1500], b[sizeof(a)];
	uint8_t key[32], tail[8];
	int same = 0;

	for (int i = 0; i < cases; i++) {
		int cipher = gcm_ciphers[i % 3];
		size_t kl = ovx_cipher_key_len(cipher);
		uint32_t len = t_rand() % 1501;

		t_rand_bytes(key, sizeof(key));
		t_rand_bytes(tail, sizeof(tail));
		if (ah_set_key(h, 3, cipher, key, kl, tail, NULL) ||
		    ah_set_key(h, 4, cipher, key, kl, tail, ALGO_GENERIC))
			t_fatal("cannot install keys");
		random_packet(a, len);
		memcpy(b, a, OVX_DATA_HDR_LEN + len);
		same += ah_run(h, i & 1, AEAD_TEST_SEAL, 3, a, len, 1, NULL) == 0 &&
			ah_run(h, i & 1, AEAD_TEST_SEAL, 4, b, len, 1, NULL) == 0 &&
			!memcmp(a, b, OVX_DATA_HDR_LEN + len);
	}
	CHECK(same == cases, "ecb(aes) and %s agree on %d of %d packets",
	      ALGO_GENERIC, same, cases);
}

static void test_bad_input(struct aead_harness *h)
{
	static uint8_t pkt[OVX_DATA_HDR_LEN + OVX_AEAD_MAX_LEN + 16], copy[sizeof(pkt)];
	uint8_t key[32], key2[32], tail[8], iv[12] = { 0 }, aad[64] = { 0 }, tag[16];
	struct ovx_aead_key *k;
	uint32_t slot = 5;
	int err;

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(tail, sizeof(tail));
	memcpy(key2, key, sizeof(key));
	key2[31] ^= 0x80;
	if (ah_set_key(h, 5, OVX_CIPHER_AES_256_GCM, key, 32, tail, NULL) ||
	    ah_set_key(h, 6, OVX_CIPHER_AES_256_GCM, key2, 32, tail, NULL))
		t_fatal("cannot install keys");

	/* Sealed with one key, opened with another. */
	random_packet(pkt, 200);
	ah_run(h, AH_XDP, AEAD_TEST_SEAL, 5, pkt, 200, 1, NULL);
	memcpy(copy, pkt, sizeof(pkt));
	for (int hook = AH_XDP; hook <= AH_TC; hook++) {
		err = ah_run(h, hook, AEAD_TEST_OPEN, 6, pkt, 200, 1, NULL);
		CHECK(err == -EBADMSG && !memcmp(pkt, copy, sizeof(pkt)),
		      "wrong key %s: %d", hook_name(hook), err);
	}

	/* One byte over the limit. */
	for (int hook = AH_XDP; hook <= AH_TC; hook++) {
		err = ah_run(h, hook, AEAD_TEST_SEAL, 5, pkt, OVX_AEAD_MAX_LEN + 1, 1, NULL);
		CHECK(err == -E2BIG, "seal of 2049 bytes %s: %d", hook_name(hook), err);
		err = ah_run(h, hook, AEAD_TEST_OPEN, 5, pkt, OVX_AEAD_MAX_LEN + 1, 1, NULL);
		CHECK(err == -E2BIG, "open of 2049 bytes %s: %d", hook_name(hook), err);
		err = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 5, iv, aad, 0, tag,
				 pkt, OVX_AEAD_MAX_LEN + 1);
		CHECK(err == -E2BIG, "raw seal of 2049 bytes %s: %d", hook_name(hook), err);
		err = ah_run_raw(h, hook, AEAD_TEST_SEAL_RAW, 5, iv, aad, 65, tag, pkt, 16);
		CHECK(err == -EINVAL, "raw seal with 65 bytes of AAD %s: %d",
		      hook_name(hook), err);
	}

	/* A GCM key whose AES context was never created. */
	k = calloc(1, sizeof(*k));
	if (!k || ah_clear_key(h, slot) ||
	    ovx_aead_key_prepare(k, OVX_CIPHER_AES_256_GCM, key, 32, tail) ||
	    bpf_map_update_elem(h->keys_fd, &slot, k, BPF_ANY))
		t_fatal("cannot write a key without context");
	free(k);
	random_packet(pkt, 64);
	memcpy(copy, pkt, sizeof(pkt));
	for (int hook = AH_XDP; hook <= AH_TC; hook++) {
		err = ah_run(h, hook, AEAD_TEST_SEAL, slot, pkt, 64, 1, NULL);
		CHECK(err == -ENOENT && !memcmp(pkt, copy, sizeof(pkt)),
		      "seal without AES context %s: %d", hook_name(hook), err);
		err = ah_run(h, hook, AEAD_TEST_OPEN, slot, pkt, 64, 1, NULL);
		CHECK(err == -ENOENT && !memcmp(pkt, copy, sizeof(pkt)),
		      "open without AES context %s: %d", hook_name(hook), err);
	}
	ah_clear_key(h, 5);
	ah_clear_key(h, 6);
}

/* Best of 3 mean ns of @repeat runs of @op on a 1408-byte packet. */
static uint32_t perf_ns(struct aead_harness *h, enum aead_test_op op, uint8_t *pkt)
{
	uint32_t best = UINT32_MAX, d;

	for (int r = 0; r < 3; r++)
		if (ah_run(h, AH_XDP, op, 7, pkt, 1408, 20000, &d) == 0 && d < best)
			best = d;
	return best;
}

/* Informational: AES-256-GCM cost per 1408-byte packet. */
static void report_speed(struct aead_harness *h)
{
	static const char *algos[] = { NULL, ALGO_GENERIC };
	uint8_t key[32], tail[8], pkt[OVX_DATA_HDR_LEN + 1408], sealed[sizeof(pkt)];

	for (int a = 0; a < 2; a++) {
		uint32_t seal, open, restore;

		t_rand_bytes(key, sizeof(key));
		t_rand_bytes(tail, sizeof(tail));
		if (ah_set_key(h, 7, OVX_CIPHER_AES_256_GCM, key, 32, tail, algos[a]))
			t_fatal("cannot install a key");
		random_packet(sealed, 1408);
		if (oracle_seal(OVX_CIPHER_AES_256_GCM, key, tail, sealed, 1408))
			t_fatal("OpenSSL seal failed");
		memcpy(pkt, sealed, sizeof(pkt));
		seal = perf_ns(h, AEAD_TEST_SEAL, pkt);
		memcpy(pkt, sealed, sizeof(pkt));
		open = perf_ns(h, AEAD_TEST_OPEN_RESTORE, pkt);
		restore = perf_ns(h, AEAD_TEST_RESTORE, pkt);
		printf("gcm: AES-256-GCM %s, 1408 bytes: seal %u ns, open %u ns\n",
		       algos[a] ?: "ecb(aes)", seal, open - restore);
	}
}

int main(void)
{
	struct aead_harness h;

	t_seed(0x6c6d);
	ah_open(&h);
	test_vectors(&h);
	test_raw_random(&h, 1000);
	test_edge_lengths(&h);
	test_random(&h, 10000, NULL);
	test_random(&h, 500, ALGO_GENERIC);
	test_aes_drivers(&h, 300);
	test_tamper(&h);
	test_bad_input(&h);
	report_speed(&h);
	for (uint32_t i = 0; i < AEAD_TEST_KEYS; i++)
		ah_clear_key(&h, i);
	ah_close(&h);
	return t_done("gcm");
}
