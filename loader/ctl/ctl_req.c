// SPDX-License-Identifier: GPL-2.0
/* Decoding and validating control requests, command by command. */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include "addr.h"
#include "cipher.h"
#include "ctl_cmds.h"
#include "ctl_req.h"

typedef int (*decode_fn)(const struct ovx_ctl_msg *m, struct ovx_req *r,
			 struct ovx_ctl_err *e);

static int need(const struct ovx_ctl_msg *m, int type, struct ovx_ctl_err *e)
{
	if (!m->tb[type])
		return ovx_ctl_errf(e, -EINVAL, "missing attribute %s",
				     ovx_ctl_attr_name(type));
	return 0;
}

static int peer_id_get(const struct ovx_ctl_msg *m, struct ovx_req *r, bool required,
		       struct ovx_ctl_err *e)
{
	if (!m->tb[OVX_A_PEER_ID])
		return required ? need(m, OVX_A_PEER_ID, e) : 0;
	r->has_peer_id = true;
	r->peer_id = mnl_attr_get_u32(m->tb[OVX_A_PEER_ID]);
	if (r->peer_id > OVX_PEER_ID_MAX)
		return ovx_ctl_errf(e, -ERANGE, "peer-id %u out of range (24 bits)",
				     r->peer_id);
	return 0;
}

/* The instance: OVX_A_INSTANCE or OVX_A_NAME; resolved by the daemon. */
static int instance_get(const struct ovx_ctl_msg *m, struct ovx_req *r,
			struct ovx_ctl_err *e)
{
	const char *name = ovx_ctl_str(m->tb, OVX_A_NAME);

	r->has_inst_id = ovx_ctl_u32(m->tb, OVX_A_INSTANCE, &r->inst_id);
	if (name)
		snprintf(r->inst_name, sizeof(r->inst_name), "%s", name);
	if (r->has_inst_id && !r->inst_id)
		return ovx_ctl_errf(e, -EINVAL, "instance id 0 is reserved");
	return 0;
}

static int sockaddr_get(const char *text, const char *what, bool port_needed,
			struct ovx_sockaddr *sa, struct ovx_ctl_err *e)
{
	if (ovx_sockaddr_parse(sa, text))
		return ovx_ctl_errf(e, -EINVAL, "%s '%s' is not an address:port", what, text);
	if (port_needed && !sa->port)
		return ovx_ctl_errf(e, -EINVAL, "%s '%s' has no port", what, text);
	return 0;
}

static int ifname_copy(char *dst, const char *src, const char *what,
		       struct ovx_ctl_err *e)
{
	if (!*src || strlen(src) >= 16 || strchr(src, '/'))
		return ovx_ctl_errf(e, -EINVAL, "%s '%s' is not an interface name", what, src);
	strcpy(dst, src);
	return 0;
}

/* A framing the fast path carries (include/ovx_maps.h, OVX_FRAMING_*). */
static int framing_check(__u32 f, struct ovx_ctl_err *e)
{
	__u32 comp = f & (OVX_FRAMING_COMP_V1 | OVX_FRAMING_COMP_SWAP | OVX_FRAMING_COMP_V2);

	if (f & 0xff || f & OVX_FRAMING_MASK & ~(comp | OVX_FRAMING_FRAGMENT) ||
	    (comp & (comp - 1)))
		return ovx_ctl_errf(e, -EINVAL, "unknown framing 0x%x", f);
	if (!(f & OVX_FRAMING_FRAGMENT) != !(f >> OVX_FRAG_MAX_SHIFT))
		return ovx_ctl_errf(e, -EINVAL, "framing 0x%x: fragment needs its size, and only it",
				     f);
	return 0;
}

static int dec_instance_new(const struct ovx_ctl_msg *m, struct ovx_req *r,
			    struct ovx_ctl_err *e)
{
	struct ovx_req_instance *in = &r->inst;
	int err = need(m, OVX_A_NAME, e) ?: need(m, OVX_A_TUN, e) ?:
		  need(m, OVX_A_LINK, e) ?: need(m, OVX_A_SOCKADDR, e);

