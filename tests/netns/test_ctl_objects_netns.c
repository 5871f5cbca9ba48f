// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdpd's objects through its control socket, for real (a daemon in the
 * server namespace of the test topology, tests/lib/ctl_harness.h):
 * instances, peers, keys and routes with every error path, VPN addresses
 * and routes owned by one peer, a vanished device, the CLI. Each case runs
 * alone with OVX_CASE=name. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <bpf/bpf.h>
#include "ctl_harness.h"
#include "frames.h"
#include "netns.h"

static void test_instances(void)
{
	struct nlmsghdr *nlh;
	__u32 id = 0;
	int link_mtu, tun_mtu;

	OK(req(OVX_CMD_STATUS));
	CHECK(ovx_ctl_u32(cl.msg.tb, OVX_A_VERSION, &id) && id == OVX_CTL_VERSION, "version");
	FAILS(instance_new("srv", NULL, "veth-s", "10.99.0.1:1194"), -EINVAL,
	      "missing attribute TUN");
	FAILS(instance_new("srv", "nosuchtun", "veth-s", "10.99.0.1:1194"), -ENODEV,
	      "no device 'nosuchtun'");
	FAILS(instance_new("srv", "tun-s", "veth-s", "10.99.0.1"), -EINVAL, "has no port");
	nlh = instance_new("srv", "tun-s", "veth-s", "10.99.0.1:1194");
	ovx_ctl_put_u32(nlh, OVX_A_MODE, 7);
	FAILS(nlh, -EINVAL, "unknown mode 7");
	nlh = instance_new("srv", "tun-s", "veth-s", "10.99.0.1:1194");
	ovx_ctl_put_str(nlh, OVX_A_SOCKADDR, "[fd99::1]:1194");
	OK(nlh);
	CHECK(ovx_ctl_u32(cl.msg.tb, OVX_A_INSTANCE, &id) && id == 1, "instance id %u", id);
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
	CHECK(tun_mtu == link_mtu - 76, "tun MTU %d, link %d (IPv6 socket: - 76, the epoch format's 28 bytes)",
	      tun_mtu, link_mtu);
	CHECK(!sh("nsenter --net=/run/netns/" NS_SRV " xdp-loader status veth-s | grep -q ovx_rx_xdp"),
	      "XDP not on veth-s");
	CHECK(!sh("tc -n " NS_SRV " filter show dev veth-s ingress | grep -q ovx_rx_tc") &&
	      !sh("tc -n " NS_SRV " filter show dev veth-s egress | grep -q ovx_link_egres") &&
	      !sh("tc -n " NS_SRV " filter show dev tun-s egress | grep -q ovx_tx_tc"),
	      "TC programs not attached");
	/* the checksum helper: TX at its receiving end, in a NAPI thread (the
	 * daemon runs under nsenter, so /sys is not its namespace's) */
	CHECK(!sh("tc -n " NS_SRV " filter show dev ovxc1r ingress | grep -q ovx_tx_tc") &&
	      !sh("ip -n " NS_SRV " -d link show ovxc1r | grep -q 'prog/xdp.*name ovx_helper_xdp'") &&
	      !sh("ip netns exec " NS_SRV " grep -qx 1 /sys/class/net/ovxc1r/threaded"),
	      "checksum helper ovxc1r: no TX, XDP or NAPI thread");
	CHECK(!sh("tc -n " NS_SRV " qdisc show dev ovxc1s root | grep -q 'pfifo.*limit 1000p'"),
	      "checksum helper ovxc1s: no pfifo queue (it would drop instead of pushing back)");
}

