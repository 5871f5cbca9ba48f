// SPDX-License-Identifier: GPL-2.0
/* OVPN_CMD_BATCH: the items applied one after the other, each as if it had
 * come alone (decoded, validated, applied atomically), and one result per
 * item in the reply. One message instead of one round trip per request is
 * what bulk installs need. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "daemon.h"

static bool put_result(struct nlmsghdr *reply, int status, const struct ovpn_ctl_err *e)
{
	struct nlattr *res = ovpn_ctl_nest_start(reply, OVPN_A_RESULT);
	bool ok = res && ovpn_ctl_put_u32(reply, OVPN_A_STATUS, (__u32)status) &&
		  (!status || ovpn_ctl_put_str(reply, OVPN_A_ERROR,
					       e->code ? e->msg : strerror(-status)));

	if (ok)
		ovpn_ctl_nest_end(reply, res);
	return ok;
}

/* Runs every item; false if the reply had no room for a result (the
 * results of OVPN_CTL_BATCH_MAX items with long errors fit: never). */
static bool run_items(struct ovpnd *d, struct ovpnd_client *cl, const struct ovpn_req *r,
		      struct ovpn_req *item, struct nlmsghdr *reply, __u32 *failed)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, r->batch.list) {
		struct ovpn_ctl_err ie = {};
		int st;

		if (mnl_attr_get_type(a) != OVPN_A_ITEM)
			continue;
		st = ovpn_req_decode_item(a, r, item, &ie) ?: ovpnd_handle(d, cl, item, NULL, &ie);
		ovpn_req_wipe(item);
		*failed += st != 0;
		if (!put_result(reply, st, &ie))
			return false;
	}
	return true;
}

int ovpnd_batch(struct ovpnd *d, struct ovpnd_client *cl, struct ovpn_req *r,
		struct nlmsghdr *reply, struct ovpn_ctl_err *e)
{
	struct ovpn_req *item = malloc(sizeof(*item));
	struct nlattr *results = item ? ovpn_ctl_nest_start(reply, OVPN_A_RESULTS) : NULL;
	__u32 failed = 0;
	bool ok = results && run_items(d, cl, r, item, reply, &failed);

	free(item);
	if (!results)
		return ovpn_ctl_errf(e, -ENOMEM, "out of memory for a batch");
	if (!ok)
		return ovpn_ctl_errf(e, -EMSGSIZE, "batch results do not fit in a reply; "
				     "some items were applied: check with PEER_GET");
	ovpn_ctl_nest_end(reply, results);
	ovpn_ctl_put_u32(reply, OVPN_A_FAILED, failed);
	return 0;
}
