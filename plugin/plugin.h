/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVX_PLUGIN_H
#define OVX_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <openvpn/openvpn-plugin.h>

#define PLUGIN_KEY_LEN	256
#define PLUGIN_MAX_LINKS 4

#define PLUGIN_DIGEST_LEN 32	/* SHA-256 of a certificate */
#define PLUGIN_MAX_FINALS 64
#define PLUGIN_MAX_QUEUED 8	/* keys kept for the daemon */

/* A TLS_FINAL whose key has not been captured yet (session.c). */
struct plugin_final {
	bool used, has_digest;
	bool v1;			/* the client has no P_DATA_V2 */
	long time;
	char remote[64];
	unsigned char digest[PLUGIN_DIGEST_LEN];	/* the peer's certificate */
};

struct plugin {
	plugin_vlog_t log;
	bool hooked, daemon_failing;
	char dump[256];			/* dump=FILE (tests, debugging) */
	char ctl_path[108];		/* socket=PATH */
	char name[32];			/* name=NAME, else "ovpn-<dev>" */
	char links[PLUGIN_MAX_LINKS][16];	/* link=DEV, else the default route's */
	int nlinks;
	char dev[16];			/* the tun device */
	char addrs[2][64];		/* OpenVPN's socket(s) */
	int naddrs;
	int role;			/* enum ovx_role */
	bool c2c;			/* a server with --client-to-client */
	struct plugin_final finals[PLUGIN_MAX_FINALS];
	bool registered;		/* the instance is known to the daemon */
	int owner_fd;			/* the connection that owns the instance: the
					 * daemon deletes it when this closes */
	/* keys captured before the instance could be registered (a client's
	 * first key comes before UP; a server's socket after it), or while the
	 * daemon did not answer (events.c) */
	unsigned char queued[PLUGIN_MAX_QUEUED][PLUGIN_KEY_LEN];
	char queued_remote[PLUGIN_MAX_QUEUED][64];
	int nqueued;
	long queue_tried;		/* when they were last handed over (s) */
	/* options.c: from OpenVPN's options */
	__u32 framing;			/* OVX_A_FRAMING */
	char decline[96];		/* why nothing is offloaded, or "" */
	char cd[256];			/* --cd */
	bool declined;			/* plugin_offloadable() said so */
	bool opt_client;		/* client, tls-client or pull */
	bool opt_c2c;			/* client-to-client */
	__u32 opt_reneg_sec;		/* reneg-sec (its max), OVX_A_RENEG_SEC */
};

void plugin_msg(struct plugin *p, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A data-channel key OpenVPN just exported (256 bytes) from the TLS object
 * @ssl (NULL: unknown). */
void plugin_key_captured(struct plugin *p, void *ssl, const unsigned char *material);
/* A handshake of @remote ended (TLS_FINAL), its peer's certificate digest
 * @digest as OpenVPN's tls_digest_sha256_0 (NULL: none). */
void plugin_session_final(struct plugin *p, const char *remote, const char *digest);
/* Whether @remote has no P_DATA_V2 (its IV_PROTO at TLS_FINAL or
 * CLIENT_CONNECT), for its handshakes whose keys are still to come. */
void plugin_session_peer(struct plugin *p, const char *remote, bool v1);
/* The remote of the TLS_FINAL of the session of @ssl into @out ("" if not
 * one remote), and into @v1 (if not NULL) whether that session's client has
 * no P_DATA_V2 (false if unknown); that TLS_FINAL is used up. */
void plugin_session_remote(struct plugin *p, void *ssl, char *out, size_t size, bool *v1);
/* An OpenVPN plugin event with its arguments and environment. */
void plugin_event(struct plugin *p, int type, const char **argv, const char **envp);

int plugin_udp_socket(char *out, size_t size);

/* options.c */
void plugin_options_read(struct plugin *p);
bool plugin_offloadable(struct plugin *p);
/* The client whose event has environment @envp has no P_DATA_V2 (IV_PROTO). */
bool plugin_peer_v1(const struct plugin *p, const char **envp);
bool plugin_peer_offloadable(struct plugin *p, const char *remote, bool v1);
const char *plugin_framing_name(__u32 framing, char *out, size_t size);

int plugin_daemon_instance(struct plugin *p);
int plugin_daemon_instance_del(struct plugin *p);
bool plugin_daemon_lost(struct plugin *p);
void plugin_daemon_release(struct plugin *p);
int plugin_daemon_key(struct plugin *p, const unsigned char *material, const char *remote);
int plugin_daemon_addr(struct plugin *p, int op, const char *addr, const char *remote);
int plugin_daemon_gone(struct plugin *p, const char *remote);

#endif
