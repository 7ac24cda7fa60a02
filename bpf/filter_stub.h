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

/* L3: data = network header (raw IP). */
static __noinline bool pp_filter_l3(void *skb, void *skb2, void *skb3, void *data, void *data_end)
{
	return data != data_end && skb == skb2 && skb2 == skb3;
}

/* L2: data = Ethernet header. */
static __noinline bool pp_filter_l2(void *skb, void *skb2, void *skb3, void *data, void *data_end)
{
	return data != data_end && skb == skb2 && skb2 == skb3;
}

#endif
