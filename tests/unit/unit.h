/* Minimal checks for unit tests: one PASS/FAIL line each, exit status 1
 * if any failed. */
#ifndef PKTPATH_UNIT_H
#define PKTPATH_UNIT_H
#include <stdio.h>
#include <string.h>

static int unit_failed;

#define CHECK(what, cond)                                                                        \
	do {                                                                                     \
		if (cond) {                                                                      \
			printf("PASS %s\n", what);                                               \
		} else {                                                                         \
			printf("FAIL %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond);       \
			unit_failed = 1;                                                         \
		}                                                                                \
	} while (0)

#define CHECK_STR(what, got, want)                                                               \
	do {                                                                                     \
		const char *g_ = (got), *w_ = (want);                                            \
		if (g_ && strcmp(g_, w_) == 0) {                                                 \
			printf("PASS %s\n", what);                                               \
		} else {                                                                         \
			printf("FAIL %s: got \"%s\", want \"%s\"\n", what, g_ ? g_ : "(null)", w_); \
			unit_failed = 1;                                                         \
		}                                                                                \
	} while (0)

#endif
