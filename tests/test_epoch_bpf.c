// SPDX-License-Identifier: GPL-2.0
/* The epoch data format in BPF (bpf/epoch.h) through BPF_PROG_TEST_RUN, XDP
 * and TC, against OpenSSL (loader/lib/aead_sw.c) with keys from
 * loader/lib/epoch_key.c:
 * - sealing gives OpenSSL's bytes (header, ciphertext, tag at the end) and
 *   opening gives back the plaintext, for the three ciphers and lengths 1 to
 *   OVPN_AEAD_MAX_LEN; the header's fields read back;
 * - every bit flip of header, data or tag is refused and leaves the packet
 *   as it was; another epoch's key opens nothing; too long, too short;
 * - the real OpenVPN 2.7.6 captures of tests/epoch_vectors open in BPF. */
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
#include "epoch_test.h"
#include "epoch_test.skel.h"
#include "testlib.h"
#include "vectors.h"

#define PKT_MAX	(OVPN_EPOCH_OVERHEAD + OVPN_AEAD_MAX_LEN + 16)

static struct epoch_test_bpf *skel;
static int prog[2], prog_set_aes, keys_fd;

struct tkey {
	int cipher;
	size_t key_len;
	__u8 key[32], iv[OVPN_EPOCH_IV_LEN];
	__u16 epoch;
};

static int set_key(__u32 idx, const struct tkey *t)
{
	struct ovpn_epoch_key *k = calloc(1, sizeof(*k));
	static const __u8 no_tail[OVPN_NONCE_TAIL_LEN];
	__u32 map_key[4] = { idx };
	int err;

	if (!k)
		return -ENOMEM;
	err = ovpn_aead_key_prepare(&k->aead, t->cipher, t->key, t->key_len, no_tail);
	memcpy(k->iv, t->iv, sizeof(k->iv));
	k->epoch = t->epoch;
	if (!err && bpf_map_update_elem(keys_fd, &idx, k, BPF_ANY))
		err = -errno;
	free(k);
	if (!err && t->cipher != OVPN_CIPHER_CHACHA20_POLY1305)
		err = ovpn_aes_ctx_create(prog_set_aes, map_key, t->key, t->key_len, NULL);
	return err;
}

/* A key of @cipher for epoch @epoch of a fixed E1. */
static void make_key(struct tkey *t, int cipher, __u16 epoch)
{
	struct ovpn_epoch_secret e = { .epoch = 1 };

	memset(e.secret, 0x5a, sizeof(e.secret));
	t->cipher = cipher;
	t->key_len = ovpn_cipher_key_len(cipher);
	t->epoch = epoch;
	if (ovpn_epoch_advance(&e, epoch) || ovpn_epoch_data_key(&e, t->key_len, t->key, t->iv))
		t_fatal("epoch key derivation failed");
}

