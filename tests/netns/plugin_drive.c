// SPDX-License-Identifier: GPL-2.0
/* Drives the OpenVPN plugin's code as OpenVPN would, for test_leaks_netns
 * (built with AddressSanitizer: LeakSanitizer checks at exit): the plugin
 * is opened, its instance registered on UP, then each cycle a client
 * connects (TLS_FINAL), its key is captured, its address learnt, and it
 * disconnects; DOWN and close at the end.
 * Usage: plugin_drive SOCKET LINK TUN UDP_ADDR UDP_PORT CYCLES
 * Prints the heap in use after the first tenth of the cycles and at the end;
 * exits with 5 if it grew by over 1 KiB. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openvpn/openvpn-plugin.h>
#include "plugin.h"

/* AddressSanitizer's heap in use (sanitizer/allocator_interface.h, which
 * gcc does not ship). */
size_t __sanitizer_get_current_allocated_bytes(void);

static int messages;

static void vlog(openvpn_plugin_log_flags_t flags, const char *name, const char *fmt, va_list ap)
{
	(void)flags, (void)name;
	if (messages++ < 20) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

static void event(openvpn_plugin_handle_t h, int type, const char **argv, const char **envp)
{
	struct openvpn_plugin_args_func_in in = { .type = type, .argv = argv, .envp = envp,
						  .handle = h };
	struct openvpn_plugin_args_func_return ret = { 0 };

	openvpn_plugin_func_v3(3, &in, &ret);
}

static void cycle(openvpn_plugin_handle_t h, int i)
{
	char ip[32], port[32], vpn[32], *env[] = { ip, port, NULL };
	const char *learn[] = { "learn", "add", vpn, NULL };
	unsigned char material[PLUGIN_KEY_LEN];

	snprintf(ip, sizeof(ip), "untrusted_ip=10.97.%d.%d", 1 + i / 250 % 250, 1 + i % 250);
	snprintf(port, sizeof(port), "untrusted_port=%d", 40000 + i % 20000);
	snprintf(vpn, sizeof(vpn), "10.8.%d.%d", i / 250 % 250, 2 + i % 250);
	for (size_t k = 0; k < sizeof(material); k++)
		material[k] = i + k;
	event(h, OPENVPN_PLUGIN_TLS_FINAL, NULL, (const char **)env);
	plugin_key_captured((struct plugin *)h, NULL, material);
	event(h, OPENVPN_PLUGIN_LEARN_ADDRESS, learn, (const char **)env);
	event(h, OPENVPN_PLUGIN_CLIENT_DISCONNECT, NULL, (const char **)env);
}

/* OpenVPN's socket, above the standard descriptors (the plugin looks there,
 * and a test runner may have closed stdin). */
static int udp_bind(const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = fcntl(socket(AF_INET, SOCK_DGRAM, 0), F_DUPFD, 3);

	inet_pton(AF_INET, addr, &sa.sin_addr);
	return fd >= 0 && !bind(fd, (void *)&sa, sizeof(sa)) ? fd : -1;
}

int main(int argc, char **argv)
{
	char sock[160], link[32], dev[32];
	const char *args[] = { "ovpn-xdp-plugin.so", sock, link, "name=plg", NULL };
	const char *up_env[] = { dev, NULL };
	struct openvpn_plugin_callbacks cb = { .plugin_vlog = vlog };
	struct openvpn_plugin_args_open_in in = { .argv = args, .callbacks = &cb,
						  .ssl_api = SSLAPI_NONE };
	struct openvpn_plugin_args_open_return ret = { 0 };
	int cycles, fd;
	size_t early = 0, end;

	if (argc != 7)
		return 2;
	snprintf(sock, sizeof(sock), "socket=%s", argv[1]);
	snprintf(link, sizeof(link), "link=%s", argv[2]);
	snprintf(dev, sizeof(dev), "dev=%s", argv[3]);
	fd = udp_bind(argv[4], atoi(argv[5]));
	cycles = atoi(argv[6]);
	if (fd < 0 || openvpn_plugin_open_v3(3, &in, &ret) != OPENVPN_PLUGIN_FUNC_SUCCESS)
		return 3;
	event(ret.handle, OPENVPN_PLUGIN_UP, NULL, up_env);
	if (!((struct plugin *)ret.handle)->registered)
		return 4;
	for (int i = 0; i < cycles; i++) {
		cycle(ret.handle, i);
		if (i == cycles / 10)
			early = __sanitizer_get_current_allocated_bytes();
	}
	end = __sanitizer_get_current_allocated_bytes();
	printf("plugin heap: %zu bytes after %d cycles, %zu after %d\n", early, cycles / 10 + 1,
	       end, cycles);
	event(ret.handle, OPENVPN_PLUGIN_DOWN, NULL, up_env);
	openvpn_plugin_close_v1(ret.handle);
	close(fd);
	return end > early + 1024 ? 5 : 0;	/* grown */
}
