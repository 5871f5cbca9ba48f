// SPDX-License-Identifier: GPL-2.0
/* Decoding and validating control requests, command by command. */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include "addr.h"
#include "cipher.h"
#include "ctl_cmds.h"
#include "ctl_req.h"

typedef int (*decode_fn)(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			 struct ovpn_ctl_err *e);

static int need(const struct ovpn_ctl_msg *m, int type, struct ovpn_ctl_err *e)
{
	if (!m->tb[type])
		return ovpn_ctl_errf(e, -EINVAL, "missing attribute %s",
				     ovpn_ctl_attr_name(type));
	return 0;
}

static int peer_id_get(const struct ovpn_ctl_msg *m, struct ovpn_req *r, bool required,
		       struct ovpn_ctl_err *e)
{
	if (!m->tb[OVPN_A_PEER_ID])
		return required ? need(m, OVPN_A_PEER_ID, e) : 0;
	r->has_peer_id = true;
	r->peer_id = mnl_attr_get_u32(m->tb[OVPN_A_PEER_ID]);
	if (r->peer_id > OVPN_PEER_ID_MAX)
		return ovpn_ctl_errf(e, -ERANGE, "peer-id %u out of range (24 bits)",
				     r->peer_id);
	return 0;
}

/* The instance: OVPN_A_INSTANCE or OVPN_A_NAME; resolved by the daemon. */
static int instance_get(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			struct ovpn_ctl_err *e)
{
	const char *name = ovpn_ctl_str(m->tb, OVPN_A_NAME);

	r->has_inst_id = ovpn_ctl_u32(m->tb, OVPN_A_INSTANCE, &r->inst_id);
	if (name)
		snprintf(r->inst_name, sizeof(r->inst_name), "%s", name);
	if (r->has_inst_id && !r->inst_id)
		return ovpn_ctl_errf(e, -EINVAL, "instance id 0 is reserved");
	return 0;
}

static int sockaddr_get(const char *text, const char *what, bool port_needed,
			struct ovpn_sockaddr *sa, struct ovpn_ctl_err *e)
{
	if (ovpn_sockaddr_parse(sa, text))
		return ovpn_ctl_errf(e, -EINVAL, "%s '%s' is not an address:port", what, text);
	if (port_needed && !sa->port)
		return ovpn_ctl_errf(e, -EINVAL, "%s '%s' has no port", what, text);
	return 0;
}

static int ifname_copy(char *dst, const char *src, const char *what,
		       struct ovpn_ctl_err *e)
{
	if (!*src || strlen(src) >= 16 || strchr(src, '/'))
		return ovpn_ctl_errf(e, -EINVAL, "%s '%s' is not an interface name", what, src);
	strcpy(dst, src);
	return 0;
}

/* A framing the fast path carries (include/ovpn_maps.h, OVPN_FRAMING_*). */
static int framing_check(__u32 f, struct ovpn_ctl_err *e)
{
	__u32 comp = f & (OVPN_FRAMING_COMP_V1 | OVPN_FRAMING_COMP_SWAP | OVPN_FRAMING_COMP_V2);

	if (f & 0xff || f & OVPN_FRAMING_MASK & ~(comp | OVPN_FRAMING_FRAGMENT) ||
	    (comp & (comp - 1)))
		return ovpn_ctl_errf(e, -EINVAL, "unknown framing 0x%x", f);
	if (!(f & OVPN_FRAMING_FRAGMENT) != !(f >> OVPN_FRAG_MAX_SHIFT))
		return ovpn_ctl_errf(e, -EINVAL, "framing 0x%x: fragment needs its size, and only it",
				     f);
	return 0;
}

