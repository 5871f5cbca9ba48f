// SPDX-License-Identifier: GPL-2.0
/* A peer's legitimate traffic while another CPU floods the same socket, peer
 * and key with garbage, short garbage, bad tags and replays (tests/lib/flood.h):
 * every legitimate packet is delivered once with its plaintext, every bad tag
 * and replay is dropped, garbage is dropped or passed on unchanged (to
 * OpenVPN), and the peer's drop counters add up to the drops. The legitimate rate with and without the flood is printed
 * (bench_flood measures it properly). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "aead_key.h"
#include "flood.h"
#include "testlib.h"

#define LEGIT	20000
#define PT_LEN	1000

struct shared {
	struct flood *f;
	volatile int sent;		/* legitimate frames sent so far */
	volatile int done;
	long delivered;
	long sent_kind[FLOOD_KINDS], dropped_kind[FLOOD_KINDS];
	long wrong;		/* neither dropped nor passed unchanged */
};

static void *legit(void *arg)
{
	struct shared *s = arg;
	struct fp_result *r = malloc(sizeof(*r));

	flood_pin(0);
	for (int i = 0; i < s->f->nlegit; i++) {
		if (!fp_run_xdp(&s->f->h, s->f->legit[i], s->f->legit_len[i], r) &&
		    flood_delivered(s->f, i, r))
			s->delivered++;
		__atomic_store_n(&s->sent, i + 1, __ATOMIC_RELEASE);
	}
	s->done = 1;
	free(r);
	return NULL;
}

static void *flood(void *arg)
{
	struct shared *s = arg;
	struct fp_result *r = malloc(sizeof(*r));
	uint8_t buf[FLOOD_FRAME];

	flood_pin(1);
	for (long n = 0; !s->done; n++) {
		enum flood_kind k = FLOOD_GARBAGE + n % (FLOOD_KINDS - 1);
		int sent = __atomic_load_n(&s->sent, __ATOMIC_ACQUIRE);
		size_t len;

		if (k == FLOOD_REPLAY && !sent)
			continue;
		len = flood_frame(s->f, k, sent, buf);
		if (fp_run_xdp(&s->f->h, buf, len, r))
			continue;
		s->sent_kind[k]++;
		s->dropped_kind[k] += r->verdict == XDP_DROP;
		s->wrong += r->verdict != XDP_DROP &&
			    (r->verdict != XDP_PASS || r->meta_len || r->out_len != len ||
			     memcmp(r->out, buf, len));
	}
	free(r);
	return NULL;
}

static long drops(struct flood *f, int why)
{
	struct ovx_peer_stats st;
	long sum = 0;

	ovx_peer_stats_get(&f->h.fp, 1, FLOOD_PEER, &st);
	for (int d = 0; d < OVX_DROP_MAX; d++)
		sum += why < 0 || d == why ? (long)st.drops[d] : 0;
	return sum;
}

/* Legitimate packets per second alone, on CPU 0. */
static double alone(struct flood *f)
{
	struct shared s = { .f = f };
	double t0 = flood_now();

	legit(&s);
	CHECK(s.delivered == f->nlegit, "alone: %ld of %d delivered", s.delivered, f->nlegit);
	return f->nlegit / (flood_now() - t0);
}

static void run(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct flood *f = malloc(sizeof(*f));
	struct shared s = { .f = f };
	long tag0, replay0, all0, flood_drops = 0;
	double base, t0, rate;
	pthread_t tl, tf;

	flood_open(f, cipher, LEGIT, PT_LEN);
	base = alone(f);
	flood_rekey(f);
	tag0 = drops(f, OVX_DROP_BAD_TAG);
	replay0 = drops(f, OVX_DROP_REPLAY);
	all0 = drops(f, -1);
	t0 = flood_now();
	pthread_create(&tf, NULL, flood, &s);
	pthread_create(&tl, NULL, legit, &s);
	pthread_join(tl, NULL);
	rate = LEGIT / (flood_now() - t0);
	pthread_join(tf, NULL);
	for (int k = 0; k < FLOOD_KINDS; k++)
		flood_drops += s.dropped_kind[k];
	printf("flood %s: %d legit delivered %ld, %.0f/s alone, %.0f/s under flood of "
	       "%ld garbage (%ld dropped), %ld short (%ld dropped), %ld bad tags (%ld dropped), "
	       "%ld replays (%ld dropped)\n", name, LEGIT, s.delivered, base, rate,
	       s.sent_kind[FLOOD_GARBAGE], s.dropped_kind[FLOOD_GARBAGE], s.sent_kind[FLOOD_SHORT],
	       s.dropped_kind[FLOOD_SHORT], s.sent_kind[FLOOD_BAD_TAG],
	       s.dropped_kind[FLOOD_BAD_TAG], s.sent_kind[FLOOD_REPLAY],
	       s.dropped_kind[FLOOD_REPLAY]);
	CHECK(s.delivered == LEGIT, "%s: %ld of %d legitimate packets delivered under flood",
	      name, s.delivered, LEGIT);
	CHECK(s.sent_kind[FLOOD_BAD_TAG] > 100 && s.sent_kind[FLOOD_REPLAY] > 100,
	      "%s: the flood did not run", name);
	CHECK(s.wrong == 0, "%s: %ld flood packets neither dropped nor passed unchanged", name,
	      s.wrong);
	for (int k = FLOOD_BAD_TAG; k < FLOOD_KINDS; k++)
		CHECK(s.dropped_kind[k] == s.sent_kind[k], "%s: %ld of %ld %s not dropped", name,
		      s.sent_kind[k] - s.dropped_kind[k], s.sent_kind[k], flood_kind_name(k));
	CHECK(drops(f, OVX_DROP_BAD_TAG) - tag0 >= s.sent_kind[FLOOD_BAD_TAG] &&
	      drops(f, OVX_DROP_REPLAY) - replay0 == s.sent_kind[FLOOD_REPLAY] &&
	      drops(f, -1) - all0 == flood_drops,
	      "%s: counters: bad tag +%ld, replay +%ld, all +%ld for %ld drops", name,
	      drops(f, OVX_DROP_BAD_TAG) - tag0, drops(f, OVX_DROP_REPLAY) - replay0,
	      drops(f, -1) - all0, flood_drops);
	flood_close(f);
	free(f);
}

int main(void)
{
	t_seed(53);
	run(OVX_CIPHER_AES_256_GCM);
	run(OVX_CIPHER_CHACHA20_POLY1305);
	return t_done("flood");
}
