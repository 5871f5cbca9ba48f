/* SPDX-License-Identifier: GPL-2.0 */
/* Names of enum ovx_drop and enum ovx_gstat (include/ovx_maps.h), or NULL
 * for a number this build does not know. */
#ifndef OVX_LOADER_COUNTERS_H
#define OVX_LOADER_COUNTERS_H

#include "ovx_maps.h"

const char *ovx_drop_name(unsigned int reason);
const char *ovx_gstat_name(unsigned int counter);

#endif
