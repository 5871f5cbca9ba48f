// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include "netns.h"
#include "testlib.h"

int sh(const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) >/tmp/ovpn-xdp-sh.log 2>&1", cmd);
	rc = system(full);
	if (rc) {
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
		system("cat /tmp/ovpn-xdp-sh.log >&2");
	}
	return rc;
}

void ns_del(const char *name)
{
	sh("ip netns pids %1$s 2>/dev/null | xargs -r kill -9 2>/dev/null; "
	   "ip netns del %1$s 2>/dev/null; true", name);
}

int ns_enter(const char *name)
{
	static int initial = -1;
	char path[256];
	int fd, err = 0;

	if (initial < 0)
		initial = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!name) {
		fd = initial;
	} else {
		snprintf(path, sizeof(path), "/var/run/netns/%s", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	if (name)
		close(fd);
	return err;
}

int ns_tun_open(const char *ns, const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd;

	ns_enter(ns);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr))
		t_fatal("cannot create %s in %s", name, ns ? ns : "the initial namespace");
	ns_enter(NULL);
	return fd;
}
