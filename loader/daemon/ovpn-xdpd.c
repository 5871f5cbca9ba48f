// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdpd: loads (or takes over) the fast path, attaches it to the devices
 * of the OpenVPN instances it is told about, and serves the control socket.
 * Stopping it leaves everything pinned and attached: traffic keeps flowing
 * and the next daemon takes the state over. --detach removes it all. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "daemon.h"
#include "epoch_refill.h"

enum { TAG_LISTEN, TAG_SIGNAL, TAG_EVENTS, TAG_RTNL };

static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ovpn-xdpd [options]\n\n"
		"The OpenVPN data-channel offload daemon: loads the XDP/TC fast path (or\n"
		"takes over the one pinned by an earlier daemon), attaches it to the devices\n"
		"of the OpenVPN instances its plugin registers, and turns their peers and keys\n"
		"into map updates. It mounts bpffs on /sys/fs/bpf if none is mounted.\n\n"
		"Options:\n"
		"  -n, --name NAME      state under /sys/fs/bpf/ovpn-xdp/NAME (default \"default\")\n"
		"  -s, --socket PATH    control socket (default %s)\n"
		"  -g, --group GROUP    also allow this group on the socket (mode 0660)\n"
		"  -l, --liveness MS    hand a packet per peer to OpenVPN this often (default 1000)\n"
		"  -a, --aes-algo ALGO  AES implementation for new keys (default ecb(aes))\n"
		"  -T, --no-timing      do not measure what a packet costs per cipher at start\n"
		"  -d, --detach         detach every program, remove the pins and exit\n"
		"  -V, --version        the version\n",
		OVX_CTL_DEFAULT_PATH);
}

