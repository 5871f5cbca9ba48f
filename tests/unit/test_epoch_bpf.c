// SPDX-License-Identifier: GPL-2.0
/* The epoch data format in BPF (bpf/epoch.h) through BPF_PROG_TEST_RUN, XDP
 * and TC, against OpenSSL (loader/lib/aead_sw.c) with keys from
 * loader/lib/epoch_key.c:
 * - sealing gives OpenSSL's bytes (header, ciphertext, tag at the end) and
 *   opening gives back the plaintext, for the three ciphers and lengths 1 to
 *   OVX_AEAD_MAX_LEN; the header's fields read back;
 * - every bit flip of header, data or tag is refused and leaves the packet
 *   as it was; another epoch's key opens nothing; too long, too short;
 * - the real OpenVPN 2.7.6 captures of tests/epoch_vectors open in BPF;
 * - the per-epoch slots (bpf/epoch_keys.h, loader/lib/epoch_slots.c): RX
 *   accepts the current, retiring and future epochs only, one replay window
 *   each, moves up on a newer epoch and the sending epoch follows; TX moves
 *   to the next epoch at the 48-bit counter's end and at AES-GCM's usage
 *   limit, never repeats an (epoch, counter), and stops when no key is left;
 * - renumbering (OpenVPN's own packet opened and sealed again under another
 *   epoch and counter) gives OpenSSL's packet, and refuses a forgery
 *   without writing anything;
 * - the link egress's renumbering of OpenVPN's own epoch packets
 *   (bpf/renumber.h): opened with the send slot of OpenVPN's epoch, sealed
 *   with the fast path's next (epoch, counter) from the shared counter,
 *   into the next epoch once the sender moved; a forgery or an epoch
 *   without a send slot is refused (the packet is then dropped). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "aead_key.h"
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_key.h"
#include "epoch_slots.h"
#include "epoch_test.h"
#include "epoch_test.skel.h"
#include "testlib.h"
#include "vectors.h"

#define PKT_MAX	(OVX_EPOCH_OVERHEAD + OVX_AEAD_MAX_LEN + 16)

static struct epoch_test_bpf *skel;
static int prog[2], prog_set_aes, keys_fd, prog_renumber;

struct tkey {
	int cipher;
	size_t key_len;
	__u8 key[32], iv[OVX_EPOCH_IV_LEN];
	__u16 epoch;
};

static int set_key(__u32 idx, const struct tkey *t)
{
	struct ovx_epoch_key *k = calloc(1, sizeof(*k));
	static const __u8 no_tail[OVX_NONCE_TAIL_LEN];
	__u32 map_key[4] = { idx };
	int err;

	if (!k)
		return -ENOMEM;
	err = ovx_aead_key_prepare(&k->aead, t->cipher, t->key, t->key_len, no_tail);
	memcpy(k->iv, t->iv, sizeof(k->iv));
	k->epoch = t->epoch;
	if (!err && bpf_map_update_elem(keys_fd, &idx, k, BPF_ANY))
		err = -errno;
	free(k);
	if (!err && t->cipher != OVX_CIPHER_CHACHA20_POLY1305)
		err = ovx_aes_ctx_create(prog_set_aes, map_key, t->key, t->key_len, NULL);
	return err;
}

/* A key of @cipher for epoch @epoch of a fixed E1. */
static void make_key(struct tkey *t, int cipher, __u16 epoch)
{
	struct ovx_epoch_secret e = { .epoch = 1 };

	memset(e.secret, 0x5a, sizeof(e.secret));
	t->cipher = cipher;
	t->key_len = ovx_cipher_key_len(cipher);
	t->epoch = epoch;
	if (ovx_epoch_advance(&e, epoch) || ovx_epoch_data_key(&e, t->key_len, t->key, t->iv))
		t_fatal("epoch key derivation failed");
}

/* One run over @pkt (header | @len bytes | tag), in place; fields in/out. */
static int run(int hook, struct epoch_test_hdr *h, __u8 *pkt, __u32 len)
{
	static __u8 buf[EPOCH_TEST_OFF + PKT_MAX];
	size_t total = EPOCH_TEST_OFF + OVX_EPOCH_OVERHEAD + len;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_out = buf,
		    .data_size_in = total < 64 ? 64 : total,
		    .data_size_out = sizeof(buf), .repeat = 1);

	if (total > sizeof(buf))
		return -100000;
	h->len = len;
	h->ret = -9999;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, h, sizeof(*h));
	memcpy(buf + EPOCH_TEST_OFF, pkt, OVX_EPOCH_OVERHEAD + len);
	if (bpf_prog_test_run_opts(prog[hook], &opts))
		return -100000 - errno;
	memcpy(h, buf, sizeof(*h));
	memcpy(pkt, buf + EPOCH_TEST_OFF, OVX_EPOCH_OVERHEAD + len);
	return h->ret;
}

