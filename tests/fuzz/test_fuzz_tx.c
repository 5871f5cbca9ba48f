// SPDX-License-Identifier: GPL-2.0
/* Hostile packets against the TC programs through BPF_PROG_TEST_RUN.
 *
 * TX (ovx_tx_tc, the tun device's egress): plaintext IPv4/IPv6 packets to
 * peers' VPN addresses and routed prefixes, to nobody, TCP SYNs, fragments,
 * and their mutations (bit flips, cuts, random bytes). Each packet must come
 * out unchanged (left to OpenVPN), dropped and counted, or sealed for the
 * peer its destination routes to: the output's outer headers go from the
 * socket to that peer's remote, and it opens with OpenSSL (loader/aead_sw.c)
 * under the peer's key to the very input, with the key's next packet-id (so
 * no nonce twice). The peers' counters must add up to what was seen.
 *
 * ovx_rx_tc (link ingress) and ovx_link_egress_tc (link egress) get mutated
 * data frames and random bytes: without XDP metadata or a sending UDP socket
 * (a test run has neither) each must leave the frame as it is.
 * OVX_FUZZ_PACKETS sets the TX count (default 200,000, and a tenth of it
 * more for each link program; `make fuzz` runs more). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "aead_sw.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"

#define INST		1
#define LO		1	/* the VPN and link device of the test runs */
#define PEERS		5
#define NO_KEY_PEER	2	/* has no key: its packets go to OpenVPN */
#define EXHAUST_PEER	1	/* runs out of packet-ids halfway */
#define V6_PEER		3	/* remote over IPv6 */
#define POOL		64
#define MAX_PKT		1600

struct peer {
	uint8_t key[32], iv[8];
	struct ovx_sockaddr remote, local;
	uint64_t next_pid;	/* its next sealed packet's packet-id is no lower */
};

struct fuzz {
	struct fp_harness h;
	int cipher;
	struct peer peer[PEERS];
	struct { uint8_t f[MAX_PKT]; size_t len; } pool[POOL];
	long unchanged, sealed, dropped, bad;
};

static void add_peer(struct fuzz *z, int p)
{
	struct peer *pr = &z->peer[p];
	struct ovx_peer_config pc = { .instance = INST, .peer_id = p };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = p, .slot = OVX_SLOT_PRIMARY, .key_id = p & 7,
		.cipher = z->cipher, .enc_key = pr->key, .dec_key = pr->key,
	};
	uint32_t net = htonl(0x14000000 | p << 8);		/* 20.0.p.0/24 */
	char remote[48];

	t_rand_bytes(pr->key, sizeof(pr->key));
	t_rand_bytes(pr->iv, sizeof(pr->iv));
	if (p == V6_PEER)
		snprintf(remote, sizeof(remote), "[fd99::%d]:%d", 2 + p, 40000 + p);
	else
		snprintf(remote, sizeof(remote), "10.99.0.%d:%d", 2 + p, 40000 + p);
	ovx_sockaddr_parse(&pr->remote, remote);
	ovx_sockaddr_parse(&pr->local, p == V6_PEER ? "[fd99::1]:1194" : "10.99.0.1:1194");
	pc.remote = pr->remote;
	pc.local = pr->local;
	pc.vpn_ipv4[0] = 10, pc.vpn_ipv4[1] = 8, pc.vpn_ipv4[3] = 2 + p;
	pc.vpn_ipv6[0] = 0xfd, pc.vpn_ipv6[3] = 8, pc.vpn_ipv6[15] = 2 + p;
	memcpy(kc.enc_nonce_tail, pr->iv, 8);
	memcpy(kc.dec_nonce_tail, pr->iv, 8);
	pr->next_pid = 1;
	if (ovx_peer_new(&z->h.fp, &pc) ||
	    ovx_route_add(&z->h.fp, INST, OVX_AF_INET, &net, 24, p, false) ||
	    (p != NO_KEY_PEER && ovx_key_new(&z->h.fp, &kc)))
		t_fatal("peer %d", p);
}

