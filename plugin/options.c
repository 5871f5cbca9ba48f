// SPDX-License-Identifier: GPL-2.0
/* OpenVPN options the fast path must follow that OpenVPN does not give a
 * plugin: --client-to-client, from OpenVPN's command line (the plugin runs in
 * its process: /proc/self/cmdline) and its config files (the environment's
 * "config", and the files it includes with "config FILE"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "plugin.h"

#define C2C		"client-to-client"
#define MAX_DEPTH	4

static bool word_is(const char *s, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(s, word, n) && (!s[n] || isspace((unsigned char)s[n]));
}

/* A config file line's option, without leading blanks and dashes. */
static const char *option_of(char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!strncmp(line, "--", 2))
		line += 2;
	return line;
}

static bool file_has_c2c(const char *path, int depth)
{
	char line[512], inc[256];
	bool found = false;
	FILE *f;

	if (depth > MAX_DEPTH || !(f = fopen(path, "r")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *o = option_of(line);

		if (word_is(o, C2C))
			found = true;
		else if (word_is(o, "config") && sscanf(o + 6, " %255s", inc) == 1)
			found = file_has_c2c(inc, depth + 1);
	}
	fclose(f);
	return found;
}

static bool cmdline_has_c2c(void)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen("/proc/self/cmdline", "r");
	bool found = false;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (size_t i = 0; i < n && !found; i += strlen(buf + i) + 1)
		found = !strcmp(buf + i, "--" C2C);
	return found;
}

bool plugin_client_to_client(const char *config)
{
	return cmdline_has_c2c() || (config && file_has_c2c(config, 0));
}
