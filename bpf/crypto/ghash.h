/* SPDX-License-Identifier: GPL-2.0 */
/* GHASH, the universal hash of GCM, with the key's 8-bit Shoup table.
 *
 * A field element is held as two big-endian halves {hi, lo} in GCM's
 * bit-reflected convention: coefficient x^0 is the top bit of hi, x^127 the
 * low bit of lo. Multiplying by x is a right shift, and x^128 = 1 + x + x^2 +
 * x^7 (0xE1 in the top byte).
 *
 * X * H is a sum over the bytes x_i of X (byte 0 first in memory) of
 * h[x_i] * x^8i, with h[b] = b * H from the key's table
 * (loader/lib/ghash_table.c). It is computed as A + B * x^64: A over bytes 0..7,
 * B over bytes 8..15, each by Horner (last byte first, times x^8 between
 * bytes) WITHOUT reduction: the bits that leave lo are kept in a third word,
 * so a step is shifts, XORs and the two table loads, and the two chains do
 * not wait on each other. The x^128.. part of the result is reduced once per
 * block, with shifts.
 *
 * Measured on 88 blocks: 1.45 us; the textbook Shoup loop (one chain of 15
 * steps, each reduced through a 256-entry table of x^128 multiples) takes
 * 2.45 us, as its every step waits on a table load; two such chains 1.6 us.
 */
#ifndef OVX_GHASH_H
#define OVX_GHASH_H

#include "common.h"

/* Running GHASH value Y, as {hi, lo}. */
struct ovx_ghash {
	__u64 hi, lo;
};

/* %[i] = &t->h[byte of %[w]]: the byte is (w >> (S + 4)) & 0xff, scaled by
 * the 16-byte entry: (w >> S) & 0xff0. */
#define OVX_GHASH_ENTRY(shift)						\
	"%[i] = %[w]\n\t"						\
	"%[i] " shift "\n\t"						\
	"%[i] &= 0xff0\n\t"						\
	"%[i] += %[t]\n\t"

/* {h, l, x} = {h, l, x} * x^8 + t->h[byte]: a 192-bit right shift by 8
 * (x takes what leaves l), then the entry into {h, l}. */
