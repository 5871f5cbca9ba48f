/* SPDX-License-Identifier: GPL-2.0 */
/* ChaCha20 (RFC 8439 §2.3-2.4) in BPF.
 *
 * chacha20_xor() XORs the keystream into a region of the per-CPU scratch,
 * one 64-byte block per bpf_loop iteration (the kernel inlines bpf_loop, so
 * an iteration costs one BPF-to-BPF call). Whole blocks are processed: a
 * region must have room for its length rounded up to 64 bytes, and bytes
 * past the length are garbage afterwards.
 *
 * The block function keeps the 16 state words as 32-bit locals: with
 * -mcpu=v3 clang emits 32-bit ALU ops, which the x86 JIT maps one to one.
 * BPF has ten registers and no rotate (a rotation is a copy, two shifts and
 * an OR), so a double round is ~300 instructions with spills; the CPU runs
 * it at ~6 instructions per cycle. A hand-allocated asm version (b and d
 * words in registers, a and c words in memory, 256 instructions) measured
 * only 1.5% faster: not worth it.
 */
#ifndef OVX_CHACHA20_H
#define OVX_CHACHA20_H

#include "common.h"

#define CHACHA20_BLOCK_LEN	64
#define CHACHA20_MAX_BLOCKS	(OVX_AEAD_MAX_LEN / CHACHA20_BLOCK_LEN)

/* "expand 32-byte k" */
#define CHACHA20_C0	0x61707865
#define CHACHA20_C1	0x3320646e
#define CHACHA20_C2	0x79622d32
#define CHACHA20_C3	0x6b206574

/* Input block in scratch memory; in[12] = the counter of dst[0..64). */
struct chacha20 {
	__u32 in[16];
};

/* The callback context of chacha20_xor(): lives on the caller's stack, kept
 * small since the stacks of the caller and the callback add up. */
struct chacha20_ctx {
	const struct chacha20 *st;	/* map value */
	__u8 *dst;			/* scratch region (map value) */
};

/* Constants, key, block counter, nonce. */
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

#define CHACHA20_ROTL(v, n)	(((v) << (n)) | ((v) >> (32 - (n))))

#define CHACHA20_QR(a, b, c, d)						\
	do {								\
		a += b; d ^= a; d = CHACHA20_ROTL(d, 16);		\
		c += d; b ^= c; b = CHACHA20_ROTL(b, 12);		\
		a += b; d ^= a; d = CHACHA20_ROTL(d, 8);		\
		c += d; b ^= c; b = CHACHA20_ROTL(b, 7);		\
	} while (0)

/* bpf_loop callback: XORs keystream block @i (counter in[12] + @i) into
 * c->dst[64 * i .. 64 * i + 64). */
static long chacha20_xor_block(__u64 i, void *data)
{
	struct chacha20_ctx *c = data;
	const __u32 *in = c->st->in;
	__u32 ctr = in[12] + (__u32)i;
	__u32 x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3];
	__u32 x4 = in[4], x5 = in[5], x6 = in[6], x7 = in[7];
	__u32 x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11];
	__u32 x12 = ctr, x13 = in[13], x14 = in[14], x15 = in[15];
	__u32 *p;
	int r;

	if (i >= CHACHA20_MAX_BLOCKS)
		return 1;
	for (r = 0; r < 10; r++) {
		CHACHA20_QR(x0, x4, x8, x12);
		CHACHA20_QR(x1, x5, x9, x13);
		CHACHA20_QR(x2, x6, x10, x14);
		CHACHA20_QR(x3, x7, x11, x15);
		CHACHA20_QR(x0, x5, x10, x15);
		CHACHA20_QR(x1, x6, x11, x12);
		CHACHA20_QR(x2, x7, x8, x13);
		CHACHA20_QR(x3, x4, x9, x14);
	}
	/* keystream = final state + input state, XORed 32 bits at a time:
	 * cheaper than pairing words into 64 bits */
	p = (__u32 *)(c->dst + i * CHACHA20_BLOCK_LEN);
	p[0] ^= x0 + in[0];
	p[1] ^= x1 + in[1];
	p[2] ^= x2 + in[2];
	p[3] ^= x3 + in[3];
	p[4] ^= x4 + in[4];
	p[5] ^= x5 + in[5];
	p[6] ^= x6 + in[6];
	p[7] ^= x7 + in[7];
	p[8] ^= x8 + in[8];
	p[9] ^= x9 + in[9];
	p[10] ^= x10 + in[10];
	p[11] ^= x11 + in[11];
	p[12] ^= x12 + ctr;
	p[13] ^= x13 + in[13];
	p[14] ^= x14 + in[14];
	p[15] ^= x15 + in[15];
	return 0;
}

/* XORs @nblocks (at most CHACHA20_MAX_BLOCKS) keystream blocks into @dst,
 * starting with block counter st->in[12]. */
static __always_inline void chacha20_xor(const struct chacha20 *st, __u8 *dst,
					 __u32 nblocks)
{
	struct chacha20_ctx c = { .st = st, .dst = dst };

	bpf_loop(nblocks, chacha20_xor_block, &c, 0);
}

#endif /* OVX_CHACHA20_H */
