/* What the running kernel lets pktpath use, found by trying rather than by
 * reading version numbers. */
#ifndef PKTPATH_FEATURES_H
#define PKTPATH_FEATURES_H
#include <stdbool.h>
#include <stddef.h>

struct btf;

/* Each returns true when usable; otherwise why holds a short reason. */
bool feat_fentry(const struct btf *vmlinux, char *why, size_t len);
bool feat_kprobe(char *why, size_t len);
/* kprobe.multi links (fprobe, 5.18+): one link for many functions. */
bool feat_kprobe_multi(char *why, size_t len);

/* Whether the running kernel knows BPF helper name ("BPF_FUNC_get_func_arg"):
 * its BTF's enum bpf_func_id, the list the verifier accepts. */
bool feat_helper(const struct btf *vmlinux, const char *name);

/* Number of arguments of a tracepoint (from its btf_trace_<name> type), or
 * -1 when the kernel has no such tracepoint. */
int feat_tp_nargs(const struct btf *vmlinux, const char *tp);

/* Whether this process may load and attach tracing BPF programs:
 * CAP_SYS_ADMIN, or CAP_BPF together with CAP_PERFMON. */
bool feat_privileged(char *why, size_t len);

#endif
