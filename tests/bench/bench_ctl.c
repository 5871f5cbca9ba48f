// SPDX-License-Identifier: GPL-2.0
/* Control plane at scale: 100,000 peers, each with an AES-256-GCM key,
 * installed through ovpn-xdpd's socket in batches (OVX_BENCH_PEERS to
 * change the count); prints installs per second and the daemon's resident
 * memory. For comparison, in the same run and first: 20,000 installs with
 * one request per message (OVX_BENCH_SINGLE to change; 0: skipped). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "daemon_harness.h"
#include "netns.h"
#include "testlib.h"

#define NS	"ovxb-srv"
static struct dmn dmn = { .ns = NS, .name = "bench", .sock = "/tmp/ovpnxdp-bench/ctl.sock" };

static void cleanup(void)
{
	dmn_cleanup(&dmn);
	ns_del(NS);
	rmdir("/tmp/ovpnxdp-bench");
}

static double peer_get_all(struct ovx_ctl_client *c, int *peers)
{
	struct ovx_ctl_err e = {};
	struct timespec t0, t1;
	__u8 buf[128];
	__u64 cursor = 0;
	bool more = false;

	*peers = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct nlmsghdr *nlh = ovx_ctl_start(buf, OVX_CMD_PEER_GET, 0);
		const struct nlattr *a;

		if (more)
			ovx_ctl_put_u64(nlh, OVX_A_CURSOR, cursor);
		if (ovx_ctl_call(c, nlh, &e))
			break;
		mnl_attr_for_each_nested(a, c->msg.tb[OVX_A_PEERS])
			(*peers)++;
		more = ovx_ctl_u64(c->msg.tb, OVX_A_CURSOR, &cursor);
	} while (more);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/* Returns how long the request took, in ms. */
static double instance(struct ovx_ctl_client *c, int cmd, const char *name)
{
	struct ovx_ctl_err e = {};
	__u8 buf[256];
	struct nlmsghdr *nlh = ovx_ctl_start(buf, cmd, 0);
	struct timespec t0, t1;

	ovx_ctl_put_str(nlh, OVX_A_NAME, name);
	if (cmd == OVX_CMD_INSTANCE_NEW) {
		ovx_ctl_put_str(nlh, OVX_A_TUN, "tun-b");
		ovx_ctl_put_str(nlh, OVX_A_LINK, "veth-b");
		ovx_ctl_put_str(nlh, OVX_A_SOCKADDR, "0.0.0.0:1194");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ovx_ctl_call(c, nlh, &e))
		t_fatal("%s %s: %s", ovx_ctl_cmd_name(cmd), name, e.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/* Installs with one request per message into instance "single", then
 * removes it. */
static void single(struct ovx_ctl_client *c, int n)
{
	double secs;
	int ok;

	ok = dmn_bulk_install_single(c, "single", 1, n, &secs);
	printf("ctl_peer_key_installs_per_s_unbatched %.0f installs/s\n", ok / secs);
	instance(c, OVX_CMD_INSTANCE_DEL, "single");
}

int main(void)
{
	const char *env = getenv("OVX_BENCH_PEERS"), *env1 = getenv("OVX_BENCH_SINGLE");
	int n = env ? atoi(env) : 100000, n1 = env1 ? atoi(env1) : 20000, ok, listed;
	struct ovx_ctl_client c;
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	double secs, ms;
	long rss0;
	int tun;

	atexit(cleanup);
	cleanup();
	if (sh("ip netns add " NS " && ip -n " NS " link add veth-b type veth peer name veth-p && "
	       "ip -n " NS " link set veth-b up && ip -n " NS " link set veth-p up"))
		t_fatal("cannot build the namespace");
	ns_enter(NS);
	tun = open("/dev/net/tun", O_RDWR);
	strcpy(ifr.ifr_name, "tun-b");
	if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr))
		t_fatal("tun");
	ns_enter(NULL);
	mkdir("/tmp/ovpnxdp-bench", 0700);
	dmn_start(&dmn);
	if (dmn_connect(&dmn, &c))
		t_fatal("connect");
	c.timeout_ms = 60000;		/* deleting 20,000 peers takes a while */
	instance(&c, OVX_CMD_INSTANCE_NEW, n1 > 0 ? "single" : "bench");
	rss0 = dmn_rss_kib(&dmn);
	if (n1 > 0) {
		single(&c, n1);
		instance(&c, OVX_CMD_INSTANCE_NEW, "bench");
	}
	ok = dmn_bulk_install(&c, "bench", 1, n, &secs);
	ms = peer_get_all(&c, &listed);
	printf("ctl_peers_installed %d peers\n", ok);
	printf("ctl_peer_key_installs_per_s %.0f installs/s\n", ok / secs);
	printf("ctl_daemon_rss_no_peers %ld KiB\n", rss0);
	printf("ctl_daemon_rss_at_%dk_peers %ld KiB\n", n / 1000, dmn_rss_kib(&dmn));
	printf("ctl_peer_get_all_%dk_peers %.0f ms\n", n / 1000, ms);
	/* removes every peer: one walk of the map, then the deletes */
	printf("ctl_instance_del_%dk_peers %.0f ms\n", n / 1000,
	       instance(&c, OVX_CMD_INSTANCE_DEL, "bench"));
	ovx_ctl_close(&c);
	close(tun);
	return ok == n && listed == n ? 0 : 1;
}
