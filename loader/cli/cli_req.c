// SPDX-License-Identifier: GPL-2.0
/* The CLI's commands: words to a request, sent, status reported. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "cli.h"
#include "ctl_cmds.h"

enum kw_type { K_U32, K_U64, K_STR, K_HEX, K_SLOT, K_MODE, K_FLAG };

static const struct kw {
	const char *name;
	int attr;
	enum kw_type type;
	__u32 flag;			/* K_FLAG: its bit of OVX_A_FLAGS */
} kws[] = {
	{ "tun", OVX_A_TUN, K_STR, 0 }, { "link", OVX_A_LINK, K_STR, 0 },
	{ "addr", OVX_A_SOCKADDR, K_STR, 0 }, { "mode", OVX_A_MODE, K_MODE, 0 },
	{ "p2p-peer-id", OVX_A_P2P_PEER_ID, K_U32, 0 }, { "id", OVX_A_INSTANCE, K_U32, 0 },
	{ "no-attach", OVX_A_FLAGS, K_FLAG, OVX_INST_F_NO_ATTACH },
	{ "move", OVX_A_FLAGS, K_FLAG, OVX_F_MOVE }, { "remote", OVX_A_REMOTE, K_STR, 0 },
	{ "local", OVX_A_LOCAL, K_STR, 0 }, { "vpn4", OVX_A_VPN_IPV4, K_STR, 0 },
	{ "vpn6", OVX_A_VPN_IPV6, K_STR, 0 },
	{ "keepalive-interval", OVX_A_KEEPALIVE_INTERVAL, K_U32, 0 },
	{ "keepalive-timeout", OVX_A_KEEPALIVE_TIMEOUT, K_U32, 0 },
	{ "slot", OVX_A_SLOT, K_SLOT, 0 }, { "key-id", OVX_A_KEY_ID, K_U32, 0 },
	{ "cipher", OVX_A_CIPHER, K_STR, 0 }, { "enc-key", OVX_A_ENC_KEY, K_HEX, 0 },
	{ "enc-iv", OVX_A_ENC_NONCE, K_HEX, 0 }, { "dec-key", OVX_A_DEC_KEY, K_HEX, 0 },
	{ "dec-iv", OVX_A_DEC_NONCE, K_HEX, 0 }, { "tx-pid", OVX_A_TX_PID, K_U64, 0 },
	{ "via", OVX_A_PEER_ID, K_U32, 0 },
	{ "client-to-client", OVX_A_C2C, K_FLAG, 1 },
	{ "framing", OVX_A_FRAMING, K_U32, 0 },	/* OVX_FRAMING_*, include/ovx_maps.h */
};

/* The CLI's commands: the rows of ctl_cmds.h that have words, and `attach`,
 * which is `instance new`. */
static const struct cmd {
	const char *w1, *w2;
	int cmd;
	const char *pos;
	bool batch;		/* may be a line of `batch` */
} cmds[] = {
	{ "attach", NULL, OVX_CMD_INSTANCE_NEW, "n", false },
#define CLI_CMD(c, w1, w2, pos, decode, inst, batch, handle) \
	{ w1, w2, OVX_CMD_##c, pos, batch },
	OVX_CTL_COMMANDS(CLI_CMD)
#undef CLI_CMD
};

static int fail(const char *fmt, const char *arg)
{
	fputs("ovpn-xdp: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return CLI_USAGE;
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
	ok = ok && ovx_ctl_put_bin(nlh, attr, buf, n);
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
		return ovx_ctl_put_u32(nlh, k->attr, v) ? 0 : -EMSGSIZE;
	case K_U64:
		if (!number(val, ~0ULL, &v))
			return fail("'%s' is not a number", val);
		return ovx_ctl_put_u64(nlh, k->attr, v) ? 0 : -EMSGSIZE;
	case K_STR:
		return ovx_ctl_put_str(nlh, k->attr, val) ? 0 : -EMSGSIZE;
	case K_HEX:
		return put_hex(nlh, k->attr, val);
	case K_SLOT:
		v = !strcmp(val, "primary") ? 0 : !strcmp(val, "secondary") ? 1 : strtoul(val, NULL, 0);
		return ovx_ctl_put_u32(nlh, k->attr, v) ? 0 : -EMSGSIZE;
	case K_MODE:
		if (strcmp(val, "server") && strcmp(val, "p2p"))
			return fail("mode '%s': server or p2p", val);
		return ovx_ctl_put_u32(nlh, k->attr, !strcmp(val, "p2p")) ? 0 : -EMSGSIZE;
	case K_FLAG:
		return ovx_ctl_put_u32(nlh, k->attr, k->flag) ? 0 : -EMSGSIZE;
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
			ok = ovx_ctl_put_str(nlh, OVX_A_NAME, argv[i]);
			break;
		case 'i':
			ok = cli_put_instance(nlh, argv[i]);
			break;
		case 'p':
			if (!number(argv[i], 0xffffffffULL, &v))
				return fail("peer-id '%s' is not a number", argv[i]);
			ok = ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, v);
			break;
		case 'x':
			ok = ovx_ctl_put_str(nlh, OVX_A_PREFIX, argv[i]);
			break;
		}
		if (!ok)
			return -EMSGSIZE;
	}
	return 0;
}

