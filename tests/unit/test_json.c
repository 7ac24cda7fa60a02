/* JSON string escaping: output must be valid JSON whatever bytes the
 * kernel hands over. */
#include "cmd/render/json.h"
#include "unit.h"

static const char *esc(struct strbuf *sb, const char *s, size_t len)
{
	sb_reset(sb);
	json_str(sb, s, len);
	return sb->s ? sb->s : "";
}

int main(void)
{
	struct strbuf sb = {0};
	CHECK_STR("plain", esc(&sb, "veth-b", 16), "\"veth-b\"");
	CHECK_STR("empty", esc(&sb, "", 16), "\"\"");
	CHECK_STR("quote and backslash", esc(&sb, "a\"b\\c", 16), "\"a\\\"b\\\\c\"");
	CHECK_STR("newline and tab", esc(&sb, "a\nb\tc", 16), "\"a\\nb\\tc\"");
	CHECK_STR("control bytes", esc(&sb, "\x1b[31m\x01", 16), "\"\\u001b[31m\\u0001\"");
	CHECK_STR("DEL and high bytes (not UTF-8) as \\u00XX", esc(&sb, "\x7f\xff\xc3", 16),
		  "\"\\u007f\\u00ff\\u00c3\"");
	CHECK_STR("stops at len without a NUL", esc(&sb, "abcdef", 3), "\"abc\"");
	CHECK_STR("stops at NUL", esc(&sb, "ab\0cd", 5), "\"ab\"");
	char comm[PP_COMM_LEN];
	memset(comm, 'x', sizeof(comm)); /* a full comm has no NUL */
	CHECK("full-length field without NUL stays in bounds", strlen(esc(&sb, comm, sizeof(comm))) == 18);
	sb_free(&sb);
	return unit_failed;
}
