/* SPDX-License-Identifier: GPL-2.0 */
/* A small client of ovpn-xdpd's control socket, for the CLI, the tests and the
 * OpenVPN plugin: every call is bounded by a timeout as a whole (not each
 * wait in it), so the caller (OpenVPN itself, for the plugin) never stalls on
 * a stuck daemon for longer. */
#ifndef OVX_LOADER_CTL_CLIENT_H
#define OVX_LOADER_CTL_CLIENT_H

#include "ctl_msg.h"

struct ovx_ctl_client {
	int fd;
	__u32 seq;
	int timeout_ms;			/* per call, in all */
	__u8 *reply;			/* OVX_CTL_MSG_MAX bytes */
	struct ovx_ctl_msg msg;	/* the last reply, parsed */
};

/* Connects to @path (NULL: OVX_CTL_DEFAULT_PATH) within @timeout_ms. Returns
 * 0 or -errno with a message in @e ("cannot connect to ...: is ovpn-xdpd
 * running?"). */
int ovx_ctl_open(struct ovx_ctl_client *c, const char *path, int timeout_ms,
		  struct ovx_ctl_err *e);
void ovx_ctl_close(struct ovx_ctl_client *c);

/* Sends @req (its seq is set here) and waits for the reply with the same seq,
 * skipping notifications, all within c->timeout_ms. Returns the reply's
 * status (0 or -errno, with @e set; -ETIMEDOUT when the time ran out); the
 * reply stays parsed in c->msg until the next call. */
int ovx_ctl_call(struct ovx_ctl_client *c, struct nlmsghdr *req,
		  struct ovx_ctl_err *e);
/* ovx_ctl_open and ovx_ctl_call within @timeout_ms in all: connecting,
 * sending and the reply. The connection stays open (for further calls, each
 * with timeout_ms of its own): ovx_ctl_close it whatever this returned. */
int ovx_ctl_open_call(struct ovx_ctl_client *c, const char *path, int timeout_ms,
		       struct nlmsghdr *req, struct ovx_ctl_err *e);

/* Pipelining, for bulk installs: send now, collect the replies later in
 * order. ovx_ctl_recv waits for the next message, reply or notification.
 * Each waits at most c->timeout_ms (negative: as long as it takes). */
int ovx_ctl_send(struct ovx_ctl_client *c, struct nlmsghdr *req, struct ovx_ctl_err *e);
int ovx_ctl_recv(struct ovx_ctl_client *c, struct ovx_ctl_err *e);

#endif
