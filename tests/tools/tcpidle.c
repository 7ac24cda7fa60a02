/* tcpidle server PORT BYTES      accept one connection, read what the client
 *                                sends, wait for SIGUSR1, send BYTES in small
 *                                writes, then wait to be killed
 * tcpidle client ADDR PORT BYTES  connect, send BYTES (at most 512), then sit
 *                                idle without reading or writing until killed;
 *                                ADDR may be IPv6, e.g. ::ffff:198.18.N.2
 * The client's socket is used in process context only before the signal,
 * so afterwards its ACKs come from softirq alone: what the sock_diag owner
 * test needs. Bounded: 30 s alarm. */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int say(const char *what)
{
	printf("%s\n", what);
	return fflush(stdout);
}

int main(int argc, char **argv)
{
	char buf[512] = {0};
	alarm(30);
	if (argc == 4 && strcmp(argv[1], "server") == 0) {
		sigset_t usr1;
		int sig, one = 1;
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
			perror("tcpidle: bind/listen");
			return 1;
		}
		say("listening");
		int c = accept(s, NULL, NULL);
		if (c < 0 || read(c, buf, sizeof(buf)) <= 0)
			return 1;
		say("got");
		sigwait(&usr1, &sig);
		struct timespec gap = {0, 2000000};
		for (long left = atol(argv[3]); left > 0; left -= (long)sizeof(buf)) {
			size_t n = left < (long)sizeof(buf) ? (size_t)left : sizeof(buf);
			if (write(c, buf, n) != (ssize_t)n)
				return 1;
			nanosleep(&gap, NULL);
		}
		say("sent");
		for (;;)
			pause();
	}
	if (argc == 5 && strcmp(argv[1], "client") == 0) {
		/* An IPv6 address (::ffff:a.b.c.d too) makes an AF_INET6 socket. */
		uint16_t port = htons((uint16_t)atoi(argv[3]));
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = port};
		struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = port};
		int v6 = strchr(argv[2], ':') != NULL;
		if (v6 ? inet_pton(AF_INET6, argv[2], &a6.sin6_addr) != 1 : inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) {
			fprintf(stderr, "tcpidle: bad address %s\n", argv[2]);
			return 2;
		}
		int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		if (v6 ? connect(s, (struct sockaddr *)&a6, sizeof(a6)) : connect(s, (struct sockaddr *)&a, sizeof(a))) {
			perror("tcpidle: connect");
			return 1;
		}
		long n = atol(argv[4]);
		if (n > (long)sizeof(buf))
			n = sizeof(buf);
		if (write(s, buf, (size_t)n) != n)
			return 1;
		say("sent");
		for (;;)
			pause();
	}
	fprintf(stderr, "usage: tcpidle server PORT BYTES | client ADDR PORT BYTES\n");
	return 2;
}
