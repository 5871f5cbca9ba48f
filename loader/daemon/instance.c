// SPDX-License-Identifier: GPL-2.0
/* OpenVPN instances: a tun device, link devices and sockets, kept in the
 * pinned map ovx_instances so that a restarted daemon knows them. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "daemon.h"

int ovpnd_instances_load(struct ovpnd *d)
{
	__u32 k, prev, *pk = NULL;

	d->ninst = 0;
	while (d->ninst < OVPND_MAX_INSTANCES &&
	       !bpf_map_get_next_key(d->b.instances_fd, pk, &k)) {
		if (!bpf_map_lookup_elem(d->b.instances_fd, &k, &d->inst[d->ninst]))
			d->ninst++;
		prev = k;
		pk = &prev;
	}
	for (unsigned int i = 1; i < d->ninst; i++)	/* id order */
		for (unsigned int j = i; j && d->inst[j - 1].id > d->inst[j].id; j--) {
			struct ovpnd_instance t = d->inst[j];

			d->inst[j] = d->inst[j - 1];
			d->inst[j - 1] = t;
		}
	return 0;
}

static int cache_find(struct ovpnd *d, __u32 id)
{
	for (unsigned int i = 0; i < d->ninst; i++)
		if (d->inst[i].id == id)
			return i;
	return -1;
}

int ovpnd_instance_get(struct ovpnd *d, __u32 id, struct ovpnd_instance *in)
{
	int i = cache_find(d, id);

	if (i < 0)
		return -ENOENT;
	*in = d->inst[i];
	return 0;
}

/* The map first (it outlives the daemon), then the cache. */
static int instance_put(struct ovpnd *d, const struct ovpnd_instance *in)
{
	int i = cache_find(d, in->id);
	unsigned int j;

	if (i < 0 && d->ninst == OVPND_MAX_INSTANCES)
		return -ENOSPC;
	if (bpf_map_update_elem(d->b.instances_fd, &in->id, in, BPF_ANY))
		return -errno;
	if (i >= 0) {
		d->inst[i] = *in;
		return 0;
	}
	for (j = d->ninst++; j && d->inst[j - 1].id > in->id; j--)
		d->inst[j] = d->inst[j - 1];
	d->inst[j] = *in;
	return 0;
}

static int instance_remove(struct ovpnd *d, __u32 id)
{
	int i = cache_find(d, id);

	if (bpf_map_delete_elem(d->b.instances_fd, &id) && errno != ENOENT)
		return -errno;
	if (i >= 0) {
		memmove(&d->inst[i], &d->inst[i + 1], (d->ninst - i - 1) * sizeof(d->inst[0]));
		d->ninst--;
	}
	return 0;
}

/* In id order, so listings are stable. */
int ovpnd_instance_next(struct ovpnd *d, __u32 after, struct ovpnd_instance *in)
{
	for (unsigned int i = 0; i < d->ninst; i++)
		if (d->inst[i].id > after) {
			*in = d->inst[i];
			return 0;
		}
	return -ENOENT;
}

static int instance_by_name(struct ovpnd *d, const char *name, struct ovpnd_instance *in)
{
	for (__u32 id = 0; !ovpnd_instance_next(d, id, in); id = in->id)
		if (!strcmp(in->name, name))
			return 0;
	return -ENOENT;
}

int ovpnd_instance_resolve(struct ovpnd *d, const struct ovx_req *r,
			   struct ovpnd_instance *in, struct ovx_ctl_err *e)
{
	if (r->has_inst_id) {
		if (ovpnd_instance_get(d, r->inst_id, in))
			return ovx_ctl_errf(e, -ENOENT, "no instance %u", r->inst_id);
		if (r->inst_name[0] && strcmp(r->inst_name, in->name))
			return ovx_ctl_errf(e, -EINVAL, "instance %u is '%s', not '%s'",
					     r->inst_id, in->name, r->inst_name);
		return 0;
	}
	if (instance_by_name(d, r->inst_name, in))
		return ovx_ctl_errf(e, -ENOENT, "no instance '%s'", r->inst_name);
	return 0;
}

static bool link_used_by_other(struct ovpnd *d, __u32 ifindex, __u32 self)
{
	struct ovpnd_instance o;

	for (__u32 id = 0; !ovpnd_instance_next(d, id, &o); id = o.id)
		for (unsigned int i = 0; o.id != self && i < o.nlinks; i++)
			if (o.link_ifindex[i] == ifindex)
				return true;
	return false;
}

