// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdpd and its control socket, for real: a daemon in the server
 * namespace of the test topology, every command and error path through the
 * socket, unknown attributes both ways, malformed requests, a user that is
 * not allowed, a vanished device, the CLI, batches, keepalive expiry, the
 * client's deadline, and a kill -9 under traffic after which packets keep
 * flowing and a new daemon shows the same state. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "ctl_client.h"
#include "ctl_msg.h"
#include "daemon_harness.h"
#include "frames.h"
#include "netns.h"
#include "testlib.h"
#include "topo.h"

/* Namespaces of its own (the topology of topo.h under other names), so that
 * this test does not collide with the other network tests. */
#undef NS_SRV
#undef NS_CLI
#define NS_SRV "ovxd-srv"
#define NS_CLI "ovxd-cli"

#define SOCK_DIR	"/tmp/ovpnxdp-ctltest"
#define TEST_USER	"ovpnxdp-test"

static struct dmn dmn = { .ns = NS_SRV, .name = "ctltest", .sock = SOCK_DIR "/ctl.sock" };
static struct ovpn_ctl_client cl;
static struct ovpn_ctl_err err;
static __u8 buf[OVPN_CTL_MSG_MAX];
static __u8 key_a[32], key_b[32], iv[8];

static void cleanup(void)
{
	ovpn_ctl_close(&cl);
	dmn_cleanup(&dmn);
	topo_down_ns(NS_SRV, NS_CLI);
	rmdir(SOCK_DIR);
}

static struct nlmsghdr *req(int cmd)
{
	return ovpn_ctl_start(buf, cmd, 0);
}

static int call(struct nlmsghdr *nlh)
{
	memset(&err, 0, sizeof(err));
	return ovpn_ctl_call(&cl, nlh, &err);
}

/* The request fails with @code and a message containing @msg. */
#define FAILS(nlh, code, want)						       \
	do {								       \
		int rc_ = call(nlh);					       \
		CHECK(rc_ == (code) && strstr(err.msg, want),		       \
		      "line %d: got %d '%s', want %d '%s'", __LINE__, rc_,     \
		      err.msg, code, want);				       \
	} while (0)

#define OK(nlh)								       \
	do {								       \
		int rc_ = call(nlh);					       \
		CHECK(rc_ == 0, "line %d: %d %s", __LINE__, rc_, err.msg);     \
	} while (0)

static struct nlmsghdr *peer_new(const char *inst, __u32 id, const char *remote)
{
	struct nlmsghdr *nlh = req(OVPN_CMD_PEER_NEW);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, inst);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, id);
	if (remote)
		ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, remote);
	return nlh;
}

static struct nlmsghdr *peer_del(__u32 id)
{
	struct nlmsghdr *nlh = req(OVPN_CMD_PEER_DEL);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, id);
	return nlh;
}

static struct nlmsghdr *key_new(__u32 peer, __u32 slot, __u32 key_id, const char *cipher,
				size_t enc_len)
{
	struct nlmsghdr *nlh = req(OVPN_CMD_KEY_NEW);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, peer);
	ovpn_ctl_put_u32(nlh, OVPN_A_SLOT, slot);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEY_ID, key_id);
	ovpn_ctl_put_str(nlh, OVPN_A_CIPHER, cipher);
	ovpn_ctl_put_bin(nlh, OVPN_A_ENC_KEY, key_a, enc_len);
	ovpn_ctl_put_bin(nlh, OVPN_A_DEC_KEY, key_b, 32);
	ovpn_ctl_put_bin(nlh, OVPN_A_ENC_NONCE, iv, 8);
	ovpn_ctl_put_bin(nlh, OVPN_A_DEC_NONCE, iv, 8);
	return nlh;
}

static struct nlmsghdr *instance_new(const char *name, const char *tun, const char *link,
				     const char *addr)
{
	struct nlmsghdr *nlh = req(OVPN_CMD_INSTANCE_NEW);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, name);
	if (tun)
		ovpn_ctl_put_str(nlh, OVPN_A_TUN, tun);
	if (link)
		ovpn_ctl_put_str(nlh, OVPN_A_LINK, link);
	if (addr)
		ovpn_ctl_put_str(nlh, OVPN_A_SOCKADDR, addr);
	return nlh;
}

/* A peer's attributes from PEER_GET of one peer, into @tb. */
static bool peer_info(__u32 id, const struct nlattr *tb[OVPN_A_MAX + 1])
{
	struct nlmsghdr *nlh = req(OVPN_CMD_PEER_GET);
	const struct nlattr *list, *item;

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, id);
	if (call(nlh))
		return false;
	list = cl.msg.tb[OVPN_A_PEERS];
	if (!list)
		return false;
	item = mnl_attr_get_payload(list);
	return mnl_attr_get_payload_len(list) && !ovpn_ctl_parse_nested(item, tb, NULL);
}

