// SPDX-License-Identifier: GPL-2.0
/* What the plugin does on each OpenVPN event and captured key. */
#include <stdio.h>
#include <string.h>
#include <openvpn/openvpn-plugin.h>
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

static void dump_line(struct plugin *p, const char *fmt, const char *a, const char *b)
{
	FILE *f;

	if (!p->dump[0] || !(f = fopen(p->dump, "a")))
		return;
	fprintf(f, fmt, a, b);
	fclose(f);
}

/* The peer a hook is about: trusted (authenticated) address if set. */
static void note_remote(struct plugin *p, const char **envp)
{
	const char *ip = env_get(envp, "trusted_ip"), *port = env_get(envp, "trusted_port");

	if (!ip) {
		ip = env_get(envp, "untrusted_ip");
		port = env_get(envp, "untrusted_port");
	}
	if (ip && port)
		snprintf(p->remote, sizeof(p->remote), strchr(ip, ':') ? "[%s]:%s" : "%s:%s",
			 ip, port);
}

void plugin_event(struct plugin *p, int type, const char **argv, const char **envp)
{
	if (type == OPENVPN_PLUGIN_TLS_FINAL || type == OPENVPN_PLUGIN_CLIENT_CONNECT_V2)
		note_remote(p, envp);
	if (p->dump[0]) {
		dump_line(p, "event %s %s\n", event_name(type), argv && argv[1] ? argv[1] : "-");
		for (; envp && *envp; envp++)
			if (!strstr(*envp, "password"))
				dump_line(p, "  %s%s\n", *envp, "");
	}
}

void plugin_key_captured(struct plugin *p, const unsigned char *material)
{
	char hex[2 * PLUGIN_KEY_LEN + 1];

	for (int i = 0; i < PLUGIN_KEY_LEN; i++)
		sprintf(hex + 2 * i, "%02x", material[i]);
	dump_line(p, "key %s %s\n", p->remote[0] ? p->remote : "-", hex);
	memset(hex, 0, sizeof(hex));
}
