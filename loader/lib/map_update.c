// SPDX-License-Identifier: GPL-2.0
/* Map updates from userspace. Hash maps without preallocation take their
 * elements from the kernel's BPF memory allocator, whose per-CPU caches are
 * refilled asynchronously: a burst of inserts of large values (keys are about
 * 8 KiB) can find them empty and get -ENOMEM although memory is plentiful.
 * Such an update is retried briefly before the error is believed. */
#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "fastpath.h"

int ovx_map_update(int fd, const void *key, const void *value, __u64 flags)
{
	for (int i = 0; i < 200; i++) {
		if (!bpf_map_update_elem(fd, key, value, flags))
			return 0;
		if (errno != ENOMEM)
			return -errno;
		if (i < 20)
			sched_yield();
		else
			usleep(100);
	}
	return -ENOMEM;
}
