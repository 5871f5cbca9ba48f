/* SPDX-License-Identifier: GPL-2.0 */
/* Completing a data-channel key the OpenVPN plugin captured with what the
 * fast path learnt on the wire (see struct ovx_learn): OpenVPN tells a
 * plugin neither the peer-id nor the cipher. */
#ifndef OVX_LOADER_LEARN_H
#define OVX_LOADER_LEARN_H

#include "fastpath.h"

#define OVX_KEY_MATERIAL_LEN	256	/* TLS-EKM "EXPORTER-OpenVPN-datakeys" */
/* How far above OpenVPN's own last packet-id the fast path starts sending. */
#define OVX_LEARN_TX_MARGIN	65536

enum ovx_role {
	OVX_ROLE_SERVER,	/* decrypts client->server, encrypts server->client */
	OVX_ROLE_CLIENT,
};

struct ovx_learnt {
	__u32 peer_id;
	int cipher;
	__u64 rx_pid_max, tx_pid_max;
	__u64 rx_id_max;		/* the epoch format: epoch << 48 | counter */
	__u64 tx_id_max;		/* the epoch format: what OpenVPN sent */
	bool epoch;			/* OpenVPN 2.7's epoch data format */
};

/* The key config of @m for @cipher in @role (directions, key lengths,
 * implicit IVs as OpenVPN lays them out). */
void ovx_key_from_material(struct ovx_key_config *kc, const __u8 *m, int cipher,
			    enum ovx_role role);

/* What the fast path learnt of key @key_id from @remote, and its cipher, found
 * by opening the learnt sample with @m under each cipher. -EAGAIN: nothing
 * learnt yet; -EKEYREJECTED: no cipher opens the sample with @m;
 * -EPROTONOSUPPORT: it opens in OpenVPN 2.7's epoch data format (@out has
 * the peer-id and the cipher), which the fast path does not carry yet. */
int ovx_learn_identify(const struct ovx_fastpath *fp, __u32 instance,
			const struct ovx_sockaddr *remote, __u32 key_id, enum ovx_role role,
			const __u8 *m, struct ovx_learnt *out);

struct ovx_learn_install {
	__u32 instance, key_id;
	enum ovx_role role;
	struct ovx_sockaddr remote;
	__u8 vpn_ipv4[4], vpn_ipv6[16];		/* zero: unknown */
	const __u8 *material;			/* OVX_KEY_MATERIAL_LEN bytes */
};

/* Identifies and installs the key: the peer is created if new, the key
 * becomes primary (the previous primary secondary), it sends above what
 * OpenVPN sent with it and refuses what OpenVPN may already have received.
 * A key in the epoch format (@out->epoch) gets its receive epochs only
 * (epoch_peer.h); -EPROTONOSUPPORT for it where the pinned fast path lacks
 * the epoch maps. Same errors as ovx_learn_identify, and those of the map
 * updates. */
int ovx_learn_install(const struct ovx_fastpath *fp, const struct ovx_learn_install *li,
		       struct ovx_learnt *out);

/* Forgets what the wire told of keys from @remote that are in no slot of
 * their peer and that none of the @n waiting keys @m opens: a key dropped or
 * expired before it was offloaded, or an older key whose key-id a new one
 * reuses, so that the new one starts clean (its own packet-ids, its own
 * sample). @n == 0 forgets every such entry of @remote, both directions.
 * Returns the number of key-ids forgotten. */
int ovx_learn_forget_stale(const struct ovx_fastpath *fp, __u32 instance,
			    const struct ovx_sockaddr *remote, enum ovx_role role,
			    const __u8 *const *m, int n);

#endif
