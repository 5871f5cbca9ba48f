// SPDX-License-Identifier: GPL-2.0
/* Keepalive expiry, as the DCO drivers do it: a peer that PEER_SET gave a
 * keepalive timeout and that has sent nothing for that long is deleted, and
 * subscribers get PEER_DELETED with reason EXPIRED (Linux ovpn deletes the
 * peer and sends PEER_DEL_NTF with OVX_DEL_PEER_REASON_EXPIRED).
 *
 * "Sent nothing" is the peer's last_rx_ns: RX sets it for every packet it
 * authenticates, those it hands on to OpenVPN included (pings, OCC, floats,
 * the liveness packet); packets for keys not installed do not count, as in
 * the drivers. The clock starts no earlier than the PEER_SET (or, for a
 * taken-over peer, the daemon's start). Without PEER_SET (the OpenVPN plugin
 * sends none: OpenVPN keeps its own ping-restart) a peer never expires.
 *
 * Only peers with a timeout are tracked, in a hash table with the time each
 * must be looked at next: a live peer costs one map lookup per timeout, and
 * the table is walked at most once a second (expiry is up to 1 s late). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "daemon.h"

#define KA_FREE		0		/* inst of a free slot (ids start at 1) */
#define KA_DEAD		0xFFFFFFFFu	/* inst of a removed one (tombstone) */
#define NS		1000000000ULL
#define TICK_NS		NS		/* walks of the table at most this often */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static __u32 slot_of(const struct ovpnd_keepalive *k, __u32 inst, __u32 peer_id)
{
	__u64 h = ((__u64)inst << 32 | peer_id) * 0x9E3779B97F4A7C15ULL;

	return (h >> 32) & (k->cap - 1);
}

/* The entry of the peer, or NULL; with @insert, else where it would go. */
static struct ovpnd_ka *find(struct ovpnd_keepalive *k, __u32 inst, __u32 peer_id,
			     bool insert)
{
	struct ovpnd_ka *hole = NULL;

	for (__u32 i = slot_of(k, inst, peer_id), n = 0; k->cap && n < k->cap;
	     i = (i + 1) & (k->cap - 1), n++) {
		struct ovpnd_ka *s = &k->slot[i];

		if (s->inst == inst && s->peer_id == peer_id)
			return s;
		if (s->inst == KA_DEAD && !hole)
			hole = s;
		if (s->inst == KA_FREE)
			return insert ? (hole ? hole : s) : NULL;
	}
	return insert ? hole : NULL;
}

/* Room for one more entry: the table at most half full, tombstones counted. */
int ovpnd_keepalive_reserve(struct ovpnd *d)
{
	struct ovpnd_keepalive *k = &d->ka, old = d->ka;
	__u32 cap = k->cap ? k->cap : 64;

	if ((k->live + k->dead + 1) * 2 <= k->cap)
		return 0;
	while ((k->live + 1) * 4 > cap)
		cap *= 2;
	k->slot = calloc(cap, sizeof(*k->slot));
	if (!k->slot) {
		*k = old;
		return -ENOMEM;
	}
	k->cap = cap;
	k->dead = 0;
	for (__u32 i = 0; i < old.cap; i++)
		if (old.slot[i].inst != KA_FREE && old.slot[i].inst != KA_DEAD)
			*find(k, old.slot[i].inst, old.slot[i].peer_id, true) = old.slot[i];
	free(old.slot);
	return 0;
}

void ovpnd_keepalive_arm(struct ovpnd *d, __u32 inst, __u32 peer_id, __u32 timeout_s)
{
	struct ovpnd_keepalive *k = &d->ka;
	struct ovpnd_ka *s;
	__u64 now = now_ns();

	if (!timeout_s || ovpnd_keepalive_reserve(d)) {
		ovpnd_keepalive_forget(d, inst, peer_id);
		return;
	}
	s = find(k, inst, peer_id, true);
	if (s->inst != inst || s->peer_id != peer_id) {
		k->dead -= s->inst == KA_DEAD;
		k->live++;
	}
	*s = (struct ovpnd_ka){ inst, peer_id, now, now + timeout_s * NS };
	if (!k->next_due_ns || s->due_ns < k->next_due_ns)
		k->next_due_ns = s->due_ns;
}

