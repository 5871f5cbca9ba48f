/* SPDX-License-Identifier: GPL-2.0 */
/* Packet format of the AEAD test programs (tests/lib/aead_test.bpf.c):
 *     struct aead_test_hdr | header (8) | tag (16) | data (len)
 * The programs do @op with test key @key and write the result into @ret. */
#ifndef AEAD_TEST_H
#define AEAD_TEST_H

#include "ovx_data.h"

enum aead_test_op {
	AEAD_TEST_SEAL = 1,
	AEAD_TEST_OPEN = 2,
	AEAD_TEST_OPEN_RESTORE = 3,	/* open, then put the ciphertext back (bench) */
	AEAD_TEST_RESTORE = 4,		/* only the copy that OPEN_RESTORE adds (bench) */
	AEAD_TEST_ECB = 5,		/* raw ecb(aes) kfunc over data, in place */
	AEAD_TEST_SEAL_RAW = 6,		/* explicit nonce and AAD, see below */
	AEAD_TEST_OPEN_RAW = 7,
};

struct aead_test_hdr {
	__u32 op;
	__u32 key;
	__u32 len;
	__s32 ret;
};

/* The _RAW ops take any nonce and AAD (standard vectors), with the packet
 *     struct aead_test_hdr | struct aead_test_raw | tag (16) | data (len)
 * The layout of struct aead_test_raw is that of struct ovx_aead_raw
 * (bpf/aead.h). */
#define AEAD_TEST_RAW_AAD_MAX	64

struct aead_test_raw {
	__u8 nonce[OVX_NONCE_LEN];
	__u32 aad_len;
	__u8 aad[AEAD_TEST_RAW_AAD_MAX];
} __attribute__((aligned(8)));

#define AEAD_TEST_KEYS		8
#define AEAD_TEST_OFF		sizeof(struct aead_test_hdr)

#endif
