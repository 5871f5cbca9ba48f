/* SPDX-License-Identifier: GPL-2.0 */
/* Recording what the wire tells about keys the fast path does not have yet
 * (see struct ovx_learn in include/ovx_maps.h). Only packets the fast path
 * passes on anyway come here, so the cost stays off the offloaded path. */
#ifndef OVX_LEARN_H
#define OVX_LEARN_H

#include "maps.h"

/* Raises *@v to @pid; concurrent writers may race, so compare-and-swap. */
static __always_inline void ovx_learn_max(__u64 *v, __u64 pid)
{
	for (int i = 0; i < 8; i++) {
		__u64 cur = *v;

		if (cur >= pid || __sync_val_compare_and_swap(v, cur, pid) == cur)
			return;
	}
}

/* A new entry's initial value: in .rodata, not on the BPF stack. */
static const struct ovx_learn ovx_learn_zero;

/* A P_DATA_V2 packet at @off of @pkt, @len bytes of payload, for a key the
 * fast path lacks; @k has instance, direction and remote, the key-id is
 * filled in here. RX keeps the first packet of any size the fast path could
 * open as the sample (claimed by one CPU, so that two never write it at
 * once); every later packet costs a lookup and a max. */
static __noinline void ovx_learn_record(struct bpf_dynptr *pkt, __u32 off, __u32 len,
					 struct ovx_learn_key *k)
{
	struct ovx_learn *v;
	__u32 dir = k->dir;
	__u8 h[OVX_AAD_LEN + 4] = {};
	__u64 id = 0;

	/* 8 bytes after the header: either format's packet-id, in front */
	if (bpf_dynptr_read(h, sizeof(h), pkt, off, 0) &&
	    bpf_dynptr_read(h, OVX_AAD_LEN, pkt, off, 0))
		return;
	k->key_id = h[0] & 7;
	for (int i = 4; i < OVX_AAD_LEN + 4; i++)
		id = id << 8 | h[i];
	v = bpf_map_lookup_elem(&ovx_learn, k);
	if (!v) {
		bpf_map_update_elem(&ovx_learn, k, &ovx_learn_zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&ovx_learn, k);
		if (!v)
			return;
		v->peer_id = (__u32)h[1] << 16 | (__u32)h[2] << 8 | h[3];
	}
	ovx_learn_max(&v->pid_max, id);
	v->last_ns = bpf_ktime_get_coarse_ns();
	if (dir != OVX_LEARN_RX || v->sample_len || len > OVX_LEARN_SAMPLE_MAX ||
	    __sync_val_compare_and_swap(&v->sample_len, 0, OVX_LEARN_SAMPLE_BUSY))
		return;
	if (bpf_dynptr_read(v->sample, len, pkt, off, 0))
		len = 0;	/* released: the next packet is sampled */
	__sync_lock_test_and_set(&v->sample_len, len);
}

#endif /* OVX_LEARN_H */
