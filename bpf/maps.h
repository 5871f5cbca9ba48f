/* SPDX-License-Identifier: GPL-2.0 */
/* The maps of the fast path (layouts in include/ovx_maps.h). */
#ifndef OVX_MAPS_BPF_H
#define OVX_MAPS_BPF_H

#include "common.h"

#include "ovx_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_MAX_SOCKETS);
	__type(key, struct ovx_sockaddr);
	__type(value, struct ovx_socket);
} ovx_sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_peer_key);
	__type(value, struct ovx_peer);
} ovx_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_key_id);
	__type(value, struct ovx_key);
} ovx_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);	/* added to atomically (OVX_STAT_ADD) */
	__uint(max_entries, OVX_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_peer_key);
	__type(value, struct ovx_peer_stats);
} ovx_peer_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_global_stats);
} ovx_global_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_MAX_SOCKETS);
	__type(key, __u32);
	__type(value, struct ovx_iface);
} ovx_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * OVX_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_vpn_addr);
	__type(value, __u32);			/* peer-id */
} ovx_vpn_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_route4_key);
	__type(value, __u32);			/* peer-id */
} ovx_routes4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OVX_MAX_PEERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ovx_route6_key);
	__type(value, __u32);
} ovx_routes6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);			/* OVX_ROUTE_LENS_V4, _V6 */
	__type(key, __u32);
	__type(value, struct ovx_route_lens);
} ovx_route_lens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OVX_LEARN_MAX);
	__type(key, struct ovx_learn_key);
	__type(value, struct ovx_learn);
} ovx_learn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} ovx_events SEC(".maps");

static __always_inline void ovx_event(__u32 type, const struct ovx_peer_key *pk,
				       __u32 key_id, const struct ovx_sockaddr *addr)
{
	struct ovx_event *e = bpf_ringbuf_reserve(&ovx_events, sizeof(*e), 0);

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
static __always_inline struct ovx_socket *ovx_socket_find(const struct ovx_sockaddr *a)
{
	struct ovx_sockaddr any = { .port = a->port, .family = a->family };
	struct ovx_socket *s = bpf_map_lookup_elem(&ovx_sockets, a);

	return s ? s : bpf_map_lookup_elem(&ovx_sockets, &any);
}

/* A peer's counters are shared by the CPUs (a per-CPU entry would cost a
 * per-CPU allocation for every peer installed): added to atomically, as the
 * Linux ovpn driver's atomic64 counters. A peer's packets mostly stay on one
 * CPU, so the cache line rarely moves. */
#define OVX_STAT_ADD(field, v)	__sync_fetch_and_add(&(field), (v))

/* The one place a dropped packet is counted: against its peer, by reason
 * (stats may be NULL: a peer without counters yet). */
static __always_inline void ovx_count_drop(struct ovx_peer_stats *stats, enum ovx_drop why)
{
	if (stats && why < OVX_DROP_MAX)
		OVX_STAT_ADD(stats->drops[why], 1);
}

static __always_inline void ovx_gstat_inc(enum ovx_gstat c)
{
	__u32 zero = 0;
	struct ovx_global_stats *g = bpf_map_lookup_elem(&ovx_global_stats, &zero);

	if (g && c < OVX_G_MAX)
		g->c[c]++;
}

#endif /* OVX_MAPS_BPF_H */
