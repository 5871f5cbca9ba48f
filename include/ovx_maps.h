/* SPDX-License-Identifier: GPL-2.0 */
/* Layout of the maps the fast path and the control plane share. Keys and
 * values use fixed-width types only; addresses are in network byte order,
 * IPv4 in the first 4 bytes of a 16-byte field. */
#ifndef OVX_MAPS_H
#define OVX_MAPS_H

#include "ovx_data.h"
#ifndef __bpf__
#include <linux/bpf.h>		/* struct bpf_spin_lock */
#endif

#define OVX_MAX_SOCKETS	64
#define OVX_MAX_PEERS		131072
#define OVX_MAX_KEYS		(2 * OVX_MAX_PEERS)
#define OVX_PEER_ID_MAX	0xFFFFFF	/* 24 bits on the wire */
#define OVX_KEY_ID_MAX		7

#define OVX_AF_INET		2
#define OVX_AF_INET6		10

/* An address and UDP port. */
struct ovx_sockaddr {
	__u8 addr[16];
	__u16 port;		/* network order */
	__u16 family;		/* OVX_AF_INET or OVX_AF_INET6 */
} __attribute__((aligned(4)));

/* The instance's data-channel framing: what OpenVPN puts in the plaintext
 * around an IP packet (bpf/framing.h), in bits 8..31 of ovx_socket.flags
 * (RX) and ovx_iface.flags (TX), and of OVX_A_FRAMING. Outermost first:
 * fragment's 4-byte header, then the compression framing, then the packet.
 * The fast path never compresses; a compressed or fragmented packet it
 * receives goes to OpenVPN. */
#define OVX_FRAMING_COMP_V1	0x0100	/* comp-lzo, compress lzo: 0xFA, packet */
#define OVX_FRAMING_COMP_SWAP	0x0200	/* compress stub, compress lz4: 0xFB, the
					 * packet from its 2nd byte, its 1st byte */
#define OVX_FRAMING_COMP_V2	0x0400	/* compress stub-v2, lz4-v2: IP packets
					 * unchanged (only a 0x50 first byte is
					 * escaped, which no IP packet has) */
#define OVX_FRAMING_FRAGMENT	0x0800	/* fragment N: header 0 (FRAG_WHOLE) in
					 * front of packets that fit whole */
#define OVX_FRAMING_MASK	0xff00
#define OVX_FRAG_MAX_SHIFT	16	/* bits 16..31: fragment's largest whole
					 * payload (compression byte + packet) */
#define OVX_FRAG_HLEN		4

/* ovx_sockets: the OpenVPN sockets whose data packets are offloaded, keyed
 * by local address and port; an all-zero address matches a wildcard bind. */
struct ovx_socket {
	__u32 instance;		/* which OpenVPN instance owns the socket */
	__u32 vpn_ifindex;	/* its tun device: plaintext is received there */
	__u32 link_ifindex;	/* the device its packets go out of (TX) */
	__u32 flags;		/* OVX_FRAMING_* and the fragment size */
};

/* ovx_ifaces: the VPN (tun) devices, keyed by ifindex: TX looks up the
 * instance of a packet by the device it leaves through. */
#define OVX_IFACE_P2P		1	/* client mode: every packet to p2p_peer_id */
#define OVX_IFACE_ETH		2	/* packets carry an Ethernet header */
#define OVX_IFACE_CSUM_HELPER	4	/* receiving end of the checksum helper */
#define OVX_IFACE_C2C		8	/* server: client-to-client (bpf/c2c.h) */
/* and OVX_FRAMING_* with the fragment size in bits 8..31 (TX frames with it) */
/* The checksum helper: TCP from this host reaches tun egress before the
 * kernel computes its checksum (CHECKSUM_PARTIAL, completed by the device
 * after TC egress), too late for a payload TX encrypts. Such packets go out
 * of a veth whose checksum offload is off, so the kernel completes (and
 * clears) it, and TX runs at the other end's TC ingress. */
