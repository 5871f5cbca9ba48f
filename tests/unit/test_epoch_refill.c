// SPDX-License-Identifier: GPL-2.0
/* The receive window of an epoch-format key kept filled (issue 19): a peer
 * moves through far more than OVX_EPOCH_FUTURE epochs (packets sealed with
 * OpenSSL in epochs 1, 5, 12, 20, 36, ...: each jump within the 16 OpenVPN
 * accepts ahead), and every packet is opened by the fast path, because each
 * move raises one OVX_EV_EPOCH_MOVED that is handled as the daemon handles
 * it (ovx_epoch_key_refill, loader/daemon/events.c): slots installed up to
 * current + 16, those below the retiring epoch removed. Without a kept
 * chain (a daemon that took over pinned state) nothing is refilled and the
 * epochs past the installed ones go to OpenVPN, none dropped. The key's
 * removal forgets its chain. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_key.h"
#include "epoch_refill.h"
#include "learn_harness.h"
#include "learn.h"
#include "ovx.skel.h"
#include "ovx_epoch.h"
#include "testlib.h"

#define INST	LH_INST
#define PEER	5

struct refill {
	struct learn_client c;
	struct ring_buffer *rb;
	int moved, other, refill_err;
};

/* A client->server epoch packet as a 2.7 client seals it with @c->m. */
static size_t epoch_payload(struct learn_client *c, uint8_t *p, uint16_t epoch,
			    uint64_t counter, size_t len)
{
	struct ovx_epoch_secret send, recv;
	uint8_t key[32], iv[12], nonce[12];

	ovx_epoch_from_ekm(c->m, false, &send, &recv);
	if (ovx_epoch_advance(&send, epoch) ||
	    ovx_epoch_data_key(&send, ovx_cipher_key_len(c->cipher), key, iv))
		t_fatal("derivation");
	p[0] = 9 << 3, p[1] = 0, p[2] = 0, p[3] = PEER;
	p[4] = epoch >> 8, p[5] = epoch;
	for (int i = 0; i < 6; i++)
		p[6 + i] = counter >> (40 - 8 * i);
	t_rand_bytes(p + 12, len);
	p[12] = 0x45;
	ovx_epoch_nonce(iv, epoch, counter, nonce);
	if (ovx_sw_aead(c->cipher, key, nonce, p, 12, p + 12, len, p + 12, p + 12 + len, true))
		t_fatal("seal");
	return OVX_EPOCH_OVERHEAD + len;
}

/* The daemon's handling of the event (events.c: epoch_moved). */
static int on_event(void *ctx, void *data, size_t size)
{
	struct refill *r = ctx;
	const struct ovx_event *ev = data;
	struct ovx_key_id kid;
	int err;

	if (size < sizeof(*ev) || ev->type != OVX_EV_EPOCH_MOVED) {
		r->other++;
		return 0;
	}
	r->moved++;
	kid = (struct ovx_key_id){ ev->instance, ev->peer_id, ev->key_id };
	err = ovx_epoch_key_refill(&r->c.h.fp, &kid);
	if (err && !r->refill_err)
		r->refill_err = err;
	return 0;
}

/* 'D' dropped, 'V' delivered with the plaintext, 'P' passed unchanged, 'X'. */
static int run(struct refill *r, uint16_t epoch, uint64_t counter)
{
	uint8_t payload[400], frame[600];
	static struct fp_result res;
	size_t n = epoch_payload(&r->c, payload, epoch, counter, 200), fl;
	int v;

	fl = frame_build(frame, &r->c.spec, payload, n);
	if (fp_run_xdp(&r->c.h, frame, fl, &res))
		t_fatal("test run");
	ring_buffer__consume(r->rb);
	if (res.verdict == XDP_DROP)
		return 'D';
	v = res.out_len == fl && !memcmp(res.out, frame, fl) ? 'P' : 'X';
	if (res.meta_len && res.out_len == res.meta_len + 14 + 200)
		v = 'V';
	return v;
}

/* Slots of the key by direction, and the lowest and highest receive one. */
static void slots(struct refill *r, int *rx, int *tx, __u32 *lo, __u32 *hi)
{
	struct ovx_epoch_id k, *prev = NULL;

	*rx = *tx = 0, *lo = UINT32_MAX, *hi = 0;
	while (!bpf_map_get_next_key(r->c.h.fp.epoch_slots_fd, prev, &k)) {
		prev = &k;
		if (k.dir == OVX_EPOCH_TX) {
			(*tx)++;
			continue;
		}
		(*rx)++;
		*lo = k.epoch < *lo ? k.epoch : *lo;
		*hi = k.epoch > *hi ? k.epoch : *hi;
	}
}

static struct refill *open_learnt(int cipher, bool keep)
{
	struct refill *r = calloc(1, sizeof(*r));
	struct ovx_learn_install li = { .instance = INST, .role = OVX_ROLE_SERVER };
	struct ovx_learnt l = { 0 };
	uint8_t p[400], f[600];
	static struct fp_result res;

	r->c.cipher = cipher;
	t_rand_bytes(r->c.m, sizeof(r->c.m));
	lh_open(&r->c);
	if (keep)
		r->c.h.fp.epoch_chains = ovx_epoch_chains_new();
	r->rb = ring_buffer__new(bpf_map__fd(r->c.h.skel->maps.ovx_events), on_event, r, NULL);
	if (!r->rb || (keep && !r->c.h.fp.epoch_chains))
		t_fatal("setup");
	/* one packet to OpenVPN, learnt, then the key installed from it */
	if (fp_run_xdp(&r->c.h, f, frame_build(f, &r->c.spec, p, epoch_payload(&r->c, p, 1, 1, 200)),
		       &res))
		t_fatal("test run");
	li.remote = r->c.spec.src;
	li.material = r->c.m;
	if (ovx_learn_install(&r->c.h.fp, &li, &l) || !l.epoch)
		t_fatal("install");
	return r;
}

