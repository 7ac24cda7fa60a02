/* pp_snprintf against the C library's snprintf: every flag, width,
 * precision, length and conversion it handles itself (and some it hands
 * on), on edge values, into buffers that are too small. */
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/util/strbuf.h"
#include "cmd/util/strfmt.h"
#include "unit.h"

#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static long compared, differ;

/* Compares one call; the arguments are passed identically to both. */
#define SAME(fmtstr, ...)                                                                                    \
	do {                                                                                                 \
		static const size_t lens[] = {0, 1, 3, 8, 128};                                              \
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {                             \
			char a[128] = "unwritten", b[128] = "unwritten";                                     \
			int ra = pp_snprintf(lens[li] ? a : NULL, lens[li], fmtstr, __VA_ARGS__);            \
			int rb = snprintf(lens[li] ? b : NULL, lens[li], fmtstr, __VA_ARGS__);               \
			compared++;                                                                          \
			if (ra != rb || strcmp(a, b) != 0) {                                                 \
				if (differ++ < 10)                                                           \
					printf("# '%s' into %zu bytes: got %d \"%s\", want %d \"%s\"\n",   \
					       fmtstr, lens[li], ra, a, rb, b);                              \
			}                                                                                    \
		}                                                                                            \
	} while (0)

int main(void)
{
	static const char *const flags[] = {"", "-", "0", "-0"};
	static const char *const widths[] = {"", "1", "5", "21", "*"};
	static const char *const precs[] = {"", ".", ".0", ".3", ".30", ".*"};
	static const long long sv[] = {0, 1, -1, 42, -42, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN, 0x7f, -0x80};
	static const unsigned long long uv[] = {0, 1, 9, 10, 255, 65535, UINT_MAX, ULLONG_MAX, 0xffff888100b84c00ull};
	static const char *const strs[] = {"", "a", "veth-b", "a string longer than twenty characters"};
	char f[64];

	for (size_t fi = 0; fi < 4; fi++)
		for (size_t wi = 0; wi < 5; wi++)
			for (size_t pi = 0; pi < 6; pi++) {
				const char *fl = flags[fi], *w = widths[wi], *pr = precs[pi];
				bool sw = w[0] == '*', sp = pr[0] && pr[1] == '*';
				for (int wv = -7; wv <= 7; wv += 7)
					for (int pv = -1; pv <= 4; pv += 5) {
						for (size_t i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
							long long v = sv[i];
							snprintf(f, sizeof(f), "<%%%s%s%sd>", fl, w, pr);
							if (sw && sp) SAME(f, wv, pv, (int)v);
							else if (sw) SAME(f, wv, (int)v);
							else if (sp) SAME(f, pv, (int)v);
							else SAME(f, (int)v);
							snprintf(f, sizeof(f), "<%%%s%s%slld|%%hhd|%%hd>", fl, w, pr);
							if (sw && sp) SAME(f, wv, pv, v, (int)v, (int)v);
							else if (sw) SAME(f, wv, v, (int)v, (int)v);
							else if (sp) SAME(f, pv, v, (int)v, (int)v);
							else SAME(f, v, (int)v, (int)v);
						}
						for (size_t i = 0; i < sizeof(uv) / sizeof(uv[0]); i++) {
							unsigned long long v = uv[i];
							static const char *const uc[] = {"u", "x", "X", "lu", "lx", "llu", "llx", "zu", "hhu", "hx"};
							for (size_t c = 0; c < sizeof(uc) / sizeof(uc[0]); c++) {
								snprintf(f, sizeof(f), "[%%%s%s%s%s]", fl, w, pr, uc[c]);
								bool ll = uc[c][0] == 'l' || uc[c][0] == 'z';
								if (ll) {
									if (sw && sp) SAME(f, wv, pv, (unsigned long)v);
									else if (sw) SAME(f, wv, (unsigned long)v);
									else if (sp) SAME(f, pv, (unsigned long)v);
									else SAME(f, (unsigned long)v);
								} else {
									if (sw && sp) SAME(f, wv, pv, (unsigned)v);
									else if (sw) SAME(f, wv, (unsigned)v);
									else if (sp) SAME(f, pv, (unsigned)v);
									else SAME(f, (unsigned)v);
								}
							}
						}
						if (fi == 2 || fi == 3)
							continue; /* '0' on %s and %c: undefined, handed on */
						for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
							snprintf(f, sizeof(f), "%%%s%s%ss|%%c%%%%", fl, w, pr);
							if (sw && sp) SAME(f, wv, pv, strs[i], 'q');
							else if (sw) SAME(f, wv, strs[i], 'q');
							else if (sp) SAME(f, pv, strs[i], 'q');
							else SAME(f, strs[i], 'q');
						}
					}
			}
	/* What the output code prints, and what is handed on. */
	SAME("%" PRIu64 ".%06" PRIu64 " 0x%" PRIx64, (uint64_t)12, (uint64_t)345, (uint64_t)0xffff888100b84c00ull);
	SAME("%-12s %-18s %3s %7s|", "0.000326", "0xffff8881974e3a00", "0", "14145");
	SAME("%.3f %p %+d % d %#x %s", 1.5, (void *)&compared, 5, 5, 255, (const char *)NULL);
	SAME("%s", "no conversion at the end %");
	char msg[64];
	snprintf(msg, sizeof(msg), "%ld calls agree with snprintf", compared - differ);
	CHECK(msg, differ == 0 && compared > 100000);

	/* The appenders that stand for "%" PRIu64, "%" PRId64, "%" PRIx64 and "%s". */
	const uint64_t nums[] = {0, 1, 9, 10, 99, 100, 101, 999, 1000, 65535, 2147483646, 2147483647, 4294967295ull,
				 10000000000ull, 9999999999999999999ull, 10000000000000000000ull, UINT64_MAX};
	long apart = 0, tried = 0;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		char want[128];
		struct strbuf sb = {0};
		int64_t d = (int64_t)nums[i], neg = d == INT64_MIN ? d : -d;
		sb_putu(&sb, nums[i]);
		sb_append(&sb, " ", 1);
		sb_putd(&sb, d);
		sb_append(&sb, " ", 1);
		sb_putd(&sb, neg);
		sb_append(&sb, " ", 1);
		sb_putx(&sb, nums[i]);
		sb_puts(&sb, " end");
		snprintf(want, sizeof(want), "%" PRIu64 " %" PRId64 " %" PRId64 " %" PRIx64 " end", nums[i], d, neg,
			 nums[i]);
		tried++;
		if (!sb.s || strcmp(sb.s, want)) {
			printf("  differs: \"%s\", snprintf \"%s\"\n", sb.s ? sb.s : "", want);
			apart++;
		}
		sb_free(&sb);
	}
	snprintf(msg, sizeof(msg), "%ld numbers appended as snprintf prints them", tried - apart);
	CHECK(msg, apart == 0);
	return unit_failed;
}
