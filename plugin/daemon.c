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

static __u8 req_buf[OVPN_CTL_MSG_MAX];

static int call(struct plugin *p, struct nlmsghdr *req, const char *what)
{
	struct ovpn_ctl_client c;
	struct ovpn_ctl_err e = { 0 };
	int err = ovpn_ctl_open(&c, p->ctl_path[0] ? p->ctl_path : NULL, CALL_TIMEOUT_MS, &e);

	if (!err) {
		err = ovpn_ctl_call(&c, req, &e);
		ovpn_ctl_close(&c);
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
	struct nlmsghdr *nlh = ovpn_ctl_start(req_buf, cmd, 0);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, p->name);
	return nlh;
}

/* Registration goes over a connection kept open for OpenVPN's lifetime: if
 * OpenVPN dies, even by SIGKILL, the kernel closes it and the daemon removes
 * the instance, its peers and its keys. */
static int call_owner(struct plugin *p, struct nlmsghdr *req)
{
	struct ovpn_ctl_client c = { .fd = -1 };
	struct ovpn_ctl_err e = { 0 };
	int err = ovpn_ctl_open(&c, p->ctl_path[0] ? p->ctl_path : NULL, REGISTER_TIMEOUT_MS, &e);

	if (!err)
		err = ovpn_ctl_call(&c, req, &e);
	if (err) {
		if (c.fd >= 0)
			ovpn_ctl_close(&c);
		if (!p->daemon_failing)
			plugin_msg(p, PLOG_WARN, "cannot register with ovpn-xdpd: %s; this traffic stays in OpenVPN",
				   e.msg);
		p->daemon_failing = true;
		return err;
	}
	p->daemon_failing = false;
	p->owner_fd = c.fd;
	c.fd = -1;
	ovpn_ctl_close(&c);
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
	struct nlmsghdr *nlh = ovpn_ctl_start(req_buf, OVPN_CMD_INSTANCE_NEW, 0);

	ovpn_ctl_put_str(nlh, OVPN_A_NAME, p->name);
	ovpn_ctl_put_str(nlh, OVPN_A_TUN, p->dev);
	for (int i = 0; i < p->nlinks; i++)
		ovpn_ctl_put_str(nlh, OVPN_A_LINK, p->links[i]);
	for (int i = 0; i < p->naddrs; i++)
		ovpn_ctl_put_str(nlh, OVPN_A_SOCKADDR, p->addrs[i]);
	ovpn_ctl_put_u32(nlh, OVPN_A_MODE, p->role == OVPN_ROLE_CLIENT ? OVPN_MODE_P2P :
								       OVPN_MODE_SERVER);
	ovpn_ctl_put_u32(nlh, OVPN_A_FLAGS, OVPN_INST_F_OWNED);
	if (p->c2c)
		ovpn_ctl_put_u32(nlh, OVPN_A_C2C, 1);
	if (p->framing)
		ovpn_ctl_put_u32(nlh, OVPN_A_FRAMING, p->framing);
	return call_owner(p, nlh);
}

int plugin_daemon_instance_del(struct plugin *p)
{
	return call(p, start(p, OVPN_CMD_INSTANCE_DEL), "cannot unregister from ovpn-xdpd");
}

int plugin_daemon_key(struct plugin *p, const unsigned char *material, const char *remote)
{
	struct nlmsghdr *nlh = start(p, OVPN_CMD_KEY_MATERIAL);
	int err;

	ovpn_ctl_put_u32(nlh, OVPN_A_ROLE, p->role);
	ovpn_ctl_put_bin(nlh, OVPN_A_MATERIAL, material, OVPN_KEY_MATERIAL_LEN);
	if (remote[0])
		ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, remote);
	err = call(p, nlh, "cannot hand a data-channel key to ovpn-xdpd");
	memset(req_buf, 0, sizeof(req_buf));
	return err;
}

int plugin_daemon_addr(struct plugin *p, int op, const char *addr, const char *remote)
{
	struct nlmsghdr *nlh = start(p, OVPN_CMD_PEER_ADDR);

	ovpn_ctl_put_u32(nlh, OVPN_A_OP, op);
	ovpn_ctl_put_str(nlh, OVPN_A_PREFIX, addr);
	ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, remote);
	return call(p, nlh, "cannot pass a VPN address to ovpn-xdpd");
}

int plugin_daemon_gone(struct plugin *p, const char *remote)
{
	struct nlmsghdr *nlh = start(p, OVPN_CMD_PEER_GONE);

	ovpn_ctl_put_str(nlh, OVPN_A_REMOTE, remote);
	return call(p, nlh, "cannot remove a peer from ovpn-xdpd");
}
