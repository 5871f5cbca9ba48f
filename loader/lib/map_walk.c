// SPDX-License-Identifier: GPL-2.0
/* Walking a hash map from userspace, and deleting what a walk selects.
 *
 * Entries come in chunks (BPF_MAP_LOOKUP_BATCH), a few system calls for a
 * whole map. Deleting while walking with bpf_map_get_next_key would send the
 * walk back to the first bucket after every delete (its cursor is gone):
 * quadratic in the map's size, seconds for 100,000 peers and for every peer
 * removed beside 100,000 routes. So a flush collects the keys first and
 * deletes them after the walk. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "fastpath.h"

#define WALK_CHUNK	1024

struct walk {
	int fd;
	__u32 key_size, value_size, count;
	__u8 *keys, *values;
	__u8 token[64];			/* the kernel's cursor (a bucket index) */
};

static int walk_open(struct walk *w, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	w->key_size = info.key_size;
	w->value_size = info.value_size;
	w->keys = calloc(WALK_CHUNK, w->key_size);
	w->values = calloc(WALK_CHUNK, w->value_size);
	return w->keys && w->values ? 0 : -ENOMEM;
}

static void walk_close(struct walk *w)
{
	free(w->keys);
	free(w->values);
}

/* The next chunk into w->keys / w->values (w->count entries, maybe 0).
 * Returns 0, 1 for the map's last chunk, or -errno. */
static int walk_next(struct walk *w, bool first)
{
	w->count = WALK_CHUNK;
	if (!bpf_map_lookup_batch(w->fd, first ? NULL : w->token, w->token,
				  w->keys, w->values, &w->count, NULL))
		return 0;
	return errno == ENOENT ? 1 : -errno;
}

int ovx_map_walk(int fd, ovx_walk_cb cb, void *ctx)
{
	struct walk w;
	int err = walk_open(&w, fd), more = !err;

	for (bool first = true; more; first = false) {
		err = walk_next(&w, first);
		more = !err;
		if (err < 0)
			break;
		err = 0;
		for (__u32 i = 0; !err && i < w.count; i++)
			err = cb(w.keys + i * w.key_size, w.values + i * w.value_size, ctx);
		more = more && !err;
	}
	walk_close(&w);
	return err;
}

struct collect {
	ovx_match_cb match;
	void *ctx;
	__u32 key_size, n, cap;
	__u8 *keys;
};

static int collect_cb(const void *key, const void *value, void *ctx)
{
	struct collect *c = ctx;
	__u8 *more;

	if (!c->match(key, value, c->ctx))
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		more = realloc(c->keys, (size_t)c->cap * c->key_size);
		if (!more)
			return -ENOMEM;
		c->keys = more;
	}
	memcpy(c->keys + (size_t)c->n++ * c->key_size, key, c->key_size);
	return 0;
}

int ovx_map_select(int fd, ovx_match_cb match, void *ctx, void **keys, __u32 *n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct collect c = { .match = match, .ctx = ctx };
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	c.key_size = info.key_size;
	err = ovx_map_walk(fd, collect_cb, &c);
	if (err) {
		free(c.keys);
		return err;
	}
	*keys = c.keys;
	*n = c.n;
	return 0;
}
