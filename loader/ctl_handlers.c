// SPDX-License-Identifier: GPL-2.0
/* The control commands, applied to the fast path's maps through the loader
 * library once ovpn_req_decode has validated the request. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "aead_key.h"
#include "daemon.h"
#include "peer_list.h"

#define PAGE_LIMIT	(OVPN_CTL_MSG_MAX - 2048)	/* room for status and error */

static int no_peer(struct ovpn_ctl_err *e, const struct ovpnd_instance *in, __u32 peer_id)
{
	return ovpn_ctl_errf(e, -ENOENT, "no peer %u in instance '%s'", peer_id, in->name);
}

static void sockaddr_text(const struct ovpn_sockaddr *sa, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "";

	inet_ntop(sa->family == OVPN_AF_INET6 ? AF_INET6 : AF_INET, sa->addr, a, sizeof(a));
	snprintf(buf, n, sa->family == OVPN_AF_INET6 ? "[%s]:%u" : "%s:%u", a, ntohs(sa->port));
}

static bool put_sockaddr(struct nlmsghdr *nlh, int type, const struct ovpn_sockaddr *sa)
{
	char t[INET6_ADDRSTRLEN + 10];

	if (sa->family != OVPN_AF_INET && sa->family != OVPN_AF_INET6)
		return true;
	sockaddr_text(sa, t, sizeof(t));
	return ovpn_ctl_put_str(nlh, type, t);
}

static bool put_vpn_addrs(struct nlmsghdr *nlh, const struct ovpn_peer *p)
{
	static const __u8 zero[16];
	char t[INET6_ADDRSTRLEN];
	bool ok = true;

	if (memcmp(p->vpn_ipv4, zero, 4) && inet_ntop(AF_INET, p->vpn_ipv4, t, sizeof(t)))
		ok = ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV4, t);
	if (ok && memcmp(p->vpn_ipv6, zero, 16) && inet_ntop(AF_INET6, p->vpn_ipv6, t, sizeof(t)))
		ok = ovpn_ctl_put_str(nlh, OVPN_A_VPN_IPV6, t);
	return ok;
}

static bool put_stats(struct nlmsghdr *nlh, const struct ovpn_peer_stats *s)
{
	__u64 drops = 0;

	for (int i = 0; i < OVPN_DROP_MAX; i++)
		drops += s->drops[i];
	return ovpn_ctl_put_u64(nlh, OVPN_A_RX_LINK_PKTS, s->rx_link_pkts) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_RX_LINK_BYTES, s->rx_link_bytes) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_RX_VPN_PKTS, s->rx_vpn_pkts) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_RX_VPN_BYTES, s->rx_vpn_bytes) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_TX_LINK_PKTS, s->tx_link_pkts) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_TX_LINK_BYTES, s->tx_link_bytes) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_TX_VPN_PKTS, s->tx_vpn_pkts) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_TX_VPN_BYTES, s->tx_vpn_bytes) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_RX_TO_OVPN, s->rx_to_ovpn) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_DROPS, drops) &&
	       ovpn_ctl_put_u64(nlh, OVPN_A_DROPS_SOURCE, s->drops[OVPN_DROP_SOURCE]);
}

