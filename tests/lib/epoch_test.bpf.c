// SPDX-License-Identifier: GPL-2.0
/* Drives bpf/epoch.h (the epoch data format) through BPF_PROG_TEST_RUN, from
 * XDP and TC. */
#include "common.h"
#include "test_entry.bpf.h"
#include "epoch.h"
#define OVX_EPOCH_MAX_SLOTS 256
#include "epoch_keys.h"
#include "aes_ctx.h"
#include "epoch_test.h"
#include "renumber.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EPOCH_TEST_KEYS);
	__type(key, __u32);
	__type(value, struct ovx_epoch_key);
} epoch_test_keys SEC(".maps");

SEC("syscall")
int epoch_test_set_aes(struct ovx_aes_ctx_args *a)
{
	__u32 idx = a->map_key[0];
	struct ovx_epoch_key *k = bpf_map_lookup_elem(&epoch_test_keys, &idx);

	a->err = k ? ovx_aes_ctx_install(&k->aead, a) : -ENOENT;
	return 0;
}

SEC("syscall")
int epoch_test_set_slot_aes(struct ovx_aes_ctx_args *a)
{
	struct ovx_epoch_slot *slot = ovx_epoch_slot_of_ctx(a->map_key);

	a->err = slot ? ovx_aes_ctx_install(&slot->key.aead, a) : -ENOENT;
	return 0;
}

static __always_inline int run_rx(struct bpf_dynptr *pkt, struct epoch_test_hdr *t)
{
	struct ovx_key_id kid = { .instance = EPOCH_TEST_INSTANCE };
	__u8 h[OVX_EPOCH_AAD_LEN];
	bool moved = false;
	int ret;

	if (bpf_dynptr_read(h, sizeof(h), pkt, EPOCH_TEST_OFF, 0))
		return -EINVAL;
	kid.peer_id = ovx_proto_peer_id(h);
	kid.key_id = ovx_proto_key_id(h);
	ret = ovx_epoch_rx(pkt, EPOCH_TEST_OFF, t->len, &kid, &moved);
	t->pad = moved;
	t->epoch = ovx_epoch_of(h);
	t->counter = ovx_epoch_counter(h);
	return ret;
}

static __always_inline int run_tx(struct bpf_dynptr *pkt, struct epoch_test_hdr *t)
{
	struct ovx_key_id kid = { .instance = EPOCH_TEST_INSTANCE, .peer_id = t->peer_id,
				   .key_id = t->key_id };
	struct ovx_epoch_slot *slot;
	__u8 h[OVX_EPOCH_AAD_LEN];
	__u32 epoch = 0;
	__u64 counter = 0;

	slot = ovx_epoch_tx_next(&kid, t->len, &epoch, &counter);
	if (!slot)
		return -ENOSPC;
	t->epoch = epoch;
	t->counter = counter;
	ovx_epoch_pack(h, t->key_id, t->peer_id, epoch, counter);
	if (bpf_dynptr_write(pkt, EPOCH_TEST_OFF, h, sizeof(h), 0))
		return -EINVAL;
	return ovx_epoch_encrypt(pkt, EPOCH_TEST_OFF, t->len, &slot->key);
}

/* RX and TX: the fields they set go back into the packet's header. */
static __always_inline int run_slots(struct bpf_dynptr *pkt, struct epoch_test_hdr *t)
{
	int ret = t->op == EPOCH_TEST_RX ? run_rx(pkt, t) : run_tx(pkt, t);

	t->ret = ret;
	if (bpf_dynptr_write(pkt, 0, t, sizeof(*t), 0))
		return -EINVAL;
	return ret;
}

static __always_inline int run(struct bpf_dynptr *pkt)
{
	__u32 off = EPOCH_TEST_OFF;
	struct epoch_test_hdr t;
	struct ovx_epoch_key *k;
	__u8 h[OVX_EPOCH_AAD_LEN];

	if (bpf_dynptr_read(&t, sizeof(t), pkt, 0, 0))
		return -EINVAL;
	if (t.op == EPOCH_TEST_RX || t.op == EPOCH_TEST_TX)
		return run_slots(pkt, &t);
	k = bpf_map_lookup_elem(&epoch_test_keys, &t.key);
	if (!k)
		return -ENOENT;
	if (t.op == EPOCH_TEST_SEAL) {
		ovx_epoch_pack(h, t.key_id, t.peer_id, t.epoch, t.counter);
		if (bpf_dynptr_write(pkt, off, h, sizeof(h), 0))
			return -EINVAL;
		return ovx_epoch_encrypt(pkt, off, t.len, k);
	}
	if (t.op == EPOCH_TEST_RESEAL) {
		struct ovx_epoch_key *to = bpf_map_lookup_elem(&epoch_test_keys, &t.pad);

		if (!to)
			return -ENOENT;
		return ovx_epoch_reseal(pkt, off, t.len, k, to,
					 (__u64)t.epoch << 48 | (t.counter & OVX_EPOCH_COUNTER_MASK));
	}
	if (t.op != EPOCH_TEST_OPEN)
		return -EOPNOTSUPP;
	if (bpf_dynptr_read(h, sizeof(h), pkt, off, 0))
		return -EINVAL;
	t.key_id = ovx_proto_key_id(h);
	t.peer_id = ovx_proto_peer_id(h);
	t.epoch = ovx_epoch_of(h);
	t.counter = ovx_epoch_counter(h);
	if (bpf_dynptr_write(pkt, offsetof(struct epoch_test_hdr, key_id), &t.key_id,
			     sizeof(t) - offsetof(struct epoch_test_hdr, key_id), 0))
		return -EINVAL;
	if (!ovx_proto_is_data_v2(h))
		return -EOPNOTSUPP;
	return ovx_epoch_decrypt(pkt, off, t.len, k);
}

OVX_TEST_ENTRIES(epoch_test, struct epoch_test_hdr)

/* EPOCH_TEST_RENUMBER (TC: the renumbering mends the UDP checksum 2 bytes
 * before the payload, here inside the test header, rewritten after). */
SEC("tc")
int epoch_test_renumber(struct __sk_buff *skb)
{
	__u32 at = EPOCH_TEST_OFF, ids;
	struct epoch_test_hdr t;
	struct bpf_dynptr pkt;

	if (bpf_dynptr_from_skb(skb, 0, &pkt) || bpf_dynptr_read(&t, sizeof(t), &pkt, 0, 0))
		return TC_ACT_SHOT;
	ids = t.peer_id | t.key_id << 24 | OVX_RENUMBER_IPV4;
	at |= (OVX_EPOCH_OVERHEAD + t.len) << 16;
	t.ret = ovx_renumber_epoch_open(skb, EPOCH_TEST_INSTANCE, ids, at);
	if (!t.ret)
		t.ret = ovx_renumber_epoch_seal(skb, EPOCH_TEST_INSTANCE, ids, at, 0);
	if (bpf_dynptr_from_skb(skb, 0, &pkt) || bpf_dynptr_write(&pkt, 0, &t, sizeof(t), 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
