#include "netlib/procnet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlib/netns.h"

#define NFIELDS 12 /* up to the socket address; later fields differ by table */

static const struct {
	const char *name;
	uint8_t ipver;
} tables[PROCNET_NTABLES] = {
	[PROCNET_TCP] = {"tcp", 4},   [PROCNET_TCP6] = {"tcp6", 6}, [PROCNET_UDP] = {"udp", 4},
	[PROCNET_UDP6] = {"udp6", 6}, [PROCNET_RAW] = {"raw", 4},   [PROCNET_RAW6] = {"raw6", 6},
	[PROCNET_ICMP] = {"icmp", 4}, [PROCNET_ICMP6] = {"icmp6", 6},
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n (1..16) hex digits at p. */
static int hex_n(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int dec_n(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* "ADDR:PORT": the address as the kernel prints it, 32-bit words in host
 * order (%08X of the __be32), so copying each word's value back into
 * memory restores network order. */
static int addr_port(const char *p, size_t n, int ipver, uint8_t *addr, uint16_t *port)
{
	size_t alen = ipver == 6 ? 32 : 8;
	uint64_t v;
	if (n != alen + 5 || p[alen] != ':' || hex_n(p + alen + 1, 4, &v))
		return -1;
	*port = (uint16_t)v;
	memset(addr, 0, 16);
	for (size_t w = 0; w < alen / 8; w++) {
		if (hex_n(p + w * 8, 8, &v))
			return -1;
		uint32_t word = (uint32_t)v;
		memcpy(addr + w * 4, &word, 4);
	}
	return 0;
}

int procnet_parse_line(const char *line, int ipver, struct procnet_sock *out)
{
	const char *f[NFIELDS];
	size_t len[NFIELDS];
	size_t nf = 0;
	const char *p = line;
	while (nf < NFIELDS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			break;
		f[nf] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		len[nf] = (size_t)(p - f[nf]);
		nf++;
	}
	if (nf >= 1 && len[0] == 2 && memcmp(f[0], "sl", 2) == 0)
		return 0;
	if (nf < NFIELDS || f[0][len[0] - 1] != ':')
		return -1;
	memset(out, 0, sizeof(*out));
	out->ipver = (uint8_t)ipver;
	uint64_t st, uid, inode, sk;
	if (addr_port(f[1], len[1], ipver, out->laddr, &out->lport) ||
	    addr_port(f[2], len[2], ipver, out->raddr, &out->rport) || hex_n(f[3], len[3], &st) || st > 0xff ||
	    dec_n(f[7], len[7], &uid) || uid > UINT32_MAX || dec_n(f[9], len[9], &inode) ||
	    hex_n(f[11], len[11], &sk))
		return -1;
	out->state = (uint8_t)st;
	out->uid = (uint32_t)uid;
	out->inode = inode;
	out->sk = sk;
	return 1;
}

enum procnet_addr procnet_addr_kind(uint64_t sk)
{
	if (!sk)
		return PROCNET_ADDR_ZERO;
	/* Kernel addresses live in the upper half on x86_64 and arm64; %p's
	 * hash keeps only 32 bits. */
	return sk >> 63 ? PROCNET_ADDR_REAL : PROCNET_ADDR_HASHED;
}

struct opened {
	unsigned int mask;
	FILE *f[PROCNET_NTABLES];
	int err;    /* errno of the first table that failed to open */
	int which;
};

/* Inside the namespace: /proc/thread-self/net shows this thread's
 * namespace, and an open table keeps answering for it afterwards. */
static int open_tables(void *arg)
{
	struct opened *o = arg;
	char path[64];
	for (int t = 0; t < PROCNET_NTABLES; t++) {
		if (!(o->mask & (1u << t)))
			continue;
		snprintf(path, sizeof(path), "/proc/thread-self/net/%s", tables[t].name);
		o->f[t] = fopen(path, "re");
		if (!o->f[t] && errno != ENOENT && !o->err) {
			o->err = errno;
			o->which = t;
		}
	}
	return 0;
}

int procnet_read(int nsfd, unsigned int mask, int (*fn)(const struct procnet_sock *s, void *arg), void *arg,
		 char *err, size_t errlen)
{
	struct opened o = {.mask = mask & PROCNET_ALL};
	int rc = 0;
	if (nsfd >= 0) {
		if (netns_run_in(nsfd, open_tables, &o) < 0) {
			snprintf(err, errlen, "cannot enter the network namespace to read /proc/net: %s",
				 strerror(errno));
			return -1;
		}
	} else {
		open_tables(&o);
	}
	if (o.err) {
		snprintf(err, errlen, "cannot open /proc/net/%s: %s", tables[o.which].name, strerror(o.err));
		rc = -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int stop = 0;
	for (int t = 0; t < PROCNET_NTABLES; t++) {
		if (!o.f[t])
			continue;
		unsigned long bad = 0;
		while (!stop && getline(&line, &cap, o.f[t]) > 0) {
			struct procnet_sock s;
			int pr = procnet_parse_line(line, tables[t].ipver, &s);
			if (pr < 0)
				bad++;
			if (pr <= 0)
				continue;
			s.table = (uint8_t)t;
			stop = fn(&s, arg);
		}
		if (ferror(o.f[t]) && rc == 0) {
			snprintf(err, errlen, "reading /proc/net/%s: %s", tables[t].name, strerror(errno));
			rc = -1;
		} else if (bad && rc == 0) {
			snprintf(err, errlen, "/proc/net/%s: %lu lines not understood", tables[t].name, bad);
			rc = -1;
		}
		fclose(o.f[t]);
	}
	free(line);
	return rc;
}
