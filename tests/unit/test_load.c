// SPDX-License-Identifier: GPL-2.0
/* Load: 1,000 peers (AES-256-GCM and ChaCha20-Poly1305 alternately) with
 * traffic both ways while another CPU rotates 100 keys per second as OpenVPN
 * does (new key into the secondary slot, swap, old key deleted), for
 * OVX_LOAD_SECONDS (default 10; `make soak` runs 60).
 *
 * RX: frames sealed with one of the peer's installed keys; one whose key
 * stayed installed from before it was sent until after must be delivered
 * with its plaintext. TX: a packet to a peer's VPN address must always be
 * sealed (the peer always has a primary key) and open with the key its
 * header names. No key operation may fail, and no packet may be dropped for
 * a bad tag or as a replay. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "aead_sw.h"
#include "flood.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INST		1
#define LO		1
#define PEERS		1000
#define ROTATIONS	100	/* per second */
#define PT_LEN		200

struct lkey {
	uint8_t key[32], iv[8];
	uint32_t next_pid;		/* RX: the peer's next packet-id */
};

struct lpeer {
	int cipher;
	struct lkey k[8];		/* by key-id */
	uint32_t gen;			/* the primary's key-id is gen % 8 */
	uint32_t installed;		/* bit per key-id (atomic) */
	uint32_t epoch[8];		/* bumped when a key-id is installed or removed */
	struct frame_spec spec;
};

struct load {
	struct fp_harness h;
	struct lpeer p[PEERS];
	volatile int stop;
	long rotations, key_errors;
	long rx_sent, rx_must, rx_delivered_must, rx_delivered, rx_wrong;
	long tx_sent, tx_sealed, tx_wrong;
};

static int install(struct load *l, int i, uint32_t slot, uint32_t kid)
{
	struct lpeer *p = &l->p[i];
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = i, .slot = slot, .key_id = kid, .cipher = p->cipher,
		.enc_key = p->k[kid].key, .dec_key = p->k[kid].key,
	};

	memcpy(kc.enc_nonce_tail, p->k[kid].iv, 8);
	memcpy(kc.dec_nonce_tail, p->k[kid].iv, 8);
	return ovx_key_new(&l->h.fp, &kc);
}

static void mark(struct lpeer *p, uint32_t kid, bool on)
{
	__atomic_add_fetch(&p->epoch[kid], 1, __ATOMIC_SEQ_CST);
	if (on)
		__atomic_or_fetch(&p->installed, 1u << kid, __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&p->installed, ~(1u << kid), __ATOMIC_SEQ_CST);
}

static void setup(struct load *l)
{
	struct ovx_sockaddr sa;

	fp_open(&l->h, 0);
	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	if (ovx_iface_set(&l->h.fp, LO, INST, OVX_IFACE_ETH, 0) ||
	    ovx_socket_add(&l->h.fp, &sa, INST, LO, LO))
		t_fatal("socket");
	for (int i = 0; i < PEERS; i++) {
		struct lpeer *p = &l->p[i];
		struct ovx_peer_config pc = { .instance = INST, .peer_id = i };
		char remote[32];

		p->cipher = i & 1 ? OVX_CIPHER_CHACHA20_POLY1305 : OVX_CIPHER_AES_256_GCM;
		snprintf(remote, sizeof(remote), "10.99.%d.%d:%d", 1 + i / 250, 1 + i % 250,
			 40000 + i);
		ovx_sockaddr_parse(&p->spec.src, remote);
		p->spec.dst = sa;
		pc.remote = p->spec.src;
		pc.local = sa;
		pc.vpn_ipv4[0] = 10, pc.vpn_ipv4[1] = 8, pc.vpn_ipv4[2] = i >> 8;
		pc.vpn_ipv4[3] = i & 0xff;
		t_rand_bytes(p->k[0].key, 32);
		t_rand_bytes(p->k[0].iv, 8);
		p->k[0].next_pid = 1;
		if (ovx_peer_new(&l->h.fp, &pc) || install(l, i, OVX_SLOT_PRIMARY, 0))
			t_fatal("peer %d", i);
		mark(p, 0, true);
	}
}

/* As OpenVPN rotates: new key into the secondary slot, swap, old deleted. */
static void rotate(struct load *l, int i)
{
	struct lpeer *p = &l->p[i];
	uint32_t old = p->gen % 8, new = (p->gen + 1) % 8;

	t_rand_bytes(p->k[new].key, 32);
	t_rand_bytes(p->k[new].iv, 8);
	p->k[new].next_pid = 1;
	l->key_errors += install(l, i, OVX_SLOT_SECONDARY, new) != 0;
	mark(p, new, true);
	l->key_errors += ovx_key_swap(&l->h.fp, INST, i) != 0;
	__atomic_store_n(&p->gen, p->gen + 1, __ATOMIC_SEQ_CST);
	mark(p, old, false);
	l->key_errors += ovx_key_del(&l->h.fp, INST, i, OVX_SLOT_SECONDARY) != 0;
	l->rotations++;
}

