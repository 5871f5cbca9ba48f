// SPDX-License-Identifier: GPL-2.0
/* TX fast path on a real link: packets the server's kernel routes into its
 * tun device come out of veth as P_DATA_V2 that OpenSSL decrypts, with the
 * right peer, key, packet-id and outer headers; what has no peer, or is too
 * big, reaches OpenVPN (the tun reader) unchanged. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "netns.h"
#include "ovx.skel.h"
#include "testlib.h"
#include "topo.h"

#define INST	1

struct peer_spec {
	uint32_t id;
	const char *remote, *local, *vpn4, *vpn6;
	int rx_fd;			/* client socket that receives its packets */
};

static struct peer_spec peers[] = {
	{ 5, "10.99.0.2:55379", "10.99.0.1:1194", "10.8.0.2", "fd00:8::2", -1 },
	{ 6, "10.99.0.2:50527", "10.99.0.1:1194", "10.8.0.3", "fd00:8::3", -1 },
	{ 7, "[fd99::2]:55380", "[fd99::1]:1194", "10.8.0.4", "fd00:8::4", -1 },
};
#define NPEERS (int)(sizeof(peers) / sizeof(peers[0]))

struct ctx {
	struct side srv;
	int cipher, send4, send6, link_capture;
	uint8_t key[32], iv[8];
	uint32_t last_pid[8];
};

/* Routes "addr/len" via peers[@peer], or deletes its route for @peer -1. */
static int route_set(struct ctx *c, const char *prefix, int peer)
{
	const char *slash = strchr(prefix, '/');
	int family = strchr(prefix, ':') ? OVX_AF_INET6 : OVX_AF_INET;
	uint8_t addr[16];
	char a[64];

	snprintf(a, sizeof(a), "%.*s", (int)(slash - prefix), prefix);
	if (inet_pton(family == OVX_AF_INET ? AF_INET : AF_INET6, a, addr) != 1)
		t_fatal("prefix %s", prefix);
	if (peer < 0)
		return ovx_route_del(&c->srv.h.fp, INST, family, addr, atoi(slash + 1),
				      OVX_ROUTE_ANY_PEER);
	return ovx_route_add(&c->srv.h.fp, INST, family, addr, atoi(slash + 1),
			      peers[peer].id, true);
}

static void setup_peers(struct ctx *c)
{
	struct fp_harness *h = &c->srv.h;

	struct ovx_sockaddr sa;

	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	if (ovx_iface_set(&h->fp, c->srv.tun_ifindex, INST, 0, 0) ||
	    ovx_socket_add(&h->fp, &sa, INST, c->srv.tun_ifindex, c->srv.link_ifindex))
		t_fatal("iface");
	ovx_sockaddr_parse(&sa, "[fd99::1]:1194");
	if (ovx_socket_add(&h->fp, &sa, INST, c->srv.tun_ifindex, c->srv.link_ifindex))
		t_fatal("socket6");
	for (int i = 0; i < NPEERS; i++) {
		struct ovx_peer_config pc = { .instance = INST, .peer_id = peers[i].id };
		struct ovx_key_config kc = {
			.instance = INST, .peer_id = peers[i].id, .slot = OVX_SLOT_PRIMARY,
			.key_id = 2, .cipher = c->cipher, .enc_key = c->key, .dec_key = c->key,
		};

		ovx_sockaddr_parse(&pc.remote, peers[i].remote);
		ovx_sockaddr_parse(&pc.local, peers[i].local);
		inet_pton(AF_INET, peers[i].vpn4, pc.vpn_ipv4);
		inet_pton(AF_INET6, peers[i].vpn6, pc.vpn_ipv6);
		memcpy(kc.enc_nonce_tail, c->iv, 8);
		memcpy(kc.dec_nonce_tail, c->iv, 8);
		if (ovx_peer_new(&h->fp, &pc) || ovx_key_new(&h->fp, &kc))
			t_fatal("peer %u", peers[i].id);
		peers[i].rx_fd = udp_socket(NS_CLI, peers[i].remote);
	}
	/* iroutes, a longer prefix inside a shorter one via another peer; a
	 * kernel route via peer 6's address, with an iroute inside it */
	if (route_set(c, "192.168.50.0/24", 1) || route_set(c, "192.168.50.128/25", 0) ||
	    route_set(c, "172.16.9.0/24", 2) ||
	    route_set(c, "fd00:50::/64", 2) || route_set(c, "fd00:50::ab00/120", 1) ||
	    sh("ip -n " NS_SRV " route add 192.168.50.0/24 dev tun-s && "
	       "ip -n " NS_SRV " route add 172.16.0.0/16 via 10.8.0.3 dev tun-s && "
	       "ip -n " NS_SRV " -6 route add fd00:50::/64 dev tun-s && "
	       /* the kernel's route lookup from BPF needs forwarding on the device */
	       "ip netns exec " NS_SRV " sysctl -qw net.ipv4.conf.tun-s.forwarding=1"))
		t_fatal("routes");
}

