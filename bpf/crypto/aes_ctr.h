/* SPDX-License-Identifier: GPL-2.0 */
/* AES in counter mode as GCM uses it, over the scratch: the counter blocks
 * are written to s->ctr (J0 = nonce || 1 first, then nonce || 2, 3, ...) and
 * encrypted to s->ks by the ecb(aes) kfunc: in one call when sealing, in two
 * when opening (the tag mask first, the data's keystream once the tag has
 * verified). Keystream block 0 masks the tag, blocks 1.. encrypt the data. */
#ifndef OVX_AES_CTR_H
#define OVX_AES_CTR_H

#include "common.h"
#include "scratch.h"

#include "kfuncs.h"

/* Counter blocks are handled 4 at a time (64 bytes) to spread the cost of a
 * bpf_loop iteration; s->ctr and s->ks have room for J0 and
 * OVX_AEAD_MAX_BLOCKS blocks, a multiple of 4. */
#define OVX_CTR_CHUNK		64
#define OVX_CTR_MAX_CHUNKS	(OVX_AEAD_MAX_LEN / OVX_CTR_CHUNK)

/* A nonce as the words the counter blocks are made of: bytes 0..7 and 8..11
 * of the nonce, as loaded from memory. */
struct ovx_ctr_nonce {
	__u64 n0;
	__u32 n1;
};

struct ovx_ctr_fill {
	__u8 *ctr;
	struct ovx_ctr_nonce nonce;
};

/* Counter block @ctr at @p: nonce || BE32(ctr). Counters stay below 256, so
 * BE32(ctr) is ctr in byte 15, the top byte of the second word. */
_Static_assert(OVX_AEAD_MAX_BLOCKS + 1 < 256, "GCM counters beyond one byte");

static __always_inline void ovx_ctr_put(__u64 *p, const struct ovx_ctr_nonce *n,
					 __u64 ctr)
{
	p[0] = n->n0;
	p[1] = n->n1 | ctr << 56;
}

/* Blocks 1 + 4i .. 4 + 4i, i.e. counters 2 + 4i .. 5 + 4i. */
static long ovx_ctr_fill_cb(__u64 i, void *ctx)
{
	struct ovx_ctr_fill *c = ctx;
	__u64 *p, ctr;

	if (i >= OVX_CTR_MAX_CHUNKS)
		return 1;
	p = (__u64 *)(c->ctr + 16 + i * OVX_CTR_CHUNK);
	ctr = 2 + i * 4;
	ovx_ctr_put(p, &c->nonce, ctr);
	ovx_ctr_put(p + 2, &c->nonce, ctr + 1);
	ovx_ctr_put(p + 4, &c->nonce, ctr + 2);
	ovx_ctr_put(p + 6, &c->nonce, ctr + 3);
	return 0;
}

/* @size bytes of counter blocks at @src encrypted to @dst by one kfunc call.
 * Returns 0 or -errno. */
static __always_inline int ovx_ctr_encrypt(struct ovx_aead_key *k, __u8 *src,
					    __u8 *dst, __u32 size)
{
	struct bpf_dynptr sp, dp;
	struct bpf_crypto_ctx *aes = k->aes;

	if (!aes)
		return -ENOENT;
	bpf_dynptr_from_mem(src, size, 0, &sp);
	bpf_dynptr_from_mem(dst, size, 0, &dp);
	return bpf_crypto_encrypt(aes, &sp, &dp, NULL);
}

/* Keystream for @nblocks (<= OVX_AEAD_MAX_BLOCKS) blocks of data, plus the
 * tag mask E(J0) in front, into s->ks, by one call. Returns 0 or -errno. */
static __always_inline int ovx_ctr_keystream(struct ovx_aead_key *k,
					      struct ovx_scratch *s,
					      const struct ovx_ctr_nonce *nonce,
					      __u32 nblocks)
{
	struct ovx_ctr_fill c = { .ctr = s->ctr, .nonce = *nonce };

	if (nblocks > OVX_AEAD_MAX_BLOCKS)
		return -E2BIG;
	ovx_ctr_put((__u64 *)s->ctr, nonce, 1);
	bpf_loop((nblocks + 3) / 4, ovx_ctr_fill_cb, &c, 0);
	return ovx_ctr_encrypt(k, s->ctr, s->ks, (nblocks + 1) * 16);
}

/* The tag mask E(J0) alone into s->ks[0..16): opening checks the tag before
 * it spends anything on the data's keystream. Returns 0 or -errno. */
static __always_inline int ovx_ctr_tag_mask(struct ovx_aead_key *k,
					     struct ovx_scratch *s,
					     const struct ovx_ctr_nonce *nonce)
{
	ovx_ctr_put((__u64 *)s->ctr, nonce, 1);
	return ovx_ctr_encrypt(k, s->ctr, s->ks, 16);
}

/* The keystream of @nblocks (1..OVX_AEAD_MAX_BLOCKS) data blocks into
 * s->ks from byte 16. Returns 0 or -errno. */
static __always_inline int ovx_ctr_data(struct ovx_aead_key *k,
					 struct ovx_scratch *s,
					 const struct ovx_ctr_nonce *nonce,
					 __u32 nblocks)
{
	struct ovx_ctr_fill c = { .ctr = s->ctr, .nonce = *nonce };

	if (!nblocks || nblocks > OVX_AEAD_MAX_BLOCKS)
		return nblocks ? -E2BIG : 0;
	bpf_loop((nblocks + 3) / 4, ovx_ctr_fill_cb, &c, 0);
	return ovx_ctr_encrypt(k, s->ctr + 16, s->ks + 16, nblocks * 16);
}

struct ovx_ctr_xor {
	__u8 *buf;
	const __u8 *ks;
};

static long ovx_ctr_xor_cb(__u64 i, void *ctx)
{
	struct ovx_ctr_xor *c = ctx;
	const __u64 *k;
	__u64 *p;

	if (i >= OVX_CTR_MAX_CHUNKS)
		return 1;
	p = (__u64 *)(c->buf + i * OVX_CTR_CHUNK);
	k = (const __u64 *)(c->ks + 16 + i * OVX_CTR_CHUNK);
	p[0] ^= k[0];
	p[1] ^= k[1];
	p[2] ^= k[2];
	p[3] ^= k[3];
	p[4] ^= k[4];
	p[5] ^= k[5];
	p[6] ^= k[6];
	p[7] ^= k[7];
	return 0;
}

/* s->buf[0..len) ^= keystream (s->ks from block 1); the bytes past @len, up
 * to the next multiple of 64, get garbage. */
static __always_inline void ovx_ctr_xor(struct ovx_scratch *s, __u32 len)
{
	struct ovx_ctr_xor c = { .buf = s->buf, .ks = s->ks };

	bpf_loop((len + OVX_CTR_CHUNK - 1) / OVX_CTR_CHUNK, ovx_ctr_xor_cb, &c, 0);
}

#endif /* OVX_AES_CTR_H */
