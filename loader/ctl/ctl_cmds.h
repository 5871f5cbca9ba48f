/* SPDX-License-Identifier: GPL-2.0 */
/* The control protocol's commands, one row each. The one table everything
 * about a command is found from: its name (ctl_msg.c), its request decoder
 * and whether it needs an instance and can go in a BATCH (ctl_req.c), the
 * daemon's handler (daemon/ctl_handlers.c), the CLI's words and positionals
 * (cli/cli_req.c). Each of them expands OVX_CTL_COMMANDS with its own X and
 * uses the columns it needs; a new command is one new row here (and its
 * number in include/ovx_ctl.h).
 *
 * X(cmd, w1, w2, pos, decode, inst, batch, handle):
 *   cmd     OVX_CMD_<cmd>
 *   w1, w2  the CLI's words ("peer" "new"), NULL: not a CLI command of its own
 *   pos     the CLI's positionals: i instance, n name, p peer, x prefix
 *   decode  the request decoder in ctl_req.c, NULL: not a request
 *   inst    1: acts on an instance (the request must name one), 0: does not
 *   batch   1: may be an item of a BATCH
 *   handle  the daemon's handler: with inst 1 it is called with the instance
 *           resolved, with inst 0 with the client connection
 */
#ifndef OVX_LOADER_CTL_CMDS_H
#define OVX_LOADER_CTL_CMDS_H

#define OVX_CTL_COMMANDS(X) \
	X(INSTANCE_NEW, "instance", "new", "n",  dec_instance_new, 0, 0, h_instance_new)     \
	X(INSTANCE_DEL, "instance", "del", "i",  dec_none,         1, 0, h_instance_del)     \
	X(PEER_NEW,     "peer",     "new", "ip", dec_peer_new,     1, 1, h_peer_new)         \
	X(PEER_SET,     "peer",     "set", "ip", dec_peer_set,     1, 1, h_peer_set)         \
	X(PEER_DEL,     "peer",     "del", "ip", peer_only,        1, 1, h_peer_del)         \
	X(PEER_GET,     NULL,       NULL,  NULL, peer_optional,    0, 0, h_peer_get)         \
	X(KEY_NEW,      "key",      "new", "ip", dec_key_new,      1, 1, h_key_new)          \
	X(KEY_SWAP,     "key",      "swap", "ip", peer_only,       1, 1, h_key_swap)         \
	X(KEY_DEL,      "key",      "del", "ip", dec_key_del,      1, 1, h_key_del)          \
	X(KEY_GET,      "key",      "get", "ip", peer_only,        1, 0, h_key_get)          \
	X(ROUTE_ADD,    "route",    "add", "ix", dec_route,        1, 1, h_route)            \
	X(ROUTE_DEL,    "route",    "del", "ix", dec_route,        1, 1, h_route)            \
	X(STATUS,       NULL,       NULL,  NULL, dec_none,         0, 0, h_status)           \
	X(SUBSCRIBE,    NULL,       NULL,  NULL, dec_none,         0, 0, h_subscribe)        \
	X(NOTIFY,       NULL,       NULL,  NULL, NULL,             0, 0, NULL)               \
	X(DETACH,       NULL,       NULL,  NULL, dec_none,         0, 0, h_detach)           \
	X(KEY_MATERIAL, NULL,       NULL,  NULL, dec_key_material, 1, 0, ovpnd_key_material) \
	X(PEER_ADDR,    NULL,       NULL,  NULL, dec_peer_addr,    1, 0, ovpnd_peer_addr)    \
	X(PEER_GONE,    NULL,       NULL,  NULL, dec_peer_gone,    1, 0, ovpnd_peer_gone)    \
	X(BATCH,        NULL,       NULL,  NULL, dec_batch,        0, 0, ovpnd_batch)

/* Index of a command in an array of them (commands start at NLMSG_MIN_TYPE). */
#define OVX_CMD_IDX(c)	(OVX_CMD_##c - NLMSG_MIN_TYPE)
#define OVX_CMD_COUNT	(__OVX_CMD_END - NLMSG_MIN_TYPE)

#endif
