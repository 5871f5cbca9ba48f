/* SPDX-License-Identifier: GPL-2.0 */
/* Runs ovpn-xdpd for tests: in a network namespace, with its own pin name
 * and socket, and cleans up after it (programs, pins, socket) even when a
 * test fails. */
#ifndef DAEMON_HARNESS_H
#define DAEMON_HARNESS_H

#include <sys/types.h>
#include "ctl_client.h"

struct dmn {
	const char *ns;		/* NULL: the current namespace */
	const char *name;	/* pin name */
	char sock[108];
	pid_t pid;
};

/* build/<prog>, found from the test's own path. */
const char *dmn_build_path(const char *prog);
/* Starts the daemon and waits until its socket answers. */
void dmn_start(struct dmn *d);
/* Sends @sig and reaps it. */
void dmn_kill(struct dmn *d, int sig);
/* Kills it if running, detaches programs and removes pins and socket. */
void dmn_cleanup(struct dmn *d);
/* Connects a client; 0 or -errno. */
int dmn_connect(struct dmn *d, struct ovx_ctl_client *c);

/* Installs peers @first.. @first + n - 1 of instance @inst, each with an
 * AES-256-GCM key, through @c in OVX_CMD_BATCH messages (two in flight);
 * returns the number installed and the seconds it took. */
int dmn_bulk_install(struct ovx_ctl_client *c, const char *inst, __u32 first, int n,
		     double *seconds);
/* The same with one request per message, 128 in flight (the way without
 * batches, for comparison). */
int dmn_bulk_install_single(struct ovx_ctl_client *c, const char *inst, __u32 first, int n,
			    double *seconds);
/* Resident memory of the daemon, KiB. */
long dmn_rss_kib(struct dmn *d);

#endif
