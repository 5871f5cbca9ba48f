// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
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

int lh_send(struct learn_client *c, const uint8_t *m, uint32_t peer, uint32_t key_id,
	    uint32_t pid)
{
	static struct fp_result r;
	struct ovx_key_config kc;
	uint8_t pt[200], payload[400], f[600];
	size_t n;

	ovx_key_from_material(&kc, m, c->cipher, OVX_ROLE_CLIENT);
	inner_ipv4(pt, 100, pid);
	n = frame_build(f, &c->spec, payload,
			data_v2_build(payload, peer, key_id, pid, c->cipher, kc.enc_key,
				      kc.enc_nonce_tail, pt, 100));
	if (fp_run_xdp(&c->h, f, n, &r))
		t_fatal("learn harness: test run");
	if (r.verdict == XDP_DROP)
		return 'D';
	return r.meta_len ? 'V' : 'P';
}
