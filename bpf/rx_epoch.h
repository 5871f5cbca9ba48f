/* SPDX-License-Identifier: GPL-2.0 */
/* RX of a key in OpenVPN 2.7's epoch data format (docs/epoch.md): the peer's
 * slot names the key-id, ovpn_keys has no 2.6 key for it, and
 * ovpn_epoch_states has its epochs (loader/lib/epoch_slots.c installs them
 * ahead). The packet is opened into scratch, never in place, so that what
 * goes to OpenVPN after authentication (liveness, float, not IP) reaches it
 * byte for byte; replay is the epoch's own window; a newer epoch that
 * authenticates becomes the current one (bpf/epoch_keys.h).
 *
 * Payload: op/key-id (1) | peer-id (3) | epoch (2) | counter (6) | data | tag
 * (16). Delivery (deliver.h) writes the plaintext at the 2.6 offset (24
 * bytes in), which the 28 bytes of this format's overhead leave room for. */
#ifndef OVPN_RX_EPOCH_H
#define OVPN_RX_EPOCH_H

#include "rx.h"

/* Epoch and slot of the packet: NEXT, PASS (an epoch OpenVPN would not
 * accept, or whose slot is not installed: OpenVPN's), or OVPN_RX_EPOCH_NONE
 * when the key has no epoch state. */
static __noinline int ovpn_rx_epoch_lookup(struct bpf_dynptr *pkt, struct ovpn_rx *rx,
					   const struct ovpn_key_id *kid)
{
	struct ovpn_epoch_state *st = bpf_map_lookup_elem(&ovpn_epoch_states, kid);
	__u8 h[OVPN_EPOCH_AAD_LEN];

	if (!st)
		return OVPN_RX_EPOCH_NONE;
	if (rx->f->payload_len <= OVPN_EPOCH_OVERHEAD ||
	    bpf_dynptr_read(h, sizeof(h), pkt, rx->f->payload_off, 0))
		goto openvpn;
	rx->len = rx->f->payload_len - OVPN_EPOCH_OVERHEAD;
	if (rx->len > OVPN_AEAD_MAX_LEN) {
		ovpn_gstat_inc(OVPN_G_RX_TOO_BIG);
		goto openvpn;
	}
	rx->epoch = ovpn_epoch_of(h);
	rx->counter = ovpn_epoch_counter(h);
	rx->pid = rx->counter;
	if (!ovpn_epoch_rx_acceptable(st, rx->epoch))
		goto openvpn;
	rx->eslot = ovpn_epoch_slot_get(kid, OVPN_EPOCH_RX, rx->epoch);
	if (!rx->eslot)
		goto openvpn;
	return OVPN_RX_NEXT;
openvpn:
	if (rx->stats)
		OVPN_STAT_ADD(rx->stats->rx_to_ovpn, 1);
	return OVPN_RX_PASS;
}

/* Replay pre-check, tag, replay under the slot's lock, the epoch moved up:
 * DROP, or NEXT with the plaintext in scratch. */
static __noinline int ovpn_rx_epoch_authenticate(struct bpf_dynptr *pkt, struct ovpn_rx *rx)
{
	struct ovpn_epoch_slot *slot = rx->eslot;
	struct ovpn_epoch_state *st;
	struct ovpn_key_id kid = {
		.instance = rx->pk.instance, .peer_id = rx->pk.peer_id, .key_id = rx->key_id,
	};
	bool fresh;
	int err;

	if (!slot)
		return OVPN_RX_PASS;
	if (!ovpn_replay_check(&slot->replay, rx->counter)) {
		if (ovpn_replay_openvpns(&slot->replay, rx->counter)) {
			if (rx->stats)
				OVPN_STAT_ADD(rx->stats->rx_to_ovpn, 1);
			return OVPN_RX_PASS;
		}
		ovpn_count_drop(rx->stats, OVPN_DROP_REPLAY);
		return OVPN_RX_DROP;
	}
	err = ovpn_epoch_open(pkt, rx->f->payload_off, rx->len, &slot->key);
	if (err) {
		ovpn_count_drop(rx->stats, err == -EBADMSG ? OVPN_DROP_BAD_TAG : OVPN_DROP_MALFORMED);
		return OVPN_RX_DROP;
	}
	bpf_spin_lock(&slot->lock);
	fresh = ovpn_replay_update(&slot->replay, rx->counter);
	bpf_spin_unlock(&slot->lock);
	if (!fresh) {
		ovpn_count_drop(rx->stats, OVPN_DROP_REPLAY);
		return OVPN_RX_DROP;
	}
	st = bpf_map_lookup_elem(&ovpn_epoch_states, &kid);
	if (st && rx->epoch > st->rx_epoch)
		ovpn_epoch_rx_advance(&kid, st, rx->epoch);
	return OVPN_RX_NEXT;
}

#endif /* OVPN_RX_EPOCH_H */
