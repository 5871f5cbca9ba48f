// SPDX-License-Identifier: GPL-2.0
/* The fast path's programs and maps, pinned by name under
 * /sys/fs/bpf/ovpn-xdp/<name>/: a daemon finds them there and takes them
 * over (peers, keys and counters survive it), or loads bpf/ovx.bpf.c and
 * pins them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "daemon.h"
#include "ovx.skel.h"

static const char *const prog_names[OVPND_NPROGS] = {
	[OVPND_RX_XDP] = "ovx_rx_xdp",
	[OVPND_RX_TC] = "ovx_rx_tc",
	[OVPND_TX_TC] = "ovx_tx_tc",
	[OVPND_LINK_EGRESS_TC] = "ovx_link_egress_tc",
	[OVPND_HELPER_XDP] = "ovx_helper_xdp",
};

/* Pinned, besides the programs above: the control programs. */
static const char *const ctl_prog_names[] = {
	"ovx_key_set_aes", "ovx_key_ctl", "ovx_peer_ctl", "ovx_epoch_set_aes",
};

static int pin_path(char *buf, size_t n, const char *dir, const char *name)
{
	return snprintf(buf, n, "%s/%s", dir, name) >= (int)n ? -ENAMETOOLONG : 0;
}

static int pinned_get(const char *dir, const char *name)
{
	char path[512];
	int fd;

	if (pin_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static int mkdirs(const char *dir)
{
	if (mkdir(OVPND_PIN_ROOT, 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A pinned map must have the layout this build expects. */
/* -ESTALE: @fd is another build's map of the same name (another layout),
 * which can be replaced as an older build's state is. */
static int map_compatible(struct ovpnd_bpf *b, int fd, const struct bpf_map *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.key_size == bpf_map__key_size(m) && info.value_size == bpf_map__value_size(m) &&
	    info.type == bpf_map__type(m))
		return 0;
	snprintf(b->missing, sizeof(b->missing), "%s of %u-byte values, this build's %u",
		 bpf_map__name(m), info.value_size, bpf_map__value_size(m));
	return -ESTALE;
}

static int fp_map_fd(struct ovpnd_bpf *b, const char *name, int fd)
{
	static const struct { const char *name; size_t off; } maps[] = {
#define M(n, f) { n, offsetof(struct ovx_fastpath, f) }
		M("ovx_sockets", sockets_fd), M("ovx_peers", peers_fd),
		M("ovx_keys", keys_fd), M("ovx_peer_stats", peer_stats_fd),
		M("ovx_global_stats", global_stats_fd), M("ovx_ifaces", ifaces_fd),
		M("ovx_vpn_addrs", vpn_addrs_fd), M("ovx_routes4", routes4_fd),
		M("ovx_routes6", routes6_fd), M("ovx_route_lens", route_lens_fd),
		M("ovx_learn", learn_fd), M("ovx_epoch_slots", epoch_slots_fd),
		M("ovx_epoch_states", epoch_states_fd),
#undef M
	};

	if (!strcmp(name, "ovx_events")) {
		b->events_fd = fd;
		return 1;
	}
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		if (!strcmp(name, maps[i].name)) {
			*(int *)((char *)&b->fp + maps[i].off) = fd;
			return 1;
		}
	return 0;
}

/* Opens every pin the skeleton @s names. -ESTALE: a map or control program
 * of this build is not pinned, or pinned with another layout (another
 * build's state), which can be replaced. */
static int take_over(struct ovpnd_bpf *b, struct ovx_bpf *s)
{
	struct bpf_map *m;
	int fd, err;

	bpf_object__for_each_map(m, s->obj) {
		if (bpf_map__is_internal(m))
			continue;
		fd = pinned_get(b->pin_dir, bpf_map__name(m));
		if (fd == -ENOENT && b->taken_over) {
			snprintf(b->missing, sizeof(b->missing), "no %s", bpf_map__name(m));

			return -ESTALE;
		}
		if (fd < 0)
			goto missing;
		err = map_compatible(b, fd, m);
		if (!fp_map_fd(b, bpf_map__name(m), fd))
			close(fd);		/* scratch maps: the programs hold them */
		if (err)
			return err;
	}
	for (int i = 0; i < OVPND_NPROGS; i++) {
		b->prog_fd[i] = pinned_get(b->pin_dir, prog_names[i]);
		/* an older build's state has no helper program: still usable */
		if (b->prog_fd[i] < 0 && i != OVPND_HELPER_XDP)
			goto missing;
	}
	b->fp.set_aes_fd = pinned_get(b->pin_dir, ctl_prog_names[0]);
	b->fp.key_ctl_fd = pinned_get(b->pin_dir, ctl_prog_names[1]);
	b->fp.peer_ctl_fd = pinned_get(b->pin_dir, ctl_prog_names[2]);
	b->fp.epoch_aes_fd = pinned_get(b->pin_dir, ctl_prog_names[3]);
	b->instances_fd = pinned_get(b->pin_dir, OVPND_INSTANCES_MAP);
	if (b->fp.epoch_aes_fd == -ENOENT && b->taken_over) {
		snprintf(b->missing, sizeof(b->missing), "no %s", ctl_prog_names[3]);
		return -ESTALE;
	}
	if (b->fp.set_aes_fd < 0 || b->fp.epoch_aes_fd < 0 || b->fp.key_ctl_fd < 0 || b->fp.peer_ctl_fd < 0 ||
	    b->instances_fd < 0)
		goto missing;
	return 0;
missing:
	ovpnd_log("pinned state under %s is incomplete: remove it with "
		  "`ovpn-xdpd --name ... --detach` and start again", b->pin_dir);
	return -ENOENT;
}

static void unpin_all(const char *dir, struct ovx_bpf *s)
{
	char path[512];
	struct bpf_map *m;
	struct bpf_program *p;

	bpf_object__for_each_map(m, s->obj)
		if (!bpf_map__is_internal(m) && !pin_path(path, sizeof(path), dir, bpf_map__name(m)))
			unlink(path);
	bpf_object__for_each_program(p, s->obj)
		if (!pin_path(path, sizeof(path), dir, bpf_program__name(p)))
			unlink(path);
	if (!pin_path(path, sizeof(path), dir, OVPND_INSTANCES_MAP))
		unlink(path);
}

static int instances_map_pin(const char *dir)
{
	char path[512];
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, OVPND_INSTANCES_MAP, sizeof(__u32),
				sizeof(struct ovpnd_instance), OVPND_MAX_INSTANCES, NULL);
	int err = 0;

	if (fd < 0)
		return -errno;
	pin_path(path, sizeof(path), dir, OVPND_INSTANCES_MAP);
	if (bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

/* Loads the object and pins it; ovx_peers last, as the mark of a complete
 * set. */
static int load_and_pin(struct ovpnd_bpf *b, struct ovx_bpf *s)
{
	char path[512];
	struct bpf_map *m;
	struct bpf_program *p;
	int err;

	unpin_all(b->pin_dir, s);		/* leftovers of an interrupted pinning */
	s->rodata->ovx_liveness_ns = b->liveness_ns;
	err = ovx_bpf__load(s);
	if (err) {
		ovpnd_log("cannot load the BPF programs: %s (root and Linux 6.10+ needed)",
			  strerror(-err));
		return err;
	}
	err = instances_map_pin(b->pin_dir);
	bpf_object__for_each_program(p, s->obj) {
		if (err)
			break;
		pin_path(path, sizeof(path), b->pin_dir, bpf_program__name(p));
		err = bpf_program__pin(p, path);
	}
	bpf_object__for_each_map(m, s->obj) {
		if (err || bpf_map__is_internal(m) || m == s->maps.ovx_peers)
			continue;
		pin_path(path, sizeof(path), b->pin_dir, bpf_map__name(m));
		err = bpf_map__pin(m, path);
	}
	if (!err) {
		pin_path(path, sizeof(path), b->pin_dir, "ovx_peers");
		err = bpf_map__pin(s->maps.ovx_peers, path);
	}
	if (err) {
		ovpnd_log("cannot pin under %s: %s", b->pin_dir, strerror(-err));
		unpin_all(b->pin_dir, s);
	}
	return err;
}

int ovpnd_bpf_open(struct ovpnd_bpf *b, const char *name, __u64 liveness_ns)
{
	struct ovx_bpf *s;
	char path[512];
	int err;

	memset(b, 0, sizeof(*b));
	b->liveness_ns = liveness_ns;
	if (!*name || strchr(name, '/') || strlen(name) > 64)
		return -EINVAL;
	snprintf(b->pin_dir, sizeof(b->pin_dir), "%s/%s", OVPND_PIN_ROOT, name);
	err = ovpnd_bpffs_ensure(OVPND_BPFFS);
	if (err)
		return err;
	err = mkdirs(b->pin_dir);
	if (err) {
		ovpnd_log("cannot create %s: %s", b->pin_dir, strerror(-err));
		return err;
	}
	s = ovx_bpf__open();
	if (!s)
		return -errno;
	pin_path(path, sizeof(path), b->pin_dir, "ovx_peers");
	b->taken_over = !access(path, F_OK);
	err = b->taken_over ? 0 : load_and_pin(b, s);
	if (!err)
		err = take_over(b, s);
	ovx_bpf__destroy(s);
	if (err)
		ovpnd_bpf_close(b);
	return err;
}

void ovpnd_bpf_close(struct ovpnd_bpf *b)
{
	int *fds[] = {
		&b->fp.sockets_fd, &b->fp.peers_fd, &b->fp.keys_fd, &b->fp.peer_stats_fd,
		&b->fp.global_stats_fd, &b->fp.ifaces_fd, &b->fp.vpn_addrs_fd,
		&b->fp.routes4_fd, &b->fp.routes6_fd, &b->fp.route_lens_fd, &b->fp.learn_fd,
		&b->fp.set_aes_fd, &b->fp.key_ctl_fd, &b->fp.peer_ctl_fd,
		&b->fp.epoch_slots_fd, &b->fp.epoch_states_fd, &b->fp.epoch_aes_fd,
		&b->instances_fd, &b->events_fd,
	};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] > 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	for (int i = 0; i < OVPND_NPROGS; i++) {
		if (b->prog_fd[i] > 0)
			close(b->prog_fd[i]);
		b->prog_fd[i] = -1;
	}
}

int ovpnd_bpf_unpin(const char *pin_dir)
{
	struct ovx_bpf *s = ovx_bpf__open();

	if (!s)
		return -errno;
	unpin_all(pin_dir, s);
	ovx_bpf__destroy(s);
	if (rmdir(pin_dir) && errno != ENOENT)
		return -errno;
	rmdir(OVPND_PIN_ROOT);		/* if no other instance uses it */
	return 0;
}

int ovpnd_pins_remove(const char *pin_dir)
{
	DIR *dir = opendir(pin_dir);
	struct dirent *e;
	char path[512];

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.' && !pin_path(path, sizeof(path), pin_dir, e->d_name))
			unlink(path);
	closedir(dir);
	if (rmdir(pin_dir) && errno != ENOENT)
		return -errno;
	rmdir(OVPND_PIN_ROOT);		/* if no other instance uses it */
	return 0;
}
