/* SPDX-License-Identifier: GPL-2.0 */
/* Building the frames the fast path receives: Ethernet (+ VLAN tags), IPv4 or
 * IPv6, UDP, and an OpenVPN P_DATA_V2 payload sealed with OpenSSL. */
#ifndef FRAMES_H
#define FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include "ovx_maps.h"

struct frame_spec {
	struct ovx_sockaddr src, dst;
	int vlans;			/* 0, 1 or 2 tags */
};

/* Writes the frame carrying @payload into @buf; returns its length. */
size_t frame_build(uint8_t *buf, const struct frame_spec *fs, const uint8_t *payload,
		   size_t len);
/* Offset of the UDP payload in a frame built from @fs. */
size_t frame_payload_off(const struct frame_spec *fs);

/* P_DATA_V2 payload: header for @peer_id, @key_id, @pid, then @pt sealed with
 * @cipher/@key/@nonce_tail. Returns the payload length (24 + @pt_len). */
size_t data_v2_build(uint8_t *out, uint32_t peer_id, uint32_t key_id, uint32_t pid,
		     int cipher, const uint8_t *key, const uint8_t nonce_tail[8],
		     const uint8_t *pt, size_t pt_len);

/* An IPv4 (or IPv6) ICMP echo of @len bytes in all, as a tunnel carries. */
size_t inner_ipv4(uint8_t *buf, size_t len, uint32_t seq);
/* Gives the packet of inner_ipv4 the source a.b.c.d (a server's source check
 * delivers only what comes from the peer's VPN address or iroutes). */
void inner_ipv4_src(uint8_t *buf, uint8_t a, uint8_t b, uint8_t c, uint8_t d);
size_t inner_ipv6(uint8_t *buf, size_t len, uint32_t seq);

#endif
