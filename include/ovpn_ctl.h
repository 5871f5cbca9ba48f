/* SPDX-License-Identifier: GPL-2.0 */
/* The control protocol of ovpn-xdpd, spoken by the CLI (ovpn-xdp), the OpenVPN
 * plugin and the tests over a Unix SOCK_SEQPACKET socket.
 *
 * A message is a struct nlmsghdr followed by TLV attributes (libmnl's
 * attribute API): nlmsg_type is the command, nlmsg_seq is echoed in the
 * reply. Every request gets exactly one reply of the same type carrying
 * OVPN_A_STATUS (0 or -errno) and, on error, OVPN_A_ERROR (a readable
 * message). Unknown attributes are ignored in both directions, so old clients
 * and new daemons (and the reverse) keep working; new attributes are only
 * ever appended to the enum. A request that fails changes nothing.
 *
 * Addresses travel as text: "1.2.3.4:1194", "[fd00::1]:1194" (an all-zero
 * address is a wildcard bind), "10.8.0.0/24"; key bytes as binary. Lists in
 * replies are nested: OVPN_A_PEERS holds OVPN_A_PEER items, each holding
 * the peer's attributes. Key bytes are never returned.
 *
 * After SUBSCRIBE the connection also receives OVPN_CMD_NOTIFY messages
 * (nlmsg_seq 0) for fast-path events: OVPN_A_EVENT and the peer it concerns.
 *
 * OVPN_CMD_BATCH carries up to OVPN_CTL_BATCH_MAX requests in one message,
 * for bulk installs: OVPN_A_BATCH holds OVPN_A_ITEM items, each the command
 * (OVPN_A_CMD) and that command's attributes; an item without INSTANCE or
 * NAME uses the batch's. Items are validated and applied one after the other,
 * each atomically, as if sent alone. The reply's OVPN_A_RESULTS holds one
 * OVPN_A_RESULT per item, in order (OVPN_A_STATUS, and OVPN_A_ERROR for a
 * failed one), and OVPN_A_FAILED counts the failed items; its own status is
 * an error only when the batch itself is malformed, and then nothing was
 * applied. Batchable: PEER_NEW/SET/DEL, KEY_NEW/SWAP/DEL, ROUTE_ADD/DEL. */
#ifndef OVPN_CTL_H
#define OVPN_CTL_H

#include <linux/netlink.h>

#define OVPN_CTL_DEFAULT_PATH	"/run/ovpn-xdp/ctl.sock"
#define OVPN_CTL_MSG_MAX	65536	/* largest request or reply */
#define OVPN_CTL_NAME_MAX	32	/* instance names, with the NUL */
#define OVPN_CTL_MAX_LINKS	4	/* link devices per instance */
#define OVPN_CTL_MAX_ADDRS	2	/* sockets per instance (IPv4 and IPv6) */
#define OVPN_CTL_VERSION	1	/* in STATUS replies */
#define OVPN_CTL_BATCH_MAX	256	/* items in one OVPN_CMD_BATCH */

enum ovpn_ctl_cmd {
	OVPN_CMD_INSTANCE_NEW = NLMSG_MIN_TYPE,
	OVPN_CMD_INSTANCE_DEL,
	OVPN_CMD_PEER_NEW,
	OVPN_CMD_PEER_SET,
	OVPN_CMD_PEER_DEL,
	OVPN_CMD_PEER_GET,
	OVPN_CMD_KEY_NEW,
	OVPN_CMD_KEY_SWAP,
	OVPN_CMD_KEY_DEL,
	OVPN_CMD_KEY_GET,
	OVPN_CMD_ROUTE_ADD,
	OVPN_CMD_ROUTE_DEL,
	OVPN_CMD_STATUS,
	OVPN_CMD_SUBSCRIBE,
	OVPN_CMD_NOTIFY,		/* daemon to subscriber only */
	OVPN_CMD_DETACH,		/* detach everything, unpin, exit */
	/* from the OpenVPN plugin: peers are named by their remote address */
	OVPN_CMD_KEY_MATERIAL,		/* a captured key: completed from the wire */
	OVPN_CMD_PEER_ADDR,		/* learn-address: VPN address or iroute */
	OVPN_CMD_PEER_GONE,		/* client-disconnect */
	OVPN_CMD_BATCH,			/* several requests in one message */
	__OVPN_CMD_END,
};

