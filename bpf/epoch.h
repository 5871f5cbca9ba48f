/* SPDX-License-Identifier: GPL-2.0 */
/* OpenVPN 2.7's epoch data format (include/ovx_epoch.h, docs/epoch.md):
 * its header read and written here only, and sealing and opening with the
 * tag at the end and the XOR nonce, over the AEAD's _raw variants.
 *
 * At @off of a packet dynptr:  header (12, the AAD) | data (@len) | tag (16).
 * Opening verifies first and writes nothing to the packet unless the tag
 * verifies (ovx_epoch_open leaves the plaintext in scratch only). */
#ifndef OVX_EPOCH_H
#define OVX_EPOCH_H

#include "common.h"
#include "ovx_epoch.h"
#include "proto.h"
#include "aead.h"

/* Nonce and AAD of the packet in flight: in a map, the stack is short. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_aead_raw);
} ovx_epoch_raw SEC(".maps");

static __always_inline __u32 ovx_epoch_of(const __u8 *h)
{
	return (__u32)h[4] << 8 | h[5];
}

static __always_inline __u64 ovx_epoch_counter(const __u8 *h)
{
	return (__u64)h[6] << 40 | (__u64)h[7] << 32 | (__u64)h[8] << 24 |
	       (__u64)h[9] << 16 | (__u64)h[10] << 8 | h[11];
}

/* The header of @key_id, @peer_id, @epoch and @counter into @h
 * (OVX_EPOCH_AAD_LEN bytes). */
static __always_inline void ovx_epoch_pack(__u8 *h, __u32 key_id, __u32 peer_id,
					    __u32 epoch, __u64 counter)
{
	ovx_proto_pack(h, key_id, peer_id, 0);
	h[4] = epoch >> 8, h[5] = epoch;
	h[6] = counter >> 40, h[7] = counter >> 32, h[8] = counter >> 24;
	h[9] = counter >> 16, h[10] = counter >> 8, h[11] = counter;
}

/* AAD and nonce for @k from the header already in r->aad. */
static __always_inline void ovx_epoch_nonce(const struct ovx_epoch_key *k,
					     struct ovx_aead_raw *r)
{
	r->aad_len = OVX_EPOCH_AAD_LEN;
	for (int i = 0; i < 8; i++)
		r->nonce[i] = r->aad[4 + i] ^ k->iv[i];
	for (int i = 8; i < OVX_EPOCH_IV_LEN; i++)
		r->nonce[i] = k->iv[i];
}

/* Reads the header at @off into @r (AAD and nonce for @k). */
static __always_inline int ovx_epoch_begin(struct bpf_dynptr *pkt, __u32 off,
					    const struct ovx_epoch_key *k,
					    struct ovx_aead_raw *r)
{
	if (bpf_dynptr_read(r->aad, OVX_EPOCH_AAD_LEN, pkt, off, 0))
		return -EINVAL;
	ovx_epoch_nonce(k, r);
	return 0;
}

static __always_inline struct ovx_aead_raw *ovx_epoch_raw_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ovx_epoch_raw, &zero);
}

/* Verifies and decrypts into scratch (ovx_scratch_get()->buf), writing
 * nothing to the packet. Returns 0, -EBADMSG (tag), -E2BIG, -EINVAL (packet
 * shorter than @off + 28 + @len), -ENOENT (no AES context), -EOPNOTSUPP. */
static __noinline __maybe_unused int ovx_epoch_open(struct bpf_dynptr *pkt, __u32 off,
						     __u32 len, struct ovx_epoch_key *k)
{
	struct ovx_scratch *s = ovx_scratch_get();
	struct ovx_aead_raw *r = ovx_epoch_raw_get();

	if (!s || !r)
		return -EINVAL;
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	if (ovx_epoch_begin(pkt, off, k, r) ||
	    bpf_dynptr_read(s->buf, len, pkt, off + OVX_EPOCH_AAD_LEN, 0) ||
	    bpf_dynptr_read(s->tag, OVX_TAG_LEN, pkt, off + OVX_EPOCH_AAD_LEN + len, 0))
		return -EINVAL;
	return ovx_aead_open_raw(&k->aead, s, r, len);
}

