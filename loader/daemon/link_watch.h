/* SPDX-License-Identifier: GPL-2.0 */
/* ovpn-xdpd: the kernel's link events about the devices of its instances
 * (events.c reads them; a vanished device is instance.c's ovpnd_link_gone). */
#ifndef OVX_LOADER_LINK_WATCH_H
#define OVX_LOADER_LINK_WATCH_H

#include <linux/netlink.h>
#include "daemon.h"

/* An RTM_NEWLINK: a device of an instance that changed its name keeps its
 * programs (they go by ifindex); the daemon says so once and keeps the new
 * name, so that a restarted daemon and --detach still find the device. */
void ovpnd_link_newlink(struct ovpnd *d, const struct nlmsghdr *nlh);

#endif
