// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdp fast path: the programs the daemon (or `ip link`) attaches. */
#include "common.h"
#include "aes_ctx.h"
#include "c2c.h"
#include "deliver.h"
#include "rx.h"
#include "tx.h"
#include "renumber.h"
#include "srccheck.h"

/* RX: XDP on the interface that carries OpenVPN's UDP socket. "xdp.frags":
 * packets are read and written through a dynptr, so a frame in several
 * buffers is fine, and a device with a jumbo MTU takes the program natively. */
SEC("xdp.frags")
int ovx_rx_xdp(struct xdp_md *ctx)
{
	struct ovx_rx rx = {};
	struct bpf_dynptr pkt;
	bool c2c;
	int v;

	if (bpf_dynptr_from_xdp(ctx, 0, &pkt))
		return XDP_PASS;
	v = ovx_rx(&pkt, &rx);
	if (v == OVX_RX_NEXT)
		v = ovx_rx_source(&rx);
	switch (v) {
	case OVX_RX_DELIVER:
		c2c = ovx_c2c(rx.sock->vpn_ifindex);
		if (ovpn_xdp_deliver(ctx, &pkt, &rx) || (c2c && ovx_c2c_mark(ctx, rx.pid))) {
			ovx_count_drop(rx.stats, OVX_DROP_DELIVER);
			return XDP_DROP;
		}
		return XDP_PASS;
	case OVX_RX_DROP:
		return XDP_DROP;
	}
	return XDP_PASS;
}

/* RX: TC ingress of the same interface, moves what ovx_rx_xdp marked into
 * the tun device's ingress, or its egress for another client (bpf/c2c.h). */
SEC("tc")
int ovx_rx_tc(struct __sk_buff *skb)
{
	void *meta_start = (void *)(long)skb->data_meta;
	struct ovx_rx_meta *meta = meta_start;
	bool c2c = false;

	if ((void *)(long)skb->data - meta_start == sizeof(*meta) + sizeof(__u32)) {
		meta = meta_start + sizeof(__u32);	/* marked by ovx_c2c_mark */
		c2c = true;
	}
	if ((void *)(meta + 1) > (void *)(long)skb->data)
		return TC_ACT_OK;
	if (meta->magic != OVX_META_MAGIC)
		return TC_ACT_OK;
	return bpf_redirect(meta->ifindex, c2c ? 0 : BPF_F_INGRESS);
}

/* The checksum helper's receiving end (loader/daemon/csum_helper.c): a veth polls
 * with NAPI, which can run in its own thread, only with an XDP program
 * attached or GRO on, and GRO would merge the segments back into one
 * CHECKSUM_PARTIAL packet. So this program only passes: TX then runs in the
 * helper's NAPI thread, beside the sender rather than after it on its CPU.
 * "xdp.frags": a veth refuses a single-buffer program above a 3.5 KiB MTU. */
SEC("xdp.frags")
int ovx_helper_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* TX: TC egress of the VPN (tun) device. */
SEC("tc")
int ovx_tx_tc(struct __sk_buff *skb)
{
	return ovx_tx(skb);
}

/* TX: TC egress of the link device, for OpenVPN's own data packets. */
SEC("tc")
int ovx_link_egress_tc(struct __sk_buff *skb)
{
	return ovx_renumber(skb);
}

/* Control: creates the AES context of one direction of a key already in
 * ovx_keys. map_key = { instance, peer_id, key_id, 0 = encrypt / 1 = decrypt }. */
SEC("syscall")
int ovx_key_set_aes(struct ovx_aes_ctx_args *a)
{
	struct ovx_key_id id = {
		.instance = a->map_key[0],
		.peer_id = a->map_key[1],
		.key_id = a->map_key[2],
	};
	struct ovx_key *k = bpf_map_lookup_elem(&ovx_keys, &id);

	if (!k)
		a->err = -ENOENT;
	else if (a->map_key[3])
		a->err = ovx_aes_ctx_install(&k->dec, a);
	else
		a->err = ovx_aes_ctx_install(&k->enc, a);
	return 0;
}

/* Control: creates the AES context of one epoch slot (bpf/epoch_keys.h)
 * already in ovx_epoch_slots. map_key = { instance, peer_id,
 * key_id | direction << 8, epoch }. */
