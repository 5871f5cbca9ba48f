// SPDX-License-Identifier: GPL-2.0
/* AES-GCM's usage limit of a 2.6-format key (bpf/limit.h, issue 19): the
 * fast path counts the blocks it seals per key; a key started near its limit
 * (its blocks raised through ovx_key_ctl) seals until blocks + packet-id
 * would pass OVX_GCM_USAGE_STOP and never after: the packets past it are
 * dropped (not handed to OpenVPN, whose packets of the key would be
 * renumbered with the same counter), counted as pid_exhausted. What was
 * sealed opens with OpenSSL, every packet-id once, blocks + highest
 * packet-id never past 2^36 - 1. One OVX_EV_USAGE_HIGH_WATER when 7/8 is
 * passed (OpenVPN's own renegotiation point), not before, not twice.
 * ChaCha20-Poly1305 has no such limit. */
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "aead_sw.h"
#include "cipher.h"
#include "fp_harness.h"
#include "frames.h"
#include "ovx.skel.h"
#include "testlib.h"

#define INST	1
#define LO	1
#define PEER	5
#define PID0	1000
#define LEN	100		/* inner packet */

struct ctx {
	struct fp_harness h;
	struct ring_buffer *rb;
	int cipher, high_water, other;
	uint8_t c2s_key[32], s2c_key[32], c2s_iv[8], s2c_iv[8];
};

static int on_event(void *p, void *data, size_t size)
{
	struct ctx *c = p;
	const struct ovx_event *ev = data;

	if (size >= sizeof(*ev) && ev->type == OVX_EV_USAGE_HIGH_WATER && ev->peer_id == PEER)
		c->high_water++;
	else
		c->other++;
	return 0;
}

static void setup(struct ctx *c, int cipher)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = PEER };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = PEER, .slot = OVX_SLOT_PRIMARY, .key_id = 0,
		.cipher = cipher, .enc_key = c->s2c_key, .dec_key = c->c2s_key,
	};
	struct ovx_sockaddr local;

	memset(c, 0, sizeof(*c));
	c->cipher = cipher;
	t_rand_bytes(c->c2s_key, 32);
	t_rand_bytes(c->s2c_key, 32);
	t_rand_bytes(c->c2s_iv, 8);
	t_rand_bytes(c->s2c_iv, 8);
	fp_open(&c->h, 0);
	ovx_sockaddr_parse(&pc.remote, "10.99.0.2:55379");
	ovx_sockaddr_parse(&pc.local, "10.99.0.1:1194");
	ovx_sockaddr_parse(&local, "10.99.0.1:1194");
	pc.vpn_ipv4[0] = 10, pc.vpn_ipv4[1] = 8, pc.vpn_ipv4[3] = 2;
	memcpy(kc.enc_nonce_tail, c->s2c_iv, 8);
	memcpy(kc.dec_nonce_tail, c->c2s_iv, 8);
	c->rb = ring_buffer__new(bpf_map__fd(c->h.skel->maps.ovx_events), on_event, c, NULL);
	if (!c->rb || ovx_iface_set(&c->h.fp, LO, INST, OVX_IFACE_ETH, 0) ||
	    ovx_socket_add(&c->h.fp, &local, INST, LO, LO) || ovx_peer_new(&c->h.fp, &pc) ||
	    ovx_key_new(&c->h.fp, &kc) || ovx_key_set_tx_pid(&c->h.fp, INST, PEER, 0, PID0))
		t_fatal("setup");
}

static void teardown(struct ctx *c)
{
	ring_buffer__free(c->rb);
	fp_close(&c->h);
}

/* One packet to the peer: its packet-id if sealed (and it opens with
 * OpenSSL), 0 if dropped, -1 for anything else. */
static int64_t tx(struct ctx *c)
{
	uint8_t in[200] = {};
	static struct fp_tc_out o;
	size_t off = 14 + 20 + 8, n = 14 + LEN;

	in[12] = 0x08;
	inner_ipv4(in + 14, LEN, 9);
	in[14 + 16] = 10, in[14 + 17] = 8, in[14 + 18] = 0, in[14 + 19] = 2;
	if (fp_run_tc(c->h.tx_tc, in, n, &o))
		return -1;
	ring_buffer__consume(c->rb);
	if (o.verdict == TC_ACT_SHOT)
		return 0;
	if (o.verdict != TC_ACT_REDIRECT || o.len != off + OVX_DATA_HDR_LEN + LEN ||
	    ovx_sw_open(c->cipher, c->s2c_key, c->s2c_iv, o.out + off, LEN) ||
	    memcmp(o.out + off + OVX_DATA_HDR_LEN, in + 14, LEN))
		return -1;
	return (int64_t)o.out[off + 4] << 24 | o.out[off + 5] << 16 | o.out[off + 6] << 8 |
	       o.out[off + 7];
}

static uint64_t blocks_of(uint32_t len)
{
	return (len + OVX_DATA_HDR_LEN + 15) / 16;
}

