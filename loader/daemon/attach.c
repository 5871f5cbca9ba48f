// SPDX-License-Identifier: GPL-2.0
/* Putting the programs on devices and taking them off.
 *
 * XDP goes through libxdp's dispatcher, so ovx_rx_xdp runs beside other XDP
 * programs: libxdp loads a program into the dispatcher as a BPF_PROG_TYPE_EXT
 * (freplace) program, which must be loaded for that purpose, so each link
 * gets a fresh copy of bpf/ovx.bpf.c that reuses every pinned map and loads
 * only ovx_rx_xdp. Native mode first, generic (skb) mode if the driver has
 * no XDP. If the dispatcher cannot be used (kernel without freplace, or an
 * incompatible program already attached) the pinned ovx_rx_xdp is attached
 * alone ("legacy" mode). TC programs go on clsact hooks with a fixed handle
 * and priority, so they are found again to be removed. */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "daemon.h"
#include "ovx_epoch.h"
#include "ovx.skel.h"

#define OVPND_TC_HANDLE	0x4f56
#define OVPND_TC_PRIO	0x4f56

static const char *const mode_names[] = {
	[OVPND_XDP_NONE] = "none", [OVPND_XDP_NATIVE] = "native",
	[OVPND_XDP_SKB] = "generic", [OVPND_XDP_LEGACY_NATIVE] = "native (no dispatcher)",
	[OVPND_XDP_LEGACY_SKB] = "generic (no dispatcher)",
};

const char *ovpnd_xdp_mode_name(int mode)
{
	return mode >= 0 && mode <= OVPND_XDP_LEGACY_SKB ? mode_names[mode] : "?";
}

static int tc_attach(__u32 ifindex, enum bpf_tc_attach_point where, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, tc, .prog_fd = prog_fd, .handle = OVPND_TC_HANDLE,
		    .priority = OVPND_TC_PRIO, .flags = BPF_TC_F_REPLACE);
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &tc);
}

static void tc_detach(__u32 ifindex, enum bpf_tc_attach_point where)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, tc, .handle = OVPND_TC_HANDLE, .priority = OVPND_TC_PRIO);

	bpf_tc_detach(&hook, &tc);
}

/* A copy of the object for libxdp: the pinned maps, only ovx_rx_xdp. */
static struct ovx_bpf *xdp_object(struct ovpnd_bpf *b)
{
	struct ovx_bpf *s = ovx_bpf__open();
	struct bpf_program *p;
	struct bpf_map *m;
	char path[512];
	int fd, err = 0;

	if (!s)
		return NULL;
	s->rodata->ovx_liveness_ns = b->liveness_ns;
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, p == s->progs.ovx_rx_xdp);
	bpf_object__for_each_map(m, s->obj) {
		if (err || bpf_map__is_internal(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->pin_dir, bpf_map__name(m));
		fd = bpf_obj_get(path);
		err = fd < 0 ? -errno : bpf_map__reuse_fd(m, fd);
		if (fd >= 0)
			close(fd);
	}
	if (err) {
		ovx_bpf__destroy(s);
		errno = -err;
		return NULL;
	}
	return s;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* libxdp may itself fall back to a single program: say what it did. */
static void xdp_mode_check(__u32 ifindex, __u8 *mode)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	if (!libxdp_get_error(mp) && mp && xdp_multiprog__is_legacy(mp))
		*mode = *mode == OVPND_XDP_NATIVE ? OVPND_XDP_LEGACY_NATIVE : OVPND_XDP_LEGACY_SKB;
	if (!libxdp_get_error(mp))
		xdp_multiprog__close(mp);
}

