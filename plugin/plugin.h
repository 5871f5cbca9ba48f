/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVPN_PLUGIN_H
#define OVPN_PLUGIN_H

#include <stdbool.h>
#include <openvpn/openvpn-plugin.h>

#define PLUGIN_KEY_LEN	256

struct plugin {
	plugin_vlog_t log;
	bool hooked;
	char dump[256];
	char remote[64];	/* the peer of the latest TLS_FINAL / CLIENT_CONNECT */
};

void plugin_msg(struct plugin *p, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A data-channel key OpenVPN just exported (256 bytes). */
void plugin_key_captured(struct plugin *p, const unsigned char *material);
/* An OpenVPN plugin event with its arguments and environment. */
void plugin_event(struct plugin *p, int type, const char **argv, const char **envp);

#endif
