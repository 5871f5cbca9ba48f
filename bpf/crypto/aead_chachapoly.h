/* SPDX-License-Identifier: GPL-2.0 */
/* ChaCha20-Poly1305 (RFC 8439 §2.8) for the OpenVPN data channel.
 *
 * Over the scratch (see aead.h): the one-time Poly1305 key is ChaCha20 block
 * 0 (computed into s->ks), the data is XORed in place with blocks 1, 2, ...,
 * and the tag authenticates AAD | pad16 | ciphertext | pad16 | LE64(AAD
 * length) | LE64(ciphertext length). Opening computes and checks the tag
 * before it decrypts anything: s->buf is unchanged unless the tag verifies.
 *
 * OpenVPN's layout: AAD = the 8-byte header s->aad, nonce = packet-id
 * (aad[4..8]) || the key's implicit IV. The _raw variants take any 12-byte
 * nonce and up to OVX_AEAD_RAW_AAD_MAX bytes of AAD, for standard vectors.
 *
 * The working state lives in s->ctr (unused by this cipher), not on the
 * stack: the stacks of a program, its subprograms and the bpf_loop
 * callbacks together must stay within 512 bytes. The functions here keep
 * only two small bpf_loop contexts on the stack.
 */
#ifndef OVX_AEAD_CHACHAPOLY_H
#define OVX_AEAD_CHACHAPOLY_H

#include "common.h"
#include "scratch.h"

#include "chacha20.h"
#include "poly1305.h"

#ifndef OVX_AEAD_RAW_AAD_MAX
#define OVX_AEAD_RAW_AAD_MAX	64
#endif

struct chachapoly_state {
	struct poly1305 mac;
	struct chacha20 cipher;
};

_Static_assert(sizeof(struct chachapoly_state) <=
	       sizeof(((struct ovx_scratch *)0)->ctr),
	       "ChaCha20-Poly1305 state does not fit in the scratch");

static __always_inline struct chachapoly_state *
chachapoly_state(struct ovx_scratch *s)
{
	return (struct chachapoly_state *)s->ctr;
}

/* Key and nonce; the Poly1305 key from block 0; the cipher left at block 1. */
static __always_inline void chachapoly_begin(struct ovx_aead_key *k,
					     struct ovx_scratch *s, __u32 n0,
					     __u32 n1, __u32 n2)
{
	struct chachapoly_state *st = chachapoly_state(s);
	__u64 *ks = (__u64 *)s->ks;
	int i;

	chacha20_init(&st->cipher, (const __u32 *)k->key, 0, n0, n1, n2);
	for (i = 0; i < 8; i++)
		ks[i] = 0;
	chacha20_xor(&st->cipher, s->ks, 1);
	poly1305_init(&st->mac, ks);
	st->cipher.in[12] = 1;
}

/* MAC of the ciphertext s->buf[0..len) and of the lengths into @tag. The
 * last block is zero-padded: the 16 bytes past @len are cleared. */
static __always_inline void chachapoly_mac_ct(struct ovx_scratch *s,
					      __u32 aad_len, __u32 len,
					      __u64 tag[2])
{
	struct poly1305 *mac = &chachapoly_state(s)->mac;
	__u64 *pad = (__u64 *)(s->buf + len);

	pad[0] = 0;
	pad[1] = 0;
	poly1305_blocks(mac, s->buf, (len + 15) / 16);
	poly1305_block(mac, aad_len, len);
	poly1305_final(mac, tag);
}

/* MAC of @aad_len (<= OVX_AEAD_RAW_AAD_MAX) bytes of AAD at @aad, which has
 * room for OVX_AEAD_RAW_AAD_MAX bytes (8-byte aligned if on the stack); the
 * last block is zero-padded. */
static __always_inline void chachapoly_mac_aad(struct ovx_scratch *s,
					       const __u8 *aad, __u32 aad_len)
{
	struct poly1305 *mac = &chachapoly_state(s)->mac;
	__u32 i, n;

	for (i = 0; i < OVX_AEAD_RAW_AAD_MAX / 16; i++) {
		const __u64 *w = (const __u64 *)(aad + i * 16);
		__u64 lo = w[0], hi = w[1];

		if (i * 16 >= aad_len)
			break;
		n = aad_len - i * 16;
		if (n < 8)
			lo &= (1ULL << (n * 8)) - 1;
		if (n <= 8)
			hi = 0;
		else if (n < 16)
			hi &= (1ULL << ((n - 8) * 8)) - 1;
		poly1305_block(mac, lo, hi);
	}
}

