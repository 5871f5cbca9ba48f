/* SPDX-License-Identifier: GPL-2.0 */
/* The data-channel AEAD of OpenVPN, for XDP and TC programs alike.
 *
 * A P_DATA_V2 payload at offset @off of a packet dynptr is
 *     header (8 bytes, the AAD; packet-id at bytes 4..7) | tag (16) | data (@len)
 * and the nonce is packet-id || the key's implicit IV. Both functions work in
 * place in the packet: the payload is copied to per-CPU scratch, processed
 * there and written back. Decryption writes nothing to the packet unless the
 * tag verifies.
 *
 * Each cipher provides, over the scratch (aad, tag, buf[0..len)):
 *     int ovx_X_seal(k, s, len): buf plaintext -> ciphertext, sets tag
 *     int ovx_X_open(k, s, len): checks tag, then buf ciphertext -> plaintext;
 *                                 -EBADMSG if the tag does not verify
 */
#ifndef OVX_AEAD_H
#define OVX_AEAD_H

#include "common.h"

#include "scratch.h"

/* Largest AAD of the _raw variants (standard test vectors). */
#define OVX_AEAD_RAW_AAD_MAX	64

#include "aead_gcm.h"
#include "aead_chachapoly.h"

static __always_inline bool ovx_cipher_is_gcm(__u32 cipher)
{
	return cipher >= OVX_CIPHER_AES_128_GCM &&
	       cipher <= OVX_CIPHER_AES_256_GCM;
}

/* Reads header, tag and @len bytes of data at @off into scratch. */
static __always_inline struct ovx_scratch *
ovx_aead_load(struct bpf_dynptr *pkt, __u32 off, __u32 len)
{
	struct ovx_scratch *s = ovx_scratch_get();

	if (!s || len > OVX_AEAD_MAX_LEN)
		return NULL;
	if (bpf_dynptr_read(s->aad, OVX_AAD_LEN, pkt, off, 0) ||
	    bpf_dynptr_read(s->tag, OVX_TAG_LEN, pkt, off + OVX_AAD_LEN, 0) ||
	    bpf_dynptr_read(s->buf, len, pkt, off + OVX_DATA_HDR_LEN, 0))
		return NULL;
	return s;
}

/* Verifies and decrypts into scratch (ovx_scratch_get()->buf), writing
 * nothing to the packet: the caller decides what to release. Returns 0,
 * -EBADMSG (tag), -E2BIG (too long for the fast path), -EINVAL (packet shorter
 * than @off + 24 + @len) or -EOPNOTSUPP. */
static __noinline __maybe_unused int ovx_aead_open(struct bpf_dynptr *pkt, __u32 off,
				     __u32 len, struct ovx_aead_key *k)
{
	struct ovx_scratch *s;

	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	s = ovx_aead_load(pkt, off, len);
	if (!s)
		return -EINVAL;
	if (ovx_cipher_is_gcm(k->cipher))
		return ovx_gcm_open(k, s, len);
	if (k->cipher == OVX_CIPHER_CHACHA20_POLY1305)
		return ovx_chachapoly_open(k, s, len);
	return -EOPNOTSUPP;
}

/* Decrypts in place: ovx_aead_open, then the plaintext replaces the
 * ciphertext. Same results. */
static __always_inline int ovx_aead_decrypt(struct bpf_dynptr *pkt, __u32 off,
					     __u32 len, struct ovx_aead_key *k)
{
	struct ovx_scratch *s;
	int err;

	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	err = ovx_aead_open(pkt, off, len, k);
	if (err)
		return err;
	s = ovx_scratch_get();
	if (!s)
		return -EINVAL;
	return bpf_dynptr_write(pkt, off + OVX_DATA_HDR_LEN, s->buf, len, 0);
}

/* Encrypts in place: the header (with its packet-id) must already be at @off
 * and the plaintext at @off + 24; the tag is written at @off + 8. */
static __noinline __maybe_unused int ovx_aead_encrypt(struct bpf_dynptr *pkt, __u32 off,
					__u32 len, struct ovx_aead_key *k)
{
	struct ovx_scratch *s;
	int err;

	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	s = ovx_aead_load(pkt, off, len);
	if (!s)
		return -EINVAL;
	if (ovx_cipher_is_gcm(k->cipher))
		err = ovx_gcm_seal(k, s, len);
	else if (k->cipher == OVX_CIPHER_CHACHA20_POLY1305)
		err = ovx_chachapoly_seal(k, s, len);
	else
		err = -EOPNOTSUPP;
	if (err)
		return err;
	if (bpf_dynptr_write(pkt, off + OVX_AAD_LEN, s->tag, OVX_TAG_LEN, 0))
		return -EINVAL;
	return bpf_dynptr_write(pkt, off + OVX_DATA_HDR_LEN, s->buf, len, 0);
}

/* Any 12-byte nonce and up to OVX_AEAD_RAW_AAD_MAX bytes of AAD, for the
 * standard test vectors of each cipher (OpenVPN itself always uses the 8-byte
 * header as AAD). 8-byte aligned so that both fields can be read by words. */
struct ovx_aead_raw {
	__u8 nonce[OVX_NONCE_LEN];
	__u32 aad_len;
	__u8 aad[OVX_AEAD_RAW_AAD_MAX];
} __attribute__((aligned(8)));

/* Seal s->buf[0..len) into ciphertext and s->tag, with @r's nonce and AAD.
 * Returns 0, -E2BIG, -EINVAL (AAD too long), -ENOENT (no AES context) or
 * -EOPNOTSUPP. */
static __noinline __maybe_unused int ovx_aead_seal_raw(struct ovx_aead_key *k,
							struct ovx_scratch *s,
							const struct ovx_aead_raw *r,
							__u32 len)
{
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	if (ovx_cipher_is_gcm(k->cipher))
		return ovx_gcm_seal_raw(k, s, r->nonce, r->aad, r->aad_len, len);
	if (k->cipher == OVX_CIPHER_CHACHA20_POLY1305)
		return ovx_chachapoly_seal_raw(k, s, r->nonce, r->aad, r->aad_len, len);
	return -EOPNOTSUPP;
}

/* Check s->tag and open s->buf[0..len) with @r's nonce and AAD. Same
 * results, plus -EBADMSG; s->buf[0..len) is unchanged unless the tag
 * verifies. */
static __noinline __maybe_unused int ovx_aead_open_raw(struct ovx_aead_key *k,
							struct ovx_scratch *s,
							const struct ovx_aead_raw *r,
							__u32 len)
{
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	if (ovx_cipher_is_gcm(k->cipher))
		return ovx_gcm_open_raw(k, s, r->nonce, r->aad, r->aad_len, len);
	if (k->cipher == OVX_CIPHER_CHACHA20_POLY1305)
		return ovx_chachapoly_open_raw(k, s, r->nonce, r->aad, r->aad_len, len);
	return -EOPNOTSUPP;
}

#endif /* OVX_AEAD_H */
