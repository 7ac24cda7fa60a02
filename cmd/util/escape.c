#include "cmd/util/escape.h"
#include "cmd/util/strfmt.h"

#include <stdio.h>
#include <string.h>

size_t escape_field(const char *in, size_t inlen, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!outlen)
		return 0;
	for (size_t i = 0; i < inlen && in[i]; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c > 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else { /* \xNN, whole or not at all */
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

size_t escape_user(const char *in, char *out, size_t outlen, size_t maxshow)
{
	size_t inlen = strlen(in), o = 0, i = 0;
	if (!outlen)
		return 0;
	char tail[48] = "";
	if (inlen > maxshow)
		pp_snprintf(tail, sizeof(tail), "... (%zu bytes in all)", inlen);
	size_t room = outlen - 1 > strlen(tail) ? outlen - 1 - strlen(tail) : 0;
	for (; i < inlen && i < maxshow; i++) {
		unsigned char c = (unsigned char)in[i];
		char tmp[5];
		size_t n = 1;
		if (c >= 0x20 && c < 0x7f && c != '\\')
			tmp[0] = (char)c;
		else
			n = (size_t)pp_snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		if (o + n > room)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	if (i < inlen && !tail[0])
		pp_snprintf(tail, sizeof(tail), "... (%zu bytes in all)", inlen);
	size_t tl = strlen(tail);
	if (o + tl > outlen - 1)
		tl = outlen - 1 - o;
	memcpy(out + o, tail, tl);
	o += tl;
	out[o] = '\0';
	return o;
}
