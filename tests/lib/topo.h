/* SPDX-License-Identifier: GPL-2.0 */
/* The two-host topology of the network tests: namespaces ovx-srv and ovx-cli
 * joined by veth (10.99.0.1/24, fd99::1/64 <-> 10.99.0.2/24, fd99::2/64), each
 * with a tun device held open as OpenVPN holds it. */
#ifndef TOPO_H
#define TOPO_H

#include "fp_harness.h"

#define NS_SRV "ovx-srv"
#define NS_CLI "ovx-cli"

struct side {
	const char *ns, *link, *tun, *addr4, *addr6;
	struct fp_harness h;
	int tun_fd, tun_ifindex, link_ifindex, capture_fd;
};

#define SIDE_SRV { .ns = NS_SRV, .link = "veth-s", .tun = "tun-s", \
		   .addr4 = "10.8.0.1/24", .addr6 = "fd00:8::1/64" }
#define SIDE_CLI { .ns = NS_CLI, .link = "veth-c", .tun = "tun-c", \
		   .addr4 = "10.8.0.2/24", .addr6 = "fd00:8::2/64" }

void topo_up(void);
void topo_down(void);
/* The same veth pair and addresses in namespaces of other names (a test that
 * must not collide with the others). */
void topo_up_ns(const char *srv, const char *cli);
void topo_down_ns(const char *srv, const char *cli);
/* Loads the fast path for @s, opens its tun device and a packet socket that
 * sees what the stack receives on the tun device. */
void side_open(struct side *s, uint64_t liveness_ns);
void side_close(struct side *s);
/* RX: XDP and TC ingress on the link. TX: TC egress on the tun device.
 * Renumbering of OpenVPN's own packets: TC egress on the link. */
void side_attach_rx(struct side *s);
void side_attach_tx(struct side *s);
void side_attach_renumber(struct side *s);
/* A UDP socket bound in namespace @ns to "addr:port" or "[addr6]:port". */
int udp_socket(const char *ns, const char *addr);

#endif
