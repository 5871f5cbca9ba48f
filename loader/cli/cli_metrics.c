// SPDX-License-Identifier: GPL-2.0
/* `ovpn-xdp metrics`: the counters in Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector or a scrape through
 * a socket-activated unit. Peers get series of their own while there are at
 * most max_peers of them; above that, their counters are summed per instance
 * (peer="all"), so that a big server does not flood the time-series store. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "counters.h"

static const struct { const char *name; int attr; const char *help; } peer_ctr[] = {
	{ "rx_link_packets", OVX_A_RX_LINK_PKTS, "UDP datagrams the fast path received" },
	{ "rx_link_bytes", OVX_A_RX_LINK_BYTES, "UDP payload bytes the fast path received" },
	{ "rx_vpn_packets", OVX_A_RX_VPN_PKTS, "Packets decrypted and delivered" },
	{ "rx_vpn_bytes", OVX_A_RX_VPN_BYTES, "Plaintext bytes decrypted and delivered" },
	{ "tx_link_packets", OVX_A_TX_LINK_PKTS, "UDP datagrams the fast path sent" },
	{ "tx_link_bytes", OVX_A_TX_LINK_BYTES, "UDP payload bytes the fast path sent" },
	{ "tx_vpn_packets", OVX_A_TX_VPN_PKTS, "Packets encrypted" },
	{ "tx_vpn_bytes", OVX_A_TX_VPN_BYTES, "Plaintext bytes encrypted" },
	{ "to_openvpn_packets", OVX_A_RX_TO_OVPN, "Packets handed to OpenVPN" },
};
#define NCTR	(sizeof(peer_ctr) / sizeof(peer_ctr[0]))

struct mpeer {
	__u32 inst, peer;
	__u64 ctr[NCTR], drops[OVX_DROP_MAX];
};

struct metrics {
	__u64 global[OVX_G_MAX];
	struct { __u32 id, npeers; char name[OVX_CTL_NAME_MAX]; } inst[64];
	unsigned int ninst;
	struct mpeer *peers;
	size_t npeers, cap;
	bool oom;
};

static void on_status(void *ctx, const struct nlattr *const *tb)
{
	struct metrics *m = ctx;

	cli_counts(tb, OVX_A_GLOBAL_COUNTS, m->global, OVX_G_MAX);
}

static void on_instance(void *ctx, const struct nlattr *const *tb, const struct nlattr *item)
{
	struct metrics *m = ctx;

	(void)item;
	if (m->ninst >= sizeof(m->inst) / sizeof(m->inst[0]))
		return;
	m->inst[m->ninst].id = cli_u32(tb, OVX_A_INSTANCE);
	m->inst[m->ninst].npeers = cli_u32(tb, OVX_A_NPEERS);
	snprintf(m->inst[m->ninst++].name, OVX_CTL_NAME_MAX, "%s", cli_str(tb, OVX_A_NAME, ""));
}

static void on_peer(void *ctx, const struct nlattr *const *tb)
{
	struct metrics *m = ctx;
	struct mpeer *p;

	if (m->npeers == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;
		struct mpeer *n = realloc(m->peers, cap * sizeof(*n));

		if (!n) {
			m->oom = true;
			return;
		}
		m->peers = n;
		m->cap = cap;
	}
	p = &m->peers[m->npeers++];
	p->inst = cli_u32(tb, OVX_A_INSTANCE);
	p->peer = cli_u32(tb, OVX_A_PEER_ID);
	for (size_t i = 0; i < NCTR; i++)
		p->ctr[i] = cli_u64(tb, peer_ctr[i].attr);
	cli_counts(tb, OVX_A_DROP_COUNTS, p->drops, OVX_DROP_MAX);
}

/* A label value with \, " and newline escaped, as the format asks. */
static void label_value(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

static const char *inst_name(const struct metrics *m, __u32 id)
{
	for (unsigned int i = 0; i < m->ninst; i++)
		if (m->inst[i].id == id)
			return m->inst[i].name;
	return "";
}

/* The labels of peer @p: its own, or its instance's sum (@all). */
static void peer_labels(const struct metrics *m, const struct mpeer *p, bool all)
{
	printf("{instance=\"");
	label_value(inst_name(m, p->inst));
	if (all)
		printf("\",peer=\"all\"");
	else
		printf("\",peer=\"%u\"", p->peer);
}

/* The peers as printed: each alone, or summed per instance. */
static size_t fold(struct metrics *m, bool all)
{
	size_t n = 0;

	if (!all)
		return m->npeers;
	for (size_t i = 0; i < m->npeers; i++) {
		struct mpeer *into = NULL;

		for (size_t j = 0; j < n && !into; j++)
			if (m->peers[j].inst == m->peers[i].inst)
				into = &m->peers[j];
		if (!into) {
			m->peers[n++] = m->peers[i];
			continue;
		}
		for (size_t k = 0; k < NCTR; k++)
			into->ctr[k] += m->peers[i].ctr[k];
		for (size_t k = 0; k < OVX_DROP_MAX; k++)
			into->drops[k] += m->peers[i].drops[k];
	}
	return n;
}

static void print_metrics(struct metrics *m, unsigned long max_peers)
{
	bool all = m->npeers > max_peers;
	size_t n = fold(m, all);

	printf("# HELP ovpn_xdp_fastpath_packets_total Packets the fast path saw, by what "
	       "became of them (all instances)\n# TYPE ovpn_xdp_fastpath_packets_total counter\n");
	for (unsigned int i = 0; i < OVX_G_MAX; i++)
		if (ovx_gstat_name(i))
			printf("ovpn_xdp_fastpath_packets_total{counter=\"%s\"} %" PRIu64 "\n",
			       ovx_gstat_name(i), (uint64_t)m->global[i]);
	printf("# HELP ovpn_xdp_peers Peers of an instance\n# TYPE ovpn_xdp_peers gauge\n");
	for (unsigned int i = 0; i < m->ninst; i++) {
		printf("ovpn_xdp_peers{instance=\"");
		label_value(m->inst[i].name);
		printf("\"} %u\n", m->inst[i].npeers);
	}
	for (size_t c = 0; c < NCTR; c++) {
		printf("# HELP ovpn_xdp_%s_total %s\n# TYPE ovpn_xdp_%s_total counter\n",
		       peer_ctr[c].name, peer_ctr[c].help, peer_ctr[c].name);
		for (size_t i = 0; i < n; i++) {
			printf("ovpn_xdp_%s_total", peer_ctr[c].name);
			peer_labels(m, &m->peers[i], all);
			printf("} %" PRIu64 "\n", (uint64_t)m->peers[i].ctr[c]);
		}
	}
	printf("# HELP ovpn_xdp_drops_total Packets the fast path dropped, by reason\n"
	       "# TYPE ovpn_xdp_drops_total counter\n");
	for (size_t i = 0; i < n; i++)
		for (unsigned int r = 0; r < OVX_DROP_MAX; r++) {
			if (!ovx_drop_name(r))
				continue;
			printf("ovpn_xdp_drops_total");
			peer_labels(m, &m->peers[i], all);
			printf(",reason=\"%s\"} %" PRIu64 "\n", ovx_drop_name(r),
			       (uint64_t)m->peers[i].drops[r]);
		}
}

/* A socket-activated scrape: the request (read up to its blank line and
 * not looked at: every path gets the metrics), then the response header. */
static void http_header(void)
{
	char line[1024];

	while (fgets(line, sizeof(line), stdin) && strcmp(line, "\r\n") && strcmp(line, "\n"))
		;
	printf("HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
	       "Connection: close\r\n\r\n");
}

int cli_metrics(struct cli *c, unsigned long max_peers, bool http)
{
	struct metrics m = {};
	const struct cli_visit v = { on_status, on_instance, on_peer, &m };
	int rc = cli_walk(c, NULL, NULL, &v);

	if (!rc && m.oom) {
		fprintf(stderr, "ovpn-xdp: metrics: out of memory\n");
		rc = 1;
	}
	if (!rc && http)
		http_header();
	if (!rc)
		print_metrics(&m, max_peers);
	free(m.peers);
	return rc;
}
