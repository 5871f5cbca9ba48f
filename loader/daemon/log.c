// SPDX-License-Identifier: GPL-2.0
/* The daemon's log: one line a message on stderr (journald adds the rest). */
#include <stdarg.h>
#include <stdio.h>
#include "daemon.h"

void ovpnd_log(const char *fmt, ...)
{
	va_list ap;

	fputs("ovpn-xdpd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
