/* An nftables rule (libnftnl's parsed form) as text in the words of
 * `nft list ruleset`, for the drop that rule caused. The common
 * expressions are rendered as nft does (payload and meta fields compared
 * with cmp, prefixes, verdicts, counters, ct state, reject), implicit
 * protocol dependencies nft hides are hidden too; iptables-nft's compat
 * expressions print as `xt match "NAME"` / `xt target "NAME"`, which is
 * what nft itself prints without the iptables translation library; what
 * is not understood prints as `[EXPR]` rather than being guessed. */
#ifndef PKTPATH_NFTRULE_H
#define PKTPATH_NFTRULE_H
#include <stddef.h>
#include <stdint.h>

struct nftnl_rule;

/* family: the table's NFPROTO_* (ip, ip6, inet, ...). Writes at most len
 * bytes (NUL included) and returns the length it needed. */
size_t nftrule_render(const struct nftnl_rule *r, uint32_t family, char *out, size_t len);

#endif
