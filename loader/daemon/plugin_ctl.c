// SPDX-License-Identifier: GPL-2.0
/* The OpenVPN plugin's requests, in the daemon. The plugin knows a key's
 * bytes and a client's addresses but not its peer-id or cipher: those come
 * from the wire (loader/lib/learn.c) once the peer has sent with the key, so keys
 * and addresses wait here, retried every 10 ms, for up to a minute. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include "aead_key.h"
#include "daemon.h"
#include "learn.h"

/* A waiting key is looked for every 10 ms: from the peer's first packet with
 * it until it is installed, its packets go through OpenVPN, which drops
 * some under load (seen: a ping lost at a rotation with 100 ms). */
#define RETRY_MS	10

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void pending_drop(struct ovpnd *d, struct ovpnd_pending *p)
{
	OPENSSL_cleanse(p, sizeof(*p));
	d->npending--;
}

static int pending_add(struct ovpnd *d, __u32 inst, const struct ovx_req_plugin *pl,
		       bool is_key, struct ovx_ctl_err *e)
{
	for (int i = 0; i < OVPND_MAX_PENDING; i++) {
		struct ovpnd_pending *p = &d->pending[i];

		if (p->used)
			continue;
		*p = (struct ovpnd_pending){ .used = true, .is_key = is_key, .inst = inst,
					     .deadline_ms = now_ms() + OVPND_PENDING_MS,
					     .pl = *pl };
		d->npending++;
		return 0;
	}
	return ovx_ctl_errf(e, -ENOSPC, "too many keys and addresses waiting (%d)",
			     OVPND_MAX_PENDING);
}

/* Forgets what the wire told of @remote's keys that no waiting key opens (see
 * ovx_learn_forget_stale): called when a key arrives, is dropped or expires,
 * and when the peer goes, so that a key-id reused later starts clean. */
static void forget_stale(struct ovpnd *d, __u32 inst, const struct ovx_sockaddr *remote,
			 enum ovx_role role)
{
	const __u8 *m[OVPND_MAX_PENDING];
	int n = 0;

	for (int i = 0; i < OVPND_MAX_PENDING; i++) {
		const struct ovpnd_pending *p = &d->pending[i];

		if (p->used && p->is_key && p->inst == inst &&
		    (!p->pl.has_remote || !memcmp(&p->pl.remote, remote, sizeof(*remote))))
			m[n++] = p->pl.material;
	}
	ovx_learn_forget_stale(&d->b.fp, inst, remote, role, m, n);
}

/* While a key of @remote's peer waits, its TX goes to OpenVPN, which sends
 * with the new key at once: the peer learns the key from that packet and
 * answers with it, from which this side learns it. Left in the fast path,
 * the old key went on until OpenVPN's next packet of its own (a keepalive,
 * up to 10 s) when both ends are offloaded, and a key made just before the
 * next renegotiation was never used. Bounded by the waiting keys' deadline,
 * so a daemon that stops leaves no peer in OpenVPN for longer. */
static void key_wait_sync(struct ovpnd *d, __u32 inst, const struct ovx_sockaddr *remote)
{
	__u64 until_ms = 0;
	__u32 peer_id;

	for (int i = 0; i < OVPND_MAX_PENDING; i++) {
		const struct ovpnd_pending *p = &d->pending[i];

		if (p->used && p->is_key && p->inst == inst && p->pl.has_remote &&
		    !memcmp(&p->pl.remote, remote, sizeof(*remote)) && p->deadline_ms > until_ms)
			until_ms = p->deadline_ms;
	}
	if (!ovx_peer_find_remote(&d->b.fp, inst, remote, &peer_id))
		ovx_peer_set_key_wait(&d->b.fp, inst, peer_id, until_ms * 1000000ULL);
}

/* OpenVPN holds two keys of a peer, its newest and the one before it (the
 * lame duck), and frees the older as a renegotiation starts, before the new
 * key is derived; so does the peer. So when a key of @remote arrives, the
 * fast path's secondary key is one neither end has any more: it leaves its
 * slot. While an earlier key of the remote still waits, the primary came
 * before that one and is no key to send with either: TX goes to OpenVPN,
 * the key stays secondary (were OpenVPN still sending with it, a hard reset
 * not authenticated yet, its packets are renumbered) until the next key
 * arrives. Left in the slots, a stale key took the packets of the key that
 * reused its key-id seven renegotiations later (dropped as replays, and
 * OpenVPN's own not renumbered), and TX sealed with a key the peer had
 * dropped. */
