// SPDX-License-Identifier: GPL-2.0
/* `ovpn-xdp show`: instances, interfaces, peers and counters, as text. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "counters.h"

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

int cli_print_keys(const struct nlattr *keys, int indent)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	int n = 0;

	for_each_item(keys, item, tb) {
		printf("%*s%s key %u: %s, ", indent, "",
		       cli_u32(tb, OVX_A_SLOT) ? "secondary" : "primary", cli_u32(tb, OVX_A_KEY_ID),
		       cli_str(tb, OVX_A_CIPHER, "?"));
		if (tb[OVX_A_RX_EPOCH])	/* OpenVPN 2.7's epoch data format */
			printf("epoch format, receive epoch %u, send epoch %u\n",
			       cli_u32(tb, OVX_A_RX_EPOCH), cli_u32(tb, OVX_A_TX_EPOCH));
		else
			printf("next tx packet-id %" PRIu64 "\n", (uint64_t)cli_u64(tb, OVX_A_TX_PID));
		n++;
	}
	if (!n)
		printf("%*sno keys\n", indent, "");
	return 0;
}

/* "label: 3 name, 1 other" for the counters that are not 0, or nothing. */
static void nonzero_line(const char *label, const __u64 *v, unsigned int n,
			 const char *(*name)(unsigned int))
{
	bool any = false;

	for (unsigned int i = 0; i < n; i++) {
		if (!v[i] || !name(i))
			continue;
		printf("%s %" PRIu64 " %s", any ? "," : label, (uint64_t)v[i], name(i));
		any = true;
	}
	if (any)
		putchar('\n');
}

static void peer_text(void *ctx, const struct nlattr *const *tb)
{
	char a[32], b[32], c[32], d[32];
	__u64 age, drops[OVX_DROP_MAX];

	(void)ctx;
	printf("peer %u (instance %u)\n", cli_u32(tb, OVX_A_PEER_ID), cli_u32(tb, OVX_A_INSTANCE));
	printf("  remote: %s  local: %s\n", cli_str(tb, OVX_A_REMOTE, "-"),
	       cli_str(tb, OVX_A_LOCAL, "-"));
	printf("  vpn addresses: %s %s\n", cli_str(tb, OVX_A_VPN_IPV4, "-"),
	       cli_str(tb, OVX_A_VPN_IPV6, ""));
	cli_print_keys(tb[OVX_A_KEYS], 2);
	if (ovx_ctl_u64(tb, OVX_A_LAST_RX_MS, &age))
		printf("  last packet: %" PRIu64 ".%01" PRIu64 " s ago\n", (uint64_t)age / 1000,
		       (uint64_t)age % 1000 / 100);
	else
		printf("  last packet: never\n");
	printf("  transfer: %s received, %s sent (link: %s in, %s out)\n",
	       human(cli_u64(tb, OVX_A_RX_VPN_BYTES), a, sizeof(a)),
	       human(cli_u64(tb, OVX_A_TX_VPN_BYTES), b, sizeof(b)),
	       human(cli_u64(tb, OVX_A_RX_LINK_BYTES), c, sizeof(c)),
	       human(cli_u64(tb, OVX_A_TX_LINK_BYTES), d, sizeof(d)));
	printf("  packets: %" PRIu64 " rx, %" PRIu64 " tx, %" PRIu64 " to OpenVPN, %" PRIu64 " dropped\n",
	       (uint64_t)cli_u64(tb, OVX_A_RX_VPN_PKTS), (uint64_t)cli_u64(tb, OVX_A_TX_VPN_PKTS),
	       (uint64_t)cli_u64(tb, OVX_A_RX_TO_OVPN), (uint64_t)cli_u64(tb, OVX_A_DROPS));
	cli_counts(tb, OVX_A_DROP_COUNTS, drops, OVX_DROP_MAX);
	nonzero_line("  drops:", drops, OVX_DROP_MAX, ovx_drop_name);
}

static void ifaces_text(const struct nlattr *ifs)
{
	const struct nlattr *tb[OVX_A_MAX + 1];

	for_each_item(ifs, item, tb) {
		bool gone = cli_u32(tb, OVX_A_IF_STATE) == OVX_IF_GONE;
		const char *xdp = ovx_ctl_str(tb, OVX_A_XDP_MODE);

		printf("  %s %s: ifindex %u, mtu %u%s%s%s\n", xdp ? "link" : "tun ",
		       cli_str(tb, OVX_A_NAME, "?"), cli_u32(tb, OVX_A_IFINDEX),
		       cli_u32(tb, OVX_A_MTU), xdp ? ", xdp " : "", xdp ? xdp : "",
		       gone ? " -- VANISHED" : "");
	}
}

static void instance_text(void *ctx, const struct nlattr *const *tb, const struct nlattr *item)
{
	const struct nlattr *a;
	bool p2p = cli_u32(tb, OVX_A_MODE) == OVX_MODE_P2P;
	bool c2c = !p2p && cli_u32(tb, OVX_A_FLAGS) & OVX_INST_F_C2C;

	(void)ctx;
	printf("instance %u '%s': %s%s, %u peers, socket", cli_u32(tb, OVX_A_INSTANCE),
	       cli_str(tb, OVX_A_NAME, "?"), p2p ? "p2p" : "server",
	       c2c ? " (client-to-client)" : "", cli_u32(tb, OVX_A_NPEERS));
	mnl_attr_for_each_nested(a, item)
		if (mnl_attr_get_type(a) == OVX_A_SOCKADDR)
			printf(" %s", mnl_attr_get_str(a));
	putchar('\n');
	ifaces_text(tb[OVX_A_IFACES]);
}

/* "AEAD, us per packet, fast path/OpenSSL: AES-256-GCM 14.5/1.0, ..." */
static void aead_costs_text(const struct nlattr *list)
{
	const struct nlattr *item, *a;
	const char *sep = "AEAD, us per 1408-byte packet, fast path/OpenSSL:";

	if (!list)
		return;
	mnl_attr_for_each_nested(item, list) {
		const char *cipher = "?";
		__u32 bpf = 0, sw = 0;

		mnl_attr_for_each_nested(a, item) {
			if (mnl_attr_get_type(a) == OVX_A_CIPHER)
				cipher = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == OVX_A_AEAD_BPF_NS)
				bpf = mnl_attr_get_u32(a);
			else if (mnl_attr_get_type(a) == OVX_A_AEAD_SW_NS)
				sw = mnl_attr_get_u32(a);
		}
		printf("%s %s %.1f/%.1f", sep, cipher, bpf / 1000.0, sw / 1000.0);
		sep = ",";
	}
	if (sep[0] == ',')
		putchar('\n');
}

static void status_text(void *ctx, const struct nlattr *const *tb)
{
	__u64 g[OVX_G_MAX];

	(void)ctx;
	cli_counts(tb, OVX_A_GLOBAL_COUNTS, g, OVX_G_MAX);
	nonzero_line("fast path:", g, OVX_G_MAX, ovx_gstat_name);
	aead_costs_text(tb[OVX_A_AEAD_COSTS]);
}

int cli_show(struct cli *c, const char *instance, const char *peer)
{
	const struct cli_visit v = { status_text, instance_text, peer_text, NULL };

	if (c->json)
		return cli_show_json(c, instance, peer);
	return cli_walk(c, instance, peer, &v);
}
