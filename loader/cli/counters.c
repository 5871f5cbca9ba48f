// SPDX-License-Identifier: GPL-2.0
/* The names of the fast path's counters, as `show`, `show --json` and
 * `metrics` print them. */
#include <stddef.h>
#include "counters.h"

static const char *const drop_names[OVPN_DROP_MAX] = {
	[OVPN_DROP_BAD_TAG] = "bad_tag",
	[OVPN_DROP_REPLAY] = "replay",
	[OVPN_DROP_MALFORMED] = "malformed",
	[OVPN_DROP_NO_KEY] = "no_key",
	[OVPN_DROP_DELIVER] = "deliver",
	[OVPN_DROP_PID_EXHAUSTED] = "pid_exhausted",
	[OVPN_DROP_ENCAP] = "encap",
	[OVPN_DROP_TOO_BIG] = "too_big",
	[OVPN_DROP_RENUMBER] = "renumber",
	[OVPN_DROP_SOURCE] = "spoofed_source",
};

static const char *const gstat_names[OVPN_G_MAX] = {
	[OVPN_G_RX_SEEN] = "rx_seen",
	[OVPN_G_RX_NOT_DATA] = "rx_not_data",
	[OVPN_G_RX_NO_PEER] = "rx_no_peer",
	[OVPN_G_RX_NO_KEY] = "rx_no_key",
	[OVPN_G_RX_FRAGMENT] = "rx_fragment",
	[OVPN_G_RX_TOO_BIG] = "rx_too_big",
	[OVPN_G_TX_SEEN] = "tx_seen",
	[OVPN_G_TX_NO_PEER] = "tx_no_peer",
	[OVPN_G_TX_NO_KEY] = "tx_no_key",
	[OVPN_G_TX_TOO_BIG] = "tx_too_big",
	[OVPN_G_TX_NO_ROUTE] = "tx_no_route",
	[OVPN_G_TX_RENUMBERED] = "tx_renumbered",
	[OVPN_G_TX_CSUM_PARTIAL] = "tx_csum_partial",
};

const char *ovpn_drop_name(unsigned int reason)
{
	return reason < OVPN_DROP_MAX && drop_names[reason] ? drop_names[reason] : NULL;
}

const char *ovpn_gstat_name(unsigned int counter)
{
	return counter < OVPN_G_MAX && gstat_names[counter] ? gstat_names[counter] : NULL;
}
