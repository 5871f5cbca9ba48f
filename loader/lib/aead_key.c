// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "aead_key.h"

int ovx_aead_key_prepare(struct ovx_aead_key *k, int cipher, const __u8 *key,
			  size_t key_len, const __u8 nonce_tail[OVX_NONCE_TAIL_LEN])
{
	size_t want = ovx_cipher_key_len(cipher);

	if (!want || key_len != want)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->cipher = cipher;
	k->key_len = key_len;
	memcpy(k->nonce_tail, nonce_tail, OVX_NONCE_TAIL_LEN);
	if (cipher == OVX_CIPHER_CHACHA20_POLY1305) {
		memcpy(k->key, key, key_len);
		return 0;
	}
	return ovx_ghash_table_build(&k->ghash, key, key_len);
}

int ovx_aes_ctx_create(int prog_fd, const __u32 map_key[4], const __u8 *key,
			size_t key_len, const char *algo)
{
	struct ovx_aes_ctx_args a = { .key_len = key_len };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &a, .ctx_size_in = sizeof(a));
	int err;

	if (key_len > sizeof(a.key))
		return -EINVAL;
	if (!algo)
		algo = OVX_AES_ALGO_DEFAULT;
	if (strlen(algo) >= sizeof(a.algo))
		return -ENAMETOOLONG;
	memcpy(a.map_key, map_key, sizeof(a.map_key));
	memcpy(a.key, key, key_len);
	strcpy(a.algo, algo);
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	OPENSSL_cleanse(a.key, sizeof(a.key));
	if (err)
		return -errno;
	return a.err;
}
