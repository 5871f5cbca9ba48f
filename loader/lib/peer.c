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

int ovx_peer_ctl(const struct ovx_fastpath *fp, struct ovx_peer_ctl_args *a)
{
	/* a syscall program's context is copied back to ctx_in */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = a, .ctx_size_in = sizeof(*a));

	if (bpf_prog_test_run_opts(fp->peer_ctl_fd, &opts))
		return -errno;
	return a->err;
}

int ovx_peer_get(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
		  struct ovx_peer *out)
{
	struct ovx_peer_key pk = { .instance = instance, .peer_id = peer_id };

	return bpf_map_lookup_elem(fp->peers_fd, &pk, out) ? -errno : 0;
}

static bool all_zero(const __u8 *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static struct ovx_vpn_addr vpn_addr_key(__u32 instance, int family, const __u8 *addr)
{
	struct ovx_vpn_addr k = { .instance = instance, .family = family };

	memcpy(k.addr, addr, family == OVX_AF_INET ? 4 : 16);
	return k;
}

int ovx_vpn_addr_owner(const struct ovx_fastpath *fp, __u32 instance, int family,
			const __u8 *addr, __u32 *owner)
{
	struct ovx_vpn_addr k = vpn_addr_key(instance, family, addr);

	return bpf_map_lookup_elem(fp->vpn_addrs_fd, &k, owner) ? -errno : 0;
}

int ovx_vpn_addr_claim(const struct ovx_fastpath *fp, __u32 instance, int family,
			const __u8 *addr, __u32 peer_id, bool move)
{
	struct ovx_vpn_addr k = vpn_addr_key(instance, family, addr);
	__u32 owner;
	int err = ovx_map_update(fp->vpn_addrs_fd, &k, &peer_id, BPF_NOEXIST);

	if (err != -EEXIST)
		return err;
	if (!ovx_vpn_addr_owner(fp, instance, family, addr, &owner) && owner == peer_id)
		return 0;
	return move ? ovx_map_update(fp->vpn_addrs_fd, &k, &peer_id, BPF_ANY) : -EADDRINUSE;
}

void ovx_vpn_addr_release(const struct ovx_fastpath *fp, __u32 instance, int family,
			   const __u8 *addr, __u32 peer_id)
{
	struct ovx_vpn_addr k = vpn_addr_key(instance, family, addr);
	__u32 owner;

	if (!ovx_vpn_addr_owner(fp, instance, family, addr, &owner) && owner == peer_id)
		bpf_map_delete_elem(fp->vpn_addrs_fd, &k);
}

/* The peer's VPN addresses, for TX to find it by destination: claimed
 * (-EADDRINUSE if another peer has one, unless @move), or released (only
 * those still the peer's own). */
static int vpn_addrs_update(const struct ovx_fastpath *fp, __u32 instance,
			    const struct ovx_peer *p, __u32 peer_id, bool add, bool move)
{
	const __u8 *addr[2] = { p->vpn_ipv4, p->vpn_ipv6 };
	const int family[2] = { OVX_AF_INET, OVX_AF_INET6 };
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		if (all_zero(addr[i], i ? 16 : 4))
			continue;
		if (add)
			err = ovx_vpn_addr_claim(fp, instance, family[i], addr[i], peer_id, move);
		else
			ovx_vpn_addr_release(fp, instance, family[i], addr[i], peer_id);
	}
	return err;
}

/* The device of the offloaded socket @local, as TX looks it up (exact, then
 * the port on any address); 0 if none. */
static __u32 local_link(const struct ovx_fastpath *fp, const struct ovx_sockaddr *local)
{
	struct ovx_sockaddr any = { .port = local->port, .family = local->family };
	struct ovx_socket s;

	if (!bpf_map_lookup_elem(fp->sockets_fd, local, &s) ||
	    !bpf_map_lookup_elem(fp->sockets_fd, &any, &s))
		return s.link_ifindex;
	return 0;
}

