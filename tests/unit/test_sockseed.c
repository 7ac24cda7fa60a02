/* /proc/net socket tables (netlib/procnet.c): lines of every shape the
 * kernel prints, malformed ones, address kinds; then, in a namespace of
 * our own, a UDP socket, a ping socket and raw sockets read back from the
 * live tables, the ping/raw owner look-up of netlib/sockdiag.c and the
 * inode -> process mapping the owner seeding uses. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlib/netns.h"
#include "netlib/procnet.h"
#include "netlib/sockdiag.h"
#include "unit.h"

/* An address the way /proc/net prints it: each 32-bit word's value. */
static void word_hex(char *out, size_t len, const uint8_t *a, int words)
{
	out[0] = '\0';
	for (int i = 0; i < words; i++) {
		uint32_t w;
		memcpy(&w, a + 4 * i, 4);
		snprintf(out + strlen(out), len - strlen(out), "%08X", w);
	}
}

static void parse_lines(void)
{
	struct procnet_sock s;
	uint8_t a[16] = {0}, b[16] = {0};
	char ha[40], hb[40], line[400];

	CHECK("tcp header line", procnet_parse_line("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n", 4, &s) == 0);
	CHECK("udp6 header line", procnet_parse_line("  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n", 6, &s) == 0);

	inet_pton(AF_INET, "198.18.40.1", a);
	inet_pton(AF_INET, "198.18.40.2", b);
	word_hex(ha, sizeof(ha), a, 1);
	word_hex(hb, sizeof(hb), b, 1);
	/* tcp: refcount, pointer, then timer fields */
	snprintf(line, sizeof(line),
		 "   3: %s:A5B4 %s:1F90 01 00000000:00000000 02:000A7E1C 00000000  1000        0 81234 2 ffff8881066a2100 20 4 30 10 -1\n",
		 ha, hb);
	CHECK("tcp line parsed", procnet_parse_line(line, 4, &s) == 1);
	CHECK("tcp: local address", memcmp(s.laddr, a, 4) == 0 && s.ipver == 4);
	CHECK("tcp: remote address", memcmp(s.raddr, b, 4) == 0);
	CHECK("tcp: ports", s.lport == 0xa5b4 && s.rport == 8080);
	CHECK("tcp: state ESTABLISHED", s.state == 1);
	CHECK("tcp: uid", s.uid == 1000);
	CHECK("tcp: inode", s.inode == 81234);
	CHECK("tcp: socket address", s.sk == 0xffff8881066a2100ull);
	CHECK("tcp: a real kernel address", procnet_addr_kind(s.sk) == PROCNET_ADDR_REAL);

	/* icmp (ping socket): local port is the echo id; udp-style tail */
	snprintf(line, sizeof(line),
		 "  17: %s:1092 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5555 2 00000000e5a0fccd 0\n",
		 ha);
	CHECK("icmp line parsed", procnet_parse_line(line, 4, &s) == 1);
	CHECK("icmp: echo id as local port", s.lport == 4242 && s.rport == 0);
	CHECK("icmp: wildcard peer", s.raddr[0] == 0 && s.raddr[3] == 0);
	CHECK("icmp: hashed address recognized", procnet_addr_kind(s.sk) == PROCNET_ADDR_HASHED);

	inet_pton(AF_INET6, "2001:db8::1", a);
	inet_pton(AF_INET6, "::1", b);
	word_hex(ha, sizeof(ha), a, 4);
	word_hex(hb, sizeof(hb), b, 4);
	snprintf(line, sizeof(line),
		 "  255: %s:0035 %s:D431 07 00000000:00000000 00:00000000 00000000   123        0 99 2 0000000000000000 0\n",
		 ha, hb);
	CHECK("udp6 line parsed", procnet_parse_line(line, 6, &s) == 1);
	CHECK("udp6: addresses", memcmp(s.laddr, a, 16) == 0 && memcmp(s.raddr, b, 16) == 0 && s.ipver == 6);
	CHECK("udp6: ports", s.lport == 53 && s.rport == 0xd431);
	CHECK("udp6: zero address (kptr_restrict 2)", procnet_addr_kind(s.sk) == PROCNET_ADDR_ZERO);
	CHECK("IPv6 line read as IPv4: malformed", procnet_parse_line(line, 4, &s) == -1);

	CHECK("empty line", procnet_parse_line("", 4, &s) == -1);
	CHECK("truncated before the pointer",
	      procnet_parse_line("   0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12 2\n", 4, &s) == -1);
	CHECK("bad hex in an address",
	      procnet_parse_line("   0: 0100007G:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12 2 ffff888100000000 0\n", 4, &s) == -1);
	CHECK("port of 5 digits",
	      procnet_parse_line("   0: 0100007F:00035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12 2 ffff888100000000 0\n", 4, &s) == -1);
	CHECK("pointer of 17 digits",
	      procnet_parse_line("   0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 12 2 1ffff888100000000 0\n", 4, &s) == -1);
	CHECK("uid beyond 32 bits",
	      procnet_parse_line("   0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 4294967296        0 12 2 ffff888100000000 0\n", 4, &s) == -1);
	CHECK("negative inode",
	      procnet_parse_line("   0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0        0 -12 2 ffff888100000000 0\n", 4, &s) == -1);
	CHECK("no 'sl:' colon",
	      procnet_parse_line("   0 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0        0 12 2 ffff888100000000 0\n", 4, &s) == -1);
	/* A very long line must not overflow anything. */
	size_t big = 100000;
	char *huge = malloc(big + 1);
	if (huge) {
		memset(huge, 'F', big);
		huge[big] = '\0';
		CHECK("100000-character field: malformed", procnet_parse_line(huge, 4, &s) == -1);
		free(huge);
	}
}

