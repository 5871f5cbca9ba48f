/* SPDX-License-Identifier: GPL-2.0 */
/* AES in counter mode as GCM uses it, over the scratch: the counter blocks
 * are written to s->ctr (J0 = nonce || 1 first, then nonce || 2, 3, ...) and
 * encrypted to s->ks by the ecb(aes) kfunc: in one call when sealing, in two
 * when opening (the tag mask first, the data's keystream once the tag has
 * verified). Keystream block 0 masks the tag, blocks 1.. encrypt the data. */
#ifndef OVPN_AES_CTR_H
#define OVPN_AES_CTR_H

#include "common.h"
#include "scratch.h"

#include "kfuncs.h"

/* Counter blocks are handled 4 at a time (64 bytes) to spread the cost of a
 * bpf_loop iteration; s->ctr and s->ks have room for J0 and
 * OVPN_AEAD_MAX_BLOCKS blocks, a multiple of 4. */
#define OVPN_CTR_CHUNK		64
#define OVPN_CTR_MAX_CHUNKS	(OVPN_AEAD_MAX_LEN / OVPN_CTR_CHUNK)

/* A nonce as the words the counter blocks are made of: bytes 0..7 and 8..11
 * of the nonce, as loaded from memory. */
struct ovpn_ctr_nonce {
	__u64 n0;
	__u32 n1;
};

struct ovpn_ctr_fill {
	__u8 *ctr;
	struct ovpn_ctr_nonce nonce;
};

/* Counter block @ctr at @p: nonce || BE32(ctr). Counters stay below 256, so
 * BE32(ctr) is ctr in byte 15, the top byte of the second word. */
_Static_assert(OVPN_AEAD_MAX_BLOCKS + 1 < 256, "GCM counters beyond one byte");

static __always_inline void ovpn_ctr_put(__u64 *p, const struct ovpn_ctr_nonce *n,
					 __u64 ctr)
{
	p[0] = n->n0;
	p[1] = n->n1 | ctr << 56;
}

/* Blocks 1 + 4i .. 4 + 4i, i.e. counters 2 + 4i .. 5 + 4i. */
static long ovpn_ctr_fill_cb(__u64 i, void *ctx)
{
	struct ovpn_ctr_fill *c = ctx;
	__u64 *p, ctr;

	if (i >= OVPN_CTR_MAX_CHUNKS)
		return 1;
	p = (__u64 *)(c->ctr + 16 + i * OVPN_CTR_CHUNK);
	ctr = 2 + i * 4;
	ovpn_ctr_put(p, &c->nonce, ctr);
	ovpn_ctr_put(p + 2, &c->nonce, ctr + 1);
	ovpn_ctr_put(p + 4, &c->nonce, ctr + 2);
	ovpn_ctr_put(p + 6, &c->nonce, ctr + 3);
	return 0;
}

/* @size bytes of counter blocks at @src encrypted to @dst by one kfunc call.
 * Returns 0 or -errno. */
static __always_inline int ovpn_ctr_encrypt(struct ovpn_aead_key *k, __u8 *src,
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

/* Keystream for @nblocks (<= OVPN_AEAD_MAX_BLOCKS) blocks of data, plus the
 * tag mask E(J0) in front, into s->ks, by one call. Returns 0 or -errno. */
static __always_inline int ovpn_ctr_keystream(struct ovpn_aead_key *k,
					      struct ovpn_scratch *s,
					      const struct ovpn_ctr_nonce *nonce,
					      __u32 nblocks)
{
	struct ovpn_ctr_fill c = { .ctr = s->ctr, .nonce = *nonce };

	if (nblocks > OVPN_AEAD_MAX_BLOCKS)
		return -E2BIG;
	ovpn_ctr_put((__u64 *)s->ctr, nonce, 1);
	bpf_loop((nblocks + 3) / 4, ovpn_ctr_fill_cb, &c, 0);
	return ovpn_ctr_encrypt(k, s->ctr, s->ks, (nblocks + 1) * 16);
}

/* The tag mask E(J0) alone into s->ks[0..16): opening checks the tag before
 * it spends anything on the data's keystream. Returns 0 or -errno. */
static __always_inline int ovpn_ctr_tag_mask(struct ovpn_aead_key *k,
					     struct ovpn_scratch *s,
					     const struct ovpn_ctr_nonce *nonce)
{
	ovpn_ctr_put((__u64 *)s->ctr, nonce, 1);
	return ovpn_ctr_encrypt(k, s->ctr, s->ks, 16);
}

/* The keystream of @nblocks (1..OVPN_AEAD_MAX_BLOCKS) data blocks into
 * s->ks from byte 16. Returns 0 or -errno. */
static __always_inline int ovpn_ctr_data(struct ovpn_aead_key *k,
					 struct ovpn_scratch *s,
					 const struct ovpn_ctr_nonce *nonce,
					 __u32 nblocks)
{
	struct ovpn_ctr_fill c = { .ctr = s->ctr, .nonce = *nonce };

	if (!nblocks || nblocks > OVPN_AEAD_MAX_BLOCKS)
		return nblocks ? -E2BIG : 0;
	bpf_loop((nblocks + 3) / 4, ovpn_ctr_fill_cb, &c, 0);
	return ovpn_ctr_encrypt(k, s->ctr + 16, s->ks + 16, nblocks * 16);
}

struct ovpn_ctr_xor {
	__u8 *buf;
	const __u8 *ks;
};

static long ovpn_ctr_xor_cb(__u64 i, void *ctx)
{
	struct ovpn_ctr_xor *c = ctx;
	const __u64 *k;
	__u64 *p;

	if (i >= OVPN_CTR_MAX_CHUNKS)
		return 1;
	p = (__u64 *)(c->buf + i * OVPN_CTR_CHUNK);
	k = (const __u64 *)(c->ks + 16 + i * OVPN_CTR_CHUNK);
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
static __always_inline void ovpn_ctr_xor(struct ovpn_scratch *s, __u32 len)
{
	struct ovpn_ctr_xor c = { .buf = s->buf, .ks = s->ks };

	bpf_loop((len + OVPN_CTR_CHUNK - 1) / OVPN_CTR_CHUNK, ovpn_ctr_xor_cb, &c, 0);
}

#endif /* OVPN_AES_CTR_H */
