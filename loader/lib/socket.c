// SPDX-License-Identifier: GPL-2.0
/* The OpenVPN sockets whose data packets are offloaded. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "fastpath.h"

int ovx_socket_add(const struct ovx_fastpath *fp, const struct ovx_sockaddr *local,
		    __u32 instance, __u32 vpn_ifindex, __u32 link_ifindex)
{
	struct ovx_socket s = { .instance = instance, .vpn_ifindex = vpn_ifindex,
				 .link_ifindex = link_ifindex };

	if (local->family != OVX_AF_INET && local->family != OVX_AF_INET6)
		return -EAFNOSUPPORT;
	if (!local->port || !vpn_ifindex || !link_ifindex)
		return -EINVAL;
	return ovx_map_update(fp->sockets_fd, local, &s, BPF_ANY);
}

int ovx_socket_set_framing(const struct ovx_fastpath *fp, const struct ovx_sockaddr *local,
			    __u32 framing)
{
	struct ovx_socket s;

	if (framing & ~(OVX_FRAMING_MASK | ~0u << OVX_FRAG_MAX_SHIFT))
		return -EINVAL;
	if (bpf_map_lookup_elem(fp->sockets_fd, local, &s))
		return -errno;
	s.flags = framing;
	return ovx_map_update(fp->sockets_fd, local, &s, BPF_EXIST);
}

int ovx_socket_del(const struct ovx_fastpath *fp, const struct ovx_sockaddr *local)
{
	return bpf_map_delete_elem(fp->sockets_fd, local) ? -errno : 0;
}
