// SPDX-License-Identifier: GPL-2.0
/* Socket addresses as the control protocol writes them: "a.b.c.d:port",
 * "[v6]:port", or an address alone. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"

int ovx_sockaddr_parse(struct ovx_sockaddr *sa, const char *text)
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
		sa->family = OVX_AF_INET;
	else if (inet_pton(AF_INET6, host, sa->addr) == 1)
		sa->family = OVX_AF_INET6;
	else
		return -EINVAL;
	return 0;
}