struct ovx_iface {
	__u32 instance;
	__u32 flags;
	__u32 p2p_peer_id;
	__u32 peer_ifindex;	/* tun: the helper's sending end (0: none);
				 * helper: the tun device */
};

/* ovx_vpn_addrs: a peer's VPN address (its ifconfig-pool address), exact. */
struct ovx_vpn_addr {
	__u32 instance;
	__u32 family;		/* OVX_AF_INET or OVX_AF_INET6 */
	__u8 addr[16];
};

/* ovx_routes4/6: prefixes routed via a peer (OpenVPN's iroute), hashes of
 * exact keys; the value is the peer-id. TX masks the destination to each
 * length ovx_route_lens marks in use, longest first, and looks it up. */
struct ovx_route4_key {
	__u32 prefixlen;	/* 0..32 */
	__u8 instance[4];	/* big-endian */
	__u8 addr[4];		/* the bits past prefixlen are zero */
};

struct ovx_route6_key {
	__u32 prefixlen;	/* 0..128 */
	__u8 instance[4];
	__u8 addr[16];
};

/* ovx_route_lens: an array of two entries, for IPv4 and IPv6, of the prefix
 * lengths in use (of every instance). Bit n (used[n / 32] >> n % 32 & 1) is
 * set while count[n] is not 0: after the first route of length n is added,
 * cleared after the last is deleted, so TX never misses a route. Only
 * userspace reads the counts. */
#define OVX_ROUTE_LENS_V4	0
#define OVX_ROUTE_LENS_V6	1
#define OVX_ROUTE_LEN_MAX	128
struct ovx_route_lens {
	__u32 used[(OVX_ROUTE_LEN_MAX + 32) / 32];
	__u32 count[OVX_ROUTE_LEN_MAX + 1];
};

/* ovx_peers: keyed by instance and peer-id. */
struct ovx_peer_key {
	__u32 instance;
	__u32 peer_id;
};

#define OVX_SLOT_PRIMARY	0	/* used to send */
#define OVX_SLOT_SECONDARY	1
#define OVX_SLOT_EMPTY		0xFF

#define OVX_PEER_F_FOREIGN_FRAMING	1	/* framed otherwise than configured
						 * (bpf/framing.h): left to OpenVPN */

struct ovx_peer {
	struct bpf_spin_lock lock;	/* guards remote, local; userspace changes
					 * fields only under it (ovx_peer_ctl) */
	__u32 flags;			/* OVX_PEER_F_*, set by RX */
	struct ovx_sockaddr remote;	/* where the peer's packets come from */
	struct ovx_sockaddr local;	/* our address and port towards it */
	__u8 vpn_ipv4[4];
	__u8 vpn_ipv6[16];
	__u8 slot_key_id[2];		/* key-id in each slot, or OVX_SLOT_EMPTY */
	__u8 pad[2];
	__u32 link_ifindex;		/* local's device, learnt with it by RX (0: look up) */
	__u32 keepalive_interval;	/* seconds, from PEER_SET */
	__u32 keepalive_timeout;
	__u64 last_rx_ns;		/* last authenticated packet (bpf_ktime) */
	__u64 last_to_ovpn_ns;		/* last packet handed to OpenVPN */
	__u64 key_wait_ns;		/* until then (bpf_ktime) a key OpenVPN made
					 * for the peer waits for the wire: a TX
					 * packet now and then goes to OpenVPN,
					 * which sends it with the new key (bpf/tx.h,
					 * loader/daemon/plugin_ctl.c); 0: none */
	__u64 key_wait_sent_ns;		/* the last such packet */
};

/* While a key waits, one TX packet every so often goes to OpenVPN. */
#define OVX_KEY_WAIT_GAP_NS	10000000ULL

/* ovx_keys: keyed by instance, peer-id and key-id. */
struct ovx_key_id {
	__u32 instance;
	__u32 peer_id;
	__u32 key_id;
};

