/* SPDX-License-Identifier: GPL-2.0 */
/* What every ovpn-xdp BPF program includes first. */
#ifndef OVX_COMMON_H
#define OVX_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ovx_data.h"
#include "kfuncs.h"

#ifndef EINVAL
#define ENOENT		2
#define E2BIG		7
#define ENOMEM		12
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define EOPNOTSUPP	95
#define EBADMSG		74
#define EKEYREJECTED	129
#define EBUSY		16
#define EADDRNOTAVAIL	99
#define EEXIST		17
#endif

#ifndef TC_ACT_OK
#define TC_ACT_UNSPEC	(-1)
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2
#define TC_ACT_REDIRECT	7
#endif

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#define __maybe_unused	__attribute__((unused))

/* Tells the verifier a value is what the code just checked it to be. */
#define ovx_barrier_var(var) asm volatile("" : "+r"(var))

/* 16-byte addresses, 4-byte aligned. */
static __always_inline bool ovx_addr16_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const void *)a, *y = (const void *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

#endif /* OVX_COMMON_H */
