// SPDX-License-Identifier: GPL-2.0
/* `ovpn-xdp show --json`: one JSON document, built with jansson so that every
 * string (an instance name comes from OpenVPN's config) is escaped. The field
 * names are a stable interface for scripts. */
#include <stdio.h>
#include <jansson.h>
#include "cli.h"
#include "counters.h"

struct doc {
	json_t *root, *instances, *peers;
};

/* @n counters by name (those this build names), as an object. */
static json_t *counts_json(const struct nlattr *const *tb, int type, unsigned int n,
			   const char *(*name)(unsigned int))
{
	__u64 v[64];
	json_t *o = json_object();

	n = n < 64 ? n : 64;
	cli_counts(tb, type, v, n);
	for (unsigned int i = 0; i < n; i++)
		if (name(i))
			json_object_set_new(o, name(i), json_integer((json_int_t)v[i]));
	return o;
}

static json_t *keys_json(const struct nlattr *keys)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	json_t *a = json_array();

	for_each_item(keys, item, tb) {
		json_t *k = json_pack("{s:s, s:I, s:s, s:I}",
			"slot", cli_u32(tb, OVX_A_SLOT) ? "secondary" : "primary",
			"key_id", (json_int_t)cli_u32(tb, OVX_A_KEY_ID),
			"cipher", cli_str(tb, OVX_A_CIPHER, "?"),
			"tx_pid", (json_int_t)cli_u64(tb, OVX_A_TX_PID));

		if (k && tb[OVX_A_RX_EPOCH])	/* OpenVPN 2.7's epoch data format */
			json_object_set_new(k, "rx_epoch",
					    json_integer((json_int_t)cli_u32(tb, OVX_A_RX_EPOCH)));
		if (k && tb[OVX_A_TX_EPOCH])
			json_object_set_new(k, "tx_epoch",
					    json_integer((json_int_t)cli_u32(tb, OVX_A_TX_EPOCH)));
		json_array_append_new(a, k);
	}
	return a;
}

static void peer_json(void *ctx, const struct nlattr *const *tb)
{
	static const struct { const char *name; int attr; } ctr[] = {
		{ "rx_link_pkts", OVX_A_RX_LINK_PKTS }, { "rx_link_bytes", OVX_A_RX_LINK_BYTES },
		{ "rx_vpn_pkts", OVX_A_RX_VPN_PKTS }, { "rx_vpn_bytes", OVX_A_RX_VPN_BYTES },
		{ "tx_link_pkts", OVX_A_TX_LINK_PKTS }, { "tx_link_bytes", OVX_A_TX_LINK_BYTES },
		{ "tx_vpn_pkts", OVX_A_TX_VPN_PKTS }, { "tx_vpn_bytes", OVX_A_TX_VPN_BYTES },
		{ "rx_to_openvpn", OVX_A_RX_TO_OVPN }, { "drops", OVX_A_DROPS },
	};
	struct doc *d = ctx;
	json_t *p = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I}",
		"instance", (json_int_t)cli_u32(tb, OVX_A_INSTANCE),
		"peer_id", (json_int_t)cli_u32(tb, OVX_A_PEER_ID),
		"remote", cli_str(tb, OVX_A_REMOTE, ""), "local", cli_str(tb, OVX_A_LOCAL, ""),
		"vpn_ipv4", cli_str(tb, OVX_A_VPN_IPV4, ""),
		"vpn_ipv6", cli_str(tb, OVX_A_VPN_IPV6, ""),
		"keepalive_interval", (json_int_t)cli_u32(tb, OVX_A_KEEPALIVE_INTERVAL),
		"keepalive_timeout", (json_int_t)cli_u32(tb, OVX_A_KEEPALIVE_TIMEOUT));
	__u64 age;

	if (!p)
		return;
	json_object_set_new(p, "last_rx_ms", ovx_ctl_u64(tb, OVX_A_LAST_RX_MS, &age) ?
					     json_integer((json_int_t)age) : json_null());
	for (size_t i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++)
		json_object_set_new(p, ctr[i].name,
				    json_integer((json_int_t)cli_u64(tb, ctr[i].attr)));
	json_object_set_new(p, "drops_by_reason",
			    counts_json(tb, OVX_A_DROP_COUNTS, OVX_DROP_MAX, ovx_drop_name));
	json_object_set_new(p, "keys", keys_json(tb[OVX_A_KEYS]));
	json_array_append_new(d->peers, p);
}

