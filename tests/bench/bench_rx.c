// SPDX-License-Identifier: GPL-2.0
/* RX fast path cost per 1400-byte packet, beside the AEAD alone, measured in
 * the same run and the same way: single BPF_PROG_TEST_RUN calls, timed by the
 * kernel, on fresh frames (the RX program decrypts in place and rewrites the
 * frame, so a repeat loop cannot reuse one). Then the same with 100,000
 * peers installed (OVX_BENCH_PEERS to change). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INNER	1400
#define FRAMES	3000
#define INST	1
#define PEER	5

struct bench {
	struct fp_harness h;
	struct aead_harness a;
	int cipher;
	uint8_t key[32], iv[8];
	struct frame_spec spec;
	uint8_t (*frames)[INNER + 128];
	size_t len;
	uint32_t next_pid;
};

static void add_peer(struct bench *b, uint32_t peer, const char *remote)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = peer };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = peer, .slot = OVX_SLOT_PRIMARY, .key_id = 0,
		.cipher = b->cipher, .enc_key = b->key, .dec_key = b->key,
	};

	ovx_sockaddr_parse(&pc.remote, remote);
	ovx_sockaddr_parse(&pc.local, "10.99.0.1:1194");
	memcpy(kc.enc_nonce_tail, b->iv, 8);
	memcpy(kc.dec_nonce_tail, b->iv, 8);
	if (ovx_peer_new(&b->h.fp, &pc) || ovx_key_new(&b->h.fp, &kc))
		t_fatal("peer %u", peer);
}

/* Frames of packet-ids next_pid.. for PEER. */
static void build_frames(struct bench *b)
{
	uint8_t pt[INNER], payload[INNER + 64];

	for (int i = 0; i < FRAMES; i++) {
		size_t n = data_v2_build(payload, PEER, 0, b->next_pid++, b->cipher, b->key,
					 b->iv, pt, inner_ipv4(pt, INNER, i));

		b->len = frame_build(b->frames[i], &b->spec, payload, n);
	}
}

/* Median kernel-timed ns of the RX program over fresh frames. */
static uint32_t rx_ns(struct bench *b)
{
	static uint32_t d[FRAMES];
	struct fp_result *r = malloc(sizeof(*r));
	int delivered = 0;

	build_frames(b);
	for (int i = 0; i < FRAMES; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b->frames[i],
			    .data_size_in = b->len, .data_out = r->out,
			    .data_size_out = sizeof(r->out), .repeat = 1);

		if (bpf_prog_test_run_opts(b->h.rx_xdp, &opts))
			t_fatal("test run");
		d[i] = opts.duration;
		delivered += opts.data_size_out < b->len;
	}
	free(r);
	if (delivered != FRAMES)
		t_fatal("only %d of %d frames delivered", delivered, FRAMES);
	return t_median(d, FRAMES);
}

/* Median kernel-timed ns of the AEAD alone on the same payloads. */
static uint32_t aead_ns(struct bench *b)
{
	static uint32_t d[FRAMES];
	size_t off = frame_payload_off(&b->spec);
	uint8_t pkt[INNER + 64];

	build_frames(b);
	if (ah_set_key(&b->a, 0, b->cipher, b->key, ovx_cipher_key_len(b->cipher), b->iv, NULL))
		t_fatal("aead key");
	for (int i = 0; i < FRAMES; i++) {
		memcpy(pkt, b->frames[i] + off, b->len - off);
		if (ah_run(&b->a, AH_XDP, AEAD_TEST_OPEN, 0, pkt, b->len - off - OVX_DATA_HDR_LEN,
			   1, &d[i]))
			t_fatal("aead open");
	}
	return t_median(d, FRAMES);
}

static void bench_cipher(int cipher, const char *label, int many)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct ovx_sockaddr sa;
	uint32_t rx, rx_many, aead;

	b->cipher = cipher;
	b->next_pid = 1;
	b->frames = malloc(FRAMES * sizeof(*b->frames));
	t_rand_bytes(b->key, sizeof(b->key));
	t_rand_bytes(b->iv, sizeof(b->iv));
	ovx_sockaddr_parse(&b->spec.src, "10.99.0.2:55379");
	ovx_sockaddr_parse(&b->spec.dst, "10.99.0.1:1194");
	fp_open(&b->h, 0);
	ah_open(&b->a);
	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	if (ovx_socket_add(&b->h.fp, &sa, INST, 42, 1))
		t_fatal("socket");
	add_peer(b, PEER, "10.99.0.2:55379");
	aead = aead_ns(b);
	rx = rx_ns(b);
	for (int i = 0; i < many - 1; i++) {
		char remote[32];

		snprintf(remote, sizeof(remote), "10.%d.%d.%d:1194", 100 + i / 65536,
			 i / 256 % 256, i % 256);
		add_peer(b, 1000 + i, remote);
	}
	rx_many = rx_ns(b);
	printf("aead_%s_open_1400 %u ns\n", label, aead);
	printf("rx_%s_1400 %u ns\n", label, rx);
	printf("rx_%s_overhead %.1f %%\n", label, 100.0 * ((double)rx - aead) / aead);
	printf("rx_%s_1400_%dpeers %u ns\n", label, many, rx_many);
	printf("rx_%s_%dpeers_vs_1 %.1f %%\n", label, many, 100.0 * ((double)rx_many - rx) / rx);
	ah_close(&b->a);
	fp_close(&b->h);
	free(b->frames);
	free(b);
}

int main(void)
{
	const char *env = getenv("OVX_BENCH_PEERS");
	int many = env ? atoi(env) : 100000;

	t_seed(21);
	bench_cipher(OVX_CIPHER_AES_256_GCM, "aes256gcm", many);
	bench_cipher(OVX_CIPHER_CHACHA20_POLY1305, "chacha20poly1305", many);
	return 0;
}
