// SPDX-License-Identifier: GPL-2.0
/* What OpenVPN was told, as far as offloading goes: its command line
 * (/proc/self/cmdline) and the config files it names, read in OpenVPN's
 * order (a later option overrides an earlier one, as in OpenVPN):
 * - the data-channel framing (OpenVPN 2.6/2.7 options.c): comp-lzo (any
 *   argument) and compress lzo put 0xFA in front; compress, compress stub and
 *   compress lz4 swap with 0xFB; compress stub-v2 and lz4-v2 leave IP packets
 *   as they are; fragment N adds its header, and sends whole what fits in
 *   N - 24 (P_DATA_V2 header and AEAD tag) - 4 (its header) bytes, less the
 *   outer IP and UDP headers with `fragment N mtu`;
 * - client-to-client (a server carries packets between its clients itself);
 * - reneg-sec, for the daemon's warning when keys could outlast their
 *   packet-ids at the fast path's rate (docs/fastpath.md, Limits);
 * - what the fast path cannot carry at all, which then stays wholly in
 *   OpenVPN: a static key (`secret`: no TLS, no P_DATA_V2), `compress
 *   migrate` (a server picks each client's framing) or a compression the
 *   fast path does not know.
 * A compression or fragment option the server pushes to a client is not
 * seen here: OpenVPN does not tell plugins (docs/openvpn.md: put it in the client's
 * config too). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ovx_maps.h"
#include "plugin.h"

#define MAX_DEPTH	4
#define MAX_ARGS	4
#define AEAD_DATA_V2_OVERHEAD	24	/* opcode, peer-id, packet-id, tag */

static void read_file(struct plugin *p, const char *path, int depth);

static void set_comp(struct plugin *p, __u32 comp)
{
	p->framing &= ~(OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP | OVX_FRAMING_COMP_V2);
	p->framing |= comp;
}

static void apply(struct plugin *p, char **argv, int argc, int depth)
{
	const char *o = argv[0], *a = argc > 1 ? argv[1] : NULL;

	if (!strcmp(o, "client") || !strcmp(o, "tls-client") || !strcmp(o, "pull")) {
		p->opt_client = true;
	} else if (!strcmp(o, "client-to-client")) {
		p->opt_c2c = true;
	} else if (!strcmp(o, "reneg-sec") && a) {
		p->opt_reneg_sec = strtoul(a, NULL, 10);
	} else if (!strcmp(o, "cd") && a) {
		snprintf(p->cd, sizeof(p->cd), "%s", a);
	} else if (!strcmp(o, "config") && a) {
		read_file(p, a, depth + 1);
	} else if (!strcmp(o, "secret")) {
		snprintf(p->decline, sizeof(p->decline), "static-key mode (--secret)");
	} else if (!strcmp(o, "comp-lzo")) {
		set_comp(p, OVX_FRAMING_COMP_V1);
	} else if (!strcmp(o, "compress")) {
		if (!a || !strcmp(a, "stub") || !strcmp(a, "lz4"))
			set_comp(p, OVX_FRAMING_COMP_SWAP);
		else if (!strcmp(a, "lzo"))
			set_comp(p, OVX_FRAMING_COMP_V1);
		else if (!strcmp(a, "stub-v2") || !strcmp(a, "lz4-v2"))
			set_comp(p, OVX_FRAMING_COMP_V2);
		else
			snprintf(p->decline, sizeof(p->decline),
				 "compress %.32s: a framing the fast path does not know", a);
	} else if (!strcmp(o, "fragment") && a) {
		long n = strtol(a, NULL, 10) - AEAD_DATA_V2_OVERHEAD - OVX_FRAG_HLEN;

		if (argc > 2 && !strcmp(argv[2], "mtu"))
			n -= 48;	/* IPv6 + UDP: the larger outer headers */
		if (n < 64 || n > 0xffff) {
			snprintf(p->decline, sizeof(p->decline), "fragment %.16s: a size it does not take", a);
			return;
		}
		p->framing = (p->framing & 0xffff) | OVX_FRAMING_FRAGMENT |
			     (__u32)n << OVX_FRAG_MAX_SHIFT;
	}
}

/* Splits a config line into words ("quoted" and 'quoted' words whole). */
static int split(char *s, char **argv)
{
	int n = 0;

	while (n < MAX_ARGS) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#' || *s == ';')
			break;
		if (*s == '"' || *s == '\'') {
			char q = *s++;

			argv[n++] = s;
			s = strchr(s, q);
		} else {
			argv[n++] = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
		}
		if (!s || !*s)
			break;
		*s++ = 0;
	}
	return n;
}

