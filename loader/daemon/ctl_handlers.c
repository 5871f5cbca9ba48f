// SPDX-License-Identifier: GPL-2.0
/* The control commands, applied to the fast path's maps through the loader
 * library once ovx_req_decode has validated the request. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "aead_key.h"
#include "ctl_cmds.h"
#include "daemon.h"

#define PAGE_LIMIT	(OVX_CTL_MSG_MAX - 2048)	/* room for status and error */

static int no_peer(struct ovx_ctl_err *e, const struct ovpnd_instance *in, __u32 peer_id)
{
	return ovx_ctl_errf(e, -ENOENT, "no peer %u in instance '%s'", peer_id, in->name);
}

static void sockaddr_text(const struct ovx_sockaddr *sa, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "";

	inet_ntop(sa->family == OVX_AF_INET6 ? AF_INET6 : AF_INET, sa->addr, a, sizeof(a));
	snprintf(buf, n, sa->family == OVX_AF_INET6 ? "[%s]:%u" : "%s:%u", a, ntohs(sa->port));
}

static bool put_sockaddr(struct nlmsghdr *nlh, int type, const struct ovx_sockaddr *sa)
{
	char t[INET6_ADDRSTRLEN + 10];

	if (sa->family != OVX_AF_INET && sa->family != OVX_AF_INET6)
		return true;
	sockaddr_text(sa, t, sizeof(t));
	return ovx_ctl_put_str(nlh, type, t);
}

static bool put_vpn_addrs(struct nlmsghdr *nlh, const struct ovx_peer *p)
{
	static const __u8 zero[16];
	char t[INET6_ADDRSTRLEN];
	bool ok = true;

	if (memcmp(p->vpn_ipv4, zero, 4) && inet_ntop(AF_INET, p->vpn_ipv4, t, sizeof(t)))
		ok = ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, t);
	if (ok && memcmp(p->vpn_ipv6, zero, 16) && inet_ntop(AF_INET6, p->vpn_ipv6, t, sizeof(t)))
		ok = ovx_ctl_put_str(nlh, OVX_A_VPN_IPV6, t);
	return ok;
}

static bool put_stats(struct nlmsghdr *nlh, const struct ovx_peer_stats *s)
{
	__u64 drops = 0;

	for (int i = 0; i < OVX_DROP_MAX; i++)
		drops += s->drops[i];
	return ovx_ctl_put_u64(nlh, OVX_A_RX_LINK_PKTS, s->rx_link_pkts) &&
	       ovx_ctl_put_u64(nlh, OVX_A_RX_LINK_BYTES, s->rx_link_bytes) &&
	       ovx_ctl_put_u64(nlh, OVX_A_RX_VPN_PKTS, s->rx_vpn_pkts) &&
	       ovx_ctl_put_u64(nlh, OVX_A_RX_VPN_BYTES, s->rx_vpn_bytes) &&
	       ovx_ctl_put_u64(nlh, OVX_A_TX_LINK_PKTS, s->tx_link_pkts) &&
	       ovx_ctl_put_u64(nlh, OVX_A_TX_LINK_BYTES, s->tx_link_bytes) &&
	       ovx_ctl_put_u64(nlh, OVX_A_TX_VPN_PKTS, s->tx_vpn_pkts) &&
	       ovx_ctl_put_u64(nlh, OVX_A_TX_VPN_BYTES, s->tx_vpn_bytes) &&
	       ovx_ctl_put_u64(nlh, OVX_A_RX_TO_OVPN, s->rx_to_ovpn) &&
	       ovx_ctl_put_u64(nlh, OVX_A_DROPS, drops) &&
	       ovx_ctl_put_bin(nlh, OVX_A_DROP_COUNTS, s->drops, sizeof(s->drops));
}

