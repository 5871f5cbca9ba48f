/* SPDX-License-Identifier: GPL-2.0 */
/* Definitions shared by the BPF programs and userspace. Fixed-width __u32/__u64
 * types only: bpftool skeletons copy these names into userspace. */
#ifndef OVPN_XDP_H
#define OVPN_XDP_H

#ifdef __bpf__
/* BPF side: vmlinux.h provides the __uN types and struct bpf_crypto_ctx. */
#define OVPN_KPTR(type, name) struct type __attribute__((btf_type_tag("kptr"))) *name
#else
#include <linux/types.h>
/* Userspace sees a kptr as an opaque 8-byte slot it must leave zero. */
#define OVPN_KPTR(type, name) __u64 name
#endif

/* OpenVPN P_DATA_V2 layout: 8-byte header (the AAD), 16-byte tag, ciphertext. */
#define OVPN_AAD_LEN		8
#define OVPN_TAG_LEN		16
#define OVPN_DATA_HDR_LEN	(OVPN_AAD_LEN + OVPN_TAG_LEN)
#define OVPN_NONCE_TAIL_LEN	8	/* implicit IV, per key and direction */
#define OVPN_NONCE_LEN		12	/* packet-id (4, as on the wire) || implicit IV */
#define OVPN_KEY_MAX_LEN	32

/* Largest payload (plaintext or ciphertext, without header and tag) that the
 * BPF AEAD handles; larger packets are left to OpenVPN. */
#define OVPN_AEAD_MAX_LEN	2048
#define OVPN_AEAD_MAX_BLOCKS	(OVPN_AEAD_MAX_LEN / 16)

enum ovpn_cipher {
	OVPN_CIPHER_NONE = 0,
	OVPN_CIPHER_AES_128_GCM = 1,
	OVPN_CIPHER_AES_192_GCM = 2,
	OVPN_CIPHER_AES_256_GCM = 3,
	OVPN_CIPHER_CHACHA20_POLY1305 = 4,
};

/* 8-bit Shoup table for GHASH: h[b] = b * H, b placed in the first byte of a
 * field element; {hi, lo} are the element's two big-endian halves. Prepared by
 * userspace once per key (loader/ghash_table.c), never per packet. */
struct ovpn_ghash_table {
	__u64 h[256][2];
};

/* One direction of one data-channel key, as the BPF AEAD uses it. */
struct ovpn_aead_key {
	__u32 cipher;				/* enum ovpn_cipher */
	__u32 key_len;				/* 16, 24 or 32 */
	__u8 key[OVPN_KEY_MAX_LEN];		/* ChaCha20 key; zero for AES-GCM,
						 * whose key lives only in the ctx */
	__u8 nonce_tail[OVPN_NONCE_TAIL_LEN];	/* implicit IV */
	struct ovpn_ghash_table ghash;		/* AES-GCM only */
	OVPN_KPTR(bpf_crypto_ctx, aes);		/* ecb(aes) context, AES-GCM only */
};

/* Context of the SEC("syscall") programs that create the AES context of a key
 * already written into a key map: bpf_crypto_ctx_create works only there. */
#define OVPN_AES_ALGO_MAX	64
#define OVPN_AES_ALGO_DEFAULT	"ecb(aes)"
struct ovpn_aes_ctx_args {
	__u32 map_key[4];			/* which entry: meaning set by the map */
	__u32 key_len;
	__s32 err;				/* out: 0 or -errno */
	__u8 key[OVPN_KEY_MAX_LEN];
	char algo[OVPN_AES_ALGO_MAX];		/* e.g. "ecb(aes)", "ecb(aes-generic)" */
};

#endif /* OVPN_XDP_H */