static json_t *ifaces_json(const struct nlattr *ifs)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	json_t *a = json_array();

	for_each_item(ifs, item, tb) {
		const char *xdp = ovx_ctl_str(tb, OVX_A_XDP_MODE);

		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}",
			"name", cli_str(tb, OVX_A_NAME, ""),
			"ifindex", (json_int_t)cli_u32(tb, OVX_A_IFINDEX),
			"mtu", (json_int_t)cli_u32(tb, OVX_A_MTU),
			"state", cli_u32(tb, OVX_A_IF_STATE) == OVX_IF_GONE ? "gone" : "up",
			"role", xdp ? "link" : "tun", "xdp", xdp ? xdp : ""));
	}
	return a;
}

static void instance_json(void *ctx, const struct nlattr *const *tb, const struct nlattr *item)
{
	struct doc *d = ctx;
	json_t *socks = json_array();
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, item)
		if (mnl_attr_get_type(a) == OVX_A_SOCKADDR)
			json_array_append_new(socks, json_string(mnl_attr_get_str(a)));
	bool p2p = cli_u32(tb, OVX_A_MODE) == OVX_MODE_P2P;

	json_array_append_new(d->instances, json_pack("{s:I, s:s, s:s, s:b, s:I, s:o, s:o}",
		"id", (json_int_t)cli_u32(tb, OVX_A_INSTANCE),
		"name", cli_str(tb, OVX_A_NAME, ""), "mode", p2p ? "p2p" : "server",
		"client_to_client", !p2p && cli_u32(tb, OVX_A_FLAGS) & OVX_INST_F_C2C,
		"peers", (json_int_t)cli_u32(tb, OVX_A_NPEERS),
		"sockets", socks, "interfaces", ifaces_json(tb[OVX_A_IFACES])));
}

/* [{"cipher": "AES-256-GCM", "fastpath_ns": 14500, "openssl_ns": 1000}, ...] */
static json_t *aead_costs_json(const struct nlattr *list)
{
	json_t *arr = json_array();
	const struct nlattr *item, *a;

	if (!list)
		return arr;
	mnl_attr_for_each_nested(item, list) {
		json_t *o = json_object();

		mnl_attr_for_each_nested(a, item) {
			if (mnl_attr_get_type(a) == OVX_A_CIPHER)
				json_object_set_new(o, "cipher", json_string(mnl_attr_get_str(a)));
			else if (mnl_attr_get_type(a) == OVX_A_AEAD_BPF_NS)
				json_object_set_new(o, "fastpath_ns",
						    json_integer(mnl_attr_get_u32(a)));
			else if (mnl_attr_get_type(a) == OVX_A_AEAD_SW_NS)
				json_object_set_new(o, "openssl_ns",
						    json_integer(mnl_attr_get_u32(a)));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static void status_json(void *ctx, const struct nlattr *const *tb)
{
	struct doc *d = ctx;

	json_object_set_new(d->root, "aead_costs", aead_costs_json(tb[OVX_A_AEAD_COSTS]));

	json_object_set_new(d->root, "pin_path", json_string(cli_str(tb, OVX_A_PIN_PATH, "")));
	json_object_set_new(d->root, "global",
			    counts_json(tb, OVX_A_GLOBAL_COUNTS, OVX_G_MAX, ovx_gstat_name));
}

int cli_show_json(struct cli *c, const char *instance, const char *peer)
{
	struct doc d = { json_object(), json_array(), json_array() };
	const struct cli_visit v = { status_json, instance_json, peer_json, &d };
	int rc = 1;

	if (d.root && d.instances && d.peers && !cli_walk(c, instance, peer, &v)) {
		json_object_set(d.root, "instances", d.instances);
		json_object_set(d.root, "peers", d.peers);
		rc = json_dumpf(d.root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) ? 1 : 0;
		putchar('\n');
	}
	json_decref(d.instances);
	json_decref(d.peers);
	json_decref(d.root);
	return rc;
}