/* OpenSSL: the epoch packet of @t at @pkt (header written from the fields). */
static int oracle(const struct tkey *t, __u8 *pkt, __u32 len, bool seal, __u8 *out)
{
	__u16 epoch = pkt[4] << 8 | pkt[5];
	__u64 counter = 0;
	__u8 nonce[12];

	for (int i = 6; i < 12; i++)
		counter = counter << 8 | pkt[i];
	ovx_epoch_nonce(t->iv, epoch, counter, nonce);
	return ovx_sw_aead(t->cipher, t->key, nonce, pkt, OVX_EPOCH_AAD_LEN,
			    pkt + OVX_EPOCH_AAD_LEN, len, out,
			    pkt + OVX_EPOCH_AAD_LEN + len, seal);
}

static void header(__u8 *p, __u32 key_id, __u32 peer_id, __u16 epoch, __u64 counter)
{
	p[0] = 9 << 3 | key_id, p[1] = peer_id >> 16, p[2] = peer_id >> 8, p[3] = peer_id;
	p[4] = epoch >> 8, p[5] = epoch;
	for (int i = 0; i < 6; i++)
		p[6 + i] = counter >> (40 - 8 * i);
}

static void test_round_trips(int cipher)
{
	static const __u32 lens[] = { 1, 15, 16, 17, 64, 100, 1400, 1500, OVX_AEAD_MAX_LEN };
	static __u8 plain[OVX_AEAD_MAX_LEN], a[PKT_MAX], b[PKT_MAX], out[PKT_MAX];
	const char *name = ovx_cipher_name(cipher);
	int ok_seal = 0, ok_open = 0, ok_fields = 0, n = 0;
	struct tkey t;

	make_key(&t, cipher, 7);
	if (!CHECK(!set_key(0, &t), "%s: set key", name))
		return;
	for (int hook = 0; hook < 2; hook++) {
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			__u32 len = lens[i];
			__u64 counter = t_rand() & OVX_EPOCH_COUNTER_MASK;
			struct epoch_test_hdr h = { .op = EPOCH_TEST_SEAL, .key_id = 5,
						    .peer_id = 0xabcdef, .epoch = 7,
						    .counter = counter };

			n++;
			t_rand_bytes(plain, len);
			memset(a, 0, sizeof(a));
			memcpy(a + OVX_EPOCH_AAD_LEN, plain, len);
			memcpy(b, a, sizeof(a));
			header(b, 5, 0xabcdef, 7, counter);
			CHECK(!oracle(&t, b, len, true, b + OVX_EPOCH_AAD_LEN), "oracle seal");
			if (!CHECK(!run(hook, &h, a, len), "%s: seal %u (hook %d): %d", name,
				   len, hook, h.ret))
				continue;
			ok_seal += !memcmp(a, b, OVX_EPOCH_OVERHEAD + len);
			h = (struct epoch_test_hdr){ .op = EPOCH_TEST_OPEN };
			if (!CHECK(!run(hook, &h, b, len), "%s: open %u (hook %d): %d", name,
				   len, hook, h.ret))
				continue;
			ok_open += !memcmp(b + OVX_EPOCH_AAD_LEN, plain, len);
			ok_fields += h.key_id == 5 && h.peer_id == 0xabcdef && h.epoch == 7 &&
				     h.counter == counter;
			(void)out;
		}
	}
	CHECK(ok_seal == n, "%s: %d/%d sealed as OpenSSL does", name, ok_seal, n);
	CHECK(ok_open == n, "%s: %d/%d opened to the plaintext", name, ok_open, n);
	CHECK(ok_fields == n, "%s: %d/%d headers read back", name, ok_fields, n);
}

