/* SPDX-License-Identifier: GPL-2.0 */
/* ovpn-xdpd: the daemon's state, shared by its files (pin.c, attach.c,
 * instance.c, ctl_server.c, ctl_handlers.c, events.c). */
#ifndef OVX_LOADER_DAEMON_H
#define OVX_LOADER_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>
#include "ctl_req.h"
#include "fastpath.h"

#define OVPND_BPFFS		"/sys/fs/bpf"
#define OVPND_PIN_ROOT		OVPND_BPFFS "/ovpn-xdp"
#define OVPND_INSTANCES_MAP	"ovx_instances"	/* the daemon's own map */
#define OVPND_MAX_INSTANCES	64
#define OVPND_MAX_CLIENTS	64
#define TAG_CLIENT		16	/* epoll tags from here are client slots */

enum ovpnd_prog {
	OVPND_RX_XDP, OVPND_RX_TC, OVPND_TX_TC, OVPND_LINK_EGRESS_TC, OVPND_HELPER_XDP,
	OVPND_NPROGS,
};

/* The programs and maps, pinned under pin_dir. */
struct ovpnd_bpf {
	struct ovx_fastpath fp;
	int instances_fd, events_fd;
	int prog_fd[OVPND_NPROGS];
	char pin_dir[256];
	__u64 liveness_ns;
	bool taken_over;		/* found pinned, not loaded */
	char missing[96];		/* take_over: what another build lacked or laid out otherwise */
};

/* How XDP went onto a link device. */
enum ovpnd_xdp_mode {
	OVPND_XDP_NONE, OVPND_XDP_NATIVE, OVPND_XDP_SKB,
	OVPND_XDP_LEGACY_NATIVE, OVPND_XDP_LEGACY_SKB,
};

#define OVPND_GONE_TUN		(1u << 31)	/* state: bit i for link i */

/* An instance, as kept in the pinned map ovx_instances (so a restarted
 * daemon knows it). */
struct ovpnd_instance {
	__u32 id, mode, p2p_peer_id, flags;	/* OVX_INST_F_*, and OVX_A_FRAMING's
						 * framing from bit 8 on */
	__u32 tun_ifindex;
	__u32 link_ifindex[OVX_CTL_MAX_LINKS];
	__u32 nlinks, naddrs, state;
	__u8 xdp_mode[OVX_CTL_MAX_LINKS];
	char name[OVX_CTL_NAME_MAX];
	char tun[16];
	char links[OVX_CTL_MAX_LINKS][16];
	struct ovx_sockaddr addrs[OVX_CTL_MAX_ADDRS];
};

struct ovpnd_client {
	int fd;
	bool subscribed;
	__u32 owned;			/* instance created with OVX_INST_F_OWNED, or 0 */
};

struct ovpnd_config {
	const char *name;		/* pin directory name */
	const char *sock_path;
	const char *group;		/* NULL: root only */
	__u64 liveness_ns;
	const char *aes_algo;
	bool no_timing;			/* -T: no AEAD timing at start */
};

/* A key or address from the OpenVPN plugin waiting for its peer to show up on
 * the wire (plugin_ctl.c). */
#define OVPND_MAX_PENDING	256
#define OVPND_PENDING_MS	60000
struct ovpnd_pending {
	bool used, is_key;
	__u32 inst;
	__u64 deadline_ms;
	struct ovx_req_plugin pl;
};

/* A peer seen sending with a key the daemon never got (key_missed.c). */
#define OVPND_MAX_MISSED	64
struct ovpnd_missed {
	bool used, seen;
	struct ovx_learn_key k;
	__u64 since_ms;
};

/* Peers with a keepalive timeout (ctl_keepalive.c). */
struct ovpnd_ka {
	__u32 inst, peer_id;
	__u64 armed_ns, due_ns;		/* PEER_SET; when to look next */
};
struct ovpnd_keepalive {
	struct ovpnd_ka *slot;		/* open addressing, cap a power of 2 */
	__u32 cap, live, dead;
	__u64 next_due_ns;
};

/* calib.c: what one packet costs here, per cipher, in ns (0: not measured). */
#define OVPND_CALIB_CIPHERS	3
struct ovpnd_calib {
	__u32 cipher;		/* OVX_CIPHER_* */
	__u32 bpf_ns;		/* the fast path's AEAD */
	__u32 sw_ns;		/* OpenSSL's AEAD, in this process */
};

