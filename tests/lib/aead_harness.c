// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "aead_sw.h"
#include "aead_test.skel.h"
#include "testlib.h"

void ah_open(struct aead_harness *h)
{
	libbpf_set_print(NULL);
	h->skel = aead_test_bpf__open_and_load();
	if (!h->skel) {
		libbpf_set_print(NULL);
		t_fatal("cannot load tests/lib/aead_test.bpf.c: %s (run as root on Linux 6.10+)",
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
	struct ovx_aead_key *k = calloc(1, sizeof(*k));
	__u32 map_key[4] = { idx };
	int err;

	if (!k)
		return -ENOMEM;
	err = ovx_aead_key_prepare(k, cipher, key, key_len, nonce_tail);
	if (!err && bpf_map_update_elem(h->keys_fd, &idx, k, BPF_ANY))
		err = -errno;
	free(k);
	if (!err && cipher != OVX_CIPHER_CHACHA20_POLY1305)
		err = ovx_aes_ctx_create(h->prog_set_aes, map_key, key, key_len, algo);
	return err;
}

int ah_clear_key(struct aead_harness *h, uint32_t idx)
{
	struct ovx_aead_key *k = calloc(1, sizeof(*k));
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
	static uint8_t buf[AEAD_TEST_OFF + OVX_DATA_HDR_LEN + OVX_AEAD_MAX_LEN + 64];
	struct aead_test_hdr hdr = { .op = op, .key = idx, .len = len, .ret = -9999 };
	size_t total = AEAD_TEST_OFF + OVX_DATA_HDR_LEN + len;
	size_t size = total < 64 ? 64 : total;	/* room for the minimum frame */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_out = buf,
		    .data_size_in = size, .data_size_out = sizeof(buf),
		    .repeat = repeat);
	int fd = hook == AH_XDP ? h->prog_xdp : h->prog_tc;

	if (len > OVX_AEAD_MAX_LEN + 16)
		return -100000;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + AEAD_TEST_OFF, pkt, OVX_DATA_HDR_LEN + len);
	if (bpf_prog_test_run_opts(fd, &opts))
		return -100000 - errno;
	memcpy(&hdr, buf, sizeof(hdr));
	memcpy(pkt, buf + AEAD_TEST_OFF, OVX_DATA_HDR_LEN + len);
	if (duration_ns)
		*duration_ns = opts.duration;
	return hdr.ret;
}

int ah_run_raw(struct aead_harness *h, enum ah_hook hook, enum aead_test_op op,
	       uint32_t idx, const uint8_t nonce[12], const uint8_t *aad,
	       uint32_t aad_len, uint8_t tag[16], uint8_t *data, uint32_t len)
{
	static uint8_t buf[AEAD_TEST_OFF + sizeof(struct aead_test_raw) +
			   OVX_TAG_LEN + OVX_AEAD_MAX_LEN + 16];
	struct aead_test_hdr hdr = { .op = op, .key = idx, .len = len, .ret = -9999 };
	struct aead_test_raw raw = { .aad_len = aad_len };
	size_t off = AEAD_TEST_OFF + sizeof(raw);
	size_t size = off + OVX_TAG_LEN + len;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_out = buf,
		    .data_size_in = size, .data_size_out = sizeof(buf), .repeat = 1);
	int fd = hook == AH_XDP ? h->prog_xdp : h->prog_tc;

	if (size > sizeof(buf))
		return -100000;
	memcpy(raw.nonce, nonce, sizeof(raw.nonce));
	memcpy(raw.aad, aad, aad_len < sizeof(raw.aad) ? aad_len : sizeof(raw.aad));
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + AEAD_TEST_OFF, &raw, sizeof(raw));
	memcpy(buf + off, tag, OVX_TAG_LEN);
	memcpy(buf + off + OVX_TAG_LEN, data, len);
	if (bpf_prog_test_run_opts(fd, &opts))
		return -100000 - errno;
	memcpy(&hdr, buf, sizeof(hdr));
	memcpy(tag, buf + off, OVX_TAG_LEN);
	memcpy(data, buf + off + OVX_TAG_LEN, len);
	return hdr.ret;
}

int oracle_aead(int cipher, const uint8_t *key, const uint8_t nonce[12],
		const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		uint8_t *out, uint8_t tag[16], bool seal)
{
	return ovx_sw_aead(cipher, key, nonce, aad, aad_len, in, len, out, tag, seal);
}

int oracle_seal(int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		uint8_t *pkt, uint32_t len)
{
	return ovx_sw_seal(cipher, key, nonce_tail, pkt, len);
}

int oracle_open(int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		uint8_t *pkt, uint32_t len)
{
	return ovx_sw_open(cipher, key, nonce_tail, pkt, len);
}
