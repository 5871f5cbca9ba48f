// SPDX-License-Identifier: GPL-2.0
/* Epoch data keys (docs/epoch.md): HKDF-Expand (OpenSSL's HKDF in
 * expand-only mode, SHA-256) over an RFC 8446 style label with the prefix
 * "ovpn ". */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include "epoch_key.h"

#define LABEL_PREFIX		"ovpn "
#define LABEL_PREFIX_LEN	5
#define LABEL_MAX		250
#define INFO_MAX		(2 + 1 + LABEL_PREFIX_LEN + LABEL_MAX + 1)
#define EXPAND_MAX		(255 * 32)	/* RFC 5869: 255 * HashLen */

#define EKM_C2S_CIPHER		0
#define EKM_S2C_CIPHER		128

/* HkdfLabel: u16 length, u8 label length, "ovpn " label, u8 0 (no context). */
static size_t hkdf_label(__u8 *info, const char *label, size_t label_len,
			 size_t out_len)
{
	size_t n = 0;

	info[n++] = out_len >> 8;
	info[n++] = out_len & 0xff;
	info[n++] = LABEL_PREFIX_LEN + label_len;
	memcpy(info + n, LABEL_PREFIX, LABEL_PREFIX_LEN);
	n += LABEL_PREFIX_LEN;
	memcpy(info + n, label, label_len);
	n += label_len;
	info[n++] = 0;
	return n;
}

static int hkdf_expand(const __u8 *secret, __u8 *info, size_t info_len,
		       __u8 *out, size_t out_len)
{
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret,
						  OVX_EPOCH_SECRET_LEN),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, info_len),
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_end(),
	};
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int err = -EIO;

	if (ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1)
		err = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return err;
}

int ovx_epoch_expand_label(const __u8 secret[OVX_EPOCH_SECRET_LEN],
			    const char *label, __u8 *out, size_t out_len)
{
	size_t label_len = strlen(label);
	__u8 info[INFO_MAX];

	if (!label_len || label_len > LABEL_MAX || !out_len || out_len > EXPAND_MAX)
		return -EINVAL;
	return hkdf_expand(secret, info, hkdf_label(info, label, label_len, out_len),
			   out, out_len);
}

void ovx_epoch_from_ekm(const __u8 ekm[OVX_EPOCH_EKM_LEN], bool server,
			 struct ovx_epoch_secret *send,
			 struct ovx_epoch_secret *recv)
{
	size_t out = server ? EKM_S2C_CIPHER : EKM_C2S_CIPHER;
	size_t in = server ? EKM_C2S_CIPHER : EKM_S2C_CIPHER;

	send->epoch = 1;
	memcpy(send->secret, ekm + out, OVX_EPOCH_SECRET_LEN);
	recv->epoch = 1;
	memcpy(recv->secret, ekm + in, OVX_EPOCH_SECRET_LEN);
}

int ovx_epoch_next(struct ovx_epoch_secret *e)
{
	__u8 next[OVX_EPOCH_SECRET_LEN];
	int err;

	if (e->epoch == OVX_EPOCH_MAX)
		return -ERANGE;
	err = ovx_epoch_expand_label(e->secret, "datakey upd", next, sizeof(next));
	if (!err) {
		memcpy(e->secret, next, sizeof(next));
		e->epoch++;
	}
	OPENSSL_cleanse(next, sizeof(next));
	return err;
}

int ovx_epoch_advance(struct ovx_epoch_secret *e, __u16 epoch)
{
	int err = 0;

	if (epoch < e->epoch)
		return -ERANGE;
	while (!err && e->epoch < epoch)
		err = ovx_epoch_next(e);
	return err;
}

int ovx_epoch_data_key(const struct ovx_epoch_secret *e, size_t key_len,
			__u8 *key, __u8 iv[OVX_EPOCH_IV_LEN])
{
	int err;

	if (key_len != 16 && key_len != 24 && key_len != 32)
		return -EINVAL;
	err = ovx_epoch_expand_label(e->secret, "data_key", key, key_len);
	if (!err)
		err = ovx_epoch_expand_label(e->secret, "data_iv", iv,
					      OVX_EPOCH_IV_LEN);
	if (err) {
		OPENSSL_cleanse(key, key_len);
		OPENSSL_cleanse(iv, OVX_EPOCH_IV_LEN);
	}
	return err;
}

void ovx_epoch_nonce(const __u8 iv[OVX_EPOCH_IV_LEN], __u16 epoch,
		      __u64 counter, __u8 nonce[OVX_EPOCH_IV_LEN])
{
	__u64 id = (__u64)epoch << 48 | (counter & OVX_EPOCH_COUNTER_MAX);

	for (int i = 0; i < 8; i++)
		nonce[i] = iv[i] ^ (__u8)(id >> (56 - 8 * i));
	memcpy(nonce + 8, iv + 8, 4);
}

bool ovx_epoch_usage_limit_reached(bool aes_gcm, __u64 plaintext_blocks,
				    __u64 highest_counter)
{
	const __u64 limit = (1ULL << 36) - 1;

	return aes_gcm && plaintext_blocks + highest_counter > limit;
}
