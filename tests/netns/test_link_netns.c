// SPDX-License-Identifier: GPL-2.0
/* Devices that disappear or are renamed under a running daemon: ovpn-xdpd in
 * a namespace serves two instances, each with its own tun device and veth
 * link. The first link is deleted: the daemon says so in one line, STATUS
 * shows it gone, and the second instance keeps carrying traffic both ways.
 * The second link and tun device are renamed: one line each, STATUS shows
 * the new names, traffic still flows, a restarted daemon still finds them,
 * and the final detach takes the programs off the renamed link. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "aead_harness.h"
#include "ctl_client.h"
#include "daemon_harness.h"
#include "frames.h"
#include "netns.h"
#include "testlib.h"
#include "topo.h"

#define NS_S	"ovxl-srv"
#define NS_C	"ovxl-cli"
#define DIR	"/tmp/ovpnxdp-linktest"
#define LOG	DIR "/daemon.log"
#define N	40

static struct dmn dmn = { .ns = NS_S, .name = "linktest", .sock = DIR "/ctl.sock" };
static struct ovx_ctl_client cl;
static __u8 buf[OVX_CTL_MSG_MAX], key_s2c[32], key_c2s[32], iv[8];
static int tun_fd[2];

static void cleanup(void)
{
	ovx_ctl_close(&cl);
	dmn_cleanup(&dmn);
	ns_del(NS_S);
	ns_del(NS_C);
}

/* Link i (a, b): veth l<i>-s (10.98.<i+1>.1) <-> l<i>-c (.2), tun-<i> 10.8.<i+1>.1. */
static void topo(void)
{
	cleanup();
	if (sh("ip netns add " NS_S " && ip netns add " NS_C " && "
	       "ip -n " NS_S " link set lo up && ip -n " NS_C " link set lo up"))
		t_fatal("cannot create namespaces (root and iproute2 needed)");
	for (int i = 0; i < 2; i++) {
		char c = 'a' + i;

		tun_fd[i] = ns_tun_open(NS_S, i ? "tun-b" : "tun-a");
		if (sh("ip link add l%c-s netns " NS_S " type veth peer name l%c-c netns " NS_C
		       " && ip -n " NS_S " addr add 10.98.%d.1/24 dev l%c-s"
		       " && ip -n " NS_C " addr add 10.98.%d.2/24 dev l%c-c"
		       " && ip -n " NS_S " link set l%c-s up && ip -n " NS_C " link set l%c-c up"
		       " && ip -n " NS_S " addr add 10.8.%d.1/24 dev tun-%c"
		       " && ip -n " NS_S " link set tun-%c up",
		       c, c, i + 1, c, i + 1, c, c, c, i + 1, c, c))
			t_fatal("cannot build link %c", c);
	}
}

static int call(struct nlmsghdr *nlh, const char *what)
{
	struct ovx_ctl_err e = {};
	int rc = ovx_ctl_call(&cl, nlh, &e);

	CHECK(rc == 0, "%s: %d %s", what, rc, e.msg);
	return rc;
}

static struct nlmsghdr *req(int cmd, const char *inst)
{
	struct nlmsghdr *nlh = ovx_ctl_start(buf, cmd, 0);

	if (inst)
		ovx_ctl_put_str(nlh, OVX_A_NAME, inst);
	return nlh;
}

/* Instance @i with peer 1 (10.98.<i+1>.2:40000, VPN 10.8.<i+1>.2) and a key. */
static void instance_up(int i)
{
	char inst[2] = { 'a' + i }, s[64];
	struct nlmsghdr *nlh = req(OVX_CMD_INSTANCE_NEW, inst);

	snprintf(s, sizeof(s), "tun-%s", inst);
	ovx_ctl_put_str(nlh, OVX_A_TUN, s);
	snprintf(s, sizeof(s), "l%s-s", inst);
	ovx_ctl_put_str(nlh, OVX_A_LINK, s);
	snprintf(s, sizeof(s), "10.98.%d.1:1194", i + 1);
	ovx_ctl_put_str(nlh, OVX_A_SOCKADDR, s);
	call(nlh, "INSTANCE_NEW");
	nlh = req(OVX_CMD_PEER_NEW, inst);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 1);
	snprintf(s, sizeof(s), "10.98.%d.2:40000", i + 1);
	ovx_ctl_put_str(nlh, OVX_A_REMOTE, s);
	snprintf(s, sizeof(s), "10.8.%d.2", i + 1);
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, s);
	call(nlh, "PEER_NEW");
	nlh = req(OVX_CMD_KEY_NEW, inst);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 1);
	ovx_ctl_put_u32(nlh, OVX_A_SLOT, 0);
	ovx_ctl_put_u32(nlh, OVX_A_KEY_ID, 0);
	ovx_ctl_put_str(nlh, OVX_A_CIPHER, "AES-256-GCM");
	ovx_ctl_put_bin(nlh, OVX_A_ENC_KEY, key_s2c, 32);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_KEY, key_c2s, 32);
	ovx_ctl_put_bin(nlh, OVX_A_ENC_NONCE, iv, 8);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_NONCE, iv, 8);
	call(nlh, "KEY_NEW");
}

