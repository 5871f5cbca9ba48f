/* SPDX-License-Identifier: GPL-2.0 */
/* Preparing data-channel keys for the BPF AEAD. */
#ifndef OVX_LOADER_AEAD_KEY_H
#define OVX_LOADER_AEAD_KEY_H

#include <stddef.h>
#include "cipher.h"
#include "ovx_data.h"

/* Fills @k for one direction: cipher, ChaCha20 key or GHASH table (from the
 * AES key; the AES key itself is not stored), implicit IV. Returns 0, or
 * -EINVAL for an unknown cipher or a key of the wrong length. */
int ovx_aead_key_prepare(struct ovx_aead_key *k, int cipher, const __u8 *key,
			  size_t key_len, const __u8 nonce_tail[OVX_NONCE_TAIL_LEN]);

/* Builds the GHASH table of an AES key: H = AES_K(0^128). */
int ovx_ghash_table_build(struct ovx_ghash_table *t, const __u8 *key,
			   size_t key_len);

/* Creates the ecb(aes) context of the entry @map_key through the syscall
 * program @prog_fd (see bpf/aes_ctx.h); @algo NULL means the default.
 * Returns 0 or -errno from the kernel. */
int ovx_aes_ctx_create(int prog_fd, const __u32 map_key[4], const __u8 *key,
			size_t key_len, const char *algo);

#endif
