/* SPDX-License-Identifier: GPL-2.0 */
/* Creation of a key's ecb(aes) context, for SEC("syscall") programs only:
 * bpf_crypto_ctx_create is not callable from XDP or TC. */
#ifndef OVX_AES_CTX_H
#define OVX_AES_CTX_H

#include "common.h"

#include "kfuncs.h"

/* Create the context described by @a and store it in @k, releasing the one it
 * replaces. Returns 0 or -errno. */
static __always_inline int ovx_aes_ctx_install(struct ovx_aead_key *k,
						const struct ovx_aes_ctx_args *a)
{
	struct bpf_crypto_params params = {
		.type = "skcipher",
	};
	struct bpf_crypto_ctx *ctx, *old;
	__u32 key_len = a->key_len;
	int err = 0;

	if (key_len != 16 && key_len != 24 && key_len != 32)
		return -EINVAL;
	__builtin_memcpy(params.algo, a->algo, sizeof(a->algo));
	params.algo[sizeof(a->algo) - 1] = 0;
	__builtin_memcpy(params.key, a->key, sizeof(a->key));
	params.key_len = key_len;

	ctx = bpf_crypto_ctx_create(&params, sizeof(params), &err);
	__builtin_memset(params.key, 0, sizeof(a->key));
	if (!ctx)
		return err ? err : -ENOMEM;
	old = bpf_kptr_xchg(&k->aes, ctx);
	if (old)
		bpf_crypto_ctx_release(old);
	return 0;
}

#endif /* OVX_AES_CTX_H */
