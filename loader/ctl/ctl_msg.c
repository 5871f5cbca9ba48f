// SPDX-License-Identifier: GPL-2.0
/* Control messages: attribute policy, parsing and building. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_cmds.h"
#include "ctl_msg.h"
#include "ovx_maps.h"

enum pol_type { P_NONE, P_U32, P_U64, P_STR, P_BIN, P_NEST };

struct pol {
	const char *name;
	enum pol_type type;
	unsigned short max;	/* strings: with the NUL; binary: bytes */
};

#define U32(n)		{ n, P_U32, 0 }
#define U64(n)		{ n, P_U64, 0 }
#define STR(n, l)	{ n, P_STR, l }
#define BIN(n, l)	{ n, P_BIN, l }
#define NEST(n)		{ n, P_NEST, 0 }

static const struct pol policy[OVX_A_MAX + 1] = {
	[OVX_A_STATUS] = U32("STATUS"),
	[OVX_A_ERROR] = STR("ERROR", 512),
	[OVX_A_INSTANCE] = U32("INSTANCE"),
	[OVX_A_NAME] = STR("NAME", OVX_CTL_NAME_MAX),
	[OVX_A_TUN] = STR("TUN", 16),
	[OVX_A_LINK] = STR("LINK", 16),
	[OVX_A_SOCKADDR] = STR("SOCKADDR", 64),
	[OVX_A_MODE] = U32("MODE"),
	[OVX_A_P2P_PEER_ID] = U32("P2P_PEER_ID"),
	[OVX_A_PEER_ID] = U32("PEER_ID"),
	[OVX_A_REMOTE] = STR("REMOTE", 64),
	[OVX_A_LOCAL] = STR("LOCAL", 64),
	[OVX_A_VPN_IPV4] = STR("VPN_IPV4", 64),
	[OVX_A_VPN_IPV6] = STR("VPN_IPV6", 64),
	[OVX_A_KEEPALIVE_INTERVAL] = U32("KEEPALIVE_INTERVAL"),
	[OVX_A_KEEPALIVE_TIMEOUT] = U32("KEEPALIVE_TIMEOUT"),
	[OVX_A_SLOT] = U32("SLOT"),
	[OVX_A_KEY_ID] = U32("KEY_ID"),
	[OVX_A_CIPHER] = STR("CIPHER", 32),
	[OVX_A_ENC_KEY] = BIN("ENC_KEY", 64),
	[OVX_A_ENC_NONCE] = BIN("ENC_NONCE", 64),
	[OVX_A_DEC_KEY] = BIN("DEC_KEY", 64),
	[OVX_A_DEC_NONCE] = BIN("DEC_NONCE", 64),
	[OVX_A_TX_PID] = U64("TX_PID"),
	[OVX_A_PREFIX] = STR("PREFIX", 64),
	[OVX_A_CURSOR] = U64("CURSOR"),
	[OVX_A_IFINDEX] = U32("IFINDEX"),
	[OVX_A_MTU] = U32("MTU"),
	[OVX_A_FLAGS] = U32("FLAGS"),
	[OVX_A_INSTANCES] = NEST("INSTANCES"),
	[OVX_A_INSTANCE_INFO] = NEST("INSTANCE_INFO"),
	[OVX_A_IFACES] = NEST("IFACES"),
	[OVX_A_IFACE] = NEST("IFACE"),
	[OVX_A_PEERS] = NEST("PEERS"),
	[OVX_A_PEER] = NEST("PEER"),
	[OVX_A_KEYS] = NEST("KEYS"),
	[OVX_A_KEY] = NEST("KEY"),
	[OVX_A_LAST_RX_MS] = U64("LAST_RX_MS"),
	[OVX_A_RX_LINK_PKTS] = U64("RX_LINK_PKTS"),
	[OVX_A_RX_LINK_BYTES] = U64("RX_LINK_BYTES"),
	[OVX_A_RX_VPN_PKTS] = U64("RX_VPN_PKTS"),
	[OVX_A_RX_VPN_BYTES] = U64("RX_VPN_BYTES"),
	[OVX_A_TX_LINK_PKTS] = U64("TX_LINK_PKTS"),
	[OVX_A_TX_LINK_BYTES] = U64("TX_LINK_BYTES"),
	[OVX_A_TX_VPN_PKTS] = U64("TX_VPN_PKTS"),
	[OVX_A_TX_VPN_BYTES] = U64("TX_VPN_BYTES"),
	[OVX_A_RX_TO_OVPN] = U64("RX_TO_OVPN"),
	[OVX_A_DROPS] = U64("DROPS"),
	[OVX_A_EVENT] = U32("EVENT"),
	[OVX_A_REASON] = U32("REASON"),
	[OVX_A_IF_STATE] = U32("IF_STATE"),
	[OVX_A_XDP_MODE] = STR("XDP_MODE", 32),
	[OVX_A_VERSION] = U32("VERSION"),
	[OVX_A_PIN_PATH] = STR("PIN_PATH", 256),
	[OVX_A_NPEERS] = U32("NPEERS"),
	[OVX_A_ROLE] = U32("ROLE"),
	[OVX_A_MATERIAL] = BIN("MATERIAL", 256),
	[OVX_A_OP] = U32("OP"),
	[OVX_A_CMD] = U32("CMD"),
	[OVX_A_BATCH] = NEST("BATCH"),
	[OVX_A_ITEM] = NEST("ITEM"),
	[OVX_A_RESULTS] = NEST("RESULTS"),
	[OVX_A_RESULT] = NEST("RESULT"),
	[OVX_A_FAILED] = U32("FAILED"),
	[OVX_A_DROP_COUNTS] = BIN("DROP_COUNTS", 64 * 8),
	[OVX_A_GLOBAL_COUNTS] = BIN("GLOBAL_COUNTS", 64 * 8),
	[OVX_A_C2C] = U32("C2C"),
	[OVX_A_FRAMING] = U32("FRAMING"),
	[OVX_A_AEAD_COSTS] = NEST("AEAD_COSTS"),
	[OVX_A_AEAD_COST] = NEST("AEAD_COST"),
	[OVX_A_AEAD_BPF_NS] = U32("AEAD_BPF_NS"),
	[OVX_A_AEAD_SW_NS] = U32("AEAD_SW_NS"),
	[OVX_A_RX_EPOCH] = U32("RX_EPOCH"),
	[OVX_A_RENEG_SEC] = U32("RENEG_SEC"),
	[OVX_A_TX_EPOCH] = U32("TX_EPOCH"),
};