/* One run over @pkt (header | @len bytes | tag), in place; fields in/out. */
static int run(int hook, struct epoch_test_hdr *h, __u8 *pkt, __u32 len)
{
	static __u8 buf[EPOCH_TEST_OFF + PKT_MAX];
	size_t total = EPOCH_TEST_OFF + OVPN_EPOCH_OVERHEAD + len;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_out = buf,
		    .data_size_in = total < 64 ? 64 : total,
		    .data_size_out = sizeof(buf), .repeat = 1);

	if (total > sizeof(buf))
		return -100000;
	h->len = len;
	h->ret = -9999;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, h, sizeof(*h));
	memcpy(buf + EPOCH_TEST_OFF, pkt, OVPN_EPOCH_OVERHEAD + len);
	if (bpf_prog_test_run_opts(prog[hook], &opts))
		return -100000 - errno;
	memcpy(h, buf, sizeof(*h));
	memcpy(pkt, buf + EPOCH_TEST_OFF, OVPN_EPOCH_OVERHEAD + len);
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
	ovpn_epoch_nonce(t->iv, epoch, counter, nonce);
	return ovpn_sw_aead(t->cipher, t->key, nonce, pkt, OVPN_EPOCH_AAD_LEN,
			    pkt + OVPN_EPOCH_AAD_LEN, len, out,
			    pkt + OVPN_EPOCH_AAD_LEN + len, seal);
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
	static const __u32 lens[] = { 1, 15, 16, 17, 64, 100, 1400, 1500, OVPN_AEAD_MAX_LEN };
	static __u8 plain[OVPN_AEAD_MAX_LEN], a[PKT_MAX], b[PKT_MAX], out[PKT_MAX];
	const char *name = ovpn_cipher_name(cipher);
	int ok_seal = 0, ok_open = 0, ok_fields = 0, n = 0;
	struct tkey t;

	make_key(&t, cipher, 7);
	if (!CHECK(!set_key(0, &t), "%s: set key", name))
		return;
	for (int hook = 0; hook < 2; hook++) {
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			__u32 len = lens[i];
			__u64 counter = t_rand() & OVPN_EPOCH_COUNTER_MASK;
			struct epoch_test_hdr h = { .op = EPOCH_TEST_SEAL, .key_id = 5,
						    .peer_id = 0xabcdef, .epoch = 7,
						    .counter = counter };

			n++;
			t_rand_bytes(plain, len);
			memset(a, 0, sizeof(a));
			memcpy(a + OVPN_EPOCH_AAD_LEN, plain, len);
			memcpy(b, a, sizeof(a));
			header(b, 5, 0xabcdef, 7, counter);
			CHECK(!oracle(&t, b, len, true, b + OVPN_EPOCH_AAD_LEN), "oracle seal");
			if (!CHECK(!run(hook, &h, a, len), "%s: seal %u (hook %d): %d", name,
				   len, hook, h.ret))
				continue;
			ok_seal += !memcmp(a, b, OVPN_EPOCH_OVERHEAD + len);
			h = (struct epoch_test_hdr){ .op = EPOCH_TEST_OPEN };
			if (!CHECK(!run(hook, &h, b, len), "%s: open %u (hook %d): %d", name,
				   len, hook, h.ret))
				continue;
			ok_open += !memcmp(b + OVPN_EPOCH_AAD_LEN, plain, len);
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
	const char *name = ovpn_cipher_name(cipher);
	const __u32 len = 80, total = OVPN_EPOCH_OVERHEAD + 80;
	int refused = 0, intact = 0, n = 0;
	struct epoch_test_hdr h;
	struct tkey t, other;

	make_key(&t, cipher, 3);
	make_key(&other, cipher, 4);
	if (!CHECK(!set_key(1, &t) && !set_key(2, &other), "%s: set keys", name))
		return;
	header(good, 1, 42, 3, 1000);
	t_rand_bytes(good + OVPN_EPOCH_AAD_LEN, len);
	oracle(&t, good, len, true, good + OVPN_EPOCH_AAD_LEN);
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
	CHECK(run(1, &h, p, OVPN_AEAD_MAX_LEN + 16) == -E2BIG, "%s: too long", name);
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

/* tests/epoch_vectors beside build/tests/<prog>, or $OVPN_EPOCH_VECTORS. */
static const char *epoch_vec_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("OVPN_EPOCH_VECTORS");
	char exe[PATH_MAX];
	ssize_t n;

	if (env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "tests/epoch_vectors";
	exe[n] = 0;
	snprintf(dir, sizeof(dir), "%.*s/../../tests/epoch_vectors",
		 (int)(strrchr(exe, '/') - exe), exe);
	return dir;
}

/* Slot of (key-id, direction), installed on first use. */
static int capture_slot(const struct vec_key *k, bool c2s, __u16 epoch, int *installed)
{
	int slot = (k->key_id % 4) * 2 + c2s;
	int tag = (int)(k->key_id << 17 | epoch << 1 | c2s) + 1;
	struct ovpn_epoch_secret e = { .epoch = 1 };
	struct tkey t = { .cipher = k->cipher, .key_len = k->key_len, .epoch = epoch };

	if (installed[slot] == tag)
		return slot;
	memcpy(e.secret, c2s ? k->c2s_key : k->s2c_key, sizeof(e.secret));
	if (ovpn_epoch_advance(&e, epoch) || ovpn_epoch_data_key(&e, t.key_len, t.key, t.iv) ||
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

	setenv("OVPN_VECTORS", epoch_vec_dir(), 1);
	if (!CHECK(!vec_load(&v, name), "%s: cannot load the capture", name))
		return;
	for (int i = 0; i < v.npkts; i++) {
		const struct vec_pkt *vp = &v.pkts[i];
		struct epoch_test_hdr h = { .op = EPOCH_TEST_OPEN };
		const struct vec_key *k;
		__u32 peer_id, key_id, len;
		int slot;

		if (!vec_data_v2(vp, &peer_id, &key_id) ||
		    vp->payload_len < OVPN_EPOCH_OVERHEAD + 1 || vp->payload_len > PKT_MAX)
			continue;
		data++;
		k = vec_find_key(&v, peer_id, key_id);
		slot = k ? capture_slot(k, vp->c2s, vp->payload[4] << 8 | vp->payload[5],
					installed) : -1;
		if (!CHECK(slot >= 0, "%s: packet %d: no key", name, i))
			continue;
		len = vp->payload_len - OVPN_EPOCH_OVERHEAD;
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

int main(void)
{
	static const int ciphers[] = { OVPN_CIPHER_AES_128_GCM, OVPN_CIPHER_AES_256_GCM,
				       OVPN_CIPHER_CHACHA20_POLY1305 };

	libbpf_set_print(NULL);
	skel = epoch_test_bpf__open_and_load();
	if (!skel)
		t_fatal("cannot load tests/epoch_test.bpf.c: %s (run as root on Linux 6.10+)",
			strerror(errno));
	prog[0] = bpf_program__fd(skel->progs.epoch_test_xdp);
	prog[1] = bpf_program__fd(skel->progs.epoch_test_tc);
	prog_set_aes = bpf_program__fd(skel->progs.epoch_test_set_aes);
	keys_fd = bpf_map__fd(skel->maps.epoch_test_keys);
	t_seed(19);
	for (int i = 0; i < 3; i++) {
		test_round_trips(ciphers[i]);
		test_refusals(ciphers[i]);
	}
	test_capture("aes-256-gcm");
	test_capture("aes-128-gcm");
	test_capture("chacha20-poly1305");
	epoch_test_bpf__destroy(skel);
	return t_done("epoch-bpf");
}