static int dec_instance_new(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			    struct ovpn_ctl_err *e)
{
	struct ovpn_req_instance *in = &r->inst;
	int err = need(m, OVPN_A_NAME, e) ?: need(m, OVPN_A_TUN, e) ?:
		  need(m, OVPN_A_LINK, e) ?: need(m, OVPN_A_SOCKADDR, e);

	if (err)
		return err;
	snprintf(in->name, sizeof(in->name), "%s", r->inst_name);
	if (!in->name[0])
		return ovpn_ctl_errf(e, -EINVAL, "empty instance name");
	err = ifname_copy(in->tun, ovpn_ctl_str(m->tb, OVPN_A_TUN), "tun device", e);
	for (unsigned int i = 0; !err && i < m->nlinks; i++)
		err = ifname_copy(in->links[i], mnl_attr_get_str(m->links[i]), "link device", e);
	for (unsigned int i = 0; !err && i < m->naddrs; i++)
		err = sockaddr_get(mnl_attr_get_str(m->addrs[i]), "socket address", true,
				   &in->addrs[i], e);
	if (err)
		return err;
	in->nlinks = m->nlinks;
	in->naddrs = m->naddrs;
	ovpn_ctl_u32(m->tb, OVPN_A_MODE, &in->mode);
	ovpn_ctl_u32(m->tb, OVPN_A_FLAGS, &in->flags);
	if (in->mode != OVPN_MODE_SERVER && in->mode != OVPN_MODE_P2P)
		return ovpn_ctl_errf(e, -EINVAL, "unknown mode %u (0 server, 1 p2p)", in->mode);
	if (in->flags & ~(OVPN_INST_F_NO_ATTACH | OVPN_INST_F_OWNED))
		return ovpn_ctl_errf(e, -EINVAL, "unknown flags 0x%x", in->flags);
	if (m->tb[OVPN_A_C2C] && mnl_attr_get_u32(m->tb[OVPN_A_C2C]))
		in->flags |= OVPN_INST_F_C2C;
	ovpn_ctl_u32(m->tb, OVPN_A_FRAMING, &in->framing);
	err = framing_check(in->framing, e);
	if (err)
		return err;
	/* a client's plugin does not know its peer-id: it is learnt from the
	 * wire with the first key (plugin_ctl.c), and TX waits for it */
	in->p2p_peer_id = OVPN_P2P_PEER_UNKNOWN;
	if (in->mode == OVPN_MODE_P2P && m->tb[OVPN_A_P2P_PEER_ID]) {
		in->p2p_peer_id = mnl_attr_get_u32(m->tb[OVPN_A_P2P_PEER_ID]);
		if (in->p2p_peer_id > OVPN_PEER_ID_MAX)
			return ovpn_ctl_errf(e, -ERANGE, "peer-id %u out of range (24 bits)",
					     in->p2p_peer_id);
	}
	return 0;
}

static int vpn_addr_get(const struct ovpn_ctl_msg *m, int type, int family, __u8 *out,
			struct ovpn_ctl_err *e)
{
	const char *t = ovpn_ctl_str(m->tb, type);
	__u8 a[16];
	int fam;

	if (!t)
		return 0;
	if (ovpn_ctl_addr_parse(t, &fam, a, NULL) || fam != family)
		return ovpn_ctl_errf(e, -EINVAL, "%s '%s' is not an IPv%d address",
				     ovpn_ctl_attr_name(type), t, family == OVPN_AF_INET ? 4 : 6);
	memcpy(out, a, family == OVPN_AF_INET ? 4 : 16);
	return 0;
}

static __u32 flags_of(const struct ovpn_ctl_msg *m)
{
	__u32 f = 0;

	ovpn_ctl_u32(m->tb, OVPN_A_FLAGS, &f);
	return f;
}

static int dec_peer_new(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			struct ovpn_ctl_err *e)
{
	struct ovpn_peer_config *pc = &r->peer;
	const char *local = ovpn_ctl_str(m->tb, OVPN_A_LOCAL);
	int err = peer_id_get(m, r, true, e) ?: need(m, OVPN_A_REMOTE, e);

	err = err ?: sockaddr_get(ovpn_ctl_str(m->tb, OVPN_A_REMOTE), "remote", true,
				  &pc->remote, e);
	if (!err && local)
		err = sockaddr_get(local, "local", false, &pc->local, e);
	if (!err && local && pc->local.family != pc->remote.family)
		err = ovpn_ctl_errf(e, -EINVAL, "local '%s' and remote are not the same family",
				    local);
	err = err ?: vpn_addr_get(m, OVPN_A_VPN_IPV4, OVPN_AF_INET, pc->vpn_ipv4, e);
	err = err ?: vpn_addr_get(m, OVPN_A_VPN_IPV6, OVPN_AF_INET6, pc->vpn_ipv6, e);
	pc->peer_id = r->peer_id;
	pc->move_addrs = flags_of(m) & OVPN_F_MOVE;
	return err;
}

