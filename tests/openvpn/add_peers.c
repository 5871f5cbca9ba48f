// SPDX-License-Identifier: GPL-2.0
/* add_peers SOCKET INSTANCE FIRST COUNT: installs COUNT dummy peers (ids
 * FIRST..), each with an AES-256-GCM key, into a running ovpn-xdpd instance
 * through its control socket, requests pipelined (dmn_bulk_install). Used by
 * scripts/bench-openvpn.sh for "10,000 installed peers"; prints how many and
 * how fast. Peer i gets remote 10.(100+i>>16).(i>>8).(i):1194 and VPN address
 * 10.(i>>16).(i>>8).(i), away from the bench's 10.8.0.0/24 and 10.99.0.0/24
 * for the ids it uses (below 65,536 * 8). */
#include <stdio.h>
#include <stdlib.h>
#include "daemon_harness.h"

int main(int argc, char **argv)
{
	struct ovpn_ctl_client c;
	struct ovpn_ctl_err e = {};
	double secs;
	long first, n;
	int ok;

	if (argc != 5) {
		fprintf(stderr, "usage: add_peers SOCKET INSTANCE FIRST COUNT\n");
		return 2;
	}
	first = atol(argv[3]);
	n = atol(argv[4]);
	if (first < 0 || n < 0 || first + n > 0x80000) {
		fprintf(stderr, "add_peers: FIRST + COUNT must stay below 524288\n");
		return 2;
	}
	if (ovpn_ctl_open(&c, argv[1], 5000, &e)) {
		fprintf(stderr, "add_peers: %s\n", e.msg);
		return 1;
	}
	ok = dmn_bulk_install(&c, argv[2], first, n, &secs);
	ovpn_ctl_close(&c);
	printf("add_peers: %d of %ld peers with keys installed in %.2f s\n", ok, n, secs);
	return ok == n ? 0 : 1;
}
