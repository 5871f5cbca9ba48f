// SPDX-License-Identifier: GPL-2.0
/* Keys the daemon never got. When the plugin cannot reach the daemon as
 * OpenVPN derives a key (the daemon restarting, its socket away), the peer
 * goes on with that key while the fast path keeps sending with the last key
 * it has: once the peer holds two newer keys it drops every such packet
 * ("TLS keys are out of sync"), until a later key is offloaded, a whole
 * reneg-sec. So a peer of an OpenVPN-owned instance whose newest packets,
 * for longer than the key material can lag behind the peer's first packet,
 * are with a key that is in no slot and that no waiting key opens, has its
 * primary slot emptied: OpenVPN, which has every key, sends its traffic until
 * its next key is offloaded (into the empty primary slot). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "daemon.h"
#include "learn.h"

#define TICK_MS		200
/* A server exports a key once its own key message is acknowledged, so the
 * peer may send with it an RTT (and a delayed ACK) before the daemon has it. */
#define GRACE_MS	1000
/* The peer still sends with the key: its last packet is this recent. */
#define RECENT_NS	2000000000ULL

static __u64 mono_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A key waiting for the peer opens the peer's packet. */
static bool pending_opens(struct ovpnd *d, const struct ovx_learn_key *k)
{
	for (int i = 0; i < OVPND_MAX_PENDING; i++) {
		const struct ovpnd_pending *p = &d->pending[i];
		struct ovx_learnt l;

		if (!p->used || !p->is_key || p->inst != k->instance ||
		    (p->pl.has_remote && memcmp(&p->pl.remote, &k->remote, sizeof(k->remote))))
			continue;
		if (ovx_learn_identify(&d->b.fp, k->instance, &k->remote, k->key_id, p->pl.role,
					p->pl.material, &l) != -EKEYREJECTED)
			return true;	/* it opens, or the sample is being written */
	}
	return false;
}

/* @k/@v tell of a live peer sending with a key it has no slot for, of an
 * instance that OpenVPN's plugin feeds, and no waiting key is it. */
static bool key_missed(struct ovpnd *d, const struct ovx_learn_key *k,
		       const struct ovx_learn *v, __u64 now_ns)
{
	struct ovpnd_instance in;
	struct ovx_peer p;

	if (k->dir != OVX_LEARN_RX || v->last_ns + RECENT_NS < now_ns ||
	    ovpnd_instance_get(d, k->instance, &in) || !(in.flags & OVX_INST_F_OWNED) ||
	    ovx_peer_get(&d->b.fp, k->instance, v->peer_id, &p) ||
	    memcmp(&p.remote, &k->remote, sizeof(p.remote)))
		return false;
	/* its newest packets are with that key, none since with a key the
	 * fast path has (an older key's last packets trail a new key's
	 * install), and the fast path still has a key to take out */
	if (v->last_ns <= p.last_rx_ns ||
	    p.slot_key_id[0] == k->key_id || p.slot_key_id[1] == k->key_id ||
	    p.slot_key_id[OVX_SLOT_PRIMARY] == OVX_SLOT_EMPTY)
		return false;
	return !pending_opens(d, k);
}

static struct ovpnd_missed *suspect(struct ovpnd *d, const struct ovx_learn_key *k, __u64 now)
{
	struct ovpnd_missed *free_slot = NULL;

	for (int i = 0; i < OVPND_MAX_MISSED; i++) {
		struct ovpnd_missed *m = &d->missed[i];

		if (m->used && !memcmp(&m->k, k, sizeof(*k)))
			return m;
		if (!m->used && !free_slot)
			free_slot = m;
	}
	if (free_slot)
		*free_slot = (struct ovpnd_missed){ .used = true, .k = *k, .since_ms = now };
	return free_slot;
}

/* TX stops: the older key goes, the one TX used becomes secondary and the
 * primary slot stays empty until the next key. The secondary still opens
 * what the peer sends with it and renumbers what OpenVPN sends with it, so
 * were the key only late (OpenVPN still sending with the secondary), no
 * packet-id of it would go out twice. */
static void withdraw(struct ovpnd *d, const struct ovx_learn_key *k, __u32 peer_id)
{
	ovx_key_del(&d->b.fp, k->instance, peer_id, OVX_SLOT_SECONDARY);
	ovx_key_swap(&d->b.fp, k->instance, peer_id);
	ovpnd_log("instance %u: peer %u sends with key %u, which ovpn-xdpd never got: "
		  "OpenVPN sends its traffic until its next key",
		  k->instance, peer_id, k->key_id);
}

int ovpnd_missed_run(struct ovpnd *d)
{
	__u64 now = mono_ns(CLOCK_MONOTONIC) / 1000000, now_coarse = mono_ns(CLOCK_MONOTONIC_COARSE);
	struct ovx_learn_key k, prev;
	bool first = true;
	int n = 0;

	if (now < d->missed_next_ms)
		return d->missed_next_ms - now;
	d->missed_next_ms = now + TICK_MS;
	for (int i = 0; i < OVPND_MAX_MISSED; i++)
		d->missed[i].seen = false;
	/* bounded: an entry evicted under the walk restarts it */
	while (n++ < OVX_LEARN_MAX &&
	       !bpf_map_get_next_key(d->b.fp.learn_fd, first ? NULL : &prev, &k)) {
		struct ovpnd_missed *m;
		struct ovx_learn v;

		first = false;
		prev = k;
		if (bpf_map_lookup_elem(d->b.fp.learn_fd, &k, &v) ||
		    !key_missed(d, &k, &v, now_coarse) || !(m = suspect(d, &k, now)))
			continue;
		m->seen = true;
		if (now - m->since_ms < GRACE_MS)
			continue;
		withdraw(d, &k, v.peer_id);
		m->used = false;
	}
	for (int i = 0; i < OVPND_MAX_MISSED; i++)
		if (!d->missed[i].seen)
			d->missed[i].used = false;
	return TICK_MS;
}