static int dec_peer_set(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			struct ovpn_ctl_err *e)
{
	int err = peer_id_get(m, r, true, e) ?: need(m, OVPN_A_KEEPALIVE_INTERVAL, e) ?:
		  need(m, OVPN_A_KEEPALIVE_TIMEOUT, e);

	if (err)
		return err;
	r->ka.interval = mnl_attr_get_u32(m->tb[OVPN_A_KEEPALIVE_INTERVAL]);
	r->ka.timeout = mnl_attr_get_u32(m->tb[OVPN_A_KEEPALIVE_TIMEOUT]);
	if (r->ka.timeout && r->ka.timeout < r->ka.interval)
		return ovpn_ctl_errf(e, -EINVAL, "keepalive timeout %u is shorter than the interval %u",
				     r->ka.timeout, r->ka.interval);
	return 0;
}

static int peer_only(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
		     struct ovpn_ctl_err *e)
{
	return peer_id_get(m, r, true, e);
}

static int peer_optional(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			 struct ovpn_ctl_err *e)
{
	r->cursor.has = ovpn_ctl_u64(m->tb, OVPN_A_CURSOR, &r->cursor.at);
	return peer_id_get(m, r, false, e);
}

static int slot_get(const struct ovpn_ctl_msg *m, __u32 *slot, struct ovpn_ctl_err *e)
{
	int err = need(m, OVPN_A_SLOT, e);

	if (err)
		return err;
	*slot = mnl_attr_get_u32(m->tb[OVPN_A_SLOT]);
	if (*slot > OVPN_SLOT_SECONDARY)
		return ovpn_ctl_errf(e, -EINVAL, "slot %u: 0 (primary) or 1 (secondary)", *slot);
	return 0;
}

/* A key or a nonce tail: exactly @len bytes. */
static int bytes_get(const struct ovpn_ctl_msg *m, int type, __u8 *out, size_t len,
		     const char *cipher, struct ovpn_ctl_err *e)
{
	size_t got;
	int err = need(m, type, e);

	if (err)
		return err;
	got = mnl_attr_get_payload_len(m->tb[type]);
	if (got != len)
		return ovpn_ctl_errf(e, -EINVAL, "%s length %zu does not match %s (%zu)",
				     ovpn_ctl_attr_name(type), got, cipher, len);
	memcpy(out, mnl_attr_get_payload(m->tb[type]), len);
	return 0;
}

static int dec_key_new(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
		       struct ovpn_ctl_err *e)
{
	struct ovpn_req_key *k = &r->key;
	const char *name;
	size_t klen;
	int err = peer_id_get(m, r, true, e) ?: slot_get(m, &k->kc.slot, e) ?:
		  need(m, OVPN_A_KEY_ID, e) ?: need(m, OVPN_A_CIPHER, e);

	if (err)
		return err;
	k->kc.peer_id = r->peer_id;
	k->kc.key_id = mnl_attr_get_u32(m->tb[OVPN_A_KEY_ID]);
	if (k->kc.key_id > OVPN_KEY_ID_MAX)
		return ovpn_ctl_errf(e, -EINVAL, "key-id %u out of range (0..7)", k->kc.key_id);
	name = ovpn_ctl_str(m->tb, OVPN_A_CIPHER);
	k->kc.cipher = ovpn_cipher_parse(name);
	if (k->kc.cipher < 0)
		return ovpn_ctl_errf(e, -EINVAL, "unknown cipher '%s'", name);
	name = ovpn_cipher_name(k->kc.cipher);
	klen = ovpn_cipher_key_len(k->kc.cipher);
	err = bytes_get(m, OVPN_A_ENC_KEY, k->enc, klen, name, e) ?:
	      bytes_get(m, OVPN_A_DEC_KEY, k->dec, klen, name, e) ?:
	      bytes_get(m, OVPN_A_ENC_NONCE, k->kc.enc_nonce_tail, OVPN_NONCE_TAIL_LEN, name, e) ?:
	      bytes_get(m, OVPN_A_DEC_NONCE, k->kc.dec_nonce_tail, OVPN_NONCE_TAIL_LEN, name, e);
	if (err)
		return err;
	k->kc.enc_key = k->enc;
	k->kc.dec_key = k->dec;
	k->has_tx_pid = ovpn_ctl_u64(m->tb, OVPN_A_TX_PID, &k->tx_pid);
	if (k->has_tx_pid && (!k->tx_pid || k->tx_pid > OVPN_PID_MAX))
		return ovpn_ctl_errf(e, -ERANGE, "TX packet-id %llu out of range (1..%llu)",
				     (unsigned long long)k->tx_pid, OVPN_PID_MAX);
	return 0;
}

