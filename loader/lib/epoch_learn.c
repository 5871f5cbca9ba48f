// SPDX-License-Identifier: GPL-2.0
/* A learnt sample in the epoch layout (epoch_learn.h): header (12) | data |
 * tag (16), keys of the sample's epoch from the receiving direction's E1. */
#include <string.h>
#include <openssl/crypto.h>
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_key.h"
#include "epoch_learn.h"
#include "ovx_epoch.h"

#define SAMPLE_MAX	(OVX_EPOCH_OVERHEAD + OVX_AEAD_MAX_LEN)

static bool opens(int cipher, const struct ovx_epoch_secret *e, const __u8 *pkt,
		  size_t len)
{
	size_t key_len = ovx_cipher_key_len(cipher), data = len - OVX_EPOCH_OVERHEAD;
	__u8 key[OVX_KEY_MAX_LEN], iv[OVX_EPOCH_IV_LEN], nonce[OVX_EPOCH_IV_LEN];
	__u8 tag[OVX_TAG_LEN], out[SAMPLE_MAX];
	__u64 counter = 0;
	bool ok;

	for (int i = 6; i < OVX_EPOCH_AAD_LEN; i++)
		counter = counter << 8 | pkt[i];
	if (ovx_epoch_data_key(e, key_len, key, iv))
		return false;
	ovx_epoch_nonce(iv, e->epoch, counter, nonce);
	memcpy(tag, pkt + len - OVX_TAG_LEN, OVX_TAG_LEN);
	ok = !ovx_sw_aead(cipher, key, nonce, pkt, OVX_EPOCH_AAD_LEN,
			   pkt + OVX_EPOCH_AAD_LEN, data, out, tag, false);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(out, data);
	return ok;
}

int ovx_epoch_sample_cipher(const __u8 *pkt, size_t len, const __u8 *m, bool server)
{
	static const int ciphers[] = { OVX_CIPHER_AES_256_GCM, OVX_CIPHER_CHACHA20_POLY1305,
				       OVX_CIPHER_AES_128_GCM, OVX_CIPHER_AES_192_GCM };
	struct ovx_epoch_secret send, recv;
	__u16 epoch;
	int found = -1;

	if (len <= OVX_EPOCH_OVERHEAD || len > SAMPLE_MAX)
		return -1;
	epoch = pkt[4] << 8 | pkt[5];
	ovx_epoch_from_ekm(m, server, &send, &recv);
	/* a peer is at most a few epochs in when its key is learnt */
	if (!epoch || epoch > 1 + OVX_EPOCH_FUTURE || ovx_epoch_advance(&recv, epoch))
		goto out;
	for (size_t i = 0; found < 0 && i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (opens(ciphers[i], &recv, pkt, len))
			found = ciphers[i];
out:
	OPENSSL_cleanse(&send, sizeof(send));
	OPENSSL_cleanse(&recv, sizeof(recv));
	return found;
}
