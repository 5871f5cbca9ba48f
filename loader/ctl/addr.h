/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVPN_CTL_ADDR_H
#define OVPN_CTL_ADDR_H

#include "ovpn_maps.h"

/* "a.b.c.d:port", "[v6]:port", or an address alone (port 0). Returns 0 or
 * -EINVAL. */
int ovpn_sockaddr_parse(struct ovpn_sockaddr *sa, const char *text);

#endif
