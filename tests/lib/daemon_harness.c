// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <stdbool.h>
#include <unistd.h>
#include "daemon_harness.h"
#include "netns.h"
#include "testlib.h"

const char *dmn_build_path(const char *prog)
{
	static char path[4][512];
	static int n;
	char exe[400];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *p = path[n++ % 4];

	exe[len > 0 ? len : 0] = 0;
	snprintf(p, 512, "%s/../../%s", dirname(exe), prog);	/* build/tests/<kind>/../.. */
	return p;
}

int dmn_connect(struct dmn *d, struct ovx_ctl_client *c)
{
	struct ovx_ctl_err e = {};

	return ovx_ctl_open(c, d->sock, 2000, &e);
}

void dmn_start(struct dmn *d)
{
	struct ovx_ctl_client c;
	const char *exe = dmn_build_path("ovpn-xdpd");

	d->pid = fork();
	if (d->pid < 0)
		t_fatal("fork: %s", strerror(errno));
	if (!d->pid) {
		if (d->ns && ns_enter(d->ns))
			_exit(127);
		execl(exe, "ovpn-xdpd", "-n", d->name, "-s", d->sock, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (!dmn_connect(d, &c)) {
			ovx_ctl_close(&c);
			return;
		}
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid)
			break;
		usleep(50000);
	}
	d->pid = 0;
	t_fatal("ovpn-xdpd (%s) did not start", exe);
}

void dmn_kill(struct dmn *d, int sig)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, sig);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
}

void dmn_cleanup(struct dmn *d)
{
	char cmd[900], ns[128];

	dmn_kill(d, SIGKILL);
	/* nsenter, not `ip netns exec`: that one hides /sys/fs/bpf. Without
	 * the namespace (gone already), only the pins are left to remove. */
	snprintf(ns, sizeof(ns), "/run/netns/%s", d->ns ? d->ns : "");
	bool in_ns = d->ns && !access(ns, F_OK);

	snprintf(cmd, sizeof(cmd), "%s%s %s -n %s --detach >/dev/null 2>&1",
		 in_ns ? "nsenter --net=" : "", in_ns ? ns : "",
		 dmn_build_path("ovpn-xdpd"), d->name);
	if (system(cmd))
		fprintf(stderr, "cleanup: %s failed\n", cmd);
	unlink(d->sock);
}

/* The attributes of peer @id (PEER_NEW) or of its key (KEY_NEW). */
static void bulk_attrs(struct nlmsghdr *nlh, const char *inst, __u32 id, bool key)
{
	static const __u8 k[32] = { 1, 2, 3 }, iv[8] = { 4 };
	char remote[32], vpn[32];

	if (inst)
		ovx_ctl_put_str(nlh, OVX_A_NAME, inst);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, id);
	if (!key) {
		snprintf(remote, sizeof(remote), "10.%u.%u.%u:1194", 100 + (id >> 16 & 0x7f),
			 id >> 8 & 0xff, id & 0xff);
		snprintf(vpn, sizeof(vpn), "10.%u.%u.%u", id >> 16 & 0xff, id >> 8 & 0xff, id & 0xff);
		ovx_ctl_put_str(nlh, OVX_A_REMOTE, remote);
		ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, vpn);
		return;
	}
	ovx_ctl_put_u32(nlh, OVX_A_SLOT, 0);
	ovx_ctl_put_u32(nlh, OVX_A_KEY_ID, 0);
	ovx_ctl_put_str(nlh, OVX_A_CIPHER, "AES-256-GCM");
	ovx_ctl_put_bin(nlh, OVX_A_ENC_KEY, k, 32);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_KEY, k, 32);
	ovx_ctl_put_bin(nlh, OVX_A_ENC_NONCE, iv, 8);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_NONCE, iv, 8);
}

/* Requests @from.. of the 2n (PEER_NEW, KEY_NEW of each peer) into one
 * message: one request, or a batch of up to OVX_CTL_BATCH_MAX. Returns how
 * many it holds. */
