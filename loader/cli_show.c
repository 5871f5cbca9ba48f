// SPDX-License-Identifier: GPL-2.0
/* `ovpn-xdp show`: instances, interfaces and peers, as text or JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *human(__u64 v, char *buf, size_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = v;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	snprintf(buf, n, u ? "%.2f %s" : "%.0f %s", d, units[u]);
	return buf;
}

static __u64 u64_or0(const struct nlattr *const *tb, int type)
{
	__u64 v = 0;

	ovpn_ctl_u64(tb, type, &v);
	return v;
}

static __u32 u32_or0(const struct nlattr *const *tb, int type)
{
	__u32 v = 0;

	ovpn_ctl_u32(tb, type, &v);
	return v;
}

static const char *str_or(const struct nlattr *const *tb, int type, const char *def)
{
	const char *s = ovpn_ctl_str(tb, type);

	return s ? s : def;
}

/* Items of a nested list, each parsed into @tb, for @fn. */
#define for_each_item(list, item, tb)					       \
	for (const struct nlattr *item = list ? mnl_attr_get_payload(list) : NULL; \
	     item && mnl_attr_ok(item, (const char *)mnl_attr_get_payload(list) + \
					mnl_attr_get_payload_len(list) - (const char *)item); \
	     item = mnl_attr_next(item))				       \
		if (!ovpn_ctl_parse_nested(item, tb, NULL))

int cli_print_keys(const struct nlattr *keys, int indent)
{
	const struct nlattr *tb[OVPN_A_MAX + 1];
	int n = 0;

	for_each_item(keys, item, tb) {
		printf("%*s%s key %u: %s, next tx packet-id %" PRIu64 "\n", indent, "",
		       u32_or0(tb, OVPN_A_SLOT) ? "secondary" : "primary", u32_or0(tb, OVPN_A_KEY_ID),
		       str_or(tb, OVPN_A_CIPHER, "?"), (uint64_t)u64_or0(tb, OVPN_A_TX_PID));
		n++;
	}
	if (!n)
		printf("%*sno keys\n", indent, "");
	return 0;
}

static void keys_json(const struct nlattr *keys)
{
	const struct nlattr *tb[OVPN_A_MAX + 1];
	bool first = true;

	printf("\"keys\":[");
	for_each_item(keys, item, tb) {
		printf("%s{\"slot\":\"%s\",\"key_id\":%u,\"cipher\":\"%s\",\"tx_pid\":%" PRIu64 "}",
		       first ? "" : ",", u32_or0(tb, OVPN_A_SLOT) ? "secondary" : "primary",
		       u32_or0(tb, OVPN_A_KEY_ID), str_or(tb, OVPN_A_CIPHER, "?"),
		       (uint64_t)u64_or0(tb, OVPN_A_TX_PID));
		first = false;
	}
	printf("]");
}

static void peer_text(const struct nlattr *const *tb)
{
	char a[32], b[32], c[32], d[32];
	__u64 age;

	printf("peer %u (instance %u)\n", u32_or0(tb, OVPN_A_PEER_ID), u32_or0(tb, OVPN_A_INSTANCE));
	printf("  remote: %s  local: %s\n", str_or(tb, OVPN_A_REMOTE, "-"),
	       str_or(tb, OVPN_A_LOCAL, "-"));
	printf("  vpn addresses: %s %s\n", str_or(tb, OVPN_A_VPN_IPV4, "-"),
	       str_or(tb, OVPN_A_VPN_IPV6, ""));
	cli_print_keys(tb[OVPN_A_KEYS], 2);
	if (ovpn_ctl_u64(tb, OVPN_A_LAST_RX_MS, &age))
		printf("  last packet: %" PRIu64 ".%01" PRIu64 " s ago\n", (uint64_t)age / 1000,
		       (uint64_t)age % 1000 / 100);
	else
		printf("  last packet: never\n");
	printf("  transfer: %s received, %s sent (link: %s in, %s out)\n",
	       human(u64_or0(tb, OVPN_A_RX_VPN_BYTES), a, sizeof(a)),
	       human(u64_or0(tb, OVPN_A_TX_VPN_BYTES), b, sizeof(b)),
	       human(u64_or0(tb, OVPN_A_RX_LINK_BYTES), c, sizeof(c)),
	       human(u64_or0(tb, OVPN_A_TX_LINK_BYTES), d, sizeof(d)));
	printf("  packets: %" PRIu64 " rx, %" PRIu64 " tx, %" PRIu64 " to OpenVPN, %" PRIu64 " dropped",
	       (uint64_t)u64_or0(tb, OVPN_A_RX_VPN_PKTS), (uint64_t)u64_or0(tb, OVPN_A_TX_VPN_PKTS),
	       (uint64_t)u64_or0(tb, OVPN_A_RX_TO_OVPN), (uint64_t)u64_or0(tb, OVPN_A_DROPS));
	if (u64_or0(tb, OVPN_A_DROPS_SOURCE))
		printf(" (%" PRIu64 " spoofed source)", (uint64_t)u64_or0(tb, OVPN_A_DROPS_SOURCE));
	printf("\n");
}

