/* What this kernel gives and what not, for people: --list-probes (a first
 * screen of what --backend auto or the backend asked for gets, then every
 * catalog point and how it is reached) and the one-line notes at start-up
 * for what the kernel lacks. */
#include "cmd/attach/backend.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "kernel/kfuncs.h"

void backend_limits(FILE *out, const char *prefix, enum backend b, const struct backend_avail *a, bool drop_reason,
		    bool netfilter)
{
	if (!drop_reason)
		fprintf(out, "%sdrops carry no reason on this kernel (kfree_skb has none before Linux 5.17): each drop is "
			     "reported with its location and stack, reason unknown\n",
			prefix);
	if (b == BK_TRACEPOINT && netfilter && !a->nflink)
		fprintf(out, "%snetfilter hooks not observed: no BPF netfilter links on this kernel (%s; Linux 6.4+)%s\n",
			prefix, a->nflink_why,
			a->fentry || a->kprobe ? "; the fentry and kprobe backends see nf_hook_slow" : "");
}

/* One group of the catalog on this kernel: how many points it gets. */
static void list_group(FILE *out, const char *group, enum backend b, const struct backend_avail *a, struct kfuncs *kf)
{
	size_t n = 0, got = 0;
	for (size_t i = 0; i < catalog_len; i++) {
		const struct cat_point *r = &catalog[i];
		if (strcmp(r->group, group))
			continue;
		n++;
		struct bk_point pt;
		backend_resolve(&pt, r, kf);
		if (b == BK_TRACEPOINT ? r->tracepoint && (strchr(r->tracepoint, ':') || a->nflink) : pt.func != NULL)
			got++;
	}
	fprintf(out, " %s %zu/%zu", group, got, n);
}

/* The catalog points a function backend cannot reach here, one line per cause. */
static void list_missing(FILE *out, struct kfuncs *kf)
{
	struct bk_point pts[64];
	size_t n = catalog_len < 64 ? catalog_len : 64;
	for (size_t i = 0; i < n; i++)
		backend_resolve(&pts[i], &catalog[i], kf);
	for (size_t i = 0; i < n; i++) {
		bool first = !pts[i].func;
		for (size_t j = 0; first && j < i; j++)
			if (!pts[j].func && !strcmp(pts[j].why, pts[i].why))
				first = false;
		if (!first)
			continue;
		fputs("  ", out);
		for (size_t j = i; j < n; j++)
			if (!pts[j].func && !strcmp(pts[j].why, pts[i].why))
				fprintf(out, "%s%s", j == i ? "" : ", ", catalog[j].funcs[0]);
		fprintf(out, ": %s%s\n", pts[i].why,
			!kfuncs_nmodules(kf) && strstr(pts[i].why, "BTF") ? " (no module BTF before Linux 5.11)" : "");
	}
}