static void test_refusals(int cipher)
{
	static __u8 good[PKT_MAX], p[PKT_MAX];
	const char *name = ovx_cipher_name(cipher);
	const __u32 len = 80, total = OVX_EPOCH_OVERHEAD + 80;
	int refused = 0, intact = 0, n = 0;
	struct epoch_test_hdr h;
	struct tkey t, other;

	make_key(&t, cipher, 3);
	make_key(&other, cipher, 4);
	if (!CHECK(!set_key(1, &t) && !set_key(2, &other), "%s: set keys", name))
		return;
	header(good, 1, 42, 3, 1000);
	t_rand_bytes(good + OVX_EPOCH_AAD_LEN, len);
	oracle(&t, good, len, true, good + OVX_EPOCH_AAD_LEN);
	for (__u32 bit = 0; bit < total * 8; bit++) {
		memcpy(p, good, total);
		p[bit / 8] ^= 1 << (bit % 8);
		h = (struct epoch_test_hdr){ .op = EPOCH_TEST_OPEN, .key = 1 };
		n++;
		/* the opcode's own bits: not P_DATA_V2, refused before the AEAD */
		refused += run(bit % 2, &h, p, len) != 0;
		p[bit / 8] ^= 1 << (bit % 8);
		intact += !memcmp(p, good, total);
	}
	CHECK(refused == n, "%s: %d/%d bit flips refused", name, refused, n);
	CHECK(intact == n, "%s: %d/%d refused packets left as they were", name, intact, n);
	memcpy(p, good, total);
	h = (struct epoch_test_hdr){ .op = EPOCH_TEST_OPEN, .key = 2 };
	CHECK(run(0, &h, p, len) == -EBADMSG, "%s: epoch 4's key opens epoch 3", name);
	memcpy(p, good, total);
	h = (struct epoch_test_hdr){ .op = EPOCH_TEST_OPEN, .key = 1 };
	CHECK(run(0, &h, p, len) == 0, "%s: the good packet opens", name);
	h = (struct epoch_test_hdr){ .op = EPOCH_TEST_OPEN, .key = 1 };
	CHECK(run(1, &h, p, OVX_AEAD_MAX_LEN + 16) == -E2BIG, "%s: too long", name);
	h = (struct epoch_test_hdr){ .op = EPOCH_TEST_OPEN, .key = 1 };
	memcpy(p, good, total);
	{
		static __u8 buf[EPOCH_TEST_OFF + PKT_MAX];
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_out = buf,
			    .data_size_in = EPOCH_TEST_OFF + total - 1,
			    .data_size_out = sizeof(buf), .repeat = 1);

		h.len = len;
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + EPOCH_TEST_OFF, p, total - 1);
		bpf_prog_test_run_opts(prog[0], &opts);
		memcpy(&h, buf, sizeof(h));
		CHECK(h.ret == -EINVAL, "%s: a packet one byte short: %d", name, h.ret);
	}
}

static void test_reseal(int cipher)
{
	static __u8 p[PKT_MAX], want[PKT_MAX], copy[PKT_MAX];
	const char *name = ovx_cipher_name(cipher);
	const __u32 len = 300, total = OVX_EPOCH_OVERHEAD + 300;
	struct epoch_test_hdr h;
	struct tkey from, to;
	int same = 0, n = 0;

	make_key(&from, cipher, 1);
	make_key(&to, cipher, 2);
	if (!CHECK(!set_key(3, &from) && !set_key(4, &to), "%s: set keys", name))
		return;
	for (int i = 0; i < 20; i++) {
		__u64 counter = (t_rand() & OVX_EPOCH_COUNTER_MASK) | 1;

		header(p, 2, 0x10203, 1, 1 + i);	/* as OpenVPN sealed it */
		t_rand_bytes(p + OVX_EPOCH_AAD_LEN, len);
		memcpy(want, p, total);
		oracle(&from, p, len, true, p + OVX_EPOCH_AAD_LEN);
		header(want, 2, 0x10203, 2, counter);	/* as it must leave */
		oracle(&to, want, len, true, want + OVX_EPOCH_AAD_LEN);
		h = (struct epoch_test_hdr){ .op = EPOCH_TEST_RESEAL, .key = 3, .pad = 4,
					     .epoch = 2, .counter = counter };
		n++;
		same += run(i & 1, &h, p, len) == 0 && !memcmp(p, want, total);
	}
	CHECK(same == n, "%s: %d/%d renumbered packets as OpenSSL seals them", name, same, n);
	header(p, 2, 0x10203, 1, 99);
	oracle(&from, p, len, true, p + OVX_EPOCH_AAD_LEN);
	p[total - 1] ^= 0x80;
	memcpy(copy, p, total);
	h = (struct epoch_test_hdr){ .op = EPOCH_TEST_RESEAL, .key = 3, .pad = 4, .epoch = 2,
				     .counter = 5 };
	CHECK(run(0, &h, p, len) == -EBADMSG && !memcmp(p, copy, total),
	      "%s: a forgery renumbered or changed", name);
}

