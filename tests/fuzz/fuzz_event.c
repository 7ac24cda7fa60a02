/* libFuzzer target: the event decoder. Random bytes become a run of
 * struct pp_event records (bpf/event.h) — exactly what a misbehaving or
 * newer BPF side, or a corrupt record, could hand over — and go through
 * everything user space does with a record: the stream line (format.c),
 * the JSON line (json.c), the summary, and the timeline front end in text
 * and JSON with a tiny --max-open and idle expiry (timeline*.c, evtext.c,
 * hints.c, pointtext.c). With real kernel symbols and drop-reason names.
 *
 * Checked: no crash and no ASan/UBSan report (the sanitizers abort), and
 * every JSON line — per event and per timeline — is valid JSON
 * (jsoncheck.h: syntax and UTF-8, not the schema). Text output is only
 * required not to crash.
 *
 * Input: byte 0 chooses options (colour, drops only, --max-open 1..16),
 * then sizeof(struct pp_event) bytes per record (the last one zero-padded),
 * at most 64 records. To make records meet in timelines the skb address
 * of most records is folded onto 8 values. */
#include <bpf/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/render/format.h"
#include "cmd/render/json.h"
#include "cmd/model/probes.h"
#include "cmd/model/summary.h"
#include "cmd/render/timeline_out.h"
#include "kernel/dropreason.h"
#include "kernel/kallsyms.h"
#include "tests/fuzz/jsoncheck.h"

static struct ksyms *ksyms;
static struct dropreasons *reasons;
static FILE *devnull;
static uint64_t ksym_base;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_event: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

/* Stacks: frame count and addresses derived from the id, around a real
 * kernel symbol so both symbolized and unknown addresses occur. */
static size_t read_stack(void *arg, int32_t id, uint64_t *ips, size_t max)
{
	(void)arg;
	if (id < 0)
		return 0;
	size_t n = (size_t)id % 131;
	if (n > max)
		n = max;
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ips[i] = (i % 4 == 3) ? x : ksym_base + (x & 0xfffff);
	}
	return n;
}

static void selftest_json(void)
{
	static const char *good[] = {"{}", "[]", "{\"a\":[1,-2.5e3,true,false,null,\"\\u00ff\\n\"]}", " 0 ", "\"\xc3\xa9\""};
	static const char *bad[] = {"", "{", "{\"a\"}", "[1,]", "01", "\"\x01\"", "\"\\x41\"", "{} {}", "\"\xff\"", "nul", "1.", "-"};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!json_valid(good[i], strlen(good[i])))
			die("JSON validator rejects valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (json_valid(bad[i], strlen(bad[i])))
			die("JSON validator accepts invalid", bad[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	selftest_json();
	ksyms = ksyms_load("/proc/kallsyms");
	if (ksyms)
		ksym_base = ksyms_addr(ksyms, "tcp_v4_rcv");
	if (!ksym_base)
		ksym_base = 0xffffffff81000000ull;
	struct btf *btf = btf__load_vmlinux_btf();
	if (btf) {
		reasons = dropreasons_load(btf);
		btf__free(btf);
	}
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		die("open /dev/null", NULL);
	/* A run's function table, as the fentry/kprobe backends fill it. */
	probes_add_func("ip_rcv_core");
	probes_add_func("nf_hook_slow");
	probes_add_func("br_forward\x1b[31m");
	return 0;
}

static void check_json(const struct strbuf *sb, const char *what)
{
	if (sb->oom)
		return;
	const char *bad = json_lines_valid(sb->s ? sb->s : "", sb->len);
	if (bad || (sb->len && sb->s[sb->len - 1] != '\n'))
		die(what, bad ? bad : "(no newline at the end)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t opt = data[0];
	data++, size--;
	size_t n = (size + sizeof(struct pp_event) - 1) / sizeof(struct pp_event);
	if (n > 64)
		n = 64;
	struct pp_event *ev = calloc(n ? n : 1, sizeof(*ev));
	if (!ev)
		return 0;
	memcpy(ev, data, size < n * sizeof(*ev) ? size : n * sizeof(*ev));
	for (size_t i = 0; i < n; i++) {
		if ((ev[i].skb >> 60) != 0xf)
			ev[i].skb = 0xffff888100000000ull | (ev[i].skb & 0x7) << 8;
	}

	struct fmt_ctx ctx = {.ksyms = ksyms, .reasons = reasons, .read_stack = read_stack};
	ctx.t0 = n ? ev[0].ts_ns : 0;
	struct strbuf sb = {0};
	struct summary sum = {0};

	/* Stream mode, text and JSON, and the summary. */
	fmt_header(&sb);
	for (size_t i = 0; i < n; i++) {
		fmt_event(&sb, &ev[i], &ctx);
		summary_add(&sum, &ev[i]);
	}
	fwrite(sb.s ? sb.s : "", 1, sb.len, devnull);
	sb_reset(&sb);
	for (size_t i = 0; i < n; i++)
		json_event_line(&sb, &ev[i], &ctx);
	check_json(&sb, "invalid JSON event line");
	sb_reset(&sb);
	summary_print(devnull, &sum, reasons, opt, (uint64_t)n + opt);
	summary_free(&sum);

	/* Timelines, text then JSON. */
	for (int json = 0; json < 2; json++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = json ? open_memstream(&buf, &len) : devnull;
		if (!out)
			break;
		struct tl_out o;
		if (tl_out_init(&o, &ctx, out, 1 + (opt >> 4), 1 + (opt & 8), json ? &render_json : &render_text,
				opt & 2) == 0) {
			o.color = !json && (opt & 1); /* colors as on a terminal */
			for (size_t i = 0; i < n; i++) {
				tl_out_event(&o, &ev[i]);
				if (i % 8 == 7)
					tl_out_tick(&o, ev[i].ts_ns + (opt & 4 ? 5000000ull : 0));
			}
			tl_out_finish(&o);
			tl_out_report(devnull, &o);
			tl_out_free(&o);
		}
		if (json) {
			fclose(out);
			struct strbuf t = {.s = buf, .len = len, .cap = len};
			check_json(&t, "invalid JSON timeline line");
			free(buf);
		}
	}
	sb_free(&sb);
	free(ev);
	return 0;
}
