// SPDX-License-Identifier: GPL-2.0
/* What `show`, `show --json` and `metrics` print, fetched once for all:
 * STATUS (the daemon, its instances), then PEER_GET page by page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

__u64 cli_u64(const struct nlattr *const *tb, int type)
{
	__u64 v = 0;

	ovx_ctl_u64(tb, type, &v);
	return v;
}

__u32 cli_u32(const struct nlattr *const *tb, int type)
{
	__u32 v = 0;

	ovx_ctl_u32(tb, type, &v);
	return v;
}

const char *cli_str(const struct nlattr *const *tb, int type, const char *def)
{
	const char *s = ovx_ctl_str(tb, type);

	return s ? s : def;
}

void cli_counts(const struct nlattr *const *tb, int type, __u64 *out, unsigned int n)
{
	const struct nlattr *a = tb[type];
	unsigned int have = a ? mnl_attr_get_payload_len(a) / sizeof(__u64) : 0;

	memset(out, 0, n * sizeof(__u64));
	if (have)
		memcpy(out, mnl_attr_get_payload(a), (have < n ? have : n) * sizeof(__u64));
}

static int walk_status(struct cli *c, const char *filter, const struct cli_visit *v)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	struct ovx_ctl_err e = {};
	__u8 req[64];

	if (ovx_ctl_call(&c->client, ovx_ctl_start(req, OVX_CMD_STATUS, 0), &e)) {
		fprintf(stderr, "ovpn-xdp: STATUS: %s\n", e.msg);
		return 1;
	}
	if (v->status)
		v->status(v->ctx, c->client.msg.tb);
	for_each_item(c->client.msg.tb[OVX_A_INSTANCES], item, tb) {
		char id[16];

		snprintf(id, sizeof(id), "%u", cli_u32(tb, OVX_A_INSTANCE));
		if (filter && strcmp(filter, id) && strcmp(filter, cli_str(tb, OVX_A_NAME, "")))
			continue;
		if (v->instance)
			v->instance(v->ctx, tb, item);
	}
	return 0;
}

static int walk_peers(struct cli *c, const char *instance, const char *peer,
		      const struct cli_visit *v)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	struct ovx_ctl_err e = {};
	__u8 req[256];
	__u64 cursor;
	bool more = false;

	do {
		struct nlmsghdr *nlh = ovx_ctl_start(req, OVX_CMD_PEER_GET, 0);

		if (instance)
			cli_put_instance(nlh, instance);
		if (peer)
			ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, strtoul(peer, NULL, 0));
		if (more)
			ovx_ctl_put_u64(nlh, OVX_A_CURSOR, cursor);
		if (ovx_ctl_call(&c->client, nlh, &e)) {
			fprintf(stderr, "ovpn-xdp: PEER_GET: %s\n", e.msg);
			return 1;
		}
		for_each_item(c->client.msg.tb[OVX_A_PEERS], item, tb)
			if (v->peer)
				v->peer(v->ctx, tb);
		more = ovx_ctl_u64(c->client.msg.tb, OVX_A_CURSOR, &cursor);
	} while (more);
	return 0;
}

int cli_walk(struct cli *c, const char *instance, const char *peer, const struct cli_visit *v)
{
	return walk_status(c, instance, v) ?: walk_peers(c, instance, peer, v);
}
