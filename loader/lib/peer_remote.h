/* SPDX-License-Identifier: GPL-2.0 */
/* Peers named by their remote address, and their VPN addresses, as the
 * OpenVPN plugin reports them (learn-address, client-disconnect). */
#ifndef OVPN_LOADER_PEER_REMOTE_H
#define OVPN_LOADER_PEER_REMOTE_H

#include <stdbool.h>
#include "fastpath.h"

/* The peer of @instance whose remote is @remote; -ENOENT if none. */
int ovpn_peer_find_remote(const struct ovpn_fastpath *fp, __u32 instance,
			  const struct ovpn_sockaddr *remote, __u32 *peer_id);
/* Sets (@add) the peer's VPN address of @family (4 or 16 bytes), taking it
 * from another peer that had it (as OpenVPN's learn-address update does), or
 * removes it if it is still this peer's. */
int ovpn_peer_set_vpn_addr(const struct ovpn_fastpath *fp, __u32 instance, __u32 peer_id,
			   int family, const __u8 *addr, bool add);

#endif
