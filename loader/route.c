// SPDX-License-Identifier: GPL-2.0
/* Prefixes routed via a peer (OpenVPN's iroute), in the LPM tries. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "fastpath.h"

/* Builds the trie key; returns the map to use, or -EINVAL. */
static int route_key(const struct ovpn_fastpath *fp, __u32 instance, int family,
		     const void *addr, __u32 prefixlen, void *key)
{
	__be32 inst = htonl(instance);

	if (family == OVPN_AF_INET && prefixlen <= 32) {
		struct ovpn_route4_key *k = key;

		memset(k, 0, sizeof(*k));
		k->prefixlen = 32 + prefixlen;
		memcpy(k->instance, &inst, 4);
		memcpy(k->addr, addr, 4);
		return fp->routes4_fd;
	}
	if (family == OVPN_AF_INET6 && prefixlen <= 128) {
		struct ovpn_route6_key *k = key;

		memset(k, 0, sizeof(*k));
		k->prefixlen = 32 + prefixlen;
		memcpy(k->instance, &inst, 4);
		memcpy(k->addr, addr, 16);
		return fp->routes6_fd;
	}
	return -EINVAL;
}

int ovpn_route_add(const struct ovpn_fastpath *fp, __u32 instance, int family,
		   const void *addr, __u32 prefixlen, __u32 peer_id)
{
	struct ovpn_route6_key key;
	struct ovpn_peer p;
	int fd = route_key(fp, instance, family, addr, prefixlen, &key);

	if (fd < 0)
		return fd;
	if (ovpn_peer_get(fp, instance, peer_id, &p))
		return -ENOENT;
	return ovpn_map_update(fd, &key, &peer_id, BPF_ANY);
}

int ovpn_route_del(const struct ovpn_fastpath *fp, __u32 instance, int family,
		   const void *addr, __u32 prefixlen)
{
	struct ovpn_route6_key key;
	int fd = route_key(fp, instance, family, addr, prefixlen, &key);

	if (fd < 0)
		return fd;
	return bpf_map_delete_elem(fd, &key) ? -errno : 0;
}
