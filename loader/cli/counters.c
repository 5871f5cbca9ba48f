// SPDX-License-Identifier: GPL-2.0
/* The names of the fast path's counters, as `show`, `show --json` and
 * `metrics` print them. */
#include <stddef.h>
#include "counters.h"

static const char *const drop_names[OVX_DROP_MAX] = {
	[OVX_DROP_BAD_TAG] = "bad_tag",
	[OVX_DROP_REPLAY] = "replay",
	[OVX_DROP_MALFORMED] = "malformed",
	[OVX_DROP_NO_KEY] = "no_key",
	[OVX_DROP_DELIVER] = "deliver",
	[OVX_DROP_PID_EXHAUSTED] = "pid_exhausted",
	[OVX_DROP_ENCAP] = "encap",
	[OVX_DROP_TOO_BIG] = "too_big",
	[OVX_DROP_RENUMBER] = "renumber",
	[OVX_DROP_SOURCE] = "spoofed_source",
};

static const char *const gstat_names[OVX_G_MAX] = {
	[OVX_G_RX_SEEN] = "rx_seen",
	[OVX_G_RX_NOT_DATA] = "rx_not_data",
	[OVX_G_RX_NO_PEER] = "rx_no_peer",
	[OVX_G_RX_NO_KEY] = "rx_no_key",
	[OVX_G_RX_FRAGMENT] = "rx_fragment",
	[OVX_G_RX_TOO_BIG] = "rx_too_big",
	[OVX_G_TX_SEEN] = "tx_seen",
	[OVX_G_TX_NO_PEER] = "tx_no_peer",
	[OVX_G_TX_NO_KEY] = "tx_no_key",
	[OVX_G_TX_TOO_BIG] = "tx_too_big",
	[OVX_G_TX_NO_ROUTE] = "tx_no_route",
	[OVX_G_TX_RENUMBERED] = "tx_renumbered",
	[OVX_G_TX_CSUM_PARTIAL] = "tx_csum_partial",
	[OVX_G_TX_EPOCH_SEALED] = "tx_epoch_sealed",
	[OVX_G_TX_EPOCH_NO_SLOT] = "tx_epoch_no_slot",
	[OVX_G_TX_KEY_WAITING] = "tx_key_waiting",
};

const char *ovx_drop_name(unsigned int reason)
{
	return reason < OVX_DROP_MAX && drop_names[reason] ? drop_names[reason] : NULL;
}

const char *ovx_gstat_name(unsigned int counter)
{
	return counter < OVX_G_MAX && gstat_names[counter] ? gstat_names[counter] : NULL;
}
