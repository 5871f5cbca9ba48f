/* SPDX-License-Identifier: GPL-2.0 */
/* OpenVPN's P_DATA_V2 header, the AAD of its AEAD (shared/reference): opcode
 * and key-id, 24-bit peer-id, 32-bit packet-id, all big-endian. Read and
 * written here only. */
#ifndef OVX_PROTO_H
#define OVX_PROTO_H

#include "common.h"

#define OVX_OP_DATA_V2		9
#define OVX_OP_SHIFT		3
#define OVX_KEY_ID_MASK	7

static __always_inline bool ovx_proto_is_data_v2(const __u8 *h)
{
	return h[0] >> OVX_OP_SHIFT == OVX_OP_DATA_V2;
}

static __always_inline __u32 ovx_proto_key_id(const __u8 *h)
{
	return h[0] & OVX_KEY_ID_MASK;
}

static __always_inline __u32 ovx_proto_peer_id(const __u8 *h)
{
	return (__u32)h[1] << 16 | (__u32)h[2] << 8 | h[3];
}

static __always_inline __u32 ovx_proto_pid(const __u8 *h)
{
	return (__u32)h[4] << 24 | (__u32)h[5] << 16 | (__u32)h[6] << 8 | h[7];
}

/* The header of @key_id, @peer_id and @pid into @h (OVX_AAD_LEN bytes). */
static __always_inline void ovx_proto_pack(__u8 *h, __u32 key_id, __u32 peer_id, __u32 pid)
{
	h[0] = OVX_OP_DATA_V2 << OVX_OP_SHIFT | (key_id & OVX_KEY_ID_MASK);
	h[1] = peer_id >> 16, h[2] = peer_id >> 8, h[3] = peer_id;
	h[4] = pid >> 24, h[5] = pid >> 16, h[6] = pid >> 8, h[7] = pid;
}

#endif /* OVX_PROTO_H */
