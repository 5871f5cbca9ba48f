/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU working memory of the AEAD: the payload is copied out of the packet
 * (linear or multi-buffer alike), processed here, and written back. */
#ifndef OVX_SCRATCH_H
#define OVX_SCRATCH_H

#include "common.h"

struct ovx_scratch {
	__u8 buf[OVX_AEAD_MAX_LEN + 16];	/* payload, padded to a block */
	__u8 ctr[OVX_AEAD_MAX_LEN + 32];	/* AES-GCM counter blocks (J0 first) */
	__u8 ks[OVX_AEAD_MAX_LEN + 32];	/* keystream */
	__u8 tag[OVX_TAG_LEN];
	__u8 aad[OVX_AAD_LEN];
	__u64 state[32];			/* cipher-specific running state */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_scratch);
} ovx_scratch SEC(".maps");

static __always_inline struct ovx_scratch *ovx_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ovx_scratch, &zero);
}

#endif /* OVX_SCRATCH_H */
