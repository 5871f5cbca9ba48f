/* SPDX-License-Identifier: GPL-2.0 */
/* The control protocol of ovpn-xdpd, spoken by the CLI (ovpn-xdp), the OpenVPN
 * plugin and the tests over a Unix SOCK_SEQPACKET socket.
 *
 * A message is a struct nlmsghdr followed by TLV attributes (libmnl's
 * attribute API): nlmsg_type is the command, nlmsg_seq is echoed in the
 * reply. Every request gets exactly one reply of the same type carrying
 * OVX_A_STATUS (0 or -errno) and, on error, OVX_A_ERROR (a readable
 * message). Unknown attributes are ignored in both directions, so old clients
 * and new daemons (and the reverse) keep working; new attributes are only
 * ever appended to the enum. A request that fails changes nothing.
 *
 * Addresses travel as text: "1.2.3.4:1194", "[fd00::1]:1194" (an all-zero
 * address is a wildcard bind), "10.8.0.0/24"; key bytes as binary. Lists in
 * replies are nested: OVX_A_PEERS holds OVX_A_PEER items, each holding
 * the peer's attributes. Key bytes are never returned.
 *
 * After SUBSCRIBE the connection also receives OVX_CMD_NOTIFY messages
 * (nlmsg_seq 0) for fast-path events: OVX_A_EVENT and the peer it concerns.
 *
 * OVX_CMD_BATCH carries up to OVX_CTL_BATCH_MAX requests in one message,
 * for bulk installs: OVX_A_BATCH holds OVX_A_ITEM items, each the command
 * (OVX_A_CMD) and that command's attributes; an item without INSTANCE or
 * NAME uses the batch's. Items are validated and applied one after the other,
 * each atomically, as if sent alone. The reply's OVX_A_RESULTS holds one
 * OVX_A_RESULT per item, in order (OVX_A_STATUS, and OVX_A_ERROR for a
 * failed one), and OVX_A_FAILED counts the failed items; its own status is
 * an error only when the batch itself is malformed, and then nothing was
 * applied. Batchable: PEER_NEW/SET/DEL, KEY_NEW/SWAP/DEL, ROUTE_ADD/DEL. */
#ifndef OVX_CTL_H
#define OVX_CTL_H

#include <linux/netlink.h>

#define OVX_CTL_DEFAULT_PATH	"/run/ovpn-xdp/ctl.sock"
#define OVX_CTL_MSG_MAX	65536	/* largest request or reply */
#define OVX_CTL_NAME_MAX	32	/* instance names, with the NUL */
#define OVX_CTL_MAX_LINKS	4	/* link devices per instance */
#define OVX_CTL_MAX_ADDRS	2	/* sockets per instance (IPv4 and IPv6) */
#define OVX_CTL_VERSION	1	/* in STATUS replies */
#define OVX_CTL_BATCH_MAX	256	/* items in one OVX_CMD_BATCH */

enum ovx_ctl_cmd {
	OVX_CMD_INSTANCE_NEW = NLMSG_MIN_TYPE,
	OVX_CMD_INSTANCE_DEL,
	OVX_CMD_PEER_NEW,
	OVX_CMD_PEER_SET,
	OVX_CMD_PEER_DEL,
	OVX_CMD_PEER_GET,
	OVX_CMD_KEY_NEW,
	OVX_CMD_KEY_SWAP,
	OVX_CMD_KEY_DEL,
	OVX_CMD_KEY_GET,
	OVX_CMD_ROUTE_ADD,
	OVX_CMD_ROUTE_DEL,
	OVX_CMD_STATUS,
	OVX_CMD_SUBSCRIBE,
	OVX_CMD_NOTIFY,		/* daemon to subscriber only */
	OVX_CMD_DETACH,		/* detach everything, unpin, exit */
	/* from the OpenVPN plugin: peers are named by their remote address */
	OVX_CMD_KEY_MATERIAL,		/* a captured key: completed from the wire */
	OVX_CMD_PEER_ADDR,		/* learn-address: VPN address or iroute */
	OVX_CMD_PEER_GONE,		/* client-disconnect */
	OVX_CMD_BATCH,			/* several requests in one message */
	__OVX_CMD_END,
};

/* OVX_A_P2P_PEER_ID left out: learnt from the wire with the first key. */
#define OVX_P2P_PEER_UNKNOWN	0xFFFFFFFFu

