// SPDX-License-Identifier: GPL-2.0
/* ovpn-xdpd's control protocol, for real (a daemon in the server namespace
 * of the test topology, tests/lib/ctl_harness.h): malformed requests,
 * unknown attributes both ways, paging, notifications, batches, the
 * client's deadline, a user that is not allowed, many peers pipelined. Each
 * case runs alone with OVX_CASE=name. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "ctl_harness.h"
#include "frames.h"
#include "netns.h"

#define TEST_USER	"ovpnxdp-test"

/* Raw bytes on the socket: each gets an error reply, nothing changes. */
static void test_malformed(void)
{
	struct nlmsghdr *nlh;
	__u8 raw[64] = { 0 };
	int n;

	/* a u32 attribute of 2 bytes */
	nlh = req(OVX_CMD_PEER_DEL);
	mnl_attr_put(nlh, OVX_A_PEER_ID, 2, "ab");
	FAILS(nlh, -EINVAL, "attribute PEER_ID: bad length 2");
	nlh = peer_new("srv", 7, "10.99.0.2:1");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 8);
	FAILS(nlh, -EINVAL, "attribute PEER_ID repeated");
	nlh = req(OVX_CMD_PEER_NEW);
	mnl_attr_put(nlh, OVX_A_NAME, 3, "srv");		/* no NUL */
	FAILS(nlh, -EINVAL, "missing NUL");
	FAILS(req(0x7777), -EOPNOTSUPP, "unknown command");
	FAILS(req(OVX_CMD_NOTIFY), -EOPNOTSUPP, "not a request");
	/* truncated attribute: header says 12 bytes of attributes, 8 follow */
	nlh = peer_new("srv", 7, "10.99.0.2:1");
	nlh->nlmsg_len -= 3;
	FAILS(nlh, -EINVAL, "not a multiple of 4");
	nlh = peer_new("srv", 7, "10.99.0.2:1");
	nlh->nlmsg_len -= 4;
	FAILS(nlh, -EINVAL, "malformed attribute");
	/* header length that lies */
	nlh = (struct nlmsghdr *)raw;
	nlh->nlmsg_len = 40;
	nlh->nlmsg_type = OVX_CMD_STATUS;
	nlh->nlmsg_seq = 4242;
	send(cl.fd, raw, 20, 0);
	n = ovx_ctl_recv(&cl, &ctl_err);
	CHECK(!n && ovx_ctl_reply_status(&cl.msg, &ctl_err) == -EINVAL &&
	      cl.msg.nlh->nlmsg_seq == 4242, "lying length: %d", n);
	send(cl.fd, raw, 5, 0);				/* shorter than a header */
	n = ovx_ctl_recv(&cl, &ctl_err);
	CHECK(!n && ovx_ctl_reply_status(&cl.msg, &ctl_err) == -EINVAL, "short message");
	CHECK(!peer_info(7, (const struct nlattr *[OVX_A_MAX + 1]){}), "a bad request added peer 7");
}

/* A reply from a newer daemon, with attributes this client does not know. */
static void test_unknown_reply_attrs(void)
{
	struct ovx_ctl_client fake = { .timeout_ms = 1000, .reply = malloc(OVX_CTL_MSG_MAX) };
	struct ovx_ctl_err e = {};
	__u8 rbuf[512], qbuf[64];
	struct nlmsghdr *q, *r;
	struct nlattr *nest;
	int sv[2], rc;
	__u32 v = 0;

	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	fake.fd = sv[0];
	q = ovx_ctl_start(qbuf, OVX_CMD_STATUS, 0);
	r = ovx_ctl_start(rbuf, OVX_CMD_STATUS, fake.seq + 1);
	ovx_ctl_put_u32(r, 300, 1);
	nest = ovx_ctl_nest_start(r, 301);
	ovx_ctl_put_str(r, 1, "x");
	ovx_ctl_nest_end(r, nest);
	ovx_ctl_put_u32(r, OVX_A_VERSION, 9);
	ovx_ctl_put_u32(r, OVX_A_STATUS, 0);
	send(sv[1], r, r->nlmsg_len, 0);
	rc = ovx_ctl_call(&fake, q, &e);
	CHECK(!rc && ovx_ctl_u32(fake.msg.tb, OVX_A_VERSION, &v) && v == 9,
	      "client refused a reply with unknown attributes: %d %s", rc, e.msg);
	close(sv[1]);
	ovx_ctl_close(&fake);
}

