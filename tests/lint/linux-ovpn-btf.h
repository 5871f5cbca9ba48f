/* SPDX-License-Identifier: GPL-2.0 */
/* What a vmlinux.h dumped from a kernel with Linux's own `ovpn` driver built
 * in (CONFIG_OVPN=y) adds: the driver's structs and its netlink and link
 * enums, by the names the driver gives them (bodies abridged). `make
 * collide` appends this to the build's vmlinux.h and builds the BPF objects
 * against it: nothing of ours may use these names (ours are ovx_/OVX_). */
#ifndef OVX_LINT_LINUX_OVPN_BTF_H
#define OVX_LINT_LINUX_OVPN_BTF_H

enum ovpn_mode { OVPN_MODE_P2P = 0, OVPN_MODE_MP = 1 };
enum ovpn_cipher_alg {
	OVPN_CIPHER_ALG_NONE = 0, OVPN_CIPHER_ALG_AES_GCM = 1,
	OVPN_CIPHER_ALG_CHACHA20_POLY1305 = 2,
};
enum ovpn_del_peer_reason {
	OVPN_DEL_PEER_REASON_TEARDOWN = 0, OVPN_DEL_PEER_REASON_USERSPACE = 1,
	OVPN_DEL_PEER_REASON_EXPIRED = 2, OVPN_DEL_PEER_REASON_TRANSPORT_ERROR = 3,
	OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT = 4,
};
enum ovpn_key_slot { OVPN_KEY_SLOT_PRIMARY = 0, OVPN_KEY_SLOT_SECONDARY = 1 };
enum {
	OVPN_A_UNSPEC = 0, OVPN_A_IFINDEX = 1, OVPN_A_PEER = 2, OVPN_A_KEYCONF = 3,
	__OVPN_A_MAX = 4, OVPN_A_MAX = 3,
};
enum {
	OVPN_A_PEER_ID = 1, OVPN_A_PEER_REMOTE_IPV4 = 2, OVPN_A_PEER_REMOTE_IPV6 = 3,
	OVPN_A_PEER_SOCKET = 8, OVPN_A_PEER_VPN_IPV4 = 9, OVPN_A_PEER_VPN_IPV6 = 10,
	OVPN_A_PEER_KEEPALIVE_INTERVAL = 13, OVPN_A_PEER_KEEPALIVE_TIMEOUT = 14,
};
enum {
	OVPN_A_KEYCONF_PEER_ID = 1, OVPN_A_KEYCONF_SLOT = 2, OVPN_A_KEYCONF_KEY_ID = 3,
	OVPN_A_KEYCONF_CIPHER_ALG = 4, OVPN_A_KEYCONF_ENCRYPT_DIR = 5,
	OVPN_A_KEYCONF_DECRYPT_DIR = 6,
};
enum {
	OVPN_CMD_PEER_NEW = 1, OVPN_CMD_PEER_SET = 2, OVPN_CMD_PEER_GET = 3,
	OVPN_CMD_PEER_DEL = 4, OVPN_CMD_PEER_DEL_NTF = 5, OVPN_CMD_KEY_NEW = 6,
	OVPN_CMD_KEY_GET = 7, OVPN_CMD_KEY_SWAP = 8, OVPN_CMD_KEY_SWAP_NTF = 9,
	OVPN_CMD_KEY_DEL = 10, __OVPN_CMD_MAX = 11, OVPN_CMD_MAX = 10,
};

union ovpn_sockaddr { struct sockaddr_in in4; struct sockaddr_in6 in6; };
struct ovpn_bind { union ovpn_sockaddr remote; struct callback_head rcu; };
struct ovpn_peer_stat { atomic64_t bytes; atomic64_t packets; };
struct ovpn_peer_stats { struct ovpn_peer_stat rx; struct ovpn_peer_stat tx; };
struct ovpn_key_direction { const u8 *cipher_key; size_t cipher_key_size; };
struct ovpn_key_config {
	enum ovpn_cipher_alg cipher_alg; u8 key_id;
	struct ovpn_key_direction encrypt; struct ovpn_key_direction decrypt;
};
struct ovpn_crypto_key_slot { u8 key_id; struct crypto_aead *encrypt, *decrypt; };
struct ovpn_crypto_state { struct ovpn_crypto_key_slot *slots[2]; u8 primary_idx; };
struct ovpn_priv { struct net_device *dev; enum ovpn_mode mode; spinlock_t lock; };
struct ovpn_socket { struct ovpn_priv *ovpn; struct sock *sk; struct kref refcount; };
struct ovpn_peer {
	struct ovpn_priv *ovpn; u32 id; struct ovpn_socket *sock;
	struct ovpn_crypto_state crypto; struct ovpn_peer_stats vpn_stats;
	struct ovpn_peer_stats link_stats; enum ovpn_del_peer_reason delete_reason;
};
struct ovpn_peer_collection { struct ovpn_peer *by_id[256]; };

#endif
