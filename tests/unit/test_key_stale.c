// SPDX-License-Identifier: GPL-2.0
/* Keys OpenVPN no longer has (loader/daemon/plugin_ctl.c, keys_retire): when
 * a key of a client arrives, the fast path's secondary key is one OpenVPN
 * and the client freed as the renegotiation started, and so is its primary
 * while an earlier key of the client still waits: the secondary leaves its
 * slot, such a primary becomes secondary (TX to OpenVPN) until the next key.
 *
 * Found with six clients (issue 21): a client idle through seven
 * renegotiations (each key superseded before it sent with it) kept its two
 * last offloaded keys in the slots; the key that reused one of their
 * key-ids then had its packets dropped as replays of the stale key. Here:
 * keys 1 and 2 offloaded, then 3, 4, 5, 6, 7, 1 arrive and are never used,
 * then a new key 2: its packets go to OpenVPN until it is offloaded, and
 * then to the fast path. */
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "daemon.h"
#include "learn_harness.h"
#include "frames.h"
#include "learn.h"
#include "testlib.h"

#define INST	LH_INST
#define PEER	3

/* The client's packet @pid with key @key_id sealed with @m: 'V' delivered,
 * 'P' passed, 'D' dropped. */
static int run(struct learn_client *c, const uint8_t *m, uint32_t key_id, uint32_t pid)
{
	return lh_send(c, m, PEER, key_id, pid);
}

static void slots(struct learn_client *c, __u8 *s)
{
	struct ovx_peer p;

	if (ovx_peer_get(&c->h.fp, INST, PEER, &p))
		t_fatal("peer");
	memcpy(s, p.slot_key_id, 2);
}

/* The plugin's key message: material @m, tagged with the client's remote. */
static int arrive(struct ovpnd *d, struct learn_client *c, const uint8_t *m)
{
	struct ovx_req r = { 0 };
	struct ovx_ctl_err e = { 0 };

	r.plugin.role = OVX_ROLE_SERVER;
	r.plugin.has_remote = true;
	r.plugin.remote = c->spec.src;
	memcpy(r.plugin.material, m, OVX_KEY_MATERIAL_LEN);
	return ovpnd_key_material(d, &d->inst[0], &r, NULL, &e);
}

int main(void)
{
	struct learn_client *c = calloc(1, sizeof(*c));
	struct ovpnd *d = calloc(1, sizeof(*d));
	uint8_t m[9][OVX_KEY_MATERIAL_LEN];	/* m[0]: the new key 1, m[8]: 2 */
	const int later[] = { 6, 7, 0, 8 };
	int ok = 1;
	__u8 s[2];

	t_seed(21);
	for (int i = 0; i < 9; i++)
		t_rand_bytes(m[i], sizeof(m[i]));
	c->cipher = OVX_CIPHER_AES_256_GCM;
	lh_open(c);
	d->b.fp = c->h.fp;
	d->inst[0] = (struct ovpnd_instance){ .id = INST, .flags = OVX_INST_F_OWNED };
	d->ninst = 1;

	/* keys 1 and 2 arrive and are offloaded from the client's packets;
	 * 100 packets with key 2 */
	for (uint32_t k = 1; k <= 2; k++) {
		CHECK(!arrive(d, c, m[k]) && run(c, m[k], k, 1) == 'P' && ovpnd_pending_run(d) &&
		      run(c, m[k], k, 2) == 'V', "key %u offloaded", k);
	}
	for (uint32_t pid = 3; pid <= 100; pid++)
		ok &= run(c, m[2], 2, pid) == 'V';
	CHECK(ok, "key 2's packets delivered");
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 2 && s[OVX_SLOT_SECONDARY] == 1, "slots %u %u (want 2, 1)",
	      s[0], s[1]);

	/* key 3 arrives: OpenVPN freed key 1 */
	CHECK(!arrive(d, c, m[3]), "key 3 arrives");
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 2 && s[OVX_SLOT_SECONDARY] == OVX_SLOT_EMPTY,
	      "key 3 arrived: slots %u %u (want 2, empty)", s[0], s[1]);
	CHECK(run(c, m[2], 2, 101) == 'V' && run(c, m[1], 1, 3) == 'P',
	      "key 3 arrived: key 2 not delivered, or key 1 not left to OpenVPN");

	/* key 4 arrives, 3 still waiting: key 2 is no key to send with (TX to
	 * OpenVPN), kept secondary; gone when key 5 arrives */
	CHECK(!arrive(d, c, m[4]), "key 4 arrives");
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == OVX_SLOT_EMPTY && s[OVX_SLOT_SECONDARY] == 2,
	      "key 4 arrived with 3 waiting: slots %u %u (want empty, 2)", s[0], s[1]);
	CHECK(!arrive(d, c, m[5]), "key 5 arrives");
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == OVX_SLOT_EMPTY && s[OVX_SLOT_SECONDARY] == OVX_SLOT_EMPTY,
	      "key 5 arrived: slots %u %u (want empty, empty)", s[0], s[1]);
	CHECK(run(c, m[2], 2, 102) == 'P', "key 5 arrived: key 2 not left to OpenVPN");

	/* 6, 7, then a new 1 and a new 2, none used until the new 2 */
	for (int i = 0; i < 4; i++)
		CHECK(!arrive(d, c, m[later[i]]), "key %d arrives", later[i]);
	CHECK(run(c, m[8], 2, 1) == 'P',
	      "the new key 2's first packet not left to OpenVPN (a stale key 2 took it)");
	ovpnd_pending_run(d);
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 2 && run(c, m[8], 2, 2) == 'V',
	      "the new key 2 not offloaded: slots %u %u", s[0], s[1]);
	CHECK(d->npending == 0, "keys the client skipped still waiting: %u", d->npending);

	fp_close(&c->h);
	free(d);
	free(c);
	return t_done("key_stale");
}
