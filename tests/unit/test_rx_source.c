// SPDX-License-Identifier: GPL-2.0
/* The source check of a server instance (bpf/srccheck.h) through
 * BPF_PROG_TEST_RUN: a decrypted packet is delivered only from the sending
 * peer's VPN address or one of its iroutes (the longest prefix decides);
 * other sources are dropped and counted; a peer whose address is not known
 * yet and IPv6 link-local sources go to OpenVPN; a client instance has no
 * check. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "aead_key.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INST		1
#define VPN_IFINDEX	42
#define PEER_A		1	/* 10.8.0.2, fd00::2, iroutes 10.78.0.0/24, fd78::/64 */
#define PEER_B		2	/* 10.8.0.3, fd00::3, iroute 10.78.0.128/25 */
#define PEER_C		3	/* no VPN address yet */

struct ctx {
	struct fp_harness h;
	int cipher;
	uint8_t key[32], iv[8];
	uint32_t pid;
};

static void addr(struct ovx_sockaddr *sa, const char *text)
{
	if (ovx_sockaddr_parse(sa, text))
		t_fatal("bad address %s", text);
}

static struct frame_spec spec_of(uint32_t peer)
{
	struct frame_spec fs = {};
	char remote[32];

	snprintf(remote, sizeof(remote), "10.99.0.%u:40000", peer + 1);
	addr(&fs.src, remote);
	addr(&fs.dst, "10.99.0.1:1194");
	return fs;
}

static int add_peer(struct ctx *c, uint32_t peer, const char *v4, const char *v6)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = peer };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = peer, .slot = OVX_SLOT_PRIMARY,
		.key_id = 0, .cipher = c->cipher, .enc_key = c->key, .dec_key = c->key,
	};
	struct frame_spec fs = spec_of(peer);
	int err;

	pc.remote = fs.src;
	pc.local = fs.dst;
	if (v4)
		inet_pton(AF_INET, v4, pc.vpn_ipv4);
	if (v6)
		inet_pton(AF_INET6, v6, pc.vpn_ipv6);
	memcpy(kc.enc_nonce_tail, c->iv, 8);
	memcpy(kc.dec_nonce_tail, c->iv, 8);
	err = ovx_peer_new(&c->h.fp, &pc);
	return err ?: ovx_key_new(&c->h.fp, &kc);
}

static int add_route(struct ctx *c, const char *prefix, uint32_t len, uint32_t peer)
{
	uint8_t a[16];
	int family = strchr(prefix, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, prefix, a) != 1)
		t_fatal("bad prefix %s", prefix);
	return ovx_route_add(&c->h.fp, INST, family == AF_INET ? OVX_AF_INET : OVX_AF_INET6,
			      a, len, peer, false);
}

static void setup(struct ctx *c, int cipher)
{
	struct ovx_sockaddr local;
	int err;

	memset(c, 0, sizeof(*c));
	c->cipher = cipher;
	c->pid = 1;
	t_rand_bytes(c->key, 32);
	t_rand_bytes(c->iv, 8);
	fp_open(&c->h, 0);
	addr(&local, "10.99.0.1:1194");
	err = ovx_iface_set(&c->h.fp, VPN_IFINDEX, INST, 0, 0);	/* a server */
	err = err ?: ovx_socket_add(&c->h.fp, &local, INST, VPN_IFINDEX, 1);
	err = err ?: add_peer(c, PEER_A, "10.8.0.2", "fd00::2");
	err = err ?: add_peer(c, PEER_B, "10.8.0.3", "fd00::3");
	err = err ?: add_peer(c, PEER_C, NULL, NULL);
	err = err ?: add_route(c, "10.78.0.0", 24, PEER_A);
	err = err ?: add_route(c, "10.78.0.128", 25, PEER_B);
	err = err ?: add_route(c, "fd78::", 64, PEER_A);
	if (err)
		t_fatal("setup: %d", err);
}

enum outcome { DELIVERED, PASSED, DROPPED, OTHER };

static const char *outcome_name[] = { "delivered", "passed to OpenVPN", "dropped", "other" };

/* An echo request from @src (IPv4 or IPv6 text) sent by @peer. */
static enum outcome send_from(struct ctx *c, uint32_t peer, const char *src)
{
	uint8_t pt[120], payload[256], frame[512];
	struct frame_spec fs = spec_of(peer);
	static struct fp_result r;
	size_t len, n;

	if (strchr(src, ':')) {
		len = inner_ipv6(pt, sizeof(pt), c->pid);
		inet_pton(AF_INET6, src, pt + 8);
	} else {
		len = inner_ipv4(pt, sizeof(pt), c->pid);
		inet_pton(AF_INET, src, pt + 12);
	}
	n = data_v2_build(payload, peer, 0, c->pid++, c->cipher, c->key, c->iv, pt, len);
	n = frame_build(frame, &fs, payload, n);
	if (fp_run_xdp(&c->h, frame, n, &r))
		t_fatal("test run failed");
	if (r.verdict == XDP_DROP)
		return DROPPED;
	if (r.verdict != XDP_PASS)
		return OTHER;
	if (r.meta_len == 0)
		return r.out_len == n && !memcmp(r.out, frame, n) ? PASSED : OTHER;
	return r.out_len == r.meta_len + 14 + len &&
	       !memcmp(r.out + r.meta_len + 14, pt, len) ? DELIVERED : OTHER;
}

