// SPDX-License-Identifier: GPL-2.0
/* Counters: a peer's (added to atomically by the fast path), and the global
 * per-CPU ones, summed when read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fastpath.h"

/* Sums @n u64 counters over the CPUs of a per-CPU map entry. */
static int percpu_sum(int fd, const void *key, __u64 *sum, size_t n)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t stride = (n * sizeof(__u64) + 7) & ~7UL;
	__u64 *vals;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, stride);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, vals)) {
		err = -errno;
	} else {
		memset(sum, 0, n * sizeof(__u64));
		for (int c = 0; c < ncpu; c++)
			for (size_t i = 0; i < n; i++)
				sum[i] += vals[c * (stride / 8) + i];
	}
	free(vals);
	return err;
}

int ovx_peer_stats_get(const struct ovx_fastpath *fp, __u32 instance,
			__u32 peer_id, struct ovx_peer_stats *sum)
{
	struct ovx_peer_key pk = { .instance = instance, .peer_id = peer_id };

	return bpf_map_lookup_elem(fp->peer_stats_fd, &pk, sum) ? -errno : 0;
}

int ovx_global_stats_get(const struct ovx_fastpath *fp, struct ovx_global_stats *sum)
{
	__u32 zero = 0;

	return percpu_sum(fp->global_stats_fd, &zero, (__u64 *)sum,
			  sizeof(*sum) / sizeof(__u64));
}
