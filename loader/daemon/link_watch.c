// SPDX-License-Identifier: GPL-2.0
/* Renamed devices of the daemon's instances (see link_watch.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <bpf/bpf.h>
#include "link_watch.h"

/* Logs and takes the new name into @have; true if it changed. */
static bool rename_one(const struct ovpnd_instance *in, char *have, size_t size,
		       __u32 ifindex, const char *name, const char *what)
{
	if (!strncmp(have, name, size))
		return false;
	ovpnd_log("instance '%s': %s device %s (ifindex %u) renamed to %s; still attached",
		  in->name, what, have, ifindex, name);
	snprintf(have, size, "%s", name);
	return true;
}

static bool instance_rename(struct ovpnd_instance *in, __u32 ifindex, const char *name)
{
	bool changed = false;

	if (in->tun_ifindex == ifindex && !(in->state & OVPND_GONE_TUN))
		changed |= rename_one(in, in->tun, sizeof(in->tun), ifindex, name, "tun");
	for (unsigned int i = 0; i < in->nlinks; i++)
		if (in->link_ifindex[i] == ifindex && !(in->state & (1u << i)))
			changed |= rename_one(in, in->links[i], sizeof(in->links[i]), ifindex,
					      name, "link");
	return changed;
}

static const char *ifname_of(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_IFNAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			return mnl_attr_get_str(a);
	return NULL;
}

void ovpnd_link_newlink(struct ovpnd *d, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const char *name;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return;
	name = ifname_of(nlh);
	if (!name || !name[0])
		return;
	for (unsigned int i = 0; i < d->ninst; i++) {
		struct ovpnd_instance *in = &d->inst[i];

		/* the pinned map first: it outlives the daemon */
		if (instance_rename(in, ifi->ifi_index, name) &&
		    bpf_map_update_elem(d->b.instances_fd, &in->id, in, BPF_EXIST))
			ovpnd_log("instance '%s': cannot keep the new name: %s", in->name,
				  strerror(errno));
	}
}
