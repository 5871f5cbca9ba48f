// SPDX-License-Identifier: GPL-2.0
/* Cost of the BPF AEAD per 1408-byte packet, beside OpenSSL EVP in userspace,
 * measured in the same run. Prints "name value unit" lines. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "testlib.h"

#define LEN	1408
#define ROUNDS	7
#define REPEAT	4000

/* Median over ROUNDS of the mean ns of REPEAT runs of @op. */
static uint32_t bpf_ns(struct aead_harness *h, enum aead_test_op op, uint8_t *pkt)
{
	uint32_t d[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		d[r] = 0;
		if (ah_run(h, AH_XDP, op, 0, pkt, LEN, REPEAT, &d[r]) != 0)
			t_fatal("bench op %d failed", op);
	}
	return t_median(d, ROUNDS);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Median over ROUNDS of the mean ns of one OpenSSL seal or open of @pkt. */
static uint32_t openssl_ns(int cipher, const uint8_t *key, const uint8_t *iv,
			   const uint8_t *sealed, bool seal)
{
	static uint8_t pkt[OVX_DATA_HDR_LEN + LEN];
	uint32_t d[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < REPEAT; i++) {
			memcpy(pkt, sealed, sizeof(pkt));
			if (seal ? oracle_seal(cipher, key, iv, pkt, LEN) :
				   oracle_open(cipher, key, iv, pkt, LEN))
				t_fatal("OpenSSL failed");
		}
		d[r] = (now_ns() - t0) / REPEAT;
	}
	return t_median(d, ROUNDS);
}

static void bench_cipher(struct aead_harness *h, int cipher, const char *algo,
			 const char *label, bool with_openssl)
{
	uint8_t key[32], iv[8], pkt[OVX_DATA_HDR_LEN + LEN], sealed[sizeof(pkt)];
	uint32_t seal, open, restore;

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(iv, sizeof(iv));
	t_rand_bytes(pkt, sizeof(pkt));
	pkt[4] = 0, pkt[7] |= 1;
	if (ah_set_key(h, 0, cipher, key, ovx_cipher_key_len(cipher), iv, algo))
		t_fatal("cannot install %s key", label);
	memcpy(sealed, pkt, sizeof(pkt));
	if (oracle_seal(cipher, key, iv, sealed, LEN))
		t_fatal("OpenSSL seal failed");
	seal = bpf_ns(h, AEAD_TEST_SEAL, pkt);
	memcpy(pkt, sealed, sizeof(pkt));
	open = bpf_ns(h, AEAD_TEST_OPEN_RESTORE, pkt);
	restore = bpf_ns(h, AEAD_TEST_RESTORE, pkt);
	open = open > restore ? open - restore : 0;
	printf("bpf_%s_seal_1408 %u ns\n", label, seal);
	printf("bpf_%s_open_1408 %u ns\n", label, open);
	if (!with_openssl)
		return;
	printf("openssl_%s_seal_1408 %u ns\n", label,
	       openssl_ns(cipher, key, iv, sealed, true));
	printf("openssl_%s_open_1408 %u ns\n", label,
	       openssl_ns(cipher, key, iv, sealed, false));
}

int main(void)
{
	struct aead_harness h;

	t_seed(7);
	ah_open(&h);
	bench_cipher(&h, OVX_CIPHER_AES_128_GCM, NULL, "aes128gcm", true);
	bench_cipher(&h, OVX_CIPHER_AES_256_GCM, NULL, "aes256gcm", true);
	bench_cipher(&h, OVX_CIPHER_AES_128_GCM, "ecb(aes-generic)", "aes128gcm_generic", false);
	bench_cipher(&h, OVX_CIPHER_AES_256_GCM, "ecb(aes-generic)", "aes256gcm_generic", false);
	bench_cipher(&h, OVX_CIPHER_CHACHA20_POLY1305, NULL, "chacha20poly1305", true);
	ah_close(&h);
	return 0;
}
