// SPDX-License-Identifier: GPL-2.0
/* What the fast path's AEAD costs on this kernel, measured by the daemon at
 * start (loader/daemon/calib.c): one key, and a program that seals the packet
 * it is given, run through BPF_PROG_TEST_RUN with a repeat count. Loaded,
 * run and closed: never attached, nothing pinned. */
#include "common.h"
#include "aead.h"
#include "aes_ctx.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ovx_aead_key);
} calib_key SEC(".maps");

/* The key's AES context (bpf/aes_ctx.h), for the GCM ciphers. */
SEC("syscall")
int calib_set_aes(struct ovx_aes_ctx_args *a)
{
	__u32 zero = 0;
	struct ovx_aead_key *k = bpf_map_lookup_elem(&calib_key, &zero);

	a->err = k ? ovx_aes_ctx_install(k, a) : -ENOENT;
	return 0;
}

/* The packet is a P_DATA_V2 header, a tag and the payload: sealed in place,
 * as ovx_tx_tc seals. XDP_ABORTED if it could not be. */
SEC("xdp.frags")
int calib_seal(struct xdp_md *ctx)
{
	struct bpf_dynptr pkt;
	struct ovx_aead_key *k;
	__u32 zero = 0, len;

	k = bpf_map_lookup_elem(&calib_key, &zero);
	if (!k || bpf_dynptr_from_xdp(ctx, 0, &pkt))
		return XDP_ABORTED;
	len = bpf_dynptr_size(&pkt);
	if (len < OVX_DATA_HDR_LEN)
		return XDP_ABORTED;
	return ovx_aead_encrypt(&pkt, 0, len - OVX_DATA_HDR_LEN, k) ? XDP_ABORTED : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