static void drop(struct ovpnd_keepalive *k, struct ovpnd_ka *s)
{
	s->inst = KA_DEAD;
	k->live--;
	k->dead++;
}

void ovpnd_keepalive_forget(struct ovpnd *d, __u32 inst, __u32 peer_id)
{
	struct ovpnd_ka *s = find(&d->ka, inst, peer_id, false);

	if (s)
		drop(&d->ka, s);
}

static void expire(struct ovpnd *d, const struct ovpnd_ka *s, const struct ovx_peer *p)
{
	if (ovx_peer_del(&d->b.fp, s->inst, s->peer_id))
		return;
	ovx_routes_flush(&d->b.fp, s->inst, false, s->peer_id);
	ovpnd_log("instance %u peer %u: nothing received for %u s (keepalive timeout); "
		  "peer deleted", s->inst, s->peer_id, p->keepalive_timeout);
	ovpnd_notify_peer_deleted(d, s->inst, s->peer_id, OVX_DEL_EXPIRED);
}

/* A peer due for a look: gone, no timeout any more, expired, or due again. */
static void check(struct ovpnd *d, struct ovpnd_ka *s, __u64 now)
{
	struct ovx_peer p;
	__u64 last, limit;

	if (ovx_peer_get(&d->b.fp, s->inst, s->peer_id, &p) || !p.keepalive_timeout) {
		drop(&d->ka, s);
		return;
	}
	last = p.last_rx_ns > s->armed_ns ? p.last_rx_ns : s->armed_ns;
	limit = p.keepalive_timeout * NS;
	if (now >= last + limit) {
		expire(d, s, &p);
		drop(&d->ka, s);
		return;
	}
	s->due_ns = last + limit;
}

/* Milliseconds from @now to @t, for epoll (at most a minute). */
static int ms_until(__u64 t, __u64 now)
{
	__u64 ms = (t - now) / 1000000 + 1;

	return ms > 60000 ? 60000 : (int)ms;
}

int ovpnd_keepalive_run(struct ovpnd *d)
{
	struct ovpnd_keepalive *k = &d->ka;
	__u64 now = now_ns(), next = 0;

	if (!k->live)
		return -1;
	if (now < k->next_due_ns)
		return ms_until(k->next_due_ns, now);
	for (__u32 i = 0; i < k->cap; i++) {
		struct ovpnd_ka *s = &k->slot[i];

		if (s->inst == KA_FREE || s->inst == KA_DEAD)
			continue;
		if (s->due_ns <= now)
			check(d, s, now);
		if (s->inst != KA_DEAD && (!next || s->due_ns < next))
			next = s->due_ns;
	}
	if (next && next < now + TICK_NS)
		next = now + TICK_NS;
	k->next_due_ns = next;
	return next ? ms_until(next, now) : -1;
}

int ovpnd_keepalive_load(struct ovpnd *d)
{
	struct ovx_peer_key k, prev;
	struct ovx_peer p;
	int n = 0;

	for (int err = ovx_peer_next(&d->b.fp, 0, NULL, &k); !err;
	     err = ovx_peer_next(&d->b.fp, 0, &prev, &k)) {
		prev = k;
		if (ovx_peer_get(&d->b.fp, k.instance, k.peer_id, &p) || !p.keepalive_timeout)
			continue;
		ovpnd_keepalive_arm(d, k.instance, k.peer_id, p.keepalive_timeout);
		n++;
	}
	return n;
}

void ovpnd_keepalive_free(struct ovpnd *d)
{
	free(d->ka.slot);
	memset(&d->ka, 0, sizeof(d->ka));
}