static uint64_t pid_exhausted(struct ctx *c)
{
	struct ovx_peer_stats s;

	return ovx_peer_stats_get(&c->h.fp, INST, PEER, &s) ? ~0ULL :
	       s.drops[OVX_DROP_PID_EXHAUSTED];
}

/* Started @room blocks below the stop: sealed while blocks + packet-id stay
 * within it, then nothing. */
static void test_stop(int cipher, uint64_t room)
{
	const char *name = ovx_cipher_name(cipher);
	struct ctx *c = malloc(sizeof(*c));
	uint64_t b0 = OVX_GCM_USAGE_STOP - PID0 - room, blocks = b0, highest = 0;
	int sealed = 0, want = 0, dropped = 0, bad = 0, in_order = 1;
	int64_t last = 0;

	setup(c, cipher);
	CHECK(!ovx_key_set_tx_blocks(&c->h.fp, INST, PEER, 0, b0) &&
	      !ovx_key_set_tx_blocks(&c->h.fp, INST, PEER, 0, 1), "%s: blocks set (never lowered)",
	      name);
	for (uint64_t pid = PID0, b = b0; pid < PID0 + 40; pid++) {	/* bpf/limit.h's rule */
		b += blocks_of(LEN);
		want += b + pid <= OVX_GCM_USAGE_STOP;
	}
	for (int i = 0; i < 40; i++) {
		int64_t pid = tx(c);

		if (pid > 0) {
			sealed++;
			in_order &= pid > last && !dropped;	/* once each, none after a drop */
			last = pid;
			blocks += blocks_of(LEN);
			highest = pid;
		}
		dropped += pid == 0;
		bad += pid < 0;
	}
	printf("%s, %llu blocks of room: %d sealed, %d dropped\n", name,
	       (unsigned long long)room, sealed, dropped);
	CHECK(bad == 0 && sealed == want && dropped == 40 - want && in_order,
	      "%s, %llu blocks of room: %d sealed (want %d), then %d dropped, none to OpenVPN, "
	      "packet-ids in order once: %d", name, (unsigned long long)room, sealed, want,
	      dropped, in_order);
	CHECK(blocks + highest <= OVX_GCM_USAGE_LIMIT,
	      "%s: blocks + highest packet-id within 2^36 - 1: %llu", name,
	      (unsigned long long)(blocks + highest));
	CHECK(pid_exhausted(c) == (uint64_t)dropped, "%s: the drops counted: %llu", name,
	      (unsigned long long)pid_exhausted(c));
	CHECK(c->high_water == 1 && c->other == 0, "%s: one usage event: %d (others %d)", name,
	      c->high_water, c->other);
	teardown(c);
	free(c);
}

/* Started just below 7/8: the event comes once, on the way, and sealing
 * goes on. */
static void test_high_water(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct ctx *c = malloc(sizeof(*c));
	uint64_t b0 = OVX_GCM_USAGE_HIGH_WATER - PID0 - 5 * (blocks_of(LEN) + 1);
	int sealed = 0, before = -1;

	setup(c, cipher);
	if (ovx_key_set_tx_blocks(&c->h.fp, INST, PEER, 0, b0))
		t_fatal("blocks");
	for (int i = 0; i < 12; i++) {
		sealed += tx(c) > 0;
		if (i == 3)
			before = c->high_water;
	}
	CHECK(sealed == 12 && before == 0 && c->high_water == 1 && c->other == 0,
	      "%s: 7/8 passed: %d/12 sealed, events %d before, %d after", name, sealed, before,
	      c->high_water);
	teardown(c);
	free(c);
}

/* ChaCha20-Poly1305: no usage limit (OpenVPN has none for it). */
static void test_chacha(void)
{
	struct ctx *c = malloc(sizeof(*c));
	int sealed = 0;

	setup(c, OVX_CIPHER_CHACHA20_POLY1305);
	if (ovx_key_set_tx_blocks(&c->h.fp, INST, PEER, 0, OVX_GCM_USAGE_LIMIT))
		t_fatal("blocks");
	for (int i = 0; i < 10; i++)
		sealed += tx(c) > 0;
	CHECK(sealed == 10 && c->high_water == 0,
	      "CHACHA20-POLY1305: no usage limit: %d/10 sealed, %d events", sealed,
	      c->high_water);
	teardown(c);
	free(c);
}

int main(void)
{
	static const int gcm[] = { OVX_CIPHER_AES_256_GCM, OVX_CIPHER_AES_128_GCM };

	t_seed(1936);
	for (size_t i = 0; i < sizeof(gcm) / sizeof(gcm[0]); i++) {
		test_stop(gcm[i], 0);		/* at the stop: nothing sealed */
		test_stop(gcm[i], 5 * blocks_of(LEN) + 7);
		test_stop(gcm[i], 20 * (blocks_of(LEN) + 1));
		test_high_water(gcm[i]);
	}
	test_chacha();
	return t_done("usage-limit");
}