/* Enough peers for PEER_GET to need several pages. */
static void test_paging(void)
{
	struct nlmsghdr *nlh;
	__u64 cursor = 0;
	int pages = 0, peers = 0;
	bool more = false;

	for (__u32 id = 1000; id < 1600; id++)
		if (call(peer_new("srv", id, "10.99.0.2:40000")))
			break;
	do {
		nlh = req(OVX_CMD_PEER_GET);
		if (more)
			ovx_ctl_put_u64(nlh, OVX_A_CURSOR, cursor);
		if (call(nlh))
			break;
		const struct nlattr *a, *list = cl.msg.tb[OVX_A_PEERS];

		mnl_attr_for_each_nested(a, list)
			peers++;
		pages++;
		more = ovx_ctl_u64(cl.msg.tb, OVX_A_CURSOR, &cursor);
	} while (more && pages < 100);
	CHECK(peers == 601 && pages > 1, "PEER_GET of all: %d peers in %d pages", peers, pages);
}

static void test_subscribe(void)
{
	struct ovx_ctl_client sub;
	struct ovx_ctl_err e = {};
	struct nlmsghdr *nlh;
	__u8 qb[64];
	__u32 ev = 0, peer = 0;
	int deleted = 0;

	for (__u32 id = 1000; id < 1600 && npeers() < 601; id++)	/* alone: paging's peers */
		call(peer_new("srv", id, "10.99.0.2:40000"));
	if (dmn_connect(&dmn, &sub)) {
		CHECK(0, "second connection");
		return;
	}
	CHECK(!ovx_ctl_call(&sub, ovx_ctl_start(qb, OVX_CMD_SUBSCRIBE, 0), &e), "SUBSCRIBE");
	for (__u32 id = 1000; id < 1600; id++) {
		nlh = req(OVX_CMD_PEER_DEL);
		ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
		ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, id);
		if (call(nlh) || ovx_ctl_recv(&sub, &e) ||
		    sub.msg.nlh->nlmsg_type != OVX_CMD_NOTIFY)
			break;
		ovx_ctl_u32(sub.msg.tb, OVX_A_EVENT, &ev);
		ovx_ctl_u32(sub.msg.tb, OVX_A_PEER_ID, &peer);
		deleted += ev == OVX_EV_PEER_DELETED && peer == id;
	}
	CHECK(deleted == 600, "%d peer-deleted notifications of 600", deleted);
	ovx_ctl_close(&sub);
}

/* OVX_CMD_BATCH: each item applied or refused as if alone, one result each,
 * the batch's instance for items without one. */
