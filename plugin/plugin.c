// SPDX-License-Identifier: GPL-2.0
/* The OpenVPN plugin of ovpn-xdp: `plugin /usr/lib/ovpn-xdp/ovpn-xdp-plugin.so`
 * in an OpenVPN 2.6 config. It captures each data-channel key at OpenVPN's
 * own export of it (a stock OpenVPN gives plugins no keys) and reports keys,
 * addresses and disconnects to ovpn-xdpd, which completes them from the wire
 * and installs them into the fast path. Nothing here may stall OpenVPN: if
 * the daemon is absent or refuses, OpenVPN carries on exactly as without the
 * plugin.
 *
 * Arguments (after the path): socket=PATH (ovpn-xdpd's control socket),
 * name=NAME (the instance, default ovpn-<dev>), link=DEV (repeatable: the
 * devices that carry OpenVPN's UDP traffic; default: the default route's),
 * dump=FILE (tests and debugging: writes captured keys and hook
 * environments, so it contains key material). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openvpn/openvpn-plugin.h>
#include "got.h"
#include "plugin.h"

#define DATAKEYS_LABEL	"EXPORTER-OpenVPN-datakeys"
#define EXPORT_SYMBOL	"SSL_export_keying_material"
/* Built with -fvisibility=hidden: only the entry points are exported. */
#define PLUGIN_API	__attribute__((visibility("default")))

typedef int (*export_fn)(void *ssl, unsigned char *out, size_t olen, const char *label,
			 size_t llen, const unsigned char *context, size_t contextlen,
			 int use_context);

/* The one plugin context of this OpenVPN process, for the GOT hook. */
static struct plugin *plugin;
static export_fn export_orig;

void plugin_msg(struct plugin *p, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (p->log)
		p->log(level, "ovpn-xdp", fmt, ap);
	va_end(ap);
}

static int export_hook(void *ssl, unsigned char *out, size_t olen, const char *label,
		       size_t llen, const unsigned char *context, size_t contextlen,
		       int use_context)
{
	int ret = export_orig(ssl, out, olen, label, llen, context, contextlen, use_context);

	if (ret == 1 && plugin && llen == strlen(DATAKEYS_LABEL) &&
	    !memcmp(label, DATAKEYS_LABEL, llen) && olen == PLUGIN_KEY_LEN)
		plugin_key_captured(plugin, ssl, out);
	return ret;
}

static void parse_args(struct plugin *p, const char **argv)
{
	for (int i = 1; argv && argv[i]; i++) {
		if (!strncmp(argv[i], "dump=", 5))
			snprintf(p->dump, sizeof(p->dump), "%s", argv[i] + 5);
		else if (!strncmp(argv[i], "socket=", 7))
			snprintf(p->ctl_path, sizeof(p->ctl_path), "%s", argv[i] + 7);
		else if (!strncmp(argv[i], "name=", 5))
			snprintf(p->name, sizeof(p->name), "%s", argv[i] + 5);
		else if (!strncmp(argv[i], "link=", 5) && p->nlinks < PLUGIN_MAX_LINKS)
			snprintf(p->links[p->nlinks++], sizeof(p->links[0]), "%s", argv[i] + 5);
		else
			plugin_msg(p, PLOG_WARN, "unknown argument '%s' ignored", argv[i]);
	}
}

PLUGIN_API int openvpn_plugin_open_v3(const int version,
					  struct openvpn_plugin_args_open_in const *in,
					  struct openvpn_plugin_args_open_return *ret)
{
	struct plugin *p;
	int err;

	if (version < 3 || plugin)
		return OPENVPN_PLUGIN_FUNC_ERROR;
	p = calloc(1, sizeof(*p));
	if (!p)
		return OPENVPN_PLUGIN_FUNC_ERROR;
	p->log = in->callbacks ? in->callbacks->plugin_vlog : NULL;
	p->owner_fd = -1;
	parse_args(p, in->argv);
	plugin_options_read(p);
	if (in->ssl_api != SSLAPI_OPENSSL) {
		plugin_msg(p, PLOG_ERR, "OpenVPN is not built with OpenSSL: no offload");
	} else {
		const char *why;

		err = got_redirect(EXPORT_SYMBOL, (void *)export_hook, (void **)&export_orig,
				   &why);
		if (err)
			plugin_msg(p, PLOG_ERR, "cannot hook %s: %s (%s): no offload, OpenVPN "
				   "carries on as without the plugin", EXPORT_SYMBOL, why,
				   strerror(-err));
		else
			p->hooked = true;
	}
	plugin = p;
	ret->type_mask = OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_UP) |
			 OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_DOWN) |
			 OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_TLS_FINAL) |
			 OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_CONNECT_V2) |
			 OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_LEARN_ADDRESS) |
			 OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_DISCONNECT);
	ret->handle = (openvpn_plugin_handle_t *)p;
	plugin_msg(p, PLOG_NOTE, "loaded%s", p->hooked ? ", capturing data-channel keys" : "");
	return OPENVPN_PLUGIN_FUNC_SUCCESS;
}

PLUGIN_API int openvpn_plugin_func_v3(const int version,
					  struct openvpn_plugin_args_func_in const *in,
					  struct openvpn_plugin_args_func_return *ret)
{
	struct plugin *p = (struct plugin *)in->handle;

	(void)version;
	(void)ret;
	plugin_event(p, in->type, in->argv, in->envp);
	return OPENVPN_PLUGIN_FUNC_SUCCESS;	/* never refuse: offload is optional */
}

PLUGIN_API void openvpn_plugin_close_v1(openvpn_plugin_handle_t handle)
{
	struct plugin *p = (struct plugin *)handle;

	if (p->hooked)
		got_restore((void *)export_orig);
	plugin_daemon_release(p);
	plugin = NULL;
	free(p);
}