static void peer_json(const struct nlattr *const *tb)
{
	static const struct { const char *name; int attr; } ctr[] = {
		{ "rx_link_pkts", OVPN_A_RX_LINK_PKTS }, { "rx_link_bytes", OVPN_A_RX_LINK_BYTES },
		{ "rx_vpn_pkts", OVPN_A_RX_VPN_PKTS }, { "rx_vpn_bytes", OVPN_A_RX_VPN_BYTES },
		{ "tx_link_pkts", OVPN_A_TX_LINK_PKTS }, { "tx_link_bytes", OVPN_A_TX_LINK_BYTES },
		{ "tx_vpn_pkts", OVPN_A_TX_VPN_PKTS }, { "tx_vpn_bytes", OVPN_A_TX_VPN_BYTES },
		{ "rx_to_openvpn", OVPN_A_RX_TO_OVPN }, { "drops", OVPN_A_DROPS },
		{ "drops_source", OVPN_A_DROPS_SOURCE },
	};
	__u64 age;

	printf("{\"instance\":%u,\"peer_id\":%u,\"remote\":\"%s\",\"local\":\"%s\","
	       "\"vpn_ipv4\":\"%s\",\"vpn_ipv6\":\"%s\",\"keepalive_interval\":%u,"
	       "\"keepalive_timeout\":%u,", u32_or0(tb, OVPN_A_INSTANCE),
	       u32_or0(tb, OVPN_A_PEER_ID), str_or(tb, OVPN_A_REMOTE, ""),
	       str_or(tb, OVPN_A_LOCAL, ""), str_or(tb, OVPN_A_VPN_IPV4, ""),
	       str_or(tb, OVPN_A_VPN_IPV6, ""), u32_or0(tb, OVPN_A_KEEPALIVE_INTERVAL),
	       u32_or0(tb, OVPN_A_KEEPALIVE_TIMEOUT));
	if (ovpn_ctl_u64(tb, OVPN_A_LAST_RX_MS, &age))
		printf("\"last_rx_ms\":%" PRIu64 ",", (uint64_t)age);
	else
		printf("\"last_rx_ms\":null,");
	for (size_t i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++)
		printf("\"%s\":%" PRIu64 ",", ctr[i].name, (uint64_t)u64_or0(tb, ctr[i].attr));
	keys_json(tb[OVPN_A_KEYS]);
	printf("}");
}

static void ifaces_print(const struct nlattr *ifs, bool json)
{
	const struct nlattr *tb[OVPN_A_MAX + 1];
	bool first = true;

	for_each_item(ifs, item, tb) {
		bool gone = u32_or0(tb, OVPN_A_IF_STATE) == OVPN_IF_GONE;
		const char *xdp = ovpn_ctl_str(tb, OVPN_A_XDP_MODE);

		if (json) {
			printf("%s{\"name\":\"%s\",\"ifindex\":%u,\"mtu\":%u,\"state\":\"%s\","
			       "\"role\":\"%s\",\"xdp\":\"%s\"}", first ? "" : ",",
			       str_or(tb, OVPN_A_NAME, ""), u32_or0(tb, OVPN_A_IFINDEX),
			       u32_or0(tb, OVPN_A_MTU), gone ? "gone" : "up", xdp ? "link" : "tun",
			       xdp ? xdp : "");
		} else {
			printf("  %s %s: ifindex %u, mtu %u%s%s%s\n", xdp ? "link" : "tun ",
			       str_or(tb, OVPN_A_NAME, "?"), u32_or0(tb, OVPN_A_IFINDEX),
			       u32_or0(tb, OVPN_A_MTU), xdp ? ", xdp " : "", xdp ? xdp : "",
			       gone ? " -- VANISHED" : "");
		}
		first = false;
	}
}

static void instance_print(const struct nlattr *const *tb, const struct nlattr *item,
			   bool json, bool first)
{
	const struct nlattr *a;
	bool p2p = u32_or0(tb, OVPN_A_MODE) == OVPN_MODE_P2P, f = true;
	bool c2c = !p2p && u32_or0(tb, OVPN_A_FLAGS) & OVPN_INST_F_C2C;

	if (json)
		printf("%s{\"id\":%u,\"name\":\"%s\",\"mode\":\"%s\",\"client_to_client\":%s,"
		       "\"peers\":%u,\"sockets\":[",
		       first ? "" : ",", u32_or0(tb, OVPN_A_INSTANCE), str_or(tb, OVPN_A_NAME, ""),
		       p2p ? "p2p" : "server", c2c ? "true" : "false", u32_or0(tb, OVPN_A_NPEERS));
	else
		printf("instance %u '%s': %s%s, %u peers, socket", u32_or0(tb, OVPN_A_INSTANCE),
		       str_or(tb, OVPN_A_NAME, "?"), p2p ? "p2p" : "server",
		       c2c ? " (client-to-client)" : "", u32_or0(tb, OVPN_A_NPEERS));
	mnl_attr_for_each_nested(a, item)
		if (mnl_attr_get_type(a) == OVPN_A_SOCKADDR) {
			printf(json ? "%s\"%s\"" : "%s %s", json && !f ? "," : "", mnl_attr_get_str(a));
			f = false;
		}
	printf(json ? "],\"interfaces\":[" : "\n");
	ifaces_print(tb[OVPN_A_IFACES], json);
	printf(json ? "]}" : "");
}