static int parse_args(int argc, char **argv, struct ovpnd *d)
{
	static const struct option opts[] = {
		{ "name", 1, 0, 'n' }, { "socket", 1, 0, 's' }, { "group", 1, 0, 'g' },
		{ "liveness", 1, 0, 'l' }, { "aes-algo", 1, 0, 'a' }, { "detach", 0, 0, 'd' },
		{ "no-timing", 0, 0, 'T' },
		{ "help", 0, 0, 'h' }, { "version", 0, 0, 'V' }, {},
	};
	struct group *gr;
	int c;

	d->cfg = (struct ovpnd_config){ .name = "default", .sock_path = OVX_CTL_DEFAULT_PATH,
					.liveness_ns = 1000000000ULL };
	while ((c = getopt_long(argc, argv, "n:s:g:l:a:dThV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': d->cfg.name = optarg; break;
		case 's': d->cfg.sock_path = optarg; break;
		case 'g': d->cfg.group = optarg; break;
		case 'l': d->cfg.liveness_ns = strtoull(optarg, NULL, 10) * 1000000ULL; break;
		case 'a': d->cfg.aes_algo = optarg; break;
		case 'd': d->detach = true; break;
		case 'T': d->cfg.no_timing = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("ovpn-xdpd %s\n", OVX_VERSION); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (d->cfg.group) {
		gr = getgrnam(d->cfg.group);
		if (!gr) {
			ovpnd_log("no group '%s'", d->cfg.group);
			return -EINVAL;
		}
		d->gid = gr->gr_gid;
		d->has_group = true;
	}
	return optind == argc ? 0 : -EINVAL;
}

/* --detach with nothing pinned has nothing to do. */
static bool pinned_state(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/ovx_peers", OVPND_PIN_ROOT, name);
	if (!access(path, F_OK))
		return true;
	ovpnd_log("nothing pinned at %s/%s: nothing to detach%s", OVPND_PIN_ROOT, name,
		  ovpnd_bpffs_mounted(OVPND_BPFFS) ? "" : " (no bpffs mounted on " OVPND_BPFFS ")");
	return false;
}

static int epoll_add(struct ovpnd *d, int fd, __u32 tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int setup(struct ovpnd *d)
{
	sigset_t mask;
	int err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	d->rx_buf = malloc(OVX_CTL_MSG_MAX);
	d->tx_buf = malloc(OVX_CTL_MSG_MAX);
	d->ntf_buf = malloc(OVX_CTL_MSG_MAX);
	if (d->signal_fd < 0 || d->epoll_fd < 0 || !d->rx_buf || !d->tx_buf || !d->ntf_buf)
		return -ENOMEM;
	err = ovpnd_ctl_listen(d) ?: ovpnd_events_open(d) ?: ovpnd_rtnl_open(d);
	if (err)
		return err;
	return epoll_add(d, d->listen_fd, TAG_LISTEN) ?: epoll_add(d, d->signal_fd, TAG_SIGNAL) ?:
	       epoll_add(d, ring_buffer__epoll_fd(d->rb), TAG_EVENTS) ?:
	       epoll_add(d, d->rtnl_fd, TAG_RTNL);
}

static void dispatch(struct ovpnd *d, __u32 tag)
{
	switch (tag) {
	case TAG_LISTEN:
		ovpnd_ctl_accept(d);
		break;
	case TAG_SIGNAL:
		d->stop = true;
		break;
	case TAG_EVENTS:
		ovpnd_events_poll(d);
		break;
	case TAG_RTNL:
		ovpnd_rtnl_readable(d);
		break;
	default:
		if (tag >= TAG_CLIENT && tag < TAG_CLIENT + OVPND_MAX_CLIENTS)
			ovpnd_ctl_readable(d, &d->clients[tag - TAG_CLIENT]);
	}
}

/* The sooner of two epoll timeouts (-1: none). */
static int sooner(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static void run(struct ovpnd *d)
{
	struct epoll_event ev[16];

	while (!d->stop) {
		int n = epoll_wait(d->epoll_fd, ev, 16,
				   sooner(sooner(ovpnd_pending_run(d), ovpnd_keepalive_run(d)),
					  ovpnd_missed_run(d)));

		if (n < 0 && errno != EINTR) {
			ovpnd_log("epoll: %s", strerror(errno));
			return;
		}
		for (int i = 0; i < n && !d->stop; i++)
			dispatch(d, ev[i].data.u32);
	}
}

int main(int argc, char **argv)
{
	static struct ovpnd d = { .listen_fd = -1 };
	int err;

	for (int i = 0; i < OVPND_MAX_CLIENTS; i++)
		d.clients[i].fd = -1;
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
	if (parse_args(argc, argv, &d))
		return 2;
	if (d.detach && !pinned_state(d.cfg.name))
		return 0;
	err = ovpnd_bpf_open(&d.b, d.cfg.name, d.cfg.liveness_ns);
	if (err == -ESTALE && !d.detach && !ovpnd_replace_older(&d))
		err = ovpnd_bpf_open(&d.b, d.cfg.name, d.cfg.liveness_ns);
	if (err && d.detach)
		return ovpnd_detach_stale(&d) ? 1 : 0;
	if (err)
		return 1;
	d.b.fp.aes_algo = d.cfg.aes_algo;
	d.b.fp.epoch_chains = ovx_epoch_chains_new();	/* NULL: never refilled (safe) */
	ovpnd_instances_load(&d);
	if (d.detach)
		return ovpnd_detach_all(&d) ? 1 : 0;
	ovpnd_log("%s BPF state at %s", d.b.taken_over ? "took over the" : "loaded and pinned the",
		  d.b.pin_dir);
	ovpnd_instances_check(&d);
	if (d.b.taken_over && ovpnd_keepalive_load(&d) > 0)
		ovpnd_log("keepalive: the timeouts of %u taken-over peers start now", d.ka.live);
	err = setup(&d);
	if (!err && !d.cfg.no_timing)
		ovpnd_calibrate(&d);
	if (!err) {
		ovpnd_log("listening on %s", d.cfg.sock_path);
		run(&d);
	}
	ovpnd_ctl_close(&d);
	ovpnd_events_close(&d);
	if (!err && d.detach)
		err = ovpnd_detach_all(&d);
	else if (!err)
		ovpnd_log("stopping; programs stay attached and state pinned at %s", d.b.pin_dir);
	ovx_epoch_chains_free(d.b.fp.epoch_chains);
	d.b.fp.epoch_chains = NULL;
	ovpnd_bpf_close(&d.b);
	ovpnd_keepalive_free(&d);
	return err ? 1 : 0;
}
