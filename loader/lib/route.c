// SPDX-License-Identifier: GPL-2.0
/* Prefixes routed via a peer (OpenVPN's iroute): one hash entry per prefix,
 * keyed by its address masked to its length, and per family the lengths in
 * use with their route counts (ovx_route_lens), which TX tries longest first.
 * A length's bit is set after its first route is in and cleared after its
 * last is gone: TX may try a length with no route, never miss a route. The
 * maps are meant to have one writer (the daemon): the counts are updated by
 * reading and rewriting the whole entry. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "fastpath.h"

/* A prefix as its map keys it. */
struct route {
	int fd;				/* ovx_routes4 or ovx_routes6 */
	__u32 lens;			/* OVX_ROUTE_LENS_V4 or _V6 */
	__u32 prefixlen;
	union {
		struct ovx_route4_key k4;
		struct ovx_route6_key k6;
	} key;
};

/* Zeroes the bits of @addr (@n bytes) past the first @prefixlen. */
static void mask_addr(__u8 *addr, size_t n, __u32 prefixlen)
{
	for (size_t i = 0; i < n; i++, prefixlen = prefixlen > 8 ? prefixlen - 8 : 0)
		if (prefixlen < 8)
			addr[i] &= (__u8)(0xff00 >> prefixlen);
}

static int route_key(const struct ovx_fastpath *fp, __u32 instance, int family,
		     const void *addr, __u32 prefixlen, struct route *r)
{
	__be32 inst = htonl(instance);

	memset(r, 0, sizeof(*r));
	r->prefixlen = prefixlen;
	if (family == OVX_AF_INET && prefixlen <= 32) {
		r->fd = fp->routes4_fd;
		r->lens = OVX_ROUTE_LENS_V4;
		r->key.k4.prefixlen = prefixlen;
		memcpy(r->key.k4.instance, &inst, 4);
		memcpy(r->key.k4.addr, addr, 4);
		mask_addr(r->key.k4.addr, 4, prefixlen);
		return 0;
	}
	if (family == OVX_AF_INET6 && prefixlen <= 128) {
		r->fd = fp->routes6_fd;
		r->lens = OVX_ROUTE_LENS_V6;
		r->key.k6.prefixlen = prefixlen;
		memcpy(r->key.k6.instance, &inst, 4);
		memcpy(r->key.k6.addr, addr, 16);
		mask_addr(r->key.k6.addr, 16, prefixlen);
		return 0;
	}
	return -EINVAL;
}

/* Sets or clears the bit of length @len as its count is or is not 0. */
static void lens_mark(struct ovx_route_lens *l, __u32 len)
{
	__u32 bit = 1u << len % 32;

	if (l->count[len])
		l->used[len / 32] |= bit;
	else
		l->used[len / 32] &= ~bit;
}

/* Counts one route more (@delta 1) or less (-1) of @r's length. */
static int lens_count(const struct ovx_fastpath *fp, const struct route *r, int delta)
{
	struct ovx_route_lens l;

	if (bpf_map_lookup_elem(fp->route_lens_fd, &r->lens, &l))
		return -errno;
	if (delta < 0 && !l.count[r->prefixlen])
		return 0;		/* lost count: nothing to undo */
	l.count[r->prefixlen] += delta;
	lens_mark(&l, r->prefixlen);
	return ovx_map_update(fp->route_lens_fd, &r->lens, &l, BPF_EXIST);
}

int ovx_route_owner(const struct ovx_fastpath *fp, __u32 instance, int family,
		     const void *addr, __u32 prefixlen, __u32 *owner)
{
	struct route r;
	int err = route_key(fp, instance, family, addr, prefixlen, &r);

	if (err)
		return err;
	return bpf_map_lookup_elem(r.fd, &r.key, owner) ? -errno : 0;
}

int ovx_route_add(const struct ovx_fastpath *fp, __u32 instance, int family,
		   const void *addr, __u32 prefixlen, __u32 peer_id, bool move)
{
	struct ovx_peer p;
	struct route r;
	__u32 owner;
	int err = route_key(fp, instance, family, addr, prefixlen, &r);

	if (err)
		return err;
	if (ovx_peer_get(fp, instance, peer_id, &p))
		return -ENOENT;
	err = ovx_map_update(r.fd, &r.key, &peer_id, BPF_NOEXIST);
	if (err == -EEXIST) {		/* routed already: via this peer, or another */
		if (!bpf_map_lookup_elem(r.fd, &r.key, &owner) && owner == peer_id)
			return 0;
		return move ? ovx_map_update(r.fd, &r.key, &peer_id, BPF_EXIST) : -EADDRINUSE;
	}
	if (err)
		return err == -E2BIG ? -ENOSPC : err;	/* full, as the trie said */
	/* the route first, then its length's bit: TX sees both or skips it */
	err = lens_count(fp, &r, 1);
	if (err)
		bpf_map_delete_elem(r.fd, &r.key);
	return err;
}