#define OVX_GHASH_STEP(shift)						\
	OVX_GHASH_ENTRY(">>= " #shift)					\
	"%[c] = %[l]\n\t"						\
	"%[c] <<= 56\n\t"						\
	"%[x] >>= 8\n\t"						\
	"%[x] |= %[c]\n\t"						\
	"%[c] = %[h]\n\t"						\
	"%[c] <<= 56\n\t"						\
	"%[l] >>= 8\n\t"						\
	"%[l] ^= %[c]\n\t"						\
	"%[h] >>= 8\n\t"						\
	"%[c] = *(u64 *)(%[i] + 0)\n\t"					\
	"%[h] ^= %[c]\n\t"						\
	"%[c] = *(u64 *)(%[i] + 8)\n\t"					\
	"%[l] ^= %[c]\n\t"

/* {h, l, x} = sum over the bytes w_j of @w (j = 0 the top byte) of
 * t->h[w_j] * x^8j, unreduced (x holds coefficients x^128..x^191).
 *
 * In assembly: clang, left to itself, extracts all bytes up front or
 * rearranges the shifts, runs out of the 10 BPF registers and spills. The
 * indices are masked to 0..0xff0, which the verifier checks against the
 * table. */
static __always_inline void ovx_ghash_chain(const struct ovx_ghash_table *t,
					     __u64 w, __u64 *h, __u64 *l, __u64 *x)
{
	__u64 i, c;

	asm volatile(
		OVX_GHASH_ENTRY("<<= 4")
		"%[h] = *(u64 *)(%[i] + 0)\n\t"
		"%[l] = *(u64 *)(%[i] + 8)\n\t"
		"%[x] = 0\n\t"
		OVX_GHASH_STEP(4)
		OVX_GHASH_STEP(12)
		OVX_GHASH_STEP(20)
		OVX_GHASH_STEP(28)
		OVX_GHASH_STEP(36)
		OVX_GHASH_STEP(44)
		OVX_GHASH_STEP(52)
		: [h] "=&r"(*h), [l] "=&r"(*l), [x] "=&r"(*x),
		  [i] "=&r"(i), [c] "=&r"(c)
		: [w] "r"(w), [t] "r"(t));
}

/* {hi, lo} = {hi, lo} * H. */
static __always_inline void ovx_ghash_mul(const struct ovx_ghash_table *t,
					   __u64 *hi, __u64 *lo)
{
	__u64 ah, al, ax, bh, bl, bx, u2, u3;

	ovx_ghash_chain(t, *hi, &ah, &al, &ax);
	ovx_ghash_chain(t, *lo, &bh, &bl, &bx);
	/* A + B * x^64 = {ah, al ^ bh, u2, u3}, with u2, u3 the coefficients
	 * of x^128..x^255: U = {u2, u3} * x^128 = U * (1 + x + x^2 + x^7). U
	 * stays below x^120 (u3's low byte is zero), so U * x^7 needs no
	 * further reduction. */
	u2 = ax ^ bl;
	u3 = bx;
	*hi = ah ^ u2 ^ u2 >> 1 ^ u2 >> 2 ^ u2 >> 7;
	*lo = al ^ bh ^ u3 ^ (u3 >> 1 | u2 << 63) ^ (u3 >> 2 | u2 << 62) ^
	      (u3 >> 7 | u2 << 57);
}

/* Y = (Y ^ block) * H for a block given as its two 8-byte words as loaded
 * from memory (@w0 holds bytes 0..7). */
static __always_inline void ovx_ghash_block(const struct ovx_ghash_table *t,
					     struct ovx_ghash *g, __u64 w0, __u64 w1)
{
	g->hi ^= bpf_be64_to_cpu(w0);
	g->lo ^= bpf_be64_to_cpu(w1);
	ovx_ghash_mul(t, &g->hi, &g->lo);
}

/* The same, out of line, for the few blocks per packet outside the data
 * (AAD, lengths): one copy of the unrolled code instead of one per use. */
static __noinline void ovx_ghash_update(const struct ovx_ghash_table *t,
					 struct ovx_ghash *g, __u64 w0, __u64 w1)
{
	ovx_ghash_block(t, g, w0, w1);
}

/* The final block: bit lengths of the AAD and of the ciphertext. */
static __always_inline void ovx_ghash_lengths(const struct ovx_ghash_table *t,
					       struct ovx_ghash *g,
					       __u32 aad_len, __u32 len)
{
	ovx_ghash_update(t, g, bpf_cpu_to_be64((__u64)aad_len * 8),
			  bpf_cpu_to_be64((__u64)len * 8));
}

/* First @n bytes of the 8-byte word @w as loaded from memory, the rest 0. */
static __always_inline __u64 ovx_ghash_head(__u64 w, __u32 n)
{
	if (n >= 8)
		return w;
	return w & ((1ULL << (n * 8)) - 1);
}

/* AAD of up to @max bytes (a multiple of 16) at @aad, 8-byte aligned and with
 * room for @max bytes; only the first @aad_len count, zero-padded. */
static __always_inline void ovx_ghash_aad(const struct ovx_ghash_table *t,
					   struct ovx_ghash *g, const __u8 *aad,
					   __u32 aad_len, __u32 max)
{
	__u32 i, n;

	for (i = 0; i < max; i += 16) {
		const __u64 *w = (const __u64 *)(aad + i);

		if (i >= aad_len)
			break;
		n = aad_len - i;
		ovx_ghash_update(t, g, ovx_ghash_head(w[0], n),
				  n > 8 ? ovx_ghash_head(w[1], n - 8) : 0);
	}
}

struct ovx_ghash_loop {
	const struct ovx_ghash_table *t;
	const __u8 *data;
	struct ovx_ghash g;
};

static long ovx_ghash_loop_cb(__u64 i, void *ctx)
{
	struct ovx_ghash_loop *c = ctx;
	const __u64 *w;

	if (i >= OVX_AEAD_MAX_BLOCKS)
		return 1;
	w = (const __u64 *)(c->data + i * 16);
	ovx_ghash_block(c->t, &c->g, w[0], w[1]);
	return 0;
}

/* @nblocks (<= OVX_AEAD_MAX_BLOCKS) whole blocks at @data, which must have
 * room for OVX_AEAD_MAX_LEN bytes. */
static __always_inline void ovx_ghash_blocks(const struct ovx_ghash_table *t,
					      struct ovx_ghash *g,
					      const __u8 *data, __u32 nblocks)
{
	struct ovx_ghash_loop c = { .t = t, .data = data, .g = *g };

	bpf_loop(nblocks, ovx_ghash_loop_cb, &c, 0);
	*g = c.g;
}

#endif /* OVX_GHASH_H */