/* Sends @len bytes of UDP from the server host to @dst (inner packet). */
static void send_inner(struct ctx *c, const char *dst, const uint8_t *data, size_t len)
{
	struct ovx_sockaddr sa;
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	ssize_t n;

	ovx_sockaddr_parse(&sa, dst);
	memcpy(&a4.sin_addr, sa.addr, 4);
	memcpy(&a6.sin6_addr, sa.addr, 16);
	a4.sin_port = a6.sin6_port = sa.port;
	n = sa.family == OVX_AF_INET ?
		sendto(c->send4, data, len, 0, (void *)&a4, sizeof(a4)) :
		sendto(c->send6, data, len, 0, (void *)&a6, sizeof(a6));
	if (n != (ssize_t)len)
		t_fatal("send to %s: %s", dst, strerror(errno));
}

static ssize_t recv_wait(int fd, uint8_t *buf, size_t max, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return read(fd, buf, max);
}

/* The packet for @peer: decrypts it and checks it carries @data to @dst. */
static bool got_sealed(struct ctx *c, int peer, const uint8_t *data, size_t len,
		       const char *what)
{
	uint8_t buf[4096];
	ssize_t n = recv_wait(peers[peer].rx_fd, buf, sizeof(buf), 1000);
	uint32_t pid, pt_len, l4;
	uint8_t *pt = buf + OVX_DATA_HDR_LEN;

	if (n < OVX_DATA_HDR_LEN + 20) {
		fprintf(stderr, "%s: nothing for peer %u\n", what, peers[peer].id);
		return false;
	}
	pid = (uint32_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
	pt_len = n - OVX_DATA_HDR_LEN;
	if (buf[0] != (9 << 3 | 2) || (buf[1] << 16 | buf[2] << 8 | buf[3]) != (int)peers[peer].id ||
	    pid <= c->last_pid[peer] ||
	    oracle_open(c->cipher, c->key, c->iv, buf, pt_len)) {
		fprintf(stderr, "%s: bad packet: op %02x pid %u (last %u)\n", what, buf[0],
			pid, c->last_pid[peer]);
		return false;
	}
	c->last_pid[peer] = pid;
	l4 = pt[0] >> 4 == 4 ? (pt[0] & 0xf) * 4 : 40;
	return pt_len == l4 + 8 + len && !memcmp(pt + l4 + 8, data, len);
}

static bool got_on_tun(struct ctx *c, const uint8_t *data, size_t len)
{
	uint8_t buf[4096];
	ssize_t n;

	while ((n = recv_wait(c->srv.tun_fd, buf, sizeof(buf), 500)) > 0) {
		if (buf[0] >> 4 != 4 && buf[0] >> 4 != 6)
			continue;
		size_t l4 = buf[0] >> 4 == 4 ? (buf[0] & 0xf) * 4u : 40;

		if ((size_t)n == l4 + 8 + len && !memcmp(buf + l4 + 8, data, len))
			return true;
	}
	return false;
}

static void test_routes(struct ctx *c, const char *name)
{
	static const struct { const char *dst; int peer; const char *what; } cases[] = {
		{ "10.8.0.2:9000", 0, "VPN address" },
		{ "[fd00:8::2]:9000", 0, "VPN IPv6 address" },
		{ "192.168.50.7:9000", 1, "iroute" },
		{ "172.16.3.4:9000", 1, "kernel route via a peer" },
		{ "10.8.0.4:9000", 2, "IPv6 outer" },
		{ "[fd00:8::4]:9000", 2, "IPv6 inner and outer" },
		{ "192.168.50.200:9000", 0, "longer iroute" },
		{ "172.16.9.1:9000", 2, "iroute inside a kernel route via a peer" },
		{ "[fd00:50::9]:9000", 2, "IPv6 iroute" },
		{ "[fd00:50::abcd]:9000", 1, "longer IPv6 iroute" },
	};
	uint8_t data[1000];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = 100 + (i * 150) % 900;

		t_rand_bytes(data, len);
		send_inner(c, cases[i].dst, data, len);
		CHECK(got_sealed(c, cases[i].peer, data, len, cases[i].what),
		      "%s: %s (%s) not sent sealed to peer %u", name, cases[i].what,
		      cases[i].dst, peers[cases[i].peer].id);
	}
	t_rand_bytes(data, 64);
	send_inner(c, "10.8.0.99:9000", data, 64);
	CHECK(got_on_tun(c, data, 64), "%s: packet without a peer not left to OpenVPN", name);
	t_rand_bytes(data, 1000);
	for (int i = 0; i < 2; i++)	/* 1000 + 28 + 52 fits; 1472 + 28 + 52 does not */
		send_inner(c, "10.8.0.2:9000", data, 1000);
	CHECK(got_sealed(c, 0, data, 1000, "fits") && got_sealed(c, 0, data, 1000, "fits"),
	      "%s: 1028-byte packet", name);
	uint8_t big[1472];
	struct ovx_peer_stats st0, st1;

	t_rand_bytes(big, sizeof(big));
	ovx_peer_stats_get(&c->srv.h.fp, INST, 5, &st0);
	send_inner(c, "10.8.0.2:9000", big, sizeof(big));
	CHECK(!got_on_tun(c, big, sizeof(big)) &&
	      !got_sealed(c, 0, big, sizeof(big), "too big (expected)"),
	      "%s: packet over the link MTU not dropped", name);
	ovx_peer_stats_get(&c->srv.h.fp, INST, 5, &st1);
	CHECK(st1.drops[OVX_DROP_TOO_BIG] - st0.drops[OVX_DROP_TOO_BIG] == 1,
	      "%s: too-big counter", name);
}