static void *rotator(void *arg)
{
	struct load *l = arg;
	struct timespec next;

	flood_pin(1);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long n = 0; !l->stop; n++) {
		rotate(l, n * 7 % PEERS);
		next.tv_nsec += 1000000000 / ROTATIONS;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

/* One frame from peer @i with one of its installed keys. */
static void rx_one(struct load *l, int i, struct fp_result *r)
{
	struct lpeer *p = &l->p[i];
	uint32_t mask = __atomic_load_n(&p->installed, __ATOMIC_SEQ_CST), kid, e1;
	uint8_t payload[PT_LEN + 64], pt[PT_LEN], f[PT_LEN + 128];
	size_t n;
	bool ok;

	if (!mask)
		return;
	do
		kid = t_rand() % 8;
	while (!(mask & 1u << kid));
	e1 = __atomic_load_n(&p->epoch[kid], __ATOMIC_SEQ_CST);
	n = inner_ipv4(pt, PT_LEN, l->rx_sent);
	inner_ipv4_src(pt, 10, 8, i >> 8, i & 0xff);	/* peer i's VPN address */
	n = data_v2_build(payload, i, kid, p->k[kid].next_pid++, p->cipher, p->k[kid].key,
			  p->k[kid].iv, pt, n);
	n = frame_build(f, &p->spec, payload, n);
	l->rx_sent++;
	if (fp_run_xdp(&l->h, f, n, r))
		return;
	ok = r->verdict == XDP_PASS && r->meta_len && r->out_len == r->meta_len + 14 + PT_LEN &&
	     !memcmp(r->out + r->meta_len + 14, pt, PT_LEN);
	l->rx_delivered += ok;
	l->rx_wrong += r->meta_len && !ok;
	if (e1 == __atomic_load_n(&p->epoch[kid], __ATOMIC_SEQ_CST) && mask & 1u << kid) {
		l->rx_must++;
		l->rx_delivered_must += ok;
	}
}

/* A packet to peer @i's VPN address: sealed, and opens with the key its
 * header names (installed throughout, or not judged). */
static void tx_one(struct load *l, int i, struct fp_result *r)
{
	struct lpeer *p = &l->p[i];
	struct __sk_buff ctx = { .ifindex = LO };
	uint8_t in[PT_LEN + 14] = { [12] = 0x08 };
	uint32_t e1[8], kid;
	uint8_t *pkt = r->out + 14 + 20 + 8;

	for (int k = 0; k < 8; k++)
		e1[k] = __atomic_load_n(&p->epoch[k], __ATOMIC_SEQ_CST);
	inner_ipv4(in + 14, PT_LEN, l->tx_sent);
	in[14 + 16] = 10, in[14 + 17] = 8, in[14 + 18] = i >> 8, in[14 + 19] = i & 0xff;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = sizeof(in),
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	l->tx_sent++;
	if (bpf_prog_test_run_opts(l->h.tx_tc, &opts) || opts.retval != TC_ACT_REDIRECT ||
	    opts.data_size_out != 14 + 20 + 8 + OVX_DATA_HDR_LEN + PT_LEN) {
		l->tx_wrong++;
		return;
	}
	l->tx_sealed++;
	kid = pkt[0] & 7;
	if (e1[kid] != __atomic_load_n(&p->epoch[kid], __ATOMIC_SEQ_CST) || e1[kid] % 2 == 0)
		return;				/* changed meanwhile, or not installed */
	if (ovx_sw_open(p->cipher, p->k[kid].key, p->k[kid].iv, pkt, PT_LEN) ||
	    memcmp(pkt + OVX_DATA_HDR_LEN, in + 14, PT_LEN))
		l->tx_wrong++;
}

static long drops(struct load *l, int why)
{
	long sum = 0;

	for (int i = 0; i < PEERS; i++) {
		struct ovx_peer_stats s;

		if (!ovx_peer_stats_get(&l->h.fp, INST, i, &s))
			sum += s.drops[why];
	}
	return sum;
}

int main(void)
{
	const char *env = getenv("OVX_LOAD_SECONDS");
	int secs = env ? atoi(env) : 10;
	struct load *l = calloc(1, sizeof(*l));
	struct fp_result *r = malloc(sizeof(*r));
	pthread_t t;
	double t0;

	t_seed(67);
	setup(l);
	flood_pin(0);
	pthread_create(&t, NULL, rotator, l);
	t0 = flood_now();
	while (flood_now() - t0 < secs) {
		int i = t_rand() % PEERS;

		rx_one(l, i, r);
		tx_one(l, t_rand() % PEERS, r);
	}
	l->stop = 1;
	pthread_join(t, NULL);
	printf("load: %d peers, %d s, %ld key rotations (%.0f/s), %ld key errors\n", PEERS, secs,
	       l->rotations, l->rotations / (flood_now() - t0), l->key_errors);
	printf("load: RX %ld sent, %ld delivered; %ld with keys installed throughout, %ld of them "
	       "delivered; TX %ld sent, %ld sealed, %ld wrong\n", l->rx_sent, l->rx_delivered,
	       l->rx_must, l->rx_delivered_must, l->tx_sent, l->tx_sealed, l->tx_wrong);
	CHECK(l->key_errors == 0, "%ld key operations failed", l->key_errors);
	CHECK(l->rotations >= secs * ROTATIONS * 9 / 10, "%ld rotations in %d s", l->rotations,
	      secs);
	CHECK(l->rx_must > 1000 && l->rx_delivered_must == l->rx_must && !l->rx_wrong,
	      "RX: %ld of %ld packets of installed keys lost", l->rx_must - l->rx_delivered_must,
	      l->rx_must);
	CHECK(l->tx_sent > 1000 && l->tx_sealed == l->tx_sent && !l->tx_wrong,
	      "TX: %ld of %ld not sealed right", l->tx_sent - l->tx_sealed + l->tx_wrong,
	      l->tx_sent);
	CHECK(drops(l, OVX_DROP_BAD_TAG) == 0 && drops(l, OVX_DROP_REPLAY) == 0,
	      "drops: %ld bad tag, %ld replay", drops(l, OVX_DROP_BAD_TAG),
	      drops(l, OVX_DROP_REPLAY));
	fp_close(&l->h);
	free(r);
	free(l);
	return t_done("load");
}