static void test_peers(void)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	struct nlmsghdr *nlh;
	__u32 v;

	FAILS(peer_new("srv", 16777216, "10.99.0.2:55379"), -ERANGE,
	      "peer-id 16777216 out of range (24 bits)");
	nlh = req(OVX_CMD_PEER_NEW);
	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_str(nlh, OVX_A_REMOTE, "10.99.0.2:55379");
	FAILS(nlh, -EINVAL, "missing attribute PEER_ID");
	FAILS(peer_new("nosuch", 5, "10.99.0.2:55379"), -ENOENT, "no instance 'nosuch'");
	FAILS(peer_new("srv", 5, "10.99.0.300:1"), -EINVAL, "remote '10.99.0.300:1'");
	nlh = peer_new("srv", 5, "10.99.0.2:55379");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV6, "10.8.0.2");
	FAILS(nlh, -EINVAL, "VPN_IPV6 '10.8.0.2' is not an IPv6 address");
	CHECK(!peer_info(5, tb), "a failed PEER_NEW left a peer");
	nlh = peer_new("srv", 5, "10.99.0.2:55379");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, "10.8.0.2");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV6, "fd00:8::2");
	ovx_ctl_put_str(nlh, 200, "from a newer client");	/* unknown: ignored */
	ovx_ctl_put_u64(nlh, OVX_A_MAX + 1, 42);
	OK(nlh);
	FAILS(peer_new("srv", 5, "10.99.0.2:55379"), -EEXIST, "peer 5 already exists");
	CHECK(peer_info(5, tb) && !strcmp(ovx_ctl_str(tb, OVX_A_REMOTE), "10.99.0.2:55379") &&
	      !strcmp(ovx_ctl_str(tb, OVX_A_LOCAL), "10.99.0.1:1194") &&
	      !strcmp(ovx_ctl_str(tb, OVX_A_VPN_IPV4), "10.8.0.2") &&
	      !strcmp(ovx_ctl_str(tb, OVX_A_VPN_IPV6), "fd00:8::2"), "peer 5 as created");
	nlh = req(OVX_CMD_PEER_SET);
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 5);
	ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_INTERVAL, 10);
	ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_TIMEOUT, 60);
	OK(nlh);
	CHECK(peer_info(5, tb) && ovx_ctl_u32(tb, OVX_A_KEEPALIVE_TIMEOUT, &v) && v == 60,
	      "keepalive not stored");
	nlh = req(OVX_CMD_PEER_SET);
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 9);
	ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_INTERVAL, 10);
	ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_TIMEOUT, 60);
	FAILS(nlh, -ENOENT, "no peer 9 in instance 'srv'");
	nlh = req(OVX_CMD_PEER_DEL);
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 9);
	FAILS(nlh, -ENOENT, "no peer 9");
	nlh = req(OVX_CMD_PEER_DEL);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 9);
	FAILS(nlh, -EINVAL, "missing attribute INSTANCE");
}

static bool reply_has_bytes(const void *p, size_t n)
{
	return memmem(cl.reply, cl.msg.nlh->nlmsg_len, p, n) != NULL;
}

static void test_keys(void)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
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
	ovx_ctl_put_u64(nlh, OVX_A_TX_PID, 1ULL << 33);
	FAILS(nlh, -ERANGE, "TX packet-id");
	nlh = key_new(5, 0, 1, "AES-256-GCM", 32);
	ovx_ctl_put_u64(nlh, OVX_A_TX_PID, 1000);
	OK(nlh);
	FAILS(key_new(5, 1, 1, "CHACHA20-POLY1305", 32), -EEXIST,
	      "key-id 1 is in the other slot of peer 5");
	OK(key_new(5, 1, 2, "CHACHA20-POLY1305", 32));
	nlh = req(OVX_CMD_KEY_GET);
	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 5);
	OK(nlh);
	CHECK(!reply_has_bytes(key_a, 16) && !reply_has_bytes(key_b, 16) &&
	      !reply_has_bytes(iv, 8), "KEY_GET returned key bytes");
	CHECK(cl.msg.tb[OVX_A_KEYS] &&
	      !ovx_ctl_parse_nested(mnl_attr_get_payload(cl.msg.tb[OVX_A_KEYS]), tb, NULL) &&
	      ovx_ctl_u32(tb, OVX_A_KEY_ID, &kid) && kid == 1 &&
	      ovx_ctl_u64(tb, OVX_A_TX_PID, &pid) && pid == 1000 &&
	      !strcmp(ovx_ctl_str(tb, OVX_A_CIPHER), "AES-256-GCM"),
	      "KEY_GET: key-id %u pid %llu", kid, (unsigned long long)pid);
	nlh = req(OVX_CMD_KEY_SWAP);
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 5);
	OK(nlh);
	nlh = req(OVX_CMD_KEY_GET);
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 5);
	OK(nlh);
	CHECK(!ovx_ctl_parse_nested(mnl_attr_get_payload(cl.msg.tb[OVX_A_KEYS]), tb, NULL) &&
	      ovx_ctl_u32(tb, OVX_A_KEY_ID, &kid) && kid == 2, "after KEY_SWAP primary %u", kid);
	for (int i = 0; i < 2; i++) {
		nlh = req(OVX_CMD_KEY_DEL);
		ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
		ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 5);
		ovx_ctl_put_u32(nlh, OVX_A_SLOT, 0);
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

	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_str(nlh, OVX_A_PREFIX, prefix);
	if (via)
		ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, via);
	return nlh;
}

