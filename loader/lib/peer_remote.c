// SPDX-License-Identifier: GPL-2.0
/* Peers as the OpenVPN plugin names them: by remote address. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "peer_list.h"
#include "peer_remote.h"

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
