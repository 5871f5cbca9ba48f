// SPDX-License-Identifier: GPL-2.0
/* The plugin's GOT redirect (plugin/got.c) in an executable linked as
 * OpenVPN's release build is by default (the Makefile links this test so): a
 * PIE with partial RELRO and lazy binding, where the slot's page is writable
 * and holds the program's data, and the slot holds the PLT's resolver stub
 * until the first call. The redirect must leave every page of the executable
 * as it was (data written after it), catch every call, not only the first
 * (the resolver would overwrite the hook), call the real function, and be
 * undone by got_restore. A second redirect of the slot, and a symbol the
 * executable does not import, are refused with the executable untouched. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "got.h"
#include "testlib.h"

static int calls;
static pid_t (*real_getppid)(void);
static volatile int data_word;	/* in the data beside the GOT */

static pid_t hook(void)
{
	calls++;
	return real_getppid();
}

/* The lines of /proc/self/maps that map this executable (its protections). */
static void exe_maps(char *out, size_t size)
{
	char exe[256], line[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f = fopen("/proc/self/maps", "re");

	*out = 0;
	if (n <= 0 || !f)
		t_fatal("cannot read /proc/self/exe or /proc/self/maps");
	exe[n] = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, exe) && strlen(out) + strlen(line) < size)
			strcat(out, line);
	fclose(f);
}

int main(void)
{
	char before[4096], after[4096];
	const char *why = "";
	void *unused = NULL;
	pid_t parent = syscall(SYS_getppid);
	int err;

	exe_maps(before, sizeof(before));
	err = got_redirect("getppid", (void *)hook, (void **)&real_getppid, &why);
	CHECK(err == 0, "redirect: %s (%s)", why, strerror(-err));
	exe_maps(after, sizeof(after));
	CHECK(!strcmp(before, after), "pages changed:\n%s\nthen:\n%s", before, after);
	data_word++;
	CHECK(getppid() == parent && getppid() == parent, "the real function is called");
	CHECK(calls == 2, "both calls went through the hook (%d did)", calls);
	err = got_redirect("getppid", (void *)hook, &unused, &why);
	CHECK(err == -EBUSY && !unused, "a second redirect is refused (%d)", err);

	CHECK(got_restore((void *)real_getppid) == 0, "restore");
	CHECK(getppid() == parent && calls == 2, "the hook is gone after restore");
	exe_maps(after, sizeof(after));
	CHECK(!strcmp(before, after), "pages changed by restore:\n%s", after);

	err = got_redirect("ovx_not_imported", (void *)hook, &unused, &why);
	CHECK(err == -ENOENT && !unused, "a symbol not imported is refused (%d)", err);
	CHECK(getppid() == parent && calls == 2, "and nothing changed");
	return t_done("got");
}
