/* tcppeer server PORT BYTES [MS] accept one connection (MS milliseconds after
 *                                it came, at most 5000: the kernel meanwhile
 *                                answers it alone), send BYTES, read to EOF
 * tcppeer client ADDR PORT BYTES  connect, send BYTES in small writes, read to EOF
 * Each side pauses between writes so the peer's ACKs are sent on their own
 * (from softirq), which is what the owner tests need. Bounded: 30 s alarm. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void pump(int fd, long bytes)
{
	char buf[512] = {0};
	struct timespec pause = {0, 2000000};
	while (bytes > 0) {
		long n = bytes < (long)sizeof(buf) ? bytes : (long)sizeof(buf);
		if (write(fd, buf, (size_t)n) != n)
			break;
		bytes -= n;
		nanosleep(&pause, NULL);
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int main(int argc, char **argv)
{
	alarm(30);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "server") == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
			perror("tcppeer: bind/listen");
			return 1;
		}
		printf("listening\n");
		fflush(stdout);
		long ms = argc == 5 ? atol(argv[4]) : 0;
		if (ms > 0) { /* a connection first, then the wait */
			struct pollfd p = {.fd = s, .events = POLLIN};
			struct timespec w = {(ms > 5000 ? 5000 : ms) / 1000, (ms > 5000 ? 5000 : ms) % 1000 * 1000000};
			poll(&p, 1, -1);
			nanosleep(&w, NULL);
		}
		int c = accept(s, NULL, NULL);
		if (c < 0)
			return 1;
		pump(c, atol(argv[3]));
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "client") == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
		inet_pton(AF_INET, argv[2], &a.sin_addr);
		if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
			perror("tcppeer: connect");
			return 1;
		}
		pump(s, atol(argv[4]));
		return 0;
	}
	fprintf(stderr, "usage: tcppeer server PORT BYTES [MS] | client ADDR PORT BYTES\n");
	return 2;
}
