/* A growing string: formatted output without fixed-size buffers. */
#ifndef PKTPATH_STRBUF_H
#define PKTPATH_STRBUF_H
#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	int oom; /* set once an allocation failed; the text is then cut */
};

void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n bytes of s (no formatting: the fast path for plain text). */
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);

#endif