/* Slot of (key-id, direction), installed on first use. */
static int capture_slot(const struct vec_key *k, bool c2s, __u16 epoch, int *installed)
{
	int slot = (k->key_id % 4) * 2 + c2s;
	int tag = (int)(k->key_id << 17 | epoch << 1 | c2s) + 1;
	struct ovx_epoch_secret e = { .epoch = 1 };
	struct tkey t = { .cipher = k->cipher, .key_len = k->key_len, .epoch = epoch };

	if (installed[slot] == tag)
		return slot;
	memcpy(e.secret, c2s ? k->c2s_key : k->s2c_key, sizeof(e.secret));
	if (ovx_epoch_advance(&e, epoch) || ovx_epoch_data_key(&e, t.key_len, t.key, t.iv) ||
	    set_key(slot, &t))
		return -1;
	installed[slot] = tag;
	return slot;
}

static void test_capture(const char *name)
{
	int installed[EPOCH_TEST_KEYS] = { 0 }, data = 0, opened = 0;
	static __u8 p[PKT_MAX];
	struct vec_set v;

	setenv("OVX_VECTORS", epoch_vec_dir(), 1);
	if (!CHECK(!vec_load(&v, name), "%s: cannot load the capture", name))
		return;
	for (int i = 0; i < v.npkts; i++) {
		const struct vec_pkt *vp = &v.pkts[i];
		struct epoch_test_hdr h = { .op = EPOCH_TEST_OPEN };
		const struct vec_key *k;
		__u32 peer_id, key_id, len;
		int slot;

		if (!vec_data_v2(vp, &peer_id, &key_id) ||
		    vp->payload_len < OVX_EPOCH_OVERHEAD + 1 || vp->payload_len > PKT_MAX)
			continue;
		data++;
		k = vec_find_key(&v, peer_id, key_id);
		slot = k ? capture_slot(k, vp->c2s, vp->payload[4] << 8 | vp->payload[5],
					installed) : -1;
		if (!CHECK(slot >= 0, "%s: packet %d: no key", name, i))
			continue;
		len = vp->payload_len - OVX_EPOCH_OVERHEAD;
		memcpy(p, vp->payload, vp->payload_len);
		h.key = slot;
		if (run(i % 2, &h, p, len) == 0 &&
		    ((p[12] >> 4 == 4 && (__u32)(p[14] << 8 | p[15]) == len) ||
		     (p[12] >> 4 == 6 && (__u32)(p[16] << 8 | p[17]) + 40 == len) ||
		     (p[12] == 0x2a && p[13] == 0x18)))
			opened++;
	}
	printf("%s: %d/%d data packets of OpenVPN 2.7.6 opened in BPF\n", name, opened, data);
	CHECK(data >= 40 && opened == data, "%s: %d/%d opened", name, opened, data);
	vec_free(&v);
}

static struct ovx_epoch_maps maps;

/* The peer's side: seals @len random bytes as epoch @epoch, counter @ctr of
 * the chain starting at @e1 (the server's receive direction). */
static void peer_packet(__u8 *p, int cipher, const __u8 *e1, __u32 key_id, __u16 epoch,
			__u64 ctr, __u32 len)
{
	struct ovx_epoch_secret e = { .epoch = 1 };
	struct tkey t = { .cipher = cipher, .key_len = ovx_cipher_key_len(cipher) };

	memcpy(e.secret, e1, 32);
	if (ovx_epoch_advance(&e, epoch ? epoch : 1) ||	/* epoch 0: never valid */ ovx_epoch_data_key(&e, t.key_len, t.key, t.iv))
		t_fatal("derivation");
	header(p, key_id, 7, epoch, ctr);
	t_rand_bytes(p + OVX_EPOCH_AAD_LEN, len);
	p[OVX_EPOCH_AAD_LEN] = 0x45;	/* not that the fast path looks */
	oracle(&t, p, len, true, p + OVX_EPOCH_AAD_LEN);
}

static int rx(__u8 *p, __u32 len, struct epoch_test_hdr *h)
{
	*h = (struct epoch_test_hdr){ .op = EPOCH_TEST_RX };
	return run(t_rand() & 1, h, p, len);
}