static bool put_keys(struct ovpnd *d, struct nlmsghdr *nlh, const struct ovpn_peer_key *pk,
		     const struct ovpn_peer *p)
{
	struct nlattr *list = ovpn_ctl_nest_start(nlh, OVPN_A_KEYS), *item;
	struct ovpn_key_info ki;
	bool ok = list;

	for (__u32 slot = 0; ok && slot < 2; slot++) {
		if (p->slot_key_id[slot] == OVPN_SLOT_EMPTY ||
		    ovpn_key_info_get(&d->b.fp, pk->instance, pk->peer_id, p->slot_key_id[slot], &ki))
			continue;
		item = ovpn_ctl_nest_start(nlh, OVPN_A_KEY);
		ok = item && ovpn_ctl_put_u32(nlh, OVPN_A_SLOT, slot) &&
		     ovpn_ctl_put_u32(nlh, OVPN_A_KEY_ID, ki.key_id) &&
		     ovpn_ctl_put_str(nlh, OVPN_A_CIPHER, ovpn_cipher_name(ki.cipher)) &&
		     ovpn_ctl_put_u64(nlh, OVPN_A_TX_PID, ki.tx_next_pid);
		if (ok)
			ovpn_ctl_nest_end(nlh, item);
	}
	if (ok)
		ovpn_ctl_nest_end(nlh, list);
	return ok;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One OVPN_A_PEER item; false (and nothing added) when the message is full
 * or the peer went away. */
static bool put_peer(struct ovpnd *d, struct nlmsghdr *nlh, const struct ovpn_peer_key *pk)
{
	struct nlattr *item;
	struct ovpn_peer p;
	struct ovpn_peer_stats st = {};
	bool ok;

	if (ovpn_peer_get(&d->b.fp, pk->instance, pk->peer_id, &p))
		return true;
	ovpn_peer_stats_get(&d->b.fp, pk->instance, pk->peer_id, &st);
	item = ovpn_ctl_nest_start(nlh, OVPN_A_PEER);
	ok = item && ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, pk->instance) &&
	     ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, pk->peer_id) &&
	     put_sockaddr(nlh, OVPN_A_REMOTE, &p.remote) &&
	     put_sockaddr(nlh, OVPN_A_LOCAL, &p.local) && put_vpn_addrs(nlh, &p) &&
	     ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_INTERVAL, p.keepalive_interval) &&
	     ovpn_ctl_put_u32(nlh, OVPN_A_KEEPALIVE_TIMEOUT, p.keepalive_timeout) &&
	     (!p.last_rx_ns ||
	      ovpn_ctl_put_u64(nlh, OVPN_A_LAST_RX_MS, (now_ns() - p.last_rx_ns) / 1000000)) &&
	     put_stats(nlh, &st) && put_keys(d, nlh, pk, &p);
	if (ok && nlh->nlmsg_len <= PAGE_LIMIT) {
		ovpn_ctl_nest_end(nlh, item);
		return true;
	}
	if (item)
		ovpn_ctl_nest_cancel(nlh, item);
	return false;
}

static int h_instance_new(struct ovpnd *d, struct ovpn_req *r, struct nlmsghdr *reply,
			  struct ovpn_ctl_err *e)
{
	struct ovpnd_instance in;
	int err = ovpnd_instance_new(d, &r->inst, r->has_inst_id ? r->inst_id : 0, &in, e);

	if (!err)
		ovpn_ctl_put_u32(reply, OVPN_A_INSTANCE, in.id);
	return err;
}

static int h_instance_del(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
			  struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	int err = ovpnd_instance_del(d, in);

	(void)r, (void)reply;
	return err ? ovpn_ctl_errf(e, err, "cannot delete instance '%s'", in->name) : 0;
}

static void default_local(const struct ovpnd_instance *in, struct ovpn_peer_config *pc)
{
	for (unsigned int i = 0; i < in->naddrs; i++)
		if (in->addrs[i].family == pc->remote.family) {
			pc->local = in->addrs[i];
			return;
		}
}

static int h_peer_new(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		      struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	int err;

	(void)reply;
	r->peer.instance = in->id;
	if (!r->peer.local.family)
		default_local(in, &r->peer);
	err = ovpn_peer_new(&d->b.fp, &r->peer);
	if (err == -EEXIST)
		return ovpn_ctl_errf(e, err, "peer %u already exists", r->peer_id);
	if (err == -E2BIG || err == -ENOSPC || err == -ENOMEM)
		return ovpn_ctl_errf(e, err, "peer table full (%d peers)", OVPN_MAX_PEERS);
	return err ? ovpn_ctl_errf(e, err, "cannot add peer %u: %s", r->peer_id,
				   strerror(-err)) : 0;
}

static int h_peer_set(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		      struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	int err = ovpnd_keepalive_reserve(d);

	(void)reply;
	if (err)
		return ovpn_ctl_errf(e, err, "no memory to track the keepalive of peer %u",
				     r->peer_id);
	err = ovpn_peer_set_keepalive(&d->b.fp, in->id, r->peer_id, r->ka.interval,
				      r->ka.timeout);
	if (err)
		return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
	ovpnd_keepalive_arm(d, in->id, r->peer_id, r->ka.timeout);
	return 0;
}