static bool put_keys(struct ovpnd *d, struct nlmsghdr *nlh, const struct ovx_peer_key *pk,
		     const struct ovx_peer *p)
{
	struct nlattr *list = ovx_ctl_nest_start(nlh, OVX_A_KEYS), *item;
	struct ovx_key_info ki;
	bool ok = list;

	for (__u32 slot = 0; ok && slot < 2; slot++) {
		if (p->slot_key_id[slot] == OVX_SLOT_EMPTY ||
		    ovx_key_info_get(&d->b.fp, pk->instance, pk->peer_id, p->slot_key_id[slot], &ki))
			continue;
		item = ovx_ctl_nest_start(nlh, OVX_A_KEY);
		ok = item && ovx_ctl_put_u32(nlh, OVX_A_SLOT, slot) &&
		     ovx_ctl_put_u32(nlh, OVX_A_KEY_ID, ki.key_id) &&
		     ovx_ctl_put_str(nlh, OVX_A_CIPHER, ovx_cipher_name(ki.cipher)) &&
		     ovx_ctl_put_u64(nlh, OVX_A_TX_PID, ki.tx_next_pid) &&
		     (!ki.rx_epoch || ovx_ctl_put_u32(nlh, OVX_A_RX_EPOCH, ki.rx_epoch)) &&
		     (!ki.tx_epoch || ovx_ctl_put_u32(nlh, OVX_A_TX_EPOCH, ki.tx_epoch));
		if (ok)
			ovx_ctl_nest_end(nlh, item);
	}
	if (ok)
		ovx_ctl_nest_end(nlh, list);
	return ok;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One OVX_A_PEER item; false (and nothing added) when the message is full
 * or the peer went away. */
static bool put_peer(struct ovpnd *d, struct nlmsghdr *nlh, const struct ovx_peer_key *pk)
{
	struct nlattr *item;
	struct ovx_peer p;
	struct ovx_peer_stats st = {};
	bool ok;

	if (ovx_peer_get(&d->b.fp, pk->instance, pk->peer_id, &p))
		return true;
	ovx_peer_stats_get(&d->b.fp, pk->instance, pk->peer_id, &st);
	item = ovx_ctl_nest_start(nlh, OVX_A_PEER);
	ok = item && ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, pk->instance) &&
	     ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, pk->peer_id) &&
	     put_sockaddr(nlh, OVX_A_REMOTE, &p.remote) &&
	     put_sockaddr(nlh, OVX_A_LOCAL, &p.local) && put_vpn_addrs(nlh, &p) &&
	     ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_INTERVAL, p.keepalive_interval) &&
	     ovx_ctl_put_u32(nlh, OVX_A_KEEPALIVE_TIMEOUT, p.keepalive_timeout) &&
	     (!p.last_rx_ns ||
	      ovx_ctl_put_u64(nlh, OVX_A_LAST_RX_MS, (now_ns() - p.last_rx_ns) / 1000000)) &&
	     put_stats(nlh, &st) && put_keys(d, nlh, pk, &p);
	if (ok && nlh->nlmsg_len <= PAGE_LIMIT) {
		ovx_ctl_nest_end(nlh, item);
		return true;
	}
	if (item)
		ovx_ctl_nest_cancel(nlh, item);
	return false;
}

/* INSTANCE_NEW: a new instance, or its OpenVPN's own again after a daemon
 * restart (adopted); an OWNED instance goes when its client does. */
static int h_instance_new(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
			  struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovpnd_instance in;
	int err = ovpnd_instance_new(d, &r->inst, r->has_inst_id ? r->inst_id : 0, &in, e);

	if (err == -EEXIST) {
		int adopted = ovpnd_instance_adopt(d, cl, r, reply, e);

		if (!adopted) {
			ovpnd_reneg_check(d, &r->inst);
			return 0;
		}
		if (adopted == -ESTALE) {	/* the old one went: anew */
			memset(e, 0, sizeof(*e));
			err = ovpnd_instance_new(d, &r->inst, r->has_inst_id ? r->inst_id : 0,
						 &in, e);
		}
	}
	if (err)
		return err;
	ovpnd_reneg_check(d, &r->inst);
	ovx_ctl_put_u32(reply, OVX_A_INSTANCE, in.id);
	if (r->inst.flags & OVX_INST_F_OWNED)
		cl->owned = in.id;
	return 0;
}

static int h_instance_del(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
			  struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	int err = ovpnd_instance_del(d, in);

	(void)r, (void)reply;
	return err ? ovx_ctl_errf(e, err, "cannot delete instance '%s'", in->name) : 0;
}

static void default_local(const struct ovpnd_instance *in, struct ovx_peer_config *pc)
{
	for (unsigned int i = 0; i < in->naddrs; i++)
		if (in->addrs[i].family == pc->remote.family) {
			pc->local = in->addrs[i];
			return;
		}
}

/* PEER_NEW refused: which address, and whose. */
static int addr_in_use(struct ovpnd *d, const struct ovpnd_instance *in,
		       const struct ovx_peer_config *pc, struct ovx_ctl_err *e)
{
	static const __u8 none[16];
	const __u8 *addr[2] = { pc->vpn_ipv4, pc->vpn_ipv6 };
	const int family[2] = { OVX_AF_INET, OVX_AF_INET6 };
	char text[INET6_ADDRSTRLEN];
	__u32 owner;

	for (int i = 0; i < 2; i++) {
		if (!memcmp(addr[i], none, i ? 16 : 4) ||
		    ovx_vpn_addr_owner(&d->b.fp, in->id, family[i], addr[i], &owner) ||
		    owner == pc->peer_id)
			continue;
		inet_ntop(i ? AF_INET6 : AF_INET, addr[i], text, sizeof(text));
		return ovx_ctl_errf(e, -EADDRINUSE, "%s is the VPN address of peer %u: delete it "
				     "there, or add `move` to take it", text, owner);
	}
	return ovx_ctl_errf(e, -EADDRINUSE, "a VPN address of peer %u is another peer's",
			     pc->peer_id);
}