struct ovpnd {
	struct ovpnd_config cfg;
	struct ovpnd_bpf b;
	/* the instances map, cached in id order (every request looks one up) */
	struct ovpnd_instance inst[OVPND_MAX_INSTANCES];
	unsigned int ninst;
	gid_t gid;
	bool has_group;
	int listen_fd, epoll_fd, signal_fd, rtnl_fd;
	struct mnl_socket *rtnl;
	struct ring_buffer *rb;
	struct ovpnd_client clients[OVPND_MAX_CLIENTS];
	__u8 *rx_buf, *tx_buf, *ntf_buf;
	bool stop, detach;
	unsigned long notify_dropped;
	struct ovpnd_pending pending[OVPND_MAX_PENDING];
	unsigned int npending;
	struct ovpnd_keepalive ka;
	struct ovpnd_missed missed[OVPND_MAX_MISSED];
	__u64 missed_next_ms;
	struct ovpnd_calib calib[OVPND_CALIB_CIPHERS];
};

/* calib.c: measures and logs what a packet costs for each cipher (d->calib). */
void ovpnd_calibrate(struct ovpnd *d);
/* reneg_check.c: one warning line when OpenVPN's reneg-sec (from the plugin)
 * is off, or longer than a key lasts at the fast path's rate. */
void ovpnd_reneg_check(const struct ovpnd *d, const struct ovx_req_instance *ri);

/* csum_helper.c: the instance's checksum helper veth pair (bpf/tx.h). */
int ovpnd_csum_helper_up(struct ovpnd *d, const struct ovpnd_instance *in);
void ovpnd_csum_helper_down(const struct ovpnd_instance *in);
int ovpnd_attach_helper(struct ovpnd_bpf *b, __u32 ifindex, const char *name);
/* qdisc.c: a pfifo root qdisc of @limit packets on @dev (backpressure on a
 * veth); the name of @dev's root qdisc ("noqueue", "pfifo", ...). 0 or -errno. */
int ovpnd_qdisc_pfifo(const char *dev, __u32 limit);
int ovpnd_qdisc_name(const char *dev, char out[16]);
/* rtnl.c: one rtnetlink request, acknowledged; 0 or -errno. */
int ovpnd_rtnl_call(struct nlmsghdr *nlh);
/* napi.c: the device's NAPI in a kernel thread of its own; 0 or -errno. */
int ovpnd_napi_threaded(const char *dev);
/* 1 if it has one, 0 if not, -errno if that cannot be read. */
int ovpnd_napi_is_threaded(const char *dev);

/* plugin_ctl.c: the plugin's KEY_MATERIAL, PEER_ADDR, PEER_GONE, re-registration. */
int ovpnd_key_material(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		       struct nlmsghdr *reply, struct ovx_ctl_err *e);
int ovpnd_peer_addr(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		    struct nlmsghdr *reply, struct ovx_ctl_err *e);
int ovpnd_peer_gone(struct ovpnd *d, struct ovpnd_instance *in, struct ovx_req *r,
		    struct nlmsghdr *reply, struct ovx_ctl_err *e);
/* An owned instance registered again by its OpenVPN (after a restart of the
 * daemon): 0 if @cl now owns it; -ESTALE if its devices are no longer the
 * ones it was made on (deleted: make it anew); -EEXIST if it is not that
 * case. */
int ovpnd_instance_adopt(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
			 struct nlmsghdr *reply, struct ovx_ctl_err *e);
/* Retries what is pending; returns the epoll timeout to use (-1: none). */
int ovpnd_pending_run(struct ovpnd *d);
/* Takes the keys of a peer that sends with a key the daemon never got out of
 * the fast path; returns the epoll timeout to use. */
int ovpnd_missed_run(struct ovpnd *d);

/* bpffs.c: true if @path is a mounted BPF filesystem; ensure mounts one there
 * if none is (0, or -errno after saying what to do). */
bool ovpnd_bpffs_mounted(const char *path);
int ovpnd_bpffs_ensure(const char *path);

/* pin.c: takes the pinned programs and maps over, or loads and pins them.
 * -ESTALE: the pinned state lacks a map or program of this build, or has a
 * map of another layout (said in b->missing): another build's, see
 * ovpnd_replace_older. */
int ovpnd_bpf_open(struct ovpnd_bpf *b, const char *name, __u64 liveness_ns);
void ovpnd_bpf_close(struct ovpnd_bpf *b);
/* Removes the pins (programs stay loaded while attached). */
int ovpnd_bpf_unpin(const char *pin_dir);
/* Removes every pin under @pin_dir, whichever build made them, and the dir. */
int ovpnd_pins_remove(const char *pin_dir);

/* attach.c */
int ovpnd_attach_link(struct ovpnd_bpf *b, __u32 ifindex, const char *name, __u8 *xdp_mode);
void ovpnd_detach_link(__u32 ifindex, const char *name);
int ovpnd_attach_tun(struct ovpnd_bpf *b, __u32 ifindex, const char *name);
void ovpnd_detach_tun(__u32 ifindex);
/* The programs are on the device (found by their name, handle and priority):
 * a device of the same name and index made again has none. */
