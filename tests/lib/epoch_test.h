/* SPDX-License-Identifier: GPL-2.0 */
/* Packet format of the epoch test programs (tests/epoch_test.bpf.c):
 *     struct epoch_test_hdr | epoch packet: header (12) | data (len) | tag (16)
 * EPOCH_TEST_SEAL writes the header from @key_id, @peer_id, @epoch and
 * @counter, then seals the data in place with test key @key;
 * EPOCH_TEST_OPEN reads @epoch and @counter from the header, then opens in
 * place. The result goes into @ret. EPOCH_TEST_RX and _TX: below. */
#ifndef EPOCH_TEST_H
#define EPOCH_TEST_H

#include "ovx_epoch.h"

enum epoch_test_op {
	EPOCH_TEST_SEAL = 1,
	EPOCH_TEST_OPEN = 2,
	EPOCH_TEST_RX = 3,	/* bpf/epoch_keys.h: ret = verdict, moved in @pad */
	EPOCH_TEST_TX = 4,	/* picks epoch and counter (out), seals */
	EPOCH_TEST_RESEAL = 5,	/* opens with @key, seals with key @pad as @epoch,
				 * @counter */
	EPOCH_TEST_RENUMBER = 6,	/* program epoch_test_renumber only: OpenVPN's
					 * packet of @peer_id, @key_id through
					 * bpf/renumber.h's epoch renumbering */
};
/* RX and TX use the slots of instance EPOCH_TEST_INSTANCE, @peer_id and
 * @key_id (the header's for RX). */
#define EPOCH_TEST_INSTANCE	1

struct epoch_test_hdr {
	__u32 op;
	__u32 key;
	__u32 len;
	__s32 ret;
	__u32 key_id;
	__u32 peer_id;
	__u32 epoch;
	__u32 pad;
	__u64 counter;
};

#define EPOCH_TEST_KEYS		8
#define EPOCH_TEST_OFF		sizeof(struct epoch_test_hdr)

#endif