static void test_routes(void)
{
	OK(route(OVX_CMD_ROUTE_ADD, "192.168.50.0/24", 5));
	OK(route(OVX_CMD_ROUTE_ADD, "fd00:50::/64", 5));
	FAILS(route(OVX_CMD_ROUTE_ADD, "192.168.51.0/24", 6), -ENOENT, "no peer 6");
	FAILS(route(OVX_CMD_ROUTE_ADD, "192.168.51.0/33", 5), -EINVAL,
	      "prefix '192.168.51.0/33'");
	FAILS(route(OVX_CMD_ROUTE_ADD, "192.168.51.0/24", 0), -EINVAL, "missing attribute PEER_ID");
	OK(route(OVX_CMD_ROUTE_DEL, "192.168.50.0/24", 0));
	FAILS(route(OVX_CMD_ROUTE_DEL, "192.168.50.0/24", 0), -ENOENT, "no such route");
	/* a peer's routes go with it */
	OK(peer_new("srv", 8, "10.99.0.2:8000"));
	OK(route(OVX_CMD_ROUTE_ADD, "192.168.80.0/24", 8));
	struct nlmsghdr *nlh = req(OVX_CMD_PEER_DEL);

	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 8);
	OK(nlh);
	FAILS(route(OVX_CMD_ROUTE_DEL, "192.168.80.0/24", 0), -ENOENT, "no such route");
}

/* The peer a VPN address or prefix leads TX to, from the pinned maps; -1 for
 * none. */
