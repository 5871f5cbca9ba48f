/* SPDX-License-Identifier: GPL-2.0 */
/* ChaCha20-Poly1305 (RFC 8439) for the OpenVPN data channel. STUB: to be written. */
#ifndef OVPN_AEAD_CHACHAPOLY_H
#define OVPN_AEAD_CHACHAPOLY_H

static __always_inline int ovpn_chachapoly_seal(struct ovpn_aead_key *k,
					 struct ovpn_scratch *s, __u32 len)
{
	return -EOPNOTSUPP;
}

static __always_inline int ovpn_chachapoly_open(struct ovpn_aead_key *k,
					 struct ovpn_scratch *s, __u32 len)
{
	return -EOPNOTSUPP;
}

#endif /* OVPN_AEAD_CHACHAPOLY_H */
