// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "aead_harness.h"
#include "flood.h"
#include "testlib.h"

#define INST		1
#define VPN_IFINDEX	42

static void install(struct flood *f)
{
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = FLOOD_PEER, .slot = OVX_SLOT_PRIMARY, .key_id = 0,
		.cipher = f->cipher, .enc_key = f->key, .dec_key = f->key,
	};

	memcpy(kc.enc_nonce_tail, f->iv, 8);
	memcpy(kc.dec_nonce_tail, f->iv, 8);
	if (ovx_key_new(&f->h.fp, &kc))
		t_fatal("flood key");
}

void flood_rekey(struct flood *f)
{
	install(f);
}

static void seal_legit(struct flood *f)
{
	uint8_t payload[FLOOD_FRAME], pt[FLOOD_FRAME];

	for (int i = 0; i < f->nlegit; i++) {
		size_t n = data_v2_build(payload, FLOOD_PEER, 0, i + 1, f->cipher, f->key, f->iv,
					 pt, inner_ipv4(pt, f->pt_len, i));

		f->legit_len[i] = frame_build(f->legit[i], &f->spec, payload, n);
	}
}

void flood_open(struct flood *f, int cipher, int nlegit, size_t pt_len)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = FLOOD_PEER };

	memset(f, 0, sizeof(*f));
	f->cipher = cipher;
	f->nlegit = nlegit;
	f->pt_len = pt_len;
	f->legit = malloc(nlegit * sizeof(*f->legit));
	f->legit_len = malloc(nlegit * sizeof(size_t));
	t_rand_bytes(f->key, sizeof(f->key));
	t_rand_bytes(f->iv, sizeof(f->iv));
	ovx_sockaddr_parse(&f->spec.src, "10.99.0.2:40000");
	ovx_sockaddr_parse(&f->spec.dst, "10.99.0.1:1194");
	fp_open(&f->h, 0);
	pc.remote = f->spec.src;
	pc.local = f->spec.dst;
	if (!f->legit || !f->legit_len || ovx_peer_new(&f->h.fp, &pc) ||
	    ovx_socket_add(&f->h.fp, &f->spec.dst, INST, VPN_IFINDEX, 1))
		t_fatal("flood setup");
	install(f);
	seal_legit(f);
}

void flood_close(struct flood *f)
{
	fp_close(&f->h);
	free(f->legit);
	free(f->legit_len);
}

/* A P_DATA_V2 header for the peer's key with a packet-id far ahead. */
static void data_hdr(uint8_t *p)
{
	uint32_t pid = 1000000 + t_rand() % 1000000000;

	p[0] = 9 << 3;
	p[1] = p[2] = 0, p[3] = FLOOD_PEER;
	p[4] = pid >> 24, p[5] = pid >> 16, p[6] = pid >> 8, p[7] = pid;
}

size_t flood_frame(struct flood *f, enum flood_kind kind, int sent, uint8_t *buf)
{
	uint8_t payload[FLOOD_FRAME];
	size_t n = OVX_DATA_HDR_LEN + f->pt_len;

	switch (kind) {
	case FLOOD_GARBAGE:
		n = 1 + t_rand() % 200;
		t_rand_bytes(payload, n);
		break;
	case FLOOD_SHORT:
		n = 8 + t_rand() % 200;
		t_rand_bytes(payload, n);
		data_hdr(payload);
		break;
	case FLOOD_BAD_TAG:
		t_rand_bytes(payload, n);
		data_hdr(payload);
		break;
	case FLOOD_REPLAY:
	case FLOOD_LEGIT:
		n = t_rand() % (sent > 0 ? sent : 1);
		memcpy(buf, f->legit[n], f->legit_len[n]);
		return f->legit_len[n];
	default:
		return 0;
	}
	return frame_build(buf, &f->spec, payload, n);
}

const char *flood_kind_name(enum flood_kind kind)
{
	static const char *names[] = { "legit", "garbage", "short", "bad_tag", "replay" };

	return kind < FLOOD_KINDS ? names[kind] : "?";
}

int flood_run(struct flood *f, const uint8_t *frame, size_t len, uint32_t *ns)
{
	struct xdp_md ctx = { .data = 0, .data_end = len };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

	if (bpf_prog_test_run_opts(f->h.rx_xdp, &opts))
		return -1;
	if (ns)
		*ns = opts.duration;
	return opts.retval;
}

bool flood_delivered(struct flood *f, int i, const struct fp_result *r)
{
	uint8_t pt[FLOOD_FRAME];

	inner_ipv4(pt, f->pt_len, i);
	return r->verdict == XDP_PASS && r->meta_len &&
	       r->out_len == r->meta_len + 14 + f->pt_len &&
	       !memcmp(r->out + r->meta_len + 14, pt, f->pt_len);
}

void flood_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

double flood_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}
