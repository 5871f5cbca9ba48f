/* SPDX-License-Identifier: GPL-2.0 */
/* Names of enum ovpn_drop and enum ovpn_gstat (include/ovpn_maps.h), or NULL
 * for a number this build does not know. */
#ifndef OVPN_LOADER_COUNTERS_H
#define OVPN_LOADER_COUNTERS_H

#include "ovpn_maps.h"

const char *ovpn_drop_name(unsigned int reason);
const char *ovpn_gstat_name(unsigned int counter);

#endif
