/* The kernel's socket tables in /proc/net (tcp, udp, raw, icmp and their
 * IPv6 twins) read inside a network namespace. Unlike sock_diag they list
 * ping and raw sockets by local "port" (echo id, protocol) and each
 * socket's kernel address (printed with %pK: real only to a reader with
 * CAP_SYSLOG while kernel.kptr_restrict is 1; hashed when it is 0, zero
 * when it is 2). */
#ifndef PKTPATH_PROCNET_H
#define PKTPATH_PROCNET_H
#include <stddef.h>
#include <stdint.h>

enum procnet_table {
	PROCNET_TCP,
	PROCNET_TCP6,
	PROCNET_UDP,
	PROCNET_UDP6,
	PROCNET_RAW,
	PROCNET_RAW6,
	PROCNET_ICMP,  /* ping sockets: local port is the echo id */
	PROCNET_ICMP6,
	PROCNET_NTABLES
};
#define PROCNET_ALL ((1u << PROCNET_NTABLES) - 1)

struct procnet_sock {
	uint8_t table;    /* enum procnet_table */
	uint8_t ipver;    /* 4 or 6 */
	uint8_t state;
	uint16_t lport;   /* host order; raw: protocol; ping: echo id */
	uint16_t rport;
	uint8_t laddr[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t raddr[16];
	uint32_t uid;
	uint64_t inode;   /* 0: no file (TIME_WAIT, request sockets) */
	uint64_t sk;      /* as printed: see procnet_addr_kind */
};

/* One line of a table. 1: parsed, 0: the header line, -1: malformed. */
int procnet_parse_line(const char *line, int ipver, struct procnet_sock *out);

enum procnet_addr { PROCNET_ADDR_REAL, PROCNET_ADDR_HASHED, PROCNET_ADDR_ZERO };
/* What a printed socket address is: a kernel address (upper half of a
 * 64-bit address space), a 32-bit hash (%p under kptr_restrict 0) or 0. */
enum procnet_addr procnet_addr_kind(uint64_t sk);

/* Calls fn for every socket in the tables in mask (bits of enum
 * procnet_table) inside the namespace nsfd (-1: pktpath's own), stopping
 * when fn returns non-zero. Returns 0, or -1 with a sentence in err when
 * the namespace or a table cannot be read (tables the kernel lacks, such
 * as IPv6 ones without IPv6, are skipped silently). */
int procnet_read(int nsfd, unsigned int mask, int (*fn)(const struct procnet_sock *s, void *arg), void *arg,
		 char *err, size_t errlen);

#endif