static void test_instances(void)
{
	struct nlmsghdr *nlh;
	__u32 id = 0;
	int link_mtu, tun_mtu;

	OK(req(OVPN_CMD_STATUS));
	CHECK(ovpn_ctl_u32(cl.msg.tb, OVPN_A_VERSION, &id) && id == OVPN_CTL_VERSION, "version");
	FAILS(instance_new("srv", NULL, "veth-s", "10.99.0.1:1194"), -EINVAL,
	      "missing attribute TUN");
	FAILS(instance_new("srv", "nosuchtun", "veth-s", "10.99.0.1:1194"), -ENODEV,
	      "no device 'nosuchtun'");
	FAILS(instance_new("srv", "tun-s", "veth-s", "10.99.0.1"), -EINVAL, "has no port");
	nlh = instance_new("srv", "tun-s", "veth-s", "10.99.0.1:1194");
	ovpn_ctl_put_u32(nlh, OVPN_A_MODE, 7);
	FAILS(nlh, -EINVAL, "unknown mode 7");
	nlh = instance_new("srv", "tun-s", "veth-s", "10.99.0.1:1194");
	ovpn_ctl_put_str(nlh, OVPN_A_SOCKADDR, "[fd99::1]:1194");
	OK(nlh);
	CHECK(ovpn_ctl_u32(cl.msg.tb, OVPN_A_INSTANCE, &id) && id == 1, "instance id %u", id);
	FAILS(instance_new("srv", "tun-s", "veth-s", "10.99.0.1:1194"), -EEXIST,
	      "instance 'srv' already exists");
	FAILS(instance_new("srv2", "tun-s", "veth-s", "10.99.0.1:1195"), -EEXIST,
	      "tun-s already belongs to instance 1");
	ns_enter(NS_SRV);
	{
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		struct ifreq ifr = {};

		strcpy(ifr.ifr_name, "veth-s");
		ioctl(fd, SIOCGIFMTU, &ifr);
		link_mtu = ifr.ifr_mtu;
		strcpy(ifr.ifr_name, "tun-s");
		ioctl(fd, SIOCGIFMTU, &ifr);
		tun_mtu = ifr.ifr_mtu;
		close(fd);
	}
	ns_enter(NULL);
	CHECK(tun_mtu == link_mtu - 72, "tun MTU %d, link %d (IPv6 socket: - 72)", tun_mtu, link_mtu);
	CHECK(!sh("nsenter --net=/run/netns/" NS_SRV " xdp-loader status veth-s | grep -q ovpn_rx_xdp"),
	      "XDP not on veth-s");
	CHECK(!sh("tc -n " NS_SRV " filter show dev veth-s ingress | grep -q ovpn_rx_tc") &&
	      !sh("tc -n " NS_SRV " filter show dev veth-s egress | grep -q ovpn_link_egres") &&
	      !sh("tc -n " NS_SRV " filter show dev tun-s egress | grep -q ovpn_tx_tc"),
	      "TC programs not attached");
	/* the checksum helper: TX at its receiving end, in a NAPI thread (the
	 * daemon runs under nsenter, so /sys is not its namespace's) */
	CHECK(!sh("tc -n " NS_SRV " filter show dev ovxc1r ingress | grep -q ovpn_tx_tc") &&
	      !sh("ip -n " NS_SRV " -d link show ovxc1r | grep -q 'prog/xdp.*name ovpn_helper_xdp'") &&
	      !sh("ip netns exec " NS_SRV " grep -qx 1 /sys/class/net/ovxc1r/threaded"),
	      "checksum helper ovxc1r: no TX, XDP or NAPI thread");
	CHECK(!sh("tc -n " NS_SRV " qdisc show dev ovxc1s root | grep -q 'pfifo.*limit 1000p'"),
	      "checksum helper ovxc1s: no pfifo queue (it would drop instead of pushing back)");
}

static void test_peers(void)
{
	const struct nlattr *tb[OVPN_A_MAX + 1];
	struct nlmsghdr *nlh;
	__u32 v;

	FAILS(peer_new("srv", 16777216, "10.99.0.2:55379"), -ERANGE,
	      "peer-id 16777216 out of range (24 bits)");
	nlh = req(OVPN_CMD_PEER_NEW);
	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, "10.99.0.2:55379");
	FAILS(nlh, -EINVAL, "missing attribute PEER_ID");
	FAILS(peer_new("nosuch", 5, "10.99.0.2:55379"), -ENOENT, "no instance 'nosuch'");
	FAILS(peer_new("srv", 5, "10.99.0.300:1"), -EINVAL, "remote '10.99.0.300:1'");
	nlh = peer_new("srv", 5, "10.99.0.2:55379");
	ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV6, "10.8.0.2");
	FAILS(nlh, -EINVAL, "VPN_IPV6 '10.8.0.2' is not an IPv6 address");
	CHECK(!peer_info(5, tb), "a failed PEER_NEW left a peer");
	nlh = peer_new("srv", 5, "10.99.0.2:55379");
	ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV4, "10.8.0.2");
	ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV6, "fd00:8::2");
	ovpn_ctl_put_str(nlh, 200, "from a newer client");	/* unknown: ignored */
	ovpn_ctl_put_u64(nlh, OVPN_A_MAX + 1, 42);
	OK(nlh);
	FAILS(peer_new("srv", 5, "10.99.0.2:55379"), -EEXIST, "peer 5 already exists");
	CHECK(peer_info(5, tb) && !strcmp(ovpn_ctl_str(tb, OVPN_A_REMOTE), "10.99.0.2:55379") &&
	      !strcmp(ovpn_ctl_str(tb, OVPN_A_LOCAL), "10.99.0.1:1194") &&
	      !strcmp(ovpn_ctl_str(tb, OVPN_A_VPN_IPV4), "10.8.0.2") &&
	      !strcmp(ovpn_ctl_str(tb, OVPN_A_VPN_IPV6), "fd00:8::2"), "peer 5 as created");
	nlh = req(OVPN_CMD_PEER_SET);
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 5);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_INTERVAL, 10);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_TIMEOUT, 60);
	OK(nlh);
	CHECK(peer_info(5, tb) && ovpn_ctl_u32(tb, OVPN_A_KEEPALIVE_TIMEOUT, &v) && v == 60,
	      "keepalive not stored");
	nlh = req(OVPN_CMD_PEER_SET);
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 9);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_INTERVAL, 10);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_TIMEOUT, 60);
	FAILS(nlh, -ENOENT, "no peer 9 in instance 'srv'");
	nlh = req(OVPN_CMD_PEER_DEL);
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 9);
	FAILS(nlh, -ENOENT, "no peer 9");
	nlh = req(OVPN_CMD_PEER_DEL);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 9);
	FAILS(nlh, -EINVAL, "missing attribute INSTANCE");
}

static bool reply_has_bytes(const void *p, size_t n)
{
	return memmem(cl.reply, cl.msg.nlh->nlmsg_len, p, n) != NULL;
}