#define NAME(c, w1, w2, pos, decode, inst, batch, handle)	[OVX_CMD_IDX(c)] = #c,
static const char *const cmd_names[OVX_CMD_COUNT] = { OVX_CTL_COMMANDS(NAME) };
#undef NAME

int ovx_ctl_errf(struct ovx_ctl_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e && !e->code) {
		e->code = code;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *ovx_ctl_attr_name(int type)
{
	if (type > 0 && type <= OVX_A_MAX && policy[type].name)
		return policy[type].name;
	return "UNKNOWN";
}

const char *ovx_ctl_cmd_name(int cmd)
{
	if (cmd >= NLMSG_MIN_TYPE && cmd < __OVX_CMD_END && cmd_names[cmd - NLMSG_MIN_TYPE])
		return cmd_names[cmd - NLMSG_MIN_TYPE];
	return "UNKNOWN";
}

/* Checks one known attribute against the policy. */
static int attr_check(const struct nlattr *a, struct ovx_ctl_err *e)
{
	int type = mnl_attr_get_type(a);
	const struct pol *p = &policy[type];
	size_t len = mnl_attr_get_payload_len(a);
	bool ok = true;

	switch (p->type) {
	case P_U32:
		ok = len == sizeof(__u32);
		break;
	case P_U64:
		ok = len == sizeof(__u64);
		break;
	case P_STR:
		ok = !mnl_attr_validate(a, MNL_TYPE_NUL_STRING) && len <= p->max &&
		     strlen(mnl_attr_get_str(a)) == len - 1;
		break;
	case P_BIN:
		ok = len <= p->max;
		break;
	case P_NEST:
		ok = !mnl_attr_validate(a, MNL_TYPE_NESTED);
		break;
	case P_NONE:
		return 0;
	}
	if (!ok)
		return ovx_ctl_errf(e, -EINVAL, "attribute %s: bad length %zu%s", p->name,
				     len, p->type == P_STR ? " or missing NUL" : "");
	return 0;
}

struct parse_state {
	struct ovx_ctl_msg *m;
	const struct nlattr **tb;
	struct ovx_ctl_err *e;
	const char *end;	/* how far the attributes went */
	bool repeat_ok;
};

static int collect(const struct nlattr *a, const struct nlattr **list,
		   unsigned int *n, unsigned int max, struct ovx_ctl_err *e)
{
	if (*n >= max)
		return ovx_ctl_errf(e, -E2BIG, "more than %u %s attributes", max,
				     ovx_ctl_attr_name(mnl_attr_get_type(a)));
	list[(*n)++] = a;
	return 0;
}

static int parse_cb(const struct nlattr *a, void *data)
{
	struct parse_state *s = data;
	int type = mnl_attr_get_type(a);

	s->end = (const char *)a + MNL_ALIGN(a->nla_len);
	if (mnl_attr_type_valid(a, OVX_A_MAX) < 0 || policy[type].type == P_NONE)
		return MNL_CB_OK;		/* unknown: ignored */
	if (attr_check(a, s->e))
		return MNL_CB_ERROR;
	if (s->m && type == OVX_A_LINK &&
	    collect(a, s->m->links, &s->m->nlinks, OVX_CTL_MAX_LINKS, s->e))
		return MNL_CB_ERROR;
	if (s->m && type == OVX_A_SOCKADDR &&
	    collect(a, s->m->addrs, &s->m->naddrs, OVX_CTL_MAX_ADDRS, s->e))
		return MNL_CB_ERROR;
	if (s->tb[type] && !s->repeat_ok && type != OVX_A_LINK && type != OVX_A_SOCKADDR) {
		ovx_ctl_errf(s->e, -EINVAL, "attribute %s repeated", policy[type].name);
		return MNL_CB_ERROR;
	}
	s->tb[type] = a;
	return MNL_CB_OK;
}

/* Every byte up to @tail must belong to a well-formed attribute. */
static int check_consumed(const struct parse_state *s, const char *start,
			  const char *tail)
{
	const char *end = s->end ? s->end : start;

	if (end < tail)
		return ovx_ctl_errf(s->e, -EINVAL, "malformed attribute at offset %td",
				     end - start);
	return 0;
}

int ovx_ctl_parse(const void *buf, size_t len, struct ovx_ctl_msg *m,
		   struct ovx_ctl_err *e)
{
	const struct nlmsghdr *nlh = buf;
	struct parse_state s = { .m = m, .tb = m->tb, .e = e };

	memset(m, 0, sizeof(*m));
	if (len < sizeof(*nlh))
		return ovx_ctl_errf(e, -EINVAL, "message of %zu bytes is shorter than its header",
				     len);
	if (nlh->nlmsg_len != len || len > OVX_CTL_MSG_MAX)
		return ovx_ctl_errf(e, -EINVAL, "message length %u does not match the %zu bytes received",
				     nlh->nlmsg_len, len);
	if (len % NLMSG_ALIGNTO)	/* libmnl reads attributes up to the alignment */
		return ovx_ctl_errf(e, -EINVAL, "message length %zu is not a multiple of %d",
				     len, NLMSG_ALIGNTO);
	m->nlh = nlh;
	if (mnl_attr_parse(nlh, 0, parse_cb, &s) < 0)
		return ovx_ctl_errf(e, -EINVAL, "malformed attributes");
	return check_consumed(&s, mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_tail(nlh));
}

int ovx_ctl_parse_nested(const struct nlattr *nest,
			  const struct nlattr *tb[OVX_A_MAX + 1],
			  struct ovx_ctl_err *e)
{
	struct parse_state s = { .tb = tb, .e = e, .repeat_ok = true };
	const char *start = mnl_attr_get_payload(nest);

	memset(tb, 0, sizeof(*tb) * (OVX_A_MAX + 1));
	if (mnl_attr_parse_nested(nest, parse_cb, &s) < 0)
		return ovx_ctl_errf(e, -EINVAL, "malformed nested attributes");
	return check_consumed(&s, start, start + mnl_attr_get_payload_len(nest));
}

int ovx_ctl_parse_item(const struct nlattr *item, struct ovx_ctl_msg *m,
			struct ovx_ctl_err *e)
{
	struct parse_state s = { .m = m, .tb = m->tb, .e = e };
	const char *start = mnl_attr_get_payload(item);

	memset(m, 0, sizeof(*m));
	if (mnl_attr_parse_nested(item, parse_cb, &s) < 0)
		return ovx_ctl_errf(e, -EINVAL, "malformed attributes");
	return check_consumed(&s, start, start + mnl_attr_get_payload_len(item));
}

struct nlmsghdr *ovx_ctl_start(void *buf, int cmd, __u32 seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = cmd;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	return nlh;
}

bool ovx_ctl_put_u32(struct nlmsghdr *nlh, int type, __u32 v)
{
	return mnl_attr_put_u32_check(nlh, OVX_CTL_MSG_MAX, type, v);
}

bool ovx_ctl_put_u64(struct nlmsghdr *nlh, int type, __u64 v)
{
	return mnl_attr_put_u64_check(nlh, OVX_CTL_MSG_MAX, type, v);
}

bool ovx_ctl_put_str(struct nlmsghdr *nlh, int type, const char *s)
{
	return mnl_attr_put_strz_check(nlh, OVX_CTL_MSG_MAX, type, s);
}

bool ovx_ctl_put_bin(struct nlmsghdr *nlh, int type, const void *p, size_t len)
{
	return mnl_attr_put_check(nlh, OVX_CTL_MSG_MAX, type, len, p);
}

struct nlattr *ovx_ctl_nest_start(struct nlmsghdr *nlh, int type)
{
	return mnl_attr_nest_start_check(nlh, OVX_CTL_MSG_MAX, type);
}

void ovx_ctl_nest_end(struct nlmsghdr *nlh, struct nlattr *nest)
{
	mnl_attr_nest_end(nlh, nest);
}

void ovx_ctl_nest_cancel(struct nlmsghdr *nlh, struct nlattr *nest)
{
	mnl_attr_nest_cancel(nlh, nest);
}

struct nlattr *ovx_ctl_item_start(struct nlmsghdr *nlh, int cmd)
{
	struct nlattr *item = ovx_ctl_nest_start(nlh, OVX_A_ITEM);

	if (item && !ovx_ctl_put_u32(nlh, OVX_A_CMD, cmd)) {
		ovx_ctl_nest_cancel(nlh, item);
		return NULL;
	}
	return item;
}

int ovx_ctl_result_status(const struct nlattr *result, struct ovx_ctl_err *e)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	struct ovx_ctl_msg m = {};
	int err = ovx_ctl_parse_nested(result, tb, e);

	if (err)
		return err;
	memcpy(m.tb, tb, sizeof(tb));
	return ovx_ctl_reply_status(&m, e);
}

