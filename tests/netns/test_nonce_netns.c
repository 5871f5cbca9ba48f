// SPDX-License-Identifier: GPL-2.0
/* Trap 1: one nonce sequence per key. A stand-in for OpenVPN sends keepalive
 * pings from OpenVPN's socket with its own packet-id counter (1, 2, 3...)
 * while the fast path sends with the same key. On the wire, no packet-id of
 * the key may appear twice, and every packet must still authenticate.
 * Without the renumbering program the same traffic does repeat packet-ids
 * (shown first, so the test is known to see the problem). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include "aead_harness.h"
#include "aead_key.h"
#include "frames.h"
#include "netns.h"
#include "testlib.h"
#include "topo.h"

#define INST	1
#define PEER	5
#define KEY_ID	0

static const uint8_t ping[16] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
};

struct run {
	int cipher;
	uint8_t key[32], iv[8];
	int ovx_fd, app_fd, rx_fd;
	uint32_t ovx_pid;		/* OpenVPN's own counter */
	uint8_t *seen;			/* packet-ids seen in this phase */
	int pings_sent, data_sent, pings_got, data_got, dups, bad;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void send_ping(struct run *r)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(55379) };
	uint8_t pkt[64];
	size_t n = data_v2_build(pkt, PEER, KEY_ID, ++r->ovx_pid, r->cipher, r->key, r->iv,
				 ping, sizeof(ping));

	inet_pton(AF_INET, "10.99.0.2", &to.sin_addr);
	if (sendto(r->ovx_fd, pkt, n, 0, (void *)&to, sizeof(to)) == (ssize_t)n)
		r->pings_sent++;
}

static void send_data(struct run *r)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9000) };
	uint8_t data[200];

	t_rand_bytes(data, sizeof(data));
	inet_pton(AF_INET, "10.8.0.2", &to.sin_addr);
	if (sendto(r->app_fd, data, sizeof(data), 0, (void *)&to, sizeof(to)) > 0)
		r->data_sent++;
}

static void receive(struct run *r, int ms)
{
	struct pollfd p = { .fd = r->rx_fd, .events = POLLIN };
	uint8_t buf[2048];
	ssize_t n;

	while (poll(&p, 1, ms) > 0 && (n = recv(r->rx_fd, buf, sizeof(buf), 0)) > 0) {
		uint32_t pid = (uint32_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
		uint32_t len = n - OVX_DATA_HDR_LEN;

		if (n < OVX_DATA_HDR_LEN || oracle_open(r->cipher, r->key, r->iv, buf, len)) {
			r->bad++;
			continue;
		}
		if (pid < (1u << 20) && r->seen[pid]++)
			r->dups++;
		if (len == sizeof(ping) && !memcmp(buf + OVX_DATA_HDR_LEN, ping, len))
			r->pings_got++;
		else
			r->data_got++;
	}
}

/* @seconds of pings every 5 ms interleaved with fast-path traffic. */
static void phase(struct run *r, double seconds)
{
	double end = now_s() + seconds;

	memset(r->seen, 0, 1 << 20);
	r->pings_sent = r->data_sent = r->pings_got = r->data_got = r->dups = r->bad = 0;
	while (now_s() < end) {
		send_ping(r);
		for (int i = 0; i < 4; i++)
			send_data(r);
		receive(r, 0);
		usleep(5000);
	}
	receive(r, 300);
}

static void run(int cipher, double seconds)
{
	const char *name = ovx_cipher_name(cipher);
	struct side srv = SIDE_SRV;
	struct run *r = calloc(1, sizeof(*r));
	struct ovx_peer_config pc = { .instance = INST, .peer_id = PEER };
	struct ovx_key_config kc = {
		.instance = INST, .peer_id = PEER, .slot = OVX_SLOT_PRIMARY, .key_id = KEY_ID,
		.cipher = cipher,
	};
	struct ovx_sockaddr sa;

	r->cipher = cipher;
	r->seen = malloc(1 << 20);
	t_rand_bytes(r->key, sizeof(r->key));
	t_rand_bytes(r->iv, sizeof(r->iv));
	kc.enc_key = kc.dec_key = r->key;
	memcpy(kc.enc_nonce_tail, r->iv, 8);
	memcpy(kc.dec_nonce_tail, r->iv, 8);
	topo_up();
	side_open(&srv, 0);
	side_attach_tx(&srv);
	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	ovx_sockaddr_parse(&pc.remote, "10.99.0.2:55379");
	pc.local = sa;
	inet_pton(AF_INET, "10.8.0.2", pc.vpn_ipv4);
	if (ovx_iface_set(&srv.h.fp, srv.tun_ifindex, INST, 0, 0) ||
	    ovx_socket_add(&srv.h.fp, &sa, INST, srv.tun_ifindex, srv.link_ifindex) ||
	    ovx_peer_new(&srv.h.fp, &pc) || ovx_key_new(&srv.h.fp, &kc))
		t_fatal("setup");
	r->ovx_fd = udp_socket(NS_SRV, "10.99.0.1:1194");
	r->rx_fd = udp_socket(NS_CLI, "10.99.0.2:55379");
	ns_enter(NS_SRV);
	r->app_fd = socket(AF_INET, SOCK_DGRAM, 0);
	ns_enter(NULL);
	sh("ip netns exec " NS_SRV " ping -c1 -W1 10.99.0.2; true");

	/* without renumbering: the two counters collide */
	phase(r, 0.3);
	printf("%s without renumbering: %d pings, %d data, %d repeated packet-ids\n", name,
	       r->pings_got, r->data_got, r->dups);
	CHECK(r->dups > 0, "%s: no repeated packet-id without renumbering: test blind", name);

	/* with it, attached to the link's egress as the daemon does */
	side_attach_renumber(&srv);
	phase(r, seconds);
	printf("%s with renumbering, %.0f s: %d/%d pings, %d/%d data, %d repeated packet-ids, %d bad\n",
	       name, seconds, r->pings_got, r->pings_sent, r->data_got, r->data_sent, r->dups, r->bad);
	CHECK(r->dups == 0, "%s: %d packet-ids repeated", name, r->dups);
	CHECK(r->bad == 0, "%s: %d packets do not authenticate", name, r->bad);
	CHECK(r->pings_got == r->pings_sent && r->data_got == r->data_sent,
	      "%s: lost pings %d/%d or data %d/%d", name, r->pings_got, r->pings_sent,
	      r->data_got, r->data_sent);
	close(r->ovx_fd);
	close(r->app_fd);
	close(r->rx_fd);
	side_close(&srv);
	topo_down();
	free(r->seen);
	free(r);
}

int main(void)
{
	const char *env = getenv("OVX_NONCE_SECONDS");
	double seconds = env ? atof(env) : 3;

	t_seed(13);
	run(OVX_CIPHER_AES_256_GCM, seconds);
	run(OVX_CIPHER_CHACHA20_POLY1305, seconds);
	return t_done("nonce_netns");
}