static void test_keys(void)
{
	const struct nlattr *tb[OVPN_A_MAX + 1];
	struct nlmsghdr *nlh;
	__u32 kid = 99;
	__u64 pid = 0;

	FAILS(key_new(5, 0, 1, "AES-999-GCM", 32), -EINVAL, "unknown cipher 'AES-999-GCM'");
	FAILS(key_new(5, 0, 1, "AES-256-GCM", 16), -EINVAL,
	      "ENC_KEY length 16 does not match AES-256-GCM (32)");
	FAILS(key_new(5, 0, 8, "AES-256-GCM", 32), -EINVAL, "key-id 8 out of range");
	FAILS(key_new(5, 2, 1, "AES-256-GCM", 32), -EINVAL, "slot 2");
	FAILS(key_new(77, 0, 1, "AES-256-GCM", 32), -ENOENT, "no peer 77");
	nlh = key_new(5, 0, 1, "AES-256-GCM", 32);
	ovpn_ctl_put_u64(nlh, OVPN_A_TX_PID, 1ULL << 33);
	FAILS(nlh, -ERANGE, "TX packet-id");
	nlh = key_new(5, 0, 1, "AES-256-GCM", 32);
	ovpn_ctl_put_u64(nlh, OVPN_A_TX_PID, 1000);
	OK(nlh);
	FAILS(key_new(5, 1, 1, "CHACHA20-POLY1305", 32), -EEXIST,
	      "key-id 1 is in the other slot of peer 5");
	OK(key_new(5, 1, 2, "CHACHA20-POLY1305", 32));
	nlh = req(OVPN_CMD_KEY_GET);
	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 5);
	OK(nlh);
	CHECK(!reply_has_bytes(key_a, 16) && !reply_has_bytes(key_b, 16) &&
	      !reply_has_bytes(iv, 8), "KEY_GET returned key bytes");
	CHECK(cl.msg.tb[OVPN_A_KEYS] &&
	      !ovpn_ctl_parse_nested(mnl_attr_get_payload(cl.msg.tb[OVPN_A_KEYS]), tb, NULL) &&
	      ovpn_ctl_u32(tb, OVPN_A_KEY_ID, &kid) && kid == 1 &&
	      ovpn_ctl_u64(tb, OVPN_A_TX_PID, &pid) && pid == 1000 &&
	      !strcmp(ovpn_ctl_str(tb, OVPN_A_CIPHER), "AES-256-GCM"),
	      "KEY_GET: key-id %u pid %llu", kid, (unsigned long long)pid);
	nlh = req(OVPN_CMD_KEY_SWAP);
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 5);
	OK(nlh);
	nlh = req(OVPN_CMD_KEY_GET);
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 5);
	OK(nlh);
	CHECK(!ovpn_ctl_parse_nested(mnl_attr_get_payload(cl.msg.tb[OVPN_A_KEYS]), tb, NULL) &&
	      ovpn_ctl_u32(tb, OVPN_A_KEY_ID, &kid) && kid == 2, "after KEY_SWAP primary %u", kid);
	for (int i = 0; i < 2; i++) {
		nlh = req(OVPN_CMD_KEY_DEL);
		ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
		ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 5);
		ovpn_ctl_put_u32(nlh, OVPN_A_SLOT, 0);
		if (i)
			FAILS(nlh, -ENOENT, "slot 0 of peer 5 is empty");
		else
			OK(nlh);
	}
	OK(key_new(5, 0, 3, "AES-256-GCM", 32));	/* for the traffic test */
}

static struct nlmsghdr *route(int cmd, const char *prefix, __u32 via)
{
	struct nlmsghdr *nlh = req(cmd);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_str(nlh, OVPN_A_PREFIX, prefix);
	if (via)
		ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, via);
	return nlh;
}

static void test_routes(void)
{
	OK(route(OVPN_CMD_ROUTE_ADD, "192.168.50.0/24", 5));
	OK(route(OVPN_CMD_ROUTE_ADD, "fd00:50::/64", 5));
	FAILS(route(OVPN_CMD_ROUTE_ADD, "192.168.51.0/24", 6), -ENOENT, "no peer 6");
	FAILS(route(OVPN_CMD_ROUTE_ADD, "192.168.51.0/33", 5), -EINVAL,
	      "prefix '192.168.51.0/33'");
	FAILS(route(OVPN_CMD_ROUTE_ADD, "192.168.51.0/24", 0), -EINVAL, "missing attribute PEER_ID");
	OK(route(OVPN_CMD_ROUTE_DEL, "192.168.50.0/24", 0));
	FAILS(route(OVPN_CMD_ROUTE_DEL, "192.168.50.0/24", 0), -ENOENT, "no such route");
	/* a peer's routes go with it */
	OK(peer_new("srv", 8, "10.99.0.2:8000"));
	OK(route(OVPN_CMD_ROUTE_ADD, "192.168.80.0/24", 8));
	struct nlmsghdr *nlh = req(OVPN_CMD_PEER_DEL);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 8);
	OK(nlh);
	FAILS(route(OVPN_CMD_ROUTE_DEL, "192.168.80.0/24", 0), -ENOENT, "no such route");
}

/* The peer a VPN address or prefix leads TX to, from the pinned maps; -1 for
 * none. */
static long owner_of(const char *map, const char *text)
{
	char path[128];
	__u8 key[sizeof(struct ovpn_route6_key)] = {};
	struct ovpn_vpn_addr va = { .instance = 1 };
	__u32 plen = 0, owner;
	int family, fd;

	snprintf(path, sizeof(path), "/sys/fs/bpf/ovpn-xdp/ctltest/%s", map);
	fd = bpf_obj_get(path);
	if (fd < 0 || ovpn_ctl_addr_parse(text, &family, va.addr, &plen))
		return -2;
	if (!strcmp(map, "ovpn_vpn_addrs")) {
		va.family = family;
		memcpy(key, &va, sizeof(va));
	} else {		/* ovpn_routes4: prefixlen, instance (network order), addr */
		struct ovpn_route4_key *k = (void *)key;
		__be32 inst = htonl(1);

		k->prefixlen = plen;
		memcpy(k->instance, &inst, 4);
		memcpy(k->addr, va.addr, 4);
	}
	owner = bpf_map_lookup_elem(fd, key, &owner) ? (__u32)-1 : owner;
	close(fd);
	return owner == (__u32)-1 ? -1 : (long)owner;
}

static struct nlmsghdr *with_move(struct nlmsghdr *nlh)
{
	ovpn_ctl_put_u32(nlh, OVPN_A_FLAGS, OVPN_F_MOVE);
	return nlh;
}

/* A VPN address or prefix another peer has is refused, naming that peer, or
 * moved when the request says so; deleting a peer removes only what is still
 * its own. */
