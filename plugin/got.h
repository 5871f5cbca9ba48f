/* SPDX-License-Identifier: GPL-2.0 */
/* Redirecting a function the OpenVPN executable imports: its GOT slot. */
#ifndef OVPN_PLUGIN_GOT_H
#define OVPN_PLUGIN_GOT_H

/* Points the main executable's GOT slot of @symbol at @hook; the previous
 * target goes to *@orig. Returns 0, -ENOENT (not imported) or -errno. */
int got_redirect(const char *symbol, void *hook, void **orig);
/* Puts @orig back. */
int got_restore(const char *symbol, void *orig);

#endif
