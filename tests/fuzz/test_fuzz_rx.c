// SPDX-License-Identifier: GPL-2.0
/* Hostile packets against the RX program through BPF_PROG_TEST_RUN: mutated
 * valid P_DATA_V2 frames, replays, control packets, random UDP and random
 * bytes. Every frame must come out unchanged, dropped and counted, or
 * delivered with the plaintext of a packet that really was sealed with the
 * key (never anything else); the counters must add up. OVX_FUZZ_PACKETS sets
 * the count (default 200,000; `make fuzz` runs more). */
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INST	1
#define PEERS	4
#define POOL	64		/* valid packets kept for mutation and replay */

struct fuzz {
	struct fp_harness h;
	int cipher;
	uint8_t key[32], iv[8];
	struct frame_spec spec[PEERS];
	struct { uint8_t f[1600]; size_t len; uint8_t pt[1500]; size_t pt_len; } pool[POOL];
	uint32_t next_pid[PEERS];
	long unchanged, delivered, dropped, bad;
};

static void setup(struct fuzz *z, int cipher)
{
	struct ovx_sockaddr sa;

	z->cipher = cipher;
	t_rand_bytes(z->key, sizeof(z->key));
	t_rand_bytes(z->iv, sizeof(z->iv));
	fp_open(&z->h, 0);
	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	if (ovx_socket_add(&z->h.fp, &sa, INST, 42, 1))
		t_fatal("socket");
	for (int p = 0; p < PEERS; p++) {
		struct ovx_peer_config pc = { .instance = INST, .peer_id = p };
		struct ovx_key_config kc = {
			.instance = INST, .peer_id = p, .slot = OVX_SLOT_PRIMARY, .key_id = p & 7,
			.cipher = cipher, .enc_key = z->key, .dec_key = z->key,
		};
		char remote[32];

		snprintf(remote, sizeof(remote), "10.99.0.%d:%d", 2 + p, 40000 + p);
		ovx_sockaddr_parse(&z->spec[p].src, remote);
		ovx_sockaddr_parse(&z->spec[p].dst, "10.99.0.1:1194");
		z->spec[p].vlans = p == 3;
		pc.remote = z->spec[p].src;
		pc.local = z->spec[p].dst;
		memcpy(kc.enc_nonce_tail, z->iv, 8);
		memcpy(kc.dec_nonce_tail, z->iv, 8);
		if (ovx_peer_new(&z->h.fp, &pc) || ovx_key_new(&z->h.fp, &kc))
			t_fatal("peer");
		z->next_pid[p] = 1;
	}
}

/* A fresh valid frame into pool slot @i. */
static void fresh(struct fuzz *z, int i)
{
	int p = t_rand() % PEERS;
	uint8_t payload[1600];
	size_t n;

	z->pool[i].pt_len = 20 + t_rand() % 1200;
	inner_ipv4(z->pool[i].pt, z->pool[i].pt_len, t_rand());
	n = data_v2_build(payload, p, p & 7, z->next_pid[p]++, z->cipher, z->key, z->iv,
			  z->pool[i].pt, z->pool[i].pt_len);
	z->pool[i].len = frame_build(z->pool[i].f, &z->spec[p], payload, n);
}

/* Builds a hostile frame; returns its length. */
static size_t mutate(struct fuzz *z, uint8_t *f)
{
	int i = t_rand() % POOL, kind = t_rand() % 8;
	size_t len = z->pool[i].len;
	uint8_t payload[256];

	memcpy(f, z->pool[i].f, len);
	switch (kind) {
	case 0:			/* a valid packet, new */
		fresh(z, i);
		memcpy(f, z->pool[i].f, z->pool[i].len);
		return z->pool[i].len;
	case 1:			/* replay */
		return len;
	case 2:			/* bit flips anywhere */
	case 3:
		for (int b = 1 + t_rand() % 8; b; b--) {
			size_t at = t_rand() % len;

			f[at] ^= 1 << (t_rand() % 8);
		}
		return len;
	case 4:			/* cut or grown */
		return t_rand() & 1 ? 14 + t_rand() % (len - 14) : len + t_rand() % 64;
	case 5:			/* control channel and other opcodes */
		t_rand_bytes(payload, sizeof(payload));
		payload[0] = (t_rand() % 32) << 3 | (t_rand() & 7);
		return frame_build(f, &z->spec[t_rand() % PEERS], payload, t_rand() % 256);
	case 6:			/* random P_DATA_V2-looking payload */
		t_rand_bytes(payload, sizeof(payload));
		payload[0] = 9 << 3 | (t_rand() & 7);
		payload[1] = payload[2] = 0;
		payload[3] = t_rand() % PEERS;
		return frame_build(f, &z->spec[t_rand() % PEERS], payload, t_rand() % 256);
	default:		/* random bytes */
		len = 14 + t_rand() % 300;
		t_rand_bytes(f, len);
		return len;
	}
}

