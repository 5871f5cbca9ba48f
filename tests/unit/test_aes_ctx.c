// SPDX-License-Identifier: GPL-2.0
/* The AES contexts of keys: created by the syscall program, usable from XDP
 * and TC through the ecb(aes) kfunc, released when a key is replaced or
 * cleared, with no kernel memory left behind. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "testlib.h"

static const char *algos[] = { "ecb(aes)", "ecb(aes-generic)" };

static void ecb_oracle(const uint8_t *key, size_t key_len, const uint8_t *in,
		       uint8_t *out, int len)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_ecb() :
			      key_len == 24 ? EVP_aes_192_ecb() : EVP_aes_256_ecb();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	EVP_EncryptInit_ex(ctx, c, NULL, key, NULL);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	EVP_EncryptUpdate(ctx, out, &n, in, len);
	EVP_CIPHER_CTX_free(ctx);
}

static void test_ecb_matches_openssl(struct aead_harness *h)
{
	static const int ciphers[] = { OVX_CIPHER_AES_128_GCM, OVX_CIPHER_AES_192_GCM,
				       OVX_CIPHER_AES_256_GCM };
	uint8_t key[32], tail[8], pkt[OVX_DATA_HDR_LEN + 256], want[256];

	for (size_t a = 0; a < 2; a++)
		for (size_t c = 0; c < 3; c++)
			for (int hook = AH_XDP; hook <= AH_TC; hook++) {
				size_t kl = ovx_cipher_key_len(ciphers[c]);
				int err;

				t_rand_bytes(key, sizeof(key));
				t_rand_bytes(tail, sizeof(tail));
				t_rand_bytes(pkt, sizeof(pkt));
				err = ah_set_key(h, 1, ciphers[c], key, kl, tail, algos[a]);
				CHECK(err == 0, "install %s key %zu: %d", algos[a], kl, err);
				ecb_oracle(key, kl, pkt + OVX_DATA_HDR_LEN, want, 256);
				err = ah_run(h, hook, AEAD_TEST_ECB, 1, pkt, 256, 1, NULL);
				CHECK(err == 0 && !memcmp(pkt + OVX_DATA_HDR_LEN, want, 256),
				      "%s key %zu hook %d: ecb differs from OpenSSL (%d)",
				      algos[a], kl, hook, err);
			}
}

static void test_bad_input(struct aead_harness *h)
{
	uint8_t key[32] = { 0 }, tail[8] = { 0 }, pkt[OVX_DATA_HDR_LEN + 16] = { 0 };
	int err;

	err = ah_set_key(h, 2, OVX_CIPHER_AES_128_GCM, key, 16, tail, "ecb(no-such-aes)");
	CHECK(err < 0, "unknown AES implementation accepted");
	err = ah_set_key(h, 2, OVX_CIPHER_AES_128_GCM, key, 15, tail, NULL);
	CHECK(err == -EINVAL, "15-byte AES key: %d", err);
	err = ah_set_key(h, 2, 77, key, 16, tail, NULL);
	CHECK(err == -EINVAL, "unknown cipher: %d", err);
	ah_clear_key(h, 3);
	err = ah_run(h, AH_XDP, AEAD_TEST_ECB, 3, pkt, 16, 1, NULL);
	CHECK(err == -ENOENT, "ecb without a context: %d", err);
}

/* 10,000 keys installed and released: unreclaimable slab where it started.
 * A leaked context costs about 1 KiB (context, tfm, key schedule), so a leak
 * would show as ~10 MB; noise from the rest of the machine is far smaller. */
static void test_no_leak(struct aead_harness *h)
{
	uint8_t key[32], tail[8] = { 0 };
	long before, after;
	int errors = 0;

	for (int i = 0; i < 200; i++) {	/* warm the caches */
		t_rand_bytes(key, 32);
		errors += ah_set_key(h, 4, OVX_CIPHER_AES_256_GCM, key, 32, tail, NULL) != 0;
	}
	ah_clear_key(h, 4);
	sleep(1);
	before = t_unreclaimable_kb();
	for (int i = 0; i < 10000; i++) {
		t_rand_bytes(key, 32);
		errors += ah_set_key(h, 4 + (i & 3), OVX_CIPHER_AES_256_GCM, key, 32,
				     tail, i & 1 ? "ecb(aes-generic)" : NULL) != 0;
		if (i % 3 == 0)
			ah_clear_key(h, 4 + (i & 3));
	}
	for (int i = 4; i < 8; i++)
		ah_clear_key(h, i);
	for (int i = 0; i < 10; i++) {	/* contexts are freed after an RCU grace period */
		sleep(1);
		after = t_unreclaimable_kb();
		if (after - before < 2048)
			break;
	}
	CHECK(errors == 0, "%d of 10000 installs failed", errors);
	printf("aes_ctx: 10000 installs, SUnreclaim %ld kB -> %ld kB (%+ld kB)\n",
	       before, after, after - before);
	CHECK(before > 0 && after - before < 2048,
	      "kernel memory grew by %ld kB over 10000 key installs", after - before);
}

int main(void)
{
	struct aead_harness h;

	t_seed(1);
	ah_open(&h);
	test_ecb_matches_openssl(&h);
	test_bad_input(&h);
	test_no_leak(&h);
	ah_close(&h);
	return t_done("aes_ctx");
}