static int xdp_dispatcher_attach(struct ovpnd_bpf *b, __u32 ifindex, __u8 *mode)
{
	libbpf_print_fn_t old;
	struct ovx_bpf *s = xdp_object(b);
	struct xdp_program *xp;
	int err;

	if (!s)
		return -errno;
	old = libbpf_set_print(quiet);		/* libxdp's probing is noisy */
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .obj = s->obj,
			    .prog_name = "ovx_rx_xdp");
	xp = xdp_program__create(&opts);
	err = libxdp_get_error(xp);
	if (!err) {
		err = xdp_program__attach(xp, ifindex, XDP_MODE_NATIVE, 0);
		*mode = OVPND_XDP_NATIVE;
		if (err) {
			err = xdp_program__attach(xp, ifindex, XDP_MODE_SKB, 0);
			*mode = OVPND_XDP_SKB;
		}
		xdp_program__close(xp);
	}
	libbpf_set_print(old);
	ovx_bpf__destroy(s);
	if (!err)
		xdp_mode_check(ifindex, mode);
	return err;
}

static int xdp_legacy_attach(struct ovpnd_bpf *b, __u32 ifindex, __u8 *mode)
{
	int fd = b->prog_fd[OVPND_RX_XDP];

	*mode = OVPND_XDP_LEGACY_NATIVE;
	if (!bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL))
		return 0;
	*mode = OVPND_XDP_LEGACY_SKB;
	return bpf_xdp_attach(ifindex, fd, XDP_FLAGS_SKB_MODE, NULL) ? -errno : 0;
}

/* Decrypted packets reach the stack through the link's receive path: with GRO
 * off (veth's default) each TCP segment travels the stack alone. Say so. */
static void gro_hint(const char *name)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GGRO };
	struct ifreq ifr = { .ifr_data = (void *)&ev };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd >= 0 && !ioctl(fd, SIOCETHTOOL, &ifr) && !ev.data)
		ovpnd_log("%s: GRO is off, so decrypted TCP is not coalesced "
			  "(ethtool -K %s gro on)", name, name);
	if (fd >= 0)
		close(fd);
}

static bool is_veth(const char *name)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (void *)&di };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool veth;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	veth = fd >= 0 && !ioctl(fd, SIOCETHTOOL, &ifr) && !strcmp(di.driver, "veth");
	if (fd >= 0)
		close(fd);
	return veth;
}

/* A veth without a NAPI thread decrypts in the context of whatever sent the
 * packet, on its CPU (a NIC has interrupts for that). Say so. */
static void napi_hint(const char *name)
{
	if (is_veth(name) && !ovpnd_napi_is_threaded(name))
		ovpnd_log("%s: a veth without a NAPI thread: decryption runs on the sending "
			  "side's CPU (echo 1 > /sys/class/net/%s/threaded)", name, name);
}

/* A veth without a queue drops what its peer's ring cannot take: under a
 * saturating stream TCP then retransmits. With one it pushes back. Say so. */
static void qdisc_hint(const char *name)
{
	char q[16];

	if (is_veth(name) && !ovpnd_qdisc_name(name, q) && !strcmp(q, "noqueue"))
		ovpnd_log("%s: a veth without a queue drops under load instead of pushing "
			  "back (tc qdisc replace dev %s root pfifo limit 1000)", name, name);
}

/* A veth with TSO on hands the packets TX seals (they have no socket) to its
 * peer's per-CPU backlogs rather than its NAPI ring, and each CPU's backlog
 * drains on its own: a peer's packet-ids arrived up to 63 apart at stock
 * clients (their replay window is 64), against none with TSO off. Say so. */
static void tso_hint(const char *name)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GTSO };
	struct ifreq ifr = { .ifr_data = (void *)&ev };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd >= 0 && is_veth(name) && !ioctl(fd, SIOCETHTOOL, &ifr) && ev.data)
		ovpnd_log("%s: a veth with TSO on: what the fast path sends reaches the other "
			  "side through per-CPU backlogs, out of order (ethtool -K %s tso off)",
			  name, name);
	if (fd >= 0)
		close(fd);
}