static void test_batch(void)
{
	const struct nlattr *a, *tb[OVX_A_MAX + 1];
	struct nlmsghdr *nlh = req(OVX_CMD_BATCH);
	struct nlattr *list, *item;
	int want[] = { 0, 0, -EEXIST, -ENOENT, -EOPNOTSUPP, -EINVAL, 0 }, i = 0, good = 0;
	__u32 failed = 99;

	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	list = ovx_ctl_nest_start(nlh, OVX_A_BATCH);
	item = ovx_ctl_item_start(nlh, OVX_CMD_PEER_NEW);	/* 0: ok */
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 30);
	ovx_ctl_put_str(nlh, OVX_A_REMOTE, "10.99.0.2:30000");
	ovx_ctl_nest_end(nlh, item);
	item = ovx_ctl_item_start(nlh, OVX_CMD_KEY_NEW);	/* 1: ok */
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 30);
	ovx_ctl_put_u32(nlh, OVX_A_SLOT, 0);
	ovx_ctl_put_u32(nlh, OVX_A_KEY_ID, 1);
	ovx_ctl_put_str(nlh, OVX_A_CIPHER, "CHACHA20-POLY1305");
	ovx_ctl_put_bin(nlh, OVX_A_ENC_KEY, key_a, 32);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_KEY, key_b, 32);
	ovx_ctl_put_bin(nlh, OVX_A_ENC_NONCE, iv, 8);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_NONCE, iv, 8);
	ovx_ctl_put_u32(nlh, 250, 1);				/* unknown: ignored */
	ovx_ctl_nest_end(nlh, item);
	item = ovx_ctl_item_start(nlh, OVX_CMD_PEER_NEW);	/* 2: duplicate */
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 30);
	ovx_ctl_put_str(nlh, OVX_A_REMOTE, "10.99.0.2:30000");
	ovx_ctl_nest_end(nlh, item);
	item = ovx_ctl_item_start(nlh, OVX_CMD_KEY_SWAP);	/* 3: unknown peer */
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 31);
	ovx_ctl_nest_end(nlh, item);
	item = ovx_ctl_item_start(nlh, OVX_CMD_STATUS);	/* 4: not batchable */
	ovx_ctl_nest_end(nlh, item);
	item = ovx_ctl_item_start(nlh, OVX_CMD_PEER_NEW);	/* 5: no remote */
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 32);
	ovx_ctl_nest_end(nlh, item);
	item = ovx_ctl_item_start(nlh, OVX_CMD_PEER_DEL);	/* 6: by instance id */
	ovx_ctl_put_u32(nlh, OVX_A_INSTANCE, 1);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 30);
	ovx_ctl_nest_end(nlh, item);
	ovx_ctl_nest_end(nlh, list);
	OK(nlh);
	mnl_attr_for_each_nested(a, cl.msg.tb[OVX_A_RESULTS]) {
		struct ovx_ctl_err ie = {};
		int st = ovx_ctl_result_status(a, &ie);

		good += i < 7 && st == want[i];
		if (i < 7 && st != want[i])
			fprintf(stderr, "batch item %d: %d '%s', want %d\n", i, st, ie.msg, want[i]);
		i++;
	}
	CHECK(i == 7 && good == 7 && ovx_ctl_u32(cl.msg.tb, OVX_A_FAILED, &failed) &&
	      failed == 4, "batch results: %d of %d as expected, %u failed", good, i, failed);
	CHECK(!peer_info(30, tb) && !peer_info(32, tb), "batch left peers 30 or 32");
	/* malformed: nothing applied */
	nlh = req(OVX_CMD_BATCH);
	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	list = ovx_ctl_nest_start(nlh, OVX_A_BATCH);
	item = ovx_ctl_item_start(nlh, OVX_CMD_PEER_NEW);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, 33);
	ovx_ctl_put_str(nlh, OVX_A_REMOTE, "10.99.0.2:30000");
	ovx_ctl_nest_end(nlh, item);
	mnl_attr_put(nlh, OVX_A_ITEM, 2, "xx");
	ovx_ctl_nest_end(nlh, list);
	FAILS(nlh, -EINVAL, "batch item 1 is not nested");
	CHECK(!peer_info(33, tb), "a malformed batch added peer 33");
	nlh = req(OVX_CMD_BATCH);
	list = ovx_ctl_nest_start(nlh, OVX_A_BATCH);
	for (int j = 0; j <= OVX_CTL_BATCH_MAX; j++)
		ovx_ctl_nest_end(nlh, ovx_ctl_item_start(nlh, OVX_CMD_KEY_SWAP));
	ovx_ctl_nest_end(nlh, list);
	FAILS(nlh, -E2BIG, "more than 256 items in a batch");
	FAILS(req(OVX_CMD_BATCH), -EINVAL, "missing attribute BATCH");
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A daemon that answers nothing but notifications, one every 50 ms. */
static void *chatty(void *arg)
{
	int fd = accept(*(int *)arg, NULL, NULL);
	__u8 nb[64];
	struct nlmsghdr *n = ovx_ctl_start(nb, OVX_CMD_NOTIFY, 0);

	ovx_ctl_put_u32(n, OVX_A_EVENT, OVX_EV_PEER_DELETED);
	for (int i = 0; fd >= 0 && i < 40; i++) {
		if (send(fd, n, n->nlmsg_len, MSG_NOSIGNAL) < 0)
			break;
		usleep(50000);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int listen_at(const char *path, int backlog)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (void *)&sun, sizeof(sun)) || listen(fd, backlog))
		t_fatal("cannot listen on %s", path);
	return fd;
}

/* The client's timeout is for the whole call: a stream of notifications
 * without the reply, or a full backlog on connect, end it in time. */