bool ovpnd_link_attached(__u32 ifindex);
bool ovpnd_tun_attached(__u32 ifindex);
/* Lowers the tun MTU to the smallest link MTU less the encapsulation (at most
 * OVX_AEAD_MAX_LEN); never raises it above OpenVPN's tun-mtu. */
int ovpnd_tun_mtu(const struct ovpnd_instance *in);
int ovpnd_if_mtu(const char *name);
const char *ovpnd_xdp_mode_name(int mode);

/* instance.c */
/* Reads the pinned instances map into the cache. */
int ovpnd_instances_load(struct ovpnd *d);
int ovpnd_instance_get(struct ovpnd *d, __u32 id, struct ovpnd_instance *in);
int ovpnd_instance_resolve(struct ovpnd *d, const struct ovx_req *r,
			   struct ovpnd_instance *in, struct ovx_ctl_err *e);
/* Iteration: 0 and the next instance after id @after (0: the first). */
int ovpnd_instance_next(struct ovpnd *d, __u32 after, struct ovpnd_instance *in);
int ovpnd_instance_new(struct ovpnd *d, const struct ovx_req_instance *ri, __u32 id,
		       struct ovpnd_instance *out, struct ovx_ctl_err *e);
int ovpnd_instance_del(struct ovpnd *d, const struct ovpnd_instance *in);
/* Why a taken-over instance no longer matches its devices, or NULL: a device
 * went away, or was made again under its name and index (a namespace made
 * again numbers its devices the same), so the programs are not on it. */
const char *ovpnd_instance_stale(const struct ovpnd_instance *in);
/* Everything off every device, pins removed. */
int ovpnd_detach_all(struct ovpnd *d);
/* --detach when the pinned state is not this build's (ovpnd_bpf_open failed):
 * detaches what the instances map names, if it is readable, and removes every
 * pin. */
int ovpnd_detach_stale(struct ovpnd *d);
/* The pinned state lacks a map or program of this build (ovpnd_bpf_open:
 * -ESTALE, d->b.missing): taken off the devices and unpinned, with one log
 * line, so that this build's can be loaded. */
int ovpnd_replace_older(struct ovpnd *d);
/* An interface vanished: reports it and marks the instances that used it. */
void ovpnd_link_gone(struct ovpnd *d, __u32 ifindex);
/* At start-up: instances whose devices went away while no daemon ran. */
void ovpnd_instances_check(struct ovpnd *d);

/* ctl_server.c */
int ovpnd_ctl_listen(struct ovpnd *d);
void ovpnd_ctl_accept(struct ovpnd *d);
void ovpnd_ctl_readable(struct ovpnd *d, struct ovpnd_client *cl);
void ovpnd_ctl_close(struct ovpnd *d);

/* notify.c: one message to a client, without waiting (0 or -errno); a
 * notification to every subscriber (a slow one loses it). */
int ovpnd_client_send(struct ovpnd_client *cl, const struct nlmsghdr *msg);
void ovpnd_notify(struct ovpnd *d, const struct nlmsghdr *nlh);
void ovpnd_notify_peer_deleted(struct ovpnd *d, __u32 instance, __u32 peer_id,
			       __u32 reason);
/* log.c: one line on stderr. */
void ovpnd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ctl_handlers.c: applies a decoded request, adds the reply's attributes. */
int ovpnd_handle(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		 struct nlmsghdr *reply, struct ovx_ctl_err *e);
/* ctl_keepalive.c: peers deleted when silent for their keepalive timeout.
 * reserve (may fail: -ENOMEM) before storing a timeout, then arm (timeout 0:
 * forget). run deletes the expired peers and returns the epoll timeout (-1:
 * none); load arms the peers found with a timeout at start-up. */
int ovpnd_keepalive_reserve(struct ovpnd *d);
void ovpnd_keepalive_arm(struct ovpnd *d, __u32 inst, __u32 peer_id, __u32 timeout_s);
void ovpnd_keepalive_forget(struct ovpnd *d, __u32 inst, __u32 peer_id);
int ovpnd_keepalive_run(struct ovpnd *d);
int ovpnd_keepalive_load(struct ovpnd *d);
void ovpnd_keepalive_free(struct ovpnd *d);
/* ctl_batch.c: OVX_CMD_BATCH (items handled with a NULL reply). */
int ovpnd_batch(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		struct nlmsghdr *reply, struct ovx_ctl_err *e);

/* events.c: the fast path's ring buffer and the kernel's link events. */
int ovpnd_events_open(struct ovpnd *d);
void ovpnd_events_poll(struct ovpnd *d);
void ovpnd_events_close(struct ovpnd *d);
int ovpnd_rtnl_open(struct ovpnd *d);
void ovpnd_rtnl_readable(struct ovpnd *d);


#endif
