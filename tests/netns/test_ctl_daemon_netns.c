// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdpd's life, for real (a daemon in the server namespace of the test
 * topology, tests/lib/ctl_harness.h): keepalive expiry, `ovpn-xdp monitor`
 * across a restart, a kill -9 under traffic after which packets keep
 * flowing and a new daemon shows the same state, the pinned programs
 * attached by hand, DETACH. Each case runs alone with OVX_CASE=name. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include "ctl_harness.h"
#include "frames.h"
#include "netns.h"

static struct nlmsghdr *peer_set(__u32 id, __u32 interval, __u32 timeout)
{
	struct nlmsghdr *nlh = req(OVX_CMD_PEER_SET);

	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, id);
	ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_INTERVAL, interval);
	ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_TIMEOUT, timeout);
	return nlh;
}

/* A peer sending OpenVPN keepalive pings, sealed with the server's decrypt
 * key: RX authenticates them and hands them to OpenVPN. */
struct pinger {
	int fd;
	__u32 peer_id;
	volatile int stop;
	long sent;
};

static void *pinger(void *arg)
{
	static const __u8 ping[16] = { 0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
				       0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48 };
	struct pinger *p = arg;
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(1194) };
	__u8 pkt[128];

	inet_pton(AF_INET, "10.99.0.1", &dst.sin_addr);
	for (__u32 pid = 1; !p->stop; pid++) {
		size_t n = data_v2_build(pkt, p->peer_id, 0, pid, OVX_CIPHER_AES_256_GCM, key_b,
					 iv, ping, sizeof(ping));

		if (sendto(p->fd, pkt, n, 0, (void *)&dst, sizeof(dst)) > 0)
			p->sent++;
		usleep(200000);
	}
	return NULL;
}

/* PEER_DELETED notifications with reason EXPIRED within @ms: bit i for peer
 * 20 + i. */
static unsigned int expired_within(struct ovx_ctl_client *sub, int ms)
{
	struct ovx_ctl_err e = {};
	unsigned int seen = 0;
	__u32 ev, peer, reason;

	sub->timeout_ms = ms;
	while (!ovx_ctl_recv(sub, &e)) {
		if (ovx_ctl_u32(sub->msg.tb, OVX_A_EVENT, &ev) && ev == OVX_EV_PEER_DELETED &&
		    ovx_ctl_u32(sub->msg.tb, OVX_A_PEER_ID, &peer) && peer >= 20 && peer < 24 &&
		    ovx_ctl_u32(sub->msg.tb, OVX_A_REASON, &reason) && reason == OVX_DEL_EXPIRED)
			seen |= 1u << (peer - 20);
	}
	return seen;
}

/* PEER_SET's keepalive timeout: a silent peer is deleted and subscribers
 * told why; a peer whose pings (handed to OpenVPN) keep coming is kept; a
 * timeout set back to 0 never expires. */
/* One P_DATA_V2 keepalive ping of @peer_id, key @key_id, from @from. */
static void ping_from(const char *from, __u32 peer_id, __u32 key_id, __u32 pid)
{
	static const __u8 ping[16] = { 0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
				       0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48 };
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(1194) };
	int fd = udp_socket(NS_CLI, from);
	__u8 pkt[128];
	size_t n = data_v2_build(pkt, peer_id, key_id, pid, OVX_CIPHER_AES_256_GCM, key_b, iv,
				 ping, sizeof(ping));

	inet_pton(AF_INET, "10.99.0.1", &dst.sin_addr);
	sendto(fd, pkt, n, 0, (void *)&dst, sizeof(dst));
	close(fd);
}

/* Whether a line of @path holds all of @a, @b and @c. */
static bool line_has(const char *path, const char *a, const char *b, const char *c)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && strstr(line, b) && strstr(line, c);
	if (f)
		fclose(f);
	return found;
}

