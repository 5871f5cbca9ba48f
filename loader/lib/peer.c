// SPDX-License-Identifier: GPL-2.0
/* Peers: created, read, walked and removed with their keys and counters;
 * found by remote address as the OpenVPN plugin names them; keepalive. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "epoch_peer.h"
#include "fastpath.h"

int ovpn_peer_ctl(const struct ovpn_fastpath *fp, struct ovpn_peer_ctl_args *a)
{
	/* a syscall program's context is copied back to ctx_in */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = a, .ctx_size_in = sizeof(*a));

	if (bpf_prog_test_run_opts(fp->peer_ctl_fd, &opts))
		return -errno;
	return a->err;
}

int ovpn_peer_get(const struct ovpn_fastpath *fp, __u32 instance, __u32 peer_id,
		  struct ovpn_peer *out)
{
	struct ovpn_peer_key pk = { .instance = instance, .peer_id = peer_id };

	return bpf_map_lookup_elem(fp->peers_fd, &pk, out) ? -errno : 0;
}

static bool all_zero(const __u8 *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static struct ovpn_vpn_addr vpn_addr_key(__u32 instance, int family, const __u8 *addr)
{
	struct ovpn_vpn_addr k = { .instance = instance, .family = family };

	memcpy(k.addr, addr, family == OVPN_AF_INET ? 4 : 16);
	return k;
}

int ovpn_vpn_addr_owner(const struct ovpn_fastpath *fp, __u32 instance, int family,
			const __u8 *addr, __u32 *owner)
{
	struct ovpn_vpn_addr k = vpn_addr_key(instance, family, addr);

	return bpf_map_lookup_elem(fp->vpn_addrs_fd, &k, owner) ? -errno : 0;
}

int ovpn_vpn_addr_claim(const struct ovpn_fastpath *fp, __u32 instance, int family,
			const __u8 *addr, __u32 peer_id, bool move)
{
	struct ovpn_vpn_addr k = vpn_addr_key(instance, family, addr);
	__u32 owner;
	int err = ovpn_map_update(fp->vpn_addrs_fd, &k, &peer_id, BPF_NOEXIST);

	if (err != -EEXIST)
		return err;
	if (!ovpn_vpn_addr_owner(fp, instance, family, addr, &owner) && owner == peer_id)
		return 0;
	return move ? ovpn_map_update(fp->vpn_addrs_fd, &k, &peer_id, BPF_ANY) : -EADDRINUSE;
}

void ovpn_vpn_addr_release(const struct ovpn_fastpath *fp, __u32 instance, int family,
			   const __u8 *addr, __u32 peer_id)
{
	struct ovpn_vpn_addr k = vpn_addr_key(instance, family, addr);
	__u32 owner;

	if (!ovpn_vpn_addr_owner(fp, instance, family, addr, &owner) && owner == peer_id)
		bpf_map_delete_elem(fp->vpn_addrs_fd, &k);
}

/* The peer's VPN addresses, for TX to find it by destination: claimed
 * (-EADDRINUSE if another peer has one, unless @move), or released (only
 * those still the peer's own). */
static int vpn_addrs_update(const struct ovpn_fastpath *fp, __u32 instance,
			    const struct ovpn_peer *p, __u32 peer_id, bool add, bool move)
{
	const __u8 *addr[2] = { p->vpn_ipv4, p->vpn_ipv6 };
	const int family[2] = { OVPN_AF_INET, OVPN_AF_INET6 };
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		if (all_zero(addr[i], i ? 16 : 4))
			continue;
		if (add)
			err = ovpn_vpn_addr_claim(fp, instance, family[i], addr[i], peer_id, move);
		else
			ovpn_vpn_addr_release(fp, instance, family[i], addr[i], peer_id);
	}
	return err;
}

/* The device of the offloaded socket @local, as TX looks it up (exact, then
 * the port on any address); 0 if none. */
static __u32 local_link(const struct ovpn_fastpath *fp, const struct ovpn_sockaddr *local)
{
	struct ovpn_sockaddr any = { .port = local->port, .family = local->family };
	struct ovpn_socket s;

	if (!bpf_map_lookup_elem(fp->sockets_fd, local, &s) ||
	    !bpf_map_lookup_elem(fp->sockets_fd, &any, &s))
		return s.link_ifindex;
	return 0;
}

int ovpn_peer_new(const struct ovpn_fastpath *fp, const struct ovpn_peer_config *pc)
{
	struct ovpn_peer_key pk = { .instance = pc->instance, .peer_id = pc->peer_id };
	struct ovpn_peer p = {
		.remote = pc->remote,
		.local = pc->local,
		.slot_key_id = { OVPN_SLOT_EMPTY, OVPN_SLOT_EMPTY },
	};
	struct ovpn_peer old;
	int err;

	if (pc->peer_id > OVPN_PEER_ID_MAX)
		return -ERANGE;
	if (pc->remote.family != OVPN_AF_INET && pc->remote.family != OVPN_AF_INET6)
		return -EAFNOSUPPORT;
	if (!ovpn_peer_get(fp, pc->instance, pc->peer_id, &old))
		return -EEXIST;
	p.link_ifindex = local_link(fp, &pc->local);
	memcpy(p.vpn_ipv4, pc->vpn_ipv4, sizeof(p.vpn_ipv4));
	memcpy(p.vpn_ipv6, pc->vpn_ipv6, sizeof(p.vpn_ipv6));
	/* counters first: the fast path finds them as soon as it finds the peer */
	err = ovpn_map_update(fp->peer_stats_fd, &pk, &(struct ovpn_peer_stats){}, BPF_ANY);
	if (err)
		return err;
	err = ovpn_map_update(fp->peers_fd, &pk, &p, BPF_NOEXIST);
	if (!err) {
		err = vpn_addrs_update(fp, pc->instance, &p, pc->peer_id, true, pc->move_addrs);
		if (err) {
			vpn_addrs_update(fp, pc->instance, &p, pc->peer_id, false, false);
			bpf_map_delete_elem(fp->peers_fd, &pk);
		}
	}
	if (err)
		bpf_map_delete_elem(fp->peer_stats_fd, &pk);
	return err;
}

