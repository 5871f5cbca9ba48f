// SPDX-License-Identifier: GPL-2.0
/* The OpenVPN sockets whose data packets are offloaded. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "fastpath.h"

int ovpn_socket_add(const struct ovpn_fastpath *fp, const struct ovpn_sockaddr *local,
		    __u32 instance, __u32 vpn_ifindex, __u32 link_ifindex)
{
	struct ovpn_socket s = { .instance = instance, .vpn_ifindex = vpn_ifindex,
				 .link_ifindex = link_ifindex };

	if (local->family != OVPN_AF_INET && local->family != OVPN_AF_INET6)
		return -EAFNOSUPPORT;
	if (!local->port || !vpn_ifindex || !link_ifindex)
		return -EINVAL;
	return ovpn_map_update(fp->sockets_fd, local, &s, BPF_ANY);
}

int ovpn_socket_set_framing(const struct ovpn_fastpath *fp, const struct ovpn_sockaddr *local,
			    __u32 framing)
{
	struct ovpn_socket s;

	if (framing & ~(OVPN_FRAMING_MASK | ~0u << OVPN_FRAG_MAX_SHIFT))
		return -EINVAL;
	if (bpf_map_lookup_elem(fp->sockets_fd, local, &s))
		return -errno;
	s.flags = framing;
	return ovpn_map_update(fp->sockets_fd, local, &s, BPF_EXIST);
}

int ovpn_socket_del(const struct ovpn_fastpath *fp, const struct ovpn_sockaddr *local)
{
	return bpf_map_delete_elem(fp->sockets_fd, local) ? -errno : 0;
}