/* `ovpn-xdp monitor --json` as an operator runs it: stays subscribed, shows
 * FLOAT with the key-id of the packet that floated the peer, PID_HIGH_WATER
 * of a key that sent its packet-id 0xff000000 and PEER_DELETED with its
 * reason, and subscribes again after the daemon restarts. */
static void test_monitor(void)
{
	const char *out = SOCK_DIR "/monitor.json";
	struct nlmsghdr *nlh;
	pid_t mon = fork();

	if (!mon) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		execl(dmn_build_path("ovpn-xdp"), "ovpn-xdp", "-s", dmn.sock, "monitor", "--json",
		      (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	OK(peer_new("srv", 40, "10.99.0.2:55440"));
	OK(key_new(40, 0, 5, "AES-256-GCM", 32));
	ping_from("10.99.0.2:55441", 40, 5, 1);
	nlh = peer_new("srv", 42, "10.99.0.2:55443");		/* at its high water */
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, "10.8.0.42");
	OK(nlh);
	nlh = key_new(42, 0, 6, "AES-256-GCM", 32);
	ovx_ctl_put_u64(nlh, OVX_A_TX_PID, OVX_PID_HIGH_WATER);
	OK(nlh);
	sh("ip netns exec " NS_SRV " ping -c1 -W1 10.8.0.42 || true");
	usleep(300000);
	OK(peer_del(42));
	OK(peer_del(40));
	usleep(300000);
	CHECK(waitpid(mon, NULL, WNOHANG) == 0, "monitor exited on its own");
	dmn_kill(&dmn, SIGTERM);
	ovx_ctl_close(&cl);
	dmn_start(&dmn);
	dmn_connect(&dmn, &cl);
	usleep(2500000);		/* the monitor retries once a second */
	OK(peer_new("srv", 41, "10.99.0.2:55442"));
	OK(peer_del(41));
	usleep(300000);
	kill(mon, SIGTERM);
	waitpid(mon, NULL, 0);
	CHECK(!sh("python3 -c 'import json, sys; "
		  "[json.loads(l) for l in open(sys.argv[1])]' %s", out),
	      "monitor --json: a line that is not JSON");
	CHECK(line_has(out, "\"event\":\"float\"", "\"peer_id\":40,", "\"key_id\":5,"),
	      "monitor: no FLOAT of peer 40 with key-id 5");
	CHECK(line_has(out, "\"event\":\"pid-high-water\"", "\"peer_id\":42,", "\"key_id\":6,"),
	      "monitor: no PID_HIGH_WATER of peer 42 key 6");
	CHECK(line_has(out, "\"event\":\"peer-deleted\"", "\"peer_id\":40,", "\"reason\":0,"),
	      "monitor: no PEER_DELETED of peer 40 (reason requested)");
	CHECK(line_has(out, "\"event\":\"peer-deleted\"", "\"peer_id\":41,", "\"reason\":0,"),
	      "monitor: nothing after the daemon restarted");
}

static void test_keepalive(void)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	struct pinger p = { .peer_id = 20 };
	struct ovx_ctl_client sub;
	struct ovx_ctl_err e = {};
	struct nlmsghdr *nlh;
	pthread_t th;
	__u8 qb[64];
	unsigned int seen;
	__u64 to_ovpn = 0;

	if (!CHECK(!dmn_connect(&dmn, &sub), "subscriber connection"))
		return;
	CHECK(!ovx_ctl_call(&sub, ovx_ctl_start(qb, OVX_CMD_SUBSCRIBE, 0), &e), "SUBSCRIBE");
	OK(peer_new("srv", 20, "10.99.0.2:55420"));
	OK(key_new(20, 0, 0, "AES-256-GCM", 32));
	OK(peer_new("srv", 21, "10.99.0.2:55421"));
	OK(peer_new("srv", 22, "10.99.0.2:55422"));
	FAILS(peer_set(20, 5, 2), -EINVAL, "keepalive timeout 2 is shorter than the interval 5");
	p.fd = udp_socket(NS_CLI, "10.99.0.2:55420");
	pthread_create(&th, NULL, pinger, &p);
	OK(peer_set(20, 1, 2));
	OK(peer_set(21, 1, 2));
	OK(peer_set(22, 1, 2));
	OK(peer_set(22, 0, 0));				/* off again */
	seen = expired_within(&sub, 4500);
	CHECK(seen == 2, "after 4.5 s: expired peers 0x%x, want only 21 (0x2)", seen);
	CHECK(!peer_info(21, tb), "silent peer 21 still there");
	CHECK(peer_info(20, tb) && ovx_ctl_u64(tb, OVX_A_RX_TO_OVPN, &to_ovpn) && to_ovpn > 10,
	      "pinging peer 20 gone, or its pings not authenticated (%llu to OpenVPN, %ld sent)",
	      (unsigned long long)to_ovpn, p.sent);
	CHECK(peer_info(22, tb), "peer 22 expired with its timeout set back to 0");
	p.stop = 1;
	pthread_join(th, NULL);
	seen = expired_within(&sub, 4000);	/* 2 s, and walks once a second */
	CHECK(seen == 1 && !peer_info(20, tb), "peer 20 not expired 4 s after its last ping (0x%x)",
	      seen);
	close(p.fd);
	ovx_ctl_close(&sub);
	nlh = req(OVX_CMD_PEER_DEL);
	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 22);
	OK(nlh);
}

