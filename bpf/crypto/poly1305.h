/* SPDX-License-Identifier: GPL-2.0 */
/* Poly1305 (RFC 8439 §2.5) in BPF.
 *
 * BPF has no 64x64->128 multiply, so the accumulator h and the key half r
 * are five 26-bit limbs ("donna-32" layout) and every partial product fits
 * in 64 bits. Limbs above 2^130 fold back multiplied by 5 (2^130 = 5 mod p),
 * hence the precomputed s = 5 r.
 *
 * Bulk data goes four blocks at a time, h = (h + m1) r^4 + m2 r^3 + m3 r^2 +
 * m4 r, with r^2..r^4 computed once per packet: only the first product
 * waits for the previous h. h and the products live in scratch memory and
 * are computed one limb (row) at a time, so that clang needs no stack for
 * them. One block at a time (h = (h + m) r) costs ~45% more.
 *
 * Bounds: limbs of r^n stay below 2^26 + 2^11 (s below 2^28.4), those of m
 * below 2^26 and of h + m below 2^27, so a row of the quad (three rows of
 * five products, plus one more row) stays below 2^59.2.
 *
 * Everything is branch-free on secret data.
 */
#ifndef OVX_POLY1305_H
#define OVX_POLY1305_H

#include "common.h"

#define POLY1305_M26	0x3ffffff
#define POLY1305_HIBIT	(1 << 24)	/* 2^128 in limb 4: a full 16-byte block */

struct poly1305 {
	__u64 h[5];		/* accumulator */
	__u64 r[4][2][5];	/* r^n mod p: r[n - 1][0] its limbs,
				 * r[n - 1][1] five times them */
	__u64 e[5];		/* m2 r^3 + m3 r^2 + m4 r of the quad in progress */
	__u64 pad[2];		/* second key half, added at the end */
};

/* The limbs of the 16-byte block @lo | @hi << 64, plus 2^128. */
#define POLY1305_SPLIT(m, lo, hi)						\
	do {									\
		m##0 = (lo) & POLY1305_M26;					\
		m##1 = ((lo) >> 26) & POLY1305_M26;				\
		m##2 = (((lo) >> 52) | ((hi) << 12)) & POLY1305_M26;		\
		m##3 = ((hi) >> 14) & POLY1305_M26;				\
		m##4 = ((hi) >> 40) | POLY1305_HIBIT;				\
	} while (0)

/* Keeps clang from hoisting loads of key limbs across rows: with ten
 * registers, hoisted loads only turn into stack spills. */
#define POLY1305_BARRIER()	asm volatile("" ::: "memory")

/* Limb @k of a * r mod p before carries: the schoolbook column, with the
 * limbs past 2^130 folded back as s = 5 r. */
static __always_inline __u64 poly1305_row(int k, __u64 a0, __u64 a1, __u64 a2,
					  __u64 a3, __u64 a4, const __u64 *r,
					  const __u64 *s)
{
	__u64 a[5] = { a0, a1, a2, a3, a4 }, d = 0;
	int i;

	for (i = 0; i < 5; i++)
		d += a[i] * (i <= k ? r[k - i] : s[5 + k - i]);
	return d;
}

/* h = a r^@n (+ st->e if @e) mod p, carried once around: limbs below 2^26,
 * h[1] below 2^26 + 2^11. Row by row: only a and the row in progress take
 * registers. */
static __always_inline void poly1305_mul(struct poly1305 *st, __u64 a0, __u64 a1,
					 __u64 a2, __u64 a3, __u64 a4, int n,
					 bool e)
{
	__u64 d, c = 0;
	int k;

	for (k = 0; k < 5; k++) {
		d = poly1305_row(k, a0, a1, a2, a3, a4, st->r[n - 1][0],
				 st->r[n - 1][1]);
		if (e)
			d += st->e[k];
		d += c;
		c = d >> 26;
		st->h[k] = d & POLY1305_M26;
		POLY1305_BARRIER();
	}
	d = st->h[0] + c * 5;
	st->h[0] = d & POLY1305_M26;
	st->h[1] += d >> 26;
}

/* e (= or +=) m r^@n for the block m = @lo | @hi << 64 (+ 2^128). */
static __always_inline void poly1305_mul_e(struct poly1305 *st, __u64 lo, __u64 hi,
					   int n, bool first)
{
	__u64 m0, m1, m2, m3, m4, d;
	int k;

	POLY1305_SPLIT(m, lo, hi);
	for (k = 0; k < 5; k++) {
		d = poly1305_row(k, m0, m1, m2, m3, m4, st->r[n - 1][0],
				 st->r[n - 1][1]);
		st->e[k] = first ? d : st->e[k] + d;
		POLY1305_BARRIER();
	}
}

/* r^@n = h, and 5 r^@n. */
static __always_inline void poly1305_set_power(struct poly1305 *st, int n)
{
	int k;

	for (k = 0; k < 5; k++) {
		st->r[n - 1][0][k] = st->h[k];
		st->r[n - 1][1][k] = st->h[k] * 5;
	}
}

/* @key: the 32-byte one-time key, as two clamped halves r and pad. */
static __always_inline void poly1305_init(struct poly1305 *st, const __u64 *key)
{
	__u64 t0 = key[0] & 0x0ffffffc0fffffffULL;
	__u64 t1 = key[1] & 0x0ffffffc0ffffffcULL;
	int k;

	st->h[0] = t0 & POLY1305_M26;
	st->h[1] = (t0 >> 26) & POLY1305_M26;
	st->h[2] = ((t0 >> 52) | (t1 << 12)) & POLY1305_M26;
	st->h[3] = (t1 >> 14) & POLY1305_M26;
	st->h[4] = t1 >> 40;
	poly1305_set_power(st, 1);
	for (k = 2; k <= 4; k++) {	/* h = r^(k - 1) r */
		poly1305_mul(st, st->h[0], st->h[1], st->h[2], st->h[3],
			     st->h[4], 1, false);
		poly1305_set_power(st, k);
	}
	for (k = 0; k < 5; k++)
		st->h[k] = 0;
	st->pad[0] = key[2];
	st->pad[1] = key[3];
}

