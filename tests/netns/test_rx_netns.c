// SPDX-License-Identifier: GPL-2.0
/* RX fast path on a real link: two network namespaces joined by veth, the
 * fast path attached on both ends, the real OpenVPN captures sent through
 * UDP sockets. Every data packet's plaintext must come out on the tun device
 * (or, for keepalive and OpenVPN's liveness hand-over, reach OpenVPN's
 * socket unchanged); every control packet reaches the socket unchanged. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include "aead_harness.h"
#include "fp_harness.h"
#include "netns.h"
#include "topo.h"
#include "testlib.h"
#include "vectors.h"

#define MAXPKT 512

struct got {
	uint8_t *d[MAXPKT];
	size_t len[MAXPKT];
	int n;
};

static void drain(int fd, struct got *g, bool packet_socket)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t buf[4096];

	while (poll(&p, 1, 300) > 0) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (void *)&sll, &sl);

		if (n < 0)
			break;
		if (packet_socket && sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (g->n < MAXPKT) {
			g->d[g->n] = malloc(n);
			memcpy(g->d[g->n], buf, n);
			g->len[g->n++] = n;
		}
	}
}

static bool take(struct got *g, const uint8_t *d, size_t len)
{
	for (int i = 0; i < g->n; i++)
		if (g->d[i] && g->len[i] == len && !memcmp(g->d[i], d, len)) {
			free(g->d[i]);
			g->d[i] = NULL;
			return true;
		}
	return false;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->d[i]);
	memset(g, 0, sizeof(*g));
}

/* Installs the key of @p's packet on @rx if its slots lack it, as OpenVPN
 * does on a renegotiation: new key secondary, then swap. */
static void follow_key(struct side *rx, uint32_t inst, const struct vec_key *k, bool c2s)
{
	struct ovx_key_config kc = {
		.instance = inst, .peer_id = k->peer_id, .key_id = k->key_id,
		.cipher = k->cipher,
		.enc_key = c2s ? k->s2c_key : k->c2s_key,
		.dec_key = c2s ? k->c2s_key : k->s2c_key,
	};
	struct ovx_peer p;
	int err;

	if (ovx_peer_get(&rx->h.fp, inst, k->peer_id, &p))
		t_fatal("peer %u missing", k->peer_id);
	if (p.slot_key_id[0] == k->key_id || p.slot_key_id[1] == k->key_id)
		return;
	memcpy(kc.enc_nonce_tail, c2s ? k->s2c_iv : k->c2s_iv, 8);
	memcpy(kc.dec_nonce_tail, c2s ? k->c2s_iv : k->s2c_iv, 8);
	kc.slot = p.slot_key_id[0] == OVX_SLOT_EMPTY ? OVX_SLOT_PRIMARY : OVX_SLOT_SECONDARY;
	err = ovx_key_new(&rx->h.fp, &kc);
	if (!err && kc.slot == OVX_SLOT_SECONDARY)
		err = ovx_key_swap(&rx->h.fp, inst, k->peer_id);
	if (err)
		t_fatal("key %u/%u: %d", k->peer_id, k->key_id, err);
}

static int client_port(const struct vec_key *k)
{
	return atoi(strrchr(k->remote, ':') + 1);
}

