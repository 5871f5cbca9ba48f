// SPDX-License-Identifier: GPL-2.0
/* The BPF filesystem the pins live on. A new machine has none mounted on
 * /sys/fs/bpf (systemd mounts one, a bare system or a container may not): the
 * daemon mounts it itself, as bpftool does, and says what to do where it
 * cannot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "daemon.h"

bool ovpnd_bpffs_mounted(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

int ovpnd_bpffs_ensure(const char *path)
{
	int err;

	if (ovpnd_bpffs_mounted(path))
		return 0;
	if (mkdir(path, 0700) && errno != EEXIST) {
		err = -errno;
		goto fail;
	}
	if (mount("bpf", path, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700")) {
		err = -errno;
		goto fail;
	}
	ovpnd_log("mounted bpffs on %s (none was mounted)", path);
	return 0;
fail:
	ovpnd_log("cannot mount bpffs on %s: %s: mount it before starting the daemon "
		  "(`mount -t bpf bpf %s`; in a container, bind-mount the host's %s)",
		  path, strerror(-err), path, path);
	return err;
}
