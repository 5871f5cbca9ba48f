// SPDX-License-Identifier: GPL-2.0
/* OpenVPN's data-channel framings (bpf/framing.h) through BPF_PROG_TEST_RUN,
 * both ways, for each framing alone and with fragment's header:
 * RX (ovx_rx_xdp): a packet framed as configured is delivered without its
 * framing (a swapped one with its first byte back); a keepalive ping inside
 * the framing, a compressed packet (0x66, 0x69, v2's 0x50 0x01), v2's escape
 * (0x50 0x00), a real fragment, and a packet framed otherwise go to OpenVPN
 * unchanged. TX (ovx_tx_tc): the sealed plaintext opens with OpenSSL to the
 * packet framed as OpenVPN frames it; with fragment, a packet too big to go
 * whole goes to OpenVPN unchanged. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include "aead_key.h"
#include "aead_sw.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INST		1
#define LO		1	/* VPN and link device of the test runs */
#define PEER		5
#define FRAG_MAX	300	/* fragment's largest whole payload in these runs */

struct ctx {
	struct fp_harness h;
	int cipher;
	uint8_t c2s_key[32], s2c_key[32], c2s_iv[8], s2c_iv[8];
	struct frame_spec spec;		/* PEER -> us over IPv4 */
	uint32_t pid;
};

static const uint8_t ping[16] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
};

static const struct {
	const char *name;
	uint32_t flags;
} framings[] = {
	{ "none", 0 },
	{ "comp-lzo", OVX_FRAMING_COMP_V1 },
	{ "compress stub", OVX_FRAMING_COMP_SWAP },
	{ "compress stub-v2", OVX_FRAMING_COMP_V2 },
	{ "fragment", OVX_FRAMING_FRAGMENT },
	{ "fragment + comp-lzo", OVX_FRAMING_FRAGMENT | OVX_FRAMING_COMP_V1 },
	{ "fragment + compress stub", OVX_FRAMING_FRAGMENT | OVX_FRAMING_COMP_SWAP },
	{ "fragment + compress stub-v2", OVX_FRAMING_FRAGMENT | OVX_FRAMING_COMP_V2 },
};

static uint32_t with_size(uint32_t flags)
{
	return flags & OVX_FRAMING_FRAGMENT ? flags | FRAG_MAX << OVX_FRAG_MAX_SHIFT : flags;
}

/* @pkt framed as OpenVPN frames it under @flags, into @out; its length. */
static size_t frame_as(uint32_t flags, const uint8_t *pkt, size_t len, uint8_t *out)
{
	size_t o = 0;

	if (flags & OVX_FRAMING_FRAGMENT) {
		memset(out, 0, 4);
		o = 4;
	}
	if (flags & OVX_FRAMING_COMP_V1) {
		out[o++] = 0xFA;
	} else if (flags & OVX_FRAMING_COMP_SWAP) {
		out[o] = 0xFB;
		memcpy(out + o + 1, pkt + 1, len - 1);
		out[o + len] = pkt[0];
		return o + len + 1;
	}
	memcpy(out + o, pkt, len);
	return o + len;
}

static void setup(struct ctx *c, int cipher, uint32_t flags)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = PEER };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = PEER, .slot = OVX_SLOT_PRIMARY, .key_id = 0,
		.cipher = cipher, .enc_key = c->s2c_key, .dec_key = c->c2s_key,
	};
	struct ovx_sockaddr local;

	c->cipher = cipher;
	c->pid = 1;
	t_rand_bytes(c->c2s_key, 32);
	t_rand_bytes(c->s2c_key, 32);
	t_rand_bytes(c->c2s_iv, 8);
	t_rand_bytes(c->s2c_iv, 8);
	fp_open(&c->h, 0);
	ovx_sockaddr_parse(&c->spec.src, "10.99.0.2:55379");
	ovx_sockaddr_parse(&c->spec.dst, "10.99.0.1:1194");
	ovx_sockaddr_parse(&local, "10.99.0.1:1194");
	pc.remote = c->spec.src;
	pc.local = c->spec.dst;
	pc.vpn_ipv4[0] = 10, pc.vpn_ipv4[1] = 8, pc.vpn_ipv4[3] = 2;
	pc.vpn_ipv6[0] = 0xfd, pc.vpn_ipv6[15] = 2;	/* inner_ipv6's source */
	memcpy(kc.enc_nonce_tail, c->s2c_iv, 8);
	memcpy(kc.dec_nonce_tail, c->c2s_iv, 8);
	if (ovx_iface_set(&c->h.fp, LO, INST, OVX_IFACE_ETH | with_size(flags), 0) ||
	    ovx_socket_add(&c->h.fp, &local, INST, LO, LO) ||
	    ovx_socket_set_framing(&c->h.fp, &local, with_size(flags)) ||
	    ovx_peer_new(&c->h.fp, &pc) || ovx_key_new(&c->h.fp, &kc))
		t_fatal("setup");
}