static int connect_daemon(struct cli *c)
{
	struct ovx_ctl_err e = {};

	if (!ovx_ctl_open(&c->client, c->sock, c->timeout_ms, &e))
		return 0;
	fprintf(stderr, "ovpn-xdp: %s\n", e.msg);
	return 1;
}

/* Connects, sends @nlh and reports its status, all within the timeout; on
 * success the reply is in c->client. */
static int call(struct cli *c, struct nlmsghdr *nlh)
{
	struct ovx_ctl_err e = {};
	int type = nlh->nlmsg_type;
	int err = ovx_ctl_open_call(&c->client, c->sock, c->timeout_ms, nlh, &e);

	OPENSSL_cleanse(nlh, nlh->nlmsg_len);
	if (err) {
		fprintf(stderr, "ovpn-xdp: %s: %s\n", ovx_ctl_cmd_name(type), e.msg);
		return 1;
	}
	return 0;
}

static int run_cmd(struct cli *c, const struct cmd *cmd, int argc, char **argv, void *buf)
{
	struct nlmsghdr *nlh = ovx_ctl_start(buf, cmd->cmd, 0);
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
	if (cmd->cmd == OVX_CMD_KEY_GET)
		return cli_print_keys(c->client.msg.tb[OVX_A_KEYS], 0);
	if (cmd->cmd == OVX_CMD_INSTANCE_NEW &&
	    ovx_ctl_u32(c->client.msg.tb, OVX_A_INSTANCE, &id))
		printf("instance %u\n", id);
	return 0;
}

static int simple(struct cli *c, int cmd, const char *instance, void *buf)
{
	struct nlmsghdr *nlh = ovx_ctl_start(buf, cmd, 0);

	if (instance && !cli_put_instance(nlh, instance))
		return 1;
	return call(c, nlh);
}

/* `batch`: requests read one per line, as the CLI's words, sent in batches. */
struct batch {
	struct cli *c;
	__u8 *buf;
	struct nlmsghdr *nlh;
	struct nlattr *list;
	int lines[OVX_CTL_BATCH_MAX];	/* the line of each item */
	int n, failed;
};

static const struct cmd *batch_cmd(int argc, char **argv, int *words)
{
	for (size_t i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!cmds[i].batch || strcmp(argv[0], cmds[i].w1) || strcmp(argv[1], cmds[i].w2))
			continue;
		*words = 2;
		return &cmds[i];
	}
	return NULL;
}

static void batch_begin(struct batch *b)
{
	b->nlh = ovx_ctl_start(b->buf, OVX_CMD_BATCH, 0);
	b->list = ovx_ctl_nest_start(b->nlh, OVX_A_BATCH);
	b->n = 0;
}

/* Sends what is gathered; each failed item reported with its line. */
static int batch_flush(struct batch *b)
{
	struct ovx_ctl_err e = {};
	const struct nlattr *a;
	int i = 0, err;

	if (!b->n)
		return 0;
	ovx_ctl_nest_end(b->nlh, b->list);
	err = ovx_ctl_call(&b->c->client, b->nlh, &e);
	OPENSSL_cleanse(b->buf, b->nlh->nlmsg_len);
	if (err) {
		fprintf(stderr, "ovpn-xdp: batch of lines %d-%d: %s\n", b->lines[0],
			b->lines[b->n - 1], e.msg);
		b->failed += b->n;
		return 1;
	}
	mnl_attr_for_each_nested(a, b->c->client.msg.tb[OVX_A_RESULTS]) {
		memset(&e, 0, sizeof(e));
		if (i < b->n && ovx_ctl_result_status(a, &e)) {
			fprintf(stderr, "ovpn-xdp: line %d: %s\n", b->lines[i], e.msg);
			b->failed++;
		}
		i++;
	}
	batch_begin(b);
	return 0;
}

