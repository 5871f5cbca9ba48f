/* SPDX-License-Identifier: GPL-2.0 */
/* AES-GCM (128/192/256, 96-bit nonce, 16-byte tag) for the OpenVPN data
 * channel, over the scratch (see aead.h).
 *
 * AES comes from the ecb(aes) kfunc (aes_ctr.h). GHASH runs in BPF with the
 * key's table (ghash.h). Sealing encrypts J0 and all the counter blocks in
 * one call, then encrypts and hashes each block in one pass. Opening
 * encrypts J0 alone, hashes the ciphertext and checks the tag, and only then
 * makes the data's keystream and decrypts: a packet with a bad tag costs
 * GHASH and one AES block, not the whole decryption (floods of forged
 * packets, issue 8).
 *
 * OpenVPN's layout: AAD = the 8-byte header s->aad, nonce = packet-id
 * (aad[4..8]) || the key's implicit IV. The _raw variants take any 12-byte
 * nonce and up to OVX_AEAD_RAW_AAD_MAX bytes of AAD, for standard vectors.
 */
#ifndef OVX_AEAD_GCM_H
#define OVX_AEAD_GCM_H

#include "common.h"

#include "aes_ctr.h"
#include "ghash.h"

#ifndef OVX_AEAD_RAW_AAD_MAX
#define OVX_AEAD_RAW_AAD_MAX	64
#endif

struct ovx_gcm_seal_loop {
	const struct ovx_ghash_table *t;
	struct ovx_scratch *s;
	struct ovx_ghash g;
};

/* Block @i: ciphertext = plaintext ^ keystream, then into GHASH. */
static long ovx_gcm_seal_cb(__u64 i, void *ctx)
{
	struct ovx_gcm_seal_loop *c = ctx;
	const __u64 *k;
	__u64 *p, w0, w1;

	if (i >= OVX_AEAD_MAX_BLOCKS)
		return 1;
	p = (__u64 *)(c->s->buf + i * 16);
	k = (const __u64 *)(c->s->ks + 16 + i * 16);
	w0 = p[0] ^ k[0];
	w1 = p[1] ^ k[1];
	p[0] = w0;
	p[1] = w1;
	ovx_ghash_block(c->t, &c->g, w0, w1);
	return 0;
}

/* Clears the 16 bytes past @len of @p: the padding of the last block. The
 * stores may be unaligned, which the verifier allows in map values on
 * architectures with efficient unaligned access (x86-64, arm64). */
static __always_inline void ovx_gcm_pad(__u8 *p, __u32 len)
{
	*(__u64 *)(p + len) = 0;
	*(__u64 *)(p + len + 8) = 0;
}

/* Tag = GHASH ^ E(J0), as the two words of its bytes. */
static __always_inline void ovx_gcm_tag(const struct ovx_scratch *s,
					 const struct ovx_ghash *g, __u64 tag[2])
{
	const __u64 *mask = (const __u64 *)s->ks;

	tag[0] = bpf_cpu_to_be64(g->hi) ^ mask[0];
	tag[1] = bpf_cpu_to_be64(g->lo) ^ mask[1];
}

/* What the data part needs of the nonce and the AAD. */
struct ovx_gcm_req {
	struct ovx_ctr_nonce nonce;
	__u32 aad_len;
	struct ovx_ghash g;		/* GHASH of the AAD */
};

/* The data part of sealing, out of line: its stack does not add to that of
 * the other ciphers in the caller. @len <= OVX_AEAD_MAX_LEN. */
static __noinline int ovx_gcm_seal_req(struct ovx_aead_key *k,
					struct ovx_scratch *s,
					const struct ovx_gcm_req *req, __u32 len)
{
	struct ovx_gcm_seal_loop c = { .t = &k->ghash, .s = s, .g = req->g };
	__u32 nblocks = (len + 15) / 16;
	int err;

	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	err = ovx_ctr_keystream(k, s, &req->nonce, nblocks);
	if (err)
		return err;
	/* Zero plaintext and keystream past @len: zero ciphertext padding. */
	ovx_gcm_pad(s->buf, len);
	ovx_gcm_pad(s->ks + 16, len);
	bpf_loop(nblocks, ovx_gcm_seal_cb, &c, 0);
	ovx_ghash_lengths(&k->ghash, &c.g, req->aad_len, len);
	ovx_gcm_tag(s, &c.g, (__u64 *)s->tag);
	return 0;
}