SEC("syscall")
int ovx_epoch_set_aes(struct ovx_aes_ctx_args *a)
{
	struct ovx_epoch_slot *slot = ovx_epoch_slot_of_ctx(a->map_key);

	a->err = slot ? ovx_aes_ctx_install(&slot->key.aead, a) : -ENOENT;
	return 0;
}

/* Control: changes to a key's fields (struct ovx_key_ctl_args). */
SEC("syscall")
int ovx_key_ctl(struct ovx_key_ctl_args *a)
{
	struct ovx_key_id id = a->id;
	struct ovx_key *k = bpf_map_lookup_elem(&ovx_keys, &id);
	__u64 cur;

	a->err = 0;
	if (a->op == OVX_KEY_CTL_EPOCH_RX_FLOOR) {
		struct ovx_epoch_slot *s = ovx_epoch_slot_get(&id, OVX_EPOCH_RX, a->value >> 48);

		if (!s) {
			a->err = -ENOENT;
			return 0;
		}
		bpf_spin_lock(&s->lock);
		ovx_replay_floor(&s->replay, a->value & OVX_EPOCH_COUNTER_MASK);
		bpf_spin_unlock(&s->lock);
		return 0;
	}
	if (a->op == OVX_KEY_CTL_EPOCH_TX_START) {
		a->err = ovx_epoch_tx_start(&id, a->value);
		return 0;
	}
	if (!k) {
		a->err = -ENOENT;
		return 0;
	}
	if (a->op == OVX_KEY_CTL_RX_FLOOR) {
		bpf_spin_lock(&k->lock);
		ovx_replay_floor(&k->replay, a->value);
		bpf_spin_unlock(&k->lock);
		return 0;
	}
	if (a->op == OVX_KEY_CTL_TX_BLOCKS_MIN) {
		a->err = ovx_usage_blocks_min(k, a->value);
		return 0;
	}
	if (a->op != OVX_KEY_CTL_TX_PID_MIN) {
		a->err = -EOPNOTSUPP;
		return 0;
	}
	for (int i = 0; i < 64; i++) {	/* atomic max against concurrent senders */
		cur = k->tx_next_pid;
		if (cur >= a->value ||
		    __sync_val_compare_and_swap(&k->tx_next_pid, cur, a->value) == cur)
			return 0;
	}
	a->err = -EBUSY;
	return 0;
}

/* Under the peer's lock: no calls, so everything is inline. */
static __always_inline int ovx_peer_ctl_apply(struct ovx_peer *p,
					       struct ovx_peer_ctl_args *a)
{
	__u32 s = a->slot & 1;
	__u8 t;

	switch (a->op) {
	case OVX_PEER_CTL_SLOT_SET:
		if (p->slot_key_id[!s] == a->key_id)
			return -EEXIST;
		a->old = p->slot_key_id[s];
		p->slot_key_id[s] = a->key_id;
		return 0;
	case OVX_PEER_CTL_SLOT_CLEAR:
		a->old = p->slot_key_id[s];
		p->slot_key_id[s] = OVX_SLOT_EMPTY;
		return 0;
	case OVX_PEER_CTL_SLOT_SWAP:
		t = p->slot_key_id[0];
		p->slot_key_id[0] = p->slot_key_id[1];
		p->slot_key_id[1] = t;
		return 0;
	case OVX_PEER_CTL_KEEPALIVE:
		p->keepalive_interval = a->interval;
		p->keepalive_timeout = a->timeout;
		return 0;
	case OVX_PEER_CTL_VPN_ADDR:
		if (a->family == OVX_AF_INET)
			__builtin_memcpy(p->vpn_ipv4, a->addr, 4);
		else
			__builtin_memcpy(p->vpn_ipv6, a->addr, 16);
		return 0;
	case OVX_PEER_CTL_KEY_WAIT:
		p->key_wait_ns = a->until_ns;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* Control: changes to a peer's fields (struct ovx_peer_ctl_args). */
SEC("syscall")
int ovx_peer_ctl(struct ovx_peer_ctl_args *a)
{
	struct ovx_peer_ctl_args c = *a;	/* the context is read at fixed offsets */
	struct ovx_peer *p = bpf_map_lookup_elem(&ovx_peers, &c.pk);
	int err = -ENOENT;

	if (p) {
		bpf_spin_lock(&p->lock);
		err = ovx_peer_ctl_apply(p, &c);
		bpf_spin_unlock(&p->lock);
	}
	a->old = c.old;
	a->err = err;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