static __u32 free_id(struct ovpnd *d)
{
	struct ovpnd_instance o;

	for (__u32 id = 1; id <= OVPND_MAX_INSTANCES * 2; id++)
		if (ovpnd_instance_get(d, id, &o))
			return id;
	return 0;
}

/* Everything checked before anything changes. */
static int instance_check(struct ovpnd *d, const struct ovx_req_instance *ri, __u32 id,
			  struct ovpnd_instance *in, struct ovx_ctl_err *e)
{
	struct ovpnd_instance o;
	struct ovx_socket s;
	struct ovx_iface ifc;

	if (!instance_by_name(d, ri->name, &o))
		return ovx_ctl_errf(e, -EEXIST, "instance '%s' already exists (id %u)",
				     ri->name, o.id);
	if (id && !ovpnd_instance_get(d, id, &o))
		return ovx_ctl_errf(e, -EEXIST, "instance id %u is taken by '%s'", id, o.name);
	in->id = id ? id : free_id(d);
	if (!in->id)
		return ovx_ctl_errf(e, -ENOSPC, "too many instances (%d)", OVPND_MAX_INSTANCES);
	in->tun_ifindex = if_nametoindex(ri->tun);
	if (!in->tun_ifindex)
		return ovx_ctl_errf(e, -ENODEV, "no device '%s' (the tun device must exist)",
				     ri->tun);
	if (!bpf_map_lookup_elem(d->b.fp.ifaces_fd, &in->tun_ifindex, &ifc))
		return ovx_ctl_errf(e, -EEXIST, "%s already belongs to instance %u", ri->tun,
				     ifc.instance);
	for (unsigned int i = 0; i < ri->nlinks; i++) {
		in->link_ifindex[i] = if_nametoindex(ri->links[i]);
		if (!in->link_ifindex[i])
			return ovx_ctl_errf(e, -ENODEV, "no link device '%s'", ri->links[i]);
	}
	for (unsigned int i = 0; i < ri->naddrs; i++)
		if (!bpf_map_lookup_elem(d->b.fp.sockets_fd, &ri->addrs[i], &s))
			return ovx_ctl_errf(e, -EADDRINUSE,
					     "socket address #%u already offloaded by instance %u",
					     i + 1, s.instance);
	return 0;
}

static void instance_fill(struct ovpnd_instance *in, const struct ovx_req_instance *ri)
{
	in->mode = ri->mode;
	in->p2p_peer_id = ri->p2p_peer_id;
	in->flags = ri->flags | ri->framing;	/* OVX_INST_F_* below 0x100 */
	in->nlinks = ri->nlinks;
	in->naddrs = ri->naddrs;
	memcpy(in->name, ri->name, sizeof(in->name));
	memcpy(in->tun, ri->tun, sizeof(in->tun));
	memcpy(in->links, ri->links, sizeof(in->links));
	memcpy(in->addrs, ri->addrs, sizeof(in->addrs));
}

static void unregister(struct ovpnd *d, const struct ovpnd_instance *in)
{
	for (unsigned int i = 0; i < in->naddrs; i++)
		ovx_socket_del(&d->b.fp, &in->addrs[i]);
	ovx_iface_del(&d->b.fp, in->tun_ifindex);
}

/* The device at @ifindex must still carry @name. */
static bool dev_present(__u32 ifindex, const char *name)
{
	char now[IF_NAMESIZE];

	return if_indextoname(ifindex, now) && !strcmp(now, name);
}

const char *ovpnd_instance_stale(const struct ovpnd_instance *in)
{
	if (in->state & OVPND_GONE_TUN || !dev_present(in->tun_ifindex, in->tun))
		return "its tun device went away";
	for (unsigned int i = 0; i < in->nlinks; i++)
		if (in->state & (1u << i) || !dev_present(in->link_ifindex[i], in->links[i]))
			return "a link device went away";
	if (in->flags & OVX_INST_F_NO_ATTACH)
		return NULL;
	if (!ovpnd_tun_attached(in->tun_ifindex))
		return "its tun device was made again";
	for (unsigned int i = 0; i < in->nlinks; i++)
		if (!ovpnd_link_attached(in->link_ifindex[i]))
			return "a link device was made again";
	return NULL;
}

/* Only devices still there under their name: --detach may run in another
 * namespace than the daemon did, where the indexes mean other devices. */