int ovx_ctl_reply_status(const struct ovx_ctl_msg *m, struct ovx_ctl_err *e)
{
	__u32 st;
	const char *msg = ovx_ctl_str(m->tb, OVX_A_ERROR);

	if (!ovx_ctl_u32(m->tb, OVX_A_STATUS, &st))
		return ovx_ctl_errf(e, -EBADMSG, "reply without a status");
	if (!st)
		return 0;
	if (st < (__u32)-4095)		/* not -errno */
		return ovx_ctl_errf(e, -EBADMSG, "reply with a bad status %u", st);
	return ovx_ctl_errf(e, (int)st, "%s", msg ? msg : strerror(-(int)st));
}

int ovx_ctl_addr_parse(const char *text, int *family, __u8 addr[16], __u32 *plen)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);

	memset(addr, 0, 16);
	if (n >= sizeof(host) || (slash && !plen))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = 0;
	if (inet_pton(AF_INET, host, addr) == 1)
		*family = OVX_AF_INET;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*family = OVX_AF_INET6;
	else
		return -EINVAL;
	if (plen) {
		unsigned long l = *family == OVX_AF_INET ? 32 : 128;
		char *e;

		if (slash) {
			l = strtoul(slash + 1, &e, 10);
			if (!slash[1] || *e || l > (*family == OVX_AF_INET ? 32u : 128u))
				return -EINVAL;
		}
		*plen = l;
	}
	return 0;
}
