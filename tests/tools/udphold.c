/* udphold PORT SECONDS: bind UDP PORT on all addresses and never read,
 * for SECONDS: datagrams pile up in the receive queue (packets that stay
 * alive, so timelines stay open) until the queue is full and the kernel
 * drops the rest. Prints "bound" once ready. Bounded: exits after SECONDS. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: udphold PORT SECONDS\n");
		return 2;
	}
	int secs = atoi(argv[2]);
	if (secs < 1 || secs > 600) {
		fprintf(stderr, "udphold: seconds from 1 to 600\n");
		return 2;
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("udphold: bind");
		return 1;
	}
	printf("bound\n");
	fflush(stdout);
	sleep((unsigned)secs);
	close(fd);
	return 0;
}