static uint64_t inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

struct want {
	uint64_t inode[4];
	int table[4];
	uint16_t lport[4];
	int found[4];
	unsigned long n;
	int kind_mixed;
	int kind;
};

static int on_sock(const struct procnet_sock *s, void *arg)
{
	struct want *w = arg;
	w->n++;
	for (int i = 0; i < 4; i++)
		if (s->inode == w->inode[i] && s->table == w->table[i] && s->lport == w->lport[i])
			w->found[i] = 1;
	int k = (int)procnet_addr_kind(s->sk);
	if (w->n == 1)
		w->kind = k;
	else if (k != w->kind)
		w->kind_mixed = 1;
	return 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static void live(void)
{
	struct ifreq ifr = {0};
	if (unshare(CLONE_NEWNET)) {
		CHECK("a namespace of our own", 0);
		return;
	}
	int ctl = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	if (ctl < 0 || ioctl(ctl, SIOCGIFFLAGS, &ifr) || (ifr.ifr_flags |= IFF_UP, ioctl(ctl, SIOCSIFFLAGS, &ifr))) {
		CHECK("lo up", 0);
		return;
	}
	close(ctl);
	/* Ping sockets for group 0 in this namespace only. */
	CHECK("ping_group_range set", write_file("/proc/sys/net/ipv4/ping_group_range", "0 0") == 0);

	struct sockaddr_in lo = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	lo.sin_port = htons(40010);
	int ok = udp >= 0 && bind(udp, (struct sockaddr *)&lo, sizeof(lo)) == 0;
	int ping = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	lo.sin_port = htons(4242); /* a ping socket's "port" is its echo id */
	ok = ok && ping >= 0 && bind(ping, (struct sockaddr *)&lo, sizeof(lo)) == 0;
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	ok = ok && raw >= 0;
	CHECK("UDP, ping and raw sockets open", ok);
	if (!ok)
		return;

	struct want w = {.inode = {inode_of(udp), inode_of(ping), inode_of(raw)},
			 .table = {PROCNET_UDP, PROCNET_ICMP, PROCNET_RAW, -1},
			 .lport = {40010, 4242, IPPROTO_ICMP}};
	char err[256] = "";
	int rc = procnet_read(-1, PROCNET_ALL, on_sock, &w, err, sizeof(err));
	if (rc < 0)
		printf("# %s\n", err);
	CHECK("live tables read without error", rc == 0);
	CHECK("the UDP socket, by inode and port", w.found[0]);
	CHECK("the ping socket, by inode and echo id", w.found[1]);
	CHECK("the raw socket, by inode and protocol", w.found[2]);
	CHECK("addresses of one kind (one kptr_restrict)", !w.kind_mixed);
	printf("# socket addresses here are %s\n",
	       w.kind == PROCNET_ADDR_REAL ? "real" : w.kind == PROCNET_ADDR_HASHED ? "hashed" : "zero");

	struct sockdiag *sd = sockdiag_new();
	struct sockdiag_owner o;
	if (!sd) {
		CHECK("sockdiag allocated", 0);
		return;
	}
	CHECK("inode -> this process", sockdiag_inode_owner(sd, inode_of(ping), &o) == 1 &&
					       o.tgid == (uint32_t)getpid() && o.uid == getuid());
	CHECK_STR("inode -> comm", o.comm, "test_sockseed");
	CHECK("an inode nobody holds", sockdiag_inode_owner(sd, 1, &o) == 0);

	struct sockdiag_key k = {.netns = netns_self_inode(), .proto = IPPROTO_ICMP, .ipver = 4, .lport = 4242};
	memcpy(k.laddr, &lo.sin_addr, 4);
	k.raddr[0] = 127, k.raddr[3] = 9;
	rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	if (rc < 0)
		printf("# %s\n", err);
	CHECK("echo id 4242: the ping socket", rc == 1 && o.inode == inode_of(ping) && o.tgid == (uint32_t)getpid());
	k.lport = 4243;
	rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	CHECK("another echo id: the only raw ICMP socket", rc == 1 && o.inode == inode_of(raw));
	int raw2 = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	k.lport = 4244; /* not cached */
	rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	CHECK("two raw ICMP sockets: cannot tell, not found", raw2 >= 0 && rc == 0);
	k.proto = IPPROTO_ICMPV6, k.ipver = 6;
	rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	CHECK("ICMPv6: no such socket, no error", rc == 0);
	k.netns = 1;
	k.proto = IPPROTO_ICMP, k.ipver = 4;
	rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	CHECK("unknown namespace: an error", rc < 0);
	CHECK_STR("said why", err, "ping socket look-up: no file for network namespace 1");
	sockdiag_free(sd);
	close(udp);
	close(ping);
	close(raw);
	close(raw2);
}

int main(void)
{
	parse_lines();
	live();
	return unit_failed;
}
