/* SPDX-License-Identifier: GPL-2.0 */
/* The CLI's parts: building requests from words (cli_req.c), printing
 * replies (cli_show.c). */
#ifndef OVX_LOADER_CLI_H
#define OVX_LOADER_CLI_H

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include "ctl_client.h"

#define CLI_USAGE	2

struct cli {
	const char *sock;
	int timeout_ms;
	bool json;
	struct ovx_ctl_client client;
};

/* Runs one command (argv[0] is its first word); returns the exit status. */
int cli_run(struct cli *c, int argc, char **argv);

/* cli_walk.c: STATUS, then every peer (of @instance, or only @peer; NULL:
 * all), each handed to a visitor; 0, or 1 after saying what failed. */
struct cli_visit {
	void (*status)(void *ctx, const struct nlattr *const *tb);
	void (*instance)(void *ctx, const struct nlattr *const *tb, const struct nlattr *item);
	void (*peer)(void *ctx, const struct nlattr *const *tb);
	void *ctx;
};
int cli_walk(struct cli *c, const char *instance, const char *peer, const struct cli_visit *v);
/* An attribute's value, or 0 / @def if absent. */
__u64 cli_u64(const struct nlattr *const *tb, int type);
__u32 cli_u32(const struct nlattr *const *tb, int type);
const char *cli_str(const struct nlattr *const *tb, int type, const char *def);
/* The @n u64 counters of a DROP_COUNTS / GLOBAL_COUNTS attribute (0 for
 * those it lacks). */
void cli_counts(const struct nlattr *const *tb, int type, __u64 *out, unsigned int n);
/* The items of a nested list, each parsed into @tb. */
#define for_each_item(list, item, tb)					       \
	for (const struct nlattr *item = list ? mnl_attr_get_payload(list) : NULL; \
	     item && mnl_attr_ok(item, (const char *)mnl_attr_get_payload(list) + \
					mnl_attr_get_payload_len(list) - (const char *)item); \
	     item = mnl_attr_next(item))				       \
		if (!ovx_ctl_parse_nested(item, tb, NULL))

/* show (cli_show.c, text), show --json (cli_json.c), metrics (cli_metrics.c:
 * Prometheus text; peers' series only while there are at most @max_peers;
 * @http: as the answer to the HTTP request on stdin, for a socket-activated
 * unit), monitor (cli_monitor.c). */
int cli_show(struct cli *c, const char *instance, const char *peer);
int cli_print_keys(const struct nlattr *keys, int indent);
int cli_show_json(struct cli *c, const char *instance, const char *peer);
int cli_metrics(struct cli *c, unsigned long max_peers, bool http);
int cli_monitor(struct cli *c);

/* Adds an instance reference: a number is OVX_A_INSTANCE, else OVX_A_NAME
 * (inline: cli_req.c and cli_walk.c both name instances, neither calls the
 * other). */
static inline bool cli_put_instance(struct nlmsghdr *nlh, const char *text)
{
	char *end;
	unsigned long id = strtoul(text, &end, 10);

	if (*text && !*end && isdigit((unsigned char)*text))
		return ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, id);
	return ovx_ctl_put_str(nlh, OVX_A_NAME, text);
}

#endif
