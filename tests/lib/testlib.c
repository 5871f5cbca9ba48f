// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

int t_pass, t_fail;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static int cases_run, cases_seen;

int t_done(const char *name)
{
	const char *only = getenv("OVX_CASE");

	if (only && *only && cases_seen && !cases_run) {
		fprintf(stderr, "FAIL: OVX_CASE=%s names no case of %s\n", only, name);
		t_fail++;
	}
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

bool t_case_selected(const char *name)
{
	const char *only = getenv("OVX_CASE"), *p;
	size_t n = strlen(name);

	if (!only || !*only)
		return true;
	for (p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

void t_case(const char *name, void (*fn)(void))
{
	int pass = t_pass, fail = t_fail;

	cases_seen++;
	if (!t_case_selected(name))
		return;
	cases_run++;
	fn();
	fflush(stderr);
	if (t_fail == fail)
		printf("ok   %s: %d check%s\n", name, t_pass - pass, t_pass - pass == 1 ? "" : "s");
	else
		printf("FAIL %s: %d of %d checks failed\n", name, t_fail - fail,
		       t_pass - pass + t_fail - fail);
	fflush(stdout);
}

void t_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FATAL: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

void t_seed(uint64_t seed)
{
	const char *env = getenv("OVX_TEST_SEED");

	if (env)
		seed = strtoull(env, NULL, 0);
	rng_state = seed ? seed : 1;
}

uint64_t t_rand(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

void t_rand_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = t_rand() >> 56;
}

static int cmp_u32(const void *a, const void *b)
{
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 :
	       *(const uint32_t *)a > *(const uint32_t *)b;
}

uint32_t t_median(uint32_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u32);
	return v[n / 2];
}

int t_unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		if (!isxdigit((unsigned char)*hex))
			return -1;
		v = isdigit((unsigned char)*hex) ? *hex - '0' :
						   tolower((unsigned char)*hex) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max)
			return -1;
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

void t_hexdump(const char *label, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	fprintf(stderr, "%s:", label);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", p[i]);
	fputc('\n', stderr);
}

long t_unreclaimable_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "SUnreclaim: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}
