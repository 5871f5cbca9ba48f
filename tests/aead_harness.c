// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <openssl/evp.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "aead_test.skel.h"
#include "testlib.h"

void ah_open(struct aead_harness *h)
{
	libbpf_set_print(NULL);
	h->skel = aead_test_bpf__open_and_load();
	if (!h->skel) {
		libbpf_set_print(NULL);
		t_fatal("cannot load tests/aead_test.bpf.c: %s (run as root on Linux 6.10+)",
			strerror(errno));
	}
	h->prog_xdp = bpf_program__fd(h->skel->progs.aead_test_xdp);
	h->prog_tc = bpf_program__fd(h->skel->progs.aead_test_tc);
	h->prog_set_aes = bpf_program__fd(h->skel->progs.aead_test_set_aes);
	h->keys_fd = bpf_map__fd(h->skel->maps.test_keys);
}

void ah_close(struct aead_harness *h)
{
	aead_test_bpf__destroy(h->skel);
	h->skel = NULL;
}

int ah_set_key(struct aead_harness *h, uint32_t idx, int cipher, const uint8_t *key,
	       size_t key_len, const uint8_t nonce_tail[8], const char *algo)
{
	struct ovpn_aead_key *k = calloc(1, sizeof(*k));
	__u32 map_key[4] = { idx };
	int err;

	if (!k)
		return -ENOMEM;
	err = ovpn_aead_key_prepare(k, cipher, key, key_len, nonce_tail);
	if (!err && bpf_map_update_elem(h->keys_fd, &idx, k, BPF_ANY))
		err = -errno;
	free(k);
	if (!err && cipher != OVPN_CIPHER_CHACHA20_POLY1305)
		err = ovpn_aes_ctx_create(h->prog_set_aes, map_key, key, key_len, algo);
	return err;
}

int ah_clear_key(struct aead_harness *h, uint32_t idx)
{
	struct ovpn_aead_key *k = calloc(1, sizeof(*k));
	int err = 0;

	if (!k)
		return -ENOMEM;
	if (bpf_map_update_elem(h->keys_fd, &idx, k, BPF_ANY))
		err = -errno;
	free(k);
	return err;
}

int ah_run(struct aead_harness *h, enum ah_hook hook, enum aead_test_op op,
	   uint32_t idx, uint8_t *pkt, uint32_t len, uint32_t repeat,
	   uint32_t *duration_ns)
{
	static uint8_t buf[AEAD_TEST_OFF + OVPN_DATA_HDR_LEN + OVPN_AEAD_MAX_LEN + 64];
	struct aead_test_hdr hdr = { .op = op, .key = idx, .len = len, .ret = -9999 };
	size_t total = AEAD_TEST_OFF + OVPN_DATA_HDR_LEN + len;
	size_t size = total < 64 ? 64 : total;	/* room for the minimum frame */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_out = buf,
		    .data_size_in = size, .data_size_out = sizeof(buf),
		    .repeat = repeat);
	int fd = hook == AH_XDP ? h->prog_xdp : h->prog_tc;

	if (len > OVPN_AEAD_MAX_LEN + 16)
		return -100000;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + AEAD_TEST_OFF, pkt, OVPN_DATA_HDR_LEN + len);
	if (bpf_prog_test_run_opts(fd, &opts))
		return -100000 - errno;
	memcpy(&hdr, buf, sizeof(hdr));
	memcpy(pkt, buf + AEAD_TEST_OFF, OVPN_DATA_HDR_LEN + len);
	if (duration_ns)
		*duration_ns = opts.duration;
	return hdr.ret;
}

int ah_run_raw(struct aead_harness *h, enum ah_hook hook, enum aead_test_op op,
	       uint32_t idx, const uint8_t nonce[12], const uint8_t *aad,
	       uint32_t aad_len, uint8_t tag[16], uint8_t *data, uint32_t len)
{
	static uint8_t buf[AEAD_TEST_OFF + sizeof(struct aead_test_raw) +
			   OVPN_TAG_LEN + OVPN_AEAD_MAX_LEN + 16];
	struct aead_test_hdr hdr = { .op = op, .key = idx, .len = len, .ret = -9999 };
	struct aead_test_raw raw = { .aad_len = aad_len };
	size_t off = AEAD_TEST_OFF + sizeof(raw);
	size_t size = off + OVPN_TAG_LEN + len;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_out = buf,
		    .data_size_in = size, .data_size_out = sizeof(buf), .repeat = 1);
	int fd = hook == AH_XDP ? h->prog_xdp : h->prog_tc;

	if (size > sizeof(buf))
		return -100000;
	memcpy(raw.nonce, nonce, sizeof(raw.nonce));
	memcpy(raw.aad, aad, aad_len < sizeof(raw.aad) ? aad_len : sizeof(raw.aad));
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + AEAD_TEST_OFF, &raw, sizeof(raw));
	memcpy(buf + off, tag, OVPN_TAG_LEN);
	memcpy(buf + off + OVPN_TAG_LEN, data, len);
	if (bpf_prog_test_run_opts(fd, &opts))
		return -100000 - errno;
	memcpy(&hdr, buf, sizeof(hdr));
	memcpy(tag, buf + off, OVPN_TAG_LEN);
	memcpy(data, buf + off + OVPN_TAG_LEN, len);
	return hdr.ret;
}

static const EVP_CIPHER *evp_cipher(int cipher)
{
	switch (cipher) {
	case OVPN_CIPHER_AES_128_GCM: return EVP_aes_128_gcm();
	case OVPN_CIPHER_AES_192_GCM: return EVP_aes_192_gcm();
	case OVPN_CIPHER_AES_256_GCM: return EVP_aes_256_gcm();
	case OVPN_CIPHER_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
	}
	return NULL;
}

int oracle_aead(int cipher, const uint8_t *key, const uint8_t nonce[12],
		const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		uint8_t *out, uint8_t tag[16], bool seal)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!c)
		return -1;
	ok = EVP_CipherInit_ex(c, evp_cipher(cipher), NULL, NULL, NULL, seal) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, seal) &&
	     (seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag)) &&
	     EVP_CipherUpdate(c, NULL, &n, aad, aad_len) &&
	     (len == 0 || EVP_CipherUpdate(c, out, &n, in, len)) &&
	     EVP_CipherFinal_ex(c, out + len, &n) &&
	     (!seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag));
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void ovpn_nonce(uint8_t nonce[12], const uint8_t *pkt, const uint8_t tail[8])
{
	memcpy(nonce, pkt + 4, 4);
	memcpy(nonce + 4, tail, 8);
}

int oracle_seal(int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		uint8_t *pkt, uint32_t len)
{
	uint8_t nonce[12];

	ovpn_nonce(nonce, pkt, nonce_tail);
	return oracle_aead(cipher, key, nonce, pkt, OVPN_AAD_LEN,
			   pkt + OVPN_DATA_HDR_LEN, len, pkt + OVPN_DATA_HDR_LEN,
			   pkt + OVPN_AAD_LEN, true);
}

int oracle_open(int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		uint8_t *pkt, uint32_t len)
{
	uint8_t nonce[12];

	ovpn_nonce(nonce, pkt, nonce_tail);
	return oracle_aead(cipher, key, nonce, pkt, OVPN_AAD_LEN,
			   pkt + OVPN_DATA_HDR_LEN, len, pkt + OVPN_DATA_HDR_LEN,
			   pkt + OVPN_AAD_LEN, false);
}