int ovx_peer_new(const struct ovx_fastpath *fp, const struct ovx_peer_config *pc)
{
	struct ovx_peer_key pk = { .instance = pc->instance, .peer_id = pc->peer_id };
	struct ovx_peer p = {
		.remote = pc->remote,
		.local = pc->local,
		.slot_key_id = { OVX_SLOT_EMPTY, OVX_SLOT_EMPTY },
	};
	struct ovx_peer old;
	int err;

	if (pc->peer_id > OVX_PEER_ID_MAX)
		return -ERANGE;
	if (pc->remote.family != OVX_AF_INET && pc->remote.family != OVX_AF_INET6)
		return -EAFNOSUPPORT;
	if (!ovx_peer_get(fp, pc->instance, pc->peer_id, &old))
		return -EEXIST;
	p.link_ifindex = local_link(fp, &pc->local);
	memcpy(p.vpn_ipv4, pc->vpn_ipv4, sizeof(p.vpn_ipv4));
	memcpy(p.vpn_ipv6, pc->vpn_ipv6, sizeof(p.vpn_ipv6));
	/* counters first: the fast path finds them as soon as it finds the peer */
	err = ovx_map_update(fp->peer_stats_fd, &pk, &(struct ovx_peer_stats){}, BPF_ANY);
	if (err)
		return err;
	err = ovx_map_update(fp->peers_fd, &pk, &p, BPF_NOEXIST);
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

int ovx_peer_del(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id)
{
	struct ovx_peer_key pk = { .instance = instance, .peer_id = peer_id };
	struct ovx_key_id kid = { .instance = instance, .peer_id = peer_id };
	struct ovx_peer p;

	if (ovx_peer_get(fp, instance, peer_id, &p))
		return -ENOENT;
	/* addresses and the peer first: from then on the fast path passes its
	 * packets on to OpenVPN */
	vpn_addrs_update(fp, instance, &p, peer_id, false, false);
	if (bpf_map_delete_elem(fp->peers_fd, &pk))
		return -errno;
	for (kid.key_id = 0; kid.key_id <= OVX_KEY_ID_MAX; kid.key_id++) {
		bpf_map_delete_elem(fp->keys_fd, &kid);
		ovx_epoch_key_remove(fp, &kid);
	}
	bpf_map_delete_elem(fp->peer_stats_fd, &pk);
	return 0;
}

int ovx_peer_next(const struct ovx_fastpath *fp, __u32 instance,
		   const struct ovx_peer_key *after, struct ovx_peer_key *next)
{
	struct ovx_peer_key cur;

	for (;;) {
		if (bpf_map_get_next_key(fp->peers_fd, after, next))
			return -errno;
		if (!instance || next->instance == instance)
			return 0;
		cur = *next;
		after = &cur;
	}
}

__u32 ovx_peer_count(const struct ovx_fastpath *fp, __u32 instance)
{
	struct ovx_peer_key k, prev;
	__u32 n = 0;

	for (int err = ovx_peer_next(fp, instance, NULL, &k); !err;
	     err = ovx_peer_next(fp, instance, &prev, &k)) {
		n++;
		prev = k;
	}
	return n;
}

int ovx_peer_set_keepalive(const struct ovx_fastpath *fp, __u32 instance,
			    __u32 peer_id, __u32 interval, __u32 timeout)
{
	struct ovx_peer_ctl_args a = {
		.pk = { instance, peer_id }, .op = OVX_PEER_CTL_KEEPALIVE,
		.interval = interval, .timeout = timeout,
	};

	return ovx_peer_ctl(fp, &a);
}

int ovx_peer_set_key_wait(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			   __u64 until_ns)
{
	struct ovx_peer_ctl_args a = {
		.pk = { instance, peer_id }, .op = OVX_PEER_CTL_KEY_WAIT, .until_ns = until_ns,
	};

	return ovx_peer_ctl(fp, &a);
}

struct remote_find {
	__u32 instance;
	const struct ovx_sockaddr *remote;
	__u32 peer_id;
};

static int remote_cb(const void *key, const void *value, void *ctx)
{
	const struct ovx_peer_key *k = key;
	const struct ovx_peer *p = value;
	struct remote_find *f = ctx;

	if (k->instance != f->instance || memcmp(&p->remote, f->remote, sizeof(*f->remote)))
		return 0;
	f->peer_id = k->peer_id;
	return 1;
}

/* One walk of the peers map, in chunks with their values. */
int ovx_peer_find_remote(const struct ovx_fastpath *fp, __u32 instance,
			  const struct ovx_sockaddr *remote, __u32 *peer_id)
{
	struct remote_find f = { .instance = instance, .remote = remote };
	int err = ovx_map_walk(fp->peers_fd, remote_cb, &f);

	if (err == 1)
		*peer_id = f.peer_id;
	return err == 1 ? 0 : err ? err : -ENOENT;
}

int ovx_peer_set_vpn_addr(const struct ovx_fastpath *fp, __u32 instance, __u32 peer_id,
			   int family, const __u8 *addr, bool add)
{
	static const __u8 none[16];
	struct ovx_peer_ctl_args a = {
		.pk = { instance, peer_id }, .op = OVX_PEER_CTL_VPN_ADDR, .family = family,
	};
	size_t len = family == OVX_AF_INET ? 4 : 16;
	struct ovx_peer p;
	__u8 *field;
	int err;

	if (ovx_peer_get(fp, instance, peer_id, &p))
		return -ENOENT;
	field = family == OVX_AF_INET ? p.vpn_ipv4 : p.vpn_ipv6;
	if (!add) {
		ovx_vpn_addr_release(fp, instance, family, addr, peer_id);
		if (memcmp(field, addr, len))
			return 0;	/* not the one the peer has now */
		return ovx_peer_ctl(fp, &a);
	}
	/* OpenVPN's word (learn-address add or update): the address is this
	 * peer's from now on, whoever had it */
	err = ovx_vpn_addr_claim(fp, instance, family, addr, peer_id, true);
	if (err)
		return err;
	if (memcmp(field, none, len) && memcmp(field, addr, len))
		ovx_vpn_addr_release(fp, instance, family, field, peer_id);
	memcpy(a.addr, addr, len);
	return ovx_peer_ctl(fp, &a);
}
