// SPDX-License-Identifier: GPL-2.0
/* The ciphers the fast path offloads, by OpenVPN's names. */
#include <strings.h>
#include "cipher.h"

static const struct {
	const char *name;
	int cipher;
	size_t key_len;
} ciphers[] = {
	{ "AES-128-GCM", OVX_CIPHER_AES_128_GCM, 16 },
	{ "AES-192-GCM", OVX_CIPHER_AES_192_GCM, 24 },
	{ "AES-256-GCM", OVX_CIPHER_AES_256_GCM, 32 },
	{ "CHACHA20-POLY1305", OVX_CIPHER_CHACHA20_POLY1305, 32 },
};

#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

int ovx_cipher_parse(const char *name)
{
	for (size_t i = 0; i < N_CIPHERS; i++)
		if (!strcasecmp(name, ciphers[i].name))
			return ciphers[i].cipher;
	return -1;
}

const char *ovx_cipher_name(int cipher)
{
	for (size_t i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].cipher == cipher)
			return ciphers[i].name;
	return "none";
}

size_t ovx_cipher_key_len(int cipher)
{
	for (size_t i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].cipher == cipher)
			return ciphers[i].key_len;
	return 0;
}
