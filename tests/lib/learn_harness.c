// SPDX-License-Identifier: GPL-2.0
#include "learn_harness.h"
#include "testlib.h"

void lh_open(struct learn_client *c)
{
	struct ovx_sockaddr any;

	fp_open(&c->h, 0);
	if (ovx_sockaddr_parse(&c->spec.src, "10.99.0.2:41000") ||
	    ovx_sockaddr_parse(&c->spec.dst, "10.99.0.1:1194") ||
	    ovx_sockaddr_parse(&any, "0.0.0.0:1194") ||
	    ovx_socket_add(&c->h.fp, &any, LH_INST, 42, 1))
		t_fatal("learn harness: socket");
}