/* One direction of one capture: sender side @tx, fast path on @rx. */
static void run_direction(struct side *srv, struct side *cli, struct vec_set *v,
			  const char *name, bool c2s)
{
	struct side *rx = c2s ? srv : cli;
	int ports[8] = { 0 }, fds[8], nports = 0, srv_fd, data = 0, ctl = 0;
	struct got tun = { 0 }, sock = { 0 };
	int on_tun = 0, to_ovpn = 0, lost = 0;
	struct ovx_peer_stats st;
	__u64 vpn = 0, handed = 0, drops[OVX_DROP_MAX] = { 0 };

	/* one UDP socket per client port on the client, one server socket */
	for (int i = 0; i < v->nkeys; i++) {
		int port = client_port(&v->keys[i]), j;

		for (j = 0; j < nports && ports[j] != port; j++)
			;
		if (j == nports) {
			ports[nports] = port;
			char a[32];

			snprintf(a, sizeof(a), "10.99.0.2:%d", port);
			fds[nports++] = udp_socket(NS_CLI, a);
		}
	}
	srv_fd = udp_socket(NS_SRV, "10.99.0.1:1194");
	for (int i = 0; i < v->npkts; i++) {
		const struct vec_pkt *p = &v->pkts[i];
		struct sockaddr_in to = { .sin_family = AF_INET };
		uint32_t peer, kid;
		int fd = srv_fd, j;

		if (p->c2s != c2s)
			continue;
		if (vec_data_v2(p, &peer, &kid)) {
			const struct vec_key *k = vec_find_key(v, peer, kid);

			follow_key(rx, c2s ? 1 : (uint32_t)client_port(k), k, c2s);
			data++;
		} else {
			ctl++;
		}
		int dport = (p->frame[p->udp_off + 2] << 8) | p->frame[p->udp_off + 3];
		int sport = (p->frame[p->udp_off] << 8) | p->frame[p->udp_off + 1];

		to.sin_port = htons(dport);
		inet_pton(AF_INET, c2s ? "10.99.0.1" : "10.99.0.2", &to.sin_addr);
		for (j = 0; c2s && j < nports; j++)
			if (ports[j] == sport)
				fd = fds[j];
		if (sendto(fd, p->payload, p->payload_len, 0, (void *)&to, sizeof(to)) < 0)
			t_fatal("sendto: %s", strerror(errno));
		if (i % 32 == 0)
			usleep(1000);		/* let the receiver keep up */
	}
	drain(rx->capture_fd, &tun, true);
	drain(c2s ? srv_fd : fds[0], &sock, false);
	for (int j = 1; !c2s && j < nports; j++)
		drain(fds[j], &sock, false);

	for (int i = 0; i < v->npkts; i++) {
		const struct vec_pkt *p = &v->pkts[i];
		uint32_t peer, kid, len;
		uint8_t pt[2048];

		if (p->c2s != c2s)
			continue;
		if (!vec_data_v2(p, &peer, &kid)) {
			lost += !take(&sock, p->payload, p->payload_len);
			continue;
		}
		const struct vec_key *k = vec_find_key(v, peer, kid);

		len = p->payload_len - OVX_DATA_HDR_LEN;
		memcpy(pt, p->payload, p->payload_len);
		oracle_open(k->cipher, c2s ? k->c2s_key : k->s2c_key,
			    c2s ? k->c2s_iv : k->s2c_iv, pt, len);
		/* the ciphertext is unique, a plaintext may repeat: socket first */
		if (take(&sock, p->payload, p->payload_len))
			to_ovpn++;
		else if (take(&tun, pt + OVX_DATA_HDR_LEN, len))
			on_tun++;
		else if (++lost <= 5)
			fprintf(stderr, "%s: lost #%d peer %u key %u pid %u len %u pt %02x\n", name, i,
				peer, kid, p->payload[4] << 24 | p->payload[5] << 16 |
				p->payload[6] << 8 | p->payload[7], len, pt[OVX_DATA_HDR_LEN]),
			t_hexdump("plaintext", pt + OVX_DATA_HDR_LEN, len);
	}
	for (int i = 0; i < sock.n; i++)
		if (sock.d[i])
			fprintf(stderr, "%s: unmatched at socket: %zu bytes op %02x pid %u\n", name,
				sock.len[i], sock.d[i][0], sock.d[i][4] << 24 | sock.d[i][5] << 16 |
				sock.d[i][6] << 8 | sock.d[i][7]);
	for (int i = 0; i < tun.n; i++)
		if (tun.d[i])
			fprintf(stderr, "%s: unmatched on tun: %zu bytes %02x\n", name, tun.len[i],
				tun.d[i][0]);
	for (int i = 0; i < v->nkeys; i++) {
		uint32_t inst = c2s ? 1 : (uint32_t)client_port(&v->keys[i]);

		if (v->keys[i].key_id || ovx_peer_stats_get(&rx->h.fp, inst,
							       v->keys[i].peer_id, &st))
			continue;
		vpn += st.rx_vpn_pkts;
		handed += st.rx_to_ovpn;
		for (int d = 0; d < OVX_DROP_MAX; d++)
			drops[d] += st.drops[d];
	}
	printf("%s %s: %d data (%d on %s, %d to OpenVPN), %d control, %d lost\n", name,
	       c2s ? "client->server" : "server->client", data, on_tun, rx->tun,
	       to_ovpn, ctl, lost);
	CHECK(lost == 0, "%s: %d packets lost (drops: tag %llu replay %llu malformed %llu deliver %llu)",
	      name, lost, drops[OVX_DROP_BAD_TAG], drops[OVX_DROP_REPLAY],
	      drops[OVX_DROP_MALFORMED], drops[OVX_DROP_DELIVER]);
	CHECK(on_tun + to_ovpn == data && on_tun > data / 2,
	      "%s: %d on tun, %d to OpenVPN of %d", name, on_tun, to_ovpn, data);
	CHECK(vpn == (__u64)on_tun && handed == (__u64)to_ovpn,
	      "%s: counters vpn %llu handed %llu vs %d %d", name, vpn, handed, on_tun, to_ovpn);
	got_free(&tun);
	got_free(&sock);
	for (int j = 0; j < nports; j++)
		close(fds[j]);
	close(srv_fd);
}

