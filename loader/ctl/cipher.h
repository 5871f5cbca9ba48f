/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVX_CTL_CIPHER_H
#define OVX_CTL_CIPHER_H

#include <stddef.h>
#include "ovx_data.h"

/* "AES-256-GCM" (any case) -> OVX_CIPHER_*, or -1 for a cipher the fast path
 * does not offload. */
int ovx_cipher_parse(const char *name);
const char *ovx_cipher_name(int cipher);
/* Key length in bytes the cipher takes, 0 for an unknown cipher. */
size_t ovx_cipher_key_len(int cipher);

#endif
