/* SPDX-License-Identifier: GPL-2.0 */
/* Loads the fast path (bpf/ovx.bpf.c) for tests and runs frames through it. */
#ifndef FP_HARNESS_H
#define FP_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include "fastpath.h"

struct ovx_bpf;

struct fp_harness {
	struct ovx_bpf *skel;
	struct ovx_fastpath fp;
	int rx_xdp, rx_tc, tx_tc, link_egress_tc;
};

/* @liveness_ns: how often a packet goes to OpenVPN for liveness (0: never). */
void fp_open(struct fp_harness *h, uint64_t liveness_ns);
void fp_close(struct fp_harness *h);

struct fp_result {
	int verdict;		/* XDP_* */
	uint8_t out[4096];	/* frame after the program, metadata first */
	uint32_t out_len;
	uint32_t meta_len;	/* bytes of metadata at the start of @out */
};

/* One frame through the XDP program; returns 0 or -errno of the run. */
int fp_run_xdp(struct fp_harness *h, const uint8_t *frame, uint32_t len,
	       struct fp_result *r);

/* One run of TC program @prog on @in as received on ifindex 1: its verdict
 * and the packet it leaves. 0, or -1 if the run failed. */
struct fp_tc_out {
	int verdict;
	uint8_t out[4096];
	uint32_t len;
};
int fp_run_tc(int prog, const uint8_t *in, size_t len, struct fp_tc_out *o);

#endif
