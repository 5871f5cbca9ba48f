// SPDX-License-Identifier: GPL-2.0
/* RX fast path through BPF_PROG_TEST_RUN: what is delivered, what goes to
 * OpenVPN unchanged, what is dropped, and the counters. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "aead_key.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INST		1
#define PEER		5	/* remote over IPv4 */
#define PEER6		6	/* remote over IPv6 */
#define VPN_IFINDEX	42

struct ctx {
	struct fp_harness h;
	int cipher;
	uint8_t c2s_key[32], s2c_key[32], c2s_iv[8], s2c_iv[8];
	struct frame_spec spec;		/* PEER -> server over IPv4 */
	struct frame_spec spec6;	/* PEER6 -> server over IPv6 */
};

static const uint8_t ping[16] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
};

static void addr(struct ovx_sockaddr *sa, const char *text)
{
	if (ovx_sockaddr_parse(sa, text))
		t_fatal("bad address %s", text);
}

static int add_peer(struct ctx *c, uint32_t peer, const struct frame_spec *fs,
		    uint32_t slot, uint32_t key_id)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = peer };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = peer, .slot = slot,
		.key_id = key_id, .cipher = c->cipher,
		.enc_key = c->s2c_key, .dec_key = c->c2s_key,
	};
	int err;

	pc.remote = fs->src;
	pc.local = fs->dst;
	err = ovx_peer_new(&c->h.fp, &pc);
	memcpy(kc.enc_nonce_tail, c->s2c_iv, 8);
	memcpy(kc.dec_nonce_tail, c->c2s_iv, 8);
	return err ?: ovx_key_new(&c->h.fp, &kc);
}

static void setup(struct ctx *c, int cipher, uint64_t liveness_ns)
{
	struct ovx_sockaddr local;
	int err;

	memset(c, 0, sizeof(*c));
	c->cipher = cipher;
	t_rand_bytes(c->c2s_key, 32);
	t_rand_bytes(c->s2c_key, 32);
	t_rand_bytes(c->c2s_iv, 8);
	t_rand_bytes(c->s2c_iv, 8);
	fp_open(&c->h, liveness_ns);
	addr(&c->spec.src, "10.99.0.2:55379");
	addr(&c->spec.dst, "10.99.0.1:1194");
	addr(&c->spec6.src, "[fd99::2]:55380");
	addr(&c->spec6.dst, "[fd99::1]:1194");
	addr(&local, "10.99.0.1:1194");
	err = ovx_socket_add(&c->h.fp, &local, INST, VPN_IFINDEX, 1);
	addr(&local, "[::]:1194");		/* a wildcard bind */
	err = err ?: ovx_socket_add(&c->h.fp, &local, INST, VPN_IFINDEX, 1);
	err = err ?: add_peer(c, PEER, &c->spec, OVX_SLOT_PRIMARY, 0);
	err = err ?: add_peer(c, PEER6, &c->spec6, OVX_SLOT_PRIMARY, 0);
	if (err)
		t_fatal("setup: %d", err);
}

/* A client->server frame for @pid carrying @pt. */
static size_t client_frame(struct ctx *c, uint8_t *frame, const struct frame_spec *fs,
			   uint32_t peer, uint32_t key_id, uint32_t pid,
			   const uint8_t *pt, size_t len)
{
	uint8_t payload[2048];
	size_t n = data_v2_build(payload, peer, key_id, pid, c->cipher, c->c2s_key,
				 c->c2s_iv, pt, len);

	return frame_build(frame, fs, payload, n);
}

static bool delivered(const struct fp_result *r, const uint8_t *pt, size_t len)
{
	const struct ovx_rx_meta *m = (const void *)r->out;
	const uint8_t *eth = r->out + r->meta_len;
	uint16_t proto = pt[0] >> 4 == 4 ? 0x0800 : 0x86dd;

	return r->verdict == XDP_PASS && r->meta_len == sizeof(*m) &&
	       m->magic == OVX_META_MAGIC && m->ifindex == VPN_IFINDEX &&
	       r->out_len == r->meta_len + 14 + len &&
	       (eth[12] << 8 | eth[13]) == proto && !memcmp(eth + 14, pt, len);
}

