/* A growing string: formatted output without fixed-size buffers. */
#ifndef PKTPATH_STRBUF_H
#define PKTPATH_STRBUF_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct strbuf {
	char *s;
	size_t len, cap;
	int oom; /* set once an allocation failed; the text is then cut */
};

void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Room for n more bytes and the NUL: 0, or -1 (oom set) when out of
 * memory. The slow half of the appenders below. */
int sb_reserve(struct strbuf *sb, size_t n);
/* Appends n bytes of s (no formatting: the fast path for plain text).
 * Inline: most appends are a few bytes, often of a literal. */
static inline void sb_append(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->cap - sb->len <= n && sb_reserve(sb, n))
		return;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}
/* The fast paths for the output code's commonest pieces (exactly what
 * sb_printf gives for "%s", "%c" repeated n times, "%" PRIu64, "%" PRId64
 * and "%" PRIx64), without parsing a format. */
static inline void sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}
void sb_pad(struct strbuf *sb, char c, size_t n);
void sb_putu(struct strbuf *sb, uint64_t v);
void sb_putd(struct strbuf *sb, int64_t v);
void sb_putx(struct strbuf *sb, uint64_t v);
void sb_reset(struct strbuf *sb);

/* A table row's cell: width > 0 right-aligned, < 0 left-aligned, 0 none. */
struct sb_col {
	const char *text;
	int width;
	int pad_last; /* the last cell: pad it to its width too */
};
/* Appends cells separated by one space, each starting at its column
 * counted in display width from where the row starts; a cell wider than
 * its column (an escaped name) pushes the next ones right only until
 * later cells have room again, so the rest of the row stays aligned. */
void sb_columns(struct strbuf *sb, const struct sb_col *cols, size_t n);
/* The same with the cells' lengths, as strlen would give them, known to the
 * caller (lens[i]; NULL: measured). */
void sb_columns_len(struct strbuf *sb, const struct sb_col *cols, const size_t *lens, size_t n);
void sb_free(struct strbuf *sb);

/* Copies n bytes from s to d (room for them at d) and returns them ORed
 * together, so a byte's high bit (& 0x8080808080808080) says "not ASCII":
 * a table cell is a few bytes, copied by words (the last overlapping)
 * rather than by a call to memcpy and then measured by a second pass. */
static inline uint64_t sb_copy_or(char *d, const char *s, size_t n)
{
	uint64_t h = 0;
	if (n >= 8) {
		uint64_t x;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, s + i, 8);
			memcpy(d + i, &x, 8);
			h |= x;
		}
		memcpy(&x, s + n - 8, 8);
		memcpy(d + n - 8, &x, 8);
		h |= x;
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
		h = x | y;
	} else {
		for (size_t i = 0; i < n; i++) {
			d[i] = s[i];
			h |= (unsigned char)s[i];
		}
	}
	return h;
}

#endif
