// SPDX-License-Identifier: GPL-2.0
/* Replay protection on whole streams (test_rx checks single packet-ids, the
 * window's edges and two CPUs racing on one key).
 *
 * Captures: each key of the real OpenVPN captures (../shared/vectors) is
 * installed alone, its client packets are sent shuffled (reordering within
 * the window), then the capture is sent again, in order and reversed. Every
 * packet is accepted exactly once (delivered, or a keepalive handed to
 * OpenVPN), every replay is dropped, and the replay counter counts them.
 *
 * Stream: 18,000 packet-ids of one key, each sent twice, each copy delayed by
 * up to 59 places (the window is 64), then all again shuffled: delivered
 * once each; the 2,000 packet-ids held back, sent once the window has moved
 * past them, are refused. */
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "fp_harness.h"
#include "frames.h"
#include "testlib.h"
#include "vectors.h"

#define INST		1
#define VPN_IFINDEX	42

struct run {
	long accepted, dropped, other;
};

static void socket_up(struct fp_harness *h)
{
	struct ovx_sockaddr sa;

	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	if (ovx_socket_add(&h->fp, &sa, INST, VPN_IFINDEX, 1))
		t_fatal("socket");
}

/* The peer alone with @k, from scratch (a fresh replay window). */
static void install(struct fp_harness *h, uint32_t peer, int key_id, int cipher,
		    const uint8_t *key, const uint8_t *iv, const char *remote)
{
	struct ovx_peer_config pc = { .instance = INST, .peer_id = peer };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = peer, .slot = OVX_SLOT_PRIMARY, .key_id = key_id,
		.cipher = cipher, .enc_key = key, .dec_key = key,
	};

	ovx_peer_del(&h->fp, INST, peer);
	ovx_sockaddr_parse(&pc.remote, remote);
	ovx_sockaddr_parse(&pc.local, "10.99.0.1:1194");
	memcpy(kc.enc_nonce_tail, iv, 8);
	memcpy(kc.dec_nonce_tail, iv, 8);
	if (ovx_peer_new(&h->fp, &pc) || ovx_key_new(&h->fp, &kc))
		t_fatal("peer %u key %d", peer, key_id);
}

static long replay_drops(struct fp_harness *h, uint32_t peer)
{
	struct ovx_peer_stats s;

	return ovx_peer_stats_get(&h->fp, INST, peer, &s) ? -1 : (long)s.drops[OVX_DROP_REPLAY];
}

/* Delivered (metadata), or authenticated and handed to OpenVPN unchanged
 * (keepalive): accepted. */
static void send_frame(struct fp_harness *h, const uint8_t *f, size_t len, struct run *r)
{
	static struct fp_result res;

	if (fp_run_xdp(h, f, len, &res))
		t_fatal("test run");
	if (res.verdict == XDP_DROP)
		r->dropped++;
	else if (res.verdict == XDP_PASS)
		r->accepted++;
	else
		r->other++;
}

static void shuffle(int *idx, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = t_rand() % (i + 1), t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
}

/* One key of a capture: its client packets, shuffled, then twice again. */
static void capture_key(struct fp_harness *h, const struct vec_set *v, const struct vec_key *k,
			long *total, long *bad)
{
	int idx[512], n = 0;
	struct run first = {}, again = {};
	long before;

	for (int i = 0; i < v->npkts && n < 512; i++) {
		uint32_t peer, kid;

		if (v->pkts[i].c2s && vec_data_v2(&v->pkts[i], &peer, &kid) &&
		    peer == k->peer_id && kid == k->key_id)
			idx[n++] = i;
	}
	install(h, k->peer_id, k->key_id, k->cipher, k->c2s_key, k->c2s_iv, k->remote);
	before = replay_drops(h, k->peer_id);
	shuffle(idx, n);		/* the captures hold far fewer than 64 per key */
	for (int i = 0; i < n; i++)
		send_frame(h, v->pkts[idx[i]].frame, v->pkts[idx[i]].frame_len, &first);
	for (int i = 0; i < 2 * n; i++) {
		int j = idx[i < n ? i : 2 * n - 1 - i];

		send_frame(h, v->pkts[j].frame, v->pkts[j].frame_len, &again);
	}
	*total += n;
	if (first.accepted != n || again.dropped != 2 * n ||
	    replay_drops(h, k->peer_id) - before != 2 * n) {
		fprintf(stderr, "peer %u key %u: %d packets, %ld accepted; again %ld dropped, "
			"replay counter +%ld\n", k->peer_id, k->key_id, n, first.accepted,
			again.dropped, replay_drops(h, k->peer_id) - before);
		(*bad)++;
	}
}

