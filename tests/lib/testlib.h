/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal test support: counted checks, a reproducible PRNG, hex. Each test
 * program ends with t_done(), which prints "name: N passed, N failed". */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int t_pass, t_fail;

#define CHECK(cond, ...)                                                       \
	({                                                                     \
		bool ok_ = (cond);                                             \
		if (ok_) {                                                     \
			t_pass++;                                              \
		} else {                                                       \
			t_fail++;                                              \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
		ok_;                                                           \
	})

/* Prints the summary line; returns the process exit code. */
int t_done(const char *name);

/* Named cases: t_case() runs @fn unless OVX_CASE (a name or a
 * comma-separated list of names) leaves it out, then prints one line, "ok
 * NAME: N checks" or "FAIL NAME: N of M checks failed". T_CASE(test_keys)
 * names the case "keys". A case that needs state makes it itself (or its
 * program's setup does), so that any one runs alone:
 *   OVX_CASE=keys build/tests/netns/test_ctl_objects_netns
 * t_done() fails when OVX_CASE names no case of the program. */
bool t_case_selected(const char *name);
void t_case(const char *name, void (*fn)(void));
#define T_CASE(fn) t_case(#fn + (sizeof("test_") - 1) * !__builtin_strncmp(#fn, "test_", 5), fn)

/* Aborts the test program with a message (setup that cannot go on). */
void t_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Deterministic PRNG (xorshift64*), seeded from OVX_TEST_SEED or a default. */
void t_seed(uint64_t seed);
uint64_t t_rand(void);
void t_rand_bytes(void *buf, size_t len);

/* The kernel's unreclaimable slab (SUnreclaim of /proc/meminfo), in KiB, or
 * -1: where BPF map values and crypto contexts live. */
long t_unreclaimable_kb(void);

/* The median of @n values (sorts @v). */
uint32_t t_median(uint32_t *v, int n);

/* Hex string (whitespace ignored) to bytes; returns the length or -1. */
int t_unhex(const char *hex, uint8_t *out, size_t max);
void t_hexdump(const char *label, const void *buf, size_t len);

#endif
