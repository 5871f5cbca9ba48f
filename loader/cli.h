/* SPDX-License-Identifier: GPL-2.0 */
/* The CLI's parts: building requests from words (cli_req.c), printing
 * replies (cli_show.c). */
#ifndef OVPN_LOADER_CLI_H
#define OVPN_LOADER_CLI_H

#include <stdbool.h>
#include "ctl_client.h"

#define CLI_USAGE	2

struct cli {
	const char *sock;
	int timeout_ms;
	bool json;
	struct ovpn_ctl_client client;
};

/* Runs one command (argv[0] is its first word); returns the exit status. */
int cli_run(struct cli *c, int argc, char **argv);

/* show and friends: print the replies of STATUS and PEER_GET. */
int cli_show(struct cli *c, const char *instance, const char *peer);
int cli_print_keys(const struct nlattr *keys, int indent);
int cli_monitor(struct cli *c);

/* Adds an instance reference: a number is OVPN_A_INSTANCE, else OVPN_A_NAME. */
bool cli_put_instance(struct nlmsghdr *nlh, const char *text);

#endif