static int dec_key_del(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
		       struct ovpn_ctl_err *e)
{
	return peer_id_get(m, r, true, e) ?: slot_get(m, &r->slot, e);
}

static int dec_route(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
		     struct ovpn_ctl_err *e)
{
	struct ovpn_req_route *rt = &r->route;
	const char *t;
	int err = need(m, OVPN_A_PREFIX, e);

	if (!err)	/* ROUTE_DEL: only if via this peer, when named */
		err = peer_id_get(m, r, r->cmd == OVPN_CMD_ROUTE_ADD, e);
	if (err)
		return err;
	t = ovpn_ctl_str(m->tb, OVPN_A_PREFIX);
	if (ovpn_ctl_addr_parse(t, &rt->family, rt->addr, &rt->plen))
		return ovpn_ctl_errf(e, -EINVAL, "prefix '%s' is not an address/length", t);
	rt->move = flags_of(m) & OVPN_F_MOVE;
	return 0;
}

static int remote_get(const struct ovpn_ctl_msg *m, struct ovpn_req_plugin *pl,
		      bool required, struct ovpn_ctl_err *e)
{
	const char *t = ovpn_ctl_str(m->tb, OVPN_A_REMOTE);

	if (!t)
		return required ? need(m, OVPN_A_REMOTE, e) : 0;
	if (!*t && !required)
		return 0;
	if (ovpn_sockaddr_parse(&pl->remote, t) || !pl->remote.port)
		return ovpn_ctl_errf(e, -EINVAL, "remote '%s' is not an address:port", t);
	pl->has_remote = true;
	return 0;
}

static int dec_key_material(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			    struct ovpn_ctl_err *e)
{
	struct ovpn_req_plugin *pl = &r->plugin;
	int err = need(m, OVPN_A_ROLE, e) ?: need(m, OVPN_A_MATERIAL, e);

	if (err)
		return err;
	pl->role = mnl_attr_get_u32(m->tb[OVPN_A_ROLE]);
	if (pl->role > 1)
		return ovpn_ctl_errf(e, -EINVAL, "role %u is neither server (0) nor client (1)",
				     pl->role);
	if (mnl_attr_get_payload_len(m->tb[OVPN_A_MATERIAL]) != sizeof(pl->material))
		return ovpn_ctl_errf(e, -EINVAL, "key material must be %zu bytes",
				     sizeof(pl->material));
	memcpy(pl->material, mnl_attr_get_payload(m->tb[OVPN_A_MATERIAL]),
	       sizeof(pl->material));
	return remote_get(m, pl, false, e);
}

static int dec_peer_addr(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			 struct ovpn_ctl_err *e)
{
	struct ovpn_req_plugin *pl = &r->plugin;
	const char *t;
	int err = need(m, OVPN_A_OP, e) ?: need(m, OVPN_A_PREFIX, e);

	if (err)
		return err;
	pl->op = mnl_attr_get_u32(m->tb[OVPN_A_OP]);
	t = ovpn_ctl_str(m->tb, OVPN_A_PREFIX);
	if (pl->op > OVPN_ADDR_DELETE)
		return ovpn_ctl_errf(e, -EINVAL, "unknown address operation %u", pl->op);
	if (ovpn_ctl_addr_parse(t, &pl->family, pl->addr, &pl->plen))
		return ovpn_ctl_errf(e, -EINVAL, "'%s' is not an address or prefix", t);
	pl->is_prefix = strchr(t, '/') != NULL;
	return remote_get(m, pl, pl->op == OVPN_ADDR_ADD, e);
}

static int dec_peer_gone(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
			 struct ovpn_ctl_err *e)
{
	return remote_get(m, &r->plugin, true, e);
}

