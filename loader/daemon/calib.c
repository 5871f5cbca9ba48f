// SPDX-License-Identifier: GPL-2.0
/* What a packet costs on this machine, measured at start for each cipher:
 * the fast path's AEAD (bpf/calib.bpf.c, through BPF_PROG_TEST_RUN), and
 * OpenSSL's AEAD on the same packet in this process (what OpenVPN's own
 * crypto costs). Logged, kept for STATUS (ovpn-xdp show), and where a
 * cipher is much dearer in the fast path than another, said in one line.
 * The whole per-packet CPU, offloaded and not, is `make bench`'s. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <openssl/rand.h>
#include "aead_key.h"
#include "aead_sw.h"
#include "calib.skel.h"
#include "daemon.h"

#define CALIB_LEN	1408	/* a full-sized packet of a 1500-byte path */
#define CALIB_RUNS	200	/* per round */
#define CALIB_ROUNDS	3	/* the fastest round counts: the machine's cost,
				 * not its neighbours' */

/* ChaCha20-Poly1305 last: the others are compared with it. */
static const int calib_ciphers[OVPND_CALIB_CIPHERS] = {
	OVX_CIPHER_AES_128_GCM, OVX_CIPHER_AES_256_GCM, OVX_CIPHER_CHACHA20_POLY1305,
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u32 min_u32(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

/* The BPF AEAD: mean ns of a seal, fastest of the rounds; 0 if it failed. */
static __u32 bpf_seal_ns(struct calib_bpf *skel, int cipher, const char *algo)
{
	static __u8 pkt[OVX_DATA_HDR_LEN + CALIB_LEN];
	__u8 key[OVX_KEY_MAX_LEN], tail[OVX_NONCE_TAIL_LEN];
	size_t klen = ovx_cipher_key_len(cipher);
	struct ovx_aead_key k = {};
	const __u32 mk[4] = {}, zero = 0;
	__u32 best = 0;

	if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(tail, sizeof(tail)) != 1 ||
	    ovx_aead_key_prepare(&k, cipher, key, klen, tail) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.calib_key), &zero, &k, BPF_ANY))
		return 0;
	if (cipher != OVX_CIPHER_CHACHA20_POLY1305 &&
	    ovx_aes_ctx_create(bpf_program__fd(skel->progs.calib_set_aes), mk, key, klen, algo))
		return 0;
	for (int r = 0; r < CALIB_ROUNDS; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = CALIB_RUNS);

		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.calib_seal), &o) ||
		    o.retval != XDP_PASS)
			return 0;
		best = r ? min_u32(best, o.duration) : o.duration;
	}
	return best;
}

/* OpenSSL's AEAD, the same packet. */
static __u32 sw_seal_ns(int cipher)
{
	static __u8 pkt[OVX_DATA_HDR_LEN + CALIB_LEN];
	__u8 key[OVX_KEY_MAX_LEN] = { 1 }, tail[OVX_NONCE_TAIL_LEN] = { 2 };
	__u32 best = 0;

	for (int r = 0; r < CALIB_ROUNDS; r++) {
		__u64 t0 = now_ns();

		for (int i = 0; i < CALIB_RUNS; i++)
			if (ovx_sw_seal(cipher, key, tail, pkt, CALIB_LEN))
				return 0;
		best = r ? min_u32(best, (now_ns() - t0) / CALIB_RUNS) :
			   (now_ns() - t0) / CALIB_RUNS;
	}
	return best;
}

/* One line with every cipher's figures; and, where an AES-GCM cipher costs
 * more than twice ChaCha20-Poly1305 in the fast path (the kernel's AES has no
 * AES-NI in BPF), one saying which to prefer. */
static void report(const struct ovpnd_calib *c, int n)
{
	const struct ovpnd_calib *chacha = &c[n - 1];
	char line[256], dear[128];
	size_t l = 0, m = 0;

	line[0] = dear[0] = 0;
	for (int i = 0; i < n; i++) {
		const char *name = ovx_cipher_name(c[i].cipher);

		if (!c[i].bpf_ns)
			continue;
		l += snprintf(line + l, l < sizeof(line) ? sizeof(line) - l : 0, "%s%s %.1f/%.1f",
			      l ? ", " : "", name, c[i].bpf_ns / 1000.0, c[i].sw_ns / 1000.0);
		if (i < n - 1 && chacha->bpf_ns && c[i].bpf_ns > 2 * chacha->bpf_ns)
			m += snprintf(dear + m, m < sizeof(dear) ? sizeof(dear) - m : 0,
				      "%s%s %.1fx", m ? ", " : "", name,
				      (double)c[i].bpf_ns / chacha->bpf_ns);
	}
	if (l)
		ovpnd_log("AEAD, us per %d-byte packet in the fast path/OpenSSL: %s", CALIB_LEN,
			  line);
	if (m)
		ovpnd_log("on this kernel the fast path's AES-GCM costs more than its "
			  "CHACHA20-POLY1305 (%s): put CHACHA20-POLY1305 first in data-ciphers",
			  dear);
}

void ovpnd_calibrate(struct ovpnd *d)
{
	struct calib_bpf *skel = calib_bpf__open_and_load();

	if (!skel) {
		ovpnd_log("AEAD costs not measured: cannot load the timing program (%s)",
			  strerror(errno));
		return;
	}
	for (int i = 0; i < OVPND_CALIB_CIPHERS; i++) {
		struct ovpnd_calib *c = &d->calib[i];

		c->cipher = calib_ciphers[i];
		c->bpf_ns = bpf_seal_ns(skel, c->cipher, d->cfg.aes_algo);
		c->sw_ns = sw_seal_ns(c->cipher);
		if (!c->bpf_ns || !c->sw_ns)
			*c = (struct ovpnd_calib){};
	}
	report(d->calib, OVPND_CALIB_CIPHERS);
	calib_bpf__destroy(skel);
}
