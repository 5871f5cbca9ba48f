// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <openssl/evp.h>
#include "aead_sw.h"

static const EVP_CIPHER *evp_cipher(int cipher)
{
	switch (cipher) {
	case OVX_CIPHER_AES_128_GCM: return EVP_aes_128_gcm();
	case OVX_CIPHER_AES_192_GCM: return EVP_aes_192_gcm();
	case OVX_CIPHER_AES_256_GCM: return EVP_aes_256_gcm();
	case OVX_CIPHER_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
	}
	return NULL;
}

int ovx_sw_aead(int cipher, const __u8 *key, const __u8 nonce[OVX_NONCE_LEN],
		 const __u8 *aad, size_t aad_len, const __u8 *in, size_t len, __u8 *out,
		 __u8 tag[OVX_TAG_LEN], bool seal)
{
	const EVP_CIPHER *evp = evp_cipher(cipher);
	EVP_CIPHER_CTX *c;
	int n, ok;

	if (!evp || !(c = EVP_CIPHER_CTX_new()))
		return -1;
	ok = EVP_CipherInit_ex(c, evp, NULL, NULL, NULL, seal) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, OVX_NONCE_LEN, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, seal) &&
	     (seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, OVX_TAG_LEN, tag)) &&
	     EVP_CipherUpdate(c, NULL, &n, aad, aad_len) &&
	     (len == 0 || EVP_CipherUpdate(c, out, &n, in, len)) &&
	     EVP_CipherFinal_ex(c, out + len, &n) &&
	     (!seal || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, OVX_TAG_LEN, tag));
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int sw_data(int cipher, const __u8 *key, const __u8 *tail, __u8 *pkt, size_t len,
		   bool seal)
{
	__u8 nonce[OVX_NONCE_LEN];

	memcpy(nonce, pkt + 4, 4);
	memcpy(nonce + 4, tail, OVX_NONCE_TAIL_LEN);
	return ovx_sw_aead(cipher, key, nonce, pkt, OVX_AAD_LEN, pkt + OVX_DATA_HDR_LEN,
			    len, pkt + OVX_DATA_HDR_LEN, pkt + OVX_AAD_LEN, seal);
}

int ovx_sw_seal(int cipher, const __u8 *key, const __u8 nonce_tail[OVX_NONCE_TAIL_LEN],
		 __u8 *pkt, size_t len)
{
	return sw_data(cipher, key, nonce_tail, pkt, len, true);
}

int ovx_sw_open(int cipher, const __u8 *key, const __u8 nonce_tail[OVX_NONCE_TAIL_LEN],
		 __u8 *pkt, size_t len)
{
	return sw_data(cipher, key, nonce_tail, pkt, len, false);
}
