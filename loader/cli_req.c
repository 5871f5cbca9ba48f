// SPDX-License-Identifier: GPL-2.0
/* The CLI's commands: words to a request, sent, status reported. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli.h"

enum kw_type { K_U32, K_U64, K_STR, K_HEX, K_SLOT, K_MODE, K_FLAG };

static const struct kw {
	const char *name;
	int attr;
	enum kw_type type;
} kws[] = {
	{ "tun", OVPN_A_TUN, K_STR }, { "link", OVPN_A_LINK, K_STR },
	{ "addr", OVPN_A_SOCKADDR, K_STR }, { "mode", OVPN_A_MODE, K_MODE },
	{ "p2p-peer-id", OVPN_A_P2P_PEER_ID, K_U32 }, { "id", OVPN_A_INSTANCE, K_U32 },
	{ "no-attach", OVPN_A_FLAGS, K_FLAG }, { "remote", OVPN_A_REMOTE, K_STR },
	{ "local", OVPN_A_LOCAL, K_STR }, { "vpn4", OVPN_A_VPN_IPV4, K_STR },
	{ "vpn6", OVPN_A_VPN_IPV6, K_STR },
	{ "keepalive-interval", OVPN_A_KEEPALIVE_INTERVAL, K_U32 },
	{ "keepalive-timeout", OVPN_A_KEEPALIVE_TIMEOUT, K_U32 },
	{ "slot", OVPN_A_SLOT, K_SLOT }, { "key-id", OVPN_A_KEY_ID, K_U32 },
	{ "cipher", OVPN_A_CIPHER, K_STR }, { "enc-key", OVPN_A_ENC_KEY, K_HEX },
	{ "enc-iv", OVPN_A_ENC_NONCE, K_HEX }, { "dec-key", OVPN_A_DEC_KEY, K_HEX },
	{ "dec-iv", OVPN_A_DEC_NONCE, K_HEX }, { "tx-pid", OVPN_A_TX_PID, K_U64 },
	{ "via", OVPN_A_PEER_ID, K_U32 },
};

/* Command words, then positionals: i instance, n name, p peer, x prefix. */
static const struct cmd {
	const char *w1, *w2;
	int cmd;
	const char *pos;
} cmds[] = {
	{ "attach", NULL, OVPN_CMD_INSTANCE_NEW, "n" },
	{ "instance", "new", OVPN_CMD_INSTANCE_NEW, "n" },
	{ "instance", "del", OVPN_CMD_INSTANCE_DEL, "i" },
	{ "peer", "new", OVPN_CMD_PEER_NEW, "ip" },
	{ "peer", "set", OVPN_CMD_PEER_SET, "ip" },
	{ "peer", "del", OVPN_CMD_PEER_DEL, "ip" },
	{ "key", "new", OVPN_CMD_KEY_NEW, "ip" },
	{ "key", "swap", OVPN_CMD_KEY_SWAP, "ip" },
	{ "key", "del", OVPN_CMD_KEY_DEL, "ip" },
	{ "key", "get", OVPN_CMD_KEY_GET, "ip" },
	{ "route", "add", OVPN_CMD_ROUTE_ADD, "ix" },
	{ "route", "del", OVPN_CMD_ROUTE_DEL, "ix" },
};

static int fail(const char *fmt, const char *arg)
{
	fputs("ovpn-xdp: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return CLI_USAGE;
}

bool cli_put_instance(struct nlmsghdr *nlh, const char *text)
{
	char *end;
	unsigned long id = strtoul(text, &end, 10);

	if (*text && !*end && isdigit((unsigned char)*text))
		return ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, id);
	return ovpn_ctl_put_str(nlh, OVPN_A_NAME, text);
}

static bool number(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && !*end && !errno && *v <= max && s[0] != '-';
}

static int put_hex(struct nlmsghdr *nlh, int attr, const char *hex)
{
	__u8 buf[64];
	size_t n = strlen(hex) / 2;
	int ok = strlen(hex) % 2 == 0 && n <= sizeof(buf);

	for (size_t i = 0; ok && i < n; i++) {
		unsigned int b;

		ok = isxdigit((unsigned char)hex[2 * i]) && isxdigit((unsigned char)hex[2 * i + 1]) &&
		     sscanf(hex + 2 * i, "%2x", &b) == 1;
		buf[i] = b;
	}
	ok = ok && ovpn_ctl_put_bin(nlh, attr, buf, n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok ? 0 : fail("'%s' is not hex (at most 64 bytes)", hex);
}

static int put_kw(struct nlmsghdr *nlh, const struct kw *k, const char *val)
{
	unsigned long long v;

	switch (k->type) {
	case K_U32:
		if (!number(val, 0xffffffffULL, &v))
			return fail("'%s' is not a number", val);
		return ovpn_ctl_put_u32(nlh, k->attr, v) ? 0 : -EMSGSIZE;
	case K_U64:
		if (!number(val, ~0ULL, &v))
			return fail("'%s' is not a number", val);
		return ovpn_ctl_put_u64(nlh, k->attr, v) ? 0 : -EMSGSIZE;
	case K_STR:
		return ovpn_ctl_put_str(nlh, k->attr, val) ? 0 : -EMSGSIZE;
	case K_HEX:
		return put_hex(nlh, k->attr, val);
	case K_SLOT:
		v = !strcmp(val, "primary") ? 0 : !strcmp(val, "secondary") ? 1 : strtoul(val, NULL, 0);
		return ovpn_ctl_put_u32(nlh, k->attr, v) ? 0 : -EMSGSIZE;
	case K_MODE:
		if (strcmp(val, "server") && strcmp(val, "p2p"))
			return fail("mode '%s': server or p2p", val);
		return ovpn_ctl_put_u32(nlh, k->attr, !strcmp(val, "p2p")) ? 0 : -EMSGSIZE;
	case K_FLAG:
		return ovpn_ctl_put_u32(nlh, k->attr, OVPN_INST_F_NO_ATTACH) ? 0 : -EMSGSIZE;
	}
	return -EINVAL;
}

static int put_keywords(struct nlmsghdr *nlh, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i] + (strncmp(argv[i], "--", 2) ? 0 : 2);
		const struct kw *k = NULL;
		int err;

		for (size_t j = 0; j < sizeof(kws) / sizeof(kws[0]) && !k; j++)
			if (!strcmp(w, kws[j].name))
				k = &kws[j];
		if (!k)
			return fail("unknown keyword '%s'", argv[i]);
		if (k->type != K_FLAG && ++i >= argc)
			return fail("'%s' needs a value", w);
		err = put_kw(nlh, k, k->type == K_FLAG ? "" : argv[i]);
		if (err)
			return err;
	}
	return 0;
}

