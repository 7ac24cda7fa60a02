/* Parsing of /proc/PID/fd links, and a look-up in pktpath's own namespace
 * that must find nothing without failing. */
#include <netinet/in.h>

#include "netlib/netns.h"
#include "netlib/sockdiag.h"
#include "unit.h"

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
		sockdiag_free(sd);
	}
	return unit_failed;
}
