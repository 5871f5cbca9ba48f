// SPDX-License-Identifier: GPL-2.0
/* Addresses, and the OpenVPN sockets whose data packets are offloaded. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "fastpath.h"

int ovpn_sockaddr_parse(struct ovpn_sockaddr *sa, const char *text)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *end;
	unsigned long p = 0;
	size_t n;

	memset(sa, 0, sizeof(*sa));
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end)
			return -EINVAL;
		n = end - text - 1;
		text++;
		port = end[1] == ':' ? end + 2 : end[1] ? "" : NULL;
	} else {
		end = strchr(text, ':');
		if (end && strchr(end + 1, ':'))	/* bare IPv6, no port */
			end = NULL;
		n = end ? (size_t)(end - text) : strlen(text);
		port = end ? end + 1 : NULL;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = 0;
	if (port) {
		char *e;

		p = strtoul(port, &e, 10);
		if (!*port || *e || p > 65535)
			return -EINVAL;
	}
	sa->port = htons(p);
	if (inet_pton(AF_INET, host, sa->addr) == 1)
		sa->family = OVPN_AF_INET;
	else if (inet_pton(AF_INET6, host, sa->addr) == 1)
		sa->family = OVPN_AF_INET6;
	else
		return -EINVAL;
	return 0;
}

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