static int bulk_msg(__u8 *buf, const char *inst, __u32 first, int from, int n, bool batch)
{
	struct nlmsghdr *nlh;
	struct nlattr *list, *item;
	int i;

	if (!batch) {
		nlh = ovx_ctl_start(buf, from & 1 ? OVX_CMD_KEY_NEW : OVX_CMD_PEER_NEW, 0);
		bulk_attrs(nlh, inst, first + from / 2, from & 1);
		return 1;
	}
	nlh = ovx_ctl_start(buf, OVX_CMD_BATCH, 0);
	ovx_ctl_put_str(nlh, OVX_A_NAME, inst);
	list = ovx_ctl_nest_start(nlh, OVX_A_BATCH);
	for (i = 0; i < OVX_CTL_BATCH_MAX && from + i < 2 * n; i++) {
		item = ovx_ctl_item_start(nlh, (from + i) & 1 ? OVX_CMD_KEY_NEW : OVX_CMD_PEER_NEW);
		bulk_attrs(nlh, NULL, first + (from + i) / 2, (from + i) & 1);
		ovx_ctl_nest_end(nlh, item);
	}
	ovx_ctl_nest_end(nlh, list);
	return i;
}

/* The KEY_NEW requests that succeeded in the reply just received. */
static int bulk_reply(struct ovx_ctl_client *c, int from, int *reported)
{
	struct ovx_ctl_err e = {};
	const struct nlattr *a;
	int ok = 0, i = 0;

	if (c->msg.nlh->nlmsg_type != OVX_CMD_BATCH) {
		if (!ovx_ctl_reply_status(&c->msg, &e))
			return c->msg.nlh->nlmsg_type == OVX_CMD_KEY_NEW;
		if ((*reported)++ < 3)
			fprintf(stderr, "bulk: %s\n", e.msg);
		return 0;
	}
	if (ovx_ctl_reply_status(&c->msg, &e) && (*reported)++ < 3)
		fprintf(stderr, "bulk: batch: %s\n", e.msg);
	mnl_attr_for_each_nested(a, c->msg.tb[OVX_A_RESULTS]) {
		memset(&e, 0, sizeof(e));
		if (!ovx_ctl_result_status(a, &e))
			ok += (from + i) & 1;
		else if ((*reported)++ < 3)
			fprintf(stderr, "bulk: item %d: %s\n", from + i, e.msg);
		i++;
	}
	return ok;
}

/* @window messages in flight; each reply counted against the first request
 * of its message (@starts, in order). */
static int bulk(struct ovx_ctl_client *c, const char *inst, __u32 first, int n, bool batch,
		int window, double *seconds)
{
	static __u8 buf[OVX_CTL_MSG_MAX];
	struct ovx_ctl_err e = {};
	struct timespec t0, t1;
	int *starts = calloc(window, sizeof(int));
	int sent = 0, nmsg = 0, nrep = 0, ok = 0, reported = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (starts && (sent < 2 * n || nrep < nmsg)) {
		while (sent < 2 * n && nmsg - nrep < window) {
			int from = sent;

			sent += bulk_msg(buf, inst, first, from, n, batch);
			if (ovx_ctl_send(c, (struct nlmsghdr *)buf, &e))
				goto out;
			starts[nmsg++ % window] = from;
		}
		if (ovx_ctl_recv(c, &e))
			goto out;
		if (c->msg.nlh->nlmsg_seq == 0)
			continue;			/* a notification */
		ok += bulk_reply(c, starts[nrep++ % window], &reported);
	}
out:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (e.code)
		fprintf(stderr, "bulk: %s\n", e.msg);
	free(starts);
	return ok;
}

int dmn_bulk_install(struct ovx_ctl_client *c, const char *inst, __u32 first, int n,
		     double *seconds)
{
	return bulk(c, inst, first, n, true, 2, seconds);
}

int dmn_bulk_install_single(struct ovx_ctl_client *c, const char *inst, __u32 first, int n,
			    double *seconds)
{
	return bulk(c, inst, first, n, false, 128, seconds);
}

long dmn_rss_kib(struct dmn *d)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", d->pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}