	if (err)
		return err;
	snprintf(in->name, sizeof(in->name), "%s", r->inst_name);
	if (!in->name[0])
		return ovx_ctl_errf(e, -EINVAL, "empty instance name");
	err = ifname_copy(in->tun, ovx_ctl_str(m->tb, OVX_A_TUN), "tun device", e);
	for (unsigned int i = 0; !err && i < m->nlinks; i++)
		err = ifname_copy(in->links[i], mnl_attr_get_str(m->links[i]), "link device", e);
	for (unsigned int i = 0; !err && i < m->naddrs; i++)
		err = sockaddr_get(mnl_attr_get_str(m->addrs[i]), "socket address", true,
				   &in->addrs[i], e);
	if (err)
		return err;
	in->nlinks = m->nlinks;
	in->naddrs = m->naddrs;
	ovx_ctl_u32(m->tb, OVX_A_MODE, &in->mode);
	ovx_ctl_u32(m->tb, OVX_A_FLAGS, &in->flags);
	if (in->mode != OVX_MODE_SERVER && in->mode != OVX_MODE_P2P)
		return ovx_ctl_errf(e, -EINVAL, "unknown mode %u (0 server, 1 p2p)", in->mode);
	if (in->flags & ~(OVX_INST_F_NO_ATTACH | OVX_INST_F_OWNED))
		return ovx_ctl_errf(e, -EINVAL, "unknown flags 0x%x", in->flags);
	if (m->tb[OVX_A_C2C] && mnl_attr_get_u32(m->tb[OVX_A_C2C]))
		in->flags |= OVX_INST_F_C2C;
	ovx_ctl_u32(m->tb, OVX_A_FRAMING, &in->framing);
	in->has_reneg_sec = ovx_ctl_u32(m->tb, OVX_A_RENEG_SEC, &in->reneg_sec);
	err = framing_check(in->framing, e);
	if (err)
		return err;
	/* a client's plugin does not know its peer-id: it is learnt from the
	 * wire with the first key (plugin_ctl.c), and TX waits for it */
	in->p2p_peer_id = OVX_P2P_PEER_UNKNOWN;
	if (in->mode == OVX_MODE_P2P && m->tb[OVX_A_P2P_PEER_ID]) {
		in->p2p_peer_id = mnl_attr_get_u32(m->tb[OVX_A_P2P_PEER_ID]);
		if (in->p2p_peer_id > OVX_PEER_ID_MAX)
			return ovx_ctl_errf(e, -ERANGE, "peer-id %u out of range (24 bits)",
					     in->p2p_peer_id);
	}
	return 0;
}

static int vpn_addr_get(const struct ovx_ctl_msg *m, int type, int family, __u8 *out,
			struct ovx_ctl_err *e)
{
	const char *t = ovx_ctl_str(m->tb, type);
	__u8 a[16];
	int fam;

	if (!t)
		return 0;
	if (ovx_ctl_addr_parse(t, &fam, a, NULL) || fam != family)
		return ovx_ctl_errf(e, -EINVAL, "%s '%s' is not an IPv%d address",
				     ovx_ctl_attr_name(type), t, family == OVX_AF_INET ? 4 : 6);
	memcpy(out, a, family == OVX_AF_INET ? 4 : 16);
	return 0;
}

static __u32 flags_of(const struct ovx_ctl_msg *m)
{
	__u32 f = 0;

	ovx_ctl_u32(m->tb, OVX_A_FLAGS, &f);
	return f;
}

static int dec_peer_new(const struct ovx_ctl_msg *m, struct ovx_req *r,
			struct ovx_ctl_err *e)
{
	struct ovx_peer_config *pc = &r->peer;
	const char *local = ovx_ctl_str(m->tb, OVX_A_LOCAL);
	int err = peer_id_get(m, r, true, e) ?: need(m, OVX_A_REMOTE, e);

	err = err ?: sockaddr_get(ovx_ctl_str(m->tb, OVX_A_REMOTE), "remote", true,
				  &pc->remote, e);
	if (!err && local)
		err = sockaddr_get(local, "local", false, &pc->local, e);
	if (!err && local && pc->local.family != pc->remote.family)
		err = ovx_ctl_errf(e, -EINVAL, "local '%s' and remote are not the same family",
				    local);
	err = err ?: vpn_addr_get(m, OVX_A_VPN_IPV4, OVX_AF_INET, pc->vpn_ipv4, e);
	err = err ?: vpn_addr_get(m, OVX_A_VPN_IPV6, OVX_AF_INET6, pc->vpn_ipv6, e);
	pc->peer_id = r->peer_id;
	pc->move_addrs = flags_of(m) & OVX_F_MOVE;
	return err;
}

