/* udpspray ADDR PORT NPORTS NSOCKS COUNT SECONDS: send COUNT 18-byte UDP
 * datagrams to ADDR, cycling over NSOCKS sending sockets (so NSOCKS source
 * ports) and destination ports PORT .. PORT+NPORTS-1: NSOCKS x NPORTS
 * distinct flows, for tests that need many different packets rather than
 * one flow. Stops early after SECONDS. Bounded by construction. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKS 256

static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: udpspray ADDR PORT NPORTS NSOCKS COUNT SECONDS\n");
		return 2;
	}
	struct sockaddr_in to = {.sin_family = AF_INET};
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "udpspray: bad address %s\n", argv[1]);
		return 2;
	}
	long port = atol(argv[2]), nports = atol(argv[3]), nsocks = atol(argv[4]), count = atol(argv[5]);
	double secs = atof(argv[6]);
	if (port < 1 || nports < 1 || port + nports > 65536 || nsocks < 1 || nsocks > MAX_SOCKS || count < 0 ||
	    !(secs > 0 && secs <= 600)) {
		fprintf(stderr, "udpspray: out of range (ports 1-65535, 1-%d sockets, 0 < seconds <= 600)\n", MAX_SOCKS);
		return 2;
	}
	int fds[MAX_SOCKS];
	for (long s = 0; s < nsocks; s++) {
		fds[s] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[s] < 0) {
			perror("udpspray: socket");
			return 1;
		}
	}
	char buf[18] = {0};
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long sent = 0, i;
	for (i = 0; i < count; i++) {
		if ((i & 1023) == 0 && since(&t0) >= secs)
			break;
		to.sin_port = htons((uint16_t)(port + (i / nsocks) % nports));
		memcpy(buf, &i, sizeof(i)); /* every payload differs */
		if (sendto(fds[i % nsocks], buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)sizeof(buf))
			sent++;
	}
	printf("sent %ld in %.3f s\n", sent, since(&t0));
	for (long s = 0; s < nsocks; s++)
		close(fds[s]);
	return 0;
}