static void test_ownership(void)
{
	struct nlmsghdr *nlh;

	nlh = peer_new("srv", 50, "10.99.0.2:5050");
	ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV4, "10.50.0.4");
	OK(nlh);
	nlh = peer_new("srv", 51, "10.99.0.2:5051");
	ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV4, "10.50.0.4");
	FAILS(nlh, -EADDRINUSE, "10.50.0.4 is the VPN address of peer 50");
	CHECK(!peer_info(51, (const struct nlattr *[OVPN_A_MAX + 1]){}),
	      "a refused PEER_NEW left peer 51");
	CHECK(owner_of("ovpn_vpn_addrs", "10.50.0.4") == 50, "10.50.0.4 no longer peer 50's");
	nlh = peer_new("srv", 51, "10.99.0.2:5051");
	ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV4, "10.50.0.4");
	OK(with_move(nlh));
	CHECK(owner_of("ovpn_vpn_addrs", "10.50.0.4") == 51, "move: 10.50.0.4 is not peer 51's");
	OK(peer_del(50));
	CHECK(owner_of("ovpn_vpn_addrs", "10.50.0.4") == 51,
	      "deleting peer 50 removed peer 51's address");
	OK(peer_del(51));
	CHECK(owner_of("ovpn_vpn_addrs", "10.50.0.4") == -1, "10.50.0.4 left after its owner");

	OK(peer_new("srv", 52, "10.99.0.2:5052"));
	OK(peer_new("srv", 53, "10.99.0.2:5053"));
	OK(route(OVPN_CMD_ROUTE_ADD, "192.168.52.0/24", 52));
	OK(route(OVPN_CMD_ROUTE_ADD, "192.168.52.0/24", 52));	/* again: no change */
	FAILS(route(OVPN_CMD_ROUTE_ADD, "192.168.52.0/24", 53), -EADDRINUSE,
	      "routed via peer 52");
	CHECK(owner_of("ovpn_routes4", "192.168.52.0/24") == 52, "refused route moved anyway");
	OK(with_move(route(OVPN_CMD_ROUTE_ADD, "192.168.52.0/24", 53)));
	CHECK(owner_of("ovpn_routes4", "192.168.52.0/24") == 53, "move: route not via peer 53");
	FAILS(route(OVPN_CMD_ROUTE_DEL, "192.168.52.0/24", 52), -ENOENT, "no such route");
	OK(peer_del(52));
	CHECK(owner_of("ovpn_routes4", "192.168.52.0/24") == 53,
	      "deleting peer 52 removed the route via peer 53");
	OK(peer_del(53));
	CHECK(owner_of("ovpn_routes4", "192.168.52.0/24") == -1, "route left after its peer");
}

/* Raw bytes on the socket: each gets an error reply, nothing changes. */
static void test_malformed(void)
{
	struct nlmsghdr *nlh;
	__u8 raw[64] = { 0 };
	int n;

	/* a u32 attribute of 2 bytes */
	nlh = req(OVPN_CMD_PEER_DEL);
	mnl_attr_put(nlh, OVPN_A_PEER_ID, 2, "ab");
	FAILS(nlh, -EINVAL, "attribute PEER_ID: bad length 2");
	nlh = peer_new("srv", 7, "10.99.0.2:1");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 8);
	FAILS(nlh, -EINVAL, "attribute PEER_ID repeated");
	nlh = req(OVPN_CMD_PEER_NEW);
	mnl_attr_put(nlh, OVPN_A_NAME, 3, "srv");		/* no NUL */
	FAILS(nlh, -EINVAL, "missing NUL");
	FAILS(req(0x7777), -EOPNOTSUPP, "unknown command");
	FAILS(req(OVPN_CMD_NOTIFY), -EOPNOTSUPP, "not a request");
	/* truncated attribute: header says 12 bytes of attributes, 8 follow */
	nlh = peer_new("srv", 7, "10.99.0.2:1");
	nlh->nlmsg_len -= 3;
	FAILS(nlh, -EINVAL, "not a multiple of 4");
	nlh = peer_new("srv", 7, "10.99.0.2:1");
	nlh->nlmsg_len -= 4;
	FAILS(nlh, -EINVAL, "malformed attribute");
	/* header length that lies */
	nlh = (struct nlmsghdr *)raw;
	nlh->nlmsg_len = 40;
	nlh->nlmsg_type = OVPN_CMD_STATUS;
	nlh->nlmsg_seq = 4242;
	send(cl.fd, raw, 20, 0);
	n = ovpn_ctl_recv(&cl, &err);
	CHECK(!n && ovpn_ctl_reply_status(&cl.msg, &err) == -EINVAL &&
	      cl.msg.nlh->nlmsg_seq == 4242, "lying length: %d", n);
	send(cl.fd, raw, 5, 0);				/* shorter than a header */
	n = ovpn_ctl_recv(&cl, &err);
	CHECK(!n && ovpn_ctl_reply_status(&cl.msg, &err) == -EINVAL, "short message");
	CHECK(!peer_info(7, (const struct nlattr *[OVPN_A_MAX + 1]){}), "a bad request added peer 7");
}

/* A reply from a newer daemon, with attributes this client does not know. */
static void test_unknown_reply_attrs(void)
{
	struct ovpn_ctl_client fake = { .timeout_ms = 1000, .reply = malloc(OVPN_CTL_MSG_MAX) };
	struct ovpn_ctl_err e = {};
	__u8 rbuf[512], qbuf[64];
	struct nlmsghdr *q, *r;
	struct nlattr *nest;
	int sv[2], rc;
	__u32 v = 0;

	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	fake.fd = sv[0];
	q = ovpn_ctl_start(qbuf, OVPN_CMD_STATUS, 0);
	r = ovpn_ctl_start(rbuf, OVPN_CMD_STATUS, fake.seq + 1);
	ovpn_ctl_put_u32(r, 300, 1);
	nest = ovpn_ctl_nest_start(r, 301);
	ovpn_ctl_put_str(r, 1, "x");
	ovpn_ctl_nest_end(r, nest);
	ovpn_ctl_put_u32(r, OVPN_A_VERSION, 9);
	ovpn_ctl_put_u32(r, OVPN_A_STATUS, 0);
	send(sv[1], r, r->nlmsg_len, 0);
	rc = ovpn_ctl_call(&fake, q, &e);
	CHECK(!rc && ovpn_ctl_u32(fake.msg.tb, OVPN_A_VERSION, &v) && v == 9,
	      "client refused a reply with unknown attributes: %d %s", rc, e.msg);
	close(sv[1]);
	ovpn_ctl_close(&fake);
}

