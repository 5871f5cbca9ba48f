/* SPDX-License-Identifier: GPL-2.0 */
/* Runs the BPF AEAD (tests/lib/aead_test.bpf.c) from userspace, and the OpenSSL
 * oracle it is compared with. */
#ifndef AEAD_HARNESS_H
#define AEAD_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include "aead_test.h"

struct aead_test_bpf;

struct aead_harness {
	struct aead_test_bpf *skel;
	int prog_xdp, prog_tc, prog_set_aes, keys_fd;
};

enum ah_hook { AH_XDP, AH_TC };

/* Loads the test programs; exits the test on failure. */
void ah_open(struct aead_harness *h);
void ah_close(struct aead_harness *h);

/* Installs key slot @idx (one direction). @algo NULL: default ecb(aes).
 * Returns 0 or -errno. */
int ah_set_key(struct aead_harness *h, uint32_t idx, int cipher, const uint8_t *key,
	       size_t key_len, const uint8_t nonce_tail[8], const char *algo);
/* Clears slot @idx (releases its AES context). */
int ah_clear_key(struct aead_harness *h, uint32_t idx);

/* One operation on @pkt = header (8) | tag (16) | data (@len), in place.
 * @len may exceed OVX_AEAD_MAX_LEN by up to 16 (to test the limit).
 * Returns the program's result (0 or -errno), or a large negative value if
 * the test run itself failed. @duration_ns (optional) gets the mean time of
 * @repeat runs. */
int ah_run(struct aead_harness *h, enum ah_hook hook, enum aead_test_op op,
	   uint32_t idx, uint8_t *pkt, uint32_t len, uint32_t repeat,
	   uint32_t *duration_ns);

/* One AEAD_TEST_SEAL_RAW or AEAD_TEST_OPEN_RAW with any 12-byte @nonce and
 * @aad_len bytes of @aad (more than AEAD_TEST_RAW_AAD_MAX: only that many
 * are passed, with the length as given, to test the limit). @tag and @data
 * (@len bytes, up to OVX_AEAD_MAX_LEN + 16) are updated in place. Returns
 * as ah_run. */
int ah_run_raw(struct aead_harness *h, enum ah_hook hook, enum aead_test_op op,
	       uint32_t idx, const uint8_t nonce[12], const uint8_t *aad,
	       uint32_t aad_len, uint8_t tag[16], uint8_t *data, uint32_t len);

/* OpenSSL oracle, OpenVPN layout: @pkt = header (AAD, packet-id at 4) | tag |
 * data; nonce = packet-id || @nonce_tail. Seal fills tag and ciphertext;
 * open checks the tag and writes plaintext (returns -1 on a bad tag). */
int oracle_seal(int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		uint8_t *pkt, uint32_t len);
int oracle_open(int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		uint8_t *pkt, uint32_t len);
/* Generic AEAD with an explicit 12-byte nonce and AAD, for standard vectors:
 * ct and tag out (seal). */
int oracle_aead(int cipher, const uint8_t *key, const uint8_t nonce[12],
		const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
		uint8_t *out, uint8_t tag[16], bool seal);

#endif