static void test_captures(const char *name)
{
	struct fp_harness h;
	struct vec_set v;
	long total = 0, bad = 0;

	if (!CHECK(vec_load(&v, name) == 0, "cannot load %s", name))
		return;
	fp_open(&h, 0);
	socket_up(&h);
	for (int i = 0; i < v.nkeys; i++)
		capture_key(&h, &v, &v.keys[i], &total, &bad);
	printf("replay %s: %d keys, %ld client packets accepted once each, %ld replays "
	       "refused and counted\n", name, v.nkeys, total, 2 * total);
	CHECK(total > 50 && bad == 0, "%s: %ld of %d keys mishandled replays", name, bad, v.nkeys);
	fp_close(&h);
	vec_free(&v);
}

#define STREAM	20000
#define SKIP	10	/* every 10th packet-id is held back */
#define SENT	(STREAM - STREAM / SKIP)
#define SPREAD	60	/* places a packet may be delayed by; window 64 */

struct stream {
	uint8_t (*f)[256];
	size_t *len;
	int *order;		/* send order, a packet twice */
};

struct sched {
	uint64_t at;		/* place << 32 | random tie-break */
	int pkt;
};

static int sched_cmp(const void *a, const void *b)
{
	const struct sched *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Packet-ids 1..STREAM, each copy sent at its own place plus 0..SPREAD - 1:
 * when one is sent, no packet-id above it by SPREAD or more has been. */
static void stream_build(struct stream *s, int cipher, const uint8_t *key, const uint8_t *iv)
{
	struct sched *sc = malloc(2 * STREAM * sizeof(*sc));
	int n = 0;
	struct frame_spec fs = {};
	uint8_t payload[200], pt[100];

	ovx_sockaddr_parse(&fs.src, "10.99.0.2:40000");
	ovx_sockaddr_parse(&fs.dst, "10.99.0.1:1194");
	for (int i = 0; i < STREAM; i++) {
		size_t pl = data_v2_build(payload, 7, 0, i + 1, cipher, key, iv, pt,
					  inner_ipv4(pt, sizeof(pt), i));

		s->len[i] = frame_build(s->f[i], &fs, payload, pl);
		for (int c = 0; c < 2 && i % SKIP != SKIP - 1; c++)
			sc[n++] = (struct sched){
				.at = (uint64_t)(i + t_rand() % SPREAD) << 32 | (uint32_t)t_rand(),
				.pkt = i,
			};
	}
	qsort(sc, 2 * SENT, sizeof(*sc), sched_cmp);
	for (int i = 0; i < 2 * SENT; i++)
		s->order[i] = sc[i].pkt;
	free(sc);
}

/* The packet-ids left out of the stream: older than the window now, so
 * refused as replays although never seen (all but the last 64). */
static long late_refused(struct fp_harness *h, struct stream *s)
{
	struct run late = {};

	for (int i = SKIP - 1; i < STREAM - 64; i += SKIP)
		send_frame(h, s->f[i], s->len[i], &late);
	return late.dropped;
}

static void test_stream(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct stream s = {
		.f = malloc(STREAM * sizeof(*s.f)),
		.len = malloc(STREAM * sizeof(size_t)),
		.order = malloc(2 * STREAM * sizeof(int)),
	};
	struct run first = {}, again = {};
	struct fp_harness h;
	uint8_t key[32], iv[8];
	long before;

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(iv, sizeof(iv));
	fp_open(&h, 0);
	socket_up(&h);
	install(&h, 7, 0, cipher, key, iv, "10.99.0.2:40000");
	stream_build(&s, cipher, key, iv);
	before = replay_drops(&h, 7);
	for (int i = 0; i < 2 * SENT; i++)
		send_frame(&h, s.f[s.order[i]], s.len[s.order[i]], &first);
	shuffle(s.order, 2 * SENT);
	for (int i = 0; i < 2 * SENT; i++)
		send_frame(&h, s.f[s.order[i]], s.len[s.order[i]], &again);
	printf("replay %s stream: %d packet-ids sent twice each, each delayed by under %d places: "
	       "%ld accepted, %ld dropped; all %d again: %ld dropped\n", name, SENT, SPREAD,
	       first.accepted, first.dropped, 2 * SENT, again.dropped);
	CHECK(first.accepted == SENT && first.dropped == SENT && !first.other,
	      "%s: %ld of %d accepted", name, first.accepted, SENT);
	CHECK(again.dropped == 2 * SENT, "%s: %ld replays accepted", name,
	      2 * SENT - again.dropped);
	CHECK(replay_drops(&h, 7) - before == 3 * SENT, "%s: replay counter +%ld, want %d",
	      name, replay_drops(&h, 7) - before, 3 * SENT);
	CHECK(late_refused(&h, &s) == (STREAM - 64) / SKIP,
	      "%s: packets behind the window accepted", name);
	fp_close(&h);
	free(s.f);
	free(s.len);
	free(s.order);
}

int main(void)
{
	t_seed(47);
	test_captures("aes-256-gcm-two-peers");
	test_captures("chacha20-poly1305");
	test_stream(OVX_CIPHER_AES_256_GCM);
	test_stream(OVX_CIPHER_CHACHA20_POLY1305);
	return t_done("replay");
}