/* Enough peers for PEER_GET to need several pages. */
static void test_paging(void)
{
	struct nlmsghdr *nlh;
	__u64 cursor = 0;
	int pages = 0, peers = 0;
	bool more = false;

	for (__u32 id = 1000; id < 1600; id++)
		if (call(peer_new("srv", id, "10.99.0.2:40000")))
			break;
	do {
		nlh = req(OVPN_CMD_PEER_GET);
		if (more)
			ovpn_ctl_put_u64(nlh, OVPN_A_CURSOR, cursor);
		if (call(nlh))
			break;
		const struct nlattr *a, *list = cl.msg.tb[OVPN_A_PEERS];

		mnl_attr_for_each_nested(a, list)
			peers++;
		pages++;
		more = ovpn_ctl_u64(cl.msg.tb, OVPN_A_CURSOR, &cursor);
	} while (more && pages < 100);
	CHECK(peers == 601 && pages > 1, "PEER_GET of all: %d peers in %d pages", peers, pages);
}

static void test_subscribe(void)
{
	struct ovpn_ctl_client sub;
	struct ovpn_ctl_err e = {};
	struct nlmsghdr *nlh;
	__u8 qb[64];
	__u32 ev = 0, peer = 0;
	int deleted = 0;

	if (dmn_connect(&dmn, &sub)) {
		CHECK(0, "second connection");
		return;
	}
	CHECK(!ovpn_ctl_call(&sub, ovpn_ctl_start(qb, OVPN_CMD_SUBSCRIBE, 0), &e), "SUBSCRIBE");
	for (__u32 id = 1000; id < 1600; id++) {
		nlh = req(OVPN_CMD_PEER_DEL);
		ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
		ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, id);
		if (call(nlh) || ovpn_ctl_recv(&sub, &e) ||
		    sub.msg.nlh->nlmsg_type != OVPN_CMD_NOTIFY)
			break;
		ovpn_ctl_u32(sub.msg.tb, OVPN_A_EVENT, &ev);
		ovpn_ctl_u32(sub.msg.tb, OVPN_A_PEER_ID, &peer);
		deleted += ev == OVPN_EV_PEER_DELETED && peer == id;
	}
	CHECK(deleted == 600, "%d peer-deleted notifications of 600", deleted);
	ovpn_ctl_close(&sub);
}

static struct nlmsghdr *peer_set(__u32 id, __u32 interval, __u32 timeout)
{
	struct nlmsghdr *nlh = req(OVPN_CMD_PEER_SET);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, id);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_INTERVAL, interval);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_TIMEOUT, timeout);
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
		size_t n = data_v2_build(pkt, p->peer_id, 0, pid, OVPN_CIPHER_AES_256_GCM, key_b,
					 iv, ping, sizeof(ping));

		if (sendto(p->fd, pkt, n, 0, (void *)&dst, sizeof(dst)) > 0)
			p->sent++;
		usleep(200000);
	}
	return NULL;
}

/* PEER_DELETED notifications with reason EXPIRED within @ms: bit i for peer
 * 20 + i. */
static unsigned int expired_within(struct ovpn_ctl_client *sub, int ms)
{
	struct ovpn_ctl_err e = {};
	unsigned int seen = 0;
	__u32 ev, peer, reason;

	sub->timeout_ms = ms;
	while (!ovpn_ctl_recv(sub, &e)) {
		if (ovpn_ctl_u32(sub->msg.tb, OVPN_A_EVENT, &ev) && ev == OVPN_EV_PEER_DELETED &&
		    ovpn_ctl_u32(sub->msg.tb, OVPN_A_PEER_ID, &peer) && peer >= 20 && peer < 24 &&
		    ovpn_ctl_u32(sub->msg.tb, OVPN_A_REASON, &reason) && reason == OVPN_DEL_EXPIRED)
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
	size_t n = data_v2_build(pkt, peer_id, key_id, pid, OVPN_CIPHER_AES_256_GCM, key_b, iv,
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
	ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV4, "10.8.0.42");
	OK(nlh);
	nlh = key_new(42, 0, 6, "AES-256-GCM", 32);
	ovpn_ctl_put_u64(nlh, OVPN_A_TX_PID, OVPN_PID_HIGH_WATER);
	OK(nlh);
	sh("ip netns exec " NS_SRV " ping -c1 -W1 10.8.0.42 || true");
	usleep(300000);
	OK(peer_del(42));
	OK(peer_del(40));
	usleep(300000);
	CHECK(waitpid(mon, NULL, WNOHANG) == 0, "monitor exited on its own");
	dmn_kill(&dmn, SIGTERM);
	ovpn_ctl_close(&cl);
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
	const struct nlattr *tb[OVPN_A_MAX + 1];
	struct pinger p = { .peer_id = 20 };
	struct ovpn_ctl_client sub;
	struct ovpn_ctl_err e = {};
	struct nlmsghdr *nlh;
	pthread_t th;
	__u8 qb[64];
	unsigned int seen;
	__u64 to_ovpn = 0;

	if (!CHECK(!dmn_connect(&dmn, &sub), "subscriber connection"))
		return;
	CHECK(!ovpn_ctl_call(&sub, ovpn_ctl_start(qb, OVPN_CMD_SUBSCRIBE, 0), &e), "SUBSCRIBE");
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
	CHECK(peer_info(20, tb) && ovpn_ctl_u64(tb, OVPN_A_RX_TO_OVPN, &to_ovpn) && to_ovpn > 10,
	      "pinging peer 20 gone, or its pings not authenticated (%llu to OpenVPN, %ld sent)",
	      (unsigned long long)to_ovpn, p.sent);
	CHECK(peer_info(22, tb), "peer 22 expired with its timeout set back to 0");
	p.stop = 1;
	pthread_join(th, NULL);
	seen = expired_within(&sub, 4000);	/* 2 s, and walks once a second */
	CHECK(seen == 1 && !peer_info(20, tb), "peer 20 not expired 4 s after its last ping (0x%x)",
	      seen);
	close(p.fd);
	ovpn_ctl_close(&sub);
	nlh = req(OVPN_CMD_PEER_DEL);
	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 22);
	OK(nlh);
}

