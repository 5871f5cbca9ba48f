// SPDX-License-Identifier: GPL-2.0
/* The checksum helper of an instance (struct ovx_iface in ovx_maps.h): a
 * veth pair "ovxc<id>s" -> "ovxc<id>r". The sending end has checksum and
 * segmentation offloads off, so the kernel completes a CHECKSUM_PARTIAL
 * packet (and splits a GSO one) on its way out; TX runs at the receiving
 * end's TC ingress, in that end's NAPI thread (attach.c). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include "daemon.h"

/* Whatever the tun device's MTU (a jumbo link's, say): a veth drops what
 * exceeds its own. */
#define HELPER_MTU	65535
/* The helper's queue: room for a burst of TSO-split segments. */
#define OVPND_HELPER_QLEN	1000

static void helper_names(const struct ovpnd_instance *in, char *s, char *r)
{
	snprintf(s, IFNAMSIZ, "ovxc%us", in->id);
	snprintf(r, IFNAMSIZ, "ovxc%ur", in->id);
}

static int veth_create(const char *s, const char *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifm = NULL;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	/* created down: a veth end brought up before its peer is linked
	 * fails (ENOTCONN); link_up() follows */
	mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, s);
	mnl_attr_put_u32(nlh, IFLA_MTU, HELPER_MTU);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, r);
	mnl_attr_put_u32(nlh, IFLA_MTU, HELPER_MTU);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return ovpnd_rtnl_call(nlh);
}

static int link_up(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = if_nametoindex(name);
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	return ifm->ifi_index ? ovpnd_rtnl_call(nlh) : -ENODEV;
}

/* Checksum, scatter-gather, TSO and GSO off: the kernel does them before
 * the packet leaves. */
static int offloads_off(const char *name)
{
	static const __u32 cmds[] = { ETHTOOL_STXCSUM, ETHTOOL_SSG, ETHTOOL_STSO, ETHTOOL_SGSO };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct ethtool_value v = { .cmd = cmds[i], .data = 0 };
		struct ifreq ifr = { .ifr_data = (void *)&v };

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (ioctl(fd, SIOCETHTOOL, &ifr) && !err)
			err = -errno;
	}
	close(fd);
	return err;
}

int ovpnd_csum_helper_up(struct ovpnd *d, const struct ovpnd_instance *in)
{
	char s[IFNAMSIZ], r[IFNAMSIZ];
	struct ovx_iface tun;
	__u32 s_if, r_if;
	int err;

	helper_names(in, s, r);
	err = veth_create(s, r);
	if (err == -EEXIST)
		err = 0;
	err = err ?: link_up(s) ?: link_up(r) ?: offloads_off(s) ?:
	      ovpnd_qdisc_pfifo(s, OVPND_HELPER_QLEN);
	s_if = if_nametoindex(s);
	r_if = if_nametoindex(r);
	if (!err && (!s_if || !r_if))
		err = -ENODEV;
	err = err ?: ovpnd_attach_helper(&d->b, r_if, r);
	err = err ?: ovx_iface_set(&d->b.fp, r_if, in->id, OVX_IFACE_ETH | OVX_IFACE_CSUM_HELPER, 0);
	err = err ?: ovx_iface_set_peer(&d->b.fp, r_if, in->tun_ifindex);
	if (!err && !bpf_map_lookup_elem(d->b.fp.ifaces_fd, &in->tun_ifindex, &tun))
		err = ovx_iface_set_peer(&d->b.fp, in->tun_ifindex, s_if);
	if (err)
		ovpnd_log("instance %u: no checksum helper (%s): TCP from this host stays in OpenVPN",
			  in->id, strerror(-err));
	return err;
}

void ovpnd_csum_helper_down(const struct ovpnd_instance *in)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], s[IFNAMSIZ], r[IFNAMSIZ];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	helper_names(in, s, r);
	nlh->nlmsg_type = RTM_DELLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = if_nametoindex(s);
	if (ifm->ifi_index)
		ovpnd_rtnl_call(nlh);
}
