/*
 * Minimal unit-test harness. A test file defines TEST(name) functions and a
 * main() that calls RUN(name) for each and returns unit_done(). Each binary
 * prints "unit: N passed, N failed" last; tests/run.sh adds them up.
 */
#ifndef A3S_UNIT_H
#define A3S_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed, unit_cur_failed;

#define TEST(name) static void name(void)
#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			unit_cur_failed = 1;                                         \
			return;                                                      \
		}                                                                    \
	} while (0)
#define CHECK_STR(a, b)                                                              \
	do {                                                                         \
		const char *a_ = (a), *b_ = (b);                                     \
		if (!a_ || !b_ || strcmp(a_, b_)) {                                  \
			fprintf(stderr, "  %s:%d: '%s' != '%s'\n", __FILE__, __LINE__,       \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");             \
			unit_cur_failed = 1;                                         \
			return;                                                      \
		}                                                                    \
	} while (0)
#define RUN(name)                                                                    \
	do {                                                                         \
		unit_cur_failed = 0;                                                 \
		name();                                                              \
		if (unit_cur_failed) {                                               \
			unit_failed++;                                               \
			printf("not ok - %s\n", #name);                              \
		} else {                                                             \
			unit_passed++;                                               \
			printf("ok - %s\n", #name);                                  \
		}                                                                    \
	} while (0)

static inline int unit_done(void)
{
	printf("unit: %d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
