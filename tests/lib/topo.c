// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "netns.h"
#include "testlib.h"
#include "topo.h"

void topo_down_ns(const char *srv, const char *cli)
{
	ns_del(srv);
	ns_del(cli);
}

void topo_up_ns(const char *srv, const char *cli)
{
	topo_down_ns(srv, cli);
	if (sh("ip netns add %1$s && ip netns add %2$s && "
	       "ip link add veth-s netns %1$s type veth peer name veth-c netns %2$s && "
	       "ip -n %1$s addr add 10.99.0.1/24 dev veth-s && "
	       "ip -n %2$s addr add 10.99.0.2/24 dev veth-c && "
	       "ip -n %1$s addr add fd99::1/64 dev veth-s nodad && "
	       "ip -n %2$s addr add fd99::2/64 dev veth-c nodad && "
	       "ip -n %1$s link set veth-s up && ip -n %2$s link set veth-c up && "
	       "ip -n %1$s link set lo up && ip -n %2$s link set lo up", srv, cli))
		t_fatal("cannot build the veth topology (root and iproute2 needed)");
}

void topo_down(void)
{
	topo_down_ns(NS_SRV, NS_CLI);
}

void topo_up(void)
{
	topo_up_ns(NS_SRV, NS_CLI);
}

void side_open(struct side *s, uint64_t liveness_ns)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };

	fp_open(&s->h, liveness_ns);
	ns_enter(s->ns);
	s->tun_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->tun);
	if (s->tun_fd < 0 || ioctl(s->tun_fd, TUNSETIFF, &ifr))
		t_fatal("cannot create %s: %s", s->tun, strerror(errno));
	if (sh("ip -n %s addr add %s dev %s && ip -n %s addr add %s dev %s nodad && "
	       "ip -n %s link set %s up", s->ns, s->addr4, s->tun, s->ns, s->addr6, s->tun,
	       s->ns, s->tun))
		t_fatal("cannot configure %s", s->tun);
	s->tun_ifindex = if_nametoindex(s->tun);
	s->link_ifindex = if_nametoindex(s->link);
	sll.sll_ifindex = s->tun_ifindex;
	s->capture_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (s->capture_fd < 0 || bind(s->capture_fd, (void *)&sll, sizeof(sll)))
		t_fatal("cannot capture on %s: %s", s->tun, strerror(errno));
	ns_enter(NULL);
}

void side_close(struct side *s)
{
	close(s->tun_fd);
	close(s->capture_fd);
	fp_close(&s->h);
}

static int tc_attach(int ifindex, enum bpf_tc_attach_point where, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, tc, .prog_fd = prog_fd);
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &tc);
}

void side_attach_rx(struct side *s)
{
	int err;

	ns_enter(s->ns);
	err = bpf_xdp_attach(s->link_ifindex, s->h.rx_xdp, XDP_FLAGS_DRV_MODE, NULL);
	err = err ?: tc_attach(s->link_ifindex, BPF_TC_INGRESS, s->h.rx_tc);
	ns_enter(NULL);
	if (err)
		t_fatal("cannot attach RX to %s: %d", s->link, err);
}

void side_attach_tx(struct side *s)
{
	int err;

	ns_enter(s->ns);
	err = tc_attach(s->tun_ifindex, BPF_TC_EGRESS, s->h.tx_tc);
	ns_enter(NULL);
	if (err)
		t_fatal("cannot attach TX to %s: %d", s->tun, err);
}

void side_attach_renumber(struct side *s)
{
	int err;

	ns_enter(s->ns);
	err = tc_attach(s->link_ifindex, BPF_TC_EGRESS, s->h.link_egress_tc);
	ns_enter(NULL);
	if (err)
		t_fatal("cannot attach renumbering to %s: %d", s->link, err);
}

int udp_socket(const char *ns, const char *addr)
{
	struct ovx_sockaddr sa;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int one = 1, fd;

	if (ovx_sockaddr_parse(&sa, addr))
		t_fatal("bad address %s", addr);
	ns_enter(ns);
	fd = socket(sa.family == OVX_AF_INET ? AF_INET : AF_INET6,
		    SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ns_enter(NULL);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memcpy(&a4.sin_addr, sa.addr, 4);
	a4.sin_port = sa.port;
	memcpy(&a6.sin6_addr, sa.addr, 16);
	a6.sin6_port = sa.port;
	if (fd < 0 || (sa.family == OVX_AF_INET ? bind(fd, (void *)&a4, sizeof(a4)) :
						   bind(fd, (void *)&a6, sizeof(a6))))
		t_fatal("cannot bind %s in %s: %s", addr, ns, strerror(errno));
	return fd;
}