static int dec_peer_set(const struct ovx_ctl_msg *m, struct ovx_req *r,
			struct ovx_ctl_err *e)
{
	int err = peer_id_get(m, r, true, e) ?: need(m, OVX_A_KEEPALIVE_INTERVAL, e) ?:
		  need(m, OVX_A_KEEPALIVE_TIMEOUT, e);

	if (err)
		return err;
	r->ka.interval = mnl_attr_get_u32(m->tb[OVX_A_KEEPALIVE_INTERVAL]);
	r->ka.timeout = mnl_attr_get_u32(m->tb[OVX_A_KEEPALIVE_TIMEOUT]);
	if (r->ka.timeout && r->ka.timeout < r->ka.interval)
		return ovx_ctl_errf(e, -EINVAL, "keepalive timeout %u is shorter than the interval %u",
				     r->ka.timeout, r->ka.interval);
	return 0;
}

static int peer_only(const struct ovx_ctl_msg *m, struct ovx_req *r,
		     struct ovx_ctl_err *e)
{
	return peer_id_get(m, r, true, e);
}

static int peer_optional(const struct ovx_ctl_msg *m, struct ovx_req *r,
			 struct ovx_ctl_err *e)
{
	r->cursor.has = ovx_ctl_u64(m->tb, OVX_A_CURSOR, &r->cursor.at);
	return peer_id_get(m, r, false, e);
}

static int slot_get(const struct ovx_ctl_msg *m, __u32 *slot, struct ovx_ctl_err *e)
{
	int err = need(m, OVX_A_SLOT, e);

	if (err)
		return err;
	*slot = mnl_attr_get_u32(m->tb[OVX_A_SLOT]);
	if (*slot > OVX_SLOT_SECONDARY)
		return ovx_ctl_errf(e, -EINVAL, "slot %u: 0 (primary) or 1 (secondary)", *slot);
	return 0;
}

/* A key or a nonce tail: exactly @len bytes. */
static int bytes_get(const struct ovx_ctl_msg *m, int type, __u8 *out, size_t len,
		     const char *cipher, struct ovx_ctl_err *e)
{
	size_t got;
	int err = need(m, type, e);

	if (err)
		return err;
	got = mnl_attr_get_payload_len(m->tb[type]);
	if (got != len)
		return ovx_ctl_errf(e, -EINVAL, "%s length %zu does not match %s (%zu)",
				     ovx_ctl_attr_name(type), got, cipher, len);
	memcpy(out, mnl_attr_get_payload(m->tb[type]), len);
	return 0;
}

static int dec_key_new(const struct ovx_ctl_msg *m, struct ovx_req *r,
		       struct ovx_ctl_err *e)
{
	struct ovx_req_key *k = &r->key;
	const char *name;
	size_t klen;
	int err = peer_id_get(m, r, true, e) ?: slot_get(m, &k->kc.slot, e) ?:
		  need(m, OVX_A_KEY_ID, e) ?: need(m, OVX_A_CIPHER, e);

	if (err)
		return err;
	k->kc.peer_id = r->peer_id;
	k->kc.key_id = mnl_attr_get_u32(m->tb[OVX_A_KEY_ID]);
	if (k->kc.key_id > OVX_KEY_ID_MAX)
		return ovx_ctl_errf(e, -EINVAL, "key-id %u out of range (0..7)", k->kc.key_id);
	name = ovx_ctl_str(m->tb, OVX_A_CIPHER);
	k->kc.cipher = ovx_cipher_parse(name);
	if (k->kc.cipher < 0)
		return ovx_ctl_errf(e, -EINVAL, "unknown cipher '%s'", name);
	name = ovx_cipher_name(k->kc.cipher);
	klen = ovx_cipher_key_len(k->kc.cipher);
	err = bytes_get(m, OVX_A_ENC_KEY, k->enc, klen, name, e) ?:
	      bytes_get(m, OVX_A_DEC_KEY, k->dec, klen, name, e) ?:
	      bytes_get(m, OVX_A_ENC_NONCE, k->kc.enc_nonce_tail, OVX_NONCE_TAIL_LEN, name, e) ?:
	      bytes_get(m, OVX_A_DEC_NONCE, k->kc.dec_nonce_tail, OVX_NONCE_TAIL_LEN, name, e);
	if (err)
		return err;
	k->kc.enc_key = k->enc;
	k->kc.dec_key = k->dec;
	k->has_tx_pid = ovx_ctl_u64(m->tb, OVX_A_TX_PID, &k->tx_pid);
	if (k->has_tx_pid && (!k->tx_pid || k->tx_pid > OVX_PID_MAX))
		return ovx_ctl_errf(e, -ERANGE, "TX packet-id %llu out of range (1..%llu)",
				     (unsigned long long)k->tx_pid, OVX_PID_MAX);
	return 0;
}