static struct ovx_peer_stats stats(struct ctx *c, uint32_t peer)
{
	struct ovx_peer_stats s;

	if (ovx_peer_stats_get(&c->h.fp, INST, peer, &s))
		t_fatal("no stats for peer %u", peer);
	return s;
}

static const struct {
	uint32_t peer;
	const char *src;
	enum outcome want;
} cases[] = {
	{ PEER_A, "10.8.0.2", DELIVERED },	/* its own address */
	{ PEER_A, "fd00::2", DELIVERED },
	{ PEER_A, "10.78.0.5", DELIVERED },	/* in its iroute */
	{ PEER_A, "10.78.0.127", DELIVERED },
	{ PEER_A, "fd78::99", DELIVERED },
	{ PEER_A, "10.8.0.3", DROPPED },	/* B's address */
	{ PEER_A, "fd00::3", DROPPED },
	{ PEER_A, "10.78.0.200", DROPPED },	/* B's more specific iroute */
	{ PEER_A, "10.9.9.9", DROPPED },	/* nobody's */
	{ PEER_A, "10.8.0.1", DROPPED },	/* the server's own */
	{ PEER_A, "fd79::1", DROPPED },
	{ PEER_A, "fe80::1234", PASSED },	/* link-local: OpenVPN drops it */
	{ PEER_B, "10.8.0.3", DELIVERED },
	{ PEER_B, "10.78.0.200", DELIVERED },
	{ PEER_B, "10.78.0.5", DROPPED },	/* A's iroute */
	{ PEER_B, "10.8.0.2", DROPPED },
	{ PEER_B, "fd78::1", DROPPED },
	{ PEER_C, "10.8.0.9", PASSED },		/* address not known yet */
	{ PEER_C, "fd00::9", PASSED },
	{ PEER_C, "10.8.0.2", DROPPED },	/* but A's is A's */
};

static void test_sources(struct ctx *c, const char *name)
{
	uint64_t want_drops[4] = {}, want_ovpn[4] = {};
	struct ovx_peer_stats before[4], after;

	for (uint32_t p = PEER_A; p <= PEER_C; p++)
		before[p] = stats(c, p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum outcome got = send_from(c, cases[i].peer, cases[i].src);

		CHECK(got == cases[i].want, "%s: peer %u from %s: %s, want %s", name,
		      cases[i].peer, cases[i].src, outcome_name[got], outcome_name[cases[i].want]);
		want_drops[cases[i].peer] += cases[i].want == DROPPED;
		want_ovpn[cases[i].peer] += cases[i].want == PASSED;
	}
	for (uint32_t p = PEER_A; p <= PEER_C; p++) {
		after = stats(c, p);
		CHECK(after.drops[OVX_DROP_SOURCE] - before[p].drops[OVX_DROP_SOURCE] ==
		      want_drops[p], "%s: peer %u source drops %llu, want %llu", name, p,
		      after.drops[OVX_DROP_SOURCE] - before[p].drops[OVX_DROP_SOURCE],
		      (unsigned long long)want_drops[p]);
		CHECK(after.rx_to_ovpn - before[p].rx_to_ovpn == want_ovpn[p],
		      "%s: peer %u to OpenVPN %llu, want %llu", name, p,
		      after.rx_to_ovpn - before[p].rx_to_ovpn, (unsigned long long)want_ovpn[p]);
	}
}

/* A client instance: its one peer's packets come from anywhere. */
static void test_p2p(struct ctx *c, const char *name)
{
	if (ovx_iface_set(&c->h.fp, VPN_IFINDEX, INST, OVX_IFACE_P2P, PEER_A))
		t_fatal("iface");
	CHECK(send_from(c, PEER_A, "192.0.2.7") == DELIVERED, "%s: p2p: foreign source refused",
	      name);
	CHECK(send_from(c, PEER_A, "2001:db8::7") == DELIVERED,
	      "%s: p2p: foreign IPv6 source refused", name);
}

int main(void)
{
	static const int ciphers[] = { OVX_CIPHER_AES_256_GCM, OVX_CIPHER_CHACHA20_POLY1305 };
	struct ctx *c = calloc(1, sizeof(*c));

	t_seed(7);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		const char *name = ovx_cipher_name(ciphers[i]);

		setup(c, ciphers[i]);
		test_sources(c, name);
		test_p2p(c, name);
		fp_close(&c->h);
	}
	free(c);
	return t_done("rx_source");
}