static void devices_detach(struct ovpnd *d, const struct ovpnd_instance *in)
{
	if (in->flags & OVX_INST_F_NO_ATTACH)
		return;
	if (!(in->state & OVPND_GONE_TUN) && dev_present(in->tun_ifindex, in->tun))
		ovpnd_detach_tun(in->tun_ifindex);
	for (unsigned int i = 0; i < in->nlinks; i++)
		if (!(in->state & (1u << i)) && dev_present(in->link_ifindex[i], in->links[i]) &&
		    !link_used_by_other(d, in->link_ifindex[i], in->id))
			ovpnd_detach_link(in->link_ifindex[i], in->links[i]);
}

static int devices_attach(struct ovpnd *d, struct ovpnd_instance *in)
{
	int err = 0;

	if (in->flags & OVX_INST_F_NO_ATTACH)
		return 0;
	for (unsigned int i = 0; !err && i < in->nlinks; i++)
		if (!link_used_by_other(d, in->link_ifindex[i], in->id))
			err = ovpnd_attach_link(&d->b, in->link_ifindex[i], in->links[i],
						&in->xdp_mode[i]);
	err = err ?: ovpnd_attach_tun(&d->b, in->tun_ifindex, in->tun);
	if (err)
		devices_detach(d, in);
	return err;
}

static int register_all(struct ovpnd *d, const struct ovpnd_instance *in)
{
	__u32 p2p = in->mode == OVX_MODE_P2P && in->p2p_peer_id != OVX_P2P_PEER_UNKNOWN ?
		    OVX_IFACE_P2P : 0;
	__u32 c2c = in->flags & OVX_INST_F_C2C ? OVX_IFACE_C2C : 0;
	__u32 framing = in->flags & ~0xffu;
	int err = ovx_iface_set(&d->b.fp, in->tun_ifindex, in->id, p2p | c2c | framing,
				 p2p ? in->p2p_peer_id : 0);

	for (unsigned int i = 0; !err && i < in->naddrs; i++)
		err = ovx_socket_add(&d->b.fp, &in->addrs[i], in->id, in->tun_ifindex,
				      in->link_ifindex[0]) ?:
		      ovx_socket_set_framing(&d->b.fp, &in->addrs[i], framing);
	if (err)
		unregister(d, in);
	return err;
}

int ovpnd_instance_new(struct ovpnd *d, const struct ovx_req_instance *ri, __u32 id,
		       struct ovpnd_instance *in, struct ovx_ctl_err *e)
{
	int err;

	memset(in, 0, sizeof(*in));
	instance_fill(in, ri);
	err = instance_check(d, ri, id, in, e);
	if (err)
		return err;
	err = devices_attach(d, in);
	if (err)
		return ovx_ctl_errf(e, err, "cannot attach to %s and %s: %s (see the daemon's log)",
				     in->tun, in->links[0], strerror(-err));
	err = register_all(d, in) ?: instance_put(d, in);
	if (err) {
		unregister(d, in);
		devices_detach(d, in);
		return ovx_ctl_errf(e, err, "cannot register instance '%s': %s", in->name,
				     strerror(-err));
	}
	if (!(in->flags & OVX_INST_F_NO_ATTACH)) {
		ovpnd_tun_mtu(in);
		ovpnd_csum_helper_up(d, in);	/* optional: logged if it fails */
	}
	ovpnd_log("instance %u '%s': tun %s, link %s%s, framing 0x%x", in->id, in->name, in->tun,
		  in->links[0], in->nlinks > 1 ? " ..." : "", in->flags >> 8);
	return 0;
}

static bool peer_of(const void *key, const void *value, void *instance)
{
	(void)value;
	return ((const struct ovx_peer_key *)key)->instance == *(__u32 *)instance;
}

static void peers_flush(struct ovpnd *d, __u32 instance)
{
	struct ovx_peer_key *k = NULL;
	__u32 n = 0;

	if (ovx_map_select(d->b.fp.peers_fd, peer_of, &instance, (void **)&k, &n))
		ovpnd_log("instance %u: cannot list its peers to remove them", instance);
	for (__u32 i = 0; i < n; i++)
		if (!ovx_peer_del(&d->b.fp, k[i].instance, k[i].peer_id))
			ovpnd_notify_peer_deleted(d, k[i].instance, k[i].peer_id,
						  OVX_DEL_INSTANCE);
	free(k);
}

int ovpnd_instance_del(struct ovpnd *d, const struct ovpnd_instance *in)
{
	unregister(d, in);
	devices_detach(d, in);
	ovpnd_csum_helper_down(in);
	peers_flush(d, in->id);
	ovx_routes_flush(&d->b.fp, in->id, true, 0);
	if (instance_remove(d, in->id))
		return -errno;
	ovpnd_log("instance %u '%s' deleted", in->id, in->name);
	return 0;
}

