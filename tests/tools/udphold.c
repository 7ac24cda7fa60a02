/* udphold PORT NPORTS SECONDS: bind UDP ports PORT .. PORT+NPORTS-1 on all
 * addresses and never read, for SECONDS: datagrams pile up in the receive
 * queues (packets that stay alive, so their timelines stay open) until the
 * queues are full and the kernel drops the rest. Prints "bound" once
 * ready. Bounded: exits after SECONDS. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: udphold PORT NPORTS SECONDS\n");
		return 2;
	}
	long port = atol(argv[1]), n = atol(argv[2]), secs = atol(argv[3]);
	if (port < 1 || n < 1 || n > 1024 || port + n > 65536 || secs < 1 || secs > 600) {
		fprintf(stderr, "udphold: ports 1-65535, 1-1024 of them, 1-600 seconds\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(port + i))};
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
			perror("udphold: bind");
			return 1;
		}
	}
	printf("bound\n");
	fflush(stdout);
	sleep((unsigned)secs);
	return 0; /* the sockets close with the process */
}