static struct ovx_epoch_state state_of(const struct ovx_key_id *kid)
{
	struct ovx_epoch_state st = { 0 };

	bpf_map_lookup_elem(maps.states_fd, kid, &st);
	return st;
}

static void test_slots_rx(int cipher)
{
	struct ovx_key_id kid = { .instance = EPOCH_TEST_INSTANCE, .peer_id = 7, .key_id = 2 };
	const char *name = ovx_cipher_name(cipher);
	static __u8 p[PKT_MAX], copy[PKT_MAX];
	__u8 ekm[OVX_EPOCH_EKM_LEN];
	struct ovx_epoch_chain c;
	struct epoch_test_hdr h;
	struct ovx_epoch_state st;
	const __u32 len = 60;

	t_rand_bytes(ekm, sizeof(ekm));
	if (!CHECK(!ovx_epoch_key_start(&maps, &kid, cipher, ekm, true, &c, 2, 2),
		   "%s: start", name))
		return;
#define RX(epoch, ctr, want, what)                                                  \
	do {                                                                        \
		peer_packet(p, cipher, ekm, 2, epoch, ctr, len);                    \
		CHECK(rx(p, len, &h) == (want), "%s: %s: verdict %d, %d expected",  \
		      name, what, h.ret, want);                                     \
	} while (0)
	RX(1, 1, OVX_EPOCH_RX_DELIVER, "epoch 1, 1");
	CHECK(p[OVX_EPOCH_AAD_LEN] == 0x45, "%s: plaintext in place", name);
	RX(1, 1, OVX_EPOCH_RX_REPLAY, "epoch 1, 1 again");
	RX(1, 5, OVX_EPOCH_RX_DELIVER, "epoch 1, 5");
	RX(1, 3, OVX_EPOCH_RX_DELIVER, "epoch 1, 3 (late, in the window)");
	peer_packet(p, cipher, ekm, 2, 1, 9, len);
	p[OVX_EPOCH_AAD_LEN + 3] ^= 1;
	memcpy(copy, p, OVX_EPOCH_OVERHEAD + len);
	CHECK(rx(p, len, &h) == OVX_EPOCH_RX_BAD_TAG &&
	      !memcmp(p, copy, OVX_EPOCH_OVERHEAD + len), "%s: bad tag, left as it was", name);
	RX(1, 9, OVX_EPOCH_RX_DELIVER, "epoch 1, 9 (the forgery did not burn it)");
	RX(0, 10, OVX_EPOCH_RX_PASS, "epoch 0");
	RX(3, 1, OVX_EPOCH_RX_DELIVER, "epoch 3 (future, installed)");
	CHECK(h.pad == 1, "%s: epoch 3 reported as a move", name);
	st = state_of(&kid);
	CHECK(st.rx_epoch == 3 && st.rx_retiring == 1 && st.tx_epoch == 3,
	      "%s: state after epoch 3: rx %u retiring %u tx %u", name, st.rx_epoch,
	      st.rx_retiring, st.tx_epoch);
	RX(3, 1, OVX_EPOCH_RX_REPLAY, "epoch 3, 1 again (its own window)");
	RX(1, 4, OVX_EPOCH_RX_DELIVER, "epoch 1 (retiring), 4");
	RX(2, 1, OVX_EPOCH_RX_PASS, "epoch 2 (skipped: neither current nor retiring)");
	RX(5, 1, OVX_EPOCH_RX_PASS, "epoch 5 (not installed yet)");
	CHECK(!ovx_epoch_key_refresh(&maps, &kid, &c, 2, 2), "%s: refresh", name);
	RX(5, 1, OVX_EPOCH_RX_DELIVER, "epoch 5 after the refresh");
	st = state_of(&kid);
	CHECK(st.rx_epoch == 5 && st.rx_retiring == 3 && st.tx_epoch == 5,
	      "%s: state after epoch 5: rx %u retiring %u tx %u", name, st.rx_epoch,
	      st.rx_retiring, st.tx_epoch);
	RX(1, 20, OVX_EPOCH_RX_PASS, "epoch 1 (no longer retiring)");
	CHECK(!ovx_epoch_key_refresh(&maps, &kid, &c, 2, 2), "%s: refresh", name);
	{
		struct ovx_epoch_id id = { EPOCH_TEST_INSTANCE, 7, 2, OVX_EPOCH_RX, 1 };
		struct ovx_epoch_slot *s = calloc(1, sizeof(*s));

		CHECK(bpf_map_lookup_elem(maps.slots_fd, &id, s) && errno == ENOENT,
		      "%s: RX slot 1 removed", name);
		id.epoch = 3;
		CHECK(!bpf_map_lookup_elem(maps.slots_fd, &id, s), "%s: RX slot 3 kept", name);
		id.epoch = 7;
		CHECK(!bpf_map_lookup_elem(maps.slots_fd, &id, s), "%s: RX slot 7 ahead", name);
		free(s);
	}
	RX(5 + OVX_EPOCH_FUTURE + 1, 1, OVX_EPOCH_RX_PASS, "beyond the future window");
#undef RX
}

