/* SPDX-License-Identifier: GPL-2.0 */
/* Whether a packet leaving a VPN device still needs the kernel: its L4
 * checksum completed or its segments split (the checksum helper, struct
 * ovx_iface), before TX can encrypt it.
 *
 * CHECKSUM_PARTIAL says so only when csum_start lies in the packet. A packet
 * the fast path decrypted from a CHECKSUM_PARTIAL datagram (a veth or a
 * bridge keeps that state of a local sender's UDP) keeps the state through
 * delivery and the kernel's forwarding, with csum_start in the outer headers
 * the fast path removed: its checksum, sealed by the peer, is complete, and
 * the kernel cannot complete it anyway (it drops such a packet). A GSO packet
 * (GRO's merge of decrypted segments, forwarded; TCP from this host) is
 * always split first. */
#ifndef OVX_CSUM_H
#define OVX_CSUM_H

#include <bpf/bpf_core_read.h>
#include "common.h"

#define OVX_CHECKSUM_PARTIAL	3

static __always_inline bool ovx_csum_pending(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	__u32 start, nh, tail;

	if (skb->gso_size)
		return true;
	if (BPF_CORE_READ_BITFIELD(k, ip_summed) != OVX_CHECKSUM_PARTIAL)
		return false;
	start = k->csum_start;		/* offsets from skb->head */
	nh = k->network_header;
	tail = k->tail;
	return start >= nh && start < tail;
}

/* CHECKSUM_PARTIAL with csum_start outside the packet (ovx_csum_pending
 * said no): complete, but a device that completes checksums (the helper's
 * sending end) would drop it, so it cannot take the helper. */
static __always_inline bool ovx_csum_stale(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return BPF_CORE_READ_BITFIELD(k, ip_summed) == OVX_CHECKSUM_PARTIAL;
}

#endif /* OVX_CSUM_H */