static int h_peer_del(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		      struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	int err = ovpn_peer_del(&d->b.fp, in->id, r->peer_id);

	(void)reply;
	if (err)
		return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
	ovpn_routes_flush(&d->b.fp, in->id, false, r->peer_id);
	ovpnd_keepalive_forget(d, in->id, r->peer_id);
	ovpnd_notify_peer_deleted(d, in->id, r->peer_id, OVPN_DEL_REQUESTED);
	return 0;
}

static int h_key_new(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		     struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpn_key_config *kc = &r->key.kc;
	int err;

	(void)reply;
	kc->instance = in->id;
	err = ovpn_key_new(&d->b.fp, kc);	/* checks peer and slots first */
	if (err == -ENOENT)
		return no_peer(e, in, r->peer_id);
	if (err == -EEXIST)
		return ovpn_ctl_errf(e, -EEXIST, "key-id %u is in the other slot of peer %u",
				     kc->key_id, r->peer_id);
	if (err)
		return ovpn_ctl_errf(e, err, "cannot install key %u of peer %u: %s",
				     kc->key_id, r->peer_id, strerror(-err));
	if (r->key.has_tx_pid)
		err = ovpn_key_set_tx_pid(&d->b.fp, in->id, r->peer_id, kc->key_id,
					  r->key.tx_pid);
	return err ? ovpn_ctl_errf(e, err, "key installed but its TX packet-id not set: %s",
				   strerror(-err)) : 0;
}

static int h_key_swap(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		      struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	int err = ovpn_key_swap(&d->b.fp, in->id, r->peer_id);

	(void)reply;
	return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
}

static int h_key_del(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		     struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpn_peer p;

	(void)reply;
	if (ovpn_peer_get(&d->b.fp, in->id, r->peer_id, &p))
		return no_peer(e, in, r->peer_id);
	if (p.slot_key_id[r->slot] == OVPN_SLOT_EMPTY)
		return ovpn_ctl_errf(e, -ENOENT, "slot %u of peer %u is empty", r->slot,
				     r->peer_id);
	return ovpn_key_del(&d->b.fp, in->id, r->peer_id, r->slot);
}

static int h_key_get(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		     struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpn_peer_key pk = { in->id, r->peer_id };
	struct ovpn_peer p;

	if (ovpn_peer_get(&d->b.fp, in->id, r->peer_id, &p))
		return no_peer(e, in, r->peer_id);
	return put_keys(d, reply, &pk, &p) ? 0 : -EMSGSIZE;
}

static int h_route(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
		   struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpn_req_route *rt = &r->route;
	int err;

	(void)reply;
	if (r->cmd == OVPN_CMD_ROUTE_DEL) {
		err = ovpn_route_del(&d->b.fp, in->id, rt->family, rt->addr, rt->plen);
		return err == -ENOENT ? ovpn_ctl_errf(e, err, "no such route") : err;
	}
	err = ovpn_route_add(&d->b.fp, in->id, rt->family, rt->addr, rt->plen, r->peer_id);
	return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
}

/* PEER_GET: one peer, or a page of them; OVPN_A_CURSOR says where the next
 * page starts. */
static int h_peer_get(struct ovpnd *d, struct ovpn_req *r, struct nlmsghdr *reply,
		      struct ovpn_ctl_err *e)
{
	struct ovpnd_instance in = {};
	struct ovpn_peer_key k, prev;
	struct nlattr *list;
	int err = 0;

