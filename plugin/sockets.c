// SPDX-License-Identifier: GPL-2.0
/* OpenVPN's own UDP sockets, found from inside its process: the daemon needs
 * their local address and port (a client binds an ephemeral port, and no
 * plugin environment names it). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include "plugin.h"

/* Writes "addr:port" of the first UDP socket of this process with a port
 * into @out; returns 0, or -1 if there is none. */
int plugin_udp_socket(char *out, size_t size)
{
	for (int fd = 3; fd < 1024; fd++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int type = 0;
		socklen_t tl = sizeof(type);
		char a[INET6_ADDRSTRLEN];

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) || type != SOCK_DGRAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &sl))
			continue;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (void *)&ss;

			if (!s4->sin_port)
				continue;
			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
			snprintf(out, size, "%s:%u", a, ntohs(s4->sin_port));
			return 0;
		}
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (void *)&ss;

			if (!s6->sin6_port)
				continue;
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			snprintf(out, size, "[%s]:%u", a, ntohs(s6->sin6_port));
			return 0;
		}
	}
	return -1;
}