enum ovx_ctl_mode {
	OVX_MODE_SERVER = 0,
	OVX_MODE_P2P = 1,		/* client: everything to OVX_A_P2P_PEER_ID */
};

/* OVX_A_FLAGS of PEER_NEW and ROUTE_ADD: a VPN address or prefix another
 * peer of the instance has goes to this one (without it: -EADDRINUSE). */
#define OVX_F_MOVE		8

/* OVX_A_FLAGS of INSTANCE_NEW. */
#define OVX_INST_F_NO_ATTACH	1	/* register only: programs attached by hand */
#define OVX_INST_F_OWNED	2	/* deleted with its peers and keys when the
					 * connection that created it closes: the
					 * OpenVPN plugin's, so a killed OpenVPN
					 * leaves nothing behind */
#define OVX_INST_F_C2C		4	/* set by OVX_A_C2C (old daemons ignore the
					 * attribute; they refuse unknown flags) */

/* OVX_A_IF_STATE */
enum ovx_ctl_if_state {
	OVX_IF_UP = 0,
	OVX_IF_GONE = 1,		/* the device vanished while attached */
};

/* OVX_A_REASON of a PEER_DELETED notification. */
enum ovx_ctl_del_reason {
	OVX_DEL_REQUESTED = 0,		/* PEER_DEL */
	OVX_DEL_INSTANCE = 1,		/* its instance was deleted */
	OVX_DEL_EXPIRED = 2,		/* keepalive timeout */
};

/* OVX_A_OP of PEER_ADDR, as OpenVPN's learn-address. */
enum ovx_ctl_addr_op {
	OVX_ADDR_ADD = 0,
	OVX_ADDR_DELETE = 1,
};

/* OVX_A_EVENT of a notification: OVX_EV_PID_HIGH_WATER and OVX_EV_FLOAT
 * from include/ovx_maps.h, and: */
#define OVX_EV_PEER_DELETED	100