/* Replay window (bpf/replay.h): packet-id @id was seen if bit id % 64 of word
 * (id / 64) % 16 is set. @window is the backtrack, at most OVX_REPLAY_MAX - 64. */
#define OVX_REPLAY_MAX		1024
#define OVX_REPLAY_DEFAULT	64
/* A floor marks every id up to it as seen, and none above: the bits of the
 * floor's own word up to and including it (the ids above it in that word may
 * still come, reordered, once a higher one has). */
#define OVX_REPLAY_FLOOR_BITS(floor) \
	((floor) % 64 == 63 ? ~0ULL : (1ULL << ((floor) % 64 + 1)) - 1)

struct ovx_replay {
	__u64 highest;
	__u32 window;
	__u32 floor;	/* ids up to here may have reached OpenVPN before the
			 * key was installed: the fast path passes them on
			 * (bpf/replay.h) */
	__u64 bits[OVX_REPLAY_MAX / 64];
};

struct ovx_key {
	struct bpf_spin_lock lock;	/* guards replay */
	__u32 key_id;
	struct ovx_replay replay;
	__u64 tx_next_pid;		/* next packet-id to send, atomic: shared by
					 * every CPU and every sender of the key */
	__u64 tx_blocks;		/* AES-GCM: 16-byte blocks sealed, atomic,
					 * for the usage limit (bpf/limit.h) */
	__u32 tx_usage_flags;		/* OVX_USAGE_F_*, set once, atomic */
	__u32 tx_pad;
	struct ovx_aead_key enc;
	struct ovx_aead_key dec;
};

/* Counters of a peer (ovx_peer_stats), added to atomically. */
enum ovx_drop {
	OVX_DROP_BAD_TAG,
	OVX_DROP_REPLAY,
	OVX_DROP_MALFORMED,
	OVX_DROP_NO_KEY,
	OVX_DROP_DELIVER,
	OVX_DROP_PID_EXHAUSTED,	/* TX: no packet-id left for the key, or
				 * AES-GCM's usage limit reached */
	OVX_DROP_ENCAP,		/* TX: headers or route failed */
	OVX_DROP_TOO_BIG,		/* TX: over the link MTU once encapsulated */
	OVX_DROP_RENUMBER,		/* OpenVPN's packet could not be renumbered */
	OVX_DROP_SOURCE,		/* RX: inner source not the peer's (bpf/srccheck.h) */
	OVX_DROP_MAX,
};

struct ovx_peer_stats {
	__u64 rx_link_pkts, rx_link_bytes;	/* UDP payload, as received */
	__u64 rx_vpn_pkts, rx_vpn_bytes;	/* plaintext delivered */
	__u64 tx_link_pkts, tx_link_bytes;
	__u64 tx_vpn_pkts, tx_vpn_bytes;
	__u64 rx_to_ovpn;			/* handed to OpenVPN unchanged */
	__u64 drops[OVX_DROP_MAX];
};

/* Global per-CPU counters (ovx_global_stats, one entry). */
enum ovx_gstat {
	OVX_G_RX_SEEN,		/* UDP to an offloaded socket */
	OVX_G_RX_NOT_DATA,	/* control channel and other opcodes: passed */
	OVX_G_RX_NO_PEER,	/* unknown peer-id: passed */
	OVX_G_RX_NO_KEY,	/* key-id not installed: passed */
	OVX_G_RX_FRAGMENT,	/* IP fragment: passed */
	OVX_G_RX_TOO_BIG,	/* beyond the fast path's size: passed */
	OVX_G_TX_SEEN,		/* packets leaving a VPN device */
	OVX_G_TX_NO_PEER,	/* no peer for the destination: to OpenVPN */
	OVX_G_TX_NO_KEY,	/* peer without a primary key: to OpenVPN */
	OVX_G_TX_TOO_BIG,	/* over the link MTU: dropped (see bpf/tx.h) */
	OVX_G_TX_NO_ROUTE,	/* no offloaded socket or local address: to OpenVPN */
	OVX_G_TX_RENUMBERED,	/* OpenVPN's own data packets renumbered */
	OVX_G_TX_CSUM_PARTIAL,	/* L4 checksum not computed yet: to OpenVPN */
	OVX_G_TX_FRAGMENT,	/* too big to go whole (fragment N): to OpenVPN */
	OVX_G_TX_EPOCH_SEALED,	/* sealed in the epoch format (bpf/tx_epoch.h) */
	OVX_G_TX_EPOCH_NO_SLOT,	/* epoch key without a usable send epoch: to OpenVPN */
	OVX_G_TX_KEY_WAITING,	/* the peer's new key waits for the wire: one to OpenVPN */
	OVX_G_MAX,
};

