// SPDX-License-Identifier: GPL-2.0
/* `ovpn-xdp monitor`: the daemon's events, one a line, until interrupted. */
#include <stdio.h>
#include <unistd.h>
#include <jansson.h>
#include "cli.h"

/* Subscribes on a fresh connection; 0 or -errno (said on stderr). */
static int monitor_subscribe(struct cli *c, bool quiet)
{
	__u8 req[64];
	struct nlmsghdr *nlh = ovx_ctl_start(req, OVX_CMD_SUBSCRIBE, 0);
	struct ovx_ctl_err e = {};
	int err;

	err = ovx_ctl_open_call(&c->client, c->sock, c->timeout_ms, nlh, &e);
	if (err) {
		if (!quiet)
			fprintf(stderr, "ovpn-xdp: SUBSCRIBE: %s\n", e.msg);
		ovx_ctl_close(&c->client);
		return err;
	}
	c->client.timeout_ms = -1;	/* events come when they come */
	return 0;
}

static void monitor_print(const struct cli *c, const struct nlattr *const *tb)
{
	static const char *const names[] = { "?", "pid-high-water", "float", "foreign-framing",
					      "epoch-moved", "usage-high-water" };
	__u32 ev = cli_u32(tb, OVX_A_EVENT);
	const char *name = ev == OVX_EV_PEER_DELETED ? "peer-deleted" : ev < 6 ? names[ev] : "?";

	if (c->json) {
		json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "event", name,
				      "instance", (json_int_t)cli_u32(tb, OVX_A_INSTANCE),
				      "peer_id", (json_int_t)cli_u32(tb, OVX_A_PEER_ID),
				      "key_id", (json_int_t)cli_u32(tb, OVX_A_KEY_ID),
				      "reason", (json_int_t)cli_u32(tb, OVX_A_REASON),
				      "remote", cli_str(tb, OVX_A_REMOTE, ""));

		if (o)
			json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%s instance %u peer %u key %u %s", name, cli_u32(tb, OVX_A_INSTANCE),
		       cli_u32(tb, OVX_A_PEER_ID), cli_u32(tb, OVX_A_KEY_ID),
		       cli_str(tb, OVX_A_REMOTE, ""));
		if (ev == OVX_EV_PEER_DELETED)
			printf(" reason %u", cli_u32(tb, OVX_A_REASON));
		putchar('\n');
	}
	fflush(stdout);
}

/* Events until interrupted; a daemon that goes away is waited for and
 * subscribed to again. */
int cli_monitor(struct cli *c)
{
	struct ovx_ctl_err e = {};

	if (monitor_subscribe(c, false))
		return 1;
	for (;;) {
		while (!ovx_ctl_recv(&c->client, &e))
			monitor_print(c, c->client.msg.tb);
		fprintf(stderr, "ovpn-xdp: %s; waiting for ovpn-xdpd\n", e.msg);
		ovx_ctl_close(&c->client);
		while (monitor_subscribe(c, true))
			sleep(1);
		fprintf(stderr, "ovpn-xdp: subscribed again\n");
	}
}
