/* SPDX-License-Identifier: GPL-2.0 */
/* OpenVPN's data-channel framing inside the plaintext (include/ovx_maps.h,
 * OVX_FRAMING_*), from OpenVPN 2.6/2.7's comp.h, compstub.c, lzo.c, lz4.c
 * and fragment.c: encrypt_sign() compresses, then fragments, then encrypts,
 * so the plaintext is
 *     [fragment header, 4 bytes] [compression framing] IP packet
 * - compression v1 without swap (comp-lzo, compress lzo): 0xFA, then the
 *   packet; 0x66 (LZO) marks a compressed one;
 * - compression v1 with swap (compress stub, compress lz4): 0xFB replaces the
 *   packet's first byte, which moves to the end; 0x69 (LZ4) marks a
 *   compressed one;
 * - compression v2 (stub-v2, lz4-v2): the packet unchanged unless its first
 *   byte is 0x50, which is then escaped as 0x50 0x00; 0x50 0x01.. marks a
 *   compressed one. No IP packet starts with 0x50, so v2 needs nothing here:
 *   an escaped or compressed packet is not IP, and goes to OpenVPN;
 * - fragment: a big-endian 32-bit header; 0 is a whole packet (FRAG_WHOLE
 *   with no sequence, id or size), anything else a real fragment.
 * The fast path only ever sends uncompressed whole packets, and delivers
 * only those; everything else goes to OpenVPN, which knows what to do. */
#ifndef OVX_FRAMING_H
#define OVX_FRAMING_H

#include "maps.h"
#include "scratch.h"

#define OVX_NO_COMPRESS_BYTE		0xFA
#define OVX_NO_COMPRESS_BYTE_SWAP	0xFB

/* Bytes of framing in front of the packet (the swap's byte at the end of
 * the packet counted here too). */
static __always_inline __u32 ovx_framing_len(__u32 flags)
{
	return (flags & OVX_FRAMING_FRAGMENT ? OVX_FRAG_HLEN : 0) +
	       (flags & (OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP) ? 1 : 0);
}

/* TX: the packet of @len bytes must go to OpenVPN to be fragmented. */
static __always_inline bool ovx_framing_needs_fragment(__u32 flags, __u32 len)
{
	__u32 comp = flags & (OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP) ? 1 : 0;

	return flags & OVX_FRAMING_FRAGMENT && len + comp > flags >> OVX_FRAG_MAX_SHIFT;
}

/* RX: the plaintext (scratch buf[0..*len)) of an authenticated packet
 * without its framing: the packet is at buf[*off..*off + *len). False for
 * what only OpenVPN can take: real fragments, compressed packets, framing
 * other than the configured one (OpenVPN logs that as it does without the
 * fast path). A swapped packet gets its first byte back in place. */
static __always_inline bool ovx_framing_strip(__u32 flags, __u32 *off, __u32 *len)
{
	struct ovx_scratch *s = ovx_scratch_get();
	__u32 o = 0, n = *len, last;

	*off = 0;
	if (!(flags & (OVX_FRAMING_FRAGMENT | OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP)))
		return true;
	if (!s || n > OVX_AEAD_MAX_LEN)
		return false;
	if (flags & OVX_FRAMING_FRAGMENT) {
		if (n < OVX_FRAG_HLEN || s->buf[0] | s->buf[1] | s->buf[2] | s->buf[3])
			return false;
		o = OVX_FRAG_HLEN;
	}
	if (flags & OVX_FRAMING_COMP_V1) {
		if (n < o + 1 || s->buf[o] != OVX_NO_COMPRESS_BYTE)
			return false;
		o++;
	} else if (flags & OVX_FRAMING_COMP_SWAP) {
		if (n < o + 2 || s->buf[o] != OVX_NO_COMPRESS_BYTE_SWAP)
			return false;
		last = (n - 1) & (OVX_AEAD_MAX_LEN - 1);
		s->buf[o] = s->buf[last];
		n--;
	}
	*off = o;
	*len = n - o;
	return true;
}

/* RX, an instance configured without v1 compression or fragment: an
 * authenticated plaintext of @len bytes that begins as those framings do
 * (0xFA, 0xFB: no IP version; a zero fragment header). The peer frames
 * otherwise than this OpenVPN's options tell (the server pushed a
 * compression or fragment option the client's plugin cannot see): the
 * peer is then left wholly to OpenVPN rather than half-offloaded. */
static __always_inline bool ovx_framing_foreign(__u32 flags, __u32 len)
{
	struct ovx_scratch *s = ovx_scratch_get();

	if (!s || len < 5 ||
	    flags & (OVX_FRAMING_FRAGMENT | OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP))
		return false;
	return s->buf[0] == OVX_NO_COMPRESS_BYTE || s->buf[0] == OVX_NO_COMPRESS_BYTE_SWAP ||
	       !(s->buf[0] | s->buf[1] | s->buf[2] | s->buf[3]);
}

#endif /* OVX_FRAMING_H */
