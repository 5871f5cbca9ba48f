// SPDX-License-Identifier: GPL-2.0
/* TX in OpenVPN 2.7's epoch data format (bpf/tx_epoch.h) through the fast
 * path's own ovx_tx_tc (BPF_PROG_TEST_RUN): a key installed as the daemon
 * installs it (loader/lib/epoch_install.c: send slots of the send epoch and
 * the next, counter above what OpenVPN sent); each packet leaves in the
 * 2.7.6 layout (opcode/key-id, peer-id, epoch << 48 | counter, ciphertext,
 * tag at the end: 28 bytes more than the inner packet) and opens with
 * OpenSSL under the key derived from the TLS-EKM export; the counter runs
 * from the start given, the sender moves to the next epoch at the counter's
 * end and, for AES-GCM, at the usage limit (blocks + packet-id > 2^36 - 1),
 * counter from 1; with no send slot left the packet goes to OpenVPN
 * untouched (tx_epoch_no_slot); no (epoch, counter) twice; `show`'s key info
 * has the send epoch. Over IPv4 and IPv6 outside (IPv6: the UDP checksum
 * the fast path sums from the packet verifies). The refill: each send epoch's
 * first packet raises OVX_EV_EPOCH_MOVED, and the daemon's handling
 * (ovx_epoch_key_refill) installs the slot after it, so the sender goes on
 * through any number of moves; the slot of the epoch OpenVPN's own packets
 * were last renumbered from is kept. While a new key of the peer waits for
 * the wire, a packet now and then goes to OpenVPN (tx_key_waiting). */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_key.h"
#include "epoch_peer.h"
#include "epoch_refill.h"
#include "fp_harness.h"
#include "frames.h"
#include "ovx.skel.h"
#include "ovx_epoch.h"
#include "testlib.h"

#define INST		1
#define LO		1	/* VPN and link device of the test runs */
#define PEER		5
#define KEY_ID		2
#define OFF		(14 + c->iplen + 8)	/* link, IP, UDP */
#define MAX_SEEN	64

struct ctx {
	struct fp_harness h;
	int cipher;
	uint8_t ekm[OVX_EPOCH_EKM_LEN];
	struct ovx_key_id kid;
	int moved;		/* events handled as the daemon does */
	uint64_t seen[MAX_SEEN];
	int nseen, repeats;
	size_t iplen;		/* outer IP header: 20 or 40 */
};

static void setup(struct ctx *c, int cipher, bool v6, bool chains)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = PEER };
	struct ovx_sockaddr local;

	memset(c, 0, sizeof(*c));
	c->cipher = cipher;
	c->kid = (struct ovx_key_id){ INST, PEER, KEY_ID };
	t_rand_bytes(c->ekm, sizeof(c->ekm));
	fp_open(&c->h, 0);
	if (chains)		/* kept for the refills, as the daemon does */
		c->h.fp.epoch_chains = ovx_epoch_chains_new();
	c->iplen = v6 ? 40 : 20;
	ovx_sockaddr_parse(&pc.remote, v6 ? "[fd99::2]:55379" : "10.99.0.2:55379");
	ovx_sockaddr_parse(&local, v6 ? "[fd99::1]:1194" : "10.99.0.1:1194");
	pc.local = local;
	pc.vpn_ipv4[0] = 10, pc.vpn_ipv4[1] = 8, pc.vpn_ipv4[3] = 2;
	if (ovx_iface_set(&c->h.fp, LO, INST, OVX_IFACE_ETH, 0) ||
	    ovx_socket_add(&c->h.fp, &local, INST, LO, LO) || ovx_peer_new(&c->h.fp, &pc) ||
	    ovx_epoch_key_learnt(&c->h.fp, &c->kid, cipher, c->ekm, true, 0,
				 1ULL << 48 | 1000))
		t_fatal("setup");
}

/* The server's send key of @epoch (s2c: export[128..159]). */
static void send_key(const struct ctx *c, uint16_t epoch, uint8_t *key, uint8_t *iv)
{
	struct ovx_epoch_secret send, recv;

	ovx_epoch_from_ekm(c->ekm, true, &send, &recv);
	if (ovx_epoch_advance(&send, epoch) ||
	    ovx_epoch_data_key(&send, ovx_cipher_key_len(c->cipher), key, iv))
		t_fatal("derivation");
}

