// SPDX-License-Identifier: GPL-2.0
/* Root queueing disciplines: a pfifo queue on a veth (backpressure instead
 * of drops: the checksum helper's sending end, a hint for link veths), and
 * reading which one a device has. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include "daemon.h"

/* A pfifo root qdisc on @name: a veth with a queue stops its sender when the
 * peer's ring is full (backpressure, the sending TCP slows down) instead of
 * dropping, as it does without one (noqueue, veth's default). */
int ovpnd_qdisc_pfifo(const char *name, __u32 limit)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tc_fifo_qopt opt = { .limit = limit };
	struct tcmsg *tcm;

	nlh->nlmsg_type = RTM_NEWQDISC;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = if_nametoindex(name);
	tcm->tcm_handle = TC_H_MAKE(1U << 16, 0);
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "pfifo");
	mnl_attr_put(nlh, TCA_OPTIONS, sizeof(opt), &opt);
	return tcm->tcm_ifindex ? ovpnd_rtnl_call(nlh) : -ENODEV;
}

static int qdisc_of(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_QDISC && !mnl_attr_validate(a, MNL_TYPE_STRING))
			snprintf(data, IFNAMSIZ, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

int ovpnd_qdisc_name(const char *name, char out[IFNAMSIZ])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct ifinfomsg *ifm;
	int ret;

	out[0] = 0;
	if (!nl)
		return -errno;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = time(NULL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = if_nametoindex(name);
	ret = !ifm->ifi_index ? -ENODEV :
	      mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	      mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
	if (!ret) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		ret = ret < 0 ? -errno :
		      mnl_cb_run(buf, ret, nlh->nlmsg_seq, mnl_socket_get_portid(nl), qdisc_of,
				 out) < 0 ? -errno : 0;
	}
	mnl_socket_close(nl);
	return ret;
}
