/* SPDX-License-Identifier: GPL-2.0 */
/* A peer under flood, for test_flood and bench_flood: legitimate P_DATA_V2
 * frames with fresh packet-ids, and hostile ones: garbage (random UDP
 * payloads to the socket: OpenVPN's to judge, as without the fast path),
 * short garbage for the peer (its P_DATA_V2 header, then up to 200 random
 * bytes), bad tags (a valid header for the peer's key, a fresh packet-id,
 * random ciphertext of the legitimate size) and replays of legitimate
 * frames. */
#ifndef FLOOD_H
#define FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fp_harness.h"
#include "frames.h"

#define FLOOD_PEER	9
#define FLOOD_FRAME	1600

enum flood_kind {
	FLOOD_LEGIT, FLOOD_GARBAGE, FLOOD_SHORT, FLOOD_BAD_TAG, FLOOD_REPLAY, FLOOD_KINDS,
};

struct flood {
	struct fp_harness h;
	int cipher;
	uint8_t key[32], iv[8];
	struct frame_spec spec;
	size_t pt_len;			/* legitimate plaintext */
	int nlegit;
	uint8_t (*legit)[FLOOD_FRAME];	/* packet-ids 1..nlegit */
	size_t *legit_len;
};

/* Loads the fast path with the peer and its key, and seals @nlegit frames
 * of @pt_len bytes of plaintext. */
void flood_open(struct flood *f, int cipher, int nlegit, size_t pt_len);
void flood_close(struct flood *f);
/* Installs the key again: a fresh replay window, so the legitimate frames
 * are new again. */
void flood_rekey(struct flood *f);
/* A frame of @kind into @buf; returns its length. Replays and legitimate
 * frames are taken from the first @sent legitimate ones. */
size_t flood_frame(struct flood *f, enum flood_kind kind, int sent, uint8_t *buf);
const char *flood_kind_name(enum flood_kind kind);

/* One frame through the XDP program: its verdict, or -1; @ns: the kernel's
 * time for it (may be NULL). */
int flood_run(struct flood *f, const uint8_t *frame, size_t len, uint32_t *ns);
/* Delivered with the legitimate plaintext of packet-id @i + 1. */
bool flood_delivered(struct flood *f, int i, const struct fp_result *r);

/* Pins the calling thread to @cpu. */
void flood_pin(int cpu);
double flood_now(void);

#endif