/* h = (h + m) r for one block m = @lo | @hi << 64 (+ 2^128). Not inlined:
 * used for the AAD, the last blocks short of four and the lengths. */
static __noinline __maybe_unused void poly1305_block(struct poly1305 *st,
						     __u64 lo, __u64 hi)
{
	__u64 m0, m1, m2, m3, m4;

	POLY1305_SPLIT(m, lo, hi);
	poly1305_mul(st, st->h[0] + m0, st->h[1] + m1, st->h[2] + m2,
		     st->h[3] + m3, st->h[4] + m4, 1, false);
}

/* The bpf_loop context of poly1305_blocks(): on the caller's stack. */
struct poly1305_ctx {
	struct poly1305 *st;
	const __u8 *m;		/* map value */
};

/* bpf_loop callback: blocks m1..m4 = 4i..4i + 3 as
 * h = (h + m1) r^4 + m2 r^3 + m3 r^2 + m4 r. Only the last product depends
 * on h: the dependency chain from one h to the next is a quarter as long
 * as one block at a time. */
static long poly1305_quad_cb(__u64 i, void *data)
{
	struct poly1305_ctx *c = data;
	struct poly1305 *st = c->st;
	__u64 m0, m1, m2, m3, m4;
	const __u64 *w;

	if (i >= OVX_AEAD_MAX_BLOCKS / 4)
		return 1;
	w = (const __u64 *)(c->m + i * 64);
	poly1305_mul_e(st, w[2], w[3], 3, true);
	poly1305_mul_e(st, w[4], w[5], 2, false);
	poly1305_mul_e(st, w[6], w[7], 1, false);
	POLY1305_SPLIT(m, w[0], w[1]);
	poly1305_mul(st, st->h[0] + m0, st->h[1] + m1, st->h[2] + m2,
		     st->h[3] + m3, st->h[4] + m4, 4, true);
	return 0;
}

/* @nblocks (at most OVX_AEAD_MAX_BLOCKS) 16-byte blocks at @m, a map value
 * with room for them. */
static __always_inline void poly1305_blocks(struct poly1305 *st, const __u8 *m,
					    __u32 nblocks)
{
	struct poly1305_ctx c = { .st = st, .m = m };
	__u32 i;

	if (nblocks > OVX_AEAD_MAX_BLOCKS)
		return;
	bpf_loop(nblocks / 4, poly1305_quad_cb, &c, 0);
	for (i = nblocks & ~3U; i < nblocks && i < OVX_AEAD_MAX_BLOCKS; i++) {
		const __u64 *w = (const __u64 *)(m + i * 16);

		poly1305_block(st, w[0], w[1]);
	}
}

/* tag = (h mod p) + pad mod 2^128, as two little-endian 64-bit halves. */
static __always_inline void poly1305_final(struct poly1305 *st, __u64 tag[2])
{
	__u64 h0 = st->h[0], h1 = st->h[1], h2 = st->h[2], h3 = st->h[3];
	__u64 h4 = st->h[4], g0, g1, g2, g3, g4, c, mask, lo, hi;

	/* fully carry h */
	c = h1 >> 26; h1 &= POLY1305_M26; h2 += c;
	c = h2 >> 26; h2 &= POLY1305_M26; h3 += c;
	c = h3 >> 26; h3 &= POLY1305_M26; h4 += c;
	c = h4 >> 26; h4 &= POLY1305_M26; h0 += c * 5;
	c = h0 >> 26; h0 &= POLY1305_M26; h1 += c;

	/* g = h + 5 - 2^130: h >= p exactly when g does not borrow */
	g0 = h0 + 5; c = g0 >> 26; g0 &= POLY1305_M26;
	g1 = h1 + c; c = g1 >> 26; g1 &= POLY1305_M26;
	g2 = h2 + c; c = g2 >> 26; g2 &= POLY1305_M26;
	g3 = h3 + c; c = g3 >> 26; g3 &= POLY1305_M26;
	g4 = h4 + c - (1ULL << 26);

	/* mask = all ones if g did not borrow (take g), else zero (take h) */
	mask = (g4 >> 63) - 1;
	h0 = (h0 & ~mask) | (g0 & mask);
	h1 = (h1 & ~mask) | (g1 & mask);
	h2 = (h2 & ~mask) | (g2 & mask);
	h3 = (h3 & ~mask) | (g3 & mask);
	h4 = (h4 & ~mask) | (g4 & mask);

	/* h mod 2^128 as four 32-bit words, then + pad with carries */
	lo = h0 | (h1 << 26) | (h2 << 52);
	hi = (h2 >> 12) | (h3 << 14) | (h4 << 40);
	g0 = (lo & 0xffffffff) + (st->pad[0] & 0xffffffff);
	g1 = (lo >> 32) + (st->pad[0] >> 32) + (g0 >> 32);
	g2 = (hi & 0xffffffff) + (st->pad[1] & 0xffffffff) + (g1 >> 32);
	g3 = (hi >> 32) + (st->pad[1] >> 32) + (g2 >> 32);
	tag[0] = (g0 & 0xffffffff) | (g1 << 32);
	tag[1] = (g2 & 0xffffffff) | (g3 << 32);
}

#endif /* OVX_POLY1305_H */