/* OVPN_CMD_BATCH: each item applied or refused as if alone, one result each,
 * the batch's instance for items without one. */
static void test_batch(void)
{
	const struct nlattr *a, *tb[OVPN_A_MAX + 1];
	struct nlmsghdr *nlh = req(OVPN_CMD_BATCH);
	struct nlattr *list, *item;
	int want[] = { 0, 0, -EEXIST, -ENOENT, -EOPNOTSUPP, -EINVAL, 0 }, i = 0, good = 0;
	__u32 failed = 99;

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	list = ovpn_ctl_nest_start(nlh, OVPN_A_BATCH);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_PEER_NEW);	/* 0: ok */
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 30);
	ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, "10.99.0.2:30000");
	ovpn_ctl_nest_end(nlh, item);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_KEY_NEW);	/* 1: ok */
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 30);
	ovpn_ctl_put_u32(nlh, OVPN_A_SLOT, 0);
	ovpn_ctl_put_u32(nlh, OVPN_A_KEY_ID, 1);
	ovpn_ctl_put_str(nlh, OVPN_A_CIPHER, "CHACHA20-POLY1305");
	ovpn_ctl_put_bin(nlh, OVPN_A_ENC_KEY, key_a, 32);
	ovpn_ctl_put_bin(nlh, OVPN_A_DEC_KEY, key_b, 32);
	ovpn_ctl_put_bin(nlh, OVPN_A_ENC_NONCE, iv, 8);
	ovpn_ctl_put_bin(nlh, OVPN_A_DEC_NONCE, iv, 8);
	ovpn_ctl_put_u32(nlh, 250, 1);				/* unknown: ignored */
	ovpn_ctl_nest_end(nlh, item);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_PEER_NEW);	/* 2: duplicate */
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 30);
	ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, "10.99.0.2:30000");
	ovpn_ctl_nest_end(nlh, item);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_KEY_SWAP);	/* 3: unknown peer */
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 31);
	ovpn_ctl_nest_end(nlh, item);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_STATUS);	/* 4: not batchable */
	ovpn_ctl_nest_end(nlh, item);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_PEER_NEW);	/* 5: no remote */
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 32);
	ovpn_ctl_nest_end(nlh, item);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_PEER_DEL);	/* 6: by instance id */
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, 1);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 30);
	ovpn_ctl_nest_end(nlh, item);
	ovpn_ctl_nest_end(nlh, list);
	OK(nlh);
	mnl_attr_for_each_nested(a, cl.msg.tb[OVPN_A_RESULTS]) {
		struct ovpn_ctl_err ie = {};
		int st = ovpn_ctl_result_status(a, &ie);

		good += i < 7 && st == want[i];
		if (i < 7 && st != want[i])
			fprintf(stderr, "batch item %d: %d '%s', want %d\n", i, st, ie.msg, want[i]);
		i++;
	}
	CHECK(i == 7 && good == 7 && ovpn_ctl_u32(cl.msg.tb, OVPN_A_FAILED, &failed) &&
	      failed == 4, "batch results: %d of %d as expected, %u failed", good, i, failed);
	CHECK(!peer_info(30, tb) && !peer_info(32, tb), "batch left peers 30 or 32");
	/* malformed: nothing applied */
	nlh = req(OVPN_CMD_BATCH);
	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "srv");
	list = ovpn_ctl_nest_start(nlh, OVPN_A_BATCH);
	item = ovpn_ctl_item_start(nlh, OVPN_CMD_PEER_NEW);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, 33);
	ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, "10.99.0.2:30000");
	ovpn_ctl_nest_end(nlh, item);
	mnl_attr_put(nlh, OVPN_A_ITEM, 2, "xx");
	ovpn_ctl_nest_end(nlh, list);
	FAILS(nlh, -EINVAL, "batch item 1 is not nested");
	CHECK(!peer_info(33, tb), "a malformed batch added peer 33");
	nlh = req(OVPN_CMD_BATCH);
	list = ovpn_ctl_nest_start(nlh, OVPN_A_BATCH);
	for (int j = 0; j <= OVPN_CTL_BATCH_MAX; j++)
		ovpn_ctl_nest_end(nlh, ovpn_ctl_item_start(nlh, OVPN_CMD_KEY_SWAP));
	ovpn_ctl_nest_end(nlh, list);
	FAILS(nlh, -E2BIG, "more than 256 items in a batch");
	FAILS(req(OVPN_CMD_BATCH), -EINVAL, "missing attribute BATCH");
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A daemon that answers nothing but notifications, one every 50 ms. */
static void *chatty(void *arg)
{
	int fd = accept(*(int *)arg, NULL, NULL);
	__u8 nb[64];
	struct nlmsghdr *n = ovpn_ctl_start(nb, OVPN_CMD_NOTIFY, 0);

	ovpn_ctl_put_u32(n, OVPN_A_EVENT, OVPN_EV_PEER_DELETED);
	for (int i = 0; fd >= 0 && i < 40; i++) {
		if (send(fd, n, n->nlmsg_len, MSG_NOSIGNAL) < 0)
			break;
		usleep(50000);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int listen_at(const char *path, int backlog)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (void *)&sun, sizeof(sun)) || listen(fd, backlog))
		t_fatal("cannot listen on %s", path);
	return fd;
}

/* The client's timeout is for the whole call: a stream of notifications
 * without the reply, or a full backlog on connect, end it in time. */
