/* SPDX-License-Identifier: GPL-2.0 */
/* AES-GCM (128/192/256) for the OpenVPN data channel. STUB: to be written. */
#ifndef OVPN_AEAD_GCM_H
#define OVPN_AEAD_GCM_H

static __always_inline int ovpn_gcm_seal(struct ovpn_aead_key *k,
					 struct ovpn_scratch *s, __u32 len)
{
	return -EOPNOTSUPP;
}

static __always_inline int ovpn_gcm_open(struct ovpn_aead_key *k,
					 struct ovpn_scratch *s, __u32 len)
{
	return -EOPNOTSUPP;
}

#endif /* OVPN_AEAD_GCM_H */
