#include "cmd/probes.h"

#include "bpf/event.h"

static const struct probe_info probes[PP_PROBE_MAX] = {
	[PP_PROBE_RX] = {"netif_receive_skb", "net:netif_receive_skb"},
	[PP_PROBE_TX] = {"net_dev_queue", "net:net_dev_queue"},
	[PP_PROBE_DROP] = {"kfree_skb", "skb:kfree_skb"},
	[PP_PROBE_FREE] = {"consume_skb", "skb:consume_skb"},
};

const struct probe_info *probe_info(uint16_t id)
{
	if (id >= PP_PROBE_MAX || !probes[id].name)
		return 0;
	return &probes[id];
}