/* Sends @n packets; checks each opens with OpenSSL under the epoch it
 * claims, with an (epoch, counter) never seen. Returns the last epoch, or
 * 0 if one failed (-ENOSPC: *nospc set). */
static __u32 tx_burst(int cipher, const __u8 *e1_send, __u32 key_id, int n, __u64 *seen,
		      int *nseen, bool *nospc)
{
	static __u8 p[PKT_MAX];
	struct epoch_test_hdr h;
	const __u32 len = 100;
	__u32 last = 0;

	*nospc = false;
	for (int i = 0; i < n; i++) {
		struct ovx_epoch_secret e = { .epoch = 1 };
		struct tkey t = { .cipher = cipher, .key_len = ovx_cipher_key_len(cipher) };
		__u64 id;

		h = (struct epoch_test_hdr){ .op = EPOCH_TEST_TX, .peer_id = 7, .key_id = key_id };
		memset(p, 0, sizeof(p));
		if (run(i & 1, &h, p, len)) {
			*nospc = h.ret == -ENOSPC;
			return 0;
		}
		memcpy(e.secret, e1_send, 32);
		ovx_epoch_advance(&e, h.epoch);
		ovx_epoch_data_key(&e, t.key_len, t.key, t.iv);
		if (oracle(&t, p, len, false, p + OVX_EPOCH_AAD_LEN))
			return 0;
		id = (__u64)h.epoch << 48 | h.counter;
		for (int j = 0; j < *nseen; j++)
			if (seen[j] == id)
				return 0;
		if (*nseen < 64)
			seen[(*nseen)++] = id;
		last = h.epoch;
	}
	return last;
}

/* Sets TX slot @epoch's counters (in place: BPF_F_LOCK keeps its AES context). */
static int set_tx(const struct ovx_key_id *kid, __u32 epoch, __u64 next, __u64 blocks)
{
	struct ovx_epoch_id id = { kid->instance, kid->peer_id, kid->key_id, OVX_EPOCH_TX, epoch };
	struct ovx_epoch_slot *s = calloc(1, sizeof(*s));
	int err = -ENOMEM;

	if (s && !bpf_map_lookup_elem(maps.slots_fd, &id, s)) {
		s->tx_next = next;
		s->tx_blocks = blocks;
		err = bpf_map_update_elem(maps.slots_fd, &id, s, BPF_EXIST | BPF_F_LOCK) ? -errno : 0;
	}
	free(s);
	return err;
}