static int h_peer_new(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		      struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	int err;

	(void)reply;
	r->peer.instance = in->id;
	if (!r->peer.local.family)
		default_local(in, &r->peer);
	err = ovx_peer_new(&d->b.fp, &r->peer);
	if (err == -EEXIST)
		return ovx_ctl_errf(e, err, "peer %u already exists", r->peer_id);
	if (err == -EADDRINUSE)
		return addr_in_use(d, in, &r->peer, e);
	if (err == -E2BIG || err == -ENOSPC || err == -ENOMEM)
		return ovx_ctl_errf(e, err, "peer table full (%d peers)", OVX_MAX_PEERS);
	return err ? ovx_ctl_errf(e, err, "cannot add peer %u: %s", r->peer_id,
				   strerror(-err)) : 0;
}

static int h_peer_set(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		      struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	int err = ovpnd_keepalive_reserve(d);

	(void)reply;
	if (err)
		return ovx_ctl_errf(e, err, "no memory to track the keepalive of peer %u",
				     r->peer_id);
	err = ovx_peer_set_keepalive(&d->b.fp, in->id, r->peer_id, r->ka.interval,
				      r->ka.timeout);
	if (err)
		return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
	ovpnd_keepalive_arm(d, in->id, r->peer_id, r->ka.timeout);
	return 0;
}

static int h_peer_del(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		      struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	int err = ovx_peer_del(&d->b.fp, in->id, r->peer_id);

	(void)reply;
	if (err)
		return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
	ovx_routes_flush(&d->b.fp, in->id, false, r->peer_id);
	ovpnd_keepalive_forget(d, in->id, r->peer_id);
	ovpnd_notify_peer_deleted(d, in->id, r->peer_id, OVX_DEL_REQUESTED);
	return 0;
}

static int h_key_new(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		     struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovx_key_config *kc = &r->key.kc;
	int err;

	(void)reply;
	kc->instance = in->id;
	err = ovx_key_new(&d->b.fp, kc);	/* checks peer and slots first */
	if (err == -ENOENT)
		return no_peer(e, in, r->peer_id);
	if (err == -EEXIST)
		return ovx_ctl_errf(e, -EEXIST, "key-id %u is in the other slot of peer %u",
				     kc->key_id, r->peer_id);
	if (err)
		return ovx_ctl_errf(e, err, "cannot install key %u of peer %u: %s",
				     kc->key_id, r->peer_id, strerror(-err));
	if (r->key.has_tx_pid)
		err = ovx_key_set_tx_pid(&d->b.fp, in->id, r->peer_id, kc->key_id,
					  r->key.tx_pid);
	return err ? ovx_ctl_errf(e, err, "key installed but its TX packet-id not set: %s",
				   strerror(-err)) : 0;
}

static int h_key_swap(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		      struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	int err = ovx_key_swap(&d->b.fp, in->id, r->peer_id);

	(void)reply;
	return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
}

static int h_key_del(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		     struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovx_peer p;

	(void)reply;
	if (ovx_peer_get(&d->b.fp, in->id, r->peer_id, &p))
		return no_peer(e, in, r->peer_id);
	if (p.slot_key_id[r->slot] == OVX_SLOT_EMPTY)
		return ovx_ctl_errf(e, -ENOENT, "slot %u of peer %u is empty", r->slot,
				     r->peer_id);
	return ovx_key_del(&d->b.fp, in->id, r->peer_id, r->slot);
}

static int h_key_get(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		     struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovx_peer_key pk = { in->id, r->peer_id };
	struct ovx_peer p;

	if (ovx_peer_get(&d->b.fp, in->id, r->peer_id, &p))
		return no_peer(e, in, r->peer_id);
	return put_keys(d, reply, &pk, &p) ? 0 : -EMSGSIZE;
}