	if ((r->has_inst_id || r->inst_name[0]) && ovpnd_instance_resolve(d, r, &in, e))
		return e->code;
	if (r->has_peer_id && !in.id)
		return ovpn_ctl_errf(e, -EINVAL, "PEER_ID needs INSTANCE (or NAME)");
	list = ovpn_ctl_nest_start(reply, OVPN_A_PEERS);
	if (r->has_peer_id) {
		k = (struct ovpn_peer_key){ in.id, r->peer_id };
		if (ovpn_peer_get(&d->b.fp, in.id, r->peer_id, &(struct ovpn_peer){}))
			return no_peer(e, &in, r->peer_id);
		put_peer(d, reply, &k);
		ovpn_ctl_nest_end(reply, list);
		return 0;
	}
	prev = (struct ovpn_peer_key){ r->cursor.at >> 32, (__u32)r->cursor.at };
	for (err = ovpn_peer_next(&d->b.fp, in.id, r->cursor.has ? &prev : NULL, &k); !err;
	     err = ovpn_peer_next(&d->b.fp, in.id, &prev, &k)) {
		if (!put_peer(d, reply, &k)) {
			ovpn_ctl_nest_end(reply, list);
			ovpn_ctl_put_u64(reply, OVPN_A_CURSOR, (__u64)prev.instance << 32 | prev.peer_id);
			return 0;
		}
		prev = k;
	}
	ovpn_ctl_nest_end(reply, list);
	return 0;
}

static bool put_iface(struct nlmsghdr *nlh, const char *name, __u32 ifindex, bool gone,
		      int xdp_mode)
{
	struct nlattr *item = ovpn_ctl_nest_start(nlh, OVPN_A_IFACE);
	int mtu = gone ? 0 : ovpnd_if_mtu(name);
	bool ok = item && ovpn_ctl_put_str(nlh, OVPN_A_NAME, name) &&
		  ovpn_ctl_put_u32(nlh, OVPN_A_IFINDEX, ifindex) &&
		  ovpn_ctl_put_u32(nlh, OVPN_A_MTU, mtu > 0 ? mtu : 0) &&
		  ovpn_ctl_put_u32(nlh, OVPN_A_IF_STATE, gone ? OVPN_IF_GONE : OVPN_IF_UP) &&
		  (xdp_mode < 0 || ovpn_ctl_put_str(nlh, OVPN_A_XDP_MODE,
						    ovpnd_xdp_mode_name(xdp_mode)));

	if (ok)
		ovpn_ctl_nest_end(nlh, item);
	return ok;
}

static bool put_instance(struct ovpnd *d, struct nlmsghdr *nlh, const struct ovpnd_instance *in)
{
	struct nlattr *item = ovpn_ctl_nest_start(nlh, OVPN_A_INSTANCE_INFO), *ifs;
	bool ok = item && ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, in->id) &&
		  ovpn_ctl_put_str(nlh, OVPN_A_NAME, in->name) &&
		  ovpn_ctl_put_u32(nlh, OVPN_A_MODE, in->mode) &&
		  ovpn_ctl_put_u32(nlh, OVPN_A_FLAGS, in->flags) &&
		  (in->mode != OVPN_MODE_P2P ||
		   ovpn_ctl_put_u32(nlh, OVPN_A_P2P_PEER_ID, in->p2p_peer_id)) &&
		  ovpn_ctl_put_u32(nlh, OVPN_A_NPEERS, ovpn_peer_count(&d->b.fp, in->id));

	for (unsigned int i = 0; ok && i < in->naddrs; i++)
		ok = put_sockaddr(nlh, OVPN_A_SOCKADDR, &in->addrs[i]);
	ifs = ok ? ovpn_ctl_nest_start(nlh, OVPN_A_IFACES) : NULL;
	ok = ifs && put_iface(nlh, in->tun, in->tun_ifindex, in->state & OVPND_GONE_TUN, -1);
	for (unsigned int i = 0; ok && i < in->nlinks; i++)
		ok = put_iface(nlh, in->links[i], in->link_ifindex[i], in->state & (1u << i),
			       in->xdp_mode[i]);
	if (ok) {
		ovpn_ctl_nest_end(nlh, ifs);
		ovpn_ctl_nest_end(nlh, item);
	}
	return ok;
}

static int h_status(struct ovpnd *d, struct nlmsghdr *reply)
{
	struct ovpnd_instance in;
	struct nlattr *list;
	bool ok = ovpn_ctl_put_u32(reply, OVPN_A_VERSION, OVPN_CTL_VERSION) &&
		  ovpn_ctl_put_str(reply, OVPN_A_PIN_PATH, d->b.pin_dir) &&
		  ovpn_ctl_put_u32(reply, OVPN_A_NPEERS, ovpn_peer_count(&d->b.fp, 0));

	list = ok ? ovpn_ctl_nest_start(reply, OVPN_A_INSTANCES) : NULL;
	for (__u32 id = 0; list && ok && !ovpnd_instance_next(d, id, &in); id = in.id)
		ok = put_instance(d, reply, &in);
	if (!ok)
		return -EMSGSIZE;
	ovpn_ctl_nest_end(reply, list);
	return 0;
}

