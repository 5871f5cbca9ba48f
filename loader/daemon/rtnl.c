// SPDX-License-Identifier: GPL-2.0
/* One rtnetlink request on a socket of its own, its acknowledgement awaited:
 * the daemon's link and qdisc changes (csum_helper.c, qdisc.c). */
#include <errno.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "daemon.h"

/* One rtnetlink request with an acknowledgement. */
int ovpnd_rtnl_call(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int ret = -errno;

	if (!nl)
		return ret;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = time(NULL);
	ret = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	      mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
	if (!ret) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		ret = ret < 0 ? -errno :
		      mnl_cb_run(buf, ret, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL, NULL) < 0 ?
		      -errno : 0;
	}
	mnl_socket_close(nl);
	return ret;
}
