/* Symbolizing kernel addresses from a kallsyms-format file. */
#include <stdlib.h>
#include <unistd.h>

#include "kernel/kallsyms.h"
#include "unit.h"

int main(void)
{
	char path[] = "/tmp/pktpath-ksyms-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	/* Unsorted on purpose, with data symbols and a module. */
	fputs("ffffffff81000200 T ip_rcv\n"
	      "ffffffff81000100 t __udp4_lib_rcv\n"
	      "ffffffff81000180 D some_data\n"
	      "ffffffffc0001000 t nft_do_chain\t[nf_tables]\n"
	      "ffffffff81000000 T _stext\n",
	      f);
	fclose(f);

	struct ksyms *ks = ksyms_load(path);
	char buf[128];
	CHECK("loads code symbols only", ks && ksyms_count(ks) == 4);
	ksyms_format(ks, 0xffffffff810001bcull, buf, sizeof(buf));
	CHECK_STR("address inside a function", buf, "__udp4_lib_rcv+0xbc");
	ksyms_format(ks, 0xffffffff81000200ull, buf, sizeof(buf));
	CHECK_STR("function start is +0x0", buf, "ip_rcv+0x0");
	ksyms_format(ks, 0xffffffffc0001010ull, buf, sizeof(buf));
	CHECK_STR("module symbols name their module", buf, "nft_do_chain+0x10 [nf_tables]");
	CHECK("below every symbol: raw address, -1", ksyms_format(ks, 0x1000, buf, sizeof(buf)) == -1);
	CHECK_STR("below every symbol prints hex", buf, "0x1000");
	ksyms_format(ks, 0xffffffff810001bcull, buf, 8);
	CHECK("a short buffer is cut, not overrun", strlen(buf) == 7);
	CHECK("lookup by name", ksyms_addr(ks, "ip_rcv") == 0xffffffff81000200ull);
	ksyms_free(ks);

	/* What an unprivileged reader sees: all addresses zero. */
	f = fopen(path, "w");
	fputs("0000000000000000 T ip_rcv\n0000000000000000 T _stext\n", f);
	fclose(f);
	ks = ksyms_load(path);
	CHECK("hidden addresses are refused, not used", ks == NULL);
	unlink(path);

	ks = ksyms_load("/proc/kallsyms");
	CHECK("the running kernel's table loads", ks && ksyms_count(ks) > 1000);
	CHECK("and has __udp4_lib_rcv", ks && ksyms_addr(ks, "__udp4_lib_rcv") != 0);
	ksyms_free(ks);
	return unit_failed;
}
