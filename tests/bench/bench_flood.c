// SPDX-License-Identifier: GPL-2.0
/* What a flood costs (tests/lib/flood.h), 1400-byte packets:
 * - the RX program's time per packet of each kind (kernel-timed single
 *   BPF_PROG_TEST_RUN calls, median): legitimate, garbage (passed to
 *   OpenVPN), short garbage for the peer, bad tag, replay;
 * - legitimate packets on CPU 0, alone and while CPU 1 floods the same peer
 *   and key with bad tags, then with garbage: the program's time per packet
 *   (median), the thread's CPU time per packet (with the test run's own
 *   cost), and packets per second (wall clock: moves with the machine's
 *   load). A flood on another CPU that slowed legitimate packets would do it
 *   through shared state (locks, cache lines): the kernel and CPU times show
 *   it, the rate mostly shows the shared machine;
 * - on one CPU, one bad tag after each legitimate packet: the CPU time per
 *   legitimate packet against its time alone plus the bad tag's time alone.
 *   The excess is what the flood costs beyond the CPU it takes to drop it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include "aead_key.h"
#include "flood.h"
#include "testlib.h"

#define PT_LEN	1400
#define NLEGIT	20000
#define RUNS	3000
#define RING	256

struct bench {
	struct flood f;
	uint8_t (*ring)[FLOOD_FRAME];	/* hostile frames of one kind */
	size_t ring_len[RING];
	volatile int stop;
	long flooded;
};

static void ring_fill(struct bench *b, enum flood_kind k)
{
	for (int i = 0; i < RING; i++)
		b->ring_len[i] = flood_frame(&b->f, k, NLEGIT, b->ring[i]);
}

static uint32_t kind_ns(struct bench *b, enum flood_kind k)
{
	static uint32_t d[RUNS];

	flood_rekey(&b->f);
	ring_fill(b, k);
	for (int i = 0; i < RUNS; i++) {
		int j = i % RING;

		if (k == FLOOD_LEGIT)
			flood_run(&b->f, b->f.legit[i], b->f.legit_len[i], &d[i]);
		else
			flood_run(&b->f, b->ring[j], b->ring_len[j], &d[i]);
	}
	return t_median(d, RUNS);
}

struct legit_run {
	double wall, cpu;	/* seconds for all the frames, wall and thread CPU */
	uint32_t kernel_ns;	/* median of the program's time per frame */
};

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Every legitimate frame on CPU 0, with @per_legit ring frames after each. */
static struct legit_run legit_run(struct bench *b, int per_legit)
{
	static uint32_t d[NLEGIT];
	struct legit_run r;
	double t0, c0;

	flood_pin(0);
	flood_rekey(&b->f);
	t0 = flood_now();
	c0 = cpu_now();
	for (int i = 0; i < NLEGIT; i++) {
		flood_run(&b->f, b->f.legit[i], b->f.legit_len[i], &d[i]);
		for (int k = 0; k < per_legit; k++)
			flood_run(&b->f, b->ring[(i + k) % RING], b->ring_len[(i + k) % RING], NULL);
	}
	r.cpu = cpu_now() - c0;
	r.wall = flood_now() - t0;
	r.kernel_ns = t_median(d, NLEGIT);
	return r;
}

/* Thread CPU seconds per ring frame on CPU 0. */
static double ring_cpu(struct bench *b)
{
	double c0;

	flood_pin(0);
	c0 = cpu_now();
	for (int i = 0; i < NLEGIT; i++)
		flood_run(&b->f, b->ring[i % RING], b->ring_len[i % RING], NULL);
	return (cpu_now() - c0) / NLEGIT;
}

static void *flooder(void *arg)
{
	struct bench *b = arg;

	flood_pin(1);
	for (long i = 0; !b->stop; i++, b->flooded++)
		flood_run(&b->f, b->ring[i % RING], b->ring_len[i % RING], NULL);
	return NULL;
}

/* The legitimate frames on CPU 0 while CPU 1 floods with @k (FLOOD_LEGIT:
 * no flood). */
static struct legit_run legit_flooded(struct bench *b, enum flood_kind k, double *flood_pps)
{
	struct legit_run r;
	pthread_t t;

	ring_fill(b, k);
	b->stop = 0;
	b->flooded = 0;
	if (k != FLOOD_LEGIT)
		pthread_create(&t, NULL, flooder, b);
	r = legit_run(b, 0);
	b->stop = 1;
	if (k != FLOOD_LEGIT)
		pthread_join(t, NULL);
	*flood_pps = b->flooded / r.wall;
	return r;
}

static void print_run(const char *label, const char *what, const struct legit_run *r,
		      double flood_pps)
{
	printf("flood_%s_legit_%s_kernel %u ns\n", label, what, r->kernel_ns);
	printf("flood_%s_legit_%s_cpu %.2f us\n", label, what, r->cpu / NLEGIT * 1e6);
	printf("flood_%s_legit_%s_rate %.0f pkt/s\n", label, what, NLEGIT / r->wall);
	if (flood_pps > 0)
		printf("flood_%s_%s_rate %.0f pkt/s\n", label, what, flood_pps);
}

/* One CPU: a bad tag after each legitimate packet, in thread CPU time. */
static void one_cpu(struct bench *b, const char *label)
{
	double t_legit, t_tag, t_mix;

	ring_fill(b, FLOOD_BAD_TAG);
	t_legit = legit_run(b, 0).cpu / NLEGIT;
	t_tag = ring_cpu(b);
	t_mix = legit_run(b, 1).cpu / NLEGIT;
	printf("flood_%s_one_cpu_legit_plus_bad_tag %.2f us\n", label, t_mix * 1e6);
	printf("flood_%s_one_cpu_legit_alone_plus_bad_tag_alone %.2f us\n", label,
	       (t_legit + t_tag) * 1e6);
	printf("flood_%s_one_cpu_excess_over_drop_cost %.1f %%\n", label,
	       100 * (t_mix / (t_legit + t_tag) - 1));
}

static void bench_cipher(int cipher, const char *label)
{
	static const struct { enum flood_kind k; const char *what; } runs[] = {
		{ FLOOD_LEGIT, "alone" }, { FLOOD_BAD_TAG, "bad_tag_flood" },
		{ FLOOD_GARBAGE, "garbage_flood" }, { FLOOD_LEGIT, "alone_again" },
	};
	struct bench *b = calloc(1, sizeof(*b));
	struct legit_run r;
	double fl;

	b->ring = malloc(RING * sizeof(*b->ring));
	flood_open(&b->f, cipher, NLEGIT, PT_LEN);
	for (int k = 0; k < FLOOD_KINDS; k++)
		printf("flood_%s_%s_1400 %u ns\n", label, flood_kind_name(k), kind_ns(b, k));
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		r = legit_flooded(b, runs[i].k, &fl);
		print_run(label, runs[i].what, &r, fl);
	}
	one_cpu(b, label);
	flood_close(&b->f);
	free(b->ring);
	free(b);
}

int main(void)
{
	t_seed(59);
	bench_cipher(OVX_CIPHER_AES_256_GCM, "aes256gcm");
	bench_cipher(OVX_CIPHER_CHACHA20_POLY1305, "chacha20poly1305");
	return 0;
}
