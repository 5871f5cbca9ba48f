/* SPDX-License-Identifier: GPL-2.0 */
/* The real OpenVPN 2.6 captures of ../shared/vectors and their keys. */
#ifndef VECTORS_H
#define VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VEC_SERVER_PORT 1194

struct vec_key {
	uint32_t peer_id, key_id;
	int cipher;			/* OVX_CIPHER_* */
	size_t key_len;
	char remote[64], vpn4[32], vpn6[64];
	uint8_t c2s_key[32], c2s_iv[8], s2c_key[32], s2c_iv[8];
};

struct vec_pkt {
	const uint8_t *frame;		/* Ethernet frame as captured */
	size_t frame_len;
	size_t l3_off, udp_off;		/* offsets of the IP and UDP headers */
	const uint8_t *payload;		/* UDP payload */
	size_t payload_len;
	bool c2s;			/* to the server port */
};

struct vec_set {
	struct vec_key keys[64];
	int nkeys;
	struct vec_pkt *pkts;
	int npkts;
	uint8_t *data;
};

/* Directory of the vectors: $OVX_VECTORS, else ../shared/vectors beside the
 * checkout. */
const char *vec_dir(void);
/* OpenVPN 2.7.6's epoch-format captures (scripts/make-epoch-vectors.sh):
 * $OVX_EPOCH_VECTORS, else tests/epoch_vectors of the checkout. */
const char *epoch_vec_dir(void);
/* Loads NAME.pcap and NAME.keys from vec_dir(). Returns 0, or -1 with a message
 * on stderr. */
int vec_load(struct vec_set *v, const char *name);
void vec_free(struct vec_set *v);
const struct vec_key *vec_find_key(const struct vec_set *v, uint32_t peer_id,
				   uint32_t key_id);
/* P_DATA_V2 fields of a packet's payload; false if it is not P_DATA_V2. */
bool vec_data_v2(const struct vec_pkt *p, uint32_t *peer_id, uint32_t *key_id);

#endif