static bool unchanged(const struct fp_result *r, const uint8_t *frame, size_t len)
{
	return r->verdict == XDP_PASS && r->meta_len == 0 && r->out_len == len &&
	       !memcmp(r->out, frame, len);
}

static struct ovx_peer_stats stats(struct ctx *c, uint32_t peer)
{
	struct ovx_peer_stats s;

	if (ovx_peer_stats_get(&c->h.fp, INST, peer, &s))
		t_fatal("no stats for peer %u", peer);
	return s;
}

/* Sends @pid from PEER with a 100-byte IPv4 plaintext; returns the result. */
static struct fp_result *send_pid(struct ctx *c, uint32_t pid)
{
	static struct fp_result r;
	uint8_t pt[100], frame[256];
	size_t n = client_frame(c, frame, &c->spec, PEER, 0, pid, pt,
				inner_ipv4(pt, sizeof(pt), pid));

	if (fp_run_xdp(&c->h, frame, n, &r))
		t_fatal("test run failed");
	r.out_len = delivered(&r, pt, sizeof(pt)) ? r.out_len : 0;	/* 0: not delivered */
	return &r;
}

static void test_valid(struct ctx *c, const char *name)
{
	uint8_t pt[1400], frame[2048];
	struct ovx_peer_stats before = stats(c, PEER), after;
	struct fp_result r;
	int ok = 0;

	for (int v6 = 0; v6 < 2; v6++)
		for (int inner6 = 0; inner6 < 2; inner6++)
			for (int vlans = 0; vlans <= 2; vlans++) {
				struct frame_spec fs = v6 ? c->spec6 : c->spec;
				uint32_t pid = 10 + inner6 * 3 + vlans;
				size_t len = inner6 ? inner_ipv6(pt, 1280, pid) :
						      inner_ipv4(pt, 1400, pid);
				size_t n;

				fs.vlans = vlans;
				n = client_frame(c, frame, &fs, v6 ? PEER6 : PEER, 0, pid, pt, len);
				fp_run_xdp(&c->h, frame, n, &r);
				ok += CHECK(delivered(&r, pt, len),
					    "%s: valid packet outer v%d inner v%d vlans %d: verdict %d meta %u",
					    name, v6 ? 6 : 4, inner6 ? 6 : 4, vlans, r.verdict, r.meta_len);
			}
	after = stats(c, PEER);
	CHECK(after.rx_vpn_pkts - before.rx_vpn_pkts == 6 &&
	      after.rx_link_pkts - before.rx_link_pkts == 6,
	      "%s: peer counters: vpn %llu link %llu", name,
	      after.rx_vpn_pkts - before.rx_vpn_pkts, after.rx_link_pkts - before.rx_link_pkts);
	CHECK(after.rx_vpn_bytes - before.rx_vpn_bytes == 3 * 1400 + 3 * 1280,
	      "%s: vpn bytes %llu", name, after.rx_vpn_bytes - before.rx_vpn_bytes);
}

/* Any single flipped bit of the payload: never delivered. Header bits that
 * change opcode, key-id or peer-id send it to OpenVPN; the rest drop it. */
static void test_tamper(struct ctx *c, const char *name)
{
	uint8_t pt[100], frame[256], bad[256];
	size_t off = frame_payload_off(&c->spec);
	size_t n = client_frame(c, frame, &c->spec, PEER, 0, 500, pt,
				inner_ipv4(pt, sizeof(pt), 500));
	struct ovx_peer_stats before = stats(c, PEER), after;
	int wrong = 0, drops = 0;
	struct fp_result r;

	for (size_t bit = 0; bit < (n - off) * 8; bit++) {
		memcpy(bad, frame, n);
		bad[off + bit / 8] ^= 1 << (bit % 8);
		fp_run_xdp(&c->h, bad, n, &r);
		if (bit < 32 && unchanged(&r, bad, n))
			continue;
		if (r.verdict == XDP_DROP) {
			drops++;
			continue;
		}
		if (wrong++ < 5)
			fprintf(stderr, "%s: bit %zu: verdict %d meta %u\n", name, bit,
				r.verdict, r.meta_len);
	}
	CHECK(wrong == 0, "%s: %d tampered packets not refused", name, wrong);
	after = stats(c, PEER);
	CHECK(after.drops[OVX_DROP_BAD_TAG] - before.drops[OVX_DROP_BAD_TAG] == (__u64)drops,
	      "%s: bad-tag counter %llu, drops %d", name,
	      after.drops[OVX_DROP_BAD_TAG] - before.drops[OVX_DROP_BAD_TAG], drops);
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(delivered(&r, pt, sizeof(pt)), "%s: original refused after tampering", name);
}

