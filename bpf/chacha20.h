/* SPDX-License-Identifier: GPL-2.0 */
/* ChaCha20 (RFC 8439 §2.3-2.4) in BPF.
 *
 * chacha20_xor() XORs the keystream into a region of the per-CPU scratch,
 * one 64-byte block per bpf_loop iteration (the kernel inlines bpf_loop, so
 * an iteration costs one BPF-to-BPF call). Whole blocks are processed: a
 * region must have room for its length rounded up to 64 bytes, and bytes
 * past the length are garbage afterwards.
 *
 * The block function is register-bound: BPF has ten registers for sixteen
 * state words, and no rotate (a rotation is a copy, two shifts and an OR).
 * Left to clang, the words shuttle between registers and the stack with
 * extra copies. Instead each double round is one asm block that keeps the
 * b and d words of the quarter-rounds (x4..x7, x12..x15) in eight
 * registers, and the a and c words (x0..x3, x8..x11) in eight words of
 * scratch memory: one register for their address, one temporary. A quarter
 * -round step "a += b; d ^= a; d <<<= n" becomes "t = a; t += b; d ^= t;
 * a = t; d <<<= n" with a in memory. The a and c words are needed later in
 * a quarter-round than b and d, so their store-to-load round trips stay
 * off the critical path; the steps of the four quarter-rounds of a round
 * are interleaved. This is about 10% faster than the plain C version and
 * the callback needs 64 bytes of stack instead of ~150.
 */
#ifndef OVPN_CHACHA20_H
#define OVPN_CHACHA20_H

#define CHACHA20_BLOCK_LEN	64
#define CHACHA20_MAX_BLOCKS	(OVPN_AEAD_MAX_LEN / CHACHA20_BLOCK_LEN)

/* "expand 32-byte k" */
#define CHACHA20_C0	0x61707865
#define CHACHA20_C1	0x3320646e
#define CHACHA20_C2	0x79622d32
#define CHACHA20_C3	0x6b206574

/* ChaCha20 state in scratch memory. */
struct chacha20 {
	__u32 in[16];		/* input block; in[12] = counter of dst[0..64) */
	__u32 ac[8];		/* working words x0..x3 (a), x8..x11 (c) */
};

/* The callback context of chacha20_xor(): lives on the caller's stack, kept
 * small since the stacks of the caller and the callback add up. */
struct chacha20_ctx {
	struct chacha20 *st;	/* map value */
	__u8 *dst;		/* scratch region (map value) to XOR into */
};

/* The 16 input words of block @counter: constants, key, counter, nonce. */
static __always_inline void chacha20_init(struct chacha20 *st, const __u32 key[8],
					  __u32 counter, __u32 n0, __u32 n1,
					  __u32 n2)
{
	int i;

	st->in[0] = CHACHA20_C0;
	st->in[1] = CHACHA20_C1;
	st->in[2] = CHACHA20_C2;
	st->in[3] = CHACHA20_C3;
	for (i = 0; i < 8; i++)
		st->in[4 + i] = key[i];
	st->in[12] = counter;
	st->in[13] = n0;
	st->in[14] = n1;
	st->in[15] = n2;
}

/* Word @i of in[] and of ac[], with %[p] = ac. */
#define CHACHA20_IN(i)	"*(u32 *)(%[p] - 64 + 4 * " #i ")"
#define CHACHA20_AC(i)	"*(u32 *)(%[p] + 4 * " #i ")"

/* One quarter-round step: x_i += @y; @z ^= x_i; @z <<<= @n (@m = 32 - @n),
 * x_i = ac[@i] an a or c word in memory, @y and @z registers. */
#define CHACHA20_STEP(i, y, z, n, m)					\
	"%[t] = " CHACHA20_AC(i) "\n\t"					\
	"%[t] += %[" #y "]\n\t"						\
	"%[" #z "] ^= %[t]\n\t"						\
	CHACHA20_AC(i) " = %[t]\n\t"					\
	"%[t] = %[" #z "]\n\t"						\
	"%[t] >>= " #m "\n\t"						\
	"%[" #z "] <<= " #n "\n\t"					\
	"%[" #z "] |= %[t]\n\t"

/* A round of four quarter-rounds (a_k, b_k, c_k, d_k), step by step across
 * the four; a_k and c_k index ac[], b_k and d_k are registers. */
#define CHACHA20_ROUND(a0, b0, c0, d0, a1, b1, c1, d1,			\
		       a2, b2, c2, d2, a3, b3, c3, d3)			\
	CHACHA20_STEP(a0, b0, d0, 16, 16) CHACHA20_STEP(a1, b1, d1, 16, 16)	\
	CHACHA20_STEP(a2, b2, d2, 16, 16) CHACHA20_STEP(a3, b3, d3, 16, 16)	\
	CHACHA20_STEP(c0, d0, b0, 12, 20) CHACHA20_STEP(c1, d1, b1, 12, 20)	\
	CHACHA20_STEP(c2, d2, b2, 12, 20) CHACHA20_STEP(c3, d3, b3, 12, 20)	\
	CHACHA20_STEP(a0, b0, d0, 8, 24) CHACHA20_STEP(a1, b1, d1, 8, 24)	\
	CHACHA20_STEP(a2, b2, d2, 8, 24) CHACHA20_STEP(a3, b3, d3, 8, 24)	\
	CHACHA20_STEP(c0, d0, b0, 7, 25) CHACHA20_STEP(c1, d1, b1, 7, 25)	\
	CHACHA20_STEP(c2, d2, b2, 7, 25) CHACHA20_STEP(c3, d3, b3, 7, 25)