static void setup(struct fuzz *z, int cipher, long packets)
{
	struct ovx_sockaddr sa4, sa6;

	z->cipher = cipher;
	fp_open(&z->h, 0);
	ovx_sockaddr_parse(&sa4, "10.99.0.1:1194");
	ovx_sockaddr_parse(&sa6, "[fd99::1]:1194");
	if (ovx_iface_set(&z->h.fp, LO, INST, OVX_IFACE_ETH, 0) ||
	    ovx_socket_add(&z->h.fp, &sa4, INST, LO, LO) ||
	    ovx_socket_add(&z->h.fp, &sa6, INST, LO, LO))
		t_fatal("socket");
	for (int p = 0; p < PEERS; p++)
		add_peer(z, p);
	/* a few thousand packet-ids left: exhaustion is met halfway */
	z->peer[EXHAUST_PEER].next_pid = OVX_PID_MAX - packets / 40;
	if (ovx_key_set_tx_pid(&z->h.fp, INST, EXHAUST_PEER, EXHAUST_PEER,
				z->peer[EXHAUST_PEER].next_pid))
		t_fatal("tx pid");
}

/* Ethernet + an inner packet of @len bytes to a destination that routes to
 * a peer, to nobody, or a TCP SYN, a fragment. */
static size_t inner(uint8_t *f, size_t len)
{
	int p = t_rand() % (PEERS + 1), kind = t_rand() % 8;
	bool v6 = kind == 1;
	uint8_t *ip = f + 14;

	memset(f, 0, 14);
	f[12] = v6 ? 0x86 : 0x08, f[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		inner_ipv6(ip, len < 48 ? 48 : len, t_rand());
		ip[39] = 2 + p;
		return 14 + (len < 48 ? 48 : len);
	}
	inner_ipv4(ip, len < 28 ? 28 : len, t_rand());
	ip[19] = 2 + p;
	if (kind == 2) {				/* routed prefix 20.0.p.0/24 */
		ip[16] = 20, ip[17] = 0, ip[18] = p, ip[19] = t_rand();
	} else if (kind == 3 && len >= 40) {		/* TCP, SYN or not */
		ip[9] = 6;
		ip[20 + 13] = t_rand() & 3;
	} else if (kind == 4) {				/* a fragment */
		ip[6] = 0x20;
	} else if (kind == 5) {
		ip[9] = 17;
	}
	return 14 + (len < 28 ? 28 : len);
}

/* Builds a hostile packet; returns its length. */
static size_t mutate(struct fuzz *z, uint8_t *f)
{
	int i = t_rand() % POOL, kind = t_rand() % 8;
	size_t len = z->pool[i].len;

	memcpy(f, z->pool[i].f, len);
	switch (kind) {
	case 0:
	case 1:				/* a valid packet, new */
		z->pool[i].len = inner(z->pool[i].f, 20 + t_rand() % 1400);
		memcpy(f, z->pool[i].f, z->pool[i].len);
		return z->pool[i].len;
	case 2:				/* sent again */
		return len;
	case 3:				/* bit flips, mostly in the headers */
	case 4:
		for (int b = 1 + t_rand() % 4; b; b--) {
			size_t at = t_rand() & 1 ? t_rand() % (len < 60 ? len : 60) : t_rand() % len;

			f[at] ^= 1 << (t_rand() % 8);
		}
		return len;
	case 5:				/* cut or grown */
		return t_rand() & 1 ? 14 + t_rand() % (len - 13) : len + t_rand() % 64;
	case 6:				/* random after a valid Ethernet type */
		len = 14 + t_rand() % 200;
		t_rand_bytes(f + 14, len - 14);
		return len;
	default:			/* random bytes */
		len = 14 + t_rand() % 300;
		t_rand_bytes(f, len);
		return len;
	}
}

/* The peer an inner packet's destination routes to, or -1. */
static int route_of(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14;

	if (len >= 14 + 40 && ip[0] >> 4 == 6) {
		static const uint8_t vpn6[15] = { 0xfd, 0, 0, 8 };

		return !memcmp(ip + 24, vpn6, 15) && ip[39] >= 2 && ip[39] < 2 + PEERS ?
		       ip[39] - 2 : -1;
	}
	if (len < 14 + 20 || ip[0] >> 4 != 4)
		return -1;
	if (ip[16] == 10 && ip[17] == 8 && ip[18] == 0 && ip[19] >= 2 && ip[19] < 2 + PEERS)
		return ip[19] - 2;
	if (ip[16] == 20 && ip[17] == 0 && ip[18] < PEERS)
		return ip[18];
	return -1;
}

