/* Drop-reason names come from BTF: a synthetic enum, then the kernel's. */
#include <bpf/btf.h>

#include "kernel/dropreason.h"
#include "unit.h"

int main(void)
{
	struct btf *b = btf__new_empty();
	int id = btf__add_enum(b, "skb_drop_reason", 4);
	btf__add_enum_value(b, "SKB_NOT_DROPPED_YET", 0);
	btf__add_enum_value(b, "SKB_CONSUMED", 1);
	btf__add_enum_value(b, "SKB_DROP_REASON_NOT_SPECIFIED", 2);
	btf__add_enum_value(b, "SKB_DROP_REASON_NETFILTER_DROP", 7); /* numbering differs by kernel */
	btf__add_enum_value(b, "SKB_DROP_REASON_MAX", 8);
	CHECK("synthetic BTF built", id > 0);

	struct dropreasons *dr = dropreasons_load(b);
	CHECK_STR("prefix stripped", dropreasons_name(dr, 7), "NETFILTER_DROP");
	CHECK_STR("SKB_ prefix stripped", dropreasons_name(dr, 1), "CONSUMED");
	CHECK("gaps are unknown", dropreasons_name(dr, 5) == NULL);
	CHECK("MAX is not a reason", dropreasons_name(dr, 8) == NULL);
	CHECK("out of range is unknown", dropreasons_name(dr, 100000) == NULL);
	dropreasons_free(dr);
	btf__free(b);

	b = btf__new_empty();
	CHECK("no enum: NULL", dropreasons_load(b) == NULL);
	btf__free(b);

	b = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	dr = b ? dropreasons_load(b) : NULL;
	CHECK("the running kernel has the enum", dr != NULL);
	int found = 0;
	for (uint32_t v = 0; v < 1000; v++) {
		const char *n = dropreasons_name(dr, v);
		found += n && (strcmp(n, "NO_SOCKET") == 0 || strcmp(n, "NETFILTER_DROP") == 0);
	}
	CHECK("and names NO_SOCKET and NETFILTER_DROP", found == 2);
	dropreasons_free(dr);
	btf__free(b);
	return unit_failed;
}
