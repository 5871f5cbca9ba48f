/* SPDX-License-Identifier: GPL-2.0 */
/* Building and parsing control messages (include/ovx_ctl.h) with libmnl's
 * attribute API. Shared by the daemon, the CLI and the OpenVPN plugin. */
#ifndef OVX_LOADER_CTL_MSG_H
#define OVX_LOADER_CTL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <libmnl/libmnl.h>
#include "ovx_ctl.h"
#include "ovx_data.h"

/* What went wrong with a request, for its reply: -errno and a message. */
struct ovx_ctl_err {
	int code;
	char msg[192];
};

/* Sets @e (the first error wins) and returns @code. */
int ovx_ctl_errf(struct ovx_ctl_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A parsed message: the last instance of each known attribute, and every
 * instance of the repeatable ones. Points into the caller's buffer. */
struct ovx_ctl_msg {
	const struct nlmsghdr *nlh;
	const struct nlattr *tb[OVX_A_MAX + 1];
	const struct nlattr *links[OVX_CTL_MAX_LINKS];
	unsigned int nlinks;
	const struct nlattr *addrs[OVX_CTL_MAX_ADDRS];
	unsigned int naddrs;
};

/* Checks the header (length, command) and the type and length of every known
 * attribute; unknown attributes are skipped, repeated ones refused (but
 * LINK and SOCKADDR, up to their maximum). Returns 0 or -errno with @e set. */
int ovx_ctl_parse(const void *buf, size_t len, struct ovx_ctl_msg *m,
		   struct ovx_ctl_err *e);
/* One item of a batch (OVX_A_ITEM): its attributes checked as a message's
 * are (m->nlh is NULL). */
int ovx_ctl_parse_item(const struct nlattr *item, struct ovx_ctl_msg *m,
			struct ovx_ctl_err *e);
/* The attributes of a nested attribute (one item of a reply list) into @tb,
 * validated the same way; repeated attributes: the last wins. */
int ovx_ctl_parse_nested(const struct nlattr *nest,
			  const struct nlattr *tb[OVX_A_MAX + 1],
			  struct ovx_ctl_err *e);

const char *ovx_ctl_attr_name(int type);
const char *ovx_ctl_cmd_name(int cmd);

/* Getters for attributes that may be absent. */
static inline bool ovx_ctl_u32(const struct nlattr *const *tb, int type, __u32 *v)
{
	if (!tb[type])
		return false;
	*v = mnl_attr_get_u32(tb[type]);
	return true;
}

static inline bool ovx_ctl_u64(const struct nlattr *const *tb, int type, __u64 *v)
{
	if (!tb[type])
		return false;
	*v = mnl_attr_get_u64(tb[type]);
	return true;
}

static inline const char *ovx_ctl_str(const struct nlattr *const *tb, int type)
{
	return tb[type] ? mnl_attr_get_str(tb[type]) : NULL;
}

/* Building: messages live in buffers of OVX_CTL_MSG_MAX bytes. The put
 * functions return false when the message is full (nothing is added). */
struct nlmsghdr *ovx_ctl_start(void *buf, int cmd, __u32 seq);
bool ovx_ctl_put_u32(struct nlmsghdr *nlh, int type, __u32 v);
bool ovx_ctl_put_u64(struct nlmsghdr *nlh, int type, __u64 v);
bool ovx_ctl_put_str(struct nlmsghdr *nlh, int type, const char *s);
bool ovx_ctl_put_bin(struct nlmsghdr *nlh, int type, const void *p, size_t len);
struct nlattr *ovx_ctl_nest_start(struct nlmsghdr *nlh, int type);
void ovx_ctl_nest_end(struct nlmsghdr *nlh, struct nlattr *nest);
void ovx_ctl_nest_cancel(struct nlmsghdr *nlh, struct nlattr *nest);

/* The status of a reply: 0 or -errno, and its message in @e. A reply without
 * a status is -EBADMSG. */
int ovx_ctl_reply_status(const struct ovx_ctl_msg *m, struct ovx_ctl_err *e);

/* Batches: a message of OVX_CMD_BATCH, an OVX_A_BATCH nest, and in it one
 * item per request: ovx_ctl_item_start (NULL when the message is full), the
 * request's attributes, ovx_ctl_nest_end. In the reply, the status of each
 * OVX_A_RESULT of OVX_A_RESULTS, as ovx_ctl_reply_status. */
struct nlattr *ovx_ctl_item_start(struct nlmsghdr *nlh, int cmd);
int ovx_ctl_result_status(const struct nlattr *result, struct ovx_ctl_err *e);

/* "1.2.3.4", "fd00::1" -> family and 4 or 16 bytes; "10.0.0.0/8" also sets
 * @plen (-1 if @plen is NULL and a length is given). */
int ovx_ctl_addr_parse(const char *text, int *family, __u8 addr[16], __u32 *plen);

#endif