typedef int (*inst_handler)(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
			    struct nlmsghdr *reply, struct ovpn_ctl_err *e);

static const inst_handler inst_handlers[__OVPN_CMD_END - NLMSG_MIN_TYPE] = {
	[OVPN_CMD_INSTANCE_DEL - NLMSG_MIN_TYPE] = h_instance_del,
	[OVPN_CMD_PEER_NEW - NLMSG_MIN_TYPE] = h_peer_new,
	[OVPN_CMD_PEER_SET - NLMSG_MIN_TYPE] = h_peer_set,
	[OVPN_CMD_PEER_DEL - NLMSG_MIN_TYPE] = h_peer_del,
	[OVPN_CMD_KEY_NEW - NLMSG_MIN_TYPE] = h_key_new,
	[OVPN_CMD_KEY_SWAP - NLMSG_MIN_TYPE] = h_key_swap,
	[OVPN_CMD_KEY_DEL - NLMSG_MIN_TYPE] = h_key_del,
	[OVPN_CMD_KEY_GET - NLMSG_MIN_TYPE] = h_key_get,
	[OVPN_CMD_ROUTE_ADD - NLMSG_MIN_TYPE] = h_route,
	[OVPN_CMD_ROUTE_DEL - NLMSG_MIN_TYPE] = h_route,
	[OVPN_CMD_KEY_MATERIAL - NLMSG_MIN_TYPE] = ovpnd_key_material,
	[OVPN_CMD_PEER_ADDR - NLMSG_MIN_TYPE] = ovpnd_peer_addr,
	[OVPN_CMD_PEER_GONE - NLMSG_MIN_TYPE] = ovpnd_peer_gone,
};

int ovpnd_handle(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
		 struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	inst_handler h = inst_handlers[r->cmd - NLMSG_MIN_TYPE];
	struct ovpnd_instance in;
	int err;

	switch (r->cmd) {
	case OVPN_CMD_INSTANCE_NEW:
		err = h_instance_new(d, r, reply, e);
		if (err == -EEXIST && !ovpnd_instance_adopt(d, cl, r, reply, e))
			return 0;	/* its OpenVPN, again after a daemon restart */
		if (err)
			return err;
		if (r->inst.flags & OVPN_INST_F_OWNED && !ovpnd_instance_resolve(d, r, &in, e))
			cl->owned = in.id;
		return 0;
	case OVPN_CMD_PEER_GET:
		return h_peer_get(d, r, reply, e);
	case OVPN_CMD_STATUS:
		return h_status(d, reply);
	case OVPN_CMD_SUBSCRIBE:
		cl->subscribed = true;
		return 0;
	case OVPN_CMD_DETACH:
		d->detach = d->stop = true;
		return 0;
	case OVPN_CMD_BATCH:
		return ovpnd_batch(d, cl, r, reply, e);
	}
	if (!h)
		return ovpn_ctl_errf(e, -EOPNOTSUPP, "command %s is not a request",
				     ovpn_ctl_cmd_name(r->cmd));
	return ovpnd_instance_resolve(d, r, &in, e) ?: h(d, &in, r, reply, e);
}

void ovpnd_notify_peer_deleted(struct ovpnd *d, __u32 instance, __u32 peer_id, __u32 reason)
{
	struct nlmsghdr *nlh = ovpn_ctl_start(d->ntf_buf, OVPN_CMD_NOTIFY, 0);

	nlh->nlmsg_flags = 0;
	ovpn_ctl_put_u32(nlh, OVPN_A_EVENT, OVPN_EV_PEER_DELETED);
	ovpn_ctl_put_u32(nlh, OVPN_A_INSTANCE, instance);
	ovpn_ctl_put_u32(nlh, OVPN_A_PEER_ID, peer_id);
	ovpn_ctl_put_u32(nlh, OVPN_A_REASON, reason);
	ovpnd_notify(d, nlh);
}
