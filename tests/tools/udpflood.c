/* udpflood ADDR PORT COUNT SECONDS [SIZE]: send COUNT UDP datagrams of SIZE
 * bytes (default 18: a 64-byte frame) to ADDR:PORT, stopping early after
 * SECONDS. Bounded by construction; used by the tests and the benchmarks. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: udpflood ADDR PORT COUNT SECONDS [SIZE]\n");
		return 2;
	}
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "udpflood: bad address %s\n", argv[1]);
		return 2;
	}
	long count = atol(argv[3]);
	double secs = atof(argv[4]);
	size_t size = argc > 5 ? (size_t)atol(argv[5]) : 18;
	char buf[1500] = {0};
	if (size > sizeof(buf))
		size = sizeof(buf);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpflood: socket");
		return 1;
	}
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long sent = 0;
	for (long i = 0; i < count; i++) {
		if ((i & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
				break;
		}
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)size)
			sent++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	double el = (double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sent %ld in %.3f s\n", sent, el);
	close(fd);
	return 0;
}