int ovpnd_detach_all(struct ovpnd *d)
{
	struct ovpnd_instance in;

	while (!ovpnd_instance_next(d, 0, &in)) {
		unregister(d, &in);
		devices_detach(d, &in);
		if (instance_remove(d, in.id))
			break;
	}
	ovpnd_log("programs detached; removing %s", d->b.pin_dir);
	return ovpnd_bpf_unpin(d->b.pin_dir);
}

/* The instances map holds struct ovpnd_instance of the build that pinned it:
 * read it only if that layout is this build's. */
static bool instances_readable(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.value_size == sizeof(struct ovpnd_instance);
}

/* Takes the programs of the pinned state off the devices its instances map
 * names, if its layout is readable, and removes its pins. */
static int stale_remove(struct ovpnd *d)
{
	struct ovpnd_instance in;
	char path[sizeof(d->b.pin_dir) + sizeof(OVPND_INSTANCES_MAP) + 1];

	snprintf(path, sizeof(path), "%s/%s", d->b.pin_dir, OVPND_INSTANCES_MAP);
	d->b.instances_fd = bpf_obj_get(path);
	if (instances_readable(d->b.instances_fd)) {
		ovpnd_instances_load(d);
		for (__u32 id = 0; !ovpnd_instance_next(d, id, &in); id = in.id)
			devices_detach(d, &in);
	} else {
		ovpnd_log("cannot tell which devices the old programs are on: check `ip link` "
			  "and `tc filter show dev DEV ingress|egress`");
	}
	if (d->b.instances_fd >= 0)
		close(d->b.instances_fd);
	d->b.instances_fd = -1;
	return ovpnd_pins_remove(d->b.pin_dir);
}

int ovpnd_replace_older(struct ovpnd *d)
{
	char missing[sizeof(d->b.missing)];
	int err;

	memcpy(missing, d->b.missing, sizeof(missing));
	err = stale_remove(d);

	if (err)
		ovpnd_log("pinned state under %s is another build's (%s) and cannot be removed: %s",
			  d->b.pin_dir, missing, strerror(-err));
	else
		ovpnd_log("pinned state under %s was another build's (%s): its programs taken off the devices, this build's loaded in its place (OpenVPN's instances register again at their next event)",
			  d->b.pin_dir, missing);
	return err;
}

int ovpnd_detach_stale(struct ovpnd *d)
{
	int err = stale_remove(d);

	ovpnd_log(err ? "cannot remove %s: %s" : "removed the pins of another build at %s%s",
		  d->b.pin_dir, err ? strerror(-err) : "");
	return err;
}

static void mark_gone(struct ovpnd *d, struct ovpnd_instance *in, __u32 ifindex,
		      const char *why)
{
	__u32 before = in->state;

	if (in->tun_ifindex == ifindex) {
		in->state |= OVPND_GONE_TUN;
		ovx_iface_del(&d->b.fp, ifindex);	/* the index may be reused */
		ovpnd_log("instance '%s': tun device %s (ifindex %u) %s; TX offload stopped. "
			  "Delete and re-create the instance when it is back", in->name, in->tun,
			  ifindex, why);
	}
	for (unsigned int i = 0; i < in->nlinks; i++) {
		if (in->link_ifindex[i] != ifindex)
			continue;
		in->state |= 1u << i;
		ovpnd_log("instance '%s': link device %s (ifindex %u) %s; RX offload on it "
			  "stopped. Delete and re-create the instance when it is back", in->name,
			  in->links[i], ifindex, why);
	}
	if (in->state != before)
		instance_put(d, in);
}

void ovpnd_link_gone(struct ovpnd *d, __u32 ifindex)
{
	struct ovpnd_instance in;

	for (__u32 id = 0; !ovpnd_instance_next(d, id, &in); id = in.id)
		mark_gone(d, &in, ifindex, "vanished");
}

void ovpnd_instances_check(struct ovpnd *d)
{
	struct ovpnd_instance in;

	for (__u32 id = 0; !ovpnd_instance_next(d, id, &in); id = in.id) {
		if (!(in.state & OVPND_GONE_TUN) && !dev_present(in.tun_ifindex, in.tun))
			mark_gone(d, &in, in.tun_ifindex, "is gone");
		for (unsigned int i = 0; i < in.nlinks; i++)
			if (!(in.state & (1u << i)) && !dev_present(in.link_ifindex[i], in.links[i]))
				mark_gone(d, &in, in.link_ifindex[i], "is gone");
	}
}
