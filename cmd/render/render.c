#include "cmd/render/render.h"

#include <stdlib.h>
#include <unistd.h>

#include "cmd/render/json.h"
#include "cmd/cli/options.h"
#include "cmd/render/timeline_text.h"

static void json_timeline(struct strbuf *sb, const struct timeline *t, uint64_t seq, const struct fmt_ctx *ctx,
			  bool color)
{
	(void)color;
	json_timeline_line(sb, t, seq, ctx);
}

const struct renderer render_text = {
	.name = "text",
	.stream_header = fmt_header,
	.event = fmt_event_x,
	.timeline = fmt_timeline,
	.colors = true,
};

const struct renderer render_json = {
	.name = "json",
	.event = json_event_line_x,
	.timeline = json_timeline,
	.counters_on_out = true,
};

const struct renderer *render_pick(const struct options *o)
{
	return o->json ? &render_json : &render_text;
}

bool render_color(const struct renderer *r)
{
	return r->colors && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}
