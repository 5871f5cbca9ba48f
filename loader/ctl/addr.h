/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVX_CTL_ADDR_H
#define OVX_CTL_ADDR_H

#include "ovx_maps.h"

/* "a.b.c.d:port", "[v6]:port", or an address alone (port 0). Returns 0 or
 * -EINVAL. */
int ovx_sockaddr_parse(struct ovx_sockaddr *sa, const char *text);

#endif
