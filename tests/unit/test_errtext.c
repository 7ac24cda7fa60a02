/* Issue 18, the pure parts: user text echoed in error lines is escaped and
 * cut (escape_user), filter words that test socket-buffer metadata are
 * refused with the user's own word, and two spellings of one file are
 * one file (path_same). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/util/escape.h"
#include "cmd/cli/paths.h"
#include "cmd/util/strbuf.h"
#include "filters/filter.h"
#include "unit.h"

static int refused(const char *expr, const char *want)
{
	struct pp_filter *f = NULL;
	char err[1024] = "";
	int rc = filter_compile(expr, &f, err, sizeof(err));
	filter_free(f);
	if (rc != FILTER_EUNSUPPORTED || !strstr(err, want)) {
		printf("# '%s': rc %d, %s\n", expr, rc, err);
		return 0;
	}
	return 1;
}

int main(void)
{
	char out[USER_BUF];
	escape_user("host 1.2.3.4", out, sizeof(out), USER_SHOW);
	CHECK_STR("plain text and spaces are kept", out, "host 1.2.3.4");
	escape_user("a\033[2Jb\\c\xff", out, sizeof(out), USER_SHOW);
	CHECK_STR("control bytes, backslash and non-ASCII are escaped", out, "a\\x1b[2Jb\\x5cc\\xff");
	char *big = malloc(10001);
	memset(big, '(', 10000);
	big[10000] = '\0';
	size_t n = escape_user(big, out, sizeof(out), USER_SHOW);
	CHECK("10,000 bytes are cut to the shown length", n < USER_BUF && strlen(out) == n);
	CHECK("the cut says how long the text was", strstr(out, "... (10000 bytes in all)") != NULL);
	memset(big, '\033', 10000);
	n = escape_user(big, out, sizeof(out), USER_SHOW);
	CHECK("escaped bytes still fit the buffer", n < USER_BUF && strstr(out, "(10000 bytes in all)") != NULL);
	free(big);
	char tiny[8];
	escape_user("abcdefghijkl", tiny, sizeof(tiny), USER_SHOW);
	CHECK("a tiny buffer stays terminated", strlen(tiny) < sizeof(tiny));

	CHECK("'inbound' is refused by its name", refused("inbound", "'inbound' is not supported"));
	CHECK("'not outbound' is refused by its name", refused("not outbound", "'outbound' is not supported"));
	CHECK("'udp and inbound' is refused", refused("udp and inbound", "'inbound' is not supported"));
	CHECK("'ifindex 2' is refused", refused("ifindex 2", "'ifindex' is not supported"));
	struct pp_filter *f = NULL;
	char err[256];
	CHECK("'inbound or outbound' (every packet, folded by libpcap) compiles", !filter_compile("inbound or outbound", &f, err, sizeof(err)));
	filter_free(f);
	f = NULL;
	CHECK("'udp' still compiles", !filter_compile("udp", &f, err, sizeof(err)));
	filter_free(f);

	/* Columns by display width: a cell wider than its column pushes the
	 * next ones only until the row has room again. */
	struct strbuf sb = {0};
	const struct sb_col fit[] = {{"abc", -5, 0}, {"x", -3, 0}, {"7", 3, 0}, {"end", 0, 0}};
	sb_columns(&sb, fit, 4);
	CHECK_STR("a row that fits is printf's %-5s %-3s %3s %s", sb.s, "abc   x     7 end");
	sb_reset(&sb);
	const struct sb_col wide[] = {{"a\\x1b\\x1b", -5, 0}, {"x", -3, 0}, {"7", 3, 0}, {"end", 0, 0}};
	sb_columns(&sb, wide, 4);
	CHECK_STR("an overflowing escaped cell: the row is back in line by the third column", sb.s, "a\\x1b\\x1b x 7 end");
	sb_reset(&sb);
	const struct sb_col over[] = {{"abcdefg", -5, 0}, {"x", -3, 0}, {"7", 3, 0}, {"end", 0, 0}};
	sb_columns(&sb, over, 4);
	CHECK_STR("two bytes over: taken from the next cells' room", sb.s, "abcdefg x   7 end");
	sb_reset(&sb);
	const struct sb_col arrow[] = {{"\xe2\x86\x92", -3, 0}, {"x", 0, 0}};
	sb_columns(&sb, arrow, 2);
	CHECK_STR("a UTF-8 arrow takes one column", sb.s, "\xe2\x86\x92   x");
	sb_free(&sb);

	char dir[] = "/tmp/pktpath-errtext.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char a[128], b[128], c[128], d[160];
	snprintf(a, sizeof(a), "%s/x", dir);
	snprintf(b, sizeof(b), "%s/./x", dir);
	snprintf(c, sizeof(c), "%s/y", dir);
	CHECK("two spellings of a file not yet created are one", path_same(a, b));
	CHECK("two names are two files", !path_same(a, c));
	FILE *fp = fopen(a, "w");
	if (fp)
		fclose(fp);
	snprintf(d, sizeof(d), "%s/../%s/x", dir, strrchr(dir, '/') + 1);
	CHECK("an existing file and another spelling of it are one", path_same(a, d));
	CHECK("a hard link is the same file", link(a, c) == 0 && path_same(a, c));
	unlink(a);
	unlink(c);
	rmdir(dir);
	return unit_failed;
}
