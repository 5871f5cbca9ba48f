// SPDX-License-Identifier: GPL-2.0
/* A device's NAPI polled in a kernel thread of its own
 * (/sys/class/net/<dev>/threaded), so the scheduler can run it on another CPU
 * than the code that queued the packets.
 *
 * /sys shows the network namespace of whoever mounted it, which need not be
 * the daemon's (`nsenter --net` keeps the host's /sys). So the file is reached
 * through a sysfs mount made here and never attached to the tree: a new
 * sysfs instance belongs to the caller's namespace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "daemon.h"

/* /sys/class/net/<dev>/threaded of this network namespace, opened. */
static int threaded_open(const char *dev, int flags)
{
	int fs = fsopen("sysfs", FSOPEN_CLOEXEC), mnt = -1, fd;
	char path[64];

	if (fs < 0)
		return -errno;
	if (!fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	fd = mnt < 0 ? -errno : 0;
	close(fs);
	if (fd)
		return fd;
	snprintf(path, sizeof(path), "class/net/%s/threaded", dev);
	fd = openat(mnt, path, flags | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(mnt);
	return fd;
}

int ovpnd_napi_threaded(const char *dev)
{
	int fd = threaded_open(dev, O_WRONLY), err = 0;

	if (fd < 0)
		return fd;
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

int ovpnd_napi_is_threaded(const char *dev)
{
	int fd = threaded_open(dev, O_RDONLY);
	char c = 0;

	if (fd < 0)
		return fd;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '0' ? 0 : c >= '1' && c <= '9' ? 1 : -EIO;
}
