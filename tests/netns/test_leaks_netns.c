// SPDX-License-Identifier: GPL-2.0
/* Memory over many peer lifetimes. The daemon, built with AddressSanitizer
 * (build/asan/ovpn-xdpd; LeakSanitizer checks when it exits), runs in a
 * namespace: 1,000 warm-up and then 10,000 cycles of PEER_NEW, KEY_NEW into
 * both slots and PEER_DEL through its socket. Then the plugin's code
 * (build/asan/plugin_drive, also under LeakSanitizer) goes through 10,000
 * client connects, key captures, learnt addresses and disconnects against
 * the daemon. Checked: the daemon's resident memory does not grow over the
 * 10,000 cycles, the plugin's heap does not grow, neither leaks (exit
 * status and report), no key or peer is left in the maps, and the kernel's
 * unreclaimable slab (AES contexts of the 20,000 keys, map elements) is back
 * where it started (checked when no other daemon or OpenVPN ran meanwhile:
 * the figure is the machine's). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ctl_client.h"
#include "daemon_harness.h"
#include "netns.h"
#include "testlib.h"

#define NS	"ovxm-srv"
#define DIR	"/tmp/ovpnxdp-leaktest"
#define SOCK	DIR "/ctl.sock"
#define LOG	DIR "/daemon.log"
#define WARMUP	1000
#define CYCLES	10000
#define WINDOW	64		/* requests in flight */

static struct dmn dmn = { .ns = NS, .name = "leaktest", .sock = SOCK };
static struct ovx_ctl_client cl;
static int tun_fd[2];

static void cleanup(void)
{
	ovx_ctl_close(&cl);
	dmn_cleanup(&dmn);
	ns_del(NS);
}

static void topo(void)
{
	cleanup();
	if (sh("ip netns add " NS " && ip -n " NS " link set lo up && "
	       "ip -n " NS " link add m-s type veth peer name m-p && "
	       "ip -n " NS " addr add 10.97.0.1/16 dev m-s && "
	       "ip -n " NS " link set m-s up && ip -n " NS " link set m-p up"))
		t_fatal("cannot build the namespace (root and iproute2 needed)");
	tun_fd[0] = ns_tun_open(NS, "tun-m");
	tun_fd[1] = ns_tun_open(NS, "tun-p");
	sh("ip -n " NS " link set tun-m up && ip -n " NS " link set tun-p up");
}

/* The ASan daemon, its stderr into LOG; exit code 23 on a leak. */
static void daemon_start(void)
{
	struct ovx_ctl_err e = {};

	dmn.pid = fork();
	if (!dmn.pid) {
		int log = open(LOG, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(log, 2);
		setenv("ASAN_OPTIONS", "detect_leaks=1:exitcode=23:quarantine_size_mb=0", 1);
		if (ns_enter(NS) == 0)
			execl(dmn_build_path("asan/ovpn-xdpd"), "ovpn-xdpd", "-n", dmn.name, "-s",
			      SOCK, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++, usleep(50000))
		if (!ovx_ctl_open(&cl, SOCK, 2000, &e))
			return;
	t_fatal("the ASan daemon did not start (see " LOG ")");
}

static void put_key(__u8 *b, __u32 peer, __u32 slot)
{
	static const __u8 k[32] = { 7 }, iv[8] = { 1 };
	struct nlmsghdr *nlh = ovx_ctl_start(b, OVX_CMD_KEY_NEW, 0);

	ovx_ctl_put_str(nlh, OVX_A_NAME, "mem");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, peer);
	ovx_ctl_put_u32(nlh, OVX_A_SLOT, slot);
	ovx_ctl_put_u32(nlh, OVX_A_KEY_ID, slot);
	ovx_ctl_put_str(nlh, OVX_A_CIPHER, slot ? "CHACHA20-POLY1305" : "AES-256-GCM");
	ovx_ctl_put_bin(nlh, OVX_A_ENC_KEY, k, 32);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_KEY, k, 32);
	ovx_ctl_put_bin(nlh, OVX_A_ENC_NONCE, iv, 8);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_NONCE, iv, 8);
}

/* Request @n of the cycles: PEER_NEW, KEY_NEW (two slots), PEER_DEL. */
static void cycle_msg(__u8 *b, long n)
{
	__u32 peer = 1 + (n / 4) % 1000;
	struct nlmsghdr *nlh;
	char remote[32];

	if (n % 4 == 1 || n % 4 == 2) {
		put_key(b, peer, n % 4 - 1);
		return;
	}
	nlh = ovx_ctl_start(b, n % 4 ? OVX_CMD_PEER_DEL : OVX_CMD_PEER_NEW, 0);
	ovx_ctl_put_str(nlh, OVX_A_NAME, "mem");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, peer);
	if (n % 4 == 0) {
		snprintf(remote, sizeof(remote), "10.97.%u.%u:1194", 1 + peer / 250, peer % 250);
		ovx_ctl_put_str(nlh, OVX_A_REMOTE, remote);
	}
}

