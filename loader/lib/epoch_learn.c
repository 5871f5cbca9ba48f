// SPDX-License-Identifier: GPL-2.0
/* A learnt sample in the epoch layout (epoch_learn.h): header (12) | data |
 * tag (16), keys of the sample's epoch from the receiving direction's E1. */
#include <string.h>
#include <openssl/crypto.h>
#include "aead_sw.h"
#include "cipher.h"
#include "epoch_key.h"
#include "epoch_learn.h"
#include "ovpn_epoch.h"

#define SAMPLE_MAX	(OVPN_EPOCH_OVERHEAD + OVPN_AEAD_MAX_LEN)

static bool opens(int cipher, const struct ovpn_epoch_secret *e, const __u8 *pkt,
		  size_t len)
{
	size_t key_len = ovpn_cipher_key_len(cipher), data = len - OVPN_EPOCH_OVERHEAD;
	__u8 key[OVPN_KEY_MAX_LEN], iv[OVPN_EPOCH_IV_LEN], nonce[OVPN_EPOCH_IV_LEN];
	__u8 tag[OVPN_TAG_LEN], out[SAMPLE_MAX];
	__u64 counter = 0;
	bool ok;

	for (int i = 6; i < OVPN_EPOCH_AAD_LEN; i++)
		counter = counter << 8 | pkt[i];
	if (ovpn_epoch_data_key(e, key_len, key, iv))
		return false;
	ovpn_epoch_nonce(iv, e->epoch, counter, nonce);
	memcpy(tag, pkt + len - OVPN_TAG_LEN, OVPN_TAG_LEN);
	ok = !ovpn_sw_aead(cipher, key, nonce, pkt, OVPN_EPOCH_AAD_LEN,
			   pkt + OVPN_EPOCH_AAD_LEN, data, out, tag, false);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(out, data);
	return ok;
}

int ovpn_epoch_sample_cipher(const __u8 *pkt, size_t len, const __u8 *m, bool server)
{
	static const int ciphers[] = { OVPN_CIPHER_AES_256_GCM, OVPN_CIPHER_CHACHA20_POLY1305,
				       OVPN_CIPHER_AES_128_GCM, OVPN_CIPHER_AES_192_GCM };
	struct ovpn_epoch_secret send, recv;
	__u16 epoch;
	int found = -1;

	if (len <= OVPN_EPOCH_OVERHEAD || len > SAMPLE_MAX)
		return -1;
	epoch = pkt[4] << 8 | pkt[5];
	ovpn_epoch_from_ekm(m, server, &send, &recv);
	/* a peer is at most a few epochs in when its key is learnt */
	if (!epoch || epoch > 1 + OVPN_EPOCH_FUTURE || ovpn_epoch_advance(&recv, epoch))
		goto out;
	for (size_t i = 0; found < 0 && i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (opens(ciphers[i], &recv, pkt, len))
			found = ciphers[i];
out:
	OPENSSL_cleanse(&send, sizeof(send));
	OPENSSL_cleanse(&recv, sizeof(recv));
	return found;
}