static void test_deadline(void)
{
	const char *path = SOCK_DIR "/stuck.sock";
	struct ovpn_ctl_client c;
	struct ovpn_ctl_err e = {};
	struct timespec t0;
	__u8 qb[64];
	pthread_t th;
	int lfd = listen_at(path, 4), rc, fill[8], nfill = 0;
	double ms;

	pthread_create(&th, NULL, chatty, &lfd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ovpn_ctl_open_call(&c, path, 400, ovpn_ctl_start(qb, OVPN_CMD_STATUS, 0), &e);
	ms = ms_since(&t0);
	ovpn_ctl_close(&c);
	CHECK(rc == -ETIMEDOUT && ms >= 390 && ms < 600 && strstr(e.msg, "within 400 ms"),
	      "call with notifications but no reply: %d '%s' after %.0f ms (limit 400)", rc, e.msg,
	      ms);
	pthread_join(th, NULL);
	close(lfd);
	/* nobody accepts: the backlog fills up, then connect would block */
	lfd = listen_at(path, 0);
	for (int i = 0; i < 8; i++) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		strcpy(sun.sun_path, path);
		fill[nfill] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
		if (connect(fill[nfill], (void *)&sun, sizeof(sun))) {
			close(fill[nfill]);
			break;
		}
		nfill++;
	}
	memset(&e, 0, sizeof(e));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ovpn_ctl_open_call(&c, path, 300, ovpn_ctl_start(qb, OVPN_CMD_STATUS, 0), &e);
	ms = ms_since(&t0);
	ovpn_ctl_close(&c);
	CHECK(rc == -ETIMEDOUT && ms >= 290 && ms < 500 && strstr(e.msg, "within 300 ms"),
	      "connect to a full backlog: %d '%s' after %.0f ms (limit 300)", rc, e.msg, ms);
	while (nfill)
		close(fill[--nfill]);
	close(lfd);
	unlink(path);
}

/* As another user: refused by the socket's mode, and by the daemon's
 * credential check when the mode is opened up. */
static void test_other_user(void)
{
	struct passwd *pw;
	int st, ok;

	if (!getpwnam(TEST_USER))
		sh("useradd --system --no-create-home --shell /usr/sbin/nologin " TEST_USER);
	pw = getpwnam(TEST_USER);
	if (!CHECK(pw, "cannot create user " TEST_USER))
		return;
	for (int open_mode = 0; open_mode < 2; open_mode++) {
		if (open_mode) {
			chmod(SOCK_DIR, 0755);
			chmod(dmn.sock, 0666);
		}
		pid_t pid = fork();

		if (!pid) {
			struct ovpn_ctl_client c;
			struct ovpn_ctl_err e = {};
			__u8 qb[64];

			if (setgid(pw->pw_gid) || setuid(pw->pw_uid))
				_exit(3);
			if (ovpn_ctl_open(&c, dmn.sock, 1000, &e))
				_exit(e.code == -EACCES ? 0 : 4);
			_exit(ovpn_ctl_call(&c, ovpn_ctl_start(qb, OVPN_CMD_STATUS, 0), &e) ? 0 : 5);
		}
		waitpid(pid, &st, 0);
		ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		CHECK(ok, "user %s talked to the socket (mode %s): exit %d", TEST_USER,
		      open_mode ? "opened" : "0600", WEXITSTATUS(st));
	}
	chmod(dmn.sock, 0600);
	chmod(SOCK_DIR, 0700);
}

/* A device that vanishes under a second instance is reported. */
static void test_vanished(void)
{
	int fd = ns_tun_open(NS_SRV, "tun-v");
	struct nlmsghdr *nlh;
	const struct nlattr *tb[OVPN_A_MAX + 1], *itb[OVPN_A_MAX + 1];
	__u32 state = 0;
	bool seen = false;

	sh("ip -n " NS_SRV " link add ovx-gone type veth peer name ovx-gone-p && ip -n " NS_SRV " link set ovx-gone up"
	   " && ip -n " NS_SRV " link set tun-v up");
	OK(instance_new("van", "tun-v", "ovx-gone", "10.99.9.1:1194"));
	sh("ip -n " NS_SRV " link del ovx-gone");
	usleep(200000);
	OK(req(OVPN_CMD_STATUS));
	const struct nlattr *inst, *ifc;

	mnl_attr_for_each_nested(inst, cl.msg.tb[OVPN_A_INSTANCES]) {
		if (ovpn_ctl_parse_nested(inst, tb, NULL) || strcmp(ovpn_ctl_str(tb, OVPN_A_NAME), "van"))
			continue;
		mnl_attr_for_each_nested(ifc, tb[OVPN_A_IFACES])
			if (!ovpn_ctl_parse_nested(ifc, itb, NULL) &&
			    !strcmp(ovpn_ctl_str(itb, OVPN_A_NAME), "ovx-gone"))
				seen = ovpn_ctl_u32(itb, OVPN_A_IF_STATE, &state);
	}
	CHECK(seen && state == OVPN_IF_GONE, "vanished link not reported (%d %u)", seen, state);
	nlh = req(OVPN_CMD_INSTANCE_DEL);
	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "van");
	OK(nlh);
	close(fd);
}

static void test_cli(void)
{
	static char cmd[4096];
	const char *cli = dmn_build_path("ovpn-xdp");

	snprintf(cmd, sizeof(cmd), "%s -s %s show | grep -q 'peer 5 (instance 1)'", cli, dmn.sock);
	CHECK(!sh("%s", cmd), "ovpn-xdp show");
	snprintf(cmd, sizeof(cmd), "%s -s %s show --json | python3 -c 'import json,sys; "
		 "d=json.load(sys.stdin); assert d[\"peers\"][0][\"peer_id\"]==5'", cli, dmn.sock);
	CHECK(!sh("%s", cmd), "ovpn-xdp show --json");
	snprintf(cmd, sizeof(cmd), "%s -s %s peer new srv 6 remote 10.99.0.2:6000 vpn4 10.8.0.6 && "
		 "%s -s %s key new srv 6 slot primary key-id 0 cipher CHACHA20-POLY1305 "
		 "--enc-key %064d --enc-iv 0102030405060708 --dec-key %064d --dec-iv 0102030405060708 && "
		 "%s -s %s route add srv 172.16.0.0/16 via 6 && %s -s %s key get srv 6 | grep -q 'key 0: CHACHA20' && "
		 "%s -s %s peer del srv 6", cli, dmn.sock, cli, dmn.sock, 1, 2, cli, dmn.sock, cli,
		 dmn.sock, cli, dmn.sock);
	CHECK(!sh("%s", cmd), "CLI peer/key/route commands");
	snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '# peers 40-41' 'peer new srv 40 remote 10.99.0.2:4000' "
		 "'peer new srv 41 remote 10.99.0.2:4001 vpn4 10.8.0.41' '' "
		 "'key new srv 41 slot primary key-id 1 cipher AES-128-GCM --enc-key %032d "
		 "--enc-iv 0102030405060708 --dec-key %032d --dec-iv 0102030405060708' "
		 "'peer new srv 40 remote 10.99.0.2:4000' 'route add srv 172.17.0.0/16 via 41' "
		 "'peer del srv 40' | %s -s %s batch 2>&1 | tee /dev/stderr | "
		 "grep -q 'line 6: peer 40 already exists' && %s -s %s key get srv 41 | "
		 "grep -q 'AES-128-GCM' && ! %s -s %s peer get srv 40 >/dev/null 2>&1 && "
		 "%s -s %s peer del srv 41", 1, 2, cli, dmn.sock, cli, dmn.sock, cli, dmn.sock, cli,
		 dmn.sock);
	CHECK(!sh("%s", cmd), "CLI batch");
	snprintf(cmd, sizeof(cmd), "%s -s /tmp/nonexistent.sock show 2>&1 | "
		 "grep -q 'is ovpn-xdpd running?'", cli);
	CHECK(!sh("%s", cmd), "CLI error without a daemon");
	snprintf(cmd, sizeof(cmd), "%s -s %s peer new srv 5 remote 10.99.0.2:1 2>&1 | "
		 "grep -q 'peer 5 already exists'", cli, dmn.sock);
	CHECK(!sh("%s", cmd), "CLI shows the daemon's error");
}