static int h_route(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		   struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovx_req_route *rt = &r->route;
	__u32 owner;
	int err;

	(void)reply;
	if (r->cmd == OVX_CMD_ROUTE_DEL) {
		err = ovx_route_del(&d->b.fp, in->id, rt->family, rt->addr, rt->plen,
				     r->has_peer_id ? r->peer_id : OVX_ROUTE_ANY_PEER);
		return err == -ENOENT ? ovx_ctl_errf(e, err, "no such route") : err;
	}
	err = ovx_route_add(&d->b.fp, in->id, rt->family, rt->addr, rt->plen, r->peer_id,
			     rt->move);
	if (err == -EADDRINUSE &&
	    !ovx_route_owner(&d->b.fp, in->id, rt->family, rt->addr, rt->plen, &owner))
		return ovx_ctl_errf(e, err, "the prefix is routed via peer %u: delete it there, "
				     "or add `move` to route it via peer %u", owner, r->peer_id);
	return err == -ENOENT ? no_peer(e, in, r->peer_id) : err;
}

/* PEER_GET: one peer, or a page of them; OVX_A_CURSOR says where the next
 * page starts. */
static int h_peer_get(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		      struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovpnd_instance in = {};
	struct ovx_peer_key k, prev;
	struct nlattr *list;
	int err = 0;

	(void)cl;
	if ((r->has_inst_id || r->inst_name[0]) && ovpnd_instance_resolve(d, r, &in, e))
		return e->code;
	if (r->has_peer_id && !in.id)
		return ovx_ctl_errf(e, -EINVAL, "PEER_ID needs INSTANCE (or NAME)");
	list = ovx_ctl_nest_start(reply, OVX_A_PEERS);
	if (r->has_peer_id) {
		k = (struct ovx_peer_key){ in.id, r->peer_id };
		if (ovx_peer_get(&d->b.fp, in.id, r->peer_id, &(struct ovx_peer){}))
			return no_peer(e, &in, r->peer_id);
		put_peer(d, reply, &k);
		ovx_ctl_nest_end(reply, list);
		return 0;
	}
	prev = (struct ovx_peer_key){ r->cursor.at >> 32, (__u32)r->cursor.at };
	for (err = ovx_peer_next(&d->b.fp, in.id, r->cursor.has ? &prev : NULL, &k); !err;
	     err = ovx_peer_next(&d->b.fp, in.id, &prev, &k)) {
		if (!put_peer(d, reply, &k)) {
			ovx_ctl_nest_end(reply, list);
			ovx_ctl_put_u64(reply, OVX_A_CURSOR, (__u64)prev.instance << 32 | prev.peer_id);
			return 0;
		}
		prev = k;
	}
	ovx_ctl_nest_end(reply, list);
	return 0;
}

static bool put_iface(struct nlmsghdr *nlh, const char *name, __u32 ifindex, bool gone,
		      int xdp_mode)
{
	struct nlattr *item = ovx_ctl_nest_start(nlh, OVX_A_IFACE);
	int mtu = gone ? 0 : ovpnd_if_mtu(name);
	bool ok = item && ovx_ctl_put_str(nlh, OVX_A_NAME, name) &&
		  ovx_ctl_put_u32(nlh, OVX_A_IFINDEX, ifindex) &&
		  ovx_ctl_put_u32(nlh, OVX_A_MTU, mtu > 0 ? mtu : 0) &&
		  ovx_ctl_put_u32(nlh, OVX_A_IF_STATE, gone ? OVX_IF_GONE : OVX_IF_UP) &&
		  (xdp_mode < 0 || ovx_ctl_put_str(nlh, OVX_A_XDP_MODE,
						    ovpnd_xdp_mode_name(xdp_mode)));

	if (ok)
		ovx_ctl_nest_end(nlh, item);
	return ok;
}

static bool put_instance(struct ovpnd *d, struct nlmsghdr *nlh, const struct ovpnd_instance *in)
{
	struct nlattr *item = ovx_ctl_nest_start(nlh, OVX_A_INSTANCE_INFO), *ifs;
	bool ok = item && ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, in->id) &&
		  ovx_ctl_put_str(nlh, OVX_A_NAME, in->name) &&
		  ovx_ctl_put_u32(nlh, OVX_A_MODE, in->mode) &&
		  ovx_ctl_put_u32(nlh, OVX_A_FLAGS, in->flags) &&
		  (in->mode != OVX_MODE_P2P ||
		   ovx_ctl_put_u32(nlh, OVX_A_P2P_PEER_ID, in->p2p_peer_id)) &&
		  ovx_ctl_put_u32(nlh, OVX_A_NPEERS, ovx_peer_count(&d->b.fp, in->id));

	for (unsigned int i = 0; ok && i < in->naddrs; i++)
		ok = put_sockaddr(nlh, OVX_A_SOCKADDR, &in->addrs[i]);
	ifs = ok ? ovx_ctl_nest_start(nlh, OVX_A_IFACES) : NULL;
	ok = ifs && put_iface(nlh, in->tun, in->tun_ifindex, in->state & OVPND_GONE_TUN, -1);
	for (unsigned int i = 0; ok && i < in->nlinks; i++)
		ok = put_iface(nlh, in->links[i], in->link_ifindex[i], in->state & (1u << i),
			       in->xdp_mode[i]);
	if (ok) {
		ovx_ctl_nest_end(nlh, ifs);
		ovx_ctl_nest_end(nlh, item);
	}
	return ok;
}

