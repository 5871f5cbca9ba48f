/* SPDX-License-Identifier: GPL-2.0 */
/* Network namespaces for tests: a command runner and switching the calling
 * thread between namespaces (sockets and links are created in the current). */
#ifndef NETNS_H
#define NETNS_H

/* Runs a shell command; returns its exit status. Output goes to stderr only
 * on failure. */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Removes namespace @name if it exists, first killing what still runs in it
 * (a daemon or OpenVPN of an earlier run that was killed). */
void ns_del(const char *name);
/* Enters namespace @name (made with `ip netns add`), or the initial one for
 * NULL. Returns 0 or -errno. */
int ns_enter(const char *name);
/* A tun device @name created in namespace @ns (NULL: the initial one), held
 * open as OpenVPN holds it (non-blocking, no packet info); the test fails if
 * it cannot be made. */
int ns_tun_open(const char *ns, const char *name);

#endif
