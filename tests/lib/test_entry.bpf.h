/* SPDX-License-Identifier: GPL-2.0 */
/* The XDP and TC entry points of a BPF test object driven through
 * BPF_PROG_TEST_RUN: each runs the object's own `static int run(struct
 * bpf_dynptr *pkt)` on the packet and writes its result into the packet's
 * header (@hdr's `ret` field), where the test reads it back. */
#ifndef OVX_TEST_ENTRY_BPF_H
#define OVX_TEST_ENTRY_BPF_H

#define OVX_TEST_ENTRIES(name, hdr)						\
static __always_inline void name##_put_ret(struct bpf_dynptr *pkt, int ret)	\
{										\
	__s32 r = ret;								\
										\
	bpf_dynptr_write(pkt, offsetof(hdr, ret), &r, sizeof(r), 0);		\
}										\
										\
SEC("xdp")									\
int name##_xdp(struct xdp_md *ctx)						\
{										\
	struct bpf_dynptr pkt;							\
										\
	if (bpf_dynptr_from_xdp(ctx, 0, &pkt))					\
		return XDP_ABORTED;						\
	name##_put_ret(&pkt, run(&pkt));					\
	return XDP_PASS;							\
}										\
										\
SEC("tc")									\
int name##_tc(struct __sk_buff *skb)						\
{										\
	struct bpf_dynptr pkt;							\
										\
	if (bpf_dynptr_from_skb(skb, 0, &pkt))					\
		return TC_ACT_SHOT;						\
	name##_put_ret(&pkt, run(&pkt));					\
	return TC_ACT_OK;							\
}

#endif
