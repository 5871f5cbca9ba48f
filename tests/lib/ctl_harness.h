/* SPDX-License-Identifier: GPL-2.0 */
/* What the test_ctl_*_netns programs share: ovpn-xdpd in the server
 * namespace of the test topology (namespaces of their own, pin name
 * ctltest), a client connected to it, request builders, checks on replies,
 * and the state most cases start from. */
#ifndef CTL_HARNESS_H
#define CTL_HARNESS_H

#include <stdbool.h>
#include <string.h>
#include "ctl_client.h"
#include "ctl_msg.h"
#include "daemon_harness.h"
#include "testlib.h"
#include "topo.h"

/* Namespaces of its own (the topology of topo.h under other names), so that
 * these tests do not collide with the other network tests. */
#undef NS_SRV
#undef NS_CLI
#define NS_SRV "ovxd-srv"
#define NS_CLI "ovxd-cli"

#define SOCK_DIR	"/tmp/ovpnxdp-ctltest"

extern struct dmn dmn;
extern struct ovx_ctl_client cl;
extern struct ovx_ctl_err ctl_err;
extern __u8 key_a[32], key_b[32], iv[8];

/* The topology, tun-s (10.8.0.1/24) in the server namespace, SOCK_DIR, the
 * daemon and the client @cl; all removed at exit. */
void ctl_setup(void);

/* A request of @cmd in the one request buffer; sends it, 0 or -errno (the
 * daemon's message in @ctl_err). */
struct nlmsghdr *req(int cmd);
int call(struct nlmsghdr *nlh);

/* The request fails with @code and a message containing @msg. */
#define FAILS(nlh, code, want)                                                 \
	do {                                                                   \
		int rc_ = call(nlh);                                           \
		CHECK(rc_ == (code) && strstr(ctl_err.msg, want),              \
		      "line %d: got %d '%s', want %d '%s'", __LINE__, rc_,     \
		      ctl_err.msg, code, want);                                \
	} while (0)

#define OK(nlh)                                                                \
	do {                                                                   \
		int rc_ = call(nlh);                                           \
		CHECK(rc_ == 0, "line %d: %d %s", __LINE__, rc_, ctl_err.msg); \
	} while (0)

struct nlmsghdr *peer_new(const char *inst, __u32 id, const char *remote);
struct nlmsghdr *peer_del(__u32 id);
struct nlmsghdr *key_new(__u32 peer, __u32 slot, __u32 key_id, const char *cipher,
			 size_t enc_len);
struct nlmsghdr *instance_new(const char *name, const char *tun, const char *link,
			      const char *addr);
/* A peer's attributes from PEER_GET of one peer, into @tb. */
bool peer_info(__u32 id, const struct nlattr *tb[OVX_A_MAX + 1]);
/* Peers of all instances (STATUS). */
__u32 npeers(void);

/* The state cases start from, made when missing (unchecked: a request that
 * finds it there is refused and changes nothing), so that a case runs alone:
 * instance srv on tun-s and veth-s with sockets on 10.99.0.1:1194 and
 * [fd99::1]:1194 (instance 1 on a fresh daemon); peer 5 of it
 * (10.99.0.2:55379, VPN 10.8.0.2 and fd00:8::2); and, once on a fresh
 * daemon, key-id 3 (AES-256-GCM) in peer 5's primary slot. */
void ctl_need_srv(void);
void ctl_need_peer5(void);
void ctl_need_key(void);

#endif
