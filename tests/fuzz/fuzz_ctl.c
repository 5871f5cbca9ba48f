// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the control message parser, as the daemon runs it on a
 * request (ovx_req_decode: header, attributes, every command's checks, and
 * each item of a batch) and as a client walks a reply (nested lists). Build: `make build/fuzz/fuzz_ctl`;
 * `make check` runs it bounded, `make fuzz` longer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_req.h"

static void walk(const struct nlattr *nest, int depth)
{
	const struct nlattr *tb[OVX_A_MAX + 1];
	const struct nlattr *a;

	if (depth > 4 || ovx_ctl_parse_nested(nest, tb, NULL))
		return;
	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) <= OVX_A_MAX && tb[mnl_attr_get_type(a)] &&
		    !mnl_attr_validate(a, MNL_TYPE_NESTED) && mnl_attr_get_payload_len(a))
			walk(a, depth + 1);
}

/* The items of a batch, as the daemon decodes them one by one. */
static void items(const struct ovx_req *batch)
{
	const struct nlattr *a;
	struct ovx_req item;

	mnl_attr_for_each_nested(a, batch->batch.list) {
		struct ovx_ctl_err e = {};

		if (mnl_attr_get_type(a) == OVX_A_ITEM)
			ovx_req_decode_item(a, batch, &item, &e);
		ovx_req_wipe(&item);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovx_ctl_err e = {};
	struct ovx_ctl_msg m;
	struct ovx_req r;
	uint8_t *copy = malloc(size ? size : 1);	/* exact size: ASan sees overreads */

	memcpy(copy, data, size);
	if (!ovx_req_decode(copy, size, &r, &e) && r.cmd == OVX_CMD_BATCH)
		items(&r);
	ovx_req_wipe(&r);
	if (!ovx_ctl_parse(copy, size, &m, NULL)) {
		ovx_ctl_reply_status(&m, &e);
		for (int t = OVX_A_INSTANCES; t <= OVX_A_KEY; t++)
			if (m.tb[t])
				walk(m.tb[t], 0);
	}
	free(copy);
	return 0;
}