int ovx_route_del(const struct ovx_fastpath *fp, __u32 instance, int family,
		   const void *addr, __u32 prefixlen, __u32 peer_id)
{
	struct route r;
	__u32 owner;
	int err = route_key(fp, instance, family, addr, prefixlen, &r);

	if (err)
		return err;
	if (peer_id != OVX_ROUTE_ANY_PEER &&
	    (bpf_map_lookup_elem(r.fd, &r.key, &owner) || owner != peer_id))
		return -ENOENT;		/* not routed via this peer (any more) */
	if (bpf_map_delete_elem(r.fd, &r.key))
		return -errno;
	/* the route is gone: a count left over only costs TX a lookup */
	lens_count(fp, &r, -1);
	return 0;
}

/* Counts the routes of one family's map into @l. */
static int lens_recount(int fd, size_t key_size, struct ovx_route_lens *l)
{
	__u8 key[sizeof(struct ovx_route6_key)], next[sizeof(key)];
	void *prev = NULL;
	__u32 len;

	memset(l, 0, sizeof(*l));
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(&len, next, sizeof(len));	/* prefixlen comes first */
		if (len <= OVX_ROUTE_LEN_MAX)
			l->count[len]++;
		memcpy(key, next, key_size);
		prev = key;
	}
	if (errno != ENOENT)
		return -errno;
	for (len = 0; len <= OVX_ROUTE_LEN_MAX; len++)
		lens_mark(l, len);
	return 0;
}

int ovx_route_recount(const struct ovx_fastpath *fp)
{
	struct ovx_route_lens l;
	__u32 fam = OVX_ROUTE_LENS_V4;
	int err = lens_recount(fp->routes4_fd, sizeof(struct ovx_route4_key), &l);

	err = err ?: ovx_map_update(fp->route_lens_fd, &fam, &l, BPF_EXIST);
	if (err)
		return err;
	fam = OVX_ROUTE_LENS_V6;
	err = lens_recount(fp->routes6_fd, sizeof(struct ovx_route6_key), &l);
	return err ?: ovx_map_update(fp->route_lens_fd, &fam, &l, BPF_EXIST);
}

struct route_sel {
	__be32 instance;
	bool all;
	__u32 peer_id;
};

static bool route_of(const void *key, const void *value, void *ctx)
{
	const struct ovx_route6_key *k = key;		/* same head as v4 */
	const struct route_sel *s = ctx;

	return !memcmp(k->instance, &s->instance, 4) &&
	       (s->all || *(const __u32 *)value == s->peer_id);
}

/* Routes are deleted through ovx_route_del, which keeps ovx_route_lens
 * counted. */
static void routes_flush_map(const struct ovx_fastpath *fp, int fd, int family,
			     __u32 instance, bool all, __u32 peer_id)
{
	struct route_sel sel = { htonl(instance), all, peer_id };
	size_t ks = family == OVX_AF_INET ? sizeof(struct ovx_route4_key) :
					     sizeof(struct ovx_route6_key);
	__u8 *keys = NULL;
	__u32 n = 0;

	ovx_map_select(fd, route_of, &sel, (void **)&keys, &n);
	for (__u32 i = 0; i < n; i++) {
		const struct ovx_route6_key *k = (const void *)(keys + i * ks);

		ovx_route_del(fp, instance, family, k->addr, k->prefixlen, OVX_ROUTE_ANY_PEER);
	}
	free(keys);
}

void ovx_routes_flush(const struct ovx_fastpath *fp, __u32 instance, bool all_peers,
		       __u32 peer_id)
{
	routes_flush_map(fp, fp->routes4_fd, OVX_AF_INET, instance, all_peers, peer_id);
	routes_flush_map(fp, fp->routes6_fd, OVX_AF_INET6, instance, all_peers, peer_id);
}
