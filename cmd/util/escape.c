#include "cmd/util/escape.h"
#include "cmd/util/strfmt.h"

#include <stdint.h>
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

#define NAME_LEN 16
#define NAME_CACHE 4 /* searched whole: a run names a few processes and devices */
static struct {
	uint64_t key[2]; /* the name's bytes up to its NUL, zeros after (name_key) */
	size_t outlen;   /* the room it was escaped for: 0, an empty slot */
	size_t n;        /* strlen(text) */
	char text[4 * NAME_LEN + 1];
} names[NAME_CACHE];
static size_t names_next; /* the slot a new name takes, round robin */

/* The bytes after a name's NUL are not part of it (a kernel buffer may
 * hold an older, longer name there): zeroed, so a name is one key. The
 * lowest byte that is zero is found exactly by (x - 0x01..) & ~x & 0x80..
 * (a borrow only runs upwards from it). */
static void name_key(uint64_t k[2])
{
	for (int w = 0; w < 2; w++) {
		uint64_t z = (k[w] - 0x0101010101010101ull) & ~k[w] & 0x8080808080808080ull;
		if (!z)
			continue;
		unsigned keep = (unsigned)__builtin_ctzll(z) / 8; /* bytes before the NUL */
		k[w] &= keep ? ~0ull >> (64 - 8 * keep) : 0;
		if (w == 0)
			k[1] = 0;
		return;
	}
}

size_t escape_name16(const char *in, size_t inlen, char *out, size_t outlen)
{
	uint64_t k[2];
	if (inlen != NAME_LEN || !outlen)
		return escape_field(in, inlen, out, outlen);
	memcpy(k, in, NAME_LEN);
	name_key(k);
	for (size_t i = 0; i < NAME_CACHE; i++)
		if (names[i].outlen == outlen && names[i].key[0] == k[0] && names[i].key[1] == k[1]) {
			memcpy(out, names[i].text, names[i].n + 1);
			return names[i].n;
		}
	size_t n = escape_field(in, inlen, out, outlen);
	/* n + 1 <= outlen bytes, and at most 4 a byte: always fits text */
	__typeof__(names[0]) *c = &names[names_next++ % NAME_CACHE];
	memcpy(c->text, out, n + 1);
	c->key[0] = k[0];
	c->key[1] = k[1];
	c->outlen = outlen;
	c->n = n;
	return n;
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