static uint16_t rd16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/* The outer headers carry the packet from the peer's local address to its
 * remote; returns the offset of the P_DATA_V2 payload, or 0. */
static size_t outer_ok(const struct peer *pr, const struct fp_tc_out *o, size_t inner_len)
{
	const uint8_t *ip = o->out + 14, *udp;
	bool v4 = pr->remote.family == OVX_AF_INET;
	size_t l3 = v4 ? 20 : 40, udp_len = 8 + OVX_DATA_HDR_LEN + inner_len;
	uint32_t sum = 0;

	if (o->len != 14 + l3 + udp_len || rd16(o->out + 12) != (v4 ? 0x0800 : 0x86dd))
		return 0;
	udp = ip + l3;
	if (v4) {
		for (int i = 0; i < 20; i += 2)
			sum += rd16(ip + i);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		if (ip[0] != 0x45 || sum != 0xffff || rd16(ip + 2) != l3 + udp_len ||
		    ip[9] != 17 || memcmp(ip + 12, pr->local.addr, 4) ||
		    memcmp(ip + 16, pr->remote.addr, 4))
			return 0;
	} else if (ip[0] >> 4 != 6 || rd16(ip + 4) != udp_len || ip[6] != 17 ||
		   memcmp(ip + 8, pr->local.addr, 16) || memcmp(ip + 24, pr->remote.addr, 16)) {
		return 0;
	}
	if (memcmp(udp, &pr->local.port, 2) || memcmp(udp + 2, &pr->remote.port, 2) ||
	    rd16(udp + 4) != udp_len)
		return 0;
	return 14 + l3 + 8;
}

/* Sealed for the right peer, with a packet-id above every one before (a
 * packet dropped after taking one leaves a gap), to the very input. */
static bool sealed_ok(struct fuzz *z, const uint8_t *in, size_t len, const struct fp_tc_out *o)
{
	int p = route_of(in, len);
	size_t inner_len = len - 14, off;
	struct peer *pr;
	uint8_t *pkt;
	uint32_t pid;

	if (p < 0 || p == NO_KEY_PEER)
		return false;
	pr = &z->peer[p];
	off = outer_ok(pr, o, inner_len);
	if (!off)
		return false;
	pkt = (uint8_t *)o->out + off;
	pid = (uint32_t)pkt[4] << 24 | pkt[5] << 16 | pkt[6] << 8 | pkt[7];
	if (pkt[0] != (9 << 3 | (p & 7)) || pkt[1] || pkt[2] || pkt[3] != p ||
	    pid < pr->next_pid)
		return false;
	pr->next_pid = pid + 1;
	return !ovx_sw_open(z->cipher, pr->key, pr->iv, pkt, inner_len) &&
	       !memcmp(pkt + OVX_DATA_HDR_LEN, in + 14, inner_len);
}

static void judge(struct fuzz *z, const uint8_t *f, size_t len, const struct fp_tc_out *o)
{
	if (o->verdict == TC_ACT_SHOT)
		z->dropped++;
	else if (o->verdict == TC_ACT_OK && o->len == len && !memcmp(o->out, f, len))
		z->unchanged++;
	else if (o->verdict == TC_ACT_REDIRECT && sealed_ok(z, f, len, o))
		z->sealed++;
	else if (z->bad++ < 5) {
		fprintf(stderr, "verdict %d len %zu -> %u route %d\n", o->verdict, len, o->len, route_of(f, len));
		t_hexdump("mishandled packet", f, len < 96 ? len : 96);
		t_hexdump("out", o->out, o->len < 96 ? o->len : 96);
	}
}

struct totals {
	long drops, tx_pkts, seen, why[OVX_DROP_MAX];
};

static struct totals totals(struct fuzz *z)
{
	struct ovx_global_stats g;
	struct totals t = {};

	for (int p = 0; p < PEERS; p++) {
		struct ovx_peer_stats s;

		ovx_peer_stats_get(&z->h.fp, INST, p, &s);
		for (int d = 0; d < OVX_DROP_MAX; d++) {
			t.drops += s.drops[d];
			t.why[d] += s.drops[d];
		}
		t.tx_pkts += s.tx_link_pkts;
	}
	ovx_global_stats_get(&z->h.fp, &g);
	t.seen = g.c[OVX_G_TX_SEEN];
	return t;
}