static int dec_none(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
		    struct ovpn_ctl_err *e)
{
	(void)m, (void)r, (void)e;
	return 0;
}

/* The batch's structure only: each item is decoded when it is applied. */
static int dec_batch(const struct ovpn_ctl_msg *m, struct ovpn_req *r,
		     struct ovpn_ctl_err *e)
{
	const struct nlattr *list = m->tb[OVPN_A_BATCH], *a;
	const char *end;
	int err = need(m, OVPN_A_BATCH, e);

	if (err)
		return err;
	end = (const char *)mnl_attr_get_payload(list) + mnl_attr_get_payload_len(list);
	mnl_attr_for_each_nested(a, list) {
		if (mnl_attr_get_type(a) != OVPN_A_ITEM)
			continue;			/* unknown: ignored */
		if (mnl_attr_validate(a, MNL_TYPE_NESTED))
			return ovpn_ctl_errf(e, -EINVAL, "batch item %u is not nested",
					     r->batch.n);
		if (++r->batch.n > OVPN_CTL_BATCH_MAX)
			return ovpn_ctl_errf(e, -E2BIG, "more than %d items in a batch: split it",
					     OVPN_CTL_BATCH_MAX);
	}
	if ((const char *)a < end)
		return ovpn_ctl_errf(e, -EINVAL, "malformed batch item at offset %td",
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
	return cmd >= NLMSG_MIN_TYPE && cmd < __OVPN_CMD_END &&
	       decoders[cmd - NLMSG_MIN_TYPE].batchable;
}

/* r->cmd set: the instance (or @def's), then the command's own checks. */
static int decode_attrs(const struct ovpn_ctl_msg *m, const struct ovpn_req *def,
			struct ovpn_req *r, struct ovpn_ctl_err *e)
{
	unsigned int i = r->cmd - NLMSG_MIN_TYPE;
	int err;

	if (r->cmd < NLMSG_MIN_TYPE || r->cmd >= __OVPN_CMD_END)
		return ovpn_ctl_errf(e, -EOPNOTSUPP, "unknown command %d", r->cmd);
	if (i >= sizeof(decoders) / sizeof(decoders[0]) || !decoders[i].fn)
		return ovpn_ctl_errf(e, -EOPNOTSUPP, "command %s is not a request",
				     ovpn_ctl_cmd_name(r->cmd));
	err = instance_get(m, r, e);
	if (!err && def && !r->has_inst_id && !r->inst_name[0]) {
		r->has_inst_id = def->has_inst_id;
		r->inst_id = def->inst_id;
		memcpy(r->inst_name, def->inst_name, sizeof(r->inst_name));
	}
	if (!err && decoders[i].instance && !r->has_inst_id && !r->inst_name[0])
		err = ovpn_ctl_errf(e, -EINVAL, "missing attribute INSTANCE (or NAME)");
	return err ?: decoders[i].fn(m, r, e);
}

int ovpn_req_decode(const void *buf, size_t len, struct ovpn_req *r,
		    struct ovpn_ctl_err *e)
{
	struct ovpn_ctl_msg m;
	int err;

	memset(r, 0, sizeof(*r));
	err = ovpn_ctl_parse(buf, len, &m, e);
	if (err)
		return err;
	r->cmd = m.nlh->nlmsg_type;
	r->seq = m.nlh->nlmsg_seq;
	return decode_attrs(&m, NULL, r, e);
}

int ovpn_req_decode_item(const struct nlattr *item, const struct ovpn_req *batch,
			 struct ovpn_req *r, struct ovpn_ctl_err *e)
{
	struct ovpn_ctl_msg m;
	int err;

	memset(r, 0, sizeof(*r));
	r->seq = batch->seq;
	err = ovpn_ctl_parse_item(item, &m, e) ?: need(&m, OVPN_A_CMD, e);
	if (err)
		return err;
	r->cmd = mnl_attr_get_u32(m.tb[OVPN_A_CMD]);
	if (!batchable(r->cmd))
		return ovpn_ctl_errf(e, -EOPNOTSUPP, "command %s cannot be batched",
				     ovpn_ctl_cmd_name(r->cmd));
	return decode_attrs(&m, batch, r, e);
}

void ovpn_req_wipe(struct ovpn_req *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
}