struct ovx_global_stats {
	__u64 c[OVX_G_MAX];
};

/* ovx_learn: what the fast path sees of data-channel keys it does not have
 * yet (unknown peer-id, or a key-id in no slot), for the control plane to
 * complete a key the OpenVPN plugin captured: OpenVPN gives a plugin neither
 * the peer-id nor the cipher, but the wire does. RX records the peer's
 * packets (peer-id, highest packet-id, the first packet of any size the fast
 * path could open, to identify the cipher by trial decryption); TX (the link egress program) records the
 * highest packet-id OpenVPN itself sent with the key, so the fast path starts
 * above it. */
#define OVX_LEARN_RX		0
#define OVX_LEARN_TX		1
#define OVX_LEARN_MAX		4096	/* entries (LRU) */
/* sample payloads up to this size: any the fast path opens */
#define OVX_LEARN_SAMPLE_MAX	(OVX_DATA_HDR_LEN + OVX_AEAD_MAX_LEN)
#define OVX_LEARN_SAMPLE_BUSY	0xffffffffU	/* sample_len while one CPU writes it */

struct ovx_learn_key {
	__u32 instance;
	__u32 dir;		/* OVX_LEARN_RX or _TX */
	__u32 key_id;
	__u32 pad;
	struct ovx_sockaddr remote;
};

struct ovx_learn {
	__u32 peer_id;
	__u32 sample_len;	/* 0: none yet; OVX_LEARN_SAMPLE_BUSY: being written */
	__u64 pid_max;		/* highest 8 bytes after the 4-byte header seen,
				 * big-endian: 2.6 format: packet-id << 32 |
				 * 4 bytes of tag; epoch format: epoch << 48 |
				 * counter (docs/epoch.md) */
	__u64 last_ns;
	__u8 sample[OVX_LEARN_SAMPLE_MAX];	/* a whole P_DATA_V2 payload */
};

/* Packet-ids: OpenVPN renegotiates past the high-water mark; the fast path
 * reports it then (a KEY_SWAP_NTF-like event) and never sends past the max. */
#define OVX_PID_HIGH_WATER	0xFF000000ULL
#define OVX_PID_MAX		0xFFFFFFFFULL

/* AES-GCM's usage limit in the 2.6 format (OpenVPN 2.7's, crypto.c): the
 * blocks sealed with a key plus its highest packet-id stay <= 2^36 - 1.
 * OpenVPN renegotiates at 7/8 of it, where the fast path reports it (once);
 * the fast path seals nothing past OVX_GCM_USAGE_STOP, a little below the
 * limit so that packets in flight on other CPUs cannot pass it either
 * (bpf/limit.h). ChaCha20-Poly1305 has none. */
#define OVX_GCM_USAGE_LIMIT	((1ULL << 36) - 1)
#define OVX_GCM_USAGE_HIGH_WATER	(OVX_GCM_USAGE_LIMIT / 8 * 7)
#define OVX_GCM_USAGE_SLACK	(1ULL << 20)
#define OVX_GCM_USAGE_STOP	(OVX_GCM_USAGE_LIMIT - OVX_GCM_USAGE_SLACK)
#define OVX_USAGE_F_HIGH_WATER	1	/* OVX_EV_USAGE_HIGH_WATER raised */