static void test_replay(struct ctx *c, const char *name)
{
	struct ovx_peer_stats before = stats(c, PEER), after;

	CHECK(send_pid(c, 1000)->out_len, "%s: pid 1000", name);
	CHECK(send_pid(c, 1000)->verdict == XDP_DROP, "%s: replayed 1000 accepted", name);
	CHECK(send_pid(c, 990)->out_len, "%s: reordered 990 refused", name);
	CHECK(send_pid(c, 990)->verdict == XDP_DROP, "%s: replayed 990 accepted", name);
	CHECK(send_pid(c, 937)->out_len, "%s: 937 (63 back) refused", name);
	CHECK(send_pid(c, 936)->verdict == XDP_DROP, "%s: 936 (64 back) accepted", name);
	CHECK(send_pid(c, 0)->verdict == XDP_DROP, "%s: packet-id 0 accepted", name);
	CHECK(send_pid(c, 1001 + 1000)->out_len, "%s: jump ahead refused", name);
	CHECK(send_pid(c, 1001)->verdict == XDP_DROP, "%s: 1000 back accepted", name);
	after = stats(c, PEER);
	CHECK(after.drops[OVX_DROP_REPLAY] - before.drops[OVX_DROP_REPLAY] == 5,
	      "%s: replay counter %llu", name,
	      after.drops[OVX_DROP_REPLAY] - before.drops[OVX_DROP_REPLAY]);
}