/* The UDP checksum over IPv6 of the frame @f (@len bytes) verifies. */
static bool udp6_ok(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14;
	size_t ulen = len - 14 - 40;
	uint32_t sum = 17 + (uint32_t)ulen;

	for (int i = 8; i < 40; i += 2)		/* source and destination */
		sum += ip[i] << 8 | ip[i + 1];
	for (size_t i = 0; i < ulen; i += 2)
		sum += ip[40 + i] << 8 | (i + 1 < ulen ? ip[40 + i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff && (ip[40 + 6] || ip[40 + 7]);
}

/* One IPv4 packet of @len bytes through TX. Returns 1 if sealed in the 2.7.6
 * layout and opened by OpenSSL to the packet (*@epoch, *@counter its), 0 if
 * left to OpenVPN untouched, -1 otherwise. */
static int tx(struct ctx *c, size_t len, uint16_t *epoch, uint64_t *counter)
{
	uint8_t in[1600] = {}, key[32], iv[12], nonce[12], pt[1600];
	static struct fp_tc_out o;
	const uint8_t *p = o.out + OFF;
	size_t n = 14 + len;

	in[12] = 0x08;
	inner_ipv4(in + 14, len, 9);
	in[14 + 16] = 10, in[14 + 17] = 8, in[14 + 18] = 0, in[14 + 19] = 2;
	if (fp_run_tc(c->h.tx_tc, in, n, &o))
		return -1;
	if (o.verdict == TC_ACT_OK)
		return o.len == n && !memcmp(o.out, in, n) ? 0 : -1;
	if (o.verdict != TC_ACT_REDIRECT || o.len != OFF + OVX_EPOCH_OVERHEAD + len ||
	    ntohs(*(uint16_t *)(o.out + 14 + c->iplen + 4)) != 8 + OVX_EPOCH_OVERHEAD + len ||
	    (c->iplen == 40 && !udp6_ok(o.out, o.len)) ||
	    p[0] != (9 << 3 | KEY_ID) || p[1] || p[2] || p[3] != PEER)
		return -1;
	*epoch = p[4] << 8 | p[5];
	*counter = 0;
	for (int i = 6; i < 12; i++)
		*counter = *counter << 8 | p[i];
	for (int i = 0; i < c->nseen; i++)
		c->repeats += c->seen[i] == ((uint64_t)*epoch << 48 | *counter);
	if (c->nseen < MAX_SEEN)
		c->seen[c->nseen++] = (uint64_t)*epoch << 48 | *counter;
	send_key(c, *epoch, key, iv);
	ovx_epoch_nonce(iv, *epoch, *counter, nonce);
	if (ovx_sw_aead(c->cipher, key, nonce, p, OVX_EPOCH_AAD_LEN, p + OVX_EPOCH_AAD_LEN, len,
			pt, (uint8_t *)p + OVX_EPOCH_AAD_LEN + len, false))
		return -1;
	return memcmp(pt, in + 14, len) ? -1 : 1;
}

static uint64_t gstat(struct ctx *c, int which)
{
	struct ovx_global_stats s;

	return ovx_global_stats_get(&c->h.fp, &s) ? 0 : s.c[which];
}

static void test_cipher(int cipher, bool v6)
{
	char name[64];
	bool gcm = cipher != OVX_CIPHER_CHACHA20_POLY1305;
	static struct ctx c;
	struct ovx_key_info ki;
	uint16_t e = 0;
	uint64_t ctr = 0, want = 1000;
	int ok = 0, r;

	snprintf(name, sizeof(name), "%s over %s", ovx_cipher_name(cipher), v6 ? "IPv6" : "IPv4");
	setup(&c, cipher, v6, false);
	for (int i = 0; i < 3; i++) {
		static const size_t lens[] = { 100, 1400, 28 };

		ok += tx(&c, lens[i], &e, &ctr) == 1 && e == 1 && ctr == want++;
	}
	CHECK(ok == 3, "%s: 3/3 sealed in epoch 1 from counter 1000, open with OpenSSL (%d)",
	      name, ok);
	/* the end of epoch 1: the counter's, or AES-GCM's usage limit */
	if (ovx_epoch_set_tx_start(&c.h.fp, &c.kid, 1ULL << 48 |
				   (gcm ? OVX_EPOCH_GCM_LIMIT - 120 : OVX_EPOCH_COUNTER_MASK - 1)))
		t_fatal("tx start");
	ok = 0;
	for (int i = 0; i < 8 && e == 1; i++)
		ok += tx(&c, 1400, &e, &ctr) == 1;
	CHECK(e == 2 && ctr == 1 && ok >= 2,
	      "%s: epoch 2 from counter 1 at the %s, after %d packets (now %u/%llu)", name,
	      gcm ? "usage limit" : "counter's end", ok, e, (unsigned long long)ctr);
	CHECK(tx(&c, 200, &e, &ctr) == 1 && e == 2 && ctr == 2, "%s: epoch 2 goes on: %u/%llu",
	      name, e, (unsigned long long)ctr);
	CHECK(!ovx_key_info_get(&c.h.fp, INST, PEER, KEY_ID, &ki) && ki.tx_epoch == 2 &&
	      ki.rx_epoch == 1, "%s: key info: send epoch %u, receive epoch %u", name,
	      ki.tx_epoch, ki.rx_epoch);
	/* epoch 3 is not installed: at epoch 2's end, packets go to OpenVPN */
	if (ovx_epoch_set_tx_start(&c.h.fp, &c.kid, 2ULL << 48 |
				   (gcm ? OVX_EPOCH_GCM_LIMIT - 200 : OVX_EPOCH_COUNTER_MASK)))
		t_fatal("tx start 2");
	ok = 0;
	while ((r = tx(&c, 1400, &e, &ctr)) == 1 && e == 2 && ok < 8)
		ok++;
	CHECK(r == 0 && ok >= 1 && gstat(&c, OVX_G_TX_EPOCH_NO_SLOT) == 1,
	      "%s: at epoch 2's end (after %d more), no send slot left: to OpenVPN untouched "
	      "(%d)", name, ok, r);
	/* with a checksum helper (every sealed packet goes through it, in
	 * order), a packet without a send slot goes to OpenVPN from the tun,
	 * not to the helper: from there it would come back the same way */
	if (ovx_iface_set_peer(&c.h.fp, LO, 7))
		t_fatal("helper");
	r = tx(&c, 1400, &e, &ctr);
	CHECK(r == 0, "%s: with a checksum helper and no send slot: to OpenVPN, not to the "
	      "helper (%d)", name, r);
	if (ovx_iface_set_peer(&c.h.fp, LO, 0))
		t_fatal("helper off");
	CHECK(gstat(&c, OVX_G_TX_EPOCH_SEALED) == (uint64_t)c.nseen,
	      "%s: tx_epoch_sealed %llu = %d sealed", name,
	      (unsigned long long)gstat(&c, OVX_G_TX_EPOCH_SEALED), c.nseen);
	CHECK(!c.repeats, "%s: no (epoch, counter) twice in %d packets", name, c.nseen);
	fp_close(&c.h);
}

/* CLOCK_MONOTONIC, bpf_ktime's clock, in ns. */
static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* While a new key of the peer waits for the wire (key_wait_ns ahead), one
 * packet goes to OpenVPN untouched and is counted (tx_key_waiting), the
 * next ones within OVX_KEY_WAIT_GAP_NS are sealed; once the time is past or
 * cleared, every packet is sealed. */
static void test_key_wait(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	static struct ctx c;
	uint16_t e = 0;
	uint64_t ctr = 0;
	int r[5];

	setup(&c, cipher, false, false);
	r[0] = tx(&c, 200, &e, &ctr);
	if (ovx_peer_set_key_wait(&c.h.fp, INST, PEER, mono_ns() + 10000000000ULL))
		t_fatal("key wait");
	r[1] = tx(&c, 200, &e, &ctr);
	r[4] = tx(&c, 200, &e, &ctr);
	CHECK(r[0] == 1 && r[1] == 0 && r[4] == 1 && gstat(&c, OVX_G_TX_KEY_WAITING) == 1,
	      "%s: a new key waiting: one packet to OpenVPN untouched, counted, the next sealed "
	      "(%d %d %d)", name, r[0], r[1], r[4]);
	if (ovx_peer_set_key_wait(&c.h.fp, INST, PEER, mono_ns() - 100000000))
		t_fatal("key wait past");
	r[2] = tx(&c, 200, &e, &ctr);
	if (ovx_peer_set_key_wait(&c.h.fp, INST, PEER, 0))
		t_fatal("key wait cleared");
	r[3] = tx(&c, 200, &e, &ctr);
	CHECK(r[2] == 1 && r[3] == 1 && ctr == 1003,
	      "%s: sealed again once the wait is past (%d) or cleared (%d), counter %llu", name,
	      r[2], r[3], (unsigned long long)ctr);
	fp_close(&c.h);
}

/* The daemon's handling of the event (events.c). */
static int on_event(void *ctx, void *data, size_t size)
{
	struct ctx *c = ctx;
	const struct ovx_event *ev = data;
	struct ovx_key_id kid;

	if (size < sizeof(*ev) || ev->type != OVX_EV_EPOCH_MOVED)
		return 0;
	kid = (struct ovx_key_id){ ev->instance, ev->peer_id, ev->key_id };
	c->moved += !ovx_epoch_key_refill(&c->h.fp, &kid);
	return 0;
}

/* Send slots of the key, and the lowest. */
static int tx_slots(struct ctx *c, __u32 *low)
{
	struct ovx_epoch_id id, next, *prev = NULL;
	int n = 0;

	*low = 0xffff;
	while (!bpf_map_get_next_key(c->h.fp.epoch_slots_fd, prev, &next)) {
		id = next, prev = &id;
		if (id.dir == OVX_EPOCH_TX && id.key_id == KEY_ID) {
			n++;
			*low = id.epoch < *low ? id.epoch : *low;
		}
	}
	return n;
}

/* Twenty moves of the send epoch (each started at its end) with the refill
 * handled: every packet sealed, one event per move, two send slots at a time
 * unless OpenVPN's own epoch lags: then its slot is kept too. */
static void test_refill(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	bool gcm = cipher != OVX_CIPHER_CHACHA20_POLY1305;
	static struct ctx c;
	struct ring_buffer *rb;
	struct ovx_epoch_state st;
	uint16_t e = 1;
	uint64_t ctr;
	int sealed = 0, total = 0, bounded = 0, n;
	__u32 low;

	setup(&c, cipher, false, true);
	rb = ring_buffer__new(bpf_map__fd(c.h.skel->maps.ovx_events), on_event, &c, NULL);
	if (!rb || !c.h.fp.epoch_chains)
		t_fatal("ring buffer, chains");
	for (uint16_t want = 2; want <= 21; want++) {
		if (ovx_epoch_set_tx_start(&c.h.fp, &c.kid, (uint64_t)e << 48 |
					   (gcm ? OVX_EPOCH_GCM_LIMIT - 120 :
					    OVX_EPOCH_COUNTER_MASK - 1)))
			t_fatal("tx start");
		for (int i = 0; i < 6; i++, total++) {
			sealed += tx(&c, 1400, &e, &ctr) == 1;
			ring_buffer__consume(rb);
		}
		n = tx_slots(&c, &low);
		bounded += e == want && n == 2 && low == want;
	}
	CHECK(sealed == total, "%s: every packet sealed through 20 send-epoch moves: %d/%d",
	      name, sealed, total);
	CHECK(c.moved == 20 && bounded == 20, "%s: one event per move handled (%d), two send "
	      "slots from the current (%d/20)", name, c.moved, bounded);
	/* OpenVPN's own packets last renumbered from epoch 21 (as
	 * ovx_renumber_epoch_open records it): its slot stays through two moves */
	if (bpf_map_lookup_elem_flags(c.h.fp.epoch_states_fd, &c.kid, &st, BPF_F_LOCK))
		t_fatal("state");
	st.tx_openvpn = e;
	if (bpf_map_update_elem(c.h.fp.epoch_states_fd, &c.kid, &st, BPF_F_LOCK))
		t_fatal("tx_openvpn");
	for (int m = 0; m < 2; m++) {
		if (ovx_epoch_set_tx_start(&c.h.fp, &c.kid, (uint64_t)e << 48 |
					   (gcm ? OVX_EPOCH_GCM_LIMIT - 120 :
					    OVX_EPOCH_COUNTER_MASK - 1)))
			t_fatal("tx start");
		for (int i = 0; i < 6; i++) {
			tx(&c, 1400, &e, &ctr);
			ring_buffer__consume(rb);
		}
	}
	n = tx_slots(&c, &low);
	CHECK(e == 23 && low == 21 && n == 4, "%s: OpenVPN's send epoch 21 kept while the fast "
	      "path sends in %u: %d slots from %u", name, e, n, low);
	CHECK(!c.repeats, "%s: no (epoch, counter) twice in %d packets", name, c.nseen);
	ring_buffer__free(rb);
	ovx_epoch_chains_free(c.h.fp.epoch_chains);
	c.h.fp.epoch_chains = NULL;
	fp_close(&c.h);
}

int main(void)
{
	t_seed(27);
	for (int v6 = 0; v6 < 2; v6++) {
		test_cipher(OVX_CIPHER_AES_128_GCM, v6);
		test_cipher(OVX_CIPHER_AES_256_GCM, v6);
		test_cipher(OVX_CIPHER_CHACHA20_POLY1305, v6);
	}
	test_key_wait(OVX_CIPHER_CHACHA20_POLY1305);
	test_refill(OVX_CIPHER_AES_256_GCM);
	test_refill(OVX_CIPHER_CHACHA20_POLY1305);
	return t_done("epoch-tx");
}