static void test_slots_tx(int cipher)
{
	struct ovx_key_id kid = { .instance = EPOCH_TEST_INSTANCE, .peer_id = 7, .key_id = 3 };
	const char *name = ovx_cipher_name(cipher);
	bool gcm = cipher != OVX_CIPHER_CHACHA20_POLY1305, nospc;
	__u8 ekm[OVX_EPOCH_EKM_LEN];
	struct ovx_epoch_chain c;
	__u64 seen[64];
	int nseen = 0;
	__u32 e;

	t_rand_bytes(ekm, sizeof(ekm));
	if (!CHECK(!ovx_epoch_key_start(&maps, &kid, cipher, ekm, true, &c, 1, 1),
		   "%s: start", name))
		return;
	/* the server sends with s2c: ekm[128..159] */
	CHECK(tx_burst(cipher, ekm + 128, 3, 3, seen, &nseen, &nospc) == 1,
	      "%s: three packets in epoch 1", name);
	if (gcm)
		CHECK(!set_tx(&kid, 1, 4, OVX_EPOCH_GCM_LIMIT - 10), "%s: set blocks", name);
	else
		CHECK(!set_tx(&kid, 1, OVX_EPOCH_COUNTER_MASK - 1, 0), "%s: set counter", name);
	e = tx_burst(cipher, ekm + 128, 3, 3, seen, &nseen, &nospc);
	CHECK(e == 2, "%s: moved to epoch 2 at the %s (epoch %u)", name,
	      gcm ? "usage limit" : "counter's end", e);
	if (gcm)
		CHECK(!set_tx(&kid, 2, 4, OVX_EPOCH_GCM_LIMIT), "%s: set blocks", name);
	else
		CHECK(!set_tx(&kid, 2, OVX_EPOCH_COUNTER_MASK + 1, 0), "%s: set counter", name);
	CHECK(!tx_burst(cipher, ekm + 128, 3, 1, seen, &nseen, &nospc) && nospc,
	      "%s: no key left: nothing sealed", name);
	CHECK(!ovx_epoch_key_refresh(&maps, &kid, &c, 1, 1), "%s: refresh", name);
	CHECK(tx_burst(cipher, ekm + 128, 3, 2, seen, &nseen, &nospc) == 3,
	      "%s: epoch 3 once installed", name);
	CHECK(state_of(&kid).tx_epoch == 3, "%s: sending epoch 3", name);
}

/* OpenVPN's packet @p (@len bytes of data) through the link egress's
 * renumbering; its result, the packet renumbered in place. */
static int renumber(const struct ovx_key_id *kid, __u8 *p, __u32 len)
{
	struct epoch_test_hdr h = { .op = EPOCH_TEST_RENUMBER, .peer_id = kid->peer_id,
				    .key_id = kid->key_id };
	int saved = prog[1], ret;

	prog[1] = prog_renumber;
	ret = run(1, &h, p, len);
	prog[1] = saved;
	return ret;
}

/* @p as the server sealed it in its epoch (send chain from @e1), opened by
 * OpenSSL into @out: its (epoch, counter), or 0 if it does not open. */
static __u64 server_opens(int cipher, const __u8 *e1, const __u8 *p, __u32 len, __u8 *out)
{
	static __u8 q[PKT_MAX];
	struct ovx_epoch_secret e = { .epoch = 1 };
	struct tkey t = { .cipher = cipher, .key_len = ovx_cipher_key_len(cipher) };
	__u16 epoch = p[4] << 8 | p[5];
	__u64 counter = 0;

	for (int i = 6; i < 12; i++)
		counter = counter << 8 | p[i];
	memcpy(e.secret, e1, 32);
	memcpy(q, p, OVX_EPOCH_OVERHEAD + len);
	if (ovx_epoch_advance(&e, epoch) || ovx_epoch_data_key(&e, t.key_len, t.key, t.iv) ||
	    oracle(&t, q, len, false, out))
		return 0;
	return (__u64)epoch << 48 | counter;
}

