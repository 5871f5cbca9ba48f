/* SPDX-License-Identifier: GPL-2.0 */
/* Additions to the fastpath library (fastpath.h) for the daemon: walking the
 * peers, keepalive settings, reading a key's public fields. */
#ifndef OVPN_LOADER_PEER_LIST_H
#define OVPN_LOADER_PEER_LIST_H

#include <stdbool.h>
#include "fastpath.h"

/* The peer after @after in map order (@after NULL: the first); @instance 0
 * means any instance. Returns 0, or -ENOENT at the end. */
int ovpn_peer_next(const struct ovpn_fastpath *fp, __u32 instance,
		   const struct ovpn_peer_key *after, struct ovpn_peer_key *next);
/* Number of peers of @instance (0: all). */
__u32 ovpn_peer_count(const struct ovpn_fastpath *fp, __u32 instance);
/* Stores the keepalive of PEER_SET in the peer. */
int ovpn_peer_set_keepalive(const struct ovpn_fastpath *fp, __u32 instance,
			    __u32 peer_id, __u32 interval, __u32 timeout);

/* What may be shown of a key: never its bytes. */
struct ovpn_key_info {
	__u32 key_id, cipher;
	__u64 tx_next_pid;
};
int ovpn_key_info_get(const struct ovpn_fastpath *fp, __u32 instance, __u32 peer_id,
		      __u32 key_id, struct ovpn_key_info *ki);

/* Removes every route (iroute) of @instance, or only those via @peer_id
 * (@all_peers false). */
void ovpn_routes_flush(const struct ovpn_fastpath *fp, __u32 instance, bool all_peers,
		       __u32 peer_id);

#endif
