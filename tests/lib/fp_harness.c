// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "fp_harness.h"
#include "ovx.skel.h"
#include "testlib.h"

static struct ovx_bpf *load(uint64_t liveness_ns)
{
	struct ovx_bpf *skel = ovx_bpf__open();

	if (!skel)
		t_fatal("cannot open bpf/ovx.bpf.c: %s", strerror(errno));
	skel->rodata->ovx_liveness_ns = liveness_ns;
	if (!ovx_bpf__load(skel))
		return skel;
	ovx_bpf__destroy(skel);
	return NULL;
}

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

void fp_open(struct fp_harness *h, uint64_t liveness_ns)
{
	memset(h, 0, sizeof(*h));
	libbpf_set_print(NULL);
	h->skel = load(liveness_ns);
	if (!h->skel) {			/* again, to show the verifier's reasons */
		libbpf_set_print(print_warnings);
		load(liveness_ns);
		t_fatal("cannot load bpf/ovx.bpf.c: %s (root, Linux 6.10+)", strerror(errno));
	}
	h->fp.sockets_fd = bpf_map__fd(h->skel->maps.ovx_sockets);
	h->fp.peers_fd = bpf_map__fd(h->skel->maps.ovx_peers);
	h->fp.keys_fd = bpf_map__fd(h->skel->maps.ovx_keys);
	h->fp.peer_stats_fd = bpf_map__fd(h->skel->maps.ovx_peer_stats);
	h->fp.global_stats_fd = bpf_map__fd(h->skel->maps.ovx_global_stats);
	h->fp.ifaces_fd = bpf_map__fd(h->skel->maps.ovx_ifaces);
	h->fp.learn_fd = bpf_map__fd(h->skel->maps.ovx_learn);
	h->fp.vpn_addrs_fd = bpf_map__fd(h->skel->maps.ovx_vpn_addrs);
	h->fp.routes4_fd = bpf_map__fd(h->skel->maps.ovx_routes4);
	h->fp.routes6_fd = bpf_map__fd(h->skel->maps.ovx_routes6);
	h->fp.route_lens_fd = bpf_map__fd(h->skel->maps.ovx_route_lens);
	h->fp.set_aes_fd = bpf_program__fd(h->skel->progs.ovx_key_set_aes);
	h->fp.key_ctl_fd = bpf_program__fd(h->skel->progs.ovx_key_ctl);
	h->fp.peer_ctl_fd = bpf_program__fd(h->skel->progs.ovx_peer_ctl);
	h->fp.epoch_aes_fd = bpf_program__fd(h->skel->progs.ovx_epoch_set_aes);
	h->fp.epoch_slots_fd = bpf_map__fd(h->skel->maps.ovx_epoch_slots);
	h->fp.epoch_states_fd = bpf_map__fd(h->skel->maps.ovx_epoch_states);
	h->tx_tc = bpf_program__fd(h->skel->progs.ovx_tx_tc);
	h->link_egress_tc = bpf_program__fd(h->skel->progs.ovx_link_egress_tc);
	h->rx_xdp = bpf_program__fd(h->skel->progs.ovx_rx_xdp);
	h->rx_tc = bpf_program__fd(h->skel->progs.ovx_rx_tc);
}

void fp_close(struct fp_harness *h)
{
	ovx_bpf__destroy(h->skel);
	h->skel = NULL;
}

int fp_run_xdp(struct fp_harness *h, const uint8_t *frame, uint32_t len,
	       struct fp_result *r)
{
	struct xdp_md ctx = { .data = 0, .data_end = len };
	uint8_t in[4096];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx, .ctx_size_out = sizeof(ctx), .repeat = 1);

	if (len > sizeof(in))
		return -E2BIG;
	memcpy(in, frame, len);
	if (bpf_prog_test_run_opts(h->rx_xdp, &opts))
		return -errno;
	r->verdict = opts.retval;
	r->out_len = opts.data_size_out;
	r->meta_len = ctx.data;
	return 0;
}

int fp_run_tc(int prog, const uint8_t *in, size_t len, struct fp_tc_out *o)
{
	struct __sk_buff ctx = { .ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = o->out, .data_size_out = sizeof(o->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

	if (bpf_prog_test_run_opts(prog, &opts))
		return -1;
	o->verdict = opts.retval;
	o->len = opts.data_size_out;
	return 0;
}