void backend_list(FILE *out, const struct backend_avail *a, struct kfuncs *kf, bool drop_reason, const char *want)
{
	struct utsname u;
	enum backend b;
	char err[16];
	if (backend_choose(want, false, a, &b, err, sizeof(err)))
		b = a->fentry ? BK_FENTRY : a->kprobe ? BK_KPROBE : BK_TRACEPOINT;
	static const char *const groups[] = {"rx", "route", "netfilter", "bridge", "tx", "drop", "clone", "free", "owner"};
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	fprintf(out, "Linux %s: --backend %s uses %s", u.release, strcmp(want, "auto") && b != BK_TRACEPOINT ? want : "auto",
		backend_name(b));
	if (b != BK_FENTRY)
		fprintf(out, " (fentry: %s)", a->fentry_why);
	if (b == BK_TRACEPOINT)
		fprintf(out, " (kprobes: %s)", a->kprobe_why);
	fprintf(out, "\nyou get: receive and transmit at every device, drops with %slocation and stack, frees, owners;\n",
		drop_reason ? "reason, " : "");
	if (b == BK_TRACEPOINT && a->nflink)
		fprintf(out, "  the route taken (device, gateway, type, table: IPv6's, and IPv4's for forwarded packets) at the "
			     "INPUT, FORWARD and OUTPUT netfilter links;\n");
	else if (b != BK_TRACEPOINT)
		fprintf(out, "  the route taken (device, gateway, type, table: IPv6's, and IPv4's for forwarded packets) at "
			     "ip_finish_output and ip6_finish_output;\n");
	fprintf(out, "  catalog points by group:");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		list_group(out, groups[g], b, a, kf);
	fputc('\n', out);
	fprintf(out, "you do not get:\n");
	if (b == BK_TRACEPOINT)
		fprintf(out, "  IP-layer functions, routing decisions%s, netfilter tables and chains, bridge ports: they "
			     "need fentry or kprobes\n",
			a->nflink ? " (the look-up's result, the input route)" : "");
	else
		list_missing(out, kf);
	backend_limits(out, "  ", b, a, drop_reason, true);
	if (!a->kprobe_multi)
		fprintf(out, "  --wide through one kprobe.multi link (%s)%s\n", a->multi_why,
			a->kprobe ? ": one kprobe a function instead, slow" : "");
	if (b == BK_KPROBE && !a->attach_cookie)
		fprintf(out, "  (kprobes find their point by address: no BPF cookies before Linux 5.15)\n");
	if (b == BK_FENTRY && !a->func_arg)
		fprintf(out, "  (fentry reads arguments from the trampoline's frame: no bpf_get_func_arg before Linux 5.17)\n");
	fputc('\n', out);
	fprintf(out, "backends: fentry %s; kprobe %s; kprobe.multi %s; tracepoint available; netfilter links %s\n",
		a->fentry ? "available" : a->fentry_why, a->kprobe ? "available" : a->kprobe_why,
		a->kprobe_multi ? "available" : a->multi_why, a->nflink ? "available" : a->nflink_why);
	fputc('\n', out);
	fprintf(out, "%-10s %-22s %-32s %s\n", "GROUP", "POINT", "REACHED BY", "RECORDS / WHY NOT");
	fprintf(out, "%-10s %-22s %-32s %s\n", "rx", "netif_receive_skb", "tracepoint net:netif_receive_skb",
		"the skb at the device");
	fprintf(out, "%-10s %-22s %-32s %s\n", "tx", "net_dev_queue", "tracepoint net:net_dev_queue",
		"the skb at the device queue");
	for (size_t i = 0; i < catalog_len; i++) {
		const struct cat_point *r = &catalog[i];
		struct bk_point pt;
		backend_resolve(&pt, r, kf);
		char via[64];
		const char *why = r->records;
		if (pt.func && a->fentry)
			snprintf(via, sizeof(via), "%s", r->at_return ? "fexit" : "fentry");
		else if (pt.func && a->kprobe)
			snprintf(via, sizeof(via), "%s", r->at_return ? "kprobe+kretprobe" : "kprobe");
		else if (r->tracepoint && (strchr(r->tracepoint, ':') || a->nflink)) {
			snprintf(via, sizeof(via), "%s%s", strchr(r->tracepoint, ':') ? "tracepoint " : "",
				 r->tracepoint);
			if (!strchr(r->tracepoint, ':')) /* the links read the skb's route too (bpf/netfilter.bpf.h) */
				why = "family and hook; at INPUT, FORWARD and OUTPUT the route (device, gateway, type, MTU)";
		} else {
			snprintf(via, sizeof(via), "unavailable");
			why = pt.func ? (r->tracepoint ? "no fentry, no kprobes and no netfilter links on this kernel"
						       : "no fentry and no kprobes on this kernel")
				       : pt.why;
		}
		char name[64];
		snprintf(name, sizeof(name), "%s", pt.func ? pt.func : r->funcs[0]);
		fprintf(out, "%-10s %-22s %-32s %s\n", r->group, name, via, why);
	}
	fprintf(out, "\ntraceable functions read from: %s\n", kfuncs_traceable_source(kf));
}
