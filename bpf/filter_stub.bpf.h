/* SPDX-License-Identifier: GPL-2.0 */
/* Stubs user space replaces with a translated pcap filter at load time
 * (filters/inject.c). Every argument is a runtime value and is used, so
 * clang can neither drop nor fold them: R4/R5 carry data/data_end into
 * the injected code, which leaves R1-R5 set so that this body returns
 * its verdict. Without a filter the stubs are never called. Every program
 * that selects packets must be in a "pktpath/..." section, which the
 * injecting handler claims: elsewhere the stub stays and matches all. */
#ifndef PKTPATH_FILTER_STUB_H
#define PKTPATH_FILTER_STUB_H

/* Global functions, not static ones: the verifier checks a global
 * function once, on its own, where it walks a static one again in every
 * state it is called from: with a large expression that multiplied the
 * work past its limit (E2BIG). So the arguments are plain numbers (what
 * a global function may take on 5.10) and the verdict is an int. */

/* L3: data = network header (raw IP). */
__noinline int pp_filter_l3(__u64 skb, __u64 skb2, __u64 skb3, __u64 data, __u64 data_end)
{
	return data != data_end && skb == skb2 && skb2 == skb3;
}

/* L2: data = Ethernet header. */
__noinline int pp_filter_l2(__u64 skb, __u64 skb2, __u64 skb3, __u64 data, __u64 data_end)
{
	return data != data_end && skb == skb2 && skb2 == skb3;
}

#endif
