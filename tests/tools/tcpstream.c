/* tcpstream server PORT            accept one connection, read it to EOF, close
 * tcpstream client ADDR PORT SECS  connect, write 64 KiB blocks for SECS seconds,
 *                                  shut down, wait for the server's EOF; prints
 *                                  "sent BYTES in SECONDS s" (until all was read)
 * A bulk TCP stream for the benchmarks. Bounded: SECS <= 600 and a
 * SECS + 30 s alarm on both sides. */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	if (argc == 3 && strcmp(argv[1], "server") == 0) {
		alarm(630);
		int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
			perror("tcpstream: bind/listen");
			return 1;
		}
		printf("listening\n");
		fflush(stdout);
		int c = accept(s, NULL, NULL);
		if (c < 0)
			return 1;
		long long got = 0;
		ssize_t n;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			got += n;
		printf("received %lld\n", got);
		close(c);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "client") == 0) {
		double secs = atof(argv[4]);
		if (!(secs > 0 && secs <= 600)) {
			fprintf(stderr, "tcpstream: seconds from 0 to 600\n");
			return 2;
		}
		alarm((unsigned)secs + 30);
		signal(SIGPIPE, SIG_IGN);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
		if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
			perror("tcpstream: connect");
			return 1;
		}
		double t0 = now();
		long long sent = 0;
		while (now() - t0 < secs) {
			ssize_t n = write(s, buf, sizeof(buf));
			if (n <= 0)
				break;
			sent += n;
		}
		shutdown(s, SHUT_WR);
		while (read(s, buf, sizeof(buf)) > 0)
			;
		printf("sent %lld in %.3f s\n", sent, now() - t0);
		return 0;
	}
	fprintf(stderr, "usage: tcpstream server PORT | client ADDR PORT SECONDS\n");
	return 2;
}
