// SPDX-License-Identifier: GPL-2.0
/* Walking peers and routes, keepalive, key information. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "peer_list.h"

int ovpn_peer_next(const struct ovpn_fastpath *fp, __u32 instance,
		   const struct ovpn_peer_key *after, struct ovpn_peer_key *next)
{
	struct ovpn_peer_key cur;

	for (;;) {
		if (bpf_map_get_next_key(fp->peers_fd, after, next))
			return -errno;
		if (!instance || next->instance == instance)
			return 0;
		cur = *next;
		after = &cur;
	}
}

__u32 ovpn_peer_count(const struct ovpn_fastpath *fp, __u32 instance)
{
	struct ovpn_peer_key k, prev;
	__u32 n = 0;

	for (int err = ovpn_peer_next(fp, instance, NULL, &k); !err;
	     err = ovpn_peer_next(fp, instance, &prev, &k)) {
		n++;
		prev = k;
	}
	return n;
}

int ovpn_peer_set_keepalive(const struct ovpn_fastpath *fp, __u32 instance,
			    __u32 peer_id, __u32 interval, __u32 timeout)
{
	struct ovpn_peer_ctl_args a = {
		.pk = { instance, peer_id }, .op = OVPN_PEER_CTL_KEEPALIVE,
		.interval = interval, .timeout = timeout,
	};

	return ovpn_peer_ctl(fp, &a);
}

int ovpn_key_info_get(const struct ovpn_fastpath *fp, __u32 instance, __u32 peer_id,
		      __u32 key_id, struct ovpn_key_info *ki)
{
	struct ovpn_key_id id = { instance, peer_id, key_id };
	struct ovpn_key *k = malloc(sizeof(*k));
	int err = 0;

	if (!k)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fp->keys_fd, &id, k)) {
		err = -errno;
	} else {
		ki->key_id = k->key_id;
		ki->cipher = k->enc.cipher;
		ki->tx_next_pid = k->tx_next_pid;
	}
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
	return err;
}

struct route_sel {
	__be32 instance;
	bool all;
	__u32 peer_id;
};

static bool route_of(const void *key, const void *value, void *ctx)
{
	const struct ovpn_route6_key *k = key;		/* same head as v4 */
	const struct route_sel *s = ctx;

	return !memcmp(k->instance, &s->instance, 4) &&
	       (s->all || *(const __u32 *)value == s->peer_id);
}

/* Routes are deleted through ovpn_route_del, which keeps ovpn_route_lens
 * counted. */
static void routes_flush_map(const struct ovpn_fastpath *fp, int fd, int family,
			     __u32 instance, bool all, __u32 peer_id)
{
	struct route_sel sel = { htonl(instance), all, peer_id };
	size_t ks = family == OVPN_AF_INET ? sizeof(struct ovpn_route4_key) :
					     sizeof(struct ovpn_route6_key);
	__u8 *keys = NULL;
	__u32 n = 0;

	ovpn_map_select(fd, route_of, &sel, (void **)&keys, &n);
	for (__u32 i = 0; i < n; i++) {
		const struct ovpn_route6_key *k = (const void *)(keys + i * ks);

		ovpn_route_del(fp, instance, family, k->addr, k->prefixlen, OVPN_ROUTE_ANY_PEER);
	}
	free(keys);
}

void ovpn_routes_flush(const struct ovpn_fastpath *fp, __u32 instance, bool all_peers,
		       __u32 peer_id)
{
	routes_flush_map(fp, fp->routes4_fd, OVPN_AF_INET, instance, all_peers, peer_id);
	routes_flush_map(fp, fp->routes6_fd, OVPN_AF_INET6, instance, all_peers, peer_id);
}