static void close_learnt(struct refill *r)
{
	ring_buffer__free(r->rb);
	ovx_epoch_chains_free(r->c.h.fp.epoch_chains);
	r->c.h.fp.epoch_chains = NULL;
	fp_close(&r->c.h);
	free(r);
}

/* The next epoch of the walk: jumps of 1 to 16, as a peer may make them. */
static uint16_t next_epoch(uint16_t e, int i)
{
	static const uint16_t steps[] = { 4, 7, 8, 16, 1, 1, 12, 16, 3, 16, 9 };

	return e + steps[i % (sizeof(steps) / sizeof(steps[0]))];
}

static void test_walk(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct refill *r = open_learnt(cipher, true);
	struct ovx_key_id kid = { INST, PEER, 0 };
	struct ovx_epoch_state st;
	int v, opened = 0, total = 0, moves = 0, retiring_ok = 0, bound_ok = 0, rx, tx;
	uint16_t e = 1, prev = 1;
	__u32 lo, hi;

	CHECK(ovx_epoch_chains_count(r->c.h.fp.epoch_chains) == 1, "%s: the chain kept", name);
	v = run(r, 1, 10);
	opened += v == 'V', total++;
	for (int i = 0; i < 40; i++) {
		prev = e;
		e = next_epoch(e, i);
		moves++;
		for (uint64_t n = 1; n <= 3; n++) {	/* once per move, not per packet */
			v = run(r, e, n);
			opened += v == 'V', total++;
		}
		v = run(r, prev, 100);			/* the retiring epoch still opens */
		retiring_ok += v == 'V';
		total++, opened += v == 'V';
		slots(r, &rx, &tx, &lo, &hi);
		bound_ok += lo == prev && hi == (__u32)e + OVX_EPOCH_FUTURE &&
			    rx <= 2 * (OVX_EPOCH_FUTURE + 1) && tx == 1 + OVX_EPOCH_TX_AHEAD;
	}
	printf("%s: %d moves to epoch %u: %d/%d packets opened by the fast path, "
	       "%d events\n", name, moves, e, opened, total, r->moved);
	CHECK(opened == total, "%s: every packet opened through %d epoch moves: %d/%d", name,
	      moves, opened, total);
	CHECK(r->moved == moves && r->other == 0 && r->refill_err == 0,
	      "%s: one event per move: %d events, %d moves, %d others, refill %d", name,
	      r->moved, moves, r->other, r->refill_err);
	CHECK(retiring_ok == moves, "%s: the retiring epoch opened after each move: %d/%d",
	      name, retiring_ok, moves);
	CHECK(bound_ok == moves, "%s: slots from the retiring epoch to current + %d only, "
	      "after %d/%d moves", name, OVX_EPOCH_FUTURE, bound_ok, moves);
	CHECK(!bpf_map_lookup_elem(r->c.h.fp.epoch_states_fd, &kid, &st) && st.rx_epoch == e &&
	      st.rx_retiring == prev, "%s: receive epoch %u, retiring %u", name, st.rx_epoch,
	      st.rx_retiring);
	v = run(r, e - 2 >= prev + 1 ? e - 2 : prev - 1, 500);
	CHECK(v == 'P', "%s: an epoch below the current, not retiring: to OpenVPN: %c", name, v);
	CHECK(!ovx_key_del(&r->c.h.fp, INST, PEER, OVX_SLOT_PRIMARY) &&
	      ovx_epoch_chains_count(r->c.h.fp.epoch_chains) == 0,
	      "%s: the key's removal forgot its chain", name);
	close_learnt(r);
}

/* A daemon that took over pinned state: the slots are there, the chain is
 * not. The installed window is used up, then the peer's packets go to
 * OpenVPN (which has the keys), none dropped. */
static void test_no_chain(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct refill *r = open_learnt(cipher, false);
	int v[4], rx, tx;
	__u32 lo, hi;

	v[0] = run(r, 1, 10);
	v[1] = run(r, 1 + OVX_EPOCH_FUTURE, 1);		/* the last installed */
	v[2] = run(r, 2 + OVX_EPOCH_FUTURE, 1);		/* in OpenVPN's window, not ours */
	v[3] = run(r, 1 + OVX_EPOCH_FUTURE, 2);
	slots(r, &rx, &tx, &lo, &hi);
	CHECK(v[0] == 'V' && v[1] == 'V' && v[2] == 'P' && v[3] == 'V',
	      "%s, no chain: the installed epochs opened, the next to OpenVPN: %c%c%c%c", name,
	      v[0], v[1], v[2], v[3]);
	CHECK(r->moved == 1 && r->refill_err == -ENOENT,
	      "%s, no chain: the event came, refill says -ENOENT: %d, %d", name, r->moved,
	      r->refill_err);
	CHECK(hi == 1 + OVX_EPOCH_FUTURE && lo == 1,
	      "%s, no chain: the slots left as they were: %u..%u", name, lo, hi);
	close_learnt(r);
}

int main(void)
{
	static const int ciphers[] = {
		OVX_CIPHER_AES_256_GCM, OVX_CIPHER_CHACHA20_POLY1305, OVX_CIPHER_AES_128_GCM,
	};

	t_seed(1921);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		test_walk(ciphers[i]);
		test_no_chain(ciphers[i]);
	}
	return t_done("epoch-refill");
}
