#include "cmd/util/strbuf.h"
#include "cmd/util/strfmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = sb->cap - sb->len;
		va_start(ap, fmt);
		int n = pp_vsnprintf(sb->s ? sb->s + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = sb->cap ? sb->cap : 256;
		while (cap - sb->len <= (size_t)n)
			cap *= 2;
		char *s = realloc(sb->s, cap);
		if (!s) {
			sb->oom = 1;
			return;
		}
		sb->s = s;
		sb->cap = cap;
	}
}

void sb_append(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->cap - sb->len <= n) {
		size_t cap = sb->cap ? sb->cap : 256;
		while (cap - sb->len <= n)
			cap *= 2;
		char *ns = realloc(sb->s, cap);
		if (!ns) {
			sb->oom = 1;
			return;
		}
		sb->s = ns;
		sb->cap = cap;
	}
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
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
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

void sb_columns(struct strbuf *sb, const struct sb_col *cols, size_t n)
{
	size_t start = sb->len, at = 0; /* at: where this column starts in a row that fits */
	for (size_t i = 0; i < n; i++) {
		const char *v = cols[i].text ? cols[i].text : "";
		size_t vlen = strlen(v), vw = display_width(v, vlen);
		size_t width = (size_t)(cols[i].width < 0 ? -cols[i].width : cols[i].width);
		size_t now = display_width(sb->s ? sb->s + start : "", sb->len - start);
		size_t to = at; /* where this cell's text starts */
		if (cols[i].width > 0 && vw < width) /* right-aligned */
			to += width - vw;
		if (i && to < now + 1)
			to = now + 1; /* an earlier cell overflowed: one space, the row catches up later */
		for (size_t k = now; k < to; k++)
			sb_append(sb, " ", 1);
		sb_append(sb, v, vlen);
		at += width + 1;
		if (i + 1 == n && cols[i].width < 0 && vw < width && cols[i].pad_last)
			for (size_t k = vw; k < width; k++)
				sb_append(sb, " ", 1);
	}
}