static void test_deadline(void)
{
	const char *path = SOCK_DIR "/stuck.sock";
	struct ovx_ctl_client c;
	struct ovx_ctl_err e = {};
	struct timespec t0;
	__u8 qb[64];
	pthread_t th;
	int lfd = listen_at(path, 4), rc, fill[8], nfill = 0;
	double ms;

	pthread_create(&th, NULL, chatty, &lfd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ovx_ctl_open_call(&c, path, 400, ovx_ctl_start(qb, OVX_CMD_STATUS, 0), &e);
	ms = ms_since(&t0);
	ovx_ctl_close(&c);
	CHECK(rc == -ETIMEDOUT && ms >= 390 && ms < 600 && strstr(e.msg, "within 400 ms"),
	      "call with notifications but no reply: %d '%s' after %.0f ms (limit 400)", rc, e.msg,
	      ms);
	pthread_join(th, NULL);
	close(lfd);
	/* nobody accepts: the backlog fills up, then connect would block */
	lfd = listen_at(path, 0);
	for (int i = 0; i < 8; i++) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		strcpy(sun.sun_path, path);
		fill[nfill] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
		if (connect(fill[nfill], (void *)&sun, sizeof(sun))) {
			close(fill[nfill]);
			break;
		}
		nfill++;
	}
	memset(&e, 0, sizeof(e));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ovx_ctl_open_call(&c, path, 300, ovx_ctl_start(qb, OVX_CMD_STATUS, 0), &e);
	ms = ms_since(&t0);
	ovx_ctl_close(&c);
	CHECK(rc == -ETIMEDOUT && ms >= 290 && ms < 500 && strstr(e.msg, "within 300 ms"),
	      "connect to a full backlog: %d '%s' after %.0f ms (limit 300)", rc, e.msg, ms);
	while (nfill)
		close(fill[--nfill]);
	close(lfd);
	unlink(path);
}

/* As another user: refused by the socket's mode, and by the daemon's
 * credential check when the mode is opened up. */
static void test_other_user(void)
{
	struct passwd *pw;
	int st, ok;

	if (!getpwnam(TEST_USER))
		sh("useradd --system --no-create-home --shell /usr/sbin/nologin " TEST_USER);
	pw = getpwnam(TEST_USER);
	if (!CHECK(pw, "cannot create user " TEST_USER))
		return;
	for (int open_mode = 0; open_mode < 2; open_mode++) {
		if (open_mode) {
			chmod(SOCK_DIR, 0755);
			chmod(dmn.sock, 0666);
		}
		pid_t pid = fork();

		if (!pid) {
			struct ovx_ctl_client c;
			struct ovx_ctl_err e = {};
			__u8 qb[64];

			if (setgid(pw->pw_gid) || setuid(pw->pw_uid))
				_exit(3);
			if (ovx_ctl_open(&c, dmn.sock, 1000, &e))
				_exit(e.code == -EACCES ? 0 : 4);
			_exit(ovx_ctl_call(&c, ovx_ctl_start(qb, OVX_CMD_STATUS, 0), &e) ? 0 : 5);
		}
		waitpid(pid, &st, 0);
		ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		CHECK(ok, "user %s talked to the socket (mode %s): exit %d", TEST_USER,
		      open_mode ? "opened" : "0600", WEXITSTATUS(st));
	}
	chmod(dmn.sock, 0600);
	chmod(SOCK_DIR, 0700);
}

/* The small version of bench_ctl: 2,000 peers with keys, pipelined. */
static void test_bulk(void)
{
	double secs = 0;
	__u32 before = npeers();
	int ok = dmn_bulk_install(&cl, "srv", 100000, 2000, &secs);

	CHECK(ok == 2000 && npeers() == before + 2000, "bulk install: %d of 2000", ok);
	printf("ctl_check_peer_key_installs_per_s %.0f installs/s\n", ok / secs);
}

int main(void)
{
	ctl_setup();
	ctl_need_peer5();
	T_CASE(test_malformed);
	T_CASE(test_unknown_reply_attrs);
	T_CASE(test_paging);
	T_CASE(test_subscribe);
	T_CASE(test_batch);
	T_CASE(test_deadline);
	T_CASE(test_other_user);
	T_CASE(test_bulk);
	return t_done("ctl_proto_netns");
}