/* Columns (x0, x4, x8, x12) ..., then diagonals (x0, x5, x10, x15) ...:
 * x0..x3 are ac[0..3], x8..x11 ac[4..7], x4..x7 b0..b3, x12..x15 d0..d3. */
#define CHACHA20_DOUBLE_ROUND						\
	CHACHA20_ROUND(0, b0, 4, d0, 1, b1, 5, d1,			\
		       2, b2, 6, d2, 3, b3, 7, d3)			\
	CHACHA20_ROUND(0, b1, 6, d3, 1, b2, 7, d0,			\
		       2, b3, 4, d1, 3, b0, 5, d2)

/* Loads in[@i] into register @r; copies in[@i] to ac[@j] through @r. */
#define CHACHA20_LOAD(r, i)	"%[" #r "] = " CHACHA20_IN(i) "\n\t"
#define CHACHA20_COPY(r, i, j)	CHACHA20_LOAD(r, i) CHACHA20_AC(j) " = %[" #r "]\n\t"

/* bpf_loop callback: XORs keystream block @i (counter in[12] + @i) into
 * c->dst[64 * i .. 64 * i + 64). The 20 rounds are one asm block, with
 * b and d words as outputs: clang only sees what comes in and out. */
static long chacha20_xor_block(__u64 i, void *data)
{
	struct chacha20_ctx *c = data;
	struct chacha20 *st = c->st;
	const __u32 *in = st->in, *ac = st->ac;
	__u32 b0, b1, b2, b3, d0, d1, d2, d3, t = i;
	__u32 *p;

	if (i >= CHACHA20_MAX_BLOCKS)
		return 1;
	asm volatile(CHACHA20_COPY(b0, 0, 0) CHACHA20_COPY(b1, 1, 1)
		     CHACHA20_COPY(b2, 2, 2) CHACHA20_COPY(b3, 3, 3)
		     CHACHA20_COPY(d0, 8, 4) CHACHA20_COPY(d1, 9, 5)
		     CHACHA20_COPY(d2, 10, 6) CHACHA20_COPY(d3, 11, 7)
		     CHACHA20_LOAD(b0, 4) CHACHA20_LOAD(b1, 5)
		     CHACHA20_LOAD(b2, 6) CHACHA20_LOAD(b3, 7)
		     CHACHA20_LOAD(d0, 12) "%[d0] += %[t]\n\t"
		     CHACHA20_LOAD(d1, 13) CHACHA20_LOAD(d2, 14)
		     CHACHA20_LOAD(d3, 15)
		     CHACHA20_DOUBLE_ROUND CHACHA20_DOUBLE_ROUND
		     CHACHA20_DOUBLE_ROUND CHACHA20_DOUBLE_ROUND
		     CHACHA20_DOUBLE_ROUND CHACHA20_DOUBLE_ROUND
		     CHACHA20_DOUBLE_ROUND CHACHA20_DOUBLE_ROUND
		     CHACHA20_DOUBLE_ROUND CHACHA20_DOUBLE_ROUND
		     : [b0] "=&w"(b0), [b1] "=&w"(b1), [b2] "=&w"(b2),
		       [b3] "=&w"(b3), [d0] "=&w"(d0), [d1] "=&w"(d1),
		       [d2] "=&w"(d2), [d3] "=&w"(d3), [t] "+w"(t)
		     : [p] "r"(ac)
		     : "memory");
	/* keystream = final state + input state, XORed 32 bits at a time */
	p = (__u32 *)(c->dst + i * CHACHA20_BLOCK_LEN);
	p[0] ^= ac[0] + in[0];
	p[1] ^= ac[1] + in[1];
	p[2] ^= ac[2] + in[2];
	p[3] ^= ac[3] + in[3];
	p[4] ^= b0 + in[4];
	p[5] ^= b1 + in[5];
	p[6] ^= b2 + in[6];
	p[7] ^= b3 + in[7];
	p[8] ^= ac[4] + in[8];
	p[9] ^= ac[5] + in[9];
	p[10] ^= ac[6] + in[10];
	p[11] ^= ac[7] + in[11];
	p[12] ^= d0 + in[12] + (__u32)i;
	p[13] ^= d1 + in[13];
	p[14] ^= d2 + in[14];
	p[15] ^= d3 + in[15];
	return 0;
}

/* XORs @nblocks (at most CHACHA20_MAX_BLOCKS) keystream blocks into @dst,
 * starting with block counter st->in[12]. */
static __always_inline void chacha20_xor(struct chacha20 *st, __u8 *dst,
					 __u32 nblocks)
{
	struct chacha20_ctx c = { .st = st, .dst = dst };

	bpf_loop(nblocks, chacha20_xor_block, &c, 0);
}

#endif /* OVPN_CHACHA20_H */
