// SPDX-License-Identifier: GPL-2.0
/* A key the daemon never got (loader/daemon/key_missed.c): the peer sends
 * with it while the fast path would go on sending with the last key it has,
 * which the peer drops once it holds two newer ones. The daemon empties the
 * primary slot (the key TX used stays secondary) once the peer's newest
 * packets have been with such a key for a while; never for a key that is
 * only waiting for its first packet, nor for an old key's trailing packets. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include "daemon.h"
#include "learn_harness.h"
#include "frames.h"
#include "learn.h"
#include "testlib.h"

#define INST	LH_INST
#define PEER	3

/* The client's packet @pid with key @key_id sealed with @c->m: 'V' delivered,
 * 'P' passed, 'D' dropped. */
static int run(struct learn_client *c, uint32_t key_id, uint32_t pid)
{
	return lh_send(c, c->m, PEER, key_id, pid);
}

/* The fast path's clock is coarse (a tick): packets in order a tick apart. */
static void tick(void)
{
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
}

/* Two looks of the daemon, the second past the grace. */
static void look(struct ovpnd *d)
{
	d->missed_next_ms = 0;
	ovpnd_missed_run(d);
	for (int i = 0; i < OVPND_MAX_MISSED; i++)
		d->missed[i].since_ms -= 5000;
	d->missed_next_ms = 0;
	ovpnd_missed_run(d);
}

static void slots(struct learn_client *c, __u8 *s)
{
	struct ovx_peer p;

	if (ovx_peer_get(&c->h.fp, INST, PEER, &p))
		t_fatal("peer");
	memcpy(s, p.slot_key_id, 2);
}

static int install(struct learn_client *c, __u32 key_id)
{
	struct ovx_learn_install li = { .instance = INST, .key_id = key_id,
					 .role = OVX_ROLE_SERVER, .remote = c->spec.src,
					 .material = c->m };

	return ovx_learn_install(&c->h.fp, &li, NULL);
}

int main(void)
{
	struct learn_client *c = calloc(1, sizeof(*c));
	struct ovpnd *d = calloc(1, sizeof(*d));
	struct ovpnd_pending *p = &d->pending[0];
	__u8 s[2];

	t_seed(21);
	c->cipher = OVX_CIPHER_AES_256_GCM;
	lh_open(c);
	d->b.fp = c->h.fp;
	d->inst[0] = (struct ovpnd_instance){ .id = INST, .flags = OVX_INST_F_OWNED };
	d->ninst = 1;

	/* keys 0 and 1 offloaded, the peer sending with 1 */
	t_rand_bytes(c->m, sizeof(c->m));
	CHECK(run(c, 0, 1) == 'P' && !install(c, 0) && run(c, 0, 2) == 'V', "key 0");
	t_rand_bytes(c->m, sizeof(c->m));
	CHECK(run(c, 1, 1) == 'P' && !install(c, 1) && run(c, 1, 2) == 'V', "key 1");
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 1 && s[OVX_SLOT_SECONDARY] == 0, "slots %u %u", s[0], s[1]);

	/* key 2 waiting (the daemon has it; its first packets came first) */
	t_rand_bytes(c->m, sizeof(c->m));
	*p = (struct ovpnd_pending){ .used = true, .is_key = true, .inst = INST };
	p->pl.role = OVX_ROLE_SERVER;
	memcpy(p->pl.material, c->m, sizeof(c->m));
	tick();
	CHECK(run(c, 2, 1) == 'P', "key 2 before its install");
	look(d);
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 1, "a waiting key taken for a missed one: slots %u %u",
	      s[0], s[1]);

	/* key 2 never reached the daemon */
	p->used = false;
	look(d);
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == OVX_SLOT_EMPTY && s[OVX_SLOT_SECONDARY] == 1,
	      "a missed key: slots %u %u (want empty, 1)", s[0], s[1]);
	look(d);
	slots(c, s);
	CHECK(s[OVX_SLOT_SECONDARY] == 1, "the key TX used gone: slots %u %u", s[0], s[1]);

	/* key 3 offloaded (into the empty primary); key 2's last packets trail */
	t_rand_bytes(c->m, sizeof(c->m));
	tick();
	CHECK(run(c, 3, 1) == 'P' && !install(c, 3), "key 3 after the miss");
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 3 && s[OVX_SLOT_SECONDARY] == 1,
	      "key 3: slots %u %u (want 3, 1)", s[0], s[1]);
	tick();
	CHECK(run(c, 3, 2) == 'V', "key 3's packets");
	look(d);
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 3, "an old key's trailing packets: slots %u %u", s[0], s[1]);

	/* an instance OpenVPN's plugin does not feed: its keys are its owner's */
	t_rand_bytes(c->m, sizeof(c->m));
	tick();
	run(c, 4, 1);
	d->inst[0].flags = 0;
	look(d);
	slots(c, s);
	CHECK(s[OVX_SLOT_PRIMARY] == 3, "a key of an unowned instance: slots %u %u", s[0], s[1]);

	fp_close(&c->h);
	free(d);
	free(c);
	return t_done("key_missed");
}
