// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdp: the command line of ovpn-xdpd. `ovpn-xdp show` lists instances,
 * interfaces and peers like `wg show`; the other commands map one to one onto
 * the control protocol (include/ovpn_ctl.h), for scripts and tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ovpn-xdp [-s SOCKET] [-t TIMEOUT_MS] COMMAND\n"
		"  show [--json] [INSTANCE]\n"
		"  attach NAME tun DEV link DEV [link DEV] addr ADDR:PORT [addr ...]\n"
		"         [mode server|p2p p2p-peer-id N] [id N] [no-attach]\n"
		"  detach [INSTANCE]        (no instance: every program and pin, daemon exits)\n"
		"  instance new ... (as attach) | instance del INSTANCE\n"
		"  peer new INSTANCE PEER remote ADDR:PORT [local ADDR:PORT] [vpn4 A] [vpn6 A] [move]\n"
		"  peer set INSTANCE PEER keepalive-interval S keepalive-timeout S\n"
		"  peer del INSTANCE PEER | peer get [INSTANCE [PEER]]\n"
		"  key new INSTANCE PEER slot primary|secondary key-id N cipher NAME\n"
		"         enc-key HEX enc-iv HEX dec-key HEX dec-iv HEX [tx-pid N]\n"
		"  key swap INSTANCE PEER | key del INSTANCE PEER slot S | key get INSTANCE PEER\n"
		"  route add INSTANCE PREFIX via PEER [move] | route del INSTANCE PREFIX [via PEER]\n"
		"  batch [FILE]             peer, key and route commands, one per line (from\n"
		"                           FILE or stdin), sent in batches of up to 256\n"
		"  status | monitor [--json]   (events until interrupted, one a line)\n"
		"  metrics [--max-peers N] [--http]   counters in Prometheus text format (peers\n"
		"                             summed per instance above N peers, default 1000;\n"
		"                             --http: answer the HTTP request on stdin)\n"
		"INSTANCE is an id or a name; keywords may be written --keyword.\n");
}

int main(int argc, char **argv)
{
	struct cli c = { .sock = getenv("OVPN_XDP_SOCKET"), .timeout_ms = 5000,
			 .client.fd = -1 };
	int i = 1, rc;

	while (i + 1 < argc && argv[i][0] == '-' && strchr("st", argv[i][1]) && !argv[i][2]) {
		if (argv[i][1] == 's')
			c.sock = argv[i + 1];
		else
			c.timeout_ms = atoi(argv[i + 1]);
		i += 2;
	}
	if (i >= argc || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	rc = cli_run(&c, argc - i, argv + i);
	if (rc == CLI_USAGE)
		usage(stderr);
	return rc;
}
