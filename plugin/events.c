// SPDX-License-Identifier: GPL-2.0
/* What the plugin does on each OpenVPN event and captured key. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openvpn/openvpn-plugin.h>
#include "ctl_msg.h"
#include "learn.h"
#include "plugin.h"

static const char *env_get(const char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static const char *event_name(int type)
{
	switch (type) {
	case OPENVPN_PLUGIN_UP: return "up";
	case OPENVPN_PLUGIN_DOWN: return "down";
	case OPENVPN_PLUGIN_TLS_FINAL: return "tls-final";
	case OPENVPN_PLUGIN_CLIENT_CONNECT_V2: return "client-connect";
	case OPENVPN_PLUGIN_LEARN_ADDRESS: return "learn-address";
	case OPENVPN_PLUGIN_CLIENT_DISCONNECT: return "client-disconnect";
	}
	return "other";
}

static void dump(struct plugin *p, int type, const char **argv, const char **envp)
{
	FILE *f;

	if (!p->dump[0] || !(f = fopen(p->dump, "a")))
		return;
	fprintf(f, "event %s %s\n", event_name(type), argv && argv[1] ? argv[1] : "-");
	for (; envp && *envp; envp++)
		if (!strstr(*envp, "password"))
			fprintf(f, "  %s\n", *envp);
	fclose(f);
}

/* A peer's address from the environment: trusted (authenticated) if set.
 * OpenVPN names an IPv6 remote trusted_ip6 / untrusted_ip6 (the port keeps
 * its name). */
static bool env_remote(const char **envp, char *out, size_t size)
{
	static const char *const names[][2] = {
		{ "trusted_ip", "trusted_port" }, { "trusted_ip6", "trusted_port" },
		{ "untrusted_ip", "untrusted_port" }, { "untrusted_ip6", "untrusted_port" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *ip = env_get(envp, names[i][0]), *port = env_get(envp, names[i][1]);

		if (ip && port && *ip) {
			snprintf(out, size, strchr(ip, ':') ? "[%s]:%s" : "%s:%s", ip, port);
			return true;
		}
	}
	return false;
}

/* The default route's device, from /proc/net/route. */
static void default_link(struct plugin *p)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256], dev[16];
	unsigned long dst;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s %lx", dev, &dst) == 2 && dst == 0) {
			snprintf(p->links[p->nlinks++], sizeof(p->links[0]), "%s", dev);
			break;
		}
	if (f)
		fclose(f);
}

/* OpenVPN's socket: a dual-stack wildcard bind serves both families. */
static void find_sockets(struct plugin *p)
{
	char a[64];

	p->naddrs = 0;
	if (plugin_udp_socket(a, sizeof(a)))
		return;
	if (!strncmp(a, "[::]:", 5)) {
		snprintf(p->addrs[p->naddrs++], sizeof(p->addrs[0]), "0.0.0.0:%.8s", a + 5);
	}
	snprintf(p->addrs[p->naddrs++], sizeof(p->addrs[0]), "%s", a);
}

#define QUEUE_RETRY_S	5

static long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Keeps a key the daemon could not be handed (not registered yet, or not
 * answering): the oldest goes when the queue is full. */
static void queue_key(struct plugin *p, const unsigned char *material, const char *remote)
{
	if (p->nqueued == PLUGIN_MAX_QUEUED) {
		memmove(p->queued[0], p->queued[1], sizeof(p->queued[0]) * (PLUGIN_MAX_QUEUED - 1));
		memmove(p->queued_remote[0], p->queued_remote[1],
			sizeof(p->queued_remote[0]) * (PLUGIN_MAX_QUEUED - 1));
		p->nqueued--;
	}
	memcpy(p->queued[p->nqueued], material, PLUGIN_KEY_LEN);
	snprintf(p->queued_remote[p->nqueued++], sizeof(p->queued_remote[0]), "%s", remote);
}

/* Hands the queued keys over, oldest first, up to the first the daemon does
 * not take: a key missed while the daemon was away is offloaded at the next
 * event, once its peer has sent with it (the daemon learnt that meanwhile). */
static void queue_flush(struct plugin *p)
{
	int sent = 0;

	while (sent < p->nqueued && !plugin_daemon_key(p, p->queued[sent], p->queued_remote[sent]))
		sent++;
	memmove(p->queued[0], p->queued[sent], sizeof(p->queued[0]) * (p->nqueued - sent));
	memmove(p->queued_remote[0], p->queued_remote[sent],
		sizeof(p->queued_remote[0]) * (p->nqueued - sent));
	p->nqueued -= sent;
	memset(p->queued[p->nqueued], 0, sizeof(p->queued[0]) * (PLUGIN_MAX_QUEUED - p->nqueued));
}

/* A newer key of @remote reached the daemon: its queued older ones would
 * only take the new one's place. */
