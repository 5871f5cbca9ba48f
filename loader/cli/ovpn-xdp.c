// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdp: the command line of ovpn-xdpd. `ovpn-xdp show` lists instances,
 * interfaces and peers like `wg show`; the other commands map one to one onto
 * the control protocol (include/ovx_ctl.h), for scripts and tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ovpn-xdp [-s SOCKET] [-t TIMEOUT_MS] COMMAND\n\n"
		"The command line of ovpn-xdpd, the OpenVPN data-channel offload daemon:\n"
		"peers, keys and routes by hand, and what the fast path is doing.\n\n"
		"Options:\n"
		"  -s SOCKET      the daemon's control socket (default %s, or $OVPN_XDP_SOCKET)\n"
		"  -t TIMEOUT_MS  how long a command may take (default 5000)\n"
		"  -V, --version  the version\n"
		"\nCommands:\n"
		"  show [--json] [INSTANCE]\n"
		"      instances, interfaces, peers and counters (--json: one JSON document)\n"
		"  attach NAME tun DEV link DEV [link DEV] addr ADDR:PORT [addr ...] [mode server|p2p p2p-peer-id N] [id N] [no-attach]\n"
		"      register an instance and attach the fast path to its devices\n"
		"  instance new ... (as attach) | instance del INSTANCE\n"
		"      register an instance / remove it with its peers\n"
		"  detach [INSTANCE]\n"
		"      without an instance: every program and pin, and the daemon exits\n"
		"  peer new INSTANCE PEER remote ADDR:PORT [local ADDR:PORT] [vpn4 A] [vpn6 A] [move]\n"
		"      add a peer (move: take VPN addresses another peer has)\n"
		"  peer set INSTANCE PEER keepalive-interval S keepalive-timeout S\n"
		"      delete the peer when silent for the timeout\n"
		"  peer del INSTANCE PEER | peer get [INSTANCE [PEER]]\n"
		"      remove a peer / show peers\n"
		"  key new INSTANCE PEER slot primary|secondary key-id N cipher NAME enc-key HEX enc-iv HEX dec-key HEX dec-iv HEX [tx-pid N]\n"
		"      install a key\n"
		"  key swap INSTANCE PEER | key del INSTANCE PEER slot S | key get INSTANCE PEER\n"
		"      swap the slots / remove a key / show the keys\n"
		"  route add INSTANCE PREFIX via PEER [move] | route del INSTANCE PREFIX [via PEER]\n"
		"      route a prefix via a peer (an iroute) / remove it\n"
		"  batch [FILE]\n"
		"      peer, key and route commands, one per line (from FILE or stdin), sent in batches of up to 256\n"
		"  status\n"
		"      as show\n"
		"  monitor [--json]\n"
		"      the daemon's events, one a line, until interrupted\n"
		"  metrics [--max-peers N] [--http]\n"
		"      the counters in Prometheus text format (peers summed per instance above N peers, default 1000; --http: answer the HTTP request on stdin)\n"
		"\n"
		"INSTANCE is an id or a name; keywords may be written --keyword.\n",
		OVX_CTL_DEFAULT_PATH);
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
	if (i < argc && (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version"))) {
		printf("ovpn-xdp %s\n", OVX_VERSION);
		return 0;
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
