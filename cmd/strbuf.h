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
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);

#endif
