/* SPDX-License-Identifier: GPL-2.0 */
/* Requests of the control protocol decoded and validated, before anything is
 * changed: everything that can be checked without the daemon's state
 * (attributes present, ranges, addresses, cipher and key lengths). */
#ifndef OVX_LOADER_CTL_REQ_H
#define OVX_LOADER_CTL_REQ_H

#include "ctl_msg.h"
#include "fastpath.h"

struct ovx_req_instance {
	char name[OVX_CTL_NAME_MAX];
	char tun[16];
	char links[OVX_CTL_MAX_LINKS][16];
	unsigned int nlinks;
	struct ovx_sockaddr addrs[OVX_CTL_MAX_ADDRS];
	unsigned int naddrs;
	__u32 mode, p2p_peer_id, flags;
	__u32 framing;		/* OVX_A_FRAMING */
	__u32 reneg_sec;	/* OVX_A_RENEG_SEC, if has_reneg_sec */
	bool has_reneg_sec;
};

/* The plugin's requests: peers named by remote address. */
struct ovx_req_plugin {
	__u32 role, op;
	__u8 material[256];
	bool has_remote;
	struct ovx_sockaddr remote;
	bool is_prefix;			/* PEER_ADDR: "a/len" (iroute), else an address */
	int family;
	__u8 addr[16];
	__u32 plen;
};

struct ovx_req_key {
	struct ovx_key_config kc;	/* instance filled in by the daemon */
	__u8 enc[OVX_KEY_MAX_LEN], dec[OVX_KEY_MAX_LEN];
	bool has_tx_pid;
	__u64 tx_pid;
};

struct ovx_req_route {
	int family;
	__u8 addr[16];
	__u32 plen;
	bool move;			/* OVX_F_MOVE */
};

struct ovx_req {
	int cmd;
	__u32 seq;
	/* the instance: by id, or by name (NULL), or neither */
	bool has_inst_id;
	__u32 inst_id;
	char inst_name[OVX_CTL_NAME_MAX];
	bool has_peer_id;
	__u32 peer_id;
	union {
		struct ovx_req_instance inst;		/* INSTANCE_NEW */
		struct ovx_peer_config peer;		/* PEER_NEW */
		struct { __u32 interval, timeout; } ka;	/* PEER_SET */
		struct ovx_req_key key;		/* KEY_NEW */
		__u32 slot;				/* KEY_DEL */
		struct ovx_req_route route;		/* ROUTE_ADD/DEL */
		struct { bool has; __u64 at; } cursor;	/* PEER_GET */
		struct ovx_req_plugin plugin;		/* KEY_MATERIAL, PEER_ADDR/GONE */
		struct {				/* BATCH */
			const struct nlattr *list;	/* OVX_A_BATCH, in the request */
			unsigned int n;			/* OVX_A_ITEM items */
		} batch;
	};
};

/* Parses and validates one request. Returns 0, or -errno with @e saying what
 * was wrong. @r may hold key bytes afterwards: wipe it (ovx_req_wipe). */
int ovx_req_decode(const void *buf, size_t len, struct ovx_req *r,
		    struct ovx_ctl_err *e);
/* One item of a decoded BATCH request @batch, as ovx_req_decode would decode
 * it alone (the batch's instance if it names none); -EOPNOTSUPP for a command
 * that cannot be batched. */
int ovx_req_decode_item(const struct nlattr *item, const struct ovx_req *batch,
			 struct ovx_req *r, struct ovx_ctl_err *e);
void ovx_req_wipe(struct ovx_req *r);

#endif