/* Decrypts in place: ovx_epoch_open, then the plaintext replaces the
 * ciphertext (the tag stays behind it). Same results. */
static __always_inline __maybe_unused int ovx_epoch_decrypt(struct bpf_dynptr *pkt, __u32 off,
							     __u32 len, struct ovx_epoch_key *k)
{
	struct ovx_scratch *s;
	int err;

	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	err = ovx_epoch_open(pkt, off, len, k);
	if (err)
		return err;
	s = ovx_scratch_get();
	if (!s)
		return -EINVAL;
	return bpf_dynptr_write(pkt, off + OVX_EPOCH_AAD_LEN, s->buf, len, 0);
}

/* Encrypts in place: the header (with its epoch and counter) must already be
 * at @off and the plaintext at @off + 12; the ciphertext replaces it and the
 * tag goes after it, at @off + 12 + @len (the packet must be that long). */
static __noinline __maybe_unused int ovx_epoch_encrypt(struct bpf_dynptr *pkt, __u32 off,
							__u32 len, struct ovx_epoch_key *k)
{
	struct ovx_scratch *s = ovx_scratch_get();
	struct ovx_aead_raw *r = ovx_epoch_raw_get();
	int err;

	if (!s || !r)
		return -EINVAL;
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	if (ovx_epoch_begin(pkt, off, k, r) ||
	    bpf_dynptr_read(s->buf, len, pkt, off + OVX_EPOCH_AAD_LEN, 0))
		return -EINVAL;
	err = ovx_aead_seal_raw(&k->aead, s, r, len);
	if (err)
		return err;
	if (bpf_dynptr_write(pkt, off + OVX_EPOCH_AAD_LEN, s->buf, len, 0))
		return -EINVAL;
	return bpf_dynptr_write(pkt, off + OVX_EPOCH_AAD_LEN + len, s->tag, OVX_TAG_LEN, 0);
}

/* Renumbers a packet sealed with @from (OpenVPN's own, on its way out) to
 * the 64-bit packet-id @id (epoch << 48 | counter) of @to: opens it, rewrites
 * the packet-id, seals it again, so that every packet of the peer's key
 * comes from one counter. Nothing is written unless the tag verifies. Same
 * results as opening. */
static __always_inline __maybe_unused int ovx_epoch_reseal(struct bpf_dynptr *pkt, __u32 off,
							    __u32 len,
							    struct ovx_epoch_key *from,
							    struct ovx_epoch_key *to, __u64 id)
{
	struct ovx_scratch *s;
	struct ovx_aead_raw *r;
	int err;

	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	err = ovx_epoch_open(pkt, off, len, from);
	if (err)
		return err;
	s = ovx_scratch_get();
	r = ovx_epoch_raw_get();
	if (!s || !r)
		return -EINVAL;
	/* r->aad still holds the header: only the packet-id changes */
	for (int i = 0; i < 8; i++)
		r->aad[4 + i] = id >> (56 - 8 * i);
	ovx_epoch_nonce(to, r);
	err = ovx_aead_seal_raw(&to->aead, s, r, len);
	if (err)
		return err;
	if (bpf_dynptr_write(pkt, off, r->aad, OVX_EPOCH_AAD_LEN, 0) ||
	    bpf_dynptr_write(pkt, off + OVX_EPOCH_AAD_LEN, s->buf, len, 0))
		return -EINVAL;
	return bpf_dynptr_write(pkt, off + OVX_EPOCH_AAD_LEN + len, s->tag, OVX_TAG_LEN, 0);
}

#endif /* OVX_EPOCH_H */