static int dec_key_del(const struct ovx_ctl_msg *m, struct ovx_req *r,
		       struct ovx_ctl_err *e)
{
	return peer_id_get(m, r, true, e) ?: slot_get(m, &r->slot, e);
}

static int dec_route(const struct ovx_ctl_msg *m, struct ovx_req *r,
		     struct ovx_ctl_err *e)
{
	struct ovx_req_route *rt = &r->route;
	const char *t;
	int err = need(m, OVX_A_PREFIX, e);

	if (!err)	/* ROUTE_DEL: only if via this peer, when named */
		err = peer_id_get(m, r, r->cmd == OVX_CMD_ROUTE_ADD, e);
	if (err)
		return err;
	t = ovx_ctl_str(m->tb, OVX_A_PREFIX);
	if (ovx_ctl_addr_parse(t, &rt->family, rt->addr, &rt->plen))
		return ovx_ctl_errf(e, -EINVAL, "prefix '%s' is not an address/length", t);
	rt->move = flags_of(m) & OVX_F_MOVE;
	return 0;
}

static int remote_get(const struct ovx_ctl_msg *m, struct ovx_req_plugin *pl,
		      bool required, struct ovx_ctl_err *e)
{
	const char *t = ovx_ctl_str(m->tb, OVX_A_REMOTE);

	if (!t)
		return required ? need(m, OVX_A_REMOTE, e) : 0;
	if (!*t && !required)
		return 0;
	if (ovx_sockaddr_parse(&pl->remote, t) || !pl->remote.port)
		return ovx_ctl_errf(e, -EINVAL, "remote '%s' is not an address:port", t);
	pl->has_remote = true;
	return 0;
}

static int dec_key_material(const struct ovx_ctl_msg *m, struct ovx_req *r,
			    struct ovx_ctl_err *e)
{
	struct ovx_req_plugin *pl = &r->plugin;
	int err = need(m, OVX_A_ROLE, e) ?: need(m, OVX_A_MATERIAL, e);

	if (err)
		return err;
	pl->role = mnl_attr_get_u32(m->tb[OVX_A_ROLE]);
	if (pl->role > 1)
		return ovx_ctl_errf(e, -EINVAL, "role %u is neither server (0) nor client (1)",
				     pl->role);
	if (mnl_attr_get_payload_len(m->tb[OVX_A_MATERIAL]) != sizeof(pl->material))
		return ovx_ctl_errf(e, -EINVAL, "key material must be %zu bytes",
				     sizeof(pl->material));
	memcpy(pl->material, mnl_attr_get_payload(m->tb[OVX_A_MATERIAL]),
	       sizeof(pl->material));
	return remote_get(m, pl, false, e);
}

static int dec_peer_addr(const struct ovx_ctl_msg *m, struct ovx_req *r,
			 struct ovx_ctl_err *e)
{
	struct ovx_req_plugin *pl = &r->plugin;
	const char *t;
	int err = need(m, OVX_A_OP, e) ?: need(m, OVX_A_PREFIX, e);

	if (err)
		return err;
	pl->op = mnl_attr_get_u32(m->tb[OVX_A_OP]);
	t = ovx_ctl_str(m->tb, OVX_A_PREFIX);
	if (pl->op > OVX_ADDR_DELETE)
		return ovx_ctl_errf(e, -EINVAL, "unknown address operation %u", pl->op);
	if (ovx_ctl_addr_parse(t, &pl->family, pl->addr, &pl->plen))
		return ovx_ctl_errf(e, -EINVAL, "'%s' is not an address or prefix", t);
	pl->is_prefix = strchr(t, '/') != NULL;
	return remote_get(m, pl, pl->op == OVX_ADDR_ADD, e);
}

static int dec_peer_gone(const struct ovx_ctl_msg *m, struct ovx_req *r,
			 struct ovx_ctl_err *e)
{
	return remote_get(m, &r->plugin, true, e);
}

static int dec_none(const struct ovx_ctl_msg *m, struct ovx_req *r,
		    struct ovx_ctl_err *e)
{
	(void)m, (void)r, (void)e;
	return 0;
}