static void keys_retire(struct ovpnd *d, __u32 inst, const struct ovx_sockaddr *remote)
{
	const struct ovx_fastpath *fp = &d->b.fp;
	struct ovx_peer peer;
	int waiting = 0;
	__u32 peer_id;

	if (ovx_peer_find_remote(fp, inst, remote, &peer_id))
		return;
	for (int i = 0; i < OVPND_MAX_PENDING; i++) {
		const struct ovpnd_pending *p = &d->pending[i];

		waiting += p->used && p->is_key && p->inst == inst && p->pl.has_remote &&
			   !memcmp(&p->pl.remote, remote, sizeof(*remote));
	}
	ovx_key_del(fp, inst, peer_id, OVX_SLOT_SECONDARY);
	if (waiting < 2 || ovx_peer_get(fp, inst, peer_id, &peer) ||
	    peer.slot_key_id[OVX_SLOT_PRIMARY] == OVX_SLOT_EMPTY)
		return;
	if (!ovx_key_swap(fp, inst, peer_id))
		ovpnd_log("instance %u: peer %u: two keys newer than the one it sent with; its traffic goes through OpenVPN until the newest is offloaded",
			  inst, peer_id);
}

/* Drops a key that could not be offloaded, and what was learnt of it. */
static void key_drop(struct ovpnd *d, struct ovpnd_pending *p)
{
	struct ovx_sockaddr remote = p->pl.remote;
	bool has_remote = p->pl.has_remote;
	enum ovx_role role = p->pl.role;
	__u32 inst = p->inst;

	pending_drop(d, p);
	if (has_remote) {
		forget_stale(d, inst, &remote, role);
		key_wait_sync(d, inst, &remote);
	}
}

/* A host address inside a prefix routed via @peer_id (longest first). OpenVPN
 * caches a host route for each address it routes into a client's iroute
 * (multi.c, multi_get_route) and reports it through learn-address "add" as a
 * host alone, the way it reports the client's VPN address: taken for the
 * VPN address, it replaced the client's own (whose packets were then
 * dropped as spoofed, and packets to it left to OpenVPN). The iroute
 * carries such a host already. */
static bool in_own_iroute(const struct ovx_fastpath *fp, __u32 inst, __u32 peer_id,
			  const struct ovx_req_plugin *pl)
{
	int len = pl->family == OVX_AF_INET ? 32 : 128;
	__u32 owner;

	for (; len >= 0; len--)
		if (!ovx_route_owner(fp, inst, pl->family, pl->addr, len, &owner))
			return owner == peer_id;
	return false;
}

/* An address or iroute for the peer @peer_id. */
static int addr_apply(struct ovpnd *d, __u32 inst, __u32 peer_id,
		      const struct ovx_req_plugin *pl)
{
	const struct ovx_fastpath *fp = &d->b.fp;
	bool add = pl->op == OVX_ADDR_ADD;
	int fam = pl->family;

	if (pl->is_prefix)
		return add ? ovx_route_add(fp, inst, fam, pl->addr, pl->plen, peer_id, true) :
			     ovx_route_del(fp, inst, fam, pl->addr, pl->plen, peer_id);
	if (add && in_own_iroute(fp, inst, peer_id, pl))
		return 0;
	return ovx_peer_set_vpn_addr(fp, inst, peer_id, fam, pl->addr, add);
}