/* Sends to @dst; checks it reaches peers[@peer], or OpenVPN for @peer -1. */
static void expect_route(struct ctx *c, const char *name, const char *dst, int peer,
			 const char *what)
{
	uint8_t data[300];
	char to[32] = "OpenVPN";

	t_rand_bytes(data, sizeof(data));
	send_inner(c, dst, data, sizeof(data));
	if (peer >= 0)
		snprintf(to, sizeof(to), "peer %u", peers[peer].id);
	CHECK(peer < 0 ? got_on_tun(c, data, sizeof(data)) :
			 got_sealed(c, peer, data, sizeof(data), what),
	      "%s: %s (%s) not sent to %s", name, what, dst, to);
}

static bool len_used(struct ctx *c, __u32 family, __u32 len)
{
	struct ovx_route_lens l;

	if (bpf_map_lookup_elem(c->srv.h.fp.route_lens_fd, &family, &l))
		t_fatal("ovx_route_lens: %s", strerror(errno));
	return l.used[len / 32] >> len % 32 & 1;
}

/* Routes replaced, added at the extreme lengths and deleted: the packet
 * goes by the longest prefix left, else the kernel's gateway, else to
 * OpenVPN; a length's bit goes with its last route. */
static void test_route_changes(struct ctx *c, const char *name)
{
	const __u32 v4 = OVX_ROUTE_LENS_V4, v6 = OVX_ROUTE_LENS_V6;

	CHECK(!route_set(c, "192.168.50.128/25", 2), "%s: replace route", name);
	expect_route(c, name, "192.168.50.200:9000", 2, "replaced iroute");
	CHECK(!route_set(c, "192.168.50.77/32", 0) && !route_set(c, "0.0.0.0/0", 0) &&
	      !route_set(c, "fd00:50::77/128", 0), "%s: add /32, /0, /128", name);
	expect_route(c, name, "192.168.50.77:9000", 0, "/32 iroute");
	expect_route(c, name, "10.8.0.99:9000", 0, "/0 iroute");
	expect_route(c, name, "[fd00:50::77]:9000", 0, "/128 iroute");
	expect_route(c, name, "[fd00:50::78]:9000", 2, "beside a /128 iroute");
	CHECK(!route_set(c, "192.168.50.77/32", -1) && !route_set(c, "0.0.0.0/0", -1) &&
	      !route_set(c, "fd00:50::77/128", -1), "%s: delete /32, /0, /128", name);
	CHECK(!len_used(c, v4, 32) && !len_used(c, v4, 0) && !len_used(c, v6, 128),
	      "%s: lengths /32, /0, /128 still marked", name);
	expect_route(c, name, "10.8.0.99:9000", -1, "no iroute after /0 deleted");

	CHECK(!route_set(c, "192.168.50.128/25", -1), "%s: delete /25", name);
	CHECK(!len_used(c, v4, 25) && len_used(c, v4, 24), "%s: /25 still marked", name);
	expect_route(c, name, "192.168.50.200:9000", 1, "shorter iroute after /25 deleted");
	CHECK(!route_set(c, "192.168.50.0/24", -1), "%s: delete /24", name);
	expect_route(c, name, "192.168.50.7:9000", -1, "no iroute after /24 deleted");
	CHECK(len_used(c, v4, 24), "%s: /24 unmarked with a route left", name);
	CHECK(!route_set(c, "172.16.9.0/24", -1), "%s: delete 172.16.9.0/24", name);
	CHECK(!len_used(c, v4, 24), "%s: /24 still marked", name);
	expect_route(c, name, "172.16.9.1:9000", 1, "kernel route after iroute deleted");

	CHECK(!route_set(c, "fd00:50::ab00/120", -1), "%s: delete /120", name);
	expect_route(c, name, "[fd00:50::abcd]:9000", 2, "IPv6 /64 after /120 deleted");
	CHECK(!route_set(c, "fd00:50::/64", -1), "%s: delete /64", name);
	expect_route(c, name, "[fd00:50::9]:9000", -1, "no IPv6 iroute after /64 deleted");
	CHECK(!len_used(c, v6, 120) && !len_used(c, v6, 64), "%s: IPv6 lengths still marked",
	      name);

	CHECK(route_set(c, "fd00:50::/64", -1) == -ENOENT, "%s: delete twice", name);
	CHECK(route_set(c, "10.1.0.0/33", 0) == -EINVAL &&
	      route_set(c, "fd00:1::/129", 0) == -EINVAL, "%s: bad prefix length", name);
	struct ovx_route4_key k = { .prefixlen = 16, .instance = { 0, 0, 0, INST },
				     .addr = { 10, 1 } };

	CHECK(ovx_route_add(&c->srv.h.fp, INST, OVX_AF_INET, k.addr, 16, 99, false) == -ENOENT,
	      "%s: route via no peer", name);
	/* deleted behind the API's back: the count stays until a recount */
	CHECK(!route_set(c, "10.1.0.0/16", 0) &&
	      !bpf_map_delete_elem(c->srv.h.fp.routes4_fd, &k) && len_used(c, v4, 16) &&
	      !ovx_route_recount(&c->srv.h.fp) && !len_used(c, v4, 16),
	      "%s: recount", name);
}

