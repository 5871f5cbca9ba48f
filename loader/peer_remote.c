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
	struct ovpn_peer_ctl_args a = {
		.pk = { instance, peer_id }, .op = OVPN_PEER_CTL_VPN_ADDR, .family = family,
	};
	struct ovpn_vpn_addr va = { .instance = instance, .family = family };
	struct ovpn_peer p;
	__u8 *field;
	size_t len;

	if (ovpn_peer_get(fp, instance, peer_id, &p))
		return -ENOENT;
	field = family == OVPN_AF_INET ? p.vpn_ipv4 : p.vpn_ipv6;
	len = family == OVPN_AF_INET ? 4 : 16;
	memcpy(va.addr, add ? addr : field, len);
	if (!add)
		bpf_map_delete_elem(fp->vpn_addrs_fd, &va);
	if (add)
		memcpy(a.addr, addr, len);
	if (add) {
		int err = ovpn_map_update(fp->vpn_addrs_fd, &va, &peer_id, BPF_ANY);

		if (err)
			return err;
	}
	return ovpn_peer_ctl(fp, &a);
}
