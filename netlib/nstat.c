#include "netlib/nstat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlib/netns.h"

static int add(struct nstat *s, const char *prefix, size_t plen, const char *name, size_t nlen, uint64_t v)
{
	if (plen + nlen + 1 > sizeof(s->c[0].name))
		return 0; /* no such names in the kernel; skip rather than cut */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct nstat_counter *c = realloc(s->c, cap * sizeof(*c));
		if (!c)
			return -1;
		s->c = c;
		s->cap = cap;
	}
	struct nstat_counter *c = &s->c[s->n++];
	memcpy(c->name, prefix, plen);
	memcpy(c->name + plen, name, nlen);
	c->name[plen + nlen] = '\0';
	c->value = v;
	return 0;
}

/* Splits the next whitespace-separated word off *p; its length, 0 at the end of the line. */
static size_t word(const char **p, const char **w)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	*w = *p;
	while (**p && **p != ' ' && **p != '\t' && **p != '\n')
		(*p)++;
	return (size_t)(*p - *w);
}

int nstat_parse(const char *text, struct nstat *s)
{
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *next = eol ? eol + 1 : p + strlen(p);
		const char *colon = memchr(p, ':', (size_t)(next - p));
		if (!colon) { /* snmp6: "Name value" */
			const char *n, *v;
			const char *q = p;
			size_t nl = word(&q, &n), vl = word(&q, &v);
			if (nl && vl && add(s, "", 0, n, nl, strtoull(v, NULL, 10)) < 0)
				return -1;
			p = next;
			continue;
		}
		/* "Proto: names" then "Proto: values" */
		const char *l2 = next;
		const char *eol2 = *l2 ? strchr(l2, '\n') : NULL;
		const char *next2 = eol2 ? eol2 + 1 : l2 + strlen(l2);
		size_t plen = (size_t)(colon - p);
		if (!*l2 || strncmp(l2, p, plen + 1) != 0) {
			p = next;
			continue;
		}
		const char *qn = colon + 1, *qv = l2 + plen + 1;
		for (;;) {
			const char *n, *v;
			size_t nl = word(&qn, &n), vl = word(&qv, &v);
			if (!nl || !vl)
				break;
			/* Negative values (Tcp MaxConn -1) wrap: only deltas matter. */
			if (add(s, p, plen, n, nl, strtoull(v, NULL, 10)) < 0)
				return -1;
		}
		p = next2;
	}
	return 0;
}

static int read_here(void *arg)
{
	struct nstat *s = arg;
	static const char *const files[] = {"/proc/thread-self/net/snmp", "/proc/thread-self/net/netstat",
					    "/proc/thread-self/net/snmp6"};
	int got = 0;
	for (size_t i = 0; i < 3; i++) {
		FILE *f = fopen(files[i], "re");
		if (!f)
			continue; /* snmp6 is absent without IPv6 */
		char *text = NULL;
		size_t cap = 0, len = 0;
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
			if (len + n + 1 > cap) {
				size_t nc = (len + n + 1) * 2;
				char *t = realloc(text, nc);
				if (!t) {
					free(text);
					fclose(f);
					errno = ENOMEM;
					return -1;
				}
				text = t;
				cap = nc;
			}
			memcpy(text + len, buf, n);
			len += n;
		}
		fclose(f);
		if (text) {
			text[len] = '\0';
			int rc = nstat_parse(text, s);
			free(text);
			if (rc < 0)
				return -1;
			got++;
		}
	}
	return got ? 0 : -1;
}

int nstat_read(int nsfd, struct nstat *s)
{
	memset(s, 0, sizeof(*s));
	int rc = nsfd < 0 ? read_here(s) : netns_run_in(nsfd, read_here, s);
	if (rc < 0) {
		int e = errno;
		nstat_free(s);
		errno = e;
	}
	return rc;
}

bool nstat_get(const struct nstat *s, const char *name, uint64_t *value)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->c[i].name, name) == 0) {
			*value = s->c[i].value;
			return true;
		}
	return false;
}

void nstat_free(struct nstat *s)
{
	free(s->c);
	s->c = NULL;
	s->n = s->cap = 0;
}

bool nstat_is_loss(const char *name)
{
	static const char *const words[] = {"Drop",   "Discard", "Overflow", "Err",   "Fail",   "NoRoute",
					    "NoPorts", "Prune",  "Abort",    "Unknown", "Collapse", "Backlog"};
	/* Counters of configuration or of good events despite the words. */
	static const char *const not[] = {"TcpExtTCPBacklogCoalesce", "TcpExtTCPDSACKIgnoredNoUndo",
};
	for (size_t i = 0; i < sizeof(not) / sizeof(not[0]); i++)
		if (!strcmp(name, not[i]))
			return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(name, words[i]))
			return true;
	return false;
}
