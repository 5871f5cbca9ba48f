// SPDX-License-Identifier: GPL-2.0
/* The secret chains of epoch-format keys, kept for refilling their slots
 * (epoch_refill.h): a hash of key ids, chained, the secrets wiped whenever
 * an entry goes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "epoch_refill.h"

#define BUCKETS	4096

struct chain_entry {
	struct chain_entry *next;
	struct ovx_key_id kid;
	__u32 rx_ahead, tx_ahead;
	struct ovx_epoch_chain c;
};

struct ovx_epoch_chains {
	struct chain_entry *bucket[BUCKETS];
	size_t count;
};

static struct chain_entry **slot_of(struct ovx_epoch_chains *cs, const struct ovx_key_id *kid)
{
	__u32 h = kid->instance * 0x9e3779b1u ^ kid->peer_id * 0x85ebca6bu ^ kid->key_id;
	struct chain_entry **p = &cs->bucket[(h ^ h >> 16) % BUCKETS];

	while (*p && memcmp(&(*p)->kid, kid, sizeof(*kid)))
		p = &(*p)->next;
	return p;
}

static void entry_free(struct chain_entry *e)
{
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

struct ovx_epoch_chains *ovx_epoch_chains_new(void)
{
	return calloc(1, sizeof(struct ovx_epoch_chains));
}

void ovx_epoch_chains_free(struct ovx_epoch_chains *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < BUCKETS; i++)
		while (cs->bucket[i]) {
			struct chain_entry *e = cs->bucket[i];

			cs->bucket[i] = e->next;
			entry_free(e);
		}
	free(cs);
}

int ovx_epoch_chain_keep(struct ovx_epoch_chains *cs, const struct ovx_key_id *kid,
			  const struct ovx_epoch_chain *c, __u32 rx_ahead, __u32 tx_ahead)
{
	struct chain_entry **p = slot_of(cs, kid), *e = *p;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->kid = *kid;
		*p = e;
		cs->count++;
	}
	e->c = *c;
	e->rx_ahead = rx_ahead;
	e->tx_ahead = tx_ahead;
	return 0;
}

void ovx_epoch_chain_forget(struct ovx_epoch_chains *cs, const struct ovx_key_id *kid)
{
	struct chain_entry **p, *e;

	if (!cs)
		return;
	p = slot_of(cs, kid);
	e = *p;
	if (!e)
		return;
	*p = e->next;
	cs->count--;
	entry_free(e);
}

size_t ovx_epoch_chains_count(const struct ovx_epoch_chains *cs)
{
	return cs ? cs->count : 0;
}

int ovx_epoch_key_refill(const struct ovx_fastpath *fp, const struct ovx_key_id *kid)
{
	struct ovx_epoch_maps m = {
		.slots_fd = fp->epoch_slots_fd, .states_fd = fp->epoch_states_fd,
		.aes_prog_fd = fp->epoch_aes_fd, .aes_algo = fp->aes_algo,
	};
	struct chain_entry *e;

	if (!fp->epoch_chains)
		return -ENOENT;
	e = *slot_of(fp->epoch_chains, kid);
	if (!e)
		return -ENOENT;
	return ovx_epoch_key_refresh(&m, kid, &e->c, e->rx_ahead, e->tx_ahead);
}