static void queue_forget(struct plugin *p, const char *remote)
{
	int n = 0;

	for (int i = 0; i < p->nqueued; i++) {
		if (remote[0] && !strcmp(p->queued_remote[i], remote))
			continue;
		memmove(p->queued[n], p->queued[i], sizeof(p->queued[0]));
		memmove(p->queued_remote[n], p->queued_remote[i], sizeof(p->queued_remote[0]));
		n++;
	}
	p->nqueued = n;
	memset(p->queued[n], 0, sizeof(p->queued[0]) * (PLUGIN_MAX_QUEUED - n));
}

/* Registers the instance once its tun device and UDP socket both exist, then
 * hands over the keys captured before. Registers again if the daemon
 * restarted. Keys the daemon missed are handed over at each event. */
static void try_register(struct plugin *p)
{
	if (p->registered && plugin_daemon_lost(p)) {
		plugin_msg(p, PLOG_NOTE, "ovpn-xdpd restarted: registering again");
		plugin_daemon_release(p);
		p->registered = false;
	}
	if (p->registered) {
		/* a daemon that does not answer costs OpenVPN a call's timeout:
		 * tried again at most every QUEUE_RETRY_S */
		if (p->nqueued && (!p->daemon_failing || now_s() - p->queue_tried >= QUEUE_RETRY_S)) {
			p->queue_tried = now_s();
			queue_flush(p);
		}
		return;
	}
	if (!p->dev[0] || !plugin_offloadable(p))
		return;
	find_sockets(p);
	if (!p->naddrs || plugin_daemon_instance(p))
		return;
	p->registered = true;
	plugin_msg(p, PLOG_NOTE, "offloading %s (%s) through ovpn-xdpd as '%s'", p->dev,
		   p->addrs[0], p->name);
	queue_flush(p);
}

static void on_up(struct plugin *p, const char **envp)
{
	const char *dev = env_get(envp, "dev");

	if (!dev)
		return;
	snprintf(p->dev, sizeof(p->dev), "%s", dev);
	if (!strcmp(env_get(envp, "dev_type") ?: "tun", "tap"))	/* options.c */
		snprintf(p->decline, sizeof(p->decline), "dev tap (Ethernet frames)");
	if (!p->name[0])
		snprintf(p->name, sizeof(p->name), "ovpn-%s", dev);
	p->role = env_get(envp, "remote_1") ? OVX_ROLE_CLIENT : OVX_ROLE_SERVER;
	p->c2c = p->role == OVX_ROLE_SERVER && p->opt_c2c;
	if (!p->nlinks)
		default_link(p);
	try_register(p);
}

static void on_learn_address(struct plugin *p, const char **argv, const char **envp)
{
	char remote[64] = "";

	if (!argv || !argv[1] || !argv[2])
		return;
	env_remote(envp, remote, sizeof(remote));
	plugin_daemon_addr(p, strcmp(argv[1], "delete") ? OVX_ADDR_ADD : OVX_ADDR_DELETE,
			   argv[2], remote);
}

void plugin_event(struct plugin *p, int type, const char **argv, const char **envp)
{
	char remote[64];

	dump(p, type, argv, envp);
	switch (type) {
	case OPENVPN_PLUGIN_UP:
		on_up(p, envp);
		break;
	case OPENVPN_PLUGIN_TLS_FINAL:
		if (env_remote(envp, remote, sizeof(remote))) {
			plugin_session_final(p, remote, env_get(envp, "tls_digest_sha256_0"));
			plugin_session_peer(p, remote, plugin_peer_v1(p, envp));
		}
		try_register(p);
		break;
	case OPENVPN_PLUGIN_CLIENT_CONNECT_V2:
		if (env_remote(envp, remote, sizeof(remote)))
			plugin_session_peer(p, remote, plugin_peer_v1(p, envp));
		try_register(p);
		break;
	case OPENVPN_PLUGIN_LEARN_ADDRESS:
		try_register(p);
		if (p->registered)
			on_learn_address(p, argv, envp);
		break;
	case OPENVPN_PLUGIN_CLIENT_DISCONNECT:
		if (p->registered && env_remote(envp, remote, sizeof(remote)))
			plugin_daemon_gone(p, remote);
		break;
	case OPENVPN_PLUGIN_DOWN:
		if (p->registered)
			plugin_daemon_instance_del(p);
		plugin_daemon_release(p);
		p->registered = false;
		break;
	}
}

void plugin_key_captured(struct plugin *p, void *ssl, const unsigned char *material)
{
	char remote[64];
	bool v1;
	FILE *f;

	plugin_session_remote(p, ssl, remote, sizeof(remote), &v1);
	if (p->dump[0] && (f = fopen(p->dump, "a"))) {
		fprintf(f, "key %s ", remote[0] ? remote : "-");
		for (int i = 0; i < PLUGIN_KEY_LEN; i++)
			fprintf(f, "%02x", material[i]);
		fputc('\n', f);
		fclose(f);
	}
	if (!plugin_peer_offloadable(p, remote, v1))	/* options.c */
		return;
	try_register(p);
	if (p->registered && !plugin_daemon_key(p, material, remote))
		queue_forget(p, remote);
	else
		queue_key(p, material, remote);
}
