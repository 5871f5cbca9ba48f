/* SPDX-License-Identifier: GPL-2.0 */
/* What the key-learning tests start from: a server's fast path (fp_harness)
 * with OpenVPN's socket 0.0.0.0:1194 of instance LH_INST, and a client at
 * 10.99.0.2:41000 sending to 10.99.0.1:1194 with its key material. */
#ifndef LEARN_HARNESS_H
#define LEARN_HARNESS_H

#include <stdint.h>
#include "fp_harness.h"
#include "frames.h"
#include "learn.h"

#define LH_INST	1

struct learn_client {
	struct fp_harness h;
	struct frame_spec spec;
	uint8_t m[OVX_KEY_MATERIAL_LEN];	/* the TLS export the keys come from */
	int cipher;
};

/* Opens the fast path, adds the socket, sets the client's addresses; exits
 * the test on failure. @c->m and @c->cipher are the caller's. */
void lh_open(struct learn_client *c);

/* The client's data packet @pid to @peer with key-id @key_id, sealed with
 * the keys of material @m (100 bytes of IPv4 inside): 'V' delivered by the
 * fast path, 'P' passed to OpenVPN, 'D' dropped. */
int lh_send(struct learn_client *c, const uint8_t *m, uint32_t peer, uint32_t key_id,
	    uint32_t pid);

#endif