int ovpn_peer_del(const struct ovpn_fastpath *fp, __u32 instance, __u32 peer_id)
{
	struct ovpn_peer_key pk = { .instance = instance, .peer_id = peer_id };
	struct ovpn_key_id kid = { .instance = instance, .peer_id = peer_id };
	struct ovpn_peer p;

	if (ovpn_peer_get(fp, instance, peer_id, &p))
		return -ENOENT;
	/* addresses and the peer first: from then on the fast path passes its
	 * packets on to OpenVPN */
	vpn_addrs_update(fp, instance, &p, peer_id, false, false);
	if (bpf_map_delete_elem(fp->peers_fd, &pk))
		return -errno;
	for (kid.key_id = 0; kid.key_id <= OVPN_KEY_ID_MAX; kid.key_id++) {
		bpf_map_delete_elem(fp->keys_fd, &kid);
		ovpn_epoch_key_remove(fp, &kid);
	}
	bpf_map_delete_elem(fp->peer_stats_fd, &pk);
	return 0;
}

int ovpn_peer_next(const struct ovpn_fastpath *fp, __u32 instance,
		   const struct ovpn_peer_key *after, struct ovpn_peer_key *next)
{
	struct ovpn_peer_key cur;

	for (;;) {
		if (bpf_map_get_next_key(fp->peers_fd, after, next))
			return -errno;
		if (!instance || next->instance == instance)
			return 0;
		cur = *next;
		after = &cur;
	}
}

__u32 ovpn_peer_count(const struct ovpn_fastpath *fp, __u32 instance)
{
	struct ovpn_peer_key k, prev;
	__u32 n = 0;

	for (int err = ovpn_peer_next(fp, instance, NULL, &k); !err;
	     err = ovpn_peer_next(fp, instance, &prev, &k)) {
		n++;
		prev = k;
	}
	return n;
}

int ovpn_peer_set_keepalive(const struct ovpn_fastpath *fp, __u32 instance,
			    __u32 peer_id, __u32 interval, __u32 timeout)
{
	struct ovpn_peer_ctl_args a = {
		.pk = { instance, peer_id }, .op = OVPN_PEER_CTL_KEEPALIVE,
		.interval = interval, .timeout = timeout,
	};

	return ovpn_peer_ctl(fp, &a);
}

struct remote_find {
	__u32 instance;
	const struct ovpn_sockaddr *remote;
	__u32 peer_id;
};

static int remote_cb(const void *key, const void *value, void *ctx)
{
	const struct ovpn_peer_key *k = key;
	const struct ovpn_peer *p = value;
	struct remote_find *f = ctx;

	if (k->instance != f->instance || memcmp(&p->remote, f->remote, sizeof(*f->remote)))
		return 0;
	f->peer_id = k->peer_id;
	return 1;
}

/* One walk of the peers map, in chunks with their values. */
int ovpn_peer_find_remote(const struct ovpn_fastpath *fp, __u32 instance,
			  const struct ovpn_sockaddr *remote, __u32 *peer_id)
{
	struct remote_find f = { .instance = instance, .remote = remote };
	int err = ovpn_map_walk(fp->peers_fd, remote_cb, &f);

	if (err == 1)
		*peer_id = f.peer_id;
	return err == 1 ? 0 : err ? err : -ENOENT;
}

int ovpn_peer_set_vpn_addr(const struct ovpn_fastpath *fp, __u32 instance, __u32 peer_id,
			   int family, const __u8 *addr, bool add)
{
	static const __u8 none[16];
	struct ovpn_peer_ctl_args a = {
		.pk = { instance, peer_id }, .op = OVPN_PEER_CTL_VPN_ADDR, .family = family,
	};
	size_t len = family == OVPN_AF_INET ? 4 : 16;
	struct ovpn_peer p;
	__u8 *field;
	int err;

	if (ovpn_peer_get(fp, instance, peer_id, &p))
		return -ENOENT;
	field = family == OVPN_AF_INET ? p.vpn_ipv4 : p.vpn_ipv6;
	if (!add) {
		ovpn_vpn_addr_release(fp, instance, family, addr, peer_id);
		if (memcmp(field, addr, len))
			return 0;	/* not the one the peer has now */
		return ovpn_peer_ctl(fp, &a);
	}
	/* OpenVPN's word (learn-address add or update): the address is this
	 * peer's from now on, whoever had it */
	err = ovpn_vpn_addr_claim(fp, instance, family, addr, peer_id, true);
	if (err)
		return err;
	if (memcmp(field, none, len) && memcmp(field, addr, len))
		ovpn_vpn_addr_release(fp, instance, family, field, peer_id);
	memcpy(a.addr, addr, len);
	return ovpn_peer_ctl(fp, &a);
}
