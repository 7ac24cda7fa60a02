/* tcplisten PORT SECONDS   listen on PORT with a backlog of 0 and never
 * accept, for SECONDS (at most 30): the first connection fills the accept
 * queue, later SYNs overflow it (TcpExtListenOverflows). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tcplisten PORT SECONDS\n");
		return 2;
	}
	int secs = atoi(argv[2]);
	if (secs < 1 || secs > 30)
		secs = 30;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 0) < 0) {
		perror("tcplisten");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	sleep((unsigned)secs);
	return 0;
}