/* The data part of opening: hash, check, decrypt. Returns 0, -EBADMSG or
 * -errno; s->buf[0..len) is left as it was unless the tag verifies. */
static __noinline int ovx_gcm_open_req(struct ovx_aead_key *k,
					struct ovx_scratch *s,
					const struct ovx_gcm_req *req, __u32 len)
{
	const __u64 *want = (const __u64 *)s->tag;
	__u32 nblocks = (len + 15) / 16;
	struct ovx_ghash g = req->g;
	__u64 t[2];
	int err;

	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	err = ovx_ctr_tag_mask(k, s, &req->nonce);
	if (err)
		return err;
	ovx_gcm_pad(s->buf, len);
	ovx_ghash_blocks(&k->ghash, &g, s->buf, nblocks);
	ovx_ghash_lengths(&k->ghash, &g, req->aad_len, len);
	ovx_gcm_tag(s, &g, t);
	/* Constant time: one branch on all 128 bits. */
	if ((t[0] ^ want[0]) | (t[1] ^ want[1]))
		return -EBADMSG;
	err = ovx_ctr_data(k, s, &req->nonce, nblocks);
	if (err)
		return err;
	ovx_ctr_xor(s, len);
	return 0;
}

/* OpenVPN's nonce and AAD, from the header in s->aad. */
static __always_inline void ovx_gcm_begin(struct ovx_aead_key *k,
					   struct ovx_scratch *s,
					   struct ovx_gcm_req *req)
{
	const __u32 *tail = (const __u32 *)k->nonce_tail;

	req->nonce.n0 = *(const __u32 *)(s->aad + 4) | (__u64)tail[0] << 32;
	req->nonce.n1 = tail[1];
	req->aad_len = OVX_AAD_LEN;
	req->g.hi = 0;
	req->g.lo = 0;
	ovx_ghash_update(&k->ghash, &req->g, *(const __u64 *)s->aad, 0);
}

static __always_inline int ovx_gcm_seal(struct ovx_aead_key *k,
					 struct ovx_scratch *s, __u32 len)
{
	struct ovx_gcm_req req;

	ovx_gcm_begin(k, s, &req);
	return ovx_gcm_seal_req(k, s, &req, len);
}

static __always_inline int ovx_gcm_open(struct ovx_aead_key *k,
					 struct ovx_scratch *s, __u32 len)
{
	struct ovx_gcm_req req;

	ovx_gcm_begin(k, s, &req);
	return ovx_gcm_open_req(k, s, &req, len);
}

/* Explicit 12-byte @nonce (4-byte aligned) and @aad_len bytes of AAD at @aad,
 * which has room for OVX_AEAD_RAW_AAD_MAX bytes (8-byte aligned). Returns 0
 * or -EINVAL. */
static __always_inline int ovx_gcm_begin_raw(struct ovx_aead_key *k,
					      const __u8 *nonce, const __u8 *aad,
					      __u32 aad_len, struct ovx_gcm_req *req)
{
	const __u32 *nw = (const __u32 *)nonce;

	ovx_barrier_var(aad_len);
	if (aad_len > OVX_AEAD_RAW_AAD_MAX)
		return -EINVAL;
	req->nonce.n0 = nw[0] | (__u64)nw[1] << 32;
	req->nonce.n1 = nw[2];
	req->aad_len = aad_len;
	req->g.hi = 0;
	req->g.lo = 0;
	ovx_ghash_aad(&k->ghash, &req->g, aad, aad_len, OVX_AEAD_RAW_AAD_MAX);
	return 0;
}

static __always_inline int
ovx_gcm_seal_raw(struct ovx_aead_key *k, struct ovx_scratch *s,
		  const __u8 *nonce, const __u8 *aad, __u32 aad_len, __u32 len)
{
	struct ovx_gcm_req req;

	if (ovx_gcm_begin_raw(k, nonce, aad, aad_len, &req))
		return -EINVAL;
	return ovx_gcm_seal_req(k, s, &req, len);
}

static __always_inline int
ovx_gcm_open_raw(struct ovx_aead_key *k, struct ovx_scratch *s,
		  const __u8 *nonce, const __u8 *aad, __u32 aad_len, __u32 len)
{
	struct ovx_gcm_req req;

	if (ovx_gcm_begin_raw(k, nonce, aad, aad_len, &req))
		return -EINVAL;
	return ovx_gcm_open_req(k, s, &req, len);
}

#endif /* OVX_AEAD_GCM_H */
