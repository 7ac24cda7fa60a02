/* httpd PORT     a tiny HTTP/1.0 responder for the `pktpath -- curl` test:
 *                answers each request with "200 ok", or "404" when the path
 *                begins with /missing, then closes the connection. Serves
 *                connections one at a time until killed. Bounded: 120 s alarm. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: httpd PORT\n");
		return 2;
	}
	alarm(120);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
		perror("httpd: bind/listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		char req[2048];
		size_t n = 0;
		/* Up to the end of the headers (or a full buffer). */
		while (n < sizeof(req) - 1) {
			ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
			req[n] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[n] = '\0';
		const char *reply = strncmp(req, "GET /missing", 12) == 0
					    ? "HTTP/1.0 404 Not Found\r\nContent-Length: 8\r\nConnection: close\r\n\r\nmissing\n"
					    : "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
		if (write(c, reply, strlen(reply)) < 0)
			perror("httpd: write");
		close(c);
	}
}
