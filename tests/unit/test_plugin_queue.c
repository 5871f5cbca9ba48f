// SPDX-License-Identifier: GPL-2.0
/* Keys the plugin could not hand to the daemon (plugin/events.c): kept and
 * handed over, oldest first, at OpenVPN's next event once the daemon
 * answers; a daemon that does not answer is tried again only every few
 * seconds (each try blocks OpenVPN for a call's timeout); a queued key of a
 * client whose newer key reached the daemon first is dropped (it would take
 * the newer one's place). The daemon calls are stubs here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../plugin/events.c"
#include "testlib.h"

static bool up;				/* the daemon answers */
static int nsent, ncalls;
static unsigned char sent[32];		/* first byte of each key handed over */
static const char *next_remote = "";	/* the captured key's session */

void plugin_msg(struct plugin *p, int level, const char *fmt, ...)
{
	(void)p, (void)level, (void)fmt;
}

int plugin_daemon_key(struct plugin *p, const unsigned char *material, const char *remote)
{
	(void)remote;
	ncalls++;
	p->daemon_failing = !up;
	if (!up)
		return -1;
	if (nsent < (int)sizeof(sent))
		sent[nsent++] = material[0];
	return 0;
}

int plugin_daemon_instance(struct plugin *p) { (void)p; return 0; }
int plugin_daemon_instance_del(struct plugin *p) { (void)p; return 0; }
bool plugin_daemon_lost(struct plugin *p) { (void)p; return false; }
void plugin_daemon_release(struct plugin *p) { (void)p; }
int plugin_daemon_addr(struct plugin *p, int op, const char *addr, const char *remote)
{
	(void)p, (void)op, (void)addr, (void)remote;
	return 0;
}
int plugin_daemon_gone(struct plugin *p, const char *remote) { (void)p, (void)remote; return 0; }
int plugin_udp_socket(char *out, size_t size) { snprintf(out, size, "0.0.0.0:1194"); return 0; }
bool plugin_offloadable(struct plugin *p) { (void)p; return true; }
bool plugin_peer_v1(const struct plugin *p, const char **envp) { (void)p, (void)envp; return false; }
bool plugin_peer_offloadable(struct plugin *p, const char *remote, bool v1)
{
	(void)p, (void)remote;
	return !v1;
}
void plugin_session_final(struct plugin *p, const char *remote, const char *digest)
{
	(void)p, (void)remote, (void)digest;
}
void plugin_session_peer(struct plugin *p, const char *remote, bool v1)
{
	(void)p, (void)remote, (void)v1;
}
void plugin_session_remote(struct plugin *p, void *ssl, char *out, size_t size, bool *v1)
{
	(void)p, (void)ssl;
	snprintf(out, size, "%s", next_remote);
	*v1 = false;
}

static void key(struct plugin *p, unsigned char id, const char *remote)
{
	unsigned char m[PLUGIN_KEY_LEN] = { id };

	next_remote = remote;
	plugin_key_captured(p, NULL, m);
}

static void event(struct plugin *p)
{
	plugin_event(p, OPENVPN_PLUGIN_LEARN_ADDRESS, NULL, NULL);
}

int main(void)
{
	struct plugin *p = calloc(1, sizeof(*p));

	p->registered = true;
	snprintf(p->dev, sizeof(p->dev), "tun0");
	p->owner_fd = -1;

	/* the daemon away: keys 1 (client A) and 2 (client B) kept */
	up = false;
	key(p, 1, "10.0.0.1:1000");
	key(p, 2, "10.0.0.2:2000");
	CHECK(p->nqueued == 2 && nsent == 0, "kept %d, sent %d", p->nqueued, nsent);
	/* still away, an event soon after: not tried again (OpenVPN would wait) */
	ncalls = 0;
	p->queue_tried = now_s();
	event(p);
	CHECK(ncalls == 0, "a daemon that does not answer called again at once (%d)", ncalls);
	/* back: the next event hands both over, oldest first */
	up = true;
	p->daemon_failing = false;
	event(p);
	CHECK(p->nqueued == 0 && nsent == 2 && sent[0] == 1 && sent[1] == 2,
	      "after the daemon came back: kept %d, sent %d (%u %u)", p->nqueued, nsent,
	      sent[0], sent[1]);
	/* away again: key 3 of A kept; back, key 4 of A comes: 3 goes first */
	up = false;
	key(p, 3, "10.0.0.1:1000");
	up = true;
	p->daemon_failing = false;
	key(p, 4, "10.0.0.1:1000");
	CHECK(nsent == 4 && sent[2] == 3 && sent[3] == 4, "order: sent %d (%u %u)", nsent,
	      sent[2], sent[3]);
	/* key 5 of A kept, then key 6 of A reaches the daemon before any retry:
	 * 5 is dropped, B's key 7 (kept too) is not */
	up = false;
	key(p, 5, "10.0.0.1:1000");
	key(p, 7, "10.0.0.2:2000");
	up = true;
	p->queue_tried = now_s();
	key(p, 6, "10.0.0.1:1000");
	CHECK(nsent == 5 && sent[4] == 6 && p->nqueued == 1 && p->queued[0][0] == 7,
	      "a newer key of the client first: sent %d, kept %d", nsent, p->nqueued);
	/* a full queue loses its oldest */
	up = false;
	for (unsigned char i = 10; i < 10 + PLUGIN_MAX_QUEUED + 2; i++)
		key(p, i, "10.0.0.3:3000");
	CHECK(p->nqueued == PLUGIN_MAX_QUEUED && p->queued[0][0] == 12,
	      "full queue: %d kept, oldest %u", p->nqueued, p->queued[0][0]);

	free(p);
	return t_done("plugin_queue");
}