/* The batch's structure only: each item is decoded when it is applied. */
static int dec_batch(const struct ovx_ctl_msg *m, struct ovx_req *r,
		     struct ovx_ctl_err *e)
{
	const struct nlattr *list = m->tb[OVX_A_BATCH], *a;
	const char *end;
	int err = need(m, OVX_A_BATCH, e);

	if (err)
		return err;
	end = (const char *)mnl_attr_get_payload(list) + mnl_attr_get_payload_len(list);
	mnl_attr_for_each_nested(a, list) {
		if (mnl_attr_get_type(a) != OVX_A_ITEM)
			continue;			/* unknown: ignored */
		if (mnl_attr_validate(a, MNL_TYPE_NESTED))
			return ovx_ctl_errf(e, -EINVAL, "batch item %u is not nested",
					     r->batch.n);
		if (++r->batch.n > OVX_CTL_BATCH_MAX)
			return ovx_ctl_errf(e, -E2BIG, "more than %d items in a batch: split it",
					     OVX_CTL_BATCH_MAX);
	}
	if ((const char *)a < end)
		return ovx_ctl_errf(e, -EINVAL, "malformed batch item at offset %td",
				     (const char *)a - (const char *)mnl_attr_get_payload(list));
	r->batch.list = list;
	return 0;
}

#define DECODER(c, w1, w2, pos, decode, inst, batch, handle) \
	[OVX_CMD_IDX(c)] = { decode, inst, batch },
static const struct {
	decode_fn fn;
	bool instance;		/* needs an instance */
	bool batchable;		/* may be an item of a BATCH */
} decoders[OVX_CMD_COUNT] = { OVX_CTL_COMMANDS(DECODER) };
#undef DECODER

static bool batchable(int cmd)
{
	return cmd >= NLMSG_MIN_TYPE && cmd < __OVX_CMD_END &&
	       decoders[cmd - NLMSG_MIN_TYPE].batchable;
}

/* r->cmd set: the instance (or @def's), then the command's own checks. */
static int decode_attrs(const struct ovx_ctl_msg *m, const struct ovx_req *def,
			struct ovx_req *r, struct ovx_ctl_err *e)
{
	unsigned int i = r->cmd - NLMSG_MIN_TYPE;
	int err;

	if (r->cmd < NLMSG_MIN_TYPE || r->cmd >= __OVX_CMD_END)
		return ovx_ctl_errf(e, -EOPNOTSUPP, "unknown command %d", r->cmd);
	if (i >= sizeof(decoders) / sizeof(decoders[0]) || !decoders[i].fn)
		return ovx_ctl_errf(e, -EOPNOTSUPP, "command %s is not a request",
				     ovx_ctl_cmd_name(r->cmd));
	err = instance_get(m, r, e);
	if (!err && def && !r->has_inst_id && !r->inst_name[0]) {
		r->has_inst_id = def->has_inst_id;
		r->inst_id = def->inst_id;
		memcpy(r->inst_name, def->inst_name, sizeof(r->inst_name));
	}
	if (!err && decoders[i].instance && !r->has_inst_id && !r->inst_name[0])
		err = ovx_ctl_errf(e, -EINVAL, "missing attribute INSTANCE (or NAME)");
	return err ?: decoders[i].fn(m, r, e);
}

int ovx_req_decode(const void *buf, size_t len, struct ovx_req *r,
		    struct ovx_ctl_err *e)
{
	struct ovx_ctl_msg m;
	int err;

	memset(r, 0, sizeof(*r));
	err = ovx_ctl_parse(buf, len, &m, e);
	if (err)
		return err;
	r->cmd = m.nlh->nlmsg_type;
	r->seq = m.nlh->nlmsg_seq;
	return decode_attrs(&m, NULL, r, e);
}

int ovx_req_decode_item(const struct nlattr *item, const struct ovx_req *batch,
			 struct ovx_req *r, struct ovx_ctl_err *e)
{
	struct ovx_ctl_msg m;
	int err;

	memset(r, 0, sizeof(*r));
	r->seq = batch->seq;
	err = ovx_ctl_parse_item(item, &m, e) ?: need(&m, OVX_A_CMD, e);
	if (err)
		return err;
	r->cmd = mnl_attr_get_u32(m.tb[OVX_A_CMD]);
	if (!batchable(r->cmd))
		return ovx_ctl_errf(e, -EOPNOTSUPP, "command %s cannot be batched",
				     ovx_ctl_cmd_name(r->cmd));
	return decode_attrs(&m, batch, r, e);
}

void ovx_req_wipe(struct ovx_req *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
}
