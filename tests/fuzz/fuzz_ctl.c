// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the control message parser, as the daemon runs it on a
 * request (ovpn_req_decode: header, attributes, every command's checks, and
 * each item of a batch) and as a client walks a reply (nested lists). Build: `make build/fuzz/fuzz_ctl`;
 * `make check` runs it bounded, `make fuzz` longer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_req.h"

static void walk(const struct nlattr *nest, int depth)
{
	const struct nlattr *tb[OVPN_A_MAX + 1];
	const struct nlattr *a;

	if (depth > 4 || ovpn_ctl_parse_nested(nest, tb, NULL))
		return;
	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) <= OVPN_A_MAX && tb[mnl_attr_get_type(a)] &&
		    !mnl_attr_validate(a, MNL_TYPE_NESTED) && mnl_attr_get_payload_len(a))
			walk(a, depth + 1);
}

/* The items of a batch, as the daemon decodes them one by one. */
static void items(const struct ovpn_req *batch)
{
	const struct nlattr *a;
	struct ovpn_req item;

	mnl_attr_for_each_nested(a, batch->batch.list) {
		struct ovpn_ctl_err e = {};

		if (mnl_attr_get_type(a) == OVPN_A_ITEM)
			ovpn_req_decode_item(a, batch, &item, &e);
		ovpn_req_wipe(&item);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovpn_ctl_err e = {};
	struct ovpn_ctl_msg m;
	struct ovpn_req r;
	uint8_t *copy = malloc(size ? size : 1);	/* exact size: ASan sees overreads */

	memcpy(copy, data, size);
	if (!ovpn_req_decode(copy, size, &r, &e) && r.cmd == OVPN_CMD_BATCH)
		items(&r);
	ovpn_req_wipe(&r);
	if (!ovpn_ctl_parse(copy, size, &m, NULL)) {
		ovpn_ctl_reply_status(&m, &e);
		for (int t = OVPN_A_INSTANCES; t <= OVPN_A_KEY; t++)
			if (m.tb[t])
				walk(m.tb[t], 0);
	}
	free(copy);
	return 0;
}