static void read_file(struct plugin *p, const char *path, int depth)
{
	char line[512], *argv[MAX_ARGS], inline_tag[64] = "", full[512];
	FILE *f;
	int argc;

	if (path[0] != '/' && p->cd[0]) {	/* --cd comes first (OpenVPN's manual) */
		snprintf(full, sizeof(full), "%s/%s", p->cd, path);
		path = full;
	}
	f = depth <= MAX_DEPTH ? fopen(path, "r") : NULL;

	if (!f) {
		snprintf(p->decline, sizeof(p->decline), "cannot read the config file %.64s", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (inline_tag[0]) {		/* <ca> ... </ca>: not options */
			if (!strcmp(line, inline_tag))
				inline_tag[0] = 0;
			continue;
		}
		argc = split(line, argv);
		if (!argc)
			continue;
		if (argv[0][0] == '<' && argv[0][1] != '/') {
			snprintf(inline_tag, sizeof(inline_tag), "</%.60s", argv[0] + 1);
			continue;
		}
		apply(p, argv, argc, depth);
	}
	fclose(f);
}

/* Options on the command line: "--name" and its arguments. */
static void read_cmdline(struct plugin *p)
{
	static char buf[16384];
	char *argv[MAX_ARGS];
	FILE *f = fopen("/proc/self/cmdline", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	int argc = 0, words = 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	for (char *s = buf; s < buf + n; s += strlen(s) + 1)
		words++;
	if (words == 2 && strncmp(buf + strlen(buf) + 1, "--", 2)) {
		read_file(p, buf + strlen(buf) + 1, 1);	/* `openvpn FILE` */
		return;
	}
	for (char *s = buf; s < buf + n; s += strlen(s) + 1) {
		if (!strncmp(s, "--", 2)) {
			if (argc)
				apply(p, argv, argc, 0);
			argc = 0;
			argv[argc++] = s + 2;
		} else if (argc && argc < MAX_ARGS) {
			argv[argc++] = s;
		}
	}
	if (argc)
		apply(p, argv, argc, 0);
}

void plugin_options_read(struct plugin *p)
{
	p->framing = 0;
	p->decline[0] = 0;
	p->opt_c2c = false;
	p->opt_reneg_sec = 3600;	/* OpenVPN's default; it cannot be pushed */
	read_cmdline(p);
}

/* "none", "comp-lzo/lzo", ... for the log. */
const char *plugin_framing_name(__u32 f, char *out, size_t size)
{
	const char *comp = f & OVX_FRAMING_COMP_V1 ? "0xFA (comp-lzo, compress lzo)" :
			   f & OVX_FRAMING_COMP_SWAP ? "0xFB swap (compress stub, lz4)" :
			   f & OVX_FRAMING_COMP_V2 ? "v2 (compress stub-v2, lz4-v2)" : NULL;

	if (f & OVX_FRAMING_FRAGMENT)
		snprintf(out, size, "%s%sfragment, whole up to %u bytes", comp ?: "",
			 comp ? " + " : "", f >> OVX_FRAG_MAX_SHIFT);
	else
		snprintf(out, size, "%s", comp ?: "none");
	return out;
}

/* Once per OpenVPN start: false, with one line saying why, when this
 * OpenVPN's traffic cannot be offloaded at all. */
bool plugin_offloadable(struct plugin *p)
{
	char f[96];

	if (p->decline[0]) {
		if (!p->declined)
			plugin_msg(p, PLOG_NOTE, "not offloading: %s; all traffic stays in OpenVPN",
				   p->decline);
		p->declined = true;
		return false;
	}
	if (!p->declined)
		plugin_msg(p, PLOG_NOTE, "data-channel framing: %s",
			   plugin_framing_name(p->framing, f, sizeof(f)));
	p->declined = true;	/* said */
	return true;
}

/* A server's client without P_DATA_V2 (IV_PROTO bit 1: OpenVPN 2.3 and
 * older send P_DATA_V1, which carries no peer-id) stays in OpenVPN: its keys
 * are not handed over. From the environment of TLS_FINAL / CLIENT_CONNECT,
 * which come just before OpenVPN derives the client's key. */
bool plugin_peer_v1(const struct plugin *p, const char **envp)
{
	const char *proto = NULL;

	if (p->opt_client)
		return false;
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, "IV_PROTO=", 9))
			proto = *envp + 9;
	return !proto || !(strtoul(proto, NULL, 10) & 2);
}

/* False, with one line, for a key (of a session without P_DATA_V2 if @v1)
 * that stays in OpenVPN. */
bool plugin_peer_offloadable(struct plugin *p, const char *remote, bool v1)
{
	if (v1)
		plugin_msg(p, PLOG_NOTE, "client %s has no P_DATA_V2: it stays in OpenVPN",
			   remote[0] ? remote : "?");
	return !v1;
}
