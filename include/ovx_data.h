/* SPDX-License-Identifier: GPL-2.0 */
/* Definitions shared by the BPF programs and userspace. Fixed-width __u32/__u64
 * types only: bpftool skeletons copy these names into userspace. */
#ifndef OVX_DATA_H
#define OVX_DATA_H

#ifdef __bpf__
/* BPF side: vmlinux.h provides the __uN types and struct bpf_crypto_ctx. */
#define OVX_KPTR(type, name) struct type __attribute__((btf_type_tag("kptr"))) *name
#else
#include <linux/types.h>
/* Userspace sees a kptr as an opaque 8-byte slot it must leave zero. */
#define OVX_KPTR(type, name) __u64 name
#endif

/* OpenVPN P_DATA_V2 layout: 8-byte header (the AAD), 16-byte tag, ciphertext. */
#define OVX_AAD_LEN		8
#define OVX_TAG_LEN		16
#define OVX_DATA_HDR_LEN	(OVX_AAD_LEN + OVX_TAG_LEN)
#define OVX_NONCE_TAIL_LEN	8	/* implicit IV, per key and direction */
#define OVX_NONCE_LEN		12	/* packet-id (4, as on the wire) || implicit IV */
#define OVX_KEY_MAX_LEN	32

/* Largest payload (plaintext or ciphertext, without header and tag) that the
 * BPF AEAD handles; larger packets are left to OpenVPN. */
#define OVX_AEAD_MAX_LEN	2048
#define OVX_AEAD_MAX_BLOCKS	(OVX_AEAD_MAX_LEN / 16)

enum ovx_cipher {
	OVX_CIPHER_NONE = 0,
	OVX_CIPHER_AES_128_GCM = 1,
	OVX_CIPHER_AES_192_GCM = 2,
	OVX_CIPHER_AES_256_GCM = 3,
	OVX_CIPHER_CHACHA20_POLY1305 = 4,
};

/* 8-bit Shoup table for GHASH: h[b] = b * H, b placed in the first byte of a
 * field element; {hi, lo} are the element's two big-endian halves. Prepared by
 * userspace once per key (loader/lib/ghash_table.c), never per packet. */
struct ovx_ghash_table {
	__u64 h[256][2];
};

/* One direction of one data-channel key, as the BPF AEAD uses it. */
struct ovx_aead_key {
	__u32 cipher;				/* enum ovx_cipher */
	__u32 key_len;				/* 16, 24 or 32 */
	__u8 key[OVX_KEY_MAX_LEN];		/* ChaCha20 key; zero for AES-GCM,
						 * whose key lives only in the ctx */
	__u8 nonce_tail[OVX_NONCE_TAIL_LEN];	/* implicit IV */
	struct ovx_ghash_table ghash;		/* AES-GCM only */
	OVX_KPTR(bpf_crypto_ctx, aes);		/* ecb(aes) context, AES-GCM only */
};

/* Context of the SEC("syscall") programs that create the AES context of a key
 * already written into a key map: bpf_crypto_ctx_create works only there. */
#define OVX_AES_ALGO_MAX	64
#define OVX_AES_ALGO_DEFAULT	"ecb(aes)"
struct ovx_aes_ctx_args {
	__u32 map_key[4];			/* which entry: meaning set by the map */
	__u32 key_len;
	__s32 err;				/* out: 0 or -errno */
	__u8 key[OVX_KEY_MAX_LEN];
	char algo[OVX_AES_ALGO_MAX];		/* e.g. "ecb(aes)", "ecb(aes-generic)" */
};

#endif /* OVX_DATA_H */