/* OVPN_A_P2P_PEER_ID left out: learnt from the wire with the first key. */
#define OVPN_P2P_PEER_UNKNOWN	0xFFFFFFFFu

enum ovpn_ctl_mode {
	OVPN_MODE_SERVER = 0,
	OVPN_MODE_P2P = 1,		/* client: everything to OVPN_A_P2P_PEER_ID */
};

/* OVPN_A_FLAGS of PEER_NEW and ROUTE_ADD: a VPN address or prefix another
 * peer of the instance has goes to this one (without it: -EADDRINUSE). */
#define OVPN_F_MOVE		8

/* OVPN_A_FLAGS of INSTANCE_NEW. */
#define OVPN_INST_F_NO_ATTACH	1	/* register only: programs attached by hand */
#define OVPN_INST_F_OWNED	2	/* deleted with its peers and keys when the
					 * connection that created it closes: the
					 * OpenVPN plugin's, so a killed OpenVPN
					 * leaves nothing behind */
#define OVPN_INST_F_C2C		4	/* set by OVPN_A_C2C (old daemons ignore the
					 * attribute; they refuse unknown flags) */

/* OVPN_A_IF_STATE */
enum ovpn_ctl_if_state {
	OVPN_IF_UP = 0,
	OVPN_IF_GONE = 1,		/* the device vanished while attached */
};

/* OVPN_A_REASON of a PEER_DELETED notification. */
enum ovpn_ctl_del_reason {
	OVPN_DEL_REQUESTED = 0,		/* PEER_DEL */
	OVPN_DEL_INSTANCE = 1,		/* its instance was deleted */
	OVPN_DEL_EXPIRED = 2,		/* keepalive timeout */
};

/* OVPN_A_OP of PEER_ADDR, as OpenVPN's learn-address. */
enum ovpn_ctl_addr_op {
	OVPN_ADDR_ADD = 0,
	OVPN_ADDR_DELETE = 1,
};

/* OVPN_A_EVENT of a notification: OVPN_EV_PID_HIGH_WATER and OVPN_EV_FLOAT
 * from include/ovpn_maps.h, and: */
#define OVPN_EV_PEER_DELETED	100

