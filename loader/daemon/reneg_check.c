// SPDX-License-Identifier: GPL-2.0
/* Whether OpenVPN renegotiates in time for the fast path (docs/fastpath.md,
 * "Limits"): OpenVPN cannot see what the fast path seals, so in the 2.6
 * format only reneg-sec (or a peer that is not offloaded) renegotiates a
 * key before the fast path uses up its 2^32 packet-ids, or, for AES-GCM,
 * its usage limit, after which that key's packets are dropped until the
 * next renegotiation. One warning line per instance when reneg-sec is 0,
 * or longer than a key's packet-ids last at the fast path's AEAD rate (the
 * cheapest cipher measured at start, on every CPU: an upper bound of what
 * it sends). AES-GCM's usage limit can come sooner with large packets (a
 * stock 2.7 peer renegotiates for it; the fast path reports it, bpf/limit.h):
 * said in the same line, not warned about, as that would be every default
 * configuration. */
#include <unistd.h>
#include "daemon.h"

#define PIDS		4278190080.0	/* OVX_PID_HIGH_WATER: where OpenVPN would */
#define GCM_PKT_BLOCKS	91.0		/* a 1408-byte packet + 24, in blocks, + 1 */

/* Packets per second the fast path's AEAD could seal on all CPUs (0: not
 * measured). */
static double peak_pps(const struct ovpnd *d)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	__u32 ns = 0;

	for (int i = 0; i < OVPND_CALIB_CIPHERS; i++)
		if (d->calib[i].bpf_ns && (!ns || d->calib[i].bpf_ns < ns))
			ns = d->calib[i].bpf_ns;
	return ns ? (cpus > 0 ? cpus : 1) * 1e9 / ns : 0;
}

void ovpnd_reneg_check(const struct ovpnd *d, const struct ovx_req_instance *ri)
{
	double pps = peak_pps(d), pid_s = pps ? PIDS / pps : 0;
	double gcm_s = pps ? (double)OVX_GCM_USAGE_HIGH_WATER / GCM_PKT_BLOCKS / pps : 0;

	if (!ri->has_reneg_sec)
		return;
	if (!ri->reneg_sec)
		ovpnd_log("instance '%s': reneg-sec 0: in the 2.6 data format nothing renegotiates a "
			  "key before the fast path uses up its packet-ids or AES-GCM's usage "
			  "limit (OpenVPN cannot see what it sends), then its packets are dropped; "
			  "set reneg-sec (docs/fastpath.md, Limits)", ri->name);
	else if (pps && ri->reneg_sec > pid_s)
		ovpnd_log("instance '%s': reneg-sec %u is longer than a key's packet-ids last at "
			  "the fast path's peak rate (%.0f s at %.0f packets/s; AES-GCM's usage "
			  "limit, with full-sized packets: %.0f s): in the 2.6 data format its "
			  "packets are then dropped until OpenVPN renegotiates: lower reneg-sec "
			  "(docs/fastpath.md, Limits)", ri->name, ri->reneg_sec, pid_s, pps, gcm_s);
}