static long owner_of(const char *map, const char *text)
{
	char path[128];
	__u8 key[sizeof(struct ovx_route6_key)] = {};
	struct ovx_vpn_addr va = { .instance = 1 };
	__u32 plen = 0, owner;
	int family, fd;

	snprintf(path, sizeof(path), "/sys/fs/bpf/ovpn-xdp/ctltest/%s", map);
	fd = bpf_obj_get(path);
	if (fd < 0 || ovx_ctl_addr_parse(text, &family, va.addr, &plen))
		return -2;
	if (!strcmp(map, "ovx_vpn_addrs")) {
		va.family = family;
		memcpy(key, &va, sizeof(va));
	} else {		/* ovx_routes4: prefixlen, instance (network order), addr */
		struct ovx_route4_key *k = (void *)key;
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
	ovx_ctl_put_u32(nlh, OVX_A_FLAGS, OVX_F_MOVE);
	return nlh;
}

/* A VPN address or prefix another peer has is refused, naming that peer, or
 * moved when the request says so; deleting a peer removes only what is still
 * its own. */
static void test_ownership(void)
{
	struct nlmsghdr *nlh;

	nlh = peer_new("srv", 50, "10.99.0.2:5050");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, "10.50.0.4");
	OK(nlh);
	nlh = peer_new("srv", 51, "10.99.0.2:5051");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, "10.50.0.4");
	FAILS(nlh, -EADDRINUSE, "10.50.0.4 is the VPN address of peer 50");
	CHECK(!peer_info(51, (const struct nlattr *[OVX_A_MAX + 1]){}),
	      "a refused PEER_NEW left peer 51");
	CHECK(owner_of("ovx_vpn_addrs", "10.50.0.4") == 50, "10.50.0.4 no longer peer 50's");
	nlh = peer_new("srv", 51, "10.99.0.2:5051");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, "10.50.0.4");
	OK(with_move(nlh));
	CHECK(owner_of("ovx_vpn_addrs", "10.50.0.4") == 51, "move: 10.50.0.4 is not peer 51's");
	OK(peer_del(50));
	CHECK(owner_of("ovx_vpn_addrs", "10.50.0.4") == 51,
	      "deleting peer 50 removed peer 51's address");
	OK(peer_del(51));
	CHECK(owner_of("ovx_vpn_addrs", "10.50.0.4") == -1, "10.50.0.4 left after its owner");

	OK(peer_new("srv", 52, "10.99.0.2:5052"));
	OK(peer_new("srv", 53, "10.99.0.2:5053"));
	OK(route(OVX_CMD_ROUTE_ADD, "192.168.52.0/24", 52));
	OK(route(OVX_CMD_ROUTE_ADD, "192.168.52.0/24", 52));	/* again: no change */
	FAILS(route(OVX_CMD_ROUTE_ADD, "192.168.52.0/24", 53), -EADDRINUSE,
	      "routed via peer 52");
	CHECK(owner_of("ovx_routes4", "192.168.52.0/24") == 52, "refused route moved anyway");
	OK(with_move(route(OVX_CMD_ROUTE_ADD, "192.168.52.0/24", 53)));
	CHECK(owner_of("ovx_routes4", "192.168.52.0/24") == 53, "move: route not via peer 53");
	FAILS(route(OVX_CMD_ROUTE_DEL, "192.168.52.0/24", 52), -ENOENT, "no such route");
	OK(peer_del(52));
	CHECK(owner_of("ovx_routes4", "192.168.52.0/24") == 53,
	      "deleting peer 52 removed the route via peer 53");
	OK(peer_del(53));
	CHECK(owner_of("ovx_routes4", "192.168.52.0/24") == -1, "route left after its peer");
}

/* A device that vanishes under a second instance is reported. */
static void test_vanished(void)
{
	int fd = ns_tun_open(NS_SRV, "tun-v");
	struct nlmsghdr *nlh;
	const struct nlattr *tb[OVX_A_MAX + 1], *itb[OVX_A_MAX + 1];
	__u32 state = 0;
	bool seen = false;

	sh("ip -n " NS_SRV " link add ovx-gone type veth peer name ovx-gone-p && ip -n " NS_SRV " link set ovx-gone up"
	   " && ip -n " NS_SRV " link set tun-v up");
	OK(instance_new("van", "tun-v", "ovx-gone", "10.99.9.1:1194"));
	sh("ip -n " NS_SRV " link del ovx-gone");
	usleep(200000);
	OK(req(OVX_CMD_STATUS));
	const struct nlattr *inst, *ifc;

	mnl_attr_for_each_nested(inst, cl.msg.tb[OVX_A_INSTANCES]) {
		if (ovx_ctl_parse_nested(inst, tb, NULL) || strcmp(ovx_ctl_str(tb, OVX_A_NAME), "van"))
			continue;
		mnl_attr_for_each_nested(ifc, tb[OVX_A_IFACES])
			if (!ovx_ctl_parse_nested(ifc, itb, NULL) &&
			    !strcmp(ovx_ctl_str(itb, OVX_A_NAME), "ovx-gone"))
				seen = ovx_ctl_u32(itb, OVX_A_IF_STATE, &state);
	}
	CHECK(seen && state == OVX_IF_GONE, "vanished link not reported (%d %u)", seen, state);
	nlh = req(OVX_CMD_INSTANCE_DEL);
	ovx_ctl_put_str(nlh, OVX_A_NAME, "van");
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

int main(void)
{
	ctl_setup();
	T_CASE(test_instances);
	ctl_need_srv();		/* what the cases below start from */
	T_CASE(test_peers);
	ctl_need_peer5();
	T_CASE(test_keys);
	T_CASE(test_routes);
	T_CASE(test_ownership);
	T_CASE(test_vanished);
	T_CASE(test_cli);
	return t_done("ctl_objects_netns");
}
