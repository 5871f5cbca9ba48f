// SPDX-License-Identifier: GPL-2.0
/* The control commands, applied to the fast path's maps through the loader
 * library once ovpn_req_decode has validated the request. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "aead_key.h"
#include "ctl_cmds.h"
#include "daemon.h"

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
	       ovpn_ctl_put_bin(nlh, OVPN_A_DROP_COUNTS, s->drops, sizeof(s->drops));
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
		     ovpn_ctl_put_u64(nlh, OVPN_A_TX_PID, ki.tx_next_pid) &&
		     (!ki.rx_epoch || ovpn_ctl_put_u32(nlh, OVPN_A_RX_EPOCH, ki.rx_epoch));
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

/* INSTANCE_NEW: a new instance, or its OpenVPN's own again after a daemon
 * restart (adopted); an OWNED instance goes when its client does. */
static int h_instance_new(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
			  struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpnd_instance in;
	int err = ovpnd_instance_new(d, &r->inst, r->has_inst_id ? r->inst_id : 0, &in, e);

	if (err == -EEXIST && !ovpnd_instance_adopt(d, cl, r, reply, e))
		return 0;
	if (err)
		return err;
	ovpn_ctl_put_u32(reply, OVPN_A_INSTANCE, in.id);
	if (r->inst.flags & OVPN_INST_F_OWNED)
		cl->owned = in.id;
	return 0;
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

/* PEER_NEW refused: which address, and whose. */
static int addr_in_use(struct ovpnd *d, const struct ovpnd_instance *in,
		       const struct ovpn_peer_config *pc, struct ovpn_ctl_err *e)
{
	static const __u8 none[16];
	const __u8 *addr[2] = { pc->vpn_ipv4, pc->vpn_ipv6 };
	const int family[2] = { OVPN_AF_INET, OVPN_AF_INET6 };
	char text[INET6_ADDRSTRLEN];
	__u32 owner;

	for (int i = 0; i < 2; i++) {
		if (!memcmp(addr[i], none, i ? 16 : 4) ||
		    ovpn_vpn_addr_owner(&d->b.fp, in->id, family[i], addr[i], &owner) ||
		    owner == pc->peer_id)
			continue;
		inet_ntop(i ? AF_INET6 : AF_INET, addr[i], text, sizeof(text));
		return ovpn_ctl_errf(e, -EADDRINUSE, "%s is the VPN address of peer %u: delete it "
				     "there, or add `move` to take it", text, owner);
	}
	return ovpn_ctl_errf(e, -EADDRINUSE, "a VPN address of peer %u is another peer's",
			     pc->peer_id);
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
	if (err == -EADDRINUSE)
		return addr_in_use(d, in, &r->peer, e);
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
	__u32 owner;
	int err;

	(void)reply;
	if (r->cmd == OVPN_CMD_ROUTE_DEL) {
		err = ovpn_route_del(&d->b.fp, in->id, rt->family, rt->addr, rt->plen,
				     r->has_peer_id ? r->peer_id : OVPN_ROUTE_ANY_PEER);
		return err == -ENOENT ? ovpn_ctl_errf(e, err, "no such route") : err;
	}
	err = ovpn_route_add(&d->b.fp, in->id, rt->family, rt->addr, rt->plen, r->peer_id,
			     rt->move);
	if (err == -EADDRINUSE &&
	    !ovpn_route_owner(&d->b.fp, in->id, rt->family, rt->addr, rt->plen, &owner))
		return ovpn_ctl_errf(e, err, "the prefix is routed via peer %u: delete it there, "
				     "or add `move` to route it via peer %u", owner, r->peer_id);
	return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
}

/* PEER_GET: one peer, or a page of them; OVPN_A_CURSOR says where the next
 * page starts. */
static int h_peer_get(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
		      struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpnd_instance in = {};
	struct ovpn_peer_key k, prev;
	struct nlattr *list;
	int err = 0;

	(void)cl;
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

/* What a packet costs per cipher (calib.c), if it was measured. */
static bool put_aead_costs(struct ovpnd *d, struct nlmsghdr *reply)
{
	struct nlattr *list = ovpn_ctl_nest_start(reply, OVPN_A_AEAD_COSTS), *item;
	bool ok = list;

	for (int i = 0; ok && i < OVPND_CALIB_CIPHERS; i++) {
		const struct ovpnd_calib *c = &d->calib[i];

		if (!c->bpf_ns)
			continue;
		item = ovpn_ctl_nest_start(reply, OVPN_A_AEAD_COST);
		ok = item && ovpn_ctl_put_str(reply, OVPN_A_CIPHER, ovpn_cipher_name(c->cipher)) &&
		     ovpn_ctl_put_u32(reply, OVPN_A_AEAD_BPF_NS, c->bpf_ns) &&
		     ovpn_ctl_put_u32(reply, OVPN_A_AEAD_SW_NS, c->sw_ns);
		if (ok)
			ovpn_ctl_nest_end(reply, item);
	}
	if (ok)
		ovpn_ctl_nest_end(reply, list);
	return ok;
}

static int h_status(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
		    struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpnd_instance in;
	struct nlattr *list;
	struct ovpn_global_stats g = {};
	bool ok;

	(void)cl, (void)r, (void)e;
	ovpn_global_stats_get(&d->b.fp, &g);
	ok = ovpn_ctl_put_u32(reply, OVPN_A_VERSION, OVPN_CTL_VERSION) &&
	     ovpn_ctl_put_str(reply, OVPN_A_PIN_PATH, d->b.pin_dir) &&
	     ovpn_ctl_put_u32(reply, OVPN_A_NPEERS, ovpn_peer_count(&d->b.fp, 0)) &&
	     ovpn_ctl_put_bin(reply, OVPN_A_GLOBAL_COUNTS, g.c, sizeof(g.c)) &&
	     put_aead_costs(d, reply);

	list = ok ? ovpn_ctl_nest_start(reply, OVPN_A_INSTANCES) : NULL;
	for (__u32 id = 0; list && ok && !ovpnd_instance_next(d, id, &in); id = in.id)
		ok = put_instance(d, reply, &in);
	if (!ok)
		return -EMSGSIZE;
	ovpn_ctl_nest_end(reply, list);
	return 0;
}

static int h_subscribe(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
		       struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	(void)d, (void)r, (void)reply, (void)e;
	cl->subscribed = true;
	return 0;
}

static int h_detach(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
		    struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	(void)cl, (void)r, (void)reply, (void)e;
	d->detach = d->stop = true;
	return 0;
}

/* Each command's handler, from ctl_cmds.h: a command on an instance gets it
 * resolved, the others get the client's connection. */
typedef int (*inst_handler)(struct ovpnd *d, struct ovpnd_instance *in, struct ovpn_req *r,
			    struct nlmsghdr *reply, struct ovpn_ctl_err *e);
typedef int (*client_handler)(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
			      struct nlmsghdr *reply, struct ovpn_ctl_err *e);

#define HANDLER_1(h)	.on_instance = h
#define HANDLER_0(h)	.on_client = h
#define HANDLER(c, w1, w2, pos, decode, inst, batch, handle) \
	[OVX_CMD_IDX(c)] = { HANDLER_##inst(handle) },
static const struct {
	inst_handler on_instance;
	client_handler on_client;
} handlers[OVX_CMD_COUNT] = { OVX_CTL_COMMANDS(HANDLER) };
#undef HANDLER

int ovpnd_handle(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
		 struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	unsigned int i = r->cmd - NLMSG_MIN_TYPE;
	struct ovpnd_instance in;

	if (r->cmd < NLMSG_MIN_TYPE || i >= OVX_CMD_COUNT ||
	    (!handlers[i].on_instance && !handlers[i].on_client))
		return ovpn_ctl_errf(e, -EOPNOTSUPP, "command %s is not a request",
				     ovpn_ctl_cmd_name(r->cmd));
	if (handlers[i].on_client)
		return handlers[i].on_client(d, cl, r, reply, e);
	return ovpnd_instance_resolve(d, r, &in, e) ?: handlers[i].on_instance(d, &in, r, reply, e);
}