/* Outer headers as captured on the client's link. */
static void test_outer_headers(struct ctx *c, const char *name)
{
	uint8_t data[200], frame[4096];
	int ok = 0;
	ssize_t n;

	t_rand_bytes(data, sizeof(data));
	while (recv_wait(c->link_capture, frame, sizeof(frame), 10) > 0)
		;
	send_inner(c, "10.8.0.2:9000", data, sizeof(data));
	got_sealed(c, 0, data, sizeof(data), "outer");
	while ((n = recv_wait(c->link_capture, frame, sizeof(frame), 200)) > 0) {
		const uint8_t *ip = frame + 14;
		uint32_t sum = 0;

		if (n < 14 + 20 + 8 || (frame[12] << 8 | frame[13]) != ETH_P_IP || ip[9] != 17 ||
		    (ip[22] << 8 | ip[23]) != 55379)
			continue;
		for (int i = 0; i < 20; i += 2)
			sum += ip[i] << 8 | ip[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		ok = sum == 0xffff && ip[0] == 0x45 && ip[8] == 64 &&
		     (ip[2] << 8 | ip[3]) == n - 14 && (ip[20] << 8 | ip[21]) == 1194 &&
		     (ip[24] << 8 | ip[25]) == n - 14 - 20 &&
		     !memcmp(ip + 12, (uint8_t[]){ 10, 99, 0, 1 }, 4) &&
		     !memcmp(ip + 16, (uint8_t[]){ 10, 99, 0, 2 }, 4);
		break;
	}
	CHECK(ok, "%s: outer IPv4/UDP headers wrong or not captured", name);
}

static int on_event(void *ctx, void *d, size_t sz)
{
	const struct ovx_event *e = d;

	if (sz >= sizeof(*e) && e->type == OVX_EV_PID_HIGH_WATER && e->peer_id == 5 &&
	    e->key_id == 2)
		(*(int *)ctx)++;
	return 0;
}

/* Past the high-water mark an event; at the end, drops, never a reused id. */
static void test_pid_limits(struct ctx *c, const char *name)
{
	struct fp_harness *h = &c->srv.h;
	int events = 0;
	struct ring_buffer *rb;
	struct ovx_peer_stats st0, st1;
	uint8_t data[64];

	rb = ring_buffer__new(bpf_map__fd(h->skel->maps.ovx_events), on_event, &events, NULL);
	t_rand_bytes(data, sizeof(data));
	CHECK(ovx_key_set_tx_pid(&h->fp, INST, 5, 2, OVX_PID_HIGH_WATER - 1) == 0,
	      "%s: set packet-id", name);
	for (int i = 0; i < 3; i++) {
		send_inner(c, "10.8.0.2:9000", data, sizeof(data));
		got_sealed(c, 0, data, sizeof(data), "high water");
	}
	ring_buffer__poll(rb, 200);
	CHECK(events == 1, "%s: %d high-water events", name, events);
	CHECK(c->last_pid[0] == OVX_PID_HIGH_WATER + 1, "%s: pid %x", name, c->last_pid[0]);
	ovx_key_set_tx_pid(&h->fp, INST, 5, 2, OVX_PID_MAX);
	ovx_peer_stats_get(&h->fp, INST, 5, &st0);
	send_inner(c, "10.8.0.2:9000", data, sizeof(data));
	CHECK(got_sealed(c, 0, data, sizeof(data), "last") && c->last_pid[0] == OVX_PID_MAX,
	      "%s: last packet-id not sent", name);
	for (int i = 0; i < 3; i++)
		send_inner(c, "10.8.0.2:9000", data, sizeof(data));
	CHECK(!got_sealed(c, 0, data, sizeof(data), "exhausted (expected)"),
	      "%s: sent past the last packet-id", name);
	CHECK(!got_on_tun(c, data, sizeof(data)), "%s: exhausted key's packet left to OpenVPN", name);
	ovx_peer_stats_get(&h->fp, INST, 5, &st1);
	CHECK(st1.drops[OVX_DROP_PID_EXHAUSTED] - st0.drops[OVX_DROP_PID_EXHAUSTED] == 3,
	      "%s: exhaustion counter %llu", name,
	      st1.drops[OVX_DROP_PID_EXHAUSTED] - st0.drops[OVX_DROP_PID_EXHAUSTED]);
	ring_buffer__free(rb);
}

static void run(int cipher)
{
	const char *name = ovx_cipher_name(cipher);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct ctx *c = calloc(1, sizeof(*c));

	c->srv = (struct side)SIDE_SRV;
	c->cipher = cipher;
	t_rand_bytes(c->key, sizeof(c->key));
	t_rand_bytes(c->iv, sizeof(c->iv));
	topo_up();
	side_open(&c->srv, 0);
	side_attach_tx(&c->srv);
	setup_peers(c);
	ns_enter(NS_SRV);
	c->send4 = socket(AF_INET, SOCK_DGRAM, 0);
	c->send6 = socket(AF_INET6, SOCK_DGRAM, 0);
	ns_enter(NS_CLI);
	c->link_capture = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	sll.sll_ifindex = if_nametoindex("veth-c");
	bind(c->link_capture, (void *)&sll, sizeof(sll));
	ns_enter(NULL);
	/* the client's neighbour entries first, so nothing waits on resolution */
	sh("ip netns exec " NS_SRV " ping -c1 -W1 10.99.0.2; "
	   "ip netns exec " NS_SRV " ping -c1 -W1 fd99::2; true");
	test_routes(c, name);
	test_route_changes(c, name);
	test_outer_headers(c, name);
	test_pid_limits(c, name);
	for (int i = 0; i < NPEERS; i++)
		close(peers[i].rx_fd);
	close(c->send4);
	close(c->send6);
	close(c->link_capture);
	side_close(&c->srv);
	topo_down();
	free(c);
}

int main(void)
{
	t_seed(11);
	run(OVX_CIPHER_AES_256_GCM);
	run(OVX_CIPHER_CHACHA20_POLY1305);
	return t_done("tx_netns");
}