static void fuzz_tx(struct fuzz *z, long packets)
{
	const char *name = ovx_cipher_name(z->cipher);
	struct fp_tc_out *o = malloc(sizeof(*o));
	uint8_t f[2048];
	long runs = 0;
	struct totals t;

	for (int i = 0; i < POOL; i++)
		z->pool[i].len = inner(z->pool[i].f, 20 + t_rand() % 1400);
	for (long n = 0; n < packets; n++) {
		size_t len = mutate(z, f);

		if (fp_run_tc(z->h.tx_tc, f, len, o))
			continue;
		runs++;
		judge(z, f, len, o);
	}
	t = totals(z);
	/* A test run refuses an IPv4/IPv6 Ethernet type with less than that
	 * header behind it (no device carries such a packet). Encapsulation
	 * drops: an Ethernet type that disagrees with the IP version, which only
	 * the harness's Ethernet framing allows. */
	printf("fuzz_tx %s: %ld packets (%ld refused by the test run): %ld unchanged, "
	       "%ld sealed, %ld dropped, %ld wrong\n", name, runs, packets - runs,
	       z->unchanged, z->sealed, z->dropped, z->bad);
	printf("fuzz_tx %s counters: %ld seen, %ld sent, %ld drops (%ld packet-ids exhausted, "
	       "%ld encapsulation)\n", name, t.seen, t.tx_pkts, t.drops,
	       t.why[OVX_DROP_PID_EXHAUSTED], t.why[OVX_DROP_ENCAP]);
	CHECK(z->bad == 0, "%s: %ld TX packets mishandled", name, z->bad);
	CHECK(runs > packets * 95 / 100, "%s: %ld of %ld test runs failed", name, packets - runs,
	      packets);
	CHECK(z->sealed > runs / 10 && z->unchanged > runs / 10 && z->dropped > runs / 100,
	      "%s: a class of TX packets is missing", name);
	CHECK(t.seen == runs && t.tx_pkts == z->sealed && t.drops == z->dropped,
	      "%s: TX counters do not add up", name);
	free(o);
}

/* Link ingress and egress: every frame left as it is. */
static void fuzz_link(struct fuzz *z, int prog, const char *what, long packets)
{
	struct fp_tc_out *o = malloc(sizeof(*o));
	struct frame_spec fs = {};
	uint8_t f[2048], payload[1600], pt[1400];
	long same = 0, runs = 0;

	ovx_sockaddr_parse(&fs.src, "10.99.0.1:1194");
	for (long n = 0; n < packets; n++) {
		int p = t_rand() % PEERS;
		size_t len, pl;

		fs.dst = z->peer[p].remote;
		fs.src = z->peer[p].local;
		pl = data_v2_build(payload, p, p & 7, 1 + n, z->cipher, z->peer[p].key,
				   z->peer[p].iv, pt, inner_ipv4(pt, 28 + t_rand() % 1300, n));
		len = frame_build(f, &fs, payload, pl);
		for (int b = t_rand() % 4; b; b--)
			f[t_rand() % len] ^= 1 << (t_rand() % 8);
		if (t_rand() % 4 == 0) {
			len = 14 + t_rand() % 300;
			t_rand_bytes(f, len);
		}
		if (fp_run_tc(prog, f, len, o))
			continue;
		runs++;
		same += o->verdict == TC_ACT_OK && o->len == len && !memcmp(o->out, f, len);
	}
	printf("fuzz_%s %s: %ld frames, %ld passed unchanged\n", what,
	       ovx_cipher_name(z->cipher), runs, same);
	CHECK(runs == packets && same == runs, "%s: %ld of %ld frames changed or lost", what,
	      runs - same, packets);
	free(o);
}

static void run(int cipher, long packets)
{
	struct fuzz *z = calloc(1, sizeof(*z));

	setup(z, cipher, packets);
	fuzz_tx(z, packets);
	fuzz_link(z, z->h.rx_tc, "rx_tc", packets / 10);
	fuzz_link(z, z->h.link_egress_tc, "link_egress", packets / 10);
	fp_close(&z->h);
	free(z);
}

int main(void)
{
	const char *env = getenv("OVX_FUZZ_PACKETS");
	long packets = env ? atol(env) : 200000;

	t_seed(43);
	run(OVX_CIPHER_AES_256_GCM, packets / 2);
	run(OVX_CIPHER_CHACHA20_POLY1305, packets / 2);
	return t_done("fuzz_tx");
}