/* Events to the control plane (ring buffer ovx_events). */
enum ovx_event_type {
	OVX_EV_PID_HIGH_WATER = 1,	/* a key's packet-id passed the mark */
	OVX_EV_FLOAT = 2,		/* a peer's remote address changed */
	OVX_EV_FOREIGN_FRAMING = 3,	/* a peer's packets are framed otherwise
					 * than the instance's options say: it is
					 * left to OpenVPN from now on */
	OVX_EV_EPOCH_MOVED = 4,		/* epoch format: a key's receive epoch
					 * moved up (once per move): userspace
					 * installs the slots ahead, removes the
					 * old ones (loader/lib/epoch_refill.c) */
	OVX_EV_USAGE_HIGH_WATER = 5,	/* 2.6 format, AES-GCM: a key's usage
					 * passed OVX_GCM_USAGE_HIGH_WATER */
};

struct ovx_event {
	__u32 type;
	__u32 instance;
	__u32 peer_id;
	__u32 key_id;
	struct ovx_sockaddr addr;	/* OVX_EV_FLOAT: the new remote */
};

/* Metadata from the XDP program to the TC ingress program of the same device:
 * deliver the frame's payload as received on @ifindex. */
#define OVX_META_MAGIC		0x6f76706e	/* "ovpn" */
struct ovx_rx_meta {
	__u32 magic;
	__u32 ifindex;
};

/* Context of the ovx_key_ctl syscall program: changes to a key's fields that
 * userspace cannot make by rewriting the map value (that would release the
 * key's AES contexts). */
enum ovx_key_ctl_op {
	OVX_KEY_CTL_TX_PID_MIN = 1,	/* tx_next_pid = max(tx_next_pid, value) */
	OVX_KEY_CTL_RX_FLOOR = 2,	/* refuse packet-ids <= value (replay) */
	OVX_KEY_CTL_EPOCH_RX_FLOOR = 3,	/* epoch format: value = epoch << 48 |
						 * counter, refuse that epoch's
						 * counters <= counter */
	OVX_KEY_CTL_TX_BLOCKS_MIN = 4,	/* tx_blocks = max(tx_blocks, value) */
	OVX_KEY_CTL_EPOCH_TX_START = 5,	/* epoch format: value = epoch << 48 |
						 * counter, that send epoch's next
						 * counter = max(next, counter), and
						 * the send epoch at least that one */
};

struct ovx_key_ctl_args {
	struct ovx_key_id id;
	__u32 op;
	__u64 value;
	__s32 err;			/* out */
	__u32 pad;
};

/* Context of the ovx_peer_ctl syscall program: changes to a peer's fields
 * made under its lock. Rewriting the map value from a copy would undo what
 * the fast path wrote meanwhile (a float, the local address, packet times). */
enum ovx_peer_ctl_op {
	OVX_PEER_CTL_SLOT_SET = 1,	/* slot_key_id[slot] = key_id, old out;
					 * -EEXIST if the other slot holds it */
	OVX_PEER_CTL_SLOT_CLEAR = 2,	/* slot_key_id[slot] = EMPTY, old out */
	OVX_PEER_CTL_SLOT_SWAP = 3,
	OVX_PEER_CTL_KEEPALIVE = 4,	/* interval, timeout */
	OVX_PEER_CTL_VPN_ADDR = 5,	/* vpn_ipv4/6 (by family) = addr */
	OVX_PEER_CTL_KEY_WAIT = 6,	/* key_wait_ns = until_ns */
};

struct ovx_peer_ctl_args {
	struct ovx_peer_key pk;
	__u32 op;
	__u32 slot;
	__u32 key_id;
	__u32 interval, timeout;
	__u32 family;
	__u8 addr[16];
	__u32 old;			/* out: the slot's key-id before */
	__s32 err;			/* out */
	__u64 until_ns;
};

#endif /* OVX_MAPS_H */