static __always_inline void chachapoly_crypt(struct ovx_scratch *s, __u32 len)
{
	chacha20_xor(&chachapoly_state(s)->cipher, s->buf,
		     (len + CHACHA20_BLOCK_LEN - 1) / CHACHA20_BLOCK_LEN);
}

/* Seal: s->buf[0..len) to ciphertext, the tag into s->tag. */
static __always_inline void chachapoly_seal_data(struct ovx_scratch *s,
						 __u32 aad_len, __u32 len)
{
	__u64 *out = (__u64 *)s->tag;
	__u64 tag[2];

	chachapoly_crypt(s, len);
	chachapoly_mac_ct(s, aad_len, len, tag);
	out[0] = tag[0];
	out[1] = tag[1];
}

/* Open: checks s->tag in constant time, then decrypts. 0 or -EBADMSG. */
static __always_inline int chachapoly_open_data(struct ovx_scratch *s,
						__u32 aad_len, __u32 len)
{
	const __u64 *want = (const __u64 *)s->tag;
	__u64 tag[2];

	chachapoly_mac_ct(s, aad_len, len, tag);
	if ((want[0] ^ tag[0]) | (want[1] ^ tag[1]))
		return -EBADMSG;
	chachapoly_crypt(s, len);
	return 0;
}

/* OpenVPN: nonce = packet-id (as on the wire) || implicit IV, AAD = s->aad. */
static __always_inline void chachapoly_begin_ovpn(struct ovx_aead_key *k,
						  struct ovx_scratch *s)
{
	const __u32 *tail = (const __u32 *)k->nonce_tail;

	chachapoly_begin(k, s, *(const __u32 *)(s->aad + 4), tail[0], tail[1]);
	poly1305_block(&chachapoly_state(s)->mac, *(const __u64 *)s->aad, 0);
}

/* Out of line, like GCM's: the caller's frame then holds neither cipher's
 * locals, and the BPF stack (512 bytes for the whole chain) stays free for
 * the programs that call the AEAD. */
static __noinline __maybe_unused int ovx_chachapoly_seal(struct ovx_aead_key *k,
							  struct ovx_scratch *s, __u32 len)
{
	ovx_barrier_var(len);
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	chachapoly_begin_ovpn(k, s);
	chachapoly_seal_data(s, OVX_AAD_LEN, len);
	return 0;
}

static __noinline __maybe_unused int ovx_chachapoly_open(struct ovx_aead_key *k,
							  struct ovx_scratch *s, __u32 len)
{
	ovx_barrier_var(len);
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	chachapoly_begin_ovpn(k, s);
	return chachapoly_open_data(s, OVX_AAD_LEN, len);
}

/* Explicit 12-byte @nonce (4-byte aligned) and AAD; data and tag in scratch
 * as above. */
static __always_inline int chachapoly_begin_raw(struct ovx_aead_key *k,
						struct ovx_scratch *s,
						const __u8 *nonce,
						const __u8 *aad, __u32 aad_len)
{
	const __u32 *nw = (const __u32 *)nonce;

	if (aad_len > OVX_AEAD_RAW_AAD_MAX)
		return -EINVAL;
	chachapoly_begin(k, s, nw[0], nw[1], nw[2]);
	chachapoly_mac_aad(s, aad, aad_len);
	return 0;
}

static __always_inline int
ovx_chachapoly_seal_raw(struct ovx_aead_key *k, struct ovx_scratch *s,
			 const __u8 *nonce, const __u8 *aad, __u32 aad_len,
			 __u32 len)
{
	ovx_barrier_var(len);
	ovx_barrier_var(aad_len);
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	if (chachapoly_begin_raw(k, s, nonce, aad, aad_len))
		return -EINVAL;
	chachapoly_seal_data(s, aad_len, len);
	return 0;
}

static __always_inline int
ovx_chachapoly_open_raw(struct ovx_aead_key *k, struct ovx_scratch *s,
			 const __u8 *nonce, const __u8 *aad, __u32 aad_len,
			 __u32 len)
{
	ovx_barrier_var(len);
	ovx_barrier_var(aad_len);
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	if (chachapoly_begin_raw(k, s, nonce, aad, aad_len))
		return -EINVAL;
	return chachapoly_open_data(s, aad_len, len);
}

#endif /* OVX_AEAD_CHACHAPOLY_H */
