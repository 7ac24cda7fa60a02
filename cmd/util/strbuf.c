#include "cmd/util/strbuf.h"
#include "cmd/util/strfmt.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb_reserve(struct strbuf *sb, size_t n)
{
	if (sb->cap - sb->len > n)
		return 0;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap - sb->len <= n)
		cap *= 2;
	char *s = realloc(sb->s, cap);
	if (!s) {
		sb->oom = 1;
		return -1;
	}
	sb->s = s;
	sb->cap = cap;
	return 0;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	/* Most texts are short: room first, so one formatting pass does. */
	if (sb->cap - sb->len < 128 && sb_reserve(sb, 128))
		return;
	for (;;) {
		size_t room = sb->cap - sb->len;
		va_start(ap, fmt);
		int n = pp_vsnprintf(sb->s + sb->len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		if (sb_reserve(sb, (size_t)n))
			return;
	}
}

void sb_pad(struct strbuf *sb, char c, size_t n)
{
	if (sb_reserve(sb, n))
		return;
	memset(sb->s + sb->len, c, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

/* The digits go straight into the buffer (room for the longest made
 * first), not through a copy. */
#define DIGITS_MAX 21 /* "-9223372036854775808" */

void sb_putu(struct strbuf *sb, uint64_t v)
{
	if (sb->cap - sb->len <= DIGITS_MAX && sb_reserve(sb, DIGITS_MAX))
		return;
	sb->len += pp_utoa(sb->s + sb->len, v);
	sb->s[sb->len] = '\0';
}

void sb_putd(struct strbuf *sb, int64_t v)
{
	if (sb->cap - sb->len <= DIGITS_MAX && sb_reserve(sb, DIGITS_MAX))
		return;
	if (v < 0)
		sb->s[sb->len++] = '-';
	sb->len += pp_utoa(sb->s + sb->len, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	sb->s[sb->len] = '\0';
}

void sb_putx(struct strbuf *sb, uint64_t v)
{
	char d[16];
	size_t n = 0;
	do {
		d[sizeof(d) - 1 - n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	sb_append(sb, d + sizeof(d) - n, n);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

void sb_free(struct strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

/* Display width of n bytes: UTF-8 continuation bytes take no column
 * (every other byte is printable ASCII once escaped, or a lead byte of
 * pktpath's own arrows). */
static size_t display_width(const char *s, size_t n)
{
	size_t w = n, i = 0;
	uint64_t high = 0; /* plain ASCII, the usual case, a word at a time */
	if (n >= 8) {
		for (; i + 8 <= n; i += 8) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			high |= x;
		}
		uint64_t x; /* the last 8 bytes, overlapping: the rest of them */
		memcpy(&x, s + n - 8, 8);
		high |= x;
	} else if (n >= 4) { /* the first four and the last four, overlapping */
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		high = x | y;
	} else {
		for (; i < n; i++)
			high |= (unsigned char)s[i];
	}
	if (!(high & 0x8080808080808080ull))
		return n;
	for (i = 0; i < n; i++)
		w -= ((unsigned char)s[i] & 0xc0) == 0x80;
	return w;
}

void sb_columns(struct strbuf *sb, const struct sb_col *cols, size_t n)
{
	sb_columns_len(sb, cols, NULL, n);
}

/* The usual row, where every cell is plain ASCII so a byte is a column:
 * the places of all cells worked out first, then spaces under the whole
 * row and the cells copied over them, each checked for ASCII as it is
 * copied. Same layout as the cell-by-cell loop below, at a fraction of its
 * cost (it is every line of a replay). False, and nothing added, when a
 * cell that must be measured is not ASCII (the last cell, left-aligned and
 * not padded, never is: nothing after it depends on its width). */
#define COLS_FAST 16
static bool columns_ascii(struct strbuf *sb, const struct sb_col *cols, const size_t *lens, size_t n)
{
	size_t to[COLS_FAST], vl[COLS_FAST], now = 0, at = 0, need = 8, end;
	if (!n || n > COLS_FAST)
		return false;
	for (size_t i = 0; i < n; i++) {
		vl[i] = lens ? lens[i] : cols[i].text ? strlen(cols[i].text) : 0;
		size_t width = (size_t)(cols[i].width < 0 ? -cols[i].width : cols[i].width);
		to[i] = at;
		if (cols[i].width > 0 && vl[i] < width) /* right-aligned */
			to[i] += width - vl[i];
		if (i && to[i] < now + 1)
			to[i] = now + 1; /* an earlier cell overflowed */
		now = to[i] + vl[i];
		need += vl[i] + width + 1; /* the row is shorter than this, and 8 more for the spaces' overshoot */
		at += width + 1;
	}
	const struct sb_col *last = &cols[n - 1];
	bool free_last = last->width <= 0 && !last->pad_last; /* any text, any width */
	end = now;
	if (last->width < 0 && last->pad_last && vl[n - 1] < (size_t)-last->width)
		end += (size_t)-last->width - vl[n - 1];
	if (sb->cap - sb->len <= need && sb_reserve(sb, need))
		return true; /* out of memory: the row is cut, as below */
	char *row = sb->s + sb->len;
	size_t spaces = free_last ? to[n - 1] : end; /* not under a free last cell: often a long one */
	for (size_t k = 0; k < spaces; k += 8)
		memcpy(row + k, "        ", 8);
	uint64_t high = 0;
	for (size_t i = 0; i + free_last < n; i++)
		high |= sb_copy_or(row + to[i], cols[i].text ? cols[i].text : "", vl[i]);
	if (high & 0x8080808080808080ull) {
		sb->s[sb->len] = '\0';
		return false;
	}
	if (free_last)
		memcpy(row + to[n - 1], last->text ? last->text : "", vl[n - 1]);
	sb->len += end;
	sb->s[sb->len] = '\0';
	return true;
}

void sb_columns_len(struct strbuf *sb, const struct sb_col *cols, const size_t *lens, size_t n)
{
	if (columns_ascii(sb, cols, lens, n))
		return;
	/* The buffer in locals: a byte stored through it could alias sb's
	 * fields, so the compiler would reload them after every store. */
	char *s = sb->s;
	size_t len = sb->len, cap = sb->cap;
	size_t now = 0, at = 0; /* now: the row's display width so far; at: where this column starts in a row that fits */
	for (size_t i = 0; i < n; i++) {
		const char *v = cols[i].text ? cols[i].text : "";
		size_t vlen = lens ? lens[i] : strlen(v), vw = 0;
		size_t width = (size_t)(cols[i].width < 0 ? -cols[i].width : cols[i].width);
		size_t to = at; /* where this cell's text starts */
		bool right = cols[i].width > 0;
		if (right) { /* right-aligned: its width places it */
			vw = display_width(v, vlen);
			if (vw < width)
				to += width - vw;
		}
		if (i && to < now + 1)
			to = now + 1; /* an earlier cell overflowed: one space, the row catches up later */
		size_t pad = to > now ? to - now : 0, need = pad + vlen + width + 8;
		if (cap - len <= need) {
			sb->len = len;
			if (sb_reserve(sb, need)) {
				if (sb->s)
					sb->s[len] = '\0';
				return;
			}
			s = sb->s;
			cap = sb->cap;
		}
		/* Spaces eight at a time (room for the overshoot reserved; the
		 * text then overwrites it). */
		for (size_t k = 0; k < pad; k += 8)
			memcpy(s + len + k, "        ", 8);
		len += pad;
		now += pad;
		if (i + 1 == n && !right && !cols[i].pad_last) {
			/* The last cell, nothing after it: its width does not
			 * matter (often a long one: --stream's packet). */
			memcpy(s + len, v, vlen);
			len += vlen;
			break;
		}
		uint64_t high = sb_copy_or(s + len, v, vlen);
		len += vlen;
		if (!right) /* left-aligned: its width counted once copied (bytes, unless not ASCII) */
			vw = high & 0x8080808080808080ull ? display_width(v, vlen) : vlen;
		now += vw;
		at += width + 1;
		if (i + 1 == n && cols[i].width < 0 && vw < width && cols[i].pad_last) {
			for (size_t k = 0; k < width - vw; k += 8) /* reserved above */
				memcpy(s + len + k, "        ", 8);
			len += width - vw;
		}
	}
	sb->len = len;
	if (s)
		s[len] = '\0';
}