static int put_positionals(struct nlmsghdr *nlh, const char *pos, char **argv)
{
	unsigned long long v;

	for (int i = 0; pos[i]; i++) {
		bool ok = true;

		switch (pos[i]) {
		case 'n':
			ok = ovpn_ctl_put_str(nlh, OVPN_A_NAME, argv[i]);
			break;
		case 'i':
			ok = cli_put_instance(nlh, argv[i]);
			break;
		case 'p':
			if (!number(argv[i], 0xffffffffULL, &v))
				return fail("peer-id '%s' is not a number", argv[i]);
			ok = ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, v);
			break;
		case 'x':
			ok = ovpn_ctl_put_str(nlh, OVPN_A_PREFIX, argv[i]);
			break;
		}
		if (!ok)
			return -EMSGSIZE;
	}
	return 0;
}

static int connect_daemon(struct cli *c)
{
	struct ovpn_ctl_err e = {};

	if (!ovpn_ctl_open(&c->client, c->sock, c->timeout_ms, &e))
		return 0;
	fprintf(stderr, "ovpn-xdp: %s\n", e.msg);
	return 1;
}

/* Sends @nlh and reports its status; on success the reply is in c->client. */
static int call(struct cli *c, struct nlmsghdr *nlh)
{
	struct ovpn_ctl_err e = {};
	int err = connect_daemon(c), type = nlh->nlmsg_type;

	if (err)
		return err;
	err = ovpn_ctl_call(&c->client, nlh, &e);
	OPENSSL_cleanse(nlh, nlh->nlmsg_len);
	if (err) {
		fprintf(stderr, "ovpn-xdp: %s: %s\n", ovpn_ctl_cmd_name(type), e.msg);
		return 1;
	}
	return 0;
}

static int run_cmd(struct cli *c, const struct cmd *cmd, int argc, char **argv, void *buf)
{
	struct nlmsghdr *nlh = ovpn_ctl_start(buf, cmd->cmd, 0);
	int npos = strlen(cmd->pos), err;
	__u32 id;

	if (argc < npos)
		return fail("%s: missing arguments", cmd->w1);
	err = put_positionals(nlh, cmd->pos, argv) ?: put_keywords(nlh, argc - npos, argv + npos);
	if (err)
		return err < 0 ? fail("%s: request too long", cmd->w1) : err;
	err = call(c, nlh);
	if (err)
		return err;
	if (cmd->cmd == OVPN_CMD_KEY_GET)
		return cli_print_keys(c->client.msg.tb[OVPN_A_KEYS], 0);
	if (cmd->cmd == OVPN_CMD_INSTANCE_NEW &&
	    ovpn_ctl_u32(c->client.msg.tb, OVPN_A_INSTANCE, &id))
		printf("instance %u\n", id);
	return 0;
}

static int simple(struct cli *c, int cmd, const char *instance, void *buf)
{
	struct nlmsghdr *nlh = ovpn_ctl_start(buf, cmd, 0);

	if (instance && !cli_put_instance(nlh, instance))
		return 1;
	return call(c, nlh);
}

int cli_run(struct cli *c, int argc, char **argv)
{
	static __u8 buf[OVPN_CTL_MSG_MAX];
	int rc = -1;

	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "status") ||
	    (!strcmp(argv[0], "peer") && argc > 1 && !strcmp(argv[1], "get"))) {
		int skip = strcmp(argv[0], "peer") ? 1 : 2;

		c->json = skip < argc && !strcmp(argv[skip], "--json");
		skip += c->json;
		rc = connect_daemon(c) ?: cli_show(c, skip < argc ? argv[skip] : NULL,
						    skip + 1 < argc ? argv[skip + 1] : NULL);
	} else if (!strcmp(argv[0], "monitor")) {
		rc = connect_daemon(c) ?: cli_monitor(c);
	} else if (!strcmp(argv[0], "detach")) {
		rc = simple(c, argc > 1 ? OVPN_CMD_INSTANCE_DEL : OVPN_CMD_DETACH,
			    argc > 1 ? argv[1] : NULL, buf);
	}
	for (size_t i = 0; rc < 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int words = cmds[i].w2 ? 2 : 1;

		if (strcmp(argv[0], cmds[i].w1) ||
		    (cmds[i].w2 && (argc < 2 || strcmp(argv[1], cmds[i].w2))))
			continue;
		rc = run_cmd(c, &cmds[i], argc - words, argv + words, buf);
	}
	if (rc < 0)
		rc = fail("unknown command '%s'", argv[0]);
	ovpn_ctl_close(&c->client);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}