enum ovx_ctl_attr {
	OVX_A_UNSPEC,
	OVX_A_STATUS,			/* u32: 0 or -errno, two's complement */
	OVX_A_ERROR,			/* string */
	OVX_A_INSTANCE,		/* u32: instance id */
	OVX_A_NAME,			/* string: instance name */
	OVX_A_TUN,			/* string: VPN device name */
	OVX_A_LINK,			/* string: link device name, repeatable */
	OVX_A_SOCKADDR,		/* string: OpenVPN's socket, repeatable */
	OVX_A_MODE,			/* u32: enum ovx_ctl_mode */
	OVX_A_P2P_PEER_ID,		/* u32 */
	OVX_A_PEER_ID,			/* u32 */
	OVX_A_REMOTE,			/* string: "addr:port" */
	OVX_A_LOCAL,			/* string: "addr:port" */
	OVX_A_VPN_IPV4,		/* string */
	OVX_A_VPN_IPV6,		/* string */
	OVX_A_KEEPALIVE_INTERVAL,	/* u32 seconds */
	OVX_A_KEEPALIVE_TIMEOUT,	/* u32 seconds */
	OVX_A_SLOT,			/* u32: 0 primary, 1 secondary */
	OVX_A_KEY_ID,			/* u32: 0..7 */
	OVX_A_CIPHER,			/* string: "AES-256-GCM", ... */
	OVX_A_ENC_KEY,			/* binary: the cipher's key length */
	OVX_A_ENC_NONCE,		/* binary: 8 bytes (implicit IV) */
	OVX_A_DEC_KEY,
	OVX_A_DEC_NONCE,
	OVX_A_TX_PID,			/* u64: next packet-id the key sends */
	OVX_A_PREFIX,			/* string: "addr/len" */
	OVX_A_CURSOR,			/* u64: PEER_GET resumes after (instance << 32 | peer-id) */
	OVX_A_IFINDEX,			/* u32 */
	OVX_A_MTU,			/* u32 */
	OVX_A_FLAGS,			/* u32 */
	OVX_A_INSTANCES,		/* nested list of OVX_A_INSTANCE_INFO */
	OVX_A_INSTANCE_INFO,		/* nested */
	OVX_A_IFACES,			/* nested list of OVX_A_IFACE */
	OVX_A_IFACE,			/* nested: NAME, IFINDEX, MTU, IF_STATE, XDP_MODE */
	OVX_A_PEERS,			/* nested list of OVX_A_PEER */
	OVX_A_PEER,			/* nested */
	OVX_A_KEYS,			/* nested list of OVX_A_KEY */
	OVX_A_KEY,			/* nested: SLOT, KEY_ID, CIPHER, TX_PID */
	OVX_A_LAST_RX_MS,		/* u64: ms since the last authenticated packet */
	OVX_A_RX_LINK_PKTS,		/* u64 counters, as struct ovx_peer_stats */
	OVX_A_RX_LINK_BYTES,
	OVX_A_RX_VPN_PKTS,
	OVX_A_RX_VPN_BYTES,
	OVX_A_TX_LINK_PKTS,
	OVX_A_TX_LINK_BYTES,
	OVX_A_TX_VPN_PKTS,
	OVX_A_TX_VPN_BYTES,
	OVX_A_RX_TO_OVPN,
	OVX_A_DROPS,			/* u64: sum of the drop counters */
	OVX_A_EVENT,			/* u32: OVX_EV_* */
	OVX_A_REASON,			/* u32: enum ovx_ctl_del_reason */
	OVX_A_IF_STATE,		/* u32: enum ovx_ctl_if_state */
	OVX_A_XDP_MODE,		/* string: how XDP is attached */
	OVX_A_VERSION,			/* u32: OVX_CTL_VERSION */
	OVX_A_PIN_PATH,		/* string */
	OVX_A_NPEERS,			/* u32 */
	OVX_A_ROLE,			/* u32: enum ovx_role (loader/lib/learn.h) */
	OVX_A_MATERIAL,		/* binary: 256 bytes, TLS-EKM datakeys */
	OVX_A_OP,			/* u32: enum ovx_ctl_addr_op */
	OVX_A_CMD,			/* u32: the command of a batch item */
	OVX_A_BATCH,			/* nested list of OVX_A_ITEM */
	OVX_A_ITEM,			/* nested: OVX_A_CMD and its attributes */
	OVX_A_RESULTS,			/* nested list of OVX_A_RESULT */
	OVX_A_RESULT,			/* nested: STATUS, ERROR */
	OVX_A_FAILED,			/* u32: failed items of a batch */
	OVX_A_DROP_COUNTS,		/* binary: a peer's drops, a u64 per enum
					 * ovx_drop in order (a reader ignores
					 * those past the ones it knows; missing
					 * ones are 0) */
	OVX_A_GLOBAL_COUNTS,		/* binary: STATUS, a u64 per enum
					 * ovx_gstat in order, as DROP_COUNTS */
	OVX_A_C2C,			/* u32: INSTANCE_NEW, STATUS: 1 if OpenVPN's
					 * client-to-client is on (a server) */
	OVX_A_FRAMING,			/* u32 of INSTANCE_NEW: the data-channel
					 * framing, OVX_FRAMING_* with fragment's
					 * size in bits 16..31 (include/ovx_maps.h);
					 * absent: none */
	OVX_A_AEAD_COSTS,		/* nested list of OVX_A_AEAD_COST (STATUS):
					 * what a packet costs per cipher, measured
					 * at the daemon's start */
	OVX_A_AEAD_COST,		/* nested: CIPHER, AEAD_BPF_NS, AEAD_SW_NS */
	OVX_A_AEAD_BPF_NS,		/* u32: the fast path's AEAD, one 1408-byte
					 * packet */
	OVX_A_AEAD_SW_NS,		/* u32: OpenSSL's, the same packet */
	OVX_A_RX_EPOCH,		/* u32 of a KEY (peer dumps): a key in
					 * OpenVPN 2.7's epoch data format, its
					 * current receive epoch; absent: 2.6 */
	OVX_A_RENEG_SEC,		/* u32 of INSTANCE_NEW: OpenVPN's reneg-sec
					 * (0: off); absent: not known. Only for
					 * the daemon's warning (reneg_check.c) */
	OVX_A_TX_EPOCH,		/* u32 of a KEY (peer dumps): the epoch format's
					 * send epoch (the fast path seals) */
	__OVX_A_END,
};
#define OVX_A_MAX	(__OVX_A_END - 1)

#endif /* OVX_CTL_H */
