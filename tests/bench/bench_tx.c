// SPDX-License-Identifier: GPL-2.0
/* TX fast path cost per 1400-byte packet, beside the AEAD alone, measured the
 * same way in the same run (single kernel-timed BPF_PROG_TEST_RUN calls on
 * fresh packets); then with 100,000 peers and 100,000 routes installed
 * (OVX_BENCH_PEERS to change): a destination found by VPN address, and one
 * found through a routed prefix. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INNER	1400
#define RUNS	3000
#define INST	1
#define LO	1

struct bench {
	struct fp_harness h;
	struct aead_harness a;
	int cipher;
	uint8_t key[32], iv[8];
};

static void add_peer(struct bench *b, uint32_t peer, uint32_t vpn4)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = peer };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = peer, .slot = OVX_SLOT_PRIMARY, .key_id = 0,
		.cipher = b->cipher, .enc_key = b->key, .dec_key = b->key,
	};

	ovx_sockaddr_parse(&pc.remote, "10.99.0.2:55379");
	ovx_sockaddr_parse(&pc.local, "10.99.0.1:1194");
	vpn4 = htonl(vpn4);
	memcpy(pc.vpn_ipv4, &vpn4, 4);
	memcpy(kc.enc_nonce_tail, b->iv, 8);
	memcpy(kc.dec_nonce_tail, b->iv, 8);
	int err = ovx_peer_new(&b->h.fp, &pc);

	err = err ?: ovx_key_new(&b->h.fp, &kc);
	if (err)
		t_fatal("peer %u: %s", peer, strerror(-err));
}

/* Ethernet + an IPv4/UDP packet of INNER bytes to @dst, as TC sees it. */
static size_t inner_frame(uint8_t *f, uint32_t dst)
{
	memset(f, 0, 14);
	f[12] = 0x08;
	inner_ipv4(f + 14, INNER, 1);
	f[14 + 9] = 17;					/* UDP */
	dst = htonl(dst);
	memcpy(f + 14 + 16, &dst, 4);
	return 14 + INNER;
}

static uint32_t tx_ns(struct bench *b, uint32_t dst)
{
	static uint32_t d[RUNS];
	static uint8_t in[2048], out[2048];
	struct __sk_buff ctx = { .ifindex = LO };
	size_t n = inner_frame(in, dst);

	for (int i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = n,
			    .data_out = out, .data_size_out = sizeof(out),
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

		if (bpf_prog_test_run_opts(b->h.tx_tc, &opts) || opts.retval != TC_ACT_REDIRECT)
			t_fatal("TX run: retval %d", opts.retval);
		d[i] = opts.duration;
	}
	return t_median(d, RUNS);
}

static uint32_t aead_ns(struct bench *b)
{
	static uint32_t d[RUNS];
	uint8_t pkt[OVX_DATA_HDR_LEN + INNER + 28];

	if (ah_set_key(&b->a, 0, b->cipher, b->key, ovx_cipher_key_len(b->cipher), b->iv, NULL))
		t_fatal("aead key");
	for (int i = 0; i < RUNS; i++) {
		t_rand_bytes(pkt, sizeof(pkt));
		/* on the TC hook, as TX runs: skb dynptrs cost more than XDP's */
		if (ah_run(&b->a, AH_TC, AEAD_TEST_SEAL, 0, pkt, INNER, 1, &d[i]))
			t_fatal("aead seal");
	}
	return t_median(d, RUNS);
}

static void bench_cipher(int cipher, const char *label, int many)
{
	struct bench *b = calloc(1, sizeof(*b));
	uint32_t tx, aead, tx_many, tx_route, tx_route1;
	uint32_t net1 = htonl(0x15000000);		/* 21.0.0.0/24 */
	struct ovx_sockaddr sa;

	b->cipher = cipher;
	t_rand_bytes(b->key, sizeof(b->key));
	t_rand_bytes(b->iv, sizeof(b->iv));
	fp_open(&b->h, 0);
	ah_open(&b->a);
	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	if (ovx_iface_set(&b->h.fp, LO, INST, OVX_IFACE_ETH, 0) ||
	    ovx_socket_add(&b->h.fp, &sa, INST, LO, LO))
		t_fatal("iface");
	add_peer(b, 5, 0x0a080002);
	if (ovx_route_add(&b->h.fp, INST, OVX_AF_INET, &net1, 24, 5, false))
		t_fatal("route");
	aead = aead_ns(b);
	tx = tx_ns(b, 0x0a080002);
	tx_route1 = tx_ns(b, 0x15000007);
	for (int i = 0; i < many - 1; i++) {
		uint32_t net = htonl(0x14000000 + (i << 8));	/* 20.x.y.0/24 */

		add_peer(b, 1000 + i, 0x0b000000 + i);		/* 11.x.y.z */
		if (ovx_route_add(&b->h.fp, INST, OVX_AF_INET, &net, 24, 1000 + i, false))
			t_fatal("route");
	}
	tx_many = tx_ns(b, 0x0a080002);
	tx_route = tx_ns(b, 0x14000000 + ((many / 2) << 8) + 7);
	printf("aead_%s_seal_1400 %u ns\n", label, aead);
	printf("tx_%s_1400 %u ns\n", label, tx);
	printf("tx_%s_overhead %.1f %%\n", label, 100.0 * ((double)tx - aead) / aead);
	printf("tx_%s_1400_%dpeers %u ns\n", label, many, tx_many);
	printf("tx_%s_1400_%droutes_via_route %u ns\n", label, many, tx_route);
	printf("tx_%s_%dpeers_vs_1 %.1f %%\n", label, many, 100.0 * ((double)tx_many - tx) / tx);
	printf("tx_%s_1400_via_route %u ns\n", label, tx_route1);
	printf("tx_%s_%droutes_vs_1 %.1f %%\n", label, many,
	       100.0 * ((double)tx_route - tx_route1) / tx_route1);
	ah_close(&b->a);
	fp_close(&b->h);
	free(b);
}

int main(void)
{
	const char *env = getenv("OVX_BENCH_PEERS");
	int many = env ? atoi(env) : 100000;

	t_seed(23);
	bench_cipher(OVX_CIPHER_AES_256_GCM, "aes256gcm", many);
	bench_cipher(OVX_CIPHER_CHACHA20_POLY1305, "chacha20poly1305", many);
	return 0;
}
