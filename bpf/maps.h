/* SPDX-License-Identifier: GPL-2.0 */
/* The maps of the fast path (layouts in include/ovpn_maps.h). */
#ifndef OVPN_MAPS_BPF_H
#define OVPN_MAPS_BPF_H

#include "common.h"

#include "ovpn_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_MAX_SOCKETS);
	__type(key, struct ovpn_sockaddr);
	__type(value, struct ovpn_socket);
} ovpn_sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_peer_key);
	__type(value, struct ovpn_peer);
} ovpn_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_key_id);
	__type(value, struct ovpn_key);
} ovpn_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);	/* added to atomically (OVPN_STAT_ADD) */
	__uint(max_entries, OVPN_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_peer_key);
	__type(value, struct ovpn_peer_stats);
} ovpn_peer_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovpn_global_stats);
} ovpn_global_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_MAX_SOCKETS);
	__type(key, __u32);
	__type(value, struct ovpn_iface);
} ovpn_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * OVPN_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_vpn_addr);
	__type(value, __u32);			/* peer-id */
} ovpn_vpn_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_route4_key);
	__type(value, __u32);			/* peer-id */
} ovpn_routes4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVPN_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovpn_route6_key);
	__type(value, __u32);
} ovpn_routes6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);			/* OVPN_ROUTE_LENS_V4, _V6 */
	__type(key, __u32);
	__type(value, struct ovpn_route_lens);
} ovpn_route_lens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OVPN_LEARN_MAX);
	__type(key, struct ovpn_learn_key);
	__type(value, struct ovpn_learn);
} ovpn_learn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} ovpn_events SEC(".maps");

static __always_inline void ovpn_event(__u32 type, const struct ovpn_peer_key *pk,
				       __u32 key_id, const struct ovpn_sockaddr *addr)
{
	struct ovpn_event *e = bpf_ringbuf_reserve(&ovpn_events, sizeof(*e), 0);

	if (!e)
		return;
	e->type = type;
	e->instance = pk->instance;
	e->peer_id = pk->peer_id;
	e->key_id = key_id;
	if (addr)
		e->addr = *addr;
	else
		__builtin_memset(&e->addr, 0, sizeof(e->addr));
	bpf_ringbuf_submit(e, 0);
}

/* The offloaded socket bound to @a, or to its port on any address. */
static __always_inline struct ovpn_socket *ovpn_socket_find(const struct ovpn_sockaddr *a)
{
	struct ovpn_sockaddr any = { .port = a->port, .family = a->family };
	struct ovpn_socket *s = bpf_map_lookup_elem(&ovpn_sockets, a);

	return s ? s : bpf_map_lookup_elem(&ovpn_sockets, &any);
}

/* A peer's counters are shared by the CPUs (a per-CPU entry would cost a
 * per-CPU allocation for every peer installed): added to atomically, as the
 * Linux ovpn driver's atomic64 counters. A peer's packets mostly stay on one
 * CPU, so the cache line rarely moves. */
#define OVPN_STAT_ADD(field, v)	__sync_fetch_and_add(&(field), (v))

/* The one place a dropped packet is counted: against its peer, by reason
 * (stats may be NULL: a peer without counters yet). */
static __always_inline void ovpn_count_drop(struct ovpn_peer_stats *stats, enum ovpn_drop why)
{
	if (stats && why < OVPN_DROP_MAX)
		OVPN_STAT_ADD(stats->drops[why], 1);
}

static __always_inline void ovpn_gstat_inc(enum ovpn_gstat c)
{
	__u32 zero = 0;
	struct ovpn_global_stats *g = bpf_map_lookup_elem(&ovpn_global_stats, &zero);

	if (g && c < OVPN_G_MAX)
		g->c[c]++;
}

#endif /* OVPN_MAPS_BPF_H */
