/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace side of the fast path's maps: sockets, peers, keys and counters.
 * Used by the daemon and by the tests. Functions return 0 or -errno and
 * change nothing when they fail. */
#ifndef OVX_LOADER_FASTPATH_H
#define OVX_LOADER_FASTPATH_H

#include <stdbool.h>
#include "addr.h"
#include "ovx_maps.h"

struct ovx_epoch_chains;

struct ovx_fastpath {
	int sockets_fd, peers_fd, keys_fd, peer_stats_fd, global_stats_fd;
	int ifaces_fd, vpn_addrs_fd, routes4_fd, routes6_fd, route_lens_fd, learn_fd;
	int set_aes_fd;			/* the ovx_key_set_aes syscall program */
	int key_ctl_fd;			/* the ovx_key_ctl syscall program */
	int peer_ctl_fd;		/* the ovx_peer_ctl syscall program */
	int epoch_slots_fd, epoch_states_fd;	/* the epoch format (epoch_peer.h) */
	int epoch_aes_fd;		/* the ovx_epoch_set_aes syscall program */
	struct ovx_epoch_chains *epoch_chains;	/* the keys' secret chains, for
						 * refilling (epoch_refill.h);
						 * NULL: not kept */
	const char *aes_algo;		/* NULL: OVX_AES_ALGO_DEFAULT */
	__u32 replay_window;		/* 0: OVX_REPLAY_DEFAULT */
};


/* @link_ifindex: the device that carries the socket's packets. */
int ovx_socket_add(const struct ovx_fastpath *fp, const struct ovx_sockaddr *local,
		    __u32 instance, __u32 vpn_ifindex, __u32 link_ifindex);
int ovx_socket_del(const struct ovx_fastpath *fp, const struct ovx_sockaddr *local);
/* The data-channel framing RX expects on the socket (OVX_FRAMING_* and the
 * fragment size, include/ovx_maps.h). */
int ovx_socket_set_framing(const struct ovx_fastpath *fp, const struct ovx_sockaddr *local,
			    __u32 framing);

/* A VPN (tun) device of an instance; @p2p_peer_id is used with
 * OVX_IFACE_P2P (client mode: one peer for everything). @flags may carry
 * the framing TX adds (OVX_FRAMING_*, fragment size); without it, the
 * device's framing stays as it was. */
int ovx_iface_set(const struct ovx_fastpath *fp, __u32 ifindex, __u32 instance,
		   __u32 flags, __u32 p2p_peer_id);
int ovx_iface_del(const struct ovx_fastpath *fp, __u32 ifindex);
/* Sets the device's peer_ifindex (struct ovx_iface: checksum helper). */
int ovx_iface_set_peer(const struct ovx_fastpath *fp, __u32 ifindex, __u32 peer_ifindex);

struct ovx_peer_config {
	__u32 instance, peer_id;
	struct ovx_sockaddr remote, local;
	__u8 vpn_ipv4[4];		/* all zero: none */
	__u8 vpn_ipv6[16];
	bool move_addrs;		/* take VPN addresses other peers have */
};

/* -EEXIST for a peer already there, -ERANGE for a peer-id over 24 bits,
 * -EADDRINUSE for a VPN address of another peer (unless move_addrs). */
int ovx_peer_new(const struct ovx_fastpath *fp, const struct ovx_peer_config *pc);
/* Removes the peer, its keys and its counters; -ENOENT if unknown. */
int ovx_peer_del(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id);
/* Changes a peer's fields under its lock (struct ovx_peer_ctl_args: fill
 * pk, op and the op's fields). Returns 0 or the program's -errno. */
int ovx_peer_ctl(const struct ovx_fastpath *fp, struct ovx_peer_ctl_args *a);
int ovx_peer_get(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
		  struct ovx_peer *out);
/* VPN addresses (4 or 16 bytes by family) and the peer each belongs to:
 * owner: 0 or -ENOENT; claim: 0 if it is @peer_id's now, -EADDRINUSE if
 * another peer's (taken from it with @move); release: removed only if it is
 * still @peer_id's. */
int ovx_vpn_addr_owner(const struct ovx_fastpath *fp, __u32 instance, int family,
			const __u8 *addr, __u32 *owner);
int ovx_vpn_addr_claim(const struct ovx_fastpath *fp, __u32 instance, int family,
			const __u8 *addr, __u32 peer_id, bool move);
void ovx_vpn_addr_release(const struct ovx_fastpath *fp, __u32 instance, int family,
			   const __u8 *addr, __u32 peer_id);
/* The peer after @after in map order (@after NULL: the first); @instance 0
 * means any instance. Returns 0, or -ENOENT at the end. */
int ovx_peer_next(const struct ovx_fastpath *fp, __u32 instance,
		   const struct ovx_peer_key *after, struct ovx_peer_key *next);
/* Number of peers of @instance (0: all). */
__u32 ovx_peer_count(const struct ovx_fastpath *fp, __u32 instance);
/* Stores the keepalive of PEER_SET in the peer. */
int ovx_peer_set_keepalive(const struct ovx_fastpath *fp, __u32 instance,
			    __u32 peer_id, __u32 interval, __u32 timeout);
/* Until @until_ns (CLOCK_MONOTONIC; 0: no longer) the peer's TX goes to
 * OpenVPN: a key OpenVPN made for it waits for the wire. */
int ovx_peer_set_key_wait(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			   __u64 until_ns);
/* Peers as the OpenVPN plugin names them. The peer of @instance whose remote
 * is @remote; -ENOENT if none. */