/* Not ours to decrypt: passed on byte for byte. */
static void test_pass_unchanged(struct ctx *c, const char *name)
{
	uint8_t pt[100], frame[256], payload[200];
	struct ovx_global_stats g0, g1;
	struct frame_spec other = c->spec;
	struct fp_result r;
	size_t n;

	ovx_global_stats_get(&c->h.fp, &g0);
	inner_ipv4(pt, sizeof(pt), 1);
	n = client_frame(c, frame, &c->spec, PEER, 3, 2000, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(unchanged(&r, frame, n), "%s: unknown key-id not passed", name);
	n = client_frame(c, frame, &c->spec, 77, 0, 2001, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(unchanged(&r, frame, n), "%s: unknown peer-id not passed", name);
	for (int op = 1; op < 32; op++) {
		if (op == 9)
			continue;
		t_rand_bytes(payload, sizeof(payload));
		payload[0] = op << 3;
		n = frame_build(frame, &c->spec, payload, sizeof(payload));
		fp_run_xdp(&c->h, frame, n, &r);
		CHECK(unchanged(&r, frame, n), "%s: opcode %d not passed", name, op);
	}
	other.dst.port = htons(1195);
	n = client_frame(c, frame, &other, PEER, 0, 2002, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(unchanged(&r, frame, n), "%s: other port not passed", name);
	n = client_frame(c, frame, &c->spec, PEER, 0, 2003, pt, sizeof(pt));
	frame[14 + 6] |= 0x20;					/* IPv4 MF */
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(unchanged(&r, frame, n), "%s: IPv4 fragment not passed", name);
	ovx_global_stats_get(&c->h.fp, &g1);
	CHECK(g1.c[OVX_G_RX_NO_KEY] - g0.c[OVX_G_RX_NO_KEY] == 1 &&
	      g1.c[OVX_G_RX_NO_PEER] - g0.c[OVX_G_RX_NO_PEER] == 1 &&
	      g1.c[OVX_G_RX_NOT_DATA] - g0.c[OVX_G_RX_NOT_DATA] == 30 &&
	      g1.c[OVX_G_RX_FRAGMENT] - g0.c[OVX_G_RX_FRAGMENT] == 1,
	      "%s: global counters", name);
}

/* Cut at every length: never delivered. A frame whose lengths no longer
 * match goes to the stack as it is; a consistent shorter datagram is either
 * not data (passed) or fails its tag (dropped). */
static void test_truncation(struct ctx *c, const char *name)
{
	uint8_t pt[200], frame[512], cut[512];
	size_t off = frame_payload_off(&c->spec);
	size_t n = client_frame(c, frame, &c->spec, PEER, 0, 3000, pt,
				inner_ipv4(pt, sizeof(pt), 3000));
	int wrong = 0;
	struct fp_result r;

	for (size_t len = 0; len < n; len++) {
		int err = fp_run_xdp(&c->h, frame, len, &r);

		/* the kernel refuses test frames under 14 bytes */
		if (err ? len >= 14 : !unchanged(&r, frame, len))
			wrong++;
	}
	for (size_t len = 0; len < n - off; len++) {
		size_t m = frame_build(cut, &c->spec, frame + off, len);

		fp_run_xdp(&c->h, cut, m, &r);
		if (len < OVX_DATA_HDR_LEN ? !unchanged(&r, cut, m) : r.verdict != XDP_DROP)
			wrong++;
	}
	CHECK(wrong == 0, "%s: %d truncated packets mishandled", name, wrong);
	CHECK(send_pid(c, 3000)->out_len, "%s: original refused after truncations", name);
}

/* Keepalive ping and the liveness hand-over go to OpenVPN as they came. */
static void test_for_openvpn(struct ctx *c, const char *name)
{
	uint8_t frame[256];
	struct ovx_peer_stats before = stats(c, PEER), after;
	size_t n = client_frame(c, frame, &c->spec, PEER, 0, 4000, ping, sizeof(ping));
	struct fp_result r;

	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(unchanged(&r, frame, n), "%s: keepalive ping not passed", name);
	after = stats(c, PEER);
	CHECK(after.rx_to_ovpn - before.rx_to_ovpn == 1, "%s: to-OpenVPN counter", name);
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(r.verdict == XDP_DROP, "%s: replayed ping accepted", name);
}

/* An authenticated packet from a new address floats the peer; OpenVPN gets
 * that packet to float too. A forged one changes nothing. */
static void test_float(struct ctx *c, const char *name)
{
	uint8_t pt[100], frame[256];
	struct frame_spec moved = c->spec;
	struct ovx_peer p;
	struct fp_result r;
	size_t n;

	addr(&moved.src, "10.99.0.3:4000");
	inner_ipv4(pt, sizeof(pt), 1);
	n = client_frame(c, frame, &moved, PEER, 0, 5000, pt, sizeof(pt));
	frame[n - 1] ^= 1;
	fp_run_xdp(&c->h, frame, n, &r);
	ovx_peer_get(&c->h.fp, INST, PEER, &p);
	CHECK(r.verdict == XDP_DROP && !memcmp(&p.remote, &c->spec.src, sizeof(p.remote)),
	      "%s: forged packet floated the peer", name);
	frame[n - 1] ^= 1;
	fp_run_xdp(&c->h, frame, n, &r);
	ovx_peer_get(&c->h.fp, INST, PEER, &p);
	CHECK(unchanged(&r, frame, n), "%s: floating packet not passed to OpenVPN", name);
	CHECK(!memcmp(&p.remote, &moved.src, sizeof(p.remote)), "%s: peer did not float", name);
	n = client_frame(c, frame, &moved, PEER, 0, 5001, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(delivered(&r, pt, sizeof(pt)), "%s: not delivered from the new address", name);
	c->spec = moved;
}

static void test_slots(struct ctx *c, const char *name)
{
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = PEER, .slot = OVX_SLOT_SECONDARY,
		.key_id = 1, .cipher = c->cipher,
		.enc_key = c->s2c_key, .dec_key = c->c2s_key,
	};
	uint8_t pt[100], frame[256];
	struct fp_result r;
	size_t n;

	memcpy(kc.enc_nonce_tail, c->s2c_iv, 8);
	memcpy(kc.dec_nonce_tail, c->c2s_iv, 8);
	inner_ipv4(pt, sizeof(pt), 1);
	n = client_frame(c, frame, &c->spec, PEER, 1, 1, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(unchanged(&r, frame, n), "%s: key-id 1 before install", name);
	CHECK(ovx_key_new(&c->h.fp, &kc) == 0, "%s: secondary key install", name);
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(delivered(&r, pt, sizeof(pt)), "%s: secondary key refused", name);
	CHECK(ovx_key_swap(&c->h.fp, INST, PEER) == 0, "%s: swap", name);
	n = client_frame(c, frame, &c->spec, PEER, 0, 20000, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(delivered(&r, pt, sizeof(pt)), "%s: old key refused after swap", name);
	CHECK(ovx_key_del(&c->h.fp, INST, PEER, OVX_SLOT_SECONDARY) == 0, "%s: del", name);
	n = client_frame(c, frame, &c->spec, PEER, 0, 20001, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(unchanged(&r, frame, n), "%s: deleted key still used", name);
	n = client_frame(c, frame, &c->spec, PEER, 1, 2, pt, sizeof(pt));
	fp_run_xdp(&c->h, frame, n, &r);
	CHECK(delivered(&r, pt, sizeof(pt)), "%s: primary key-id 1 refused", name);
}

static void test_liveness(int cipher, const char *name)
{
	struct ctx *c = calloc(1, sizeof(*c));

	setup(c, cipher, 200ULL * 1000 * 1000);
	CHECK(send_pid(c, 1)->meta_len == 0 && send_pid(c, 2)->out_len,
	      "%s: first packet not handed to OpenVPN, then delivered", name);
	usleep(250 * 1000);
	CHECK(send_pid(c, 3)->meta_len == 0 && send_pid(c, 4)->out_len,
	      "%s: no hand-over to OpenVPN after the liveness interval", name);
	CHECK(stats(c, PEER).rx_to_ovpn == 2, "%s: to-OpenVPN counter", name);
	fp_close(&c->h);
	free(c);
}

struct racer {
	struct ctx *c;
	int cpu, delivered;
	uint8_t (*frames)[256];
	size_t *lens;
	int n;
};

static void *race(void *arg)
{
	struct racer *rc = arg;
	struct fp_result *r = malloc(sizeof(*r));
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(rc->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (int i = 0; i < rc->n; i++)
		if (!fp_run_xdp(&rc->c->h, rc->frames[i], rc->lens[i], r) && r->meta_len)
			rc->delivered++;
	free(r);
	return NULL;
}

/* The same packets on two CPUs at once: each packet-id delivered once. */
static void test_concurrent_replay(struct ctx *c, const char *name)
{
	enum { N = 4000 };
	uint8_t (*frames)[256] = malloc(N * 256), pt[100];
	size_t *lens = malloc(N * sizeof(*lens));
	struct racer r[2];
	pthread_t t[2];

	for (int i = 0; i < N; i++)
		lens[i] = client_frame(c, frames[i], &c->spec, PEER, 0, 10000 + i, pt,
				       inner_ipv4(pt, sizeof(pt), i));
	for (int i = 0; i < 2; i++) {
		r[i] = (struct racer){ .c = c, .cpu = i, .frames = frames, .lens = lens, .n = N };
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(r[0].delivered + r[1].delivered == N,
	      "%s: %d + %d delivered for %d packet-ids on two CPUs", name,
	      r[0].delivered, r[1].delivered, N);
	free(frames);
	free(lens);
}

int main(void)
{
	static const int ciphers[] = { OVX_CIPHER_AES_256_GCM, OVX_CIPHER_CHACHA20_POLY1305,
				       OVX_CIPHER_AES_128_GCM };
	struct ctx *c = calloc(1, sizeof(*c));

	t_seed(3);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		const char *name = ovx_cipher_name(ciphers[i]);

		setup(c, ciphers[i], 0);
		test_valid(c, name);
		test_tamper(c, name);
		test_replay(c, name);
		test_pass_unchanged(c, name);
		test_truncation(c, name);
		test_for_openvpn(c, name);
		test_float(c, name);
		test_concurrent_replay(c, name);
		test_slots(c, name);
		fp_close(&c->h);
		test_liveness(ciphers[i], name);
	}
	free(c);
	return t_done("rx");
}
