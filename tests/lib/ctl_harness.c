// SPDX-License-Identifier: GPL-2.0
/* The daemon, topology and requests the test_ctl_*_netns programs share
 * (ctl_harness.h). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ctl_harness.h"
#include "netns.h"

struct dmn dmn = { .ns = NS_SRV, .name = "ctltest", .sock = SOCK_DIR "/ctl.sock" };
struct ovx_ctl_client cl;
struct ovx_ctl_err ctl_err;
static __u8 buf[OVX_CTL_MSG_MAX];
__u8 key_a[32], key_b[32], iv[8];
static int tun_fd = -1;

static void cleanup(void)
{
	ovx_ctl_close(&cl);
	if (tun_fd >= 0)
		close(tun_fd);
	dmn_cleanup(&dmn);
	topo_down_ns(NS_SRV, NS_CLI);
	rmdir(SOCK_DIR);
}

void ctl_setup(void)
{
	t_seed(5);
	t_rand_bytes(key_a, sizeof(key_a));
	t_rand_bytes(key_b, sizeof(key_b));
	t_rand_bytes(iv, sizeof(iv));
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup);
	dmn_cleanup(&dmn);
	topo_up_ns(NS_SRV, NS_CLI);
	tun_fd = ns_tun_open(NS_SRV, "tun-s");
	sh("ip -n " NS_SRV " addr add 10.8.0.1/24 dev tun-s && ip -n " NS_SRV " link set tun-s up");
	sh("rm -rf " SOCK_DIR);
	mkdir(SOCK_DIR, 0700);
	dmn_start(&dmn);
	if (dmn_connect(&dmn, &cl))
		t_fatal("cannot connect to the daemon");
}

struct nlmsghdr *req(int cmd)
{
	return ovx_ctl_start(buf, cmd, 0);
}

int call(struct nlmsghdr *nlh)
{
	memset(&ctl_err, 0, sizeof(ctl_err));
	return ovx_ctl_call(&cl, nlh, &ctl_err);
}

struct nlmsghdr *peer_new(const char *inst, __u32 id, const char *remote)
{
	struct nlmsghdr *nlh = req(OVX_CMD_PEER_NEW);

	ovx_ctl_put_str(nlh, OVX_A_NAME, inst);
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, id);
	if (remote)
		ovx_ctl_put_str(nlh, OVX_A_REMOTE, remote);
	return nlh;
}

struct nlmsghdr *peer_del(__u32 id)
{
	struct nlmsghdr *nlh = req(OVX_CMD_PEER_DEL);

	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, id);
	return nlh;
}

struct nlmsghdr *key_new(__u32 peer, __u32 slot, __u32 key_id, const char *cipher,
				size_t enc_len)
{
	struct nlmsghdr *nlh = req(OVX_CMD_KEY_NEW);

	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, peer);
	ovx_ctl_put_u32(nlh, OVX_A_SLOT, slot);
	ovx_ctl_put_u32(nlh, OVX_A_KEY_ID, key_id);
	ovx_ctl_put_str(nlh, OVX_A_CIPHER, cipher);
	ovx_ctl_put_bin(nlh, OVX_A_ENC_KEY, key_a, enc_len);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_KEY, key_b, 32);
	ovx_ctl_put_bin(nlh, OVX_A_ENC_NONCE, iv, 8);
	ovx_ctl_put_bin(nlh, OVX_A_DEC_NONCE, iv, 8);
	return nlh;
}

struct nlmsghdr *instance_new(const char *name, const char *tun, const char *link,
				     const char *addr)
{
	struct nlmsghdr *nlh = req(OVX_CMD_INSTANCE_NEW);

	ovx_ctl_put_str(nlh, OVX_A_NAME, name);
	if (tun)
		ovx_ctl_put_str(nlh, OVX_A_TUN, tun);
	if (link)
		ovx_ctl_put_str(nlh, OVX_A_LINK, link);
	if (addr)
		ovx_ctl_put_str(nlh, OVX_A_SOCKADDR, addr);
	return nlh;
}

/* A peer's attributes from PEER_GET of one peer, into @tb. */
bool peer_info(__u32 id, const struct nlattr *tb[OVX_A_MAX + 1])
{
	struct nlmsghdr *nlh = req(OVX_CMD_PEER_GET);
	const struct nlattr *list, *item;

	ovx_ctl_put_str(nlh, OVX_A_NAME, "srv");
	ovx_ctl_put_u32(nlh, OVX_A_PEER_ID, id);
	if (call(nlh))
		return false;
	list = cl.msg.tb[OVX_A_PEERS];
	if (!list)
		return false;
	item = mnl_attr_get_payload(list);
	return mnl_attr_get_payload_len(list) && !ovx_ctl_parse_nested(item, tb, NULL);
}

__u32 npeers(void)
{
	__u32 n = 0;

	if (!call(req(OVX_CMD_STATUS)))
		ovx_ctl_u32(cl.msg.tb, OVX_A_NPEERS, &n);
	return n;
}

void ctl_need_srv(void)
{
	struct nlmsghdr *nlh = instance_new("srv", "tun-s", "veth-s", "10.99.0.1:1194");

	ovx_ctl_put_str(nlh, OVX_A_SOCKADDR, "[fd99::1]:1194");
	call(nlh);
}

void ctl_need_peer5(void)
{
	struct nlmsghdr *nlh;

	ctl_need_srv();
	nlh = peer_new("srv", 5, "10.99.0.2:55379");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV4, "10.8.0.2");
	ovx_ctl_put_str(nlh, OVX_A_VPN_IPV6, "fd00:8::2");
	call(nlh);
}

void ctl_need_key(void)
{
	ctl_need_peer5();
	call(key_new(5, 0, 3, "AES-256-GCM", 32));
}