int ovpnd_attach_link(struct ovpnd_bpf *b, __u32 ifindex, const char *name, __u8 *mode)
{
	int err = xdp_dispatcher_attach(b, ifindex, mode);

	if (err) {
		ovpnd_log("%s: libxdp dispatcher refused ovx_rx_xdp (%s); attaching it alone",
			  name, strerror(-err));
		err = xdp_legacy_attach(b, ifindex, mode);
	}
	if (err) {
		ovpnd_log("%s: cannot attach XDP: %s", name, strerror(-err));
		*mode = OVPND_XDP_NONE;
		return err;
	}
	err = tc_attach(ifindex, BPF_TC_INGRESS, b->prog_fd[OVPND_RX_TC]) ?:
	      tc_attach(ifindex, BPF_TC_EGRESS, b->prog_fd[OVPND_LINK_EGRESS_TC]);
	if (err) {
		ovpnd_log("%s: cannot attach TC programs: %s", name, strerror(-err));
		ovpnd_detach_link(ifindex, name);
		*mode = OVPND_XDP_NONE;
		return err;
	}
	ovpnd_log("%s: XDP attached (%s), TC ingress and egress attached", name,
		  ovpnd_xdp_mode_name(*mode));
	gro_hint(name);
	napi_hint(name);
	qdisc_hint(name);
	tso_hint(name);
	return 0;
}

/* ovx_rx_xdp among what @mp runs: alone (legacy) or in the dispatcher. */
static struct xdp_program *xdp_rx_prog(struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), "ovx_rx_xdp") ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), "ovx_rx_xdp"))
			return p;
	return NULL;
}

static void xdp_detach(__u32 ifindex, const char *name)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;

	if (libxdp_get_error(mp) || !mp)
		return;
	p = xdp_rx_prog(mp);
	if (p && xdp_multiprog__is_legacy(mp))
		xdp_multiprog__detach(mp);
	else if (p && xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0))
		ovpnd_log("%s: cannot detach XDP", name);
	xdp_multiprog__close(mp);
}

static bool xdp_attached(__u32 ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	bool found;

	if (libxdp_get_error(mp) || !mp)
		return false;
	found = xdp_rx_prog(mp);
	xdp_multiprog__close(mp);
	return found;
}

static bool tc_attached(__u32 ifindex, enum bpf_tc_attach_point where)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, tc, .handle = OVPND_TC_HANDLE, .priority = OVPND_TC_PRIO);
	libbpf_print_fn_t old = libbpf_set_print(quiet);	/* "not found" is an answer */
	int err = bpf_tc_query(&hook, &tc);

	libbpf_set_print(old);
	return !err;
}

bool ovpnd_link_attached(__u32 ifindex)
{
	return xdp_attached(ifindex) && tc_attached(ifindex, BPF_TC_INGRESS) &&
	       tc_attached(ifindex, BPF_TC_EGRESS);
}

bool ovpnd_tun_attached(__u32 ifindex)
{
	return tc_attached(ifindex, BPF_TC_EGRESS);
}

void ovpnd_detach_link(__u32 ifindex, const char *name)
{
	xdp_detach(ifindex, name);
	tc_detach(ifindex, BPF_TC_INGRESS);
	tc_detach(ifindex, BPF_TC_EGRESS);
}

int ovpnd_attach_tun(struct ovpnd_bpf *b, __u32 ifindex, const char *name)
{
	int err = tc_attach(ifindex, BPF_TC_EGRESS, b->prog_fd[OVPND_TX_TC]);

	if (err)
		ovpnd_log("%s: cannot attach TC egress: %s", name, strerror(-err));
	return err;
}

/* TX at the helper's TC ingress; its NAPI in a thread (ovx_helper_xdp says
 * why), or TX stays on the sender's CPU: slower, not wrong. */
int ovpnd_attach_helper(struct ovpnd_bpf *b, __u32 ifindex, const char *name)
{
	int err = tc_attach(ifindex, BPF_TC_INGRESS, b->prog_fd[OVPND_TX_TC]), why;

	if (err) {
		ovpnd_log("%s: cannot attach TC ingress: %s", name, strerror(-err));
		return err;
	}
	if (b->prog_fd[OVPND_HELPER_XDP] < 0) {
		ovpnd_log("%s: no NAPI thread (the pinned programs predate ovx_helper_xdp: "
			  "restart after `ovpn-xdpd --detach` for it): TX of this host's TCP "
			  "runs on the sender's CPU", name);
		return 0;
	}
	why = bpf_xdp_attach(ifindex, b->prog_fd[OVPND_HELPER_XDP], XDP_FLAGS_DRV_MODE, NULL) ?
	      -errno : ovpnd_napi_threaded(name);
	if (why)
		ovpnd_log("%s: no NAPI thread (%s): TX of this host's TCP runs on the "
			  "sender's CPU", name, strerror(-why));
	return 0;
}

