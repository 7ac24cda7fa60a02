/* One stack rule for every renderer: the text line (stream and timelines)
 * and JSON start a drop's stack at the same frame, past pktpath's own
 * program and the tracepoint or trampoline dispatch that called it. */
#include <stdlib.h>
#include <unistd.h>

#include "cmd/render/evtext.h"
#include "cmd/render/format.h"
#include "cmd/render/json.h"
#include "kernel/kallsyms.h"
#include "unit.h"

/* What the kernel's stack map holds for a drop seen by a raw tracepoint
 * (and, for the second stack, by a fentry trampoline). */
static const uint64_t tp_stack[] = {0xffffffff81001008, 0xffffffff81002010, 0xffffffff81003041,
				    0xffffffff81004090, 0xffffffff810050bc, 0};
static const uint64_t fentry_stack[] = {0xffffffff81001008, 0xffffffff81006020, 0xffffffff81004090,
					0xffffffff810050bc, 0};

static size_t read_stack(void *arg, int32_t id, uint64_t *ips, size_t max)
{
	(void)arg;
	const uint64_t *s = id == 1 ? tp_stack : fentry_stack;
	size_t n = 0;
	while (n < max && s[n])
		ips[n] = s[n], n++;
	return n;
}

/* The first frame of the text renderer's "stack:" line. */
static void text_first(const struct pp_event *e, const struct fmt_ctx *ctx, char *out, size_t len)
{
	struct strbuf sb = {0};
	fmt_stack_indent(&sb, e, ctx, 4);
	const char *p = sb.s ? strstr(sb.s, "stack: ") : NULL;
	out[0] = 0;
	if (p) {
		p += 7;
		size_t n = strcspn(p, " \n");
		snprintf(out, len, "%.*s", (int)n, p);
	}
	sb_free(&sb);
}

/* The first element of the JSON event's "stack" array. */
static void json_first(const struct pp_event *e, const struct fmt_ctx *ctx, char *out, size_t len)
{
	struct strbuf sb = {0};
	json_event_line(&sb, e, ctx);
	const char *p = sb.s ? strstr(sb.s, "\"stack\":[\"") : NULL;
	out[0] = 0;
	if (p) {
		p += 10;
		size_t n = strcspn(p, "\"");
		snprintf(out, len, "%.*s", (int)n, p);
	}
	sb_free(&sb);
}

int main(void)
{
	char path[] = "/tmp/pktpath-ksyms.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		CHECK("temporary kallsyms file", 0);
		return 1;
	}
	fputs("ffffffff81001000 t bpf_prog_6deef7357e7b4530_pp_drop\n"
	      "ffffffff81002000 T bpf_trace_run3\n"
	      "ffffffff81003000 T __traceiter_kfree_skb\n"
	      "ffffffff81004000 T sk_skb_reason_drop\n"
	      "ffffffff81005000 t __udp4_lib_rcv\n"
	      "ffffffff81006000 t bpf_trampoline_6442491234\n"
	      "ffffffff81007000 T _etext\n",
	      f);
	fclose(f);
	struct ksyms *ks = ksyms_load(path);
	unlink(path);
	CHECK("symbols loaded", ks != NULL);

	struct fmt_ctx ctx = {.ksyms = ks, .read_stack = read_stack};
	struct pp_event e = {0};
	e.probe = PP_PROBE_DROP;
	e.location = 0xffffffff810050bc;
	char text[160], json[160];
	for (int id = 1; id <= 2; id++) {
		e.stack_id = id;
		text_first(&e, &ctx, text, sizeof(text));
		json_first(&e, &ctx, json, sizeof(json));
		const char *what = id == 1 ? "raw tracepoint" : "fentry trampoline";
		char msg[128];
		snprintf(msg, sizeof(msg), "%s: text starts at the kernel's drop function", what);
		CHECK_STR(msg, text, "sk_skb_reason_drop+0x90");
		snprintf(msg, sizeof(msg), "%s: JSON starts at the same frame as text", what);
		CHECK_STR(msg, json, text);
	}
	ksyms_free(ks);
	return unit_failed;
}
