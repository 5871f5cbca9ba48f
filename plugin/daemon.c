// SPDX-License-Identifier: GPL-2.0
/* The plugin's requests to ovpn-xdpd. Each is one short call with a short
 * timeout; a failure leaves OpenVPN as it would be without the plugin and is
 * logged once, in one line, until a call succeeds again. */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openvpn/openvpn-plugin.h>
#include "ctl_client.h"
#include "learn.h"
#include "plugin.h"

#define CALL_TIMEOUT_MS	1000
/* Registration attaches programs and creates the checksum helper: on a busy
 * machine that takes longer than a call, and a registration given up makes
 * the daemon drop the instance again. Once per OpenVPN start. */
#define REGISTER_TIMEOUT_MS	3000

static __u8 req_buf[OVX_CTL_MSG_MAX];

static int call(struct plugin *p, struct nlmsghdr *req, const char *what)
{
	struct ovx_ctl_client c;
	struct ovx_ctl_err e = { 0 };
	int err = ovx_ctl_open(&c, p->ctl_path[0] ? p->ctl_path : NULL, CALL_TIMEOUT_MS, &e);

	if (!err) {
		err = ovx_ctl_call(&c, req, &e);
		ovx_ctl_close(&c);
	}
	if (err && !p->daemon_failing)
		plugin_msg(p, PLOG_WARN, "%s: %s; this traffic stays in OpenVPN", what, e.msg);
	else if (!err && p->daemon_failing)
		plugin_msg(p, PLOG_NOTE, "ovpn-xdpd answers again");
	p->daemon_failing = err != 0;
	return err;
}

static struct nlmsghdr *start(struct plugin *p, int cmd)
{
	struct nlmsghdr *nlh = ovx_ctl_start(req_buf, cmd, 0);

	ovx_ctl_put_str(nlh, OVX_A_NAME, p->name);
	return nlh;
}

/* Registration goes over a connection kept open for OpenVPN's lifetime: if
 * OpenVPN dies, even by SIGKILL, the kernel closes it and the daemon removes
 * the instance, its peers and its keys. */
static int call_owner(struct plugin *p, struct nlmsghdr *req)
{
	struct ovx_ctl_client c = { .fd = -1 };
	struct ovx_ctl_err e = { 0 };
	int err = ovx_ctl_open(&c, p->ctl_path[0] ? p->ctl_path : NULL, REGISTER_TIMEOUT_MS, &e);

	if (!err)
		err = ovx_ctl_call(&c, req, &e);
	if (err) {
		if (c.fd >= 0)
			ovx_ctl_close(&c);
		if (!p->daemon_failing)
			plugin_msg(p, PLOG_WARN, "cannot register with ovpn-xdpd: %s; this traffic stays in OpenVPN",
				   e.msg);
		p->daemon_failing = true;
		return err;
	}
	p->daemon_failing = false;
	p->owner_fd = c.fd;
	c.fd = -1;
	ovx_ctl_close(&c);
	return 0;
}

/* The owner connection closed by the daemon (it exited or was killed: a new
 * daemon takes the instance over from the pins, and OpenVPN must register
 * again to own it). */
bool plugin_daemon_lost(struct plugin *p)
{
	struct pollfd pfd = { .fd = p->owner_fd, .events = POLLIN | POLLRDHUP };

	if (p->owner_fd < 0 || poll(&pfd, 1, 0) <= 0)
		return false;
	return pfd.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLIN);
}

void plugin_daemon_release(struct plugin *p)
{
	if (p->owner_fd >= 0)
		close(p->owner_fd);
	p->owner_fd = -1;
}

int plugin_daemon_instance(struct plugin *p)
{
	struct nlmsghdr *nlh = ovx_ctl_start(req_buf, OVX_CMD_INSTANCE_NEW, 0);

	ovx_ctl_put_str(nlh, OVX_A_NAME, p->name);
	ovx_ctl_put_str(nlh, OVX_A_TUN, p->dev);
	for (int i = 0; i < p->nlinks; i++)
		ovx_ctl_put_str(nlh, OVX_A_LINK, p->links[i]);
	for (int i = 0; i < p->naddrs; i++)
		ovx_ctl_put_str(nlh, OVX_A_SOCKADDR, p->addrs[i]);
	ovx_ctl_put_u32(nlh, OVX_A_MODE, p->role == OVX_ROLE_CLIENT ? OVX_MODE_P2P :
								       OVX_MODE_SERVER);
	ovx_ctl_put_u32(nlh, OVX_A_FLAGS, OVX_INST_F_OWNED);
	if (p->c2c)
		ovx_ctl_put_u32(nlh, OVX_A_C2C, 1);
	if (p->framing)
		ovx_ctl_put_u32(nlh, OVX_A_FRAMING, p->framing);
	ovx_ctl_put_u32(nlh, OVX_A_RENEG_SEC, p->opt_reneg_sec);
	return call_owner(p, nlh);
}

int plugin_daemon_instance_del(struct plugin *p)
{
	return call(p, start(p, OVX_CMD_INSTANCE_DEL), "cannot unregister from ovpn-xdpd");
}

int plugin_daemon_key(struct plugin *p, const unsigned char *material, const char *remote)
{
	struct nlmsghdr *nlh = start(p, OVX_CMD_KEY_MATERIAL);
	int err;

	ovx_ctl_put_u32(nlh, OVX_A_ROLE, p->role);
	ovx_ctl_put_bin(nlh, OVX_A_MATERIAL, material, OVX_KEY_MATERIAL_LEN);
	if (remote[0])
		ovx_ctl_put_str(nlh, OVX_A_REMOTE, remote);
	err = call(p, nlh, "cannot hand a data-channel key to ovpn-xdpd");
	memset(req_buf, 0, sizeof(req_buf));
	return err;
}

int plugin_daemon_addr(struct plugin *p, int op, const char *addr, const char *remote)
{
	struct nlmsghdr *nlh = start(p, OVX_CMD_PEER_ADDR);

	ovx_ctl_put_u32(nlh, OVX_A_OP, op);
	ovx_ctl_put_str(nlh, OVX_A_PREFIX, addr);
	ovx_ctl_put_str(nlh, OVX_A_REMOTE, remote);
	return call(p, nlh, "cannot pass a VPN address to ovpn-xdpd");
}

int plugin_daemon_gone(struct plugin *p, const char *remote)
{
	struct nlmsghdr *nlh = start(p, OVX_CMD_PEER_GONE);

	ovx_ctl_put_str(nlh, OVX_A_REMOTE, remote);
	return call(p, nlh, "cannot remove a peer from ovpn-xdpd");
}