static __u32 npeers(void)
{
	__u32 n = 0;

	if (!call(req(OVPN_CMD_STATUS)))
		ovpn_ctl_u32(cl.msg.tb, OVPN_A_NPEERS, &n);
	return n;
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
	const struct nlattr *tb[OVPN_A_MAX + 1];
	__u64 v = 0;

	if (peer_info(5, tb))
		ovpn_ctl_u64(tb, OVPN_A_TX_LINK_PKTS, &v);
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
	ovpn_ctl_close(&cl);
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
	CHECK(peer_info(5, (const struct nlattr *[OVPN_A_MAX + 1]){}), "peer 5 lost in the restart");
	CHECK(npeers() == peers_before, "%u peers after the restart, %u before", npeers(),
	      peers_before);
	close(t.send_fd);
	close(t.recv_fd);
}

/* The small version of bench_ctl: 2,000 peers with keys, pipelined. */
static void test_bulk(void)
{
	double secs = 0;
	__u32 before = npeers();
	int ok = dmn_bulk_install(&cl, "srv", 100000, 2000, &secs);

	CHECK(ok == 2000 && npeers() == before + 2000, "bulk install: %d of 2000", ok);
	printf("ctl_check_peer_key_installs_per_s %.0f installs/s\n", ok / secs);
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
	ovpn_ctl_put_u32(nlh, OVPN_A_FLAGS, OVPN_INST_F_NO_ATTACH);
	OK(nlh);
	CHECK(!sh("! ip -n " NS_SRV " link show vh-s | grep -q prog/xdp"),
	      "no-attach instance got XDP");
	/* nsenter, not ip -n / tc -n: those remount /sys and hide /sys/fs/bpf */
	CHECK(!sh("nsenter --net=/run/netns/" NS_SRV " sh -c '"
		  "ip link set dev vh-s xdp pinned %s/ovpn_rx_xdp && "
		  "tc qdisc add dev vh-s clsact && "
		  "tc filter add dev vh-s ingress bpf da pinned %s/ovpn_rx_tc && "
		  "tc filter add dev vh-s egress bpf da pinned %s/ovpn_link_egress_tc && "
		  "tc qdisc add dev tun-h clsact && "
		  "tc filter add dev tun-h egress bpf da pinned %s/ovpn_tx_tc'",
		  pins, pins, pins, pins), "attaching the pinned programs by hand");
	/* the program attached by hand uses the daemon's pinned peers map */
	CHECK(!sh("id=$(bpftool map show pinned %s/ovpn_peers | cut -d: -f1); "
		  "bpftool prog show pinned %s/ovpn_rx_xdp | grep map_ids | "
		  "tr ', ' '\\n\\n' | grep -qx \"$id\"", pins, pins),
	      "hand-attached XDP program does not use the pinned maps");
	sh("ip -n " NS_SRV " link del vh-s");
	nlh = req(OVPN_CMD_INSTANCE_DEL);
	ovpn_ctl_put_str(nlh, OVPN_A_NAME, "hand");
	OK(nlh);
	close(fd);
}

static void test_detach(void)
{
	OK(req(OVPN_CMD_DETACH));
	waitpid(dmn.pid, NULL, 0);
	dmn.pid = 0;
	CHECK(access("/sys/fs/bpf/ovpn-xdp/ctltest", F_OK), "pins left after DETACH");
	CHECK(!sh("! nsenter --net=/run/netns/" NS_SRV " ip link show veth-s | grep -q 'prog/xdp'") &&
	      !sh("! tc -n " NS_SRV " filter show dev veth-s ingress | grep -q ovpn"),
	      "programs left on veth-s after DETACH");
}

int main(void)
{
	int tun_fd;

	t_seed(5);
	t_rand_bytes(key_a, sizeof(key_a));
	t_rand_bytes(key_b, sizeof(key_b));
	t_rand_bytes(iv, sizeof(iv));
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup);
	dmn_cleanup(&dmn);
	topo_up_ns(NS_SRV, NS_CLI);
	tun_fd = ns_tun_open(NS_SRV, "tun-s");
	sh("ip -n " NS_SRV " addr add 10.8.0.1/24 dev tun-s && ip -n " NS_SRV " link set tun-s up");
	sh("rm -rf " SOCK_DIR);
	mkdir(SOCK_DIR, 0700);
	dmn_start(&dmn);
	if (dmn_connect(&dmn, &cl))
		t_fatal("cannot connect to the daemon");
	test_instances();
	test_peers();
	test_keys();
	test_routes();
	test_ownership();
	test_malformed();
	test_unknown_reply_attrs();
	test_paging();
	test_subscribe();
	test_batch();
	test_keepalive();
	test_monitor();
	test_deadline();
	test_other_user();
	test_vanished();
	test_cli();
	test_bulk();
	test_restart();
	test_by_hand();
	test_detach();
	close(tun_fd);
	return t_done("ctl_netns");
}
