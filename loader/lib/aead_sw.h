/* SPDX-License-Identifier: GPL-2.0 */
/* The OpenVPN AEAD in userspace, with OpenSSL: to identify a learnt key's
 * cipher, and as the tests' oracle. */
#ifndef OVX_LOADER_AEAD_SW_H
#define OVX_LOADER_AEAD_SW_H

#include <stdbool.h>
#include <stddef.h>
#include "ovx_data.h"

/* Any nonce and AAD: @seal writes @out and @tag, else checks @tag and writes
 * @out. Returns 0, or -1 (bad tag, unknown cipher, OpenSSL failure). */
int ovx_sw_aead(int cipher, const __u8 *key, const __u8 nonce[OVX_NONCE_LEN],
		 const __u8 *aad, size_t aad_len, const __u8 *in, size_t len, __u8 *out,
		 __u8 tag[OVX_TAG_LEN], bool seal);

/* OpenVPN's layout, in place: @pkt = header (AAD; packet-id at 4) | tag |
 * @len bytes; nonce = packet-id || @nonce_tail. */
int ovx_sw_seal(int cipher, const __u8 *key, const __u8 nonce_tail[OVX_NONCE_TAIL_LEN],
		 __u8 *pkt, size_t len);
int ovx_sw_open(int cipher, const __u8 *key, const __u8 nonce_tail[OVX_NONCE_TAIL_LEN],
		 __u8 *pkt, size_t len);

#endif