/* Tries every learnt key of the instance against @p's material. */
static int key_try(struct ovpnd *d, struct ovpnd_pending *p)
{
	const struct ovx_fastpath *fp = &d->b.fp;
	struct ovx_learn_key k, *prev = NULL;
	struct ovx_learnt l;
	int err = -EAGAIN;

	while (!bpf_map_get_next_key(fp->learn_fd, prev, &k)) {
		struct ovx_learn_install li = {
			.instance = p->inst, .key_id = k.key_id, .role = p->pl.role,
			.remote = k.remote, .material = p->pl.material,
		};
		struct ovx_learn_key cur = k;

		prev = &cur;
		if (k.instance != p->inst || k.dir != OVX_LEARN_RX ||
		    (p->pl.has_remote && memcmp(&k.remote, &p->pl.remote, sizeof(k.remote))))
			continue;
		err = ovx_learn_install(fp, &li, &l);
		if (err == -EKEYREJECTED || err == -EAGAIN)
			continue;
		if (err == -EPROTONOSUPPORT)
			ovpnd_log("instance %u: peer %u key %u %s uses OpenVPN 2.7's epoch data format, which this fast path lacks (pinned by an older build): it stays in OpenVPN",
				  p->inst, l.peer_id, k.key_id, ovx_cipher_name(l.cipher));
		if (!err) {
			p->pl.remote = k.remote;
			p->pl.has_remote = true;
			ovpnd_log("instance %u: peer %u key %u %s offloaded (after %llu packets through OpenVPN)%s",
				  p->inst, l.peer_id, k.key_id, ovx_cipher_name(l.cipher),
				  (unsigned long long)l.rx_pid_max,
				  l.epoch ? " (epoch data format)" : "");
		}
		return err;
	}
	return -EAGAIN;
}

/* Keys of @key's remote that came before it and are still waiting: their
 * peer went on to a newer key without sending a packet with them (it was
 * idle, or the key came just before the next renegotiation), and a peer
 * never goes back to an older key. Dropped, with what was learnt of them,
 * instead of waiting out OVPND_PENDING_MS. */
static void key_superseded(struct ovpnd *d, const struct ovpnd_pending *key)
{
	__u32 peer_id = 0;

	ovx_peer_find_remote(&d->b.fp, key->inst, &key->pl.remote, &peer_id);
	for (int i = 0; i < OVPND_MAX_PENDING; i++) {
		struct ovpnd_pending *p = &d->pending[i];

		if (p == key || !p->used || !p->is_key || p->inst != key->inst ||
		    !p->pl.has_remote || p->deadline_ms > key->deadline_ms ||
		    memcmp(&p->pl.remote, &key->pl.remote, sizeof(p->pl.remote)))
			continue;
		ovpnd_log("instance %u: peer %u: a key superseded before the peer sent with it; dropped",
			  p->inst, peer_id);
		key_drop(d, p);
	}
}

/* After a key: the client side has one peer; waiting addresses of the peer;
 * older keys of the remote that were never used. */
static void key_done(struct ovpnd *d, struct ovpnd_pending *key)
{
	struct ovpnd_instance in;
	__u32 peer_id;

	key_superseded(d, key);
	if (ovx_peer_find_remote(&d->b.fp, key->inst, &key->pl.remote, &peer_id))
		return;
	if (key->pl.role == OVX_ROLE_CLIENT && !ovpnd_instance_get(d, key->inst, &in))
		ovx_iface_set(&d->b.fp, in.tun_ifindex, key->inst, OVX_IFACE_P2P, peer_id);
	/* iroutes first: a host in one is not a VPN address (in_own_iroute) */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < OVPND_MAX_PENDING; i++) {
			struct ovpnd_pending *a = &d->pending[i];

			if (a->used && !a->is_key && a->inst == key->inst &&
			    a->pl.is_prefix == !pass &&
			    !memcmp(&a->pl.remote, &key->pl.remote, sizeof(a->pl.remote))) {
				addr_apply(d, a->inst, peer_id, &a->pl);
				pending_drop(d, a);
			}
		}
}

static void key_log_failed(struct ovpnd *d, const struct ovpnd_pending *p, int err)
{
	char peer[32] = "";
	__u32 peer_id;

	if (p->pl.has_remote && !ovx_peer_find_remote(&d->b.fp, p->inst, &p->pl.remote, &peer_id))
		snprintf(peer, sizeof(peer), " of peer %u", peer_id);
	ovpnd_log("instance %u: a key%s could not be offloaded (%s); it stays in OpenVPN",
		  p->inst, peer, err == -EAGAIN ? "its peer never sent with it" : strerror(-err));
}

int ovpnd_pending_run(struct ovpnd *d)
{
	__u64 now = now_ms();

	for (int i = 0; d->npending && i < OVPND_MAX_PENDING; i++) {
		struct ovpnd_pending *p = &d->pending[i];
		int err;

		if (!p->used || !p->is_key)
			continue;
		err = key_try(d, p);
		if (!err) {
			struct ovx_sockaddr remote = p->pl.remote;
			__u32 inst = p->inst;

			key_done(d, p);
			pending_drop(d, p);
			key_wait_sync(d, inst, &remote);
		} else if (now > p->deadline_ms || (err != -EAGAIN && err != -EKEYREJECTED)) {
			key_log_failed(d, p, err);
			key_drop(d, p);
		}
	}
	for (int i = 0; d->npending && i < OVPND_MAX_PENDING; i++)
		if (d->pending[i].used && now > d->pending[i].deadline_ms)
			pending_drop(d, &d->pending[i]);
	return d->npending ? RETRY_MS : -1;
}

