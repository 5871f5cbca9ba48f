// SPDX-License-Identifier: GPL-2.0
/* OVX_CMD_BATCH: the items applied one after the other, each as if it had
 * come alone (decoded, validated, applied atomically), and one result per
 * item in the reply. One message instead of one round trip per request is
 * what bulk installs need. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "daemon.h"

static bool put_result(struct nlmsghdr *reply, int status, const struct ovx_ctl_err *e)
{
	struct nlattr *res = ovx_ctl_nest_start(reply, OVX_A_RESULT);
	bool ok = res && ovx_ctl_put_u32(reply, OVX_A_STATUS, (__u32)status) &&
		  (!status || ovx_ctl_put_str(reply, OVX_A_ERROR,
					       e->code ? e->msg : strerror(-status)));

	if (ok)
		ovx_ctl_nest_end(reply, res);
	return ok;
}

/* Runs every item; false if the reply had no room for a result (the
 * results of OVX_CTL_BATCH_MAX items with long errors fit: never). */
static bool run_items(struct ovpnd *d, struct ovpnd_client *cl, const struct ovx_req *r,
		      struct ovx_req *item, struct nlmsghdr *reply, __u32 *failed)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, r->batch.list) {
		struct ovx_ctl_err ie = {};
		int st;

		if (mnl_attr_get_type(a) != OVX_A_ITEM)
			continue;
		st = ovx_req_decode_item(a, r, item, &ie) ?: ovpnd_handle(d, cl, item, NULL, &ie);
		ovx_req_wipe(item);
		*failed += st != 0;
		if (!put_result(reply, st, &ie))
			return false;
	}
	return true;
}

int ovpnd_batch(struct ovpnd *d, struct ovpnd_client *cl, struct ovx_req *r,
		struct nlmsghdr *reply, struct ovx_ctl_err *e)
{
	struct ovx_req *item = malloc(sizeof(*item));
	struct nlattr *results = item ? ovx_ctl_nest_start(reply, OVX_A_RESULTS) : NULL;
	__u32 failed = 0;
	bool ok = results && run_items(d, cl, r, item, reply, &failed);

	free(item);
	if (!results)
		return ovx_ctl_errf(e, -ENOMEM, "out of memory for a batch");
	if (!ok)
		return ovx_ctl_errf(e, -EMSGSIZE, "batch results do not fit in a reply; "
				     "some items were applied: check with PEER_GET");
	ovx_ctl_nest_end(reply, results);
	ovx_ctl_put_u32(reply, OVX_A_FAILED, failed);
	return 0;
}
