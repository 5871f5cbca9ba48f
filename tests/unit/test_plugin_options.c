// SPDX-License-Identifier: GPL-2.0
/* The plugin's reading of OpenVPN's options (plugin/options.c): the framing
 * from config files and the command line, in OpenVPN's order, reneg-sec
 * (3600 unless set), and what makes it decline. The options are read from /proc/self/cmdline, so each case
 * runs this program again with OpenVPN-like arguments and reads what it
 * found from its output. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../plugin/options.c"
#include "testlib.h"

void plugin_msg(struct plugin *p, int level, const char *fmt, ...)
{
	(void)p, (void)level, (void)fmt;
}

static char dir[] = "/tmp/ovpn-xdp-opts.XXXXXX";
static const char *self;

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		t_fatal("cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* Runs this program with @args (after its path); its "framing decline". */
static void run(const char *args, char *out, size_t size)
{
	char cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "cd %s && %s %s", dir, self, args);
	f = popen(cmd, "r");
	out[0] = 0;
	if (!f || !fgets(out, size, f))
		snprintf(out, size, "(no output)");
	out[strcspn(out, "\n")] = 0;
	if (f)
		pclose(f);
}

static void expect(const char *args, const char *want)
{
	char got[256];

	run(args, got, sizeof(got));
	CHECK(!strcmp(got, want), "%s: got '%s', want '%s'", args, got, want);
}

int main(int argc, char **argv __attribute__((unused)))
{
	if (argc > 1) {	/* a case: report */
		struct plugin p = { 0 };

		plugin_options_read(&p);
		printf("0x%x %s %u\n", p.framing, p.decline[0] ? "decline" : "offload",
		       p.opt_reneg_sec);
		return 0;
	}
	self = realpath("/proc/self/exe", NULL);
	if (!self || !mkdtemp(dir))
		t_fatal("setup");
	write_file("none.conf", "client\ndev tun\n<ca>\ncompress lz4\n</ca>\n# comp-lzo\n");
	write_file("lzo.conf", "dev tun\ncomp-lzo no\n");
	write_file("stub.conf", "compress\n");
	write_file("stubv2.conf", "compress stub-v2\n");
	write_file("lz4v2.conf", "compress \"lz4-v2\"\n");
	write_file("frag.conf", "fragment 1300\ncomp-lzo\n");
	write_file("fragmtu.conf", "fragment 1300 mtu\n");
	write_file("nested.conf", "config lzo.conf\ncompress lz4\n");
	write_file("secret.conf", "secret static.key\n");
	write_file("migrate.conf", "compress migrate\n");
	write_file("odd.conf", "compress snappy\n");
	write_file("reneg.conf", "reneg-sec 0\n");

	expect("--config none.conf --daemon", "0x0 offload 3600");
	expect("--config lzo.conf", "0x100 offload 3600");
	expect("--config stub.conf", "0x200 offload 3600");
	expect("--config stubv2.conf", "0x400 offload 3600");
	expect("--config lz4v2.conf", "0x400 offload 3600");
	expect("--config frag.conf", "0x4f80900 offload 3600");	/* 1300 - 28 = 0x4f8 */
	expect("--config fragmtu.conf", "0x4c80800 offload 3600");	/* - 48 */
	expect("--config nested.conf", "0x200 offload 3600");	/* the later one */
	expect("--config lzo.conf --compress stub-v2", "0x400 offload 3600");
	expect("--compress stub-v2 --config lzo.conf", "0x100 offload 3600");
	expect("lzo.conf", "0x100 offload 3600");			/* `openvpn FILE` */
	expect("--cd / --config missing.conf", "0x0 decline 3600");
	expect("--config secret.conf", "0x0 decline 3600");
	expect("--config migrate.conf", "0x0 decline 3600");
	expect("--config odd.conf", "0x0 decline 3600");
	expect("--dev tun --remote 10.0.0.1 --comp-lzo", "0x100 offload 3600");
	expect("--config reneg.conf", "0x0 offload 0");		/* reneg-sec */
	expect("--config reneg.conf --reneg-sec 86400 600", "0x0 offload 86400");
	char rm[300];

	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm))
		fprintf(stderr, "cannot remove %s\n", dir);
	return t_done("plugin_options");
}
