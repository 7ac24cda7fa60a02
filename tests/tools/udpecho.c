/* udpecho serve PORT COUNT SECONDS: answer up to COUNT UDP datagrams on
 * PORT with their own bytes, for at most SECONDS.
 * udpecho ask ADDR PORT: send one datagram to ADDR:PORT and wait up to a
 * second for the answer; exit 0 when it came.
 * udpecho hold PORT SECONDS: bind PORT and read nothing for SECONDS, so
 * datagrams stay queued (their skbs are not freed) until it exits.
 * A normal UDP exchange for the tests, bounded by construction. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[2048];
	if (fd < 0)
		return 1;
	if (argc == 5 && strcmp(argv[1], "serve") == 0) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
		long count = atol(argv[3]);
		double secs = atof(argv[4]);
		struct timeval tv = {.tv_sec = (time_t)secs, .tv_usec = (suseconds_t)((secs - (long)secs) * 1e6)};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("udpecho: bind");
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		for (long i = 0; i < count; i++) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n < 0)
				break;
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
		}
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "hold") == 0) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("udpecho: bind");
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		double secs = atof(argv[3]);
		struct timespec ts = {.tv_sec = (time_t)secs, .tv_nsec = (long)((secs - (long)secs) * 1e9)};
		nanosleep(&ts, NULL);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "ask") == 0) {
		struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
		if (inet_pton(AF_INET, argv[2], &to.sin_addr) != 1)
			return 2;
		struct timeval tv = {.tv_sec = 1};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (sendto(fd, "question", 8, 0, (struct sockaddr *)&to, sizeof(to)) != 8)
			return 1;
		return recv(fd, buf, sizeof(buf), 0) == 8 ? 0 : 1;
	}
	fprintf(stderr, "usage: udpecho serve PORT COUNT SECONDS | ask ADDR PORT | hold PORT SECONDS\n");
	return 2;
}
