/* Parsing of /proc/PID/fd links; look-ups of sockets this test opens in a
 * network namespace of its own (IPv6 UDP, a TCP listener, IPv4 UDP), of
 * one that does not exist, and in a namespace that does not exist. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlib/netns.h"
#include "netlib/sockdiag.h"
#include "unit.h"

static int lo_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc = -1;
	strcpy(ifr.ifr_name, "lo");
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static uint64_t inode_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static int bound6(int type, uint16_t port, uint16_t peer)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, type, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	a.sin6_port = htons(peer);
	if (type == SOCK_STREAM ? listen(fd, 1) : connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

static void own_sockets(struct sockdiag *sd)
{
	struct sockdiag_owner o;
	char err[256] = "";
	if (unshare(CLONE_NEWNET) || lo_up()) {
		CHECK("a namespace of our own with lo up", 0);
		return;
	}
	int udp6 = bound6(SOCK_DGRAM, 40001, 40002), tcp6 = bound6(SOCK_STREAM, 40003, 0);
	int udp4 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(40004)};
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK("test sockets open", udp6 >= 0 && tcp6 >= 0 && udp4 >= 0 &&
					   bind(udp4, (struct sockaddr *)&a4, sizeof(a4)) == 0);
	struct sockdiag_key k = {.netns = netns_self_inode(), .proto = IPPROTO_UDP, .ipver = 6,
				 .lport = 40001, .rport = 40002};
	k.laddr[15] = k.raddr[15] = 1;
	int rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	if (rc < 0)
		printf("# %s\n", err);
	CHECK("IPv6 UDP, connected: found", rc == 1);
	CHECK("IPv6 UDP: its inode", rc == 1 && o.inode == inode_of(udp6));
	CHECK("IPv6 UDP: this process", rc == 1 && o.tgid == (uint32_t)getpid());
	CHECK_STR("IPv6 UDP: comm", rc == 1 ? o.comm : "", "test_sockdiag");
	CHECK("IPv6 UDP: uid", rc == 1 && o.uid == getuid());

	k.proto = IPPROTO_TCP, k.lport = 40003, k.rport = 5555;
	rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	CHECK("IPv6 TCP listener matches any peer", rc == 1 && o.inode == inode_of(tcp6));

	memset(&k.laddr, 0, sizeof(k.laddr));
	memset(&k.raddr, 0, sizeof(k.raddr));
	k.proto = IPPROTO_UDP, k.ipver = 4, k.lport = 40004, k.rport = 53;
	memcpy(k.laddr, &a4.sin_addr, 4);
	k.raddr[0] = 127, k.raddr[3] = 9;
	rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
	CHECK("IPv4 UDP, unconnected: found for any peer", rc == 1 && o.inode == inode_of(udp4));

	k.lport = 40005;
	CHECK("no socket on that port: not found", sockdiag_lookup(sd, &k, &o, err, sizeof(err)) == 0);
	close(udp6);
	close(tcp6);
	close(udp4);
}

int main(void)
{
	CHECK("socket:[123]", sockdiag_link_inode("socket:[123]") == 123);
	CHECK("socket:[4026531840]", sockdiag_link_inode("socket:[4026531840]") == 4026531840ull);
	CHECK("max u64", sockdiag_link_inode("socket:[18446744073709551615]") == UINT64_MAX);
	CHECK("overflow rejected", sockdiag_link_inode("socket:[18446744073709551616]") == 0);
	CHECK("pipe is not a socket", sockdiag_link_inode("pipe:[123]") == 0);
	CHECK("file is not a socket", sockdiag_link_inode("/dev/null") == 0);
	CHECK("no digits", sockdiag_link_inode("socket:[]") == 0);
	CHECK("no closing bracket", sockdiag_link_inode("socket:[12") == 0);
	CHECK("trailing text", sockdiag_link_inode("socket:[12]x") == 0);
	CHECK("sign rejected", sockdiag_link_inode("socket:[-1]") == 0);
	CHECK("anon inode", sockdiag_link_inode("anon_inode:[eventfd]") == 0);

	struct sockdiag *sd = sockdiag_new();
	CHECK("cache allocated", sd != NULL);
	if (sd) {
		struct sockdiag_key k = {.netns = netns_self_inode(), .proto = IPPROTO_UDP, .ipver = 4,
					 .lport = 9, .rport = 9};
		k.laddr[0] = 198, k.laddr[1] = 19, k.laddr[2] = 255, k.laddr[3] = 254;
		struct sockdiag_owner o;
		char err[256] = "";
		int rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
		if (rc < 0)
			printf("# %s\n", err);
		CHECK("no socket on an unused address: not found, no error", rc == 0);
		CHECK("asked again: cached miss", sockdiag_lookup(sd, &k, &o, err, sizeof(err)) == 0);
		k.netns = 1; /* no namespace has inode 1 */
		rc = sockdiag_lookup(sd, &k, &o, err, sizeof(err));
		CHECK("unknown namespace: an error", rc < 0);
		CHECK_STR("said why", err, "sock_diag: no file for network namespace 1");
		own_sockets(sd);
		sockdiag_free(sd);
	}
	return unit_failed;
}
