// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>
#include "aead_harness.h"
#include "frames.h"

static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

size_t frame_payload_off(const struct frame_spec *fs)
{
	size_t l3 = fs->dst.family == OVX_AF_INET ? 20 : 40;

	return 14 + 4 * fs->vlans + l3 + 8;
}

static uint16_t csum16(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static size_t put_l2(uint8_t *b, const struct frame_spec *fs)
{
	uint16_t proto = fs->dst.family == OVX_AF_INET ? 0x0800 : 0x86dd;
	size_t off = 12;

	memcpy(b, mac_dst, 6);
	memcpy(b + 6, mac_src, 6);
	for (int i = 0; i < fs->vlans; i++) {
		uint16_t tpid = i == 0 && fs->vlans == 2 ? 0x88a8 : 0x8100;

		b[off] = tpid >> 8, b[off + 1] = tpid;
		b[off + 2] = 0, b[off + 3] = 10 + i;
		off += 4;
	}
	b[off] = proto >> 8, b[off + 1] = proto;
	return off + 2;
}

static size_t put_l3(uint8_t *b, const struct frame_spec *fs, size_t udp_len)
{
	if (fs->dst.family == OVX_AF_INET) {
		size_t tot = 20 + udp_len;

		memset(b, 0, 20);
		b[0] = 0x45, b[2] = tot >> 8, b[3] = tot, b[6] = 0x40;
		b[8] = 64, b[9] = 17;
		memcpy(b + 12, fs->src.addr, 4);
		memcpy(b + 16, fs->dst.addr, 4);
		uint16_t c = csum16(b, 20);
		b[10] = c >> 8, b[11] = c;
		return 20;
	}
	memset(b, 0, 40);
	b[0] = 0x60, b[4] = udp_len >> 8, b[5] = udp_len, b[6] = 17, b[7] = 64;
	memcpy(b + 8, fs->src.addr, 16);
	memcpy(b + 24, fs->dst.addr, 16);
	return 40;
}

size_t frame_build(uint8_t *buf, const struct frame_spec *fs, const uint8_t *payload,
		   size_t len)
{
	size_t off = put_l2(buf, fs), udp_len = 8 + len;

	off += put_l3(buf + off, fs, udp_len);
	memcpy(buf + off, &fs->src.port, 2);
	memcpy(buf + off + 2, &fs->dst.port, 2);
	buf[off + 4] = udp_len >> 8, buf[off + 5] = udp_len;
	buf[off + 6] = buf[off + 7] = 0;	/* no UDP checksum (IPv4) */
	memcpy(buf + off + 8, payload, len);
	return off + udp_len;
}

size_t data_v2_build(uint8_t *out, uint32_t peer_id, uint32_t key_id, uint32_t pid,
		     int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		     const uint8_t *pt, size_t pt_len)
{
	out[0] = 9 << 3 | key_id;
	out[1] = peer_id >> 16, out[2] = peer_id >> 8, out[3] = peer_id;
	out[4] = pid >> 24, out[5] = pid >> 16, out[6] = pid >> 8, out[7] = pid;
	memcpy(out + OVX_DATA_HDR_LEN, pt, pt_len);
	oracle_seal(cipher, key, nonce_tail, out, pt_len);
	return OVX_DATA_HDR_LEN + pt_len;
}

size_t inner_ipv4(uint8_t *b, size_t len, uint32_t seq)
{
	memset(b, 0, len);
	b[0] = 0x45, b[2] = len >> 8, b[3] = len, b[8] = 64, b[9] = 1;
	b[12] = 10, b[13] = 8, b[14] = 0, b[15] = 2;	/* 10.8.0.2 -> 10.8.0.1 */
	b[16] = 10, b[17] = 8, b[18] = 0, b[19] = 1;
	uint16_t c = csum16(b, 20);
	b[10] = c >> 8, b[11] = c;
	b[20] = 8;					/* echo request */
	for (size_t i = 28; i < len; i++)
		b[i] = seq + i;
	return len;
}

void inner_ipv4_src(uint8_t *b, uint8_t a, uint8_t b1, uint8_t c, uint8_t d)
{
	uint16_t sum;

	b[12] = a, b[13] = b1, b[14] = c, b[15] = d;
	b[10] = b[11] = 0;
	sum = csum16(b, 20);
	b[10] = sum >> 8, b[11] = sum;
}

size_t inner_ipv6(uint8_t *b, size_t len, uint32_t seq)
{
	memset(b, 0, len);
	b[0] = 0x60, b[4] = (len - 40) >> 8, b[5] = len - 40, b[6] = 58, b[7] = 64;
	b[8] = 0xfd, b[23] = 2, b[24] = 0xfd, b[39] = 1;
	if (len > 40)
		b[40] = 128;				/* echo request */
	for (size_t i = 48; i < len; i++)
		b[i] = seq + i;
	return len;
}