int ovpnd_key_material(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		       struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	int err;

	(void)reply;
	err = pending_add(d, in->id, &r->plugin, true, e);
	/* a new key for this remote: older keys' state that it does not open
	 * is stale (one of them may have had its key-id) */
	if (!err && r->plugin.has_remote) {
		keys_retire(d, in->id, &r->plugin.remote);
		forget_stale(d, in->id, &r->plugin.remote, r->plugin.role);
		key_wait_sync(d, in->id, &r->plugin.remote);
	}
	return err;
}

int ovpnd_peer_addr(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		    struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovx_req_plugin *pl = &r->plugin;
	__u32 peer_id;
	int err;

	(void)reply;
	if (pl->has_remote && !ovx_peer_find_remote(&d->b.fp, in->id, &pl->remote, &peer_id)) {
		err = addr_apply(d, in->id, peer_id, pl);
		return err ? ovx_ctl_errf(e, err, "cannot apply the address: %s",
					   strerror(-err)) : 0;
	}
	if (pl->op == OVX_ADDR_DELETE)
		return 0;	/* its peer is gone or never came: nothing to undo */
	return pending_add(d, in->id, pl, false, e);
}

int ovpnd_peer_gone(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		    struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	__u32 peer_id;
	int err;

	(void)reply, (void)e;
	for (int i = 0; i < OVPND_MAX_PENDING; i++) {
		struct ovpnd_pending *p = &d->pending[i];

		if (p->used && p->inst == in->id && p->pl.has_remote &&
		    !memcmp(&p->pl.remote, &r->plugin.remote, sizeof(p->pl.remote)))
			pending_drop(d, p);
	}
	if (ovx_peer_find_remote(&d->b.fp, in->id, &r->plugin.remote, &peer_id)) {
		ovx_learn_forget_stale(&d->b.fp, in->id, &r->plugin.remote, r->plugin.role,
					NULL, 0);
		return 0;
	}
	ovx_routes_flush(&d->b.fp, in->id, false, peer_id);
	ovpnd_log("instance %u: peer %u disconnected", in->id, peer_id);
	err = ovx_peer_del(&d->b.fp, in->id, peer_id);
	ovx_learn_forget_stale(&d->b.fp, in->id, &r->plugin.remote, r->plugin.role, NULL, 0);
	return err;
}

/* INSTANCE_NEW with OVX_INST_F_OWNED for an instance that exists already:
 * its OpenVPN registering again after the daemon restarted (the instance was
 * taken over from the pins, its owner connection lost). The same name and tun
 * device, and no live owner: @cl owns it from now on. If its devices are not
 * the ones it was made on (the daemon and OpenVPN both went, the devices were
 * made again), its peers and keys are another OpenVPN's: it goes. */
int ovpnd_instance_adopt(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
			 struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovpnd_instance in;
	const char *why;

	if (!(r->inst.flags & OVX_INST_F_OWNED) || ovpnd_instance_resolve(d, r, &in, e) ||
	    strcmp(in.tun, r->inst.tun))
		return -EEXIST;
	for (int i = 0; i < OVPND_MAX_CLIENTS; i++)
		if (d->clients[i].fd >= 0 && &d->clients[i] != cl && d->clients[i].owned == in.id)
			return -EEXIST;
	why = ovpnd_instance_stale(&in);
	if (why) {
		ovpnd_log("instance %u '%s': registered again by an OpenVPN, but %s: "
			  "made anew", in.id, in.name, why);
		ovpnd_instance_del(d, &in);
		return -ESTALE;
	}
	cl->owned = in.id;
	memset(e, 0, sizeof(*e));
	ovx_ctl_put_u32(reply, OVX_A_INSTANCE, in.id);
	ovpnd_log("instance %u '%s': its owner (OpenVPN) registered again", in.id, in.name);
	return 0;
}