/* The UDP payload of an IPv4 frame with 0 or 1 VLAN tag, by its UDP length. */
static const uint8_t *udp_payload(const uint8_t *f, size_t len, size_t *plen)
{
	size_t off = 14 + (f[12] == 0x81 ? 4 : 0) + 20 + 8;

	if (len < off)
		return NULL;
	*plen = (f[off - 4] << 8 | f[off - 3]) - 8;
	return off + *plen <= len ? f + off : NULL;
}

/* Delivered plaintext must be that of a pool packet sealed with the key,
 * carried by exactly that payload. */
static bool authentic(struct fuzz *z, const uint8_t *in, size_t in_len,
		      const struct fp_result *r)
{
	const uint8_t *pt = r->out + r->meta_len + 14, *pl = NULL, *ql;
	size_t plen = 0, qlen, pt_len = r->out_len - r->meta_len - 14;

	pl = udp_payload(in, in_len, &plen);
	for (int i = 0; pl && i < POOL; i++) {
		ql = udp_payload(z->pool[i].f, z->pool[i].len, &qlen);
		if (ql && qlen == plen && !memcmp(pl, ql, plen) &&
		    pt_len == z->pool[i].pt_len && !memcmp(pt, z->pool[i].pt, pt_len))
			return true;
	}
	return false;
}

static long drops_total(struct fuzz *z)
{
	long sum = 0;

	for (int p = 0; p < PEERS; p++) {
		struct ovx_peer_stats s;

		ovx_peer_stats_get(&z->h.fp, INST, p, &s);
		for (int d = 0; d < OVX_DROP_MAX; d++)
			sum += s.drops[d];
	}
	return sum;
}

static void run(int cipher, long packets)
{
	const char *name = ovx_cipher_name(cipher);
	struct fuzz *z = calloc(1, sizeof(*z));
	struct fp_result *r = malloc(sizeof(*r));
	uint8_t f[2048];

	setup(z, cipher);
	for (int i = 0; i < POOL; i++)
		fresh(z, i);
	for (long n = 0; n < packets; n++) {
		size_t len = mutate(z, f);

		if (len < 14 || fp_run_xdp(&z->h, f, len, r))
			continue;
		if (r->verdict == XDP_DROP)
			z->dropped++;
		else if (r->verdict == XDP_PASS && !r->meta_len && r->out_len == len &&
			 !memcmp(r->out, f, len))
			z->unchanged++;
		else if (r->verdict == XDP_PASS && r->meta_len && authentic(z, f, len, r))
			z->delivered++;
		else if (z->bad++ < 5)
			t_hexdump("mishandled frame", f, len < 96 ? len : 96);
	}
	printf("fuzz_rx %s: %ld packets: %ld unchanged, %ld delivered, %ld dropped, %ld wrong\n",
	       name, packets, z->unchanged, z->delivered, z->dropped, z->bad);
	CHECK(z->bad == 0, "%s: %ld frames mishandled", name, z->bad);
	CHECK(z->delivered > packets / 20 && z->dropped > packets / 20 &&
	      z->unchanged > packets / 20, "%s: a class of packets is missing", name);
	CHECK(drops_total(z) == z->dropped, "%s: drop counters %ld, drops %ld", name,
	      drops_total(z), z->dropped);
	fp_close(&z->h);
	free(r);
	free(z);
}

int main(void)
{
	const char *env = getenv("OVX_FUZZ_PACKETS");
	long packets = env ? atol(env) : 200000;

	t_seed(41);
	run(OVX_CIPHER_AES_256_GCM, packets / 2);
	run(OVX_CIPHER_CHACHA20_POLY1305, packets / 2);
	return t_done("fuzz_rx");
}