/* What a packet costs per cipher (calib.c), if it was measured. */
static bool put_aead_costs(struct ovpnd *d, struct nlmsghdr *reply)
{
	struct nlattr *list = ovx_ctl_nest_start(reply, OVX_A_AEAD_COSTS), *item;
	bool ok = list;

	for (int i = 0; ok && i < OVPND_CALIB_CIPHERS; i++) {
		const struct ovpnd_calib *c = &d->calib[i];

		if (!c->bpf_ns)
			continue;
		item = ovx_ctl_nest_start(reply, OVX_A_AEAD_COST);
		ok = item && ovx_ctl_put_str(reply, OVX_A_CIPHER, ovx_cipher_name(c->cipher)) &&
		     ovx_ctl_put_u32(reply, OVX_A_AEAD_BPF_NS, c->bpf_ns) &&
		     ovx_ctl_put_u32(reply, OVX_A_AEAD_SW_NS, c->sw_ns);
		if (ok)
			ovx_ctl_nest_end(reply, item);
	}
	if (ok)
		ovx_ctl_nest_end(reply, list);
	return ok;
}

static int h_status(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		    struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovpnd_instance in;
	struct nlattr *list;
	struct ovx_global_stats g = {};
	bool ok;

	(void)cl, (void)r, (void)e;
	ovx_global_stats_get(&d->b.fp, &g);
	ok = ovx_ctl_put_u32(reply, OVX_A_VERSION, OVX_CTL_VERSION) &&
	     ovx_ctl_put_str(reply, OVX_A_PIN_PATH, d->b.pin_dir) &&
	     ovx_ctl_put_u32(reply, OVX_A_NPEERS, ovx_peer_count(&d->b.fp, 0)) &&
	     ovx_ctl_put_bin(reply, OVX_A_GLOBAL_COUNTS, g.c, sizeof(g.c)) &&
	     put_aead_costs(d, reply);

	list = ok ? ovx_ctl_nest_start(reply, OVX_A_INSTANCES) : NULL;
	for (__u32 id = 0; list && ok && !ovpnd_instance_next(d, id, &in); id = in.id)
		ok = put_instance(d, reply, &in);
	if (!ok)
		return -EMSGSIZE;
	ovx_ctl_nest_end(reply, list);
	return 0;
}

static int h_subscribe(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		       struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	(void)d, (void)r, (void)reply, (void)e;
	cl->subscribed = true;
	return 0;
}

static int h_detach(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		    struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	(void)cl, (void)r, (void)reply, (void)e;
	d->detach = d->stop = true;
	return 0;
}

/* Each command's handler, from ctl_cmds.h: a command on an instance gets it
 * resolved, the others get the client's connection. */
typedef int (*inst_handler)(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
			    struct nlmsghdr *reply, struct ovx_ctl_err *e);
typedef int (*client_handler)(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
			      struct nlmsghdr *reply, struct ovx_ctl_err *e);

#define HANDLER_1(h)	.on_instance = h
#define HANDLER_0(h)	.on_client = h
#define HANDLER(c, w1, w2, pos, decode, inst, batch, handle) \
	[OVX_CMD_IDX(c)] = { HANDLER_##inst(handle) },
static const struct {
	inst_handler on_instance;
	client_handler on_client;
} handlers[OVX_CMD_COUNT] = { OVX_CTL_COMMANDS(HANDLER) };
#undef HANDLER

int ovpnd_handle(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		 struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	unsigned int i = r->cmd - NLMSG_MIN_TYPE;
	struct ovpnd_instance in;

	if (r->cmd < NLMSG_MIN_TYPE || i >= OVX_CMD_COUNT ||
	    (!handlers[i].on_instance && !handlers[i].on_client))
		return ovx_ctl_errf(e, -EOPNOTSUPP, "command %s is not a request",
				     ovx_ctl_cmd_name(r->cmd));
	if (handlers[i].on_client)
		return handlers[i].on_client(d, cl, r, reply, e);
	return ovpnd_instance_resolve(d, r, &in, e) ?: handlers[i].on_instance(d, &in, r, reply, e);
}
