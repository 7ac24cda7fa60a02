#include "cmd/util/strfmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *buf;
	size_t room; /* bytes buf holds, NUL included */
	size_t n;    /* bytes the text needs so far */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (!n)
		return;
	if (o->n < o->room) {
		size_t k = o->room - 1 - o->n;
		memcpy(o->buf + o->n, s, n < k ? n : k);
	}
	o->n += n;
}

static void pad(struct out *o, char c, size_t n)
{
	if (!n)
		return;
	char spaces[32];
	memset(spaces, c, sizeof(spaces));
	while (n) {
		size_t k = n < sizeof(spaces) ? n : sizeof(spaces);
		put(o, spaces, k);
		n -= k;
	}
}

/* One field: sign/prefix, then digits or text, padded to width. */
static void field(struct out *o, const char *sign, const char *s, size_t n, size_t zeros, int width, bool left,
		  bool zero_pad)
{
	size_t sl = sign[0] != '\0', total = sl + zeros + n;
	if (width <= 0 && total == n) { /* the commonest: the text alone */
		put(o, s, n);
		return;
	}
	size_t fill = width > 0 && (size_t)width > total ? (size_t)width - total : 0;
	if (!left && !zero_pad)
		pad(o, ' ', fill);
	put(o, sign, sl);
	if (!left && zero_pad)
		pad(o, '0', fill);
	pad(o, '0', zeros);
	put(o, s, n);
	if (left)
		pad(o, ' ', fill);
}

int pp_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = {buf, len, 0};
	va_list start;
	va_copy(start, ap);
	const char *p = fmt;
	while (*p) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			put(&o, p, strlen(p));
			break;
		}
		put(&o, p, (size_t)(pct - p));
		p = pct + 1;
		bool left = false, zero = false;
		for (;; p++) {
			if (*p == '-')
				left = true;
			else if (*p == '0')
				zero = true;
			else
				break;
		}
		if (*p == '+' || *p == ' ' || *p == '#')
			goto fallback;
		int width = 0, prec = -1;
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
			}
		}
		int size = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t, 4 intmax_t, 5 ptrdiff_t */
		if (p[0] == 'h' && p[1] == 'h')
			size = -2, p += 2;
		else if (p[0] == 'h')
			size = -1, p++;
		else if (p[0] == 'l' && p[1] == 'l')
			size = 2, p += 2;
		else if (p[0] == 'l')
			size = 1, p++;
		else if (p[0] == 'z')
			size = 3, p++;
		else if (p[0] == 'j')
			size = 4, p++;
		else if (p[0] == 't')
			size = 5, p++;
		if (!*p)
			goto fallback; /* a lone '%' at the end */
		char conv = *p++;
		if ((conv == 'c' || conv == 's') && (size || zero))
			goto fallback; /* wide characters; '0' on text is undefined */
		switch (conv) {
		case '%':
			put(&o, "%", 1);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			field(&o, "", &c, 1, 0, width, left, false);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				goto fallback;
			size_t n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			field(&o, "", s, n, 0, width, left, false);
			break;
		}
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X': {
			bool sgn = conv == 'd' || conv == 'i';
			uint64_t v;
			const char *sign = "";
			if (sgn) {
				int64_t s;
				switch (size) {
				case -2: s = (signed char)va_arg(ap, int); break;
				case -1: s = (short)va_arg(ap, int); break;
				case 0: s = va_arg(ap, int); break;
				case 1: s = va_arg(ap, long); break;
				case 2: s = va_arg(ap, long long); break;
				case 3: s = (int64_t)va_arg(ap, size_t); break;
				case 4: s = va_arg(ap, intmax_t); break;
				default: s = va_arg(ap, ptrdiff_t); break;
				}
				v = s < 0 ? 0 - (uint64_t)s : (uint64_t)s;
				if (s < 0)
					sign = "-";
			} else {
				switch (size) {
				case -2: v = (unsigned char)va_arg(ap, unsigned); break;
				case -1: v = (unsigned short)va_arg(ap, unsigned); break;
				case 0: v = va_arg(ap, unsigned); break;
				case 1: v = va_arg(ap, unsigned long); break;
				case 2: v = va_arg(ap, unsigned long long); break;
				case 3: v = va_arg(ap, size_t); break;
				case 4: v = va_arg(ap, uintmax_t); break;
				default: v = (uint64_t)va_arg(ap, ptrdiff_t); break;
				}
			}
			char d[24];
			size_t n = 0;
			unsigned base = conv == 'x' || conv == 'X' ? 16 : 10;
			const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
			while (v) {
				d[sizeof(d) - 1 - n++] = digits[v % base];
				v /= base;
			}
			if (!n && prec != 0)
				d[sizeof(d) - 1 - n++] = '0';
			size_t zeros = prec > 0 && (size_t)prec > n ? (size_t)prec - n : 0;
			field(&o, sign, d + sizeof(d) - n, n, zeros, width, left, zero && prec < 0 && !left);
			break;
		}
		default:
			goto fallback;
		}
	}
	if (o.room)
		o.buf[o.n < o.room ? o.n : o.room - 1] = '\0';
	va_end(start);
	return (int)o.n;
fallback: {
	int n = vsnprintf(buf, len, fmt, start);
	va_end(start);
	return n;
}
}

const char pp_digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				 "8081828384858687888990919293949596979899";

size_t pp_utoa(char *out, uint64_t v)
{
	const char *pairs = pp_digit_pairs;
	if (v < 10) { /* most durations in microseconds, ports' first digits... */
		out[0] = (char)('0' + v);
		return 1;
	}
	static const uint64_t pow10[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
					   10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
					   100000000000ull, 1000000000000ull, 10000000000000ull,
					   100000000000000ull, 1000000000000000ull, 10000000000000000ull,
					   100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull};
	/* Digits counted first, then written from the last. The count from
	 * the bit length (bits * log10(2) ~ bits * 1233 / 4096, one short at
	 * most) and one comparison, not a loop a digit; v | 1 makes 0 count
	 * as one digit and changes no other count. */
	uint64_t w = v | 1;
	size_t t = (size_t)(64 - __builtin_clzll(w)) * 1233 >> 12;
	size_t n = t + (w >= pow10[t]);
	char *p = out + n;
	while (v >= 100) { /* two digits a division */
		uint64_t r = v % 100;
		v /= 100;
		p -= 2;
		p[0] = pairs[2 * r];
		p[1] = pairs[2 * r + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = pairs[2 * v];
		p[1] = pairs[2 * v + 1];
	} else {
		*--p = (char)('0' + v);
	}
	return n;
}

int pp_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = pp_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
