/* A strict JSON (RFC 8259) validator for the fuzz targets: one value per
 * line, nothing else on it. Checks syntax (objects, arrays, strings with
 * valid escapes and no raw control characters, numbers, literals) and that
 * strings are valid UTF-8; not duplicate keys or the schema. */
#ifndef PKTPATH_FUZZ_JSONCHECK_H
#define PKTPATH_FUZZ_JSONCHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct jcur {
	const char *p, *end;
	int depth;
};

static void j_ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
		c->p++;
}

static bool j_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool j_string(struct jcur *c)
{
	if (c->p >= c->end || *c->p != '"')
		return false;
	c->p++;
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p;
		if (ch == '"') {
			c->p++;
			return true;
		}
		if (ch < 0x20)
			return false;
		if (ch == '\\') {
			if (++c->p >= c->end)
				return false;
			char e = *c->p++;
			if (e == 'u') {
				if (c->end - c->p < 4)
					return false;
				for (int i = 0; i < 4; i++)
					if (!j_hex(c->p[i]))
						return false;
				c->p += 4;
			} else if (!strchr("\"\\/bfnrt", e) || !e) {
				return false;
			}
			continue;
		}
		if (ch < 0x80) {
			c->p++;
			continue;
		}
		/* UTF-8: lead byte and its continuation bytes. */
		int n = ch >= 0xf0 && ch <= 0xf4 ? 3 : ch >= 0xe0 ? 2 : ch >= 0xc2 && ch <= 0xdf ? 1 : -1;
		if (n < 0 || ch > 0xf4 || c->end - c->p <= n)
			return false;
		for (int i = 1; i <= n; i++)
			if (((unsigned char)c->p[i] & 0xc0) != 0x80)
				return false;
		c->p += n + 1;
	}
	return false;
}

static bool j_number(struct jcur *c)
{
	const char *s = c->p;
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end)
		return false;
	if (*c->p == '0') {
		c->p++;
	} else if (*c->p >= '1' && *c->p <= '9') {
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	} else {
		return false;
	}
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return false;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return false;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	return c->p > s;
}

static bool j_value(struct jcur *c);

static bool j_lit(struct jcur *c, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return false;
	c->p += n;
	return true;
}

static bool j_value(struct jcur *c)
{
	j_ws(c);
	if (c->p >= c->end || ++c->depth > 64)
		return false;
	bool ok;
	char ch = *c->p;
	if (ch == '{' || ch == '[') {
		char close = ch == '{' ? '}' : ']';
		c->p++;
		j_ws(c);
		if (c->p < c->end && *c->p == close) {
			c->p++;
			ok = true;
		} else {
			for (;;) {
				if (ch == '{') {
					j_ws(c);
					if (!j_string(c))
						return false;
					j_ws(c);
					if (c->p >= c->end || *c->p++ != ':')
						return false;
				}
				if (!j_value(c))
					return false;
				j_ws(c);
				if (c->p < c->end && *c->p == ',') {
					c->p++;
					continue;
				}
				if (c->p < c->end && *c->p == close) {
					c->p++;
					break;
				}
				return false;
			}
			ok = true;
		}
	} else if (ch == '"') {
		ok = j_string(c);
	} else if (ch == 't') {
		ok = j_lit(c, "true");
	} else if (ch == 'f') {
		ok = j_lit(c, "false");
	} else if (ch == 'n') {
		ok = j_lit(c, "null");
	} else {
		ok = j_number(c);
	}
	c->depth--;
	return ok;
}

/* true when [s, s+len) is exactly one JSON value (surrounding blanks allowed). */
static bool json_valid(const char *s, size_t len)
{
	struct jcur c = {s, s + len, 0};
	if (!j_value(&c))
		return false;
	j_ws(&c);
	return c.p == c.end;
}

/* Every newline-terminated line of buf is one JSON value; returns the
 * offending line's start, or NULL when all are valid. */
static const char *json_lines_valid(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (!json_valid(p, (size_t)(le - p)))
			return p;
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

#endif