/* @cycles cycles, pipelined; returns the failed requests. */
static long cycles(long first, long cycles)
{
	struct ovx_ctl_err e = {};
	long sent = 0, done = 0, failed = 0, n = 4 * cycles;
	__u8 b[512];

	while (done < n) {
		for (; sent < n && sent - done < WINDOW; sent++) {
			cycle_msg(b, 4 * first + sent);
			if (ovx_ctl_send(&cl, (struct nlmsghdr *)b, &e))
				t_fatal("send: %s", e.msg);
		}
		if (ovx_ctl_recv(&cl, &e))
			t_fatal("recv: %s", e.msg);
		if (cl.msg.nlh->nlmsg_seq == 0)
			continue;		/* a notification */
		if (ovx_ctl_reply_status(&cl.msg, &e) && failed++ < 3)
			fprintf(stderr, "cycle request %ld: %s\n", done, e.msg);
		memset(&e, 0, sizeof(e));
		done++;
	}
	return failed;
}

/* Other daemons or OpenVPNs on the machine (tests run beside this one) move
 * the machine-wide slab figure. */
static bool machine_quiet(void)
{
	return !system("test $(pgrep -c -x ovpn-xdpd) -le 1 && ! pgrep -x openvpn >/dev/null");
}

static void test_daemon(long *slab0, bool *quiet)
{
	__u8 b[512];
	struct nlmsghdr *nlh = ovx_ctl_start(b, OVX_CMD_INSTANCE_NEW, 0);
	long rss0, rss1, failed;
	struct timespec t0, t1;

	ovx_ctl_put_str(nlh, OVX_A_NAME, "mem");
	ovx_ctl_put_str(nlh, OVX_A_TUN, "tun-m");
	ovx_ctl_put_str(nlh, OVX_A_LINK, "m-s");
	ovx_ctl_put_str(nlh, OVX_A_SOCKADDR, "10.97.0.1:1194");
	CHECK(!ovx_ctl_call(&cl, nlh, &(struct ovx_ctl_err){}), "INSTANCE_NEW");
	failed = cycles(0, WARMUP);
	sleep(1);
	*quiet = machine_quiet();
	*slab0 = t_unreclaimable_kb();
	rss0 = dmn_rss_kib(&dmn);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	failed += cycles(WARMUP, CYCLES);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rss1 = dmn_rss_kib(&dmn);
	printf("leaks: daemon (ASan) %d peer add/key/key/remove cycles in %.1f s, RSS %ld kB -> "
	       "%ld kB (%+ld kB)\n", CYCLES, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       rss0, rss1, rss1 - rss0);
	CHECK(failed == 0, "%ld cycle requests failed", failed);
	CHECK(rss0 > 0 && rss1 - rss0 < 1024, "daemon RSS grew by %ld kB", rss1 - rss0);
}

/* The plugin driver in the namespace; returns its exit status. */
static int plugin_run(void)
{
	int st = -1;
	pid_t pid = fork();

	if (!pid) {
		setenv("ASAN_OPTIONS", "detect_leaks=1:exitcode=23:quarantine_size_mb=0", 1);
		if (ns_enter(NS) == 0)
			execl(dmn_build_path("asan/plugin_drive"), "plugin_drive", SOCK, "m-s",
			      "tun-p", "10.97.0.1", "1195", "10000", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_kernel(long slab0, bool quiet)
{
	long slab1 = t_unreclaimable_kb();

	for (int i = 0; i < 10 && slab1 - slab0 >= 2048; i++) {
		sleep(1);			/* contexts go after an RCU grace period */
		slab1 = t_unreclaimable_kb();
	}
	quiet = quiet && machine_quiet();
	printf("leaks: kernel SUnreclaim %ld kB -> %ld kB (%+ld kB) after %d cycles (%d keys)%s\n",
	       slab0, slab1, slab1 - slab0, CYCLES, 2 * CYCLES,
	       quiet ? "" : "; not checked: other daemons ran meanwhile");
	CHECK(!quiet || (slab0 > 0 && slab1 - slab0 < 2048), "kernel memory grew by %ld kB",
	      slab1 - slab0);
	CHECK(!sh("for m in ovx_keys ovx_peers; do test \"$(bpftool -j map dump pinned "
		  "/sys/fs/bpf/ovpn-xdp/leaktest/$m)\" = '[]' || exit 1; done"),
	      "keys or peers left in the maps");
}

static void test_exit(void)
{
	int st = -1;

	ovx_ctl_close(&cl);
	kill(dmn.pid, SIGTERM);
	waitpid(dmn.pid, &st, 0);
	dmn.pid = 0;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "daemon exit status %d (23: LeakSanitizer)",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK(!sh("! grep -q LeakSanitizer " LOG), "LeakSanitizer report in " LOG);
}

int main(void)
{
	long slab0;
	bool quiet;
	int rc;

	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);
	topo();
	sh("rm -rf " DIR);
	mkdir(DIR, 0700);
	daemon_start();
	test_daemon(&slab0, &quiet);
	rc = plugin_run();
	CHECK(rc == 0, "plugin driver exit status %d (23: LeakSanitizer, 5: heap grew)", rc);
	test_kernel(slab0, quiet);
	test_exit();
	close(tun_fd[0]);
	close(tun_fd[1]);
	return t_done("leaks_netns");
}
