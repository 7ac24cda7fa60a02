#include "cmd/probes.h"

#include "bpf/event.h"

static const struct probe_info probes[PP_PROBE_MAX] = {
	[PP_PROBE_RX] = {"netif_receive_skb", "net:netif_receive_skb", "pp_rx"},
	[PP_PROBE_TX] = {"net_dev_queue", "net:net_dev_queue", "pp_tx"},
	[PP_PROBE_DROP] = {"kfree_skb", "skb:kfree_skb", "pp_drop"},
	[PP_PROBE_FREE] = {"consume_skb", "skb:consume_skb", "pp_free"},
};

const struct probe_info *probe_info(uint16_t id)
{
	if (id >= PP_PROBE_MAX || !probes[id].name)
		return 0;
	return &probes[id];
}
