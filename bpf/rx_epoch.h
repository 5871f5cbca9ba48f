/* SPDX-License-Identifier: GPL-2.0 */
/* RX of a key in OpenVPN 2.7's epoch data format (docs/epoch.md): the peer's
 * slot names the key-id, ovx_keys has no 2.6 key for it, and
 * ovx_epoch_states has its epochs (loader/lib/epoch_slots.c installs them
 * ahead). The packet is opened into scratch, never in place, so that what
 * goes to OpenVPN after authentication (liveness, float, not IP) reaches it
 * byte for byte; replay is the epoch's own window; a newer epoch that
 * authenticates becomes the current one (bpf/epoch_keys.h), and one
 * OVX_EV_EPOCH_MOVED per move asks userspace to install the slots ahead and
 * remove the old ones (loader/lib/epoch_refill.c).
 *
 * Payload: op/key-id (1) | peer-id (3) | epoch (2) | counter (6) | data | tag
 * (16). Delivery (deliver.h) writes the plaintext at the 2.6 offset (24
 * bytes in), which the 28 bytes of this format's overhead leave room for. */
#ifndef OVX_RX_EPOCH_H
#define OVX_RX_EPOCH_H

#include "rx.h"

/* Epoch and slot of the packet: NEXT, PASS (an epoch OpenVPN would not
 * accept, or whose slot is not installed: OpenVPN's), or OVX_RX_EPOCH_NONE
 * when the key has no epoch state. */
static __noinline int ovx_rx_epoch_lookup(struct bpf_dynptr *pkt, struct ovx_rx *rx,
					   const struct ovx_key_id *kid)
{
	struct ovx_epoch_state *st = bpf_map_lookup_elem(&ovx_epoch_states, kid);
	__u8 h[OVX_EPOCH_AAD_LEN];

	if (!st)
		return OVX_RX_EPOCH_NONE;
	if (rx->f->payload_len <= OVX_EPOCH_OVERHEAD ||
	    bpf_dynptr_read(h, sizeof(h), pkt, rx->f->payload_off, 0))
		goto openvpn;
	rx->len = rx->f->payload_len - OVX_EPOCH_OVERHEAD;
	if (rx->len > OVX_AEAD_MAX_LEN) {
		ovx_gstat_inc(OVX_G_RX_TOO_BIG);
		goto openvpn;
	}
	rx->epoch = ovx_epoch_of(h);
	rx->counter = ovx_epoch_counter(h);
	rx->pid = rx->counter;
	if (!ovx_epoch_rx_acceptable(st, rx->epoch))
		goto openvpn;
	rx->eslot = ovx_epoch_slot_get(kid, OVX_EPOCH_RX, rx->epoch);
	if (!rx->eslot)
		goto openvpn;
	return OVX_RX_NEXT;
openvpn:
	if (rx->stats)
		OVX_STAT_ADD(rx->stats->rx_to_ovpn, 1);
	return OVX_RX_PASS;
}

/* Replay pre-check, tag, replay under the slot's lock, the epoch moved up:
 * DROP, or NEXT with the plaintext in scratch. */
static __noinline int ovx_rx_epoch_authenticate(struct bpf_dynptr *pkt, struct ovx_rx *rx)
{
	struct ovx_epoch_slot *slot = rx->eslot;
	struct ovx_epoch_state *st;
	struct ovx_key_id kid = {
		.instance = rx->pk.instance, .peer_id = rx->pk.peer_id, .key_id = rx->key_id,
	};
	bool fresh;
	int err;

	if (!slot)
		return OVX_RX_PASS;
	if (!ovx_replay_check(&slot->replay, rx->counter)) {
		if (ovx_replay_openvpns(&slot->replay, rx->counter)) {
			if (rx->stats)
				OVX_STAT_ADD(rx->stats->rx_to_ovpn, 1);
			return OVX_RX_PASS;
		}
		ovx_count_drop(rx->stats, OVX_DROP_REPLAY);
		return OVX_RX_DROP;
	}
	err = ovx_epoch_open(pkt, rx->f->payload_off, rx->len, &slot->key);
	if (err) {
		ovx_count_drop(rx->stats, err == -EBADMSG ? OVX_DROP_BAD_TAG : OVX_DROP_MALFORMED);
		return OVX_RX_DROP;
	}
	bpf_spin_lock(&slot->lock);
	fresh = ovx_replay_update(&slot->replay, rx->counter);
	bpf_spin_unlock(&slot->lock);
	if (!fresh) {
		ovx_count_drop(rx->stats, OVX_DROP_REPLAY);
		return OVX_RX_DROP;
	}
	st = bpf_map_lookup_elem(&ovx_epoch_states, &kid);
	if (st && rx->epoch > st->rx_epoch && ovx_epoch_rx_advance(&kid, st, rx->epoch))
		ovx_event(OVX_EV_EPOCH_MOVED, &rx->pk, rx->key_id, NULL);	/* refill */
	return OVX_RX_NEXT;
}

#endif /* OVX_RX_EPOCH_H */