/* Traffic: UDP to the peer's VPN address from the server host comes out
 * sealed at the client's socket. */
struct traffic {
	int send_fd, recv_fd;
	volatile int stop;
	long sent;
};

static void *sender(void *arg)
{
	struct traffic *t = arg;
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9000) };
	char data[200] = "payload";

	inet_pton(AF_INET, "10.8.0.2", &dst.sin_addr);
	while (!t->stop) {
		if (sendto(t->send_fd, data, sizeof(data), 0, (void *)&dst, sizeof(dst)) > 0)
			t->sent++;
		usleep(1000);
	}
	return NULL;
}

/* Packets received within @ms (or until 300 ms of silence). */
static long drain(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec t0, t;
	char b[2048];
	long n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (poll(&p, 1, 300) > 0 && read(fd, b, sizeof(b)) > 0) {
		n++;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			break;
	}
	return n;
}

static __u64 peer_tx(void)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	__u64 v = 0;

	if (peer_info(5, tb))
		ovx_ctl_u64(tb, OVX_A_TX_LINK_PKTS, &v);
	return v;
}

static void test_restart(void)
{
	struct traffic t = {};
	pthread_t th;
	long before, during, after;
	__u64 tx_before, tx_after;
	__u32 peers_before = npeers();

	sh("ip netns exec " NS_SRV " sysctl -qw net.ipv4.conf.tun-s.forwarding=1; "
	   "ip netns exec " NS_SRV " ping -c1 -W1 10.99.0.2");
	ns_enter(NS_SRV);
	t.send_fd = socket(AF_INET, SOCK_DGRAM, 0);
	ns_enter(NULL);
	t.recv_fd = udp_socket(NS_CLI, "10.99.0.2:55379");
	pthread_create(&th, NULL, sender, &t);
	before = drain(t.recv_fd, 500);
	tx_before = peer_tx();
	dmn_kill(&dmn, SIGKILL);
	ovx_ctl_close(&cl);
	during = drain(t.recv_fd, 500);
	dmn_start(&dmn);
	dmn_connect(&dmn, &cl);
	after = drain(t.recv_fd, 200);
	t.stop = 1;
	pthread_join(th, NULL);
	after += drain(t.recv_fd, 1000);
	tx_after = peer_tx();
	CHECK(before > 50, "no sealed packets before the kill (%ld)", before);
	CHECK(during > 50, "traffic stopped with the daemon killed (%ld)", during);
	CHECK(tx_before > 0 && tx_after >= tx_before + (__u64)during &&
	      tx_after >= (__u64)(before + during + after) - 5,
	      "counters after restart: %llu before, %llu after, %ld received",
	      (unsigned long long)tx_before, (unsigned long long)tx_after, before + during + after);
	CHECK(peer_info(5, (const struct nlattr *[OVX_A_MAX + 1]){}), "peer 5 lost in the restart");
	CHECK(npeers() == peers_before, "%u peers after the restart, %u before", npeers(),
	      peers_before);
	close(t.send_fd);
	close(t.recv_fd);
}

