/* The kernel's SNMP and extended counters of one network namespace
 * (/proc/net/snmp, /proc/net/netstat, /proc/net/snmp6, read from inside
 * it), named as nstat names them ("TcpExtListenOverflows", "UdpNoPorts",
 * "Ip6InNoRoutes"): for the drops the kernel counts but does not report
 * as drops. */
#ifndef PKTPATH_NSTAT_H
#define PKTPATH_NSTAT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nstat_counter {
	char name[64];
	uint64_t value;
};

struct nstat {
	struct nstat_counter *c;
	size_t n, cap;
};

/* Reads every counter of the namespace nsfd (-1: pktpath's own). 0, or
 * -1 with errno. */
int nstat_read(int nsfd, struct nstat *s);
/* Parses one file's text ("Ip: A B\nIp: 1 2\n" pairs, or "Name value"
 * lines) into s; for tests. */
int nstat_parse(const char *text, struct nstat *s);
/* The value of name; false when the kernel has no such counter. */
bool nstat_get(const struct nstat *s, const char *name, uint64_t *value);
void nstat_free(struct nstat *s);

/* Whether a counter counts packets lost or refused (drops, discards,
 * overflows, errors, failures, no route, no port, prunes, aborts). */
bool nstat_is_loss(const char *name);

#endif