/* RX of plaintext @pt: true if delivered as @want (NULL: to OpenVPN unchanged). */
static bool rx(struct ctx *c, const uint8_t *pt, size_t len, const uint8_t *want,
	       size_t want_len)
{
	uint8_t payload[2100], frame[2200];
	static struct fp_result r;
	size_t n = data_v2_build(payload, PEER, 0, c->pid++, c->cipher, c->c2s_key,
				 c->c2s_iv, pt, len);
	const uint8_t *eth;

	n = frame_build(frame, &c->spec, payload, n);
	if (fp_run_xdp(&c->h, frame, n, &r))
		return false;
	if (!want)
		return r.verdict == XDP_PASS && !r.meta_len && r.out_len == n &&
		       !memcmp(r.out, frame, n);
	eth = r.out + r.meta_len;
	return r.verdict == XDP_PASS && r.meta_len == sizeof(struct ovx_rx_meta) &&
	       r.out_len == r.meta_len + 14 + want_len &&
	       (eth[12] << 8 | eth[13]) == (want[0] >> 4 == 4 ? 0x0800 : 0x86dd) &&
	       !memcmp(eth + 14, want, want_len);
}

static void test_rx(struct ctx *c, uint32_t flags, const char *name)
{
	uint8_t ip[1400], ip6[200], pt[1500], bad[1500];
	size_t n, pre = flags & OVX_FRAMING_FRAGMENT ? 4 : 0;
	bool v1 = flags & (OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP);

	inner_ipv4(ip, sizeof(ip), 7);
	inner_ipv6(ip6, sizeof(ip6), 8);
	n = frame_as(flags, ip, sizeof(ip), pt);
	CHECK(rx(c, pt, n, ip, sizeof(ip)), "%s: IPv4 delivered unframed", name);
	n = frame_as(flags, ip6, sizeof(ip6), pt);
	CHECK(rx(c, pt, n, ip6, sizeof(ip6)), "%s: IPv6 delivered unframed", name);
	n = frame_as(flags, ping, sizeof(ping), pt);
	CHECK(rx(c, pt, n, NULL, 0), "%s: a framed ping goes to OpenVPN", name);
	if (flags & (OVX_FRAMING_FRAGMENT | OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP))
		CHECK(rx(c, ip, sizeof(ip), NULL, 0), "%s: an unframed packet goes to OpenVPN",
		      name);
	if (v1) {
		for (int b = 0; b < 2; b++) {
			n = frame_as(flags, ip, sizeof(ip), pt);
			pt[pre] = b ? 0x69 : 0x66;	/* LZ4 / LZO compressed */
			CHECK(rx(c, pt, n, NULL, 0), "%s: compressed 0x%x to OpenVPN", name,
			      pt[pre]);
		}
	}
	/* v2's escape and compression: not IP, so OpenVPN's, whatever the framing */
	for (int b = 0; b < 2; b++) {
		bad[0] = 0x50, bad[1] = b;
		memcpy(bad + 2, ip, 200);
		n = frame_as(flags, bad, 202, pt);
		CHECK(rx(c, pt, n, NULL, 0), "%s: 0x50 0x%02x to OpenVPN", name, b);
	}
	if (flags & OVX_FRAMING_FRAGMENT) {
		static const uint32_t hdrs[] = { 1 | 3 << 2, 2 | 3 << 2 | 100 << 15, 3, 1 << 2 };

		for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
			uint32_t h = htonl(hdrs[i]);

			n = frame_as(flags, ip, sizeof(ip), pt);
			memcpy(pt, &h, 4);
			CHECK(rx(c, pt, n, NULL, 0), "%s: fragment header 0x%08x to OpenVPN",
			      name, hdrs[i]);
		}
	}
}