/* The documented by-hand path: an instance registered with no-attach, the
 * pinned programs attached with ip and tc, running on the daemon's maps. */
static void test_by_hand(void)
{
	const char *pins = "/sys/fs/bpf/ovpn-xdp/ctltest";
	int fd = ns_tun_open(NS_SRV, "tun-h");
	struct nlmsghdr *nlh;

	sh("ip -n " NS_SRV " link add vh-s type veth peer name vh-p && "
	   "ip -n " NS_SRV " link set vh-s up && ip -n " NS_SRV " link set vh-p up");
	nlh = instance_new("hand", "tun-h", "vh-s", "10.99.7.1:1194");
	ovx_ctl_put_u32(nlh, OVX_A_FLAGS, OVX_INST_F_NO_ATTACH);
	OK(nlh);
	CHECK(!sh("! ip -n " NS_SRV " link show vh-s | grep -q prog/xdp"),
	      "no-attach instance got XDP");
	/* nsenter, not ip -n / tc -n: those remount /sys and hide /sys/fs/bpf */
	CHECK(!sh("nsenter --net=/run/netns/" NS_SRV " sh -c '"
		  "ip link set dev vh-s xdp pinned %s/ovx_rx_xdp && "
		  "tc qdisc add dev vh-s clsact && "
		  "tc filter add dev vh-s ingress bpf da pinned %s/ovx_rx_tc && "
		  "tc filter add dev vh-s egress bpf da pinned %s/ovx_link_egress_tc && "
		  "tc qdisc add dev tun-h clsact && "
		  "tc filter add dev tun-h egress bpf da pinned %s/ovx_tx_tc'",
		  pins, pins, pins, pins), "attaching the pinned programs by hand");
	/* the program attached by hand uses the daemon's pinned peers map */
	CHECK(!sh("id=$(bpftool map show pinned %s/ovx_peers | cut -d: -f1); "
		  "bpftool prog show pinned %s/ovx_rx_xdp | grep map_ids | "
		  "tr ', ' '\\n\\n' | grep -qx \"$id\"", pins, pins),
	      "hand-attached XDP program does not use the pinned maps");
	sh("ip -n " NS_SRV " link del vh-s");
	nlh = req(OVX_CMD_INSTANCE_DEL);
	ovx_ctl_put_str(nlh, OVX_A_NAME, "hand");
	OK(nlh);
	close(fd);
}

static void test_detach(void)
{
	OK(req(OVX_CMD_DETACH));
	waitpid(dmn.pid, NULL, 0);
	dmn.pid = 0;
	CHECK(access("/sys/fs/bpf/ovpn-xdp/ctltest", F_OK), "pins left after DETACH");
	CHECK(!sh("! nsenter --net=/run/netns/" NS_SRV " ip link show veth-s | grep -q 'prog/xdp'") &&
	      !sh("! tc -n " NS_SRV " filter show dev veth-s ingress | grep -q ovpn"),
	      "programs left on veth-s after DETACH");
}

int main(void)
{
	ctl_setup();
	ctl_need_key();
	T_CASE(test_keepalive);
	T_CASE(test_monitor);
	T_CASE(test_restart);
	T_CASE(test_by_hand);
	T_CASE(test_detach);
	return t_done("ctl_daemon_netns");
}