/* A counter of instance @i's peer 1. */
static __u64 peer_counter(int i, int attr)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	struct nlmsghdr *nlh = req(OVX_CMD_PEER_GET, (char[2]){ 'a' + i });
	const struct nlattr *list;
	__u64 v = 0;

	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 1);
	if (ovx_ctl_call(&cl, nlh, &(struct ovx_ctl_err){}) || !(list = cl.msg.tb[OVX_A_PEERS]))
		return 0;
	if (!ovx_ctl_parse_nested(mnl_attr_get_payload(list), tb, NULL))
		ovx_ctl_u64(tb, attr, &v);
	return v;
}

static int drain(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b[2048];
	int n = 0;

	while (poll(&p, 1, 300) > 0 && read(fd, b, sizeof(b)) > 0)
		n++;
	return n;
}

/* N packets each way through instance @i: sealed by TX out to the peer's
 * socket; sealed by the peer, delivered by RX (its counter). Returns the
 * fewest that made it either way. */
static int traffic(int i)
{
	struct sockaddr_in vpn = { .sin_family = AF_INET, .sin_port = htons(9000) };
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(1194) };
	char addr[32], ip[32];
	uint8_t pt[100], payload[200];
	__u64 rx0 = peer_counter(i, OVX_A_RX_VPN_PKTS);
	int peer, out, got;
	static uint32_t pid = 1;

	snprintf(addr, sizeof(addr), "10.98.%d.2:40000", i + 1);
	peer = udp_socket(NS_C, addr);
	ns_enter(NS_S);
	out = socket(AF_INET, SOCK_DGRAM, 0);
	ns_enter(NULL);
	snprintf(ip, sizeof(ip), "10.8.%d.2", i + 1);
	inet_pton(AF_INET, ip, &vpn.sin_addr);
	snprintf(ip, sizeof(ip), "10.98.%d.1", i + 1);
	inet_pton(AF_INET, ip, &srv.sin_addr);
	for (int k = 0; k < N; k++) {
		size_t len = inner_ipv4(pt, sizeof(pt), k), n;

		inner_ipv4_src(pt, 10, 8, i + 1, 2);	/* peer 1's VPN address */
		n = data_v2_build(payload, 1, 0, pid++, OVX_CIPHER_AES_256_GCM, key_c2s, iv, pt,
				  len);

		sendto(out, "x", 1, 0, (void *)&vpn, sizeof(vpn));
		sendto(peer, payload, n, 0, (void *)&srv, sizeof(srv));
		usleep(2000);
	}
	got = drain(peer);
	close(peer);
	close(out);
	__u64 rx = peer_counter(i, OVX_A_RX_VPN_PKTS) - rx0;

	return got < (int)rx ? got : (int)rx;
}

/* STATUS: the state of instance @inst's device @dev, or -1 if not listed. */
static int if_state(const char *inst, const char *dev)
{
	const struct nlattr *tb[OVX_A_MAX + 1], *itb[OVX_A_MAX + 1], *in, *ifc;
	__u32 state = 0;

	if (ovx_ctl_call(&cl, req(OVX_CMD_STATUS, NULL), &(struct ovx_ctl_err){}) ||
	    !cl.msg.tb[OVX_A_INSTANCES])
		return -1;
	mnl_attr_for_each_nested(in, cl.msg.tb[OVX_A_INSTANCES]) {
		if (ovx_ctl_parse_nested(in, tb, NULL) || strcmp(ovx_ctl_str(tb, OVX_A_NAME), inst) ||
		    !tb[OVX_A_IFACES])
			continue;
		mnl_attr_for_each_nested(ifc, tb[OVX_A_IFACES])
			if (!ovx_ctl_parse_nested(ifc, itb, NULL) &&
			    !strcmp(ovx_ctl_str(itb, OVX_A_NAME), dev))
				return ovx_ctl_u32(itb, OVX_A_IF_STATE, &state) ? (int)state : 0;
	}
	return -1;
}

