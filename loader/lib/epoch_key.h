/* SPDX-License-Identifier: GPL-2.0 */
/* Key derivation of OpenVPN 2.7's epoch data format (docs/epoch.md):
 * HKDF-Expand-Label with the "ovpn " prefix, SHA-256. */
#ifndef OVX_LOADER_EPOCH_KEY_H
#define OVX_LOADER_EPOCH_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define OVX_EPOCH_SECRET_LEN	32
#define OVX_EPOCH_IV_LEN	12	/* implicit IV, XORed with id64 || 0^32 */
#define OVX_EPOCH_EKM_LEN	256	/* TLS-EKM "EXPORTER-OpenVPN-datakeys" */
#define OVX_EPOCH_MAX		0xffff
#define OVX_EPOCH_COUNTER_MAX	0xffffffffffffULL	/* 48-bit counter */

/* The secret E(n) of one direction. */
struct ovx_epoch_secret {
	__u16 epoch;				/* n, 1 for E1 */
	__u8 secret[OVX_EPOCH_SECRET_LEN];
};

/* OVPN-Expand-Label(secret, label, "", out_len). Returns 0, or -EINVAL for
 * a label longer than 250 bytes or out_len 0 or above 255 * 32, -EIO when
 * OpenSSL fails. */
int ovx_epoch_expand_label(const __u8 secret[OVX_EPOCH_SECRET_LEN],
			    const char *label, __u8 *out, size_t out_len);

/* E1 of both directions from the 256-byte TLS-EKM export, for the server
 * (sends server->client) or the client. */
void ovx_epoch_from_ekm(const __u8 ekm[OVX_EPOCH_EKM_LEN], bool server,
			 struct ovx_epoch_secret *send,
			 struct ovx_epoch_secret *recv);

/* E(n) -> E(n+1) in place. Returns 0, -ERANGE at epoch 65535 (the last),
 * -EIO when OpenSSL fails (then @e is unchanged). */
int ovx_epoch_next(struct ovx_epoch_secret *e);

/* E(n) -> E(@epoch), @epoch >= n. Returns 0, -ERANGE for an earlier epoch
 * (secrets only go forward), -EIO. */
int ovx_epoch_advance(struct ovx_epoch_secret *e, __u16 epoch);

/* The data key (@key_len bytes: 16, 24 or 32) and the 12-byte implicit IV
 * of epoch @e. Returns 0, -EINVAL, -EIO. */
int ovx_epoch_data_key(const struct ovx_epoch_secret *e, size_t key_len,
			__u8 *key, __u8 iv[OVX_EPOCH_IV_LEN]);

/* The 12-byte nonce of a packet: (epoch << 48 | counter, big-endian) || 0^32,
 * XOR the implicit IV. */
void ovx_epoch_nonce(const __u8 iv[OVX_EPOCH_IV_LEN], __u16 epoch,
		      __u64 counter, __u8 nonce[OVX_EPOCH_IV_LEN]);

/* Whether an AES-GCM send key has reached OpenVPN 2.7's usage limit
 * (plaintext blocks + highest packet-id > 2^36 - 1): the sender then moves
 * to the next epoch. ChaCha20-Poly1305 has none (@aes_gcm false). */
bool ovx_epoch_usage_limit_reached(bool aes_gcm, __u64 plaintext_blocks,
				    __u64 highest_counter);

#endif