static void test_renumber(int cipher)
{
	struct ovx_key_id kid = { .instance = EPOCH_TEST_INSTANCE, .peer_id = 7, .key_id = 4 };
	const char *name = ovx_cipher_name(cipher);
	static __u8 p[PKT_MAX], pt[PKT_MAX], pt2[PKT_MAX], copy[PKT_MAX];
	const __u32 len = 200;
	__u8 ekm[OVX_EPOCH_EKM_LEN];
	struct ovx_epoch_chain c;
	int ok = 0;
	__u64 id;

	t_rand_bytes(ekm, sizeof(ekm));
	if (!CHECK(!ovx_epoch_key_start(&maps, &kid, cipher, ekm, true, &c, 0, 1) &&
		   !set_tx(&kid, 1, 70000, 0), "%s: start, send counter 70000", name))
		return;
	/* OpenVPN seals with its own counter, from 1, as the server (s2c) */
	for (__u64 i = 1; i <= 3; i++) {
		peer_packet(p, cipher, ekm + 128, kid.key_id, 1, i, len);
		server_opens(cipher, ekm + 128, p, len, pt);
		ok += !renumber(&kid, p, len) &&
		      server_opens(cipher, ekm + 128, p, len, pt2) == (1ULL << 48 | (69999 + i)) &&
		      !memcmp(pt, pt2, len);
	}
	CHECK(ok == 3, "%s: 3/3 of OpenVPN's packets renumbered to the shared counter "
	      "(epoch 1, 70000..70002), open with OpenSSL", name);
	/* the fast path moved to epoch 2: OpenVPN's epoch-1 packet goes out in it */
	CHECK(!set_tx(&kid, 1, OVX_EPOCH_COUNTER_MASK + 1, 0), "%s: epoch 1 used up", name);
	peer_packet(p, cipher, ekm + 128, kid.key_id, 1, 4, len);
	server_opens(cipher, ekm + 128, p, len, pt);
	id = renumber(&kid, p, len) ? 0 : server_opens(cipher, ekm + 128, p, len, pt2);
	id = memcmp(pt, pt2, len) ? 0 : id;
	CHECK(id == (2ULL << 48 | 1), "%s: into epoch 2, counter 1 (%llx)", name,
	      (unsigned long long)id);
	peer_packet(p, cipher, ekm + 128, kid.key_id, 1, 5, len);
	p[OVX_EPOCH_OVERHEAD + len - 1] ^= 1;
	memcpy(copy, p, OVX_EPOCH_OVERHEAD + len);
	CHECK(renumber(&kid, p, len) == -EBADMSG && !memcmp(p, copy, OVX_EPOCH_OVERHEAD + len),
	      "%s: a forgery refused, unchanged", name);
	peer_packet(p, cipher, ekm + 128, kid.key_id, 3, 1, len);
	CHECK(renumber(&kid, p, len) == -ENOENT, "%s: an epoch without a send slot refused",
	      name);
	peer_packet(p, cipher, ekm + 128, kid.key_id, 2, 1, len);
	server_opens(cipher, ekm + 128, p, len, pt);
	id = renumber(&kid, p, len) ? 0 : server_opens(cipher, ekm + 128, p, len, pt2);
	id = memcmp(pt, pt2, len) ? 0 : id;
	CHECK(id == (2ULL << 48 | 2), "%s: OpenVPN's epoch-2 packet: epoch 2, counter 2 (%llx)",
	      name, (unsigned long long)id);
}

int main(void)
{
	static const int ciphers[] = { OVX_CIPHER_AES_128_GCM, OVX_CIPHER_AES_256_GCM,
				       OVX_CIPHER_CHACHA20_POLY1305 };

	if (!getenv("OVX_TEST_VERBOSE"))
		libbpf_set_print(NULL);
	skel = epoch_test_bpf__open_and_load();
	if (!skel)
		t_fatal("cannot load tests/epoch_test.bpf.c: %s (run as root on Linux 6.10+)",
			strerror(errno));
	prog[0] = bpf_program__fd(skel->progs.epoch_test_xdp);
	prog[1] = bpf_program__fd(skel->progs.epoch_test_tc);
	prog_set_aes = bpf_program__fd(skel->progs.epoch_test_set_aes);
	prog_renumber = bpf_program__fd(skel->progs.epoch_test_renumber);
	keys_fd = bpf_map__fd(skel->maps.epoch_test_keys);
	maps.slots_fd = bpf_map__fd(skel->maps.ovx_epoch_slots);
	maps.states_fd = bpf_map__fd(skel->maps.ovx_epoch_states);
	maps.aes_prog_fd = bpf_program__fd(skel->progs.epoch_test_set_slot_aes);
	t_seed(19);
	for (int i = 0; i < 3; i++) {
		test_round_trips(ciphers[i]);
		test_refusals(ciphers[i]);
		test_reseal(ciphers[i]);
	}
	for (int i = 0; i < 3; i++) {
		struct ovx_key_id a = { EPOCH_TEST_INSTANCE, 7, 2 }, b = { EPOCH_TEST_INSTANCE, 7, 3 };
		struct ovx_key_id r = { EPOCH_TEST_INSTANCE, 7, 4 };
		struct ovx_epoch_id id = { 0 }, next;

		test_slots_rx(ciphers[i]);
		test_slots_tx(ciphers[i]);
		test_renumber(ciphers[i]);
		while (!bpf_map_get_next_key(maps.slots_fd, &id, &next)) {
			bpf_map_delete_elem(maps.slots_fd, &next);
			id = (struct ovx_epoch_id){ 0 };
		}
		bpf_map_delete_elem(maps.states_fd, &a);
		bpf_map_delete_elem(maps.states_fd, &b);
		bpf_map_delete_elem(maps.states_fd, &r);
	}
	test_capture("aes-256-gcm");
	test_capture("aes-128-gcm");
	test_capture("chacha20-poly1305");
	epoch_test_bpf__destroy(skel);
	return t_done("epoch-bpf");
}
