/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU working memory of the AEAD: the payload is copied out of the packet
 * (linear or multi-buffer alike), processed here, and written back. */
#ifndef OVPN_SCRATCH_H
#define OVPN_SCRATCH_H

#include "common.h"

struct ovpn_scratch {
	__u8 buf[OVPN_AEAD_MAX_LEN + 16];	/* payload, padded to a block */
	__u8 ctr[OVPN_AEAD_MAX_LEN + 32];	/* AES-GCM counter blocks (J0 first) */
	__u8 ks[OVPN_AEAD_MAX_LEN + 32];	/* keystream */
	__u8 tag[OVPN_TAG_LEN];
	__u8 aad[OVPN_AAD_LEN];
	__u64 state[32];			/* cipher-specific running state */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovpn_scratch);
} ovpn_scratch SEC(".maps");

static __always_inline struct ovpn_scratch *ovpn_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ovpn_scratch, &zero);
}

#endif /* OVPN_SCRATCH_H */