/* Lines of the daemon's log containing @what. */
static int log_lines(const char *what)
{
	return sh("test $(grep -c -- \"%s\" " LOG ") -eq 1", what) ? 0 : 1;
}

static void start(void)
{
	int log = open(LOG, O_WRONLY | O_CREAT | O_APPEND, 0600), saved = dup(2);

	dup2(log, 2);			/* the daemon's stderr */
	dmn_start(&dmn);
	dup2(saved, 2);
	close(saved);
	close(log);
	if (dmn_connect(&dmn, &cl))
		t_fatal("cannot connect to the daemon");
}

static void test_gone(void)
{
	int ok;

	sh("ip -n " NS_S " link del la-s");
	usleep(300000);
	CHECK(log_lines("instance 'a': link device la-s (ifindex") &&
	      log_lines("la-s.*vanished"), "deleted link not logged once");
	CHECK(if_state("a", "la-s") == OVX_IF_GONE, "STATUS: la-s state %d", if_state("a", "la-s"));
	CHECK(if_state("b", "lb-s") == OVX_IF_UP, "STATUS: lb-s state %d", if_state("b", "lb-s"));
	ok = traffic(1);
	printf("link: la-s deleted: instance b carries %d of %d packets each way\n", ok, N);
	CHECK(ok >= N - 2, "instance b after la-s vanished: %d of %d", ok, N);
}

static void test_renamed(void)
{
	int ok;

	CHECK(!sh("ip -n " NS_S " link set lb-s down && ip -n " NS_S " link set lb-s name lb-new && "
		  "ip -n " NS_S " link set lb-new up && "
		  "ip -n " NS_S " link set tun-b down && ip -n " NS_S " link set tun-b name tun-b2 && "
		  "ip -n " NS_S " link set tun-b2 up && "
		  "ip -n " NS_S " route replace 10.8.2.0/24 dev tun-b2"), "renaming");
	usleep(300000);
	CHECK(log_lines("link device lb-s (ifindex [0-9]*) renamed to lb-new; still attached") &&
	      log_lines("tun device tun-b (ifindex [0-9]*) renamed to tun-b2"),
	      "renames not logged once each");
	CHECK(if_state("b", "lb-new") == OVX_IF_UP && if_state("b", "lb-s") == -1,
	      "STATUS after rename: lb-new %d, lb-s %d", if_state("b", "lb-new"),
	      if_state("b", "lb-s"));
	CHECK(if_state("b", "tun-b2") == OVX_IF_UP, "STATUS: tun-b2 %d", if_state("b", "tun-b2"));
	ok = traffic(1);
	printf("link: lb-s and tun-b renamed: instance b carries %d of %d packets each way\n", ok, N);
	CHECK(ok >= N - 2, "instance b after the renames: %d of %d", ok, N);
	/* a new daemon takes the renamed devices over, not for gone */
	ovx_ctl_close(&cl);
	dmn_kill(&dmn, SIGTERM);
	start();
	CHECK(if_state("b", "lb-new") == OVX_IF_UP, "after a restart: lb-new %d",
	      if_state("b", "lb-new"));
	ok = traffic(1);
	CHECK(ok >= N - 2, "instance b after a restart: %d of %d", ok, N);
}

static void test_detach(void)
{
	ovx_ctl_close(&cl);
	dmn_cleanup(&dmn);
	CHECK(!sh("! nsenter --net=/run/netns/" NS_S " ip link show lb-new | grep -q prog/xdp") &&
	      !sh("! tc -n " NS_S " filter show dev lb-new ingress | grep -q ovpn"),
	      "programs left on the renamed link after detach");
}

int main(void)
{
	t_seed(61);
	t_rand_bytes(key_s2c, 32);
	t_rand_bytes(key_c2s, 32);
	t_rand_bytes(iv, 8);
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup);
	topo();
	sh("rm -rf " DIR);
	mkdir(DIR, 0700);
	start();
	instance_up(0);
	instance_up(1);
	for (int i = 0; i < 2; i++) {
		int ok = traffic(i);

		CHECK(ok >= N - 2, "instance %c before: %d of %d", 'a' + i, ok, N);
	}
	test_gone();
	test_renamed();
	test_detach();
	close(tun_fd[0]);
	close(tun_fd[1]);
	return t_done("link_netns");
}