static int show_instances(struct cli *c, const char *filter)
{
	struct nlmsghdr *nlh = ovpn_ctl_start(c->client.reply, OVPN_CMD_STATUS, 0);
	const struct nlattr *tb[OVPN_A_MAX + 1];
	struct ovpn_ctl_err e = {};
	__u8 req[64];
	bool first = true;

	nlh = ovpn_ctl_start(req, OVPN_CMD_STATUS, 0);
	if (ovpn_ctl_call(&c->client, nlh, &e)) {
		fprintf(stderr, "ovpn-xdp: STATUS: %s\n", e.msg);
		return 1;
	}
	if (c->json)
		printf("{\"pin_path\":\"%s\",\"instances\":[",
		       str_or(c->client.msg.tb, OVPN_A_PIN_PATH, ""));
	for_each_item(c->client.msg.tb[OVPN_A_INSTANCES], item, tb) {
		char id[16];

		snprintf(id, sizeof(id), "%u", u32_or0(tb, OVPN_A_INSTANCE));
		if (filter && strcmp(filter, id) && strcmp(filter, str_or(tb, OVPN_A_NAME, "")))
			continue;
		instance_print(tb, item, c->json, first);
		first = false;
	}
	printf(c->json ? "],\"peers\":[" : "");
	return 0;
}

/* PEER_GET page by page. */
static int show_peers(struct cli *c, const char *instance, const char *peer)
{
	const struct nlattr *tb[OVPN_A_MAX + 1];
	struct ovpn_ctl_err e = {};
	__u8 req[256];
	__u64 cursor;
	bool more = false, first = true;

	do {
		struct nlmsghdr *nlh = ovpn_ctl_start(req, OVPN_CMD_PEER_GET, 0);

		if (instance)
			cli_put_instance(nlh, instance);
		if (peer)
			ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, strtoul(peer, NULL, 0));
		if (more)
			ovpn_ctl_put_u64(nlh, OVPN_A_CURSOR, cursor);
		if (ovpn_ctl_call(&c->client, nlh, &e)) {
			fprintf(stderr, "ovpn-xdp: PEER_GET: %s\n", e.msg);
			return 1;
		}
		for_each_item(c->client.msg.tb[OVPN_A_PEERS], item, tb) {
			if (c->json) {
				printf(first ? "" : ",");
				peer_json(tb);
			} else {
				peer_text(tb);
			}
			first = false;
		}
		more = ovpn_ctl_u64(c->client.msg.tb, OVPN_A_CURSOR, &cursor);
	} while (more);
	return 0;
}

int cli_show(struct cli *c, const char *instance, const char *peer)
{
	int rc = show_instances(c, instance) ?: show_peers(c, instance, peer);

	if (!rc && c->json)
		printf("]}\n");
	return rc;
}

int cli_monitor(struct cli *c)
{
	__u8 req[64];
	struct nlmsghdr *nlh = ovpn_ctl_start(req, OVPN_CMD_SUBSCRIBE, 0);
	struct ovpn_ctl_err e = {};
	const struct nlattr *const *tb = c->client.msg.tb;

	if (ovpn_ctl_call(&c->client, nlh, &e)) {
		fprintf(stderr, "ovpn-xdp: SUBSCRIBE: %s\n", e.msg);
		return 1;
	}
	c->client.timeout_ms = -1;
	while (!ovpn_ctl_recv(&c->client, &e)) {
		static const char *const names[] = { "?", "pid-high-water", "float" };
		__u32 ev = u32_or0(tb, OVPN_A_EVENT);

		printf("%s instance %u peer %u key %u %s\n",
		       ev == OVPN_EV_PEER_DELETED ? "peer-deleted" : ev < 3 ? names[ev] : "?",
		       u32_or0(tb, OVPN_A_INSTANCE), u32_or0(tb, OVPN_A_PEER_ID),
		       u32_or0(tb, OVPN_A_KEY_ID), str_or(tb, OVPN_A_REMOTE, ""));
		fflush(stdout);
	}
	fprintf(stderr, "ovpn-xdp: %s\n", e.msg);
	return 1;
}
