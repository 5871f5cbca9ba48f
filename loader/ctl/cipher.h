/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVPN_CTL_CIPHER_H
#define OVPN_CTL_CIPHER_H

#include <stddef.h>
#include "ovpn_xdp.h"

/* "AES-256-GCM" (any case) -> OVPN_CIPHER_*, or -1 for a cipher the fast path
 * does not offload. */
int ovpn_cipher_parse(const char *name);
const char *ovpn_cipher_name(int cipher);
/* Key length in bytes the cipher takes, 0 for an unknown cipher. */
size_t ovpn_cipher_key_len(int cipher);

#endif
