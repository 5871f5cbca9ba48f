/* SPDX-License-Identifier: GPL-2.0 */
/* Delivering decrypted plaintext as received on the VPN (tun) device.
 *
 * XDP cannot inject into another device's receive path, so the XDP program
 * rewrites the frame into Ethernet + inner IP packet, puts the tun ifindex in
 * XDP metadata and passes it up; the TC ingress program of the same device
 * (ovx_rx_tc) sees the metadata first and redirects the packet into the tun
 * device's ingress. Routes, firewall rules and sockets bound to the tun
 * device then treat it like a packet OpenVPN wrote there. */
#ifndef OVX_DELIVER_H
#define OVX_DELIVER_H

#include "rx.h"

/* Rewrites the frame of @rx in place: [Ethernet | packet], metadata set (the
 * packet without its framing: scratch buf[rx->off..rx->off + rx->len)).
 * Returns 0 or -errno (then the frame is no longer valid: drop it). */
static __noinline int ovpn_xdp_deliver(struct xdp_md *ctx, struct bpf_dynptr *pkt,
					    struct ovx_rx *rx)
{
	struct ovx_scratch *s = ovx_scratch_get();
	__u32 len = rx->len, off = rx->off & 7;
	__u32 data_off = rx->f->payload_off + OVX_DATA_HDR_LEN;
	__u32 start = data_off - sizeof(struct ethhdr);
	__u32 ifindex = rx->sock->vpn_ifindex;
	struct ovx_rx_meta *meta;
	struct ethhdr eth;
	int trim;

	if (!s || len > OVX_AEAD_MAX_LEN)
		return -EINVAL;
	if (bpf_dynptr_read(&eth, sizeof(eth), pkt, 0, 0))
		return -EINVAL;
	eth.h_proto = bpf_htons(s->buf[off] >> 4 == 4 ? ETH_P_IP : ETH_P_IPV6);
	if (bpf_dynptr_write(pkt, data_off, s->buf + off, len, 0) ||
	    bpf_dynptr_write(pkt, start, &eth, sizeof(eth), 0))
		return -EINVAL;
	trim = bpf_xdp_get_buff_len(ctx) - (data_off + len);
	if (trim > 0 && bpf_xdp_adjust_tail(ctx, -trim))
		return -EINVAL;
	if (bpf_xdp_adjust_head(ctx, start) ||
	    bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return -EINVAL;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return -EINVAL;
	meta->magic = OVX_META_MAGIC;
	meta->ifindex = ifindex;
	if (rx->stats) {
		OVX_STAT_ADD(rx->stats->rx_vpn_pkts, 1);
		OVX_STAT_ADD(rx->stats->rx_vpn_bytes, len);
	}
	return 0;
}

#endif /* OVX_DELIVER_H */
