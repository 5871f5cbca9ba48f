// SPDX-License-Identifier: GPL-2.0
/* The per-key GHASH table of bpf/ghash.h, built once when a key is installed. */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "aead_key.h"

/* H = AES_K(0^128), with OpenSSL. */
static int ghash_subkey(__u8 h[16], const __u8 *key, size_t key_len)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_ecb() :
			      key_len == 24 ? EVP_aes_192_ecb() :
			      key_len == 32 ? EVP_aes_256_ecb() : NULL;
	static const __u8 zero[16];
	EVP_CIPHER_CTX *ctx;
	int n = 0, ok;

	if (!c)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_EncryptInit_ex(ctx, c, NULL, key, NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_EncryptUpdate(ctx, h, &n, zero, 16) && n == 16;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

static __u64 be64(const __u8 *p)
{
	__u64 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Element times x: one bit towards the high coefficients, reduced by the GCM
 * polynomial (bit-reflected, so 0xE1 at the top). */
static void mul_x(__u64 v[2])
{
	__u64 carry = v[1] & 1;

	v[1] = v[1] >> 1 | v[0] << 63;
	v[0] = v[0] >> 1 ^ (carry ? 0xE1ULL << 56 : 0);
}

int ovx_ghash_table_build(struct ovx_ghash_table *t, const __u8 *key,
			   size_t key_len)
{
	__u8 h[16];
	__u64 v[2];
	int err;

	err = ghash_subkey(h, key, key_len);
	if (err)
		return err;
	memset(t, 0, sizeof(*t));
	v[0] = be64(h);
	v[1] = be64(h + 8);
	OPENSSL_cleanse(h, sizeof(h));
	/* h[0x80] = H (coefficient x^0 is the top bit), h[0x40] = H.x, ... */
	for (int b = 0x80; b; b >>= 1) {
		t->h[b][0] = v[0];
		t->h[b][1] = v[1];
		mul_x(v);
	}
	for (int b = 2; b < 256; b <<= 1)
		for (int j = 1; j < b; j++) {
			t->h[b + j][0] = t->h[b][0] ^ t->h[j][0];
			t->h[b + j][1] = t->h[b][1] ^ t->h[j][1];
		}
	v[0] = v[1] = 0;
	return 0;
}