/* One line into the batch; -EMSGSIZE (nothing added) when it is full. */
static int batch_add(struct batch *b, int argc, char **argv, int line)
{
	const struct cmd *cmd;
	struct nlattr *item;
	int words, npos, err;

	if (!argc || argv[0][0] == '#')
		return 0;
	cmd = batch_cmd(argc, argv, &words);
	if (!cmd)
		return fail("'%s' cannot be batched (peer/key/route commands can)", argv[0]);
	npos = strlen(cmd->pos);
	if (argc - words < npos)
		return fail("%s: missing arguments", cmd->w1);
	/* a line's item is under 4 KiB (4 KiB of text at most) */
	item = b->n < OVX_CTL_BATCH_MAX && b->nlh->nlmsg_len < OVX_CTL_MSG_MAX - 4096 ?
	       ovx_ctl_item_start(b->nlh, cmd->cmd) : NULL;
	err = item ? put_positionals(b->nlh, cmd->pos, argv + words) ?:
		     put_keywords(b->nlh, argc - words - npos, argv + words + npos) : -EMSGSIZE;
	if (err) {
		if (item)
			ovx_ctl_nest_cancel(b->nlh, item);
		return err;
	}
	ovx_ctl_nest_end(b->nlh, item);
	b->lines[b->n++] = line;
	return 0;
}

static int batch_line(struct batch *b, char *text, int line)
{
	char *argv[64], *save = NULL;
	int argc = 0, err;

	for (char *w = strtok_r(text, " \t\r\n", &save); w && argc < 64;
	     w = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = w;
	err = batch_add(b, argc, argv, line);
	if (err == -EMSGSIZE && b->n)
		err = batch_flush(b) ?: batch_add(b, argc, argv, line);
	if (err == -EMSGSIZE)
		err = fail("line too long: %s", argv[0]);
	if (err)
		fprintf(stderr, "ovpn-xdp: (line %d)\n", line);
	return err;
}

static int run_batch(struct cli *c, const char *path, void *buf)
{
	struct batch b = { .c = c, .buf = buf };
	FILE *f = path && strcmp(path, "-") ? fopen(path, "r") : stdin;
	char text[4096];
	int line = 0, err = 0;

	if (!f) {
		fprintf(stderr, "ovpn-xdp: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = connect_daemon(c);
	batch_begin(&b);
	while (!err && fgets(text, sizeof(text), f))
		err = batch_line(&b, text, ++line);
	err = err ?: batch_flush(&b);
	OPENSSL_cleanse(text, sizeof(text));
	if (f != stdin)
		fclose(f);
	if (!err && b.failed)
		fprintf(stderr, "ovpn-xdp: %d of the requests failed\n", b.failed);
	return err || b.failed ? 1 : 0;	/* no usage text: the line is named */
}

int cli_run(struct cli *c, int argc, char **argv)
{
	static __u8 buf[OVX_CTL_MSG_MAX];
	int rc = -1;

	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "status") ||
	    (!strcmp(argv[0], "peer") && argc > 1 && !strcmp(argv[1], "get"))) {
		int skip = strcmp(argv[0], "peer") ? 1 : 2;

		c->json = skip < argc && !strcmp(argv[skip], "--json");
		skip += c->json;
		rc = connect_daemon(c) ?: cli_show(c, skip < argc ? argv[skip] : NULL,
						    skip + 1 < argc ? argv[skip + 1] : NULL);
	} else if (!strcmp(argv[0], "metrics")) {
		unsigned long long max = 1000;
		bool http = false;

		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "--http"))
				http = true;
			else if (strcmp(argv[i], "--max-peers") || ++i >= argc ||
				 !number(argv[i], 0xffffffffULL, &max))
				return fail("metrics [--max-peers N] [--http]: '%s'?", argv[i - 1]);
		}
		rc = connect_daemon(c) ?: cli_metrics(c, max, http);
	} else if (!strcmp(argv[0], "monitor")) {
		c->json = argc > 1 && !strcmp(argv[1], "--json");
		rc = cli_monitor(c);
	} else if (!strcmp(argv[0], "batch")) {
		rc = run_batch(c, argc > 1 ? argv[1] : NULL, buf);
	} else if (!strcmp(argv[0], "detach")) {
		rc = simple(c, argc > 1 ? OVX_CMD_INSTANCE_DEL : OVX_CMD_DETACH,
			    argc > 1 ? argv[1] : NULL, buf);
	}
	for (size_t i = 0; rc < 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int words = cmds[i].w2 ? 2 : 1;

		if (!cmds[i].w1 || strcmp(argv[0], cmds[i].w1) ||
		    (cmds[i].w2 && (argc < 2 || strcmp(argv[1], cmds[i].w2))))
			continue;
		rc = run_cmd(c, &cmds[i], argc - words, argv + words, buf);
	}
	if (rc < 0)
		rc = fail("unknown command '%s'", argv[0]);
	ovx_ctl_close(&c->client);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}
