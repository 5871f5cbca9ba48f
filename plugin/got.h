/* SPDX-License-Identifier: GPL-2.0 */
/* Redirecting a function the OpenVPN executable imports: its GOT slot. */
#ifndef OVX_PLUGIN_GOT_H
#define OVX_PLUGIN_GOT_H

/* Points the main executable's GOT slot of @symbol at @hook; the function
 * the slot's calls reach (resolved if the slot is still lazy) goes to *@orig.
 * Returns 0, or -errno with *@why saying which step failed; then nothing was
 * changed. One redirect at a time. */
int got_redirect(const char *symbol, void *hook, void **orig, const char **why);
/* Points the redirected slot at @orig, its page's protection as it was.
 * Returns 0 or -errno. */
int got_restore(void *orig);

#endif
