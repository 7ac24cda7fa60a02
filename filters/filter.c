/* pcap_compile for both layers, then translation to eBPF. */
#include "filters/filter.h"

#include <pcap/pcap.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/util/escape.h"
#include "filters/cbpf2ebpf.h"

struct layer {
	bool compiled;            /* libpcap accepted the expression here */
	struct bpf_program prog;  /* classic, when compiled */
	void *ebpf;
	size_t ebpf_cnt;
};

struct pp_filter {
	struct layer l[2];
	bool ip_needs_l2; /* see filter_ip_needs_l2() */
};

static const int dlt_of[2] = {[PP_L3] = DLT_RAW, [PP_L2] = DLT_EN10MB};
static const char *const layer_name[2] = {[PP_L3] = "L3 (raw IP)", [PP_L2] = "L2 (Ethernet)"};

/* 0, or -1 with libpcap's message in msg. */
static int compile_layer(const char *expr, int dlt, struct bpf_program *prog, char *msg, size_t len)
{
	pcap_t *p = pcap_open_dead(dlt, 65535);
	if (!p) {
		snprintf(msg, len, "pcap_open_dead failed");
		return -1;
	}
	int rc = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (rc)
		snprintf(msg, len, "%s", pcap_geterr(p));
	pcap_close(p);
	return rc ? -1 : 0;
}

/* The packet's length (`len`, `greater`, `less`): 14 bytes more in the
 * Ethernet view. */
static bool uses_length(const struct bpf_program *p)
{
	for (unsigned i = 0; i < p->bf_len; i++) {
		unsigned code = p->bf_insns[i].code;
		if ((code & 0x07) <= 0x01 /* BPF_LD, BPF_LDX */ && (code & 0xe0) == 0x80 /* BPF_LEN */)
			return true;
	}
	return false;
}

/* `link[...]` and its synonyms index the link-layer header, which the raw
 * IP view does not have (libpcap still compiles them there, from the IP
 * header). A word test: a false positive costs time, never a packet. */
static bool names_link_header(const char *expr)
{
	static const char *const words[] = {"link", "ether", "ppp", "slip", "fddi", "tr", "wlan"};
	const char *p = expr;
	while (*p) {
		if (!isalpha((unsigned char)*p)) {
			p++;
			continue;
		}
		const char *w = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if ((size_t)(p - w) == strlen(words[i]) && !strncmp(w, words[i], (size_t)(p - w)))
				return true;
	}
	return false;
}

/* Linux socket-filter extensions: a classic load at SKF_AD_OFF + n reads
 * socket-buffer metadata, not packet bytes (linux/filter.h). libpcap emits
 * them for expressions that test metadata; the eBPF here reads packet
 * bytes only, so each one is refused with the words that asked for it
 * rather than turned into a load past the packet that never matches. */
#define AD_OFF 0xfffff000u
static const struct {
	uint32_t k;
	const char *words, *why;
} ancillary[] = {
	{4, "inbound/outbound",
	 "the direction is not a property of a packet that pktpath follows from receive to transmit; "
	 "select it by address instead (src host/dst host)"},
	{8, "ifindex", "select the interface with -i IFACE instead"},
	{0, "a link-layer protocol test on the socket buffer", "use 'ether proto' instead"},
	{44, "vlan", "the VLAN tag the kernel took off the frame cannot be read here"},
	{48, "vlan", "the VLAN tag the kernel took off the frame cannot be read here"},
	{60, "vlan", "the VLAN tag the kernel took off the frame cannot be read here"},
};

/* 0, or -1 with a sentence in err naming what the expression asked for. */
static int refuse_ancillary(const char *expr, const char *shown, const struct bpf_program *p, char *err,
			    size_t errlen)
{
	for (unsigned i = 0; i < p->bf_len; i++) {
		const struct bpf_insn *c = &p->bf_insns[i];
		if (BPF_CLASS(c->code) != BPF_LD || BPF_MODE(c->code) != BPF_ABS || c->k < AD_OFF)
			continue;
		uint32_t n = c->k - AD_OFF;
		for (size_t j = 0; j < sizeof(ancillary) / sizeof(ancillary[0]); j++)
			if (ancillary[j].k == n) {
				const char *w = ancillary[j].words;
				if (n == 4) /* the word the user typed */
					w = strstr(expr, "inbound") ? "inbound" : strstr(expr, "outbound") ? "outbound" : w;
				snprintf(err, errlen, "filter '%s': '%s' is not supported: %s", shown, w, ancillary[j].why);
				return -1;
			}
		snprintf(err, errlen,
			 "filter '%s' is not supported: it tests socket-buffer metadata (Linux filter extension %u), "
			 "which pktpath's filters cannot read",
			 shown, n);
		return -1;
	}
	return 0;
}

