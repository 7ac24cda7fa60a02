/* printf for the output path, without stdio: the text formatters print a
 * dozen small fields per event, and glibc's vsnprintf set-up cost was most
 * of what replaying a recording spent (perf: 70 % of the time). Handles
 * %[-0][width|*][.prec|*][hh|h|l|ll|z|j|t](d|i|u|x|X|c|s|%); anything else
 * (floats, %p, other flags) is handed to vsnprintf, so the result is
 * always what snprintf would give (tests/unit/test_strfmt.c checks). */
#ifndef PKTPATH_STRFMT_H
#define PKTPATH_STRFMT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* As vsnprintf: writes at most len bytes with the NUL, returns the length
 * the whole text needs (negative only on a vsnprintf error). */
int pp_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int pp_snprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* v in decimal into out (at most 20 bytes, no NUL); returns the length. */
size_t pp_utoa(char *out, uint64_t v);
/* "00" "01" ... "99": two digits at a time. */
extern const char pp_digit_pairs[201];

#endif
