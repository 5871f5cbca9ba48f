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

/* A file descriptor of a private sysfs mount of this network namespace. */
static int sysfs_here(void)
{
	int fs = fsopen("sysfs", FSOPEN_CLOEXEC), mnt = -1;

	if (fs < 0)
		return -errno;
	if (!fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		mnt = -errno;
	close(fs);
	return mnt;
}

int ovpnd_napi_threaded(const char *dev)
{
	char path[64];
	int mnt = sysfs_here(), fd, err = 0;

	if (mnt < 0)
		return mnt;
	snprintf(path, sizeof(path), "class/net/%s/threaded", dev);
	fd = openat(mnt, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1)
		err = -errno;
	if (fd >= 0)
		close(fd);
	close(mnt);
	return err;
}