enum ovpn_ctl_attr {
	OVPN_A_UNSPEC,
	OVPN_A_STATUS,			/* u32: 0 or -errno, two's complement */
	OVPN_A_ERROR,			/* string */
	OVPN_A_INSTANCE,		/* u32: instance id */
	OVPN_A_NAME,			/* string: instance name */
	OVPN_A_TUN,			/* string: VPN device name */
	OVPN_A_LINK,			/* string: link device name, repeatable */
	OVPN_A_SOCKADDR,		/* string: OpenVPN's socket, repeatable */
	OVPN_A_MODE,			/* u32: enum ovpn_ctl_mode */
	OVPN_A_P2P_PEER_ID,		/* u32 */
	OVPN_A_PEER_ID,			/* u32 */
	OVPN_A_REMOTE,			/* string: "addr:port" */
	OVPN_A_LOCAL,			/* string: "addr:port" */
	OVPN_A_VPN_IPV4,		/* string */
	OVPN_A_VPN_IPV6,		/* string */
	OVPN_A_KEEPALIVE_INTERVAL,	/* u32 seconds */
	OVPN_A_KEEPALIVE_TIMEOUT,	/* u32 seconds */
	OVPN_A_SLOT,			/* u32: 0 primary, 1 secondary */
	OVPN_A_KEY_ID,			/* u32: 0..7 */
	OVPN_A_CIPHER,			/* string: "AES-256-GCM", ... */
	OVPN_A_ENC_KEY,			/* binary: the cipher's key length */
	OVPN_A_ENC_NONCE,		/* binary: 8 bytes (implicit IV) */
	OVPN_A_DEC_KEY,
	OVPN_A_DEC_NONCE,
	OVPN_A_TX_PID,			/* u64: next packet-id the key sends */
	OVPN_A_PREFIX,			/* string: "addr/len" */
	OVPN_A_CURSOR,			/* u64: PEER_GET resumes after (instance << 32 | peer-id) */
	OVPN_A_IFINDEX,			/* u32 */
	OVPN_A_MTU,			/* u32 */
	OVPN_A_FLAGS,			/* u32 */
	OVPN_A_INSTANCES,		/* nested list of OVPN_A_INSTANCE_INFO */
	OVPN_A_INSTANCE_INFO,		/* nested */
	OVPN_A_IFACES,			/* nested list of OVPN_A_IFACE */
	OVPN_A_IFACE,			/* nested: NAME, IFINDEX, MTU, IF_STATE, XDP_MODE */
	OVPN_A_PEERS,			/* nested list of OVPN_A_PEER */
	OVPN_A_PEER,			/* nested */
	OVPN_A_KEYS,			/* nested list of OVPN_A_KEY */
	OVPN_A_KEY,			/* nested: SLOT, KEY_ID, CIPHER, TX_PID */
	OVPN_A_LAST_RX_MS,		/* u64: ms since the last authenticated packet */
	OVPN_A_RX_LINK_PKTS,		/* u64 counters, as struct ovpn_peer_stats */
	OVPN_A_RX_LINK_BYTES,
	OVPN_A_RX_VPN_PKTS,
	OVPN_A_RX_VPN_BYTES,
	OVPN_A_TX_LINK_PKTS,
	OVPN_A_TX_LINK_BYTES,
	OVPN_A_TX_VPN_PKTS,
	OVPN_A_TX_VPN_BYTES,
	OVPN_A_RX_TO_OVPN,
	OVPN_A_DROPS,			/* u64: sum of the drop counters */
	OVPN_A_EVENT,			/* u32: OVPN_EV_* */
	OVPN_A_REASON,			/* u32: enum ovpn_ctl_del_reason */
	OVPN_A_IF_STATE,		/* u32: enum ovpn_ctl_if_state */
	OVPN_A_XDP_MODE,		/* string: how XDP is attached */
	OVPN_A_VERSION,			/* u32: OVPN_CTL_VERSION */
	OVPN_A_PIN_PATH,		/* string */
	OVPN_A_NPEERS,			/* u32 */
	OVPN_A_ROLE,			/* u32: enum ovpn_role (loader/learn.h) */
	OVPN_A_MATERIAL,		/* binary: 256 bytes, TLS-EKM datakeys */
	OVPN_A_OP,			/* u32: enum ovpn_ctl_addr_op */
	OVPN_A_CMD,			/* u32: the command of a batch item */
	OVPN_A_BATCH,			/* nested list of OVPN_A_ITEM */
	OVPN_A_ITEM,			/* nested: OVPN_A_CMD and its attributes */
	OVPN_A_RESULTS,			/* nested list of OVPN_A_RESULT */
	OVPN_A_RESULT,			/* nested: STATUS, ERROR */
	OVPN_A_FAILED,			/* u32: failed items of a batch */
	OVPN_A_DROP_COUNTS,		/* binary: a peer's drops, a u64 per enum
					 * ovpn_drop in order (a reader ignores
					 * those past the ones it knows; missing
					 * ones are 0) */
	OVPN_A_GLOBAL_COUNTS,		/* binary: STATUS, a u64 per enum
					 * ovpn_gstat in order, as DROP_COUNTS */
	OVPN_A_C2C,			/* u32: INSTANCE_NEW, STATUS: 1 if OpenVPN's
					 * client-to-client is on (a server) */
	OVPN_A_FRAMING,			/* u32 of INSTANCE_NEW: the data-channel
					 * framing, OVPN_FRAMING_* with fragment's
					 * size in bits 16..31 (include/ovpn_maps.h);
					 * absent: none */
	OVPN_A_AEAD_COSTS,		/* nested list of OVPN_A_AEAD_COST (STATUS):
					 * what a packet costs per cipher, measured
					 * at the daemon's start */
	OVPN_A_AEAD_COST,		/* nested: CIPHER, AEAD_BPF_NS, AEAD_SW_NS */
	OVPN_A_AEAD_BPF_NS,		/* u32: the fast path's AEAD, one 1408-byte
					 * packet */
	OVPN_A_AEAD_SW_NS,		/* u32: OpenSSL's, the same packet */
	OVPN_A_RX_EPOCH,		/* u32 of a KEY (peer dumps): a key in
					 * OpenVPN 2.7's epoch data format, its
					 * current receive epoch; absent: 2.6 */
	__OVPN_A_END,
};
#define OVPN_A_MAX	(__OVPN_A_END - 1)

#endif /* OVPN_CTL_H */