/* TX of an IPv4 packet of @len bytes to the peer: sealed to it framed, or
 * (@to_openvpn) left unchanged. */
static bool tx(struct ctx *c, uint32_t flags, size_t len, bool to_openvpn)
{
	uint8_t in[1600] = {}, want[1700];
	static struct fp_tc_out o;
	size_t n, wl, off = 14 + 20 + 8;

	in[12] = 0x08;
	inner_ipv4(in + 14, len, 9);
	in[14 + 16] = 10, in[14 + 17] = 8, in[14 + 18] = 0, in[14 + 19] = 2;
	n = 14 + len;
	if (fp_run_tc(c->h.tx_tc, in, n, &o))
		return false;
	if (to_openvpn)
		return o.verdict == TC_ACT_OK && o.len == n && !memcmp(o.out, in, n);
	wl = frame_as(flags, in + 14, len, want);
	if (o.verdict != TC_ACT_REDIRECT || o.len != off + OVX_DATA_HDR_LEN + wl)
		return false;
	return !ovx_sw_open(c->cipher, c->s2c_key, c->s2c_iv, o.out + off, wl) &&
	       !memcmp(o.out + off + OVX_DATA_HDR_LEN, want, wl);
}

static void test_tx(struct ctx *c, uint32_t flags, const char *name)
{
	bool v1 = flags & (OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP);

	CHECK(tx(c, flags, 100, false), "%s: 100 bytes sealed framed", name);
	CHECK(tx(c, flags, 28, false), "%s: 28 bytes sealed framed", name);
	if (flags & OVX_FRAMING_FRAGMENT) {
		CHECK(tx(c, flags, FRAG_MAX - v1, false), "%s: %d bytes fit whole", name,
		      FRAG_MAX - v1);
		CHECK(tx(c, flags, FRAG_MAX - v1 + 1, true), "%s: one more goes to OpenVPN",
		      name);
	} else {
		CHECK(tx(c, flags, 1400, false), "%s: 1400 bytes sealed framed", name);
	}
}

/* Configured without framing, a peer that frames (the server pushed
 * `comp-lzo no` to a client whose config lacks it): from its first framed
 * packet on, the peer is left wholly to OpenVPN, both ways, and an event
 * says so. */
static void test_foreign(struct ctx *c, const char *name)
{
	static const uint32_t theirs[] = {
		OVX_FRAMING_COMP_V1, OVX_FRAMING_COMP_SWAP, OVX_FRAMING_FRAGMENT,
	};
	uint8_t ip[200], pt[300];
	struct ovx_peer p;
	size_t n;

	inner_ipv4(ip, sizeof(ip), 3);
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		setup(c, c->cipher, 0);
		CHECK(rx(c, ip, sizeof(ip), ip, sizeof(ip)) && tx(c, 0, 100, false),
		      "%s: offloaded before", name);
		n = frame_as(theirs[i], ip, sizeof(ip), pt);
		CHECK(rx(c, pt, n, NULL, 0), "%s: framing 0x%x to OpenVPN", name, theirs[i]);
		CHECK(!ovx_peer_get(&c->h.fp, INST, PEER, &p) &&
		      p.flags & OVX_PEER_F_FOREIGN_FRAMING, "%s: peer marked", name);
		CHECK(rx(c, ip, sizeof(ip), NULL, 0), "%s: then its IP packets to OpenVPN", name);
		CHECK(tx(c, 0, 100, true), "%s: and TX to it to OpenVPN", name);
		fp_close(&c->h);
	}
}

int main(void)
{
	static const int ciphers[] = { OVX_CIPHER_AES_256_GCM, OVX_CIPHER_CHACHA20_POLY1305 };
	struct ctx *c = calloc(1, sizeof(*c));

	t_seed(11);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		for (size_t f = 0; f < sizeof(framings) / sizeof(framings[0]); f++) {
			char name[96];

			snprintf(name, sizeof(name), "%s, %s", ovx_cipher_name(ciphers[i]),
				 framings[f].name);
			setup(c, ciphers[i], framings[f].flags);
			test_rx(c, framings[f].flags, name);
			test_tx(c, framings[f].flags, name);
			fp_close(&c->h);
		}
		test_foreign(c, ovx_cipher_name(ciphers[i]));
	}
	free(c);
	return t_done("framing");
}