int filter_compile(const char *expr, struct pp_filter **out, char *err, size_t errlen)
{
	char shown[USER_BUF];
	escape_user(expr, shown, sizeof(shown), USER_SHOW);
	char msg[2][PCAP_ERRBUF_SIZE];
	struct pp_filter *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return FILTER_ERR;
	}
	for (int i = 0; i < 2; i++)
		f->l[i].compiled = !compile_layer(expr, dlt_of[i], &f->l[i].prog, msg[i], sizeof(msg[i]));
	if (!f->l[PP_L3].compiled && !f->l[PP_L2].compiled) {
		/* The Ethernet message is the more general one; libpcap may
		 * quote the expression's words in it. */
		char why[USER_BUF];
		escape_user(msg[PP_L2], why, sizeof(why), USER_SHOW * 2);
		snprintf(err, errlen, "invalid filter expression '%s': %s", shown, why);
		filter_free(f);
		return FILTER_ESYNTAX;
	}
	for (int i = 0; i < 2; i++)
		if (f->l[i].compiled && refuse_ancillary(expr, shown, &f->l[i].prog, err, errlen)) {
			filter_free(f);
			return FILTER_EUNSUPPORTED;
		}
	f->ip_needs_l2 = !f->l[PP_L3].compiled || uses_length(&f->l[PP_L3].prog) || names_link_header(expr);
	for (int i = 0; i < 2; i++) {
		struct layer *l = &f->l[i];
		struct cbpf_insn reject = {.code = 0x06 /* BPF_RET|BPF_K */, .k = 0};
		const struct cbpf_insn *c = &reject;
		size_t n = 1;
		char why[256];

		_Static_assert(sizeof(struct cbpf_insn) == sizeof(struct bpf_insn), "classic insn layout");
		if (l->compiled) {
			c = (const struct cbpf_insn *)l->prog.bf_insns;
			n = l->prog.bf_len;
		}
		if (cbpf_to_ebpf(c, n, &l->ebpf, &l->ebpf_cnt, why, sizeof(why))) {
			snprintf(err, errlen, "filter '%s' cannot run in the kernel (%s): %s", shown, layer_name[i], why);
			filter_free(f);
			return FILTER_EUNSUPPORTED;
		}
	}
	*out = f;
	return 0;
}

void filter_free(struct pp_filter *f)
{
	if (!f)
		return;
	for (int i = 0; i < 2; i++) {
		if (f->l[i].compiled)
			pcap_freecode(&f->l[i].prog);
		free(f->l[i].ebpf);
	}
	free(f);
}

bool filter_has_layer(const struct pp_filter *f, enum pp_layer l)
{
	return f->l[l].compiled;
}

bool filter_ip_needs_l2(const struct pp_filter *f)
{
	return f->ip_needs_l2;
}

uint32_t filter_l3_reach(const struct pp_filter *f)
{
	const struct layer *l = &f->l[PP_L3];
	return l->compiled ? cbpf_reach((const struct cbpf_insn *)l->prog.bf_insns, l->prog.bf_len) : 0;
}

const void *filter_ebpf(const struct pp_filter *f, enum pp_layer l, size_t *cnt)
{
	*cnt = f->l[l].ebpf_cnt;
	return f->l[l].ebpf;
}

int filter_classic_match(const struct pp_filter *f, enum pp_layer l, const uint8_t *pkt, uint32_t len)
{
	if (!f->l[l].compiled)
		return 0;
	return bpf_filter(f->l[l].prog.bf_insns, pkt, len, len) != 0;
}

const void *filter_classic(const struct pp_filter *f, enum pp_layer l, size_t *cnt)
{
	*cnt = f && f->l[l].compiled ? f->l[l].prog.bf_len : 0;
	return *cnt ? f->l[l].prog.bf_insns : NULL;
}

void filter_dump(FILE *out, const struct pp_filter *f)
{
	for (int i = 0; i < 2; i++) {
		const struct layer *l = &f->l[i];
		fprintf(out, "%s classic BPF:\n", layer_name[i]);
		if (!l->compiled)
			fprintf(out, "  (not expressible at this layer: rejects every packet)\n");
		for (unsigned j = 0; l->compiled && j < l->prog.bf_len; j++)
			fprintf(out, "  %s\n", bpf_image(&l->prog.bf_insns[j], (int)j));
		fprintf(out, "%s eBPF (%zu instructions):\n", layer_name[i], l->ebpf_cnt);
		ebpf_dump(out, l->ebpf, l->ebpf_cnt);
	}
	fprintf(out, "IPv4/IPv6 packets: %s\n",
		f->ip_needs_l2 ? "L3, then L2 on Ethernet devices" : "L3 only (the expression reads nothing at L2 that L3 lacks)");
	uint32_t reach = filter_l3_reach(f);
	if (!f->l[PP_L3].compiled)
		fprintf(out, "L3 reads: nothing (no L3 form)\n");
	else if (reach == UINT32_MAX)
		fprintf(out, "L3 reads: bytes at offsets it computes (no bound known)\n");
	else
		fprintf(out, "L3 reads: at most the first %u bytes from the network header\n", reach);
}
