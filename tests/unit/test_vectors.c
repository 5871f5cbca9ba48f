// SPDX-License-Identifier: GPL-2.0
/* Every P_DATA_V2 packet of the real OpenVPN 2.6 captures decrypts in BPF,
 * from XDP and TC, with the keys OpenVPN derived, to what OpenSSL gets. */
#include <stdlib.h>
#include <string.h>
#include "aead_harness.h"
#include "testlib.h"
#include "vectors.h"

static const uint8_t keepalive[16] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
};

/* Plaintext an OpenVPN tunnel carries: an IP packet or a keepalive ping. */
static bool plausible(const uint8_t *pt, size_t len)
{
	if (len == sizeof(keepalive) && !memcmp(pt, keepalive, len))
		return true;
	return len >= 20 && (pt[0] >> 4 == 4 || pt[0] >> 4 == 6);
}

static int decrypt_one(struct aead_harness *h, const struct vec_pkt *p,
		       const struct vec_key *k, enum ah_hook hook)
{
	const uint8_t *key = p->c2s ? k->c2s_key : k->s2c_key;
	const uint8_t *iv = p->c2s ? k->c2s_iv : k->s2c_iv;
	uint32_t len = p->payload_len - OVX_DATA_HDR_LEN;
	uint8_t *bpf = malloc(p->payload_len), *ssl = malloc(p->payload_len);
	int err;

	memcpy(bpf, p->payload, p->payload_len);
	memcpy(ssl, p->payload, p->payload_len);
	err = ah_set_key(h, 0, k->cipher, key, k->key_len, iv, NULL);
	if (!err)
		err = ah_run(h, hook, AEAD_TEST_OPEN, 0, bpf, len, 1, NULL);
	if (!err && oracle_open(k->cipher, key, iv, ssl, len))
		err = -1000;
	if (!err && (memcmp(bpf, ssl, p->payload_len) ||
		     !plausible(bpf + OVX_DATA_HDR_LEN, len)))
		err = -1001;
	free(bpf);
	free(ssl);
	return err;
}

static void run_capture(struct aead_harness *h, const char *name, int expect)
{
	struct vec_set v;
	int data = 0, ok = 0;

	if (!CHECK(vec_load(&v, name) == 0, "cannot load vectors %s", name))
		return;
	for (int i = 0; i < v.npkts; i++) {
		const struct vec_pkt *p = &v.pkts[i];
		const struct vec_key *k;
		uint32_t peer, kid;
		int err;

		if (!vec_data_v2(p, &peer, &kid))
			continue;
		data++;
		k = vec_find_key(&v, peer, kid);
		if (!k) {
			fprintf(stderr, "%s #%d: no key for peer %u key %u\n", name, i, peer, kid);
			continue;
		}
		err = decrypt_one(h, p, k, data & 1 ? AH_TC : AH_XDP);
		if (err)
			fprintf(stderr, "%s #%d: peer %u key %u: %d\n", name, i, peer, kid, err);
		ok += !err;
	}
	printf("%s: %d of %d data packets decrypted\n", name, ok, data);
	CHECK(data == expect, "%s: %d data packets, expected %d", name, data, expect);
	CHECK(ok == data, "%s: %d of %d data packets decrypted", name, ok, data);
	vec_free(&v);
}

int main(void)
{
	struct aead_harness h;

	ah_open(&h);
	run_capture(&h, "aes-256-gcm-two-peers", 239);
	run_capture(&h, "chacha20-poly1305", 131);
	ah_close(&h);
	return t_done("vectors");
}
