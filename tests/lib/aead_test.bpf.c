// SPDX-License-Identifier: GPL-2.0
/* Drives the AEAD library of bpf/ through BPF_PROG_TEST_RUN, from XDP and TC. */
#include "common.h"
#include "test_entry.bpf.h"
#include "aead.h"
#include "aes_ctx.h"
#include "aead_test.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AEAD_TEST_KEYS);
	__type(key, __u32);
	__type(value, struct ovx_aead_key);
} test_keys SEC(".maps");

struct stash {
	__u8 b[OVX_DATA_HDR_LEN + OVX_AEAD_MAX_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stash);
} test_stash SEC(".maps");

SEC("syscall")
int aead_test_set_aes(struct ovx_aes_ctx_args *a)
{
	__u32 idx = a->map_key[0];
	struct ovx_aead_key *k = bpf_map_lookup_elem(&test_keys, &idx);

	a->err = k ? ovx_aes_ctx_install(k, a) : -ENOENT;
	return 0;
}

static __always_inline int stash_copy(struct bpf_dynptr *pkt, __u32 len, bool save)
{
	__u32 zero = 0;
	struct stash *st = bpf_map_lookup_elem(&test_stash, &zero);

	len += OVX_DATA_HDR_LEN;
	if (!st || len > sizeof(st->b))
		return -EINVAL;
	if (save)
		return bpf_dynptr_read(st->b, len, pkt, AEAD_TEST_OFF, 0);
	return bpf_dynptr_write(pkt, AEAD_TEST_OFF, st->b, len, 0);
}

static __always_inline int raw_ecb(struct ovx_aead_key *k, struct bpf_dynptr *pkt,
				   __u32 len)
{
	struct ovx_scratch *s = ovx_scratch_get();
	struct bpf_crypto_ctx *ctx;
	struct bpf_dynptr src, dst;
	__u32 off = AEAD_TEST_OFF + OVX_DATA_HDR_LEN;
	int err;

	if (!s || len == 0 || len > OVX_AEAD_MAX_LEN || (len & 15))
		return -EINVAL;
	if (bpf_dynptr_read(s->buf, len, pkt, off, 0))
		return -EINVAL;
	bpf_dynptr_from_mem(s->buf, len, 0, &src);
	bpf_dynptr_from_mem(s->ks, len, 0, &dst);
	ctx = k->aes;
	if (!ctx)
		return -ENOENT;
	err = bpf_crypto_encrypt(ctx, &src, &dst, NULL);
	if (err)
		return err;
	return bpf_dynptr_write(pkt, off, s->ks, len, 0);
}

/* Nonce and AAD of the _RAW ops: in a map, the stack is short. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_aead_raw);
} test_raw SEC(".maps");

_Static_assert(sizeof(struct aead_test_raw) == sizeof(struct ovx_aead_raw) &&
	       AEAD_TEST_RAW_AAD_MAX == OVX_AEAD_RAW_AAD_MAX,
	       "struct aead_test_raw differs from struct ovx_aead_raw");

/* AEAD_TEST_SEAL_RAW / OPEN_RAW: explicit nonce and AAD, in place. */
static __always_inline int raw_aead(struct ovx_aead_key *k, struct bpf_dynptr *pkt,
				    __u32 len, bool seal)
{
	struct ovx_scratch *s = ovx_scratch_get();
	__u32 off = AEAD_TEST_OFF + sizeof(struct ovx_aead_raw);
	struct ovx_aead_raw *r;
	__u32 zero = 0;
	int err;

	r = bpf_map_lookup_elem(&test_raw, &zero);
	if (!s || !r)
		return -EINVAL;
	if (len > OVX_AEAD_MAX_LEN)
		return -E2BIG;
	if (bpf_dynptr_read(r, sizeof(*r), pkt, AEAD_TEST_OFF, 0) ||
	    bpf_dynptr_read(s->tag, OVX_TAG_LEN, pkt, off, 0) ||
	    bpf_dynptr_read(s->buf, len, pkt, off + OVX_TAG_LEN, 0))
		return -EINVAL;
	err = seal ? ovx_aead_seal_raw(k, s, r, len) : ovx_aead_open_raw(k, s, r, len);
	if (err)
		return err;
	if (bpf_dynptr_write(pkt, off, s->tag, OVX_TAG_LEN, 0))
		return -EINVAL;
	return bpf_dynptr_write(pkt, off + OVX_TAG_LEN, s->buf, len, 0);
}

static __always_inline int run(struct bpf_dynptr *pkt)
{
	struct aead_test_hdr h;
	struct ovx_aead_key *k;
	__u32 off = AEAD_TEST_OFF;
	int ret;

	if (bpf_dynptr_read(&h, sizeof(h), pkt, 0, 0))
		return -EINVAL;
	k = bpf_map_lookup_elem(&test_keys, &h.key);
	if (!k)
		return -ENOENT;
	switch (h.op) {
	case AEAD_TEST_SEAL:
		return ovx_aead_encrypt(pkt, off, h.len, k);
	case AEAD_TEST_OPEN:
		return ovx_aead_decrypt(pkt, off, h.len, k);
	case AEAD_TEST_OPEN_RESTORE:
		if (stash_copy(pkt, h.len, true))
			return -EINVAL;
		ret = ovx_aead_decrypt(pkt, off, h.len, k);
		stash_copy(pkt, h.len, false);
		return ret;
	case AEAD_TEST_RESTORE:
		if (stash_copy(pkt, h.len, true))
			return -EINVAL;
		return stash_copy(pkt, h.len, false);
	case AEAD_TEST_ECB:
		return raw_ecb(k, pkt, h.len);
	case AEAD_TEST_SEAL_RAW:
		return raw_aead(k, pkt, h.len, true);
	case AEAD_TEST_OPEN_RAW:
		return raw_aead(k, pkt, h.len, false);
	}
	return -EOPNOTSUPP;
}

OVX_TEST_ENTRIES(aead_test, struct aead_test_hdr)

char LICENSE[] SEC("license") = "GPL";