void ovpnd_detach_tun(__u32 ifindex)
{
	tc_detach(ifindex, BPF_TC_EGRESS);
}

static int mtu_ioctl(const char *name, unsigned long req, int *mtu)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = *mtu;
	if (ioctl(fd, req, &ifr))
		err = -errno;
	*mtu = ifr.ifr_mtu;
	close(fd);
	return err;
}

int ovpnd_if_mtu(const char *name)
{
	int mtu = 0, err = mtu_ioctl(name, SIOCGIFMTU, &mtu);

	return err ? err : mtu;
}

/* See bpf/tx.h: a packet too big for the link once encapsulated cannot be
 * sent, so the tun device's MTU leaves room for the outer headers: IP, UDP
 * and the larger of the two data formats' overheads (OpenVPN 2.7's epoch
 * format: 28 bytes, 2.6: 24), whichever a peer's key turns out to use. */
#define TUN_OVERHEAD_IPV4	(20 + 8 + OVX_EPOCH_OVERHEAD)
#define TUN_OVERHEAD_IPV6	(40 + 8 + OVX_EPOCH_OVERHEAD)
/* The most the fast path seals in either format (bpf/tx_epoch.h). */
#define TUN_MTU_MAX		(OVX_AEAD_MAX_LEN - (OVX_EPOCH_OVERHEAD - OVX_DATA_HDR_LEN))

/* Bytes OpenVPN's framing adds around a packet (bpf/framing.h). With
 * --fragment the MTU stays above what it sends whole, as OpenVPN's does
 * (IPv6 needs 1280): bigger packets go to OpenVPN, which fragments them, and
 * OpenVPN's --mssfix (the fragment size by default) keeps TCP within it. */
static int framing_len(__u32 f)
{
	return (f & OVX_FRAMING_FRAGMENT ? OVX_FRAG_HLEN : 0) +
	       (f & (OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP) ? 1 : 0);
}

int ovpnd_tun_mtu(const struct ovpnd_instance *in)
{
	int link_mtu = 0, overhead = TUN_OVERHEAD_IPV4, cur, want, err;

	for (unsigned int i = 0; i < in->naddrs; i++)
		if (in->addrs[i].family == OVX_AF_INET6)
			overhead = TUN_OVERHEAD_IPV6;
	for (unsigned int i = 0; i < in->nlinks; i++) {
		int m = ovpnd_if_mtu(in->links[i]);

		if (m > 0 && (!link_mtu || m < link_mtu))
			link_mtu = m;
	}
	cur = ovpnd_if_mtu(in->tun);
	if (link_mtu <= overhead || cur < 0)
		return -EINVAL;
	want = link_mtu - overhead - framing_len(in->flags);
	if (want > TUN_MTU_MAX)
		want = TUN_MTU_MAX;

	if (cur <= want)	/* never above OpenVPN's own tun-mtu: it reads the rest */
		return 0;
	err = mtu_ioctl(in->tun, SIOCSIFMTU, &want);
	if (err)
		ovpnd_log("%s: cannot set MTU %d: %s", in->tun, want, strerror(-err));
	else if (want == link_mtu - overhead - framing_len(in->flags))
		ovpnd_log("%s: MTU %d -> %d (link MTU %d - %d for %s outer headers%s)", in->tun,
			  cur, want, link_mtu, overhead, overhead == TUN_OVERHEAD_IPV4 ? "IPv4" : "IPv6",
			  framing_len(in->flags) ? " and the framing" : "");
	else
		ovpnd_log("%s: MTU %d -> %d (the most the fast path seals)", in->tun, cur, want);
	return err;
}