static void side_peers(struct side *srv, struct side *cli, struct vec_set *v)
{
	struct ovx_sockaddr sa;

	ovx_sockaddr_parse(&sa, "10.99.0.1:1194");
	if (ovx_socket_add(&srv->h.fp, &sa, 1, srv->tun_ifindex, srv->link_ifindex))
		t_fatal("server socket");
	for (int i = 0; i < v->nkeys; i++) {
		const struct vec_key *k = &v->keys[i];
		struct ovx_peer_config pc = { .peer_id = k->peer_id };
		char local[32];

		if (k->key_id)
			continue;
		/* server: instance 1, the peer is the client */
		pc.instance = 1;
		ovx_sockaddr_parse(&pc.remote, k->remote);
		ovx_sockaddr_parse(&pc.local, "10.99.0.1:1194");
		if (ovx_peer_new(&srv->h.fp, &pc))
			t_fatal("server peer %u", k->peer_id);
		/* client: one instance per client process (its port) */
		pc.instance = client_port(k);
		snprintf(local, sizeof(local), "10.99.0.2:%d", client_port(k));
		ovx_sockaddr_parse(&sa, local);
		pc.local = sa;
		ovx_sockaddr_parse(&pc.remote, "10.99.0.1:1194");
		if (ovx_socket_add(&cli->h.fp, &sa, pc.instance, cli->tun_ifindex,
				    cli->link_ifindex) ||
		    ovx_peer_new(&cli->h.fp, &pc))
			t_fatal("client peer %u", k->peer_id);
	}
}

static void run_capture(const char *name)
{
	struct side srv = SIDE_SRV, cli = SIDE_CLI;
	struct vec_set v;

	if (vec_load(&v, name))
		t_fatal("cannot load %s", name);
	topo_up();
	side_open(&srv, 1000ULL * 1000 * 1000);
	side_open(&cli, 1000ULL * 1000 * 1000);
	side_attach_rx(&srv);
	side_attach_rx(&cli);
	side_peers(&srv, &cli, &v);
	run_direction(&srv, &cli, &v, name, true);
	run_direction(&srv, &cli, &v, name, false);
	side_close(&srv);
	side_close(&cli);
	topo_down();
	vec_free(&v);
}

int main(void)
{
	run_capture("aes-256-gcm-two-peers");
	run_capture("chacha20-poly1305");
	return t_done("rx_netns");
}