int ovx_peer_find_remote(const struct ovx_fastpath *fp, __u32 instance,
			  const struct ovx_sockaddr *remote, __u32 *peer_id);
/* Sets (@add) the peer's VPN address of @family (4 or 16 bytes), taking it
 * from another peer that had it (as OpenVPN's learn-address update does), or
 * removes it if it is still this peer's. */
int ovx_peer_set_vpn_addr(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			   int family, const __u8 *addr, bool add);

struct ovx_key_config {
	__u32 instance, peer_id;
	__u32 slot;			/* OVX_SLOT_PRIMARY or _SECONDARY */
	__u32 key_id;			/* 0..7 */
	int cipher;			/* OVX_CIPHER_* */
	const __u8 *enc_key, *dec_key;	/* ovx_cipher_key_len() bytes each */
	__u8 enc_nonce_tail[OVX_NONCE_TAIL_LEN], dec_nonce_tail[OVX_NONCE_TAIL_LEN];
	__u64 tx_start;			/* first packet-id to send; 0: 1 */
	__u64 rx_floor;			/* packet-ids up to this are refused */
};

/* Installs a key into a slot, replacing what the slot held. */
int ovx_key_new(const struct ovx_fastpath *fp, const struct ovx_key_config *kc);
/* Exchanges the primary and secondary slots. */
int ovx_key_swap(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id);
/* Empties a slot and removes its key. */
int ovx_key_del(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
		 __u32 slot);

/* Sets the next packet-id the key sends with (never lowers it): above what
 * OpenVPN sent with it before the fast path had it, or, in tests, near the
 * limit. */
int ovx_key_set_tx_pid(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			__u32 key_id, __u64 next_pid);
/* Raises the AES-GCM blocks the key has sealed (never lowers them: the
 * usage limit, bpf/limit.h): in tests, near the limit. */
int ovx_key_set_tx_blocks(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			   __u32 key_id, __u64 blocks);
/* Refuses received packet-ids up to @floor (never lowers it). */
int ovx_key_set_rx_floor(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			  __u32 key_id, __u64 floor);
/* What may be shown of a key: never its bytes. */
struct ovx_key_info {
	__u32 key_id, cipher;
	__u64 tx_next_pid;		/* the epoch format: 0, OpenVPN sends */
	__u32 rx_epoch;			/* the epoch format: current; 0: 2.6 */
	__u32 tx_epoch;			/* the epoch format: sending with */
};
int ovx_key_info_get(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
		      __u32 key_id, struct ovx_key_info *ki);

/* Routes a prefix via a peer (OpenVPN's iroute). @addr is 4 or 16 bytes by
 * @family; its bits past @prefixlen are ignored. -ENOENT for an unknown
 * peer, -EINVAL for a bad family or length, -ENOSPC when full, -EADDRINUSE
 * if it is routed via another peer (unless @move: then it goes via this one).
 * Meant for one writer (the daemon). */
int ovx_route_add(const struct ovx_fastpath *fp, __u32 instance, int family,
		   const void *addr, __u32 prefixlen, __u32 peer_id, bool move);
/* Removes a route if it goes via @peer_id (OVX_ROUTE_ANY_PEER: whichever);
 * -ENOENT if it is not routed (so). */
#define OVX_ROUTE_ANY_PEER	0xffffffffu
int ovx_route_del(const struct ovx_fastpath *fp, __u32 instance, int family,
		   const void *addr, __u32 prefixlen, __u32 peer_id);
/* The peer a prefix is routed via: 0, or -ENOENT. */
int ovx_route_owner(const struct ovx_fastpath *fp, __u32 instance, int family,
		     const void *addr, __u32 prefixlen, __u32 *owner);
/* Recounts the prefix lengths in use (ovx_route_lens) from the routes:
 * needed after routes were deleted from ovx_routes4/6 directly, which leaves
 * their lengths counted (TX then tries them in vain). */
int ovx_route_recount(const struct ovx_fastpath *fp);
/* Removes every route (iroute) of @instance, or only those via @peer_id
 * (@all_peers false). */
void ovx_routes_flush(const struct ovx_fastpath *fp, __u32 instance, bool all_peers,
		       __u32 peer_id);

/* bpf_map_update_elem, retrying the transient -ENOMEM of the kernel's BPF
 * allocator (see map_update.c). Returns 0 or -errno. */
int ovx_map_update(int fd, const void *key, const void *value, __u64 flags);

/* Calls @cb for every entry of a hash map (in chunks: a few system calls);
 * a non-zero return of @cb stops the walk and is returned. */
typedef int (*ovx_walk_cb)(const void *key, const void *value, void *ctx);
int ovx_map_walk(int fd, ovx_walk_cb cb, void *ctx);
/* The keys of the entries @match selects, in one walk: *@keys (malloc'd, for
 * the caller to free) holds *@n of them. Delete after the walk, not in it. */
typedef bool (*ovx_match_cb)(const void *key, const void *value, void *ctx);
int ovx_map_select(int fd, ovx_match_cb match, void *ctx, void **keys, __u32 *n);

/* Counters summed over CPUs. */
int ovx_peer_stats_get(const struct ovx_fastpath *fp, __u32 instance,
			__u32 peer_id, struct ovx_peer_stats *sum);
int ovx_global_stats_get(const struct ovx_fastpath *fp, struct ovx_global_stats *sum);

#endif
