/*
 * mute PORTFILE: a server that takes connections and never says a word.
 * It listens on 127.0.0.1 on a port the kernel picks, writes that port
 * to PORTFILE (whole, by a rename), then accepts every connection and
 * keeps it open without reading or writing: a host whose sshd never
 * sends its banner. It exits after 300 s (a guard: tests kill it).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME_S 300

static int
listen_any(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(fd, 64) < 0) {
		perror("mute: listen");
		exit(1);
	}
	return fd;
}

static void
write_port(int fd, const char *path)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0 ||
	    !(fp = fopen(tmp, "w")) ||
	    fprintf(fp, "%u\n", ntohs(a.sin_port)) < 0 || fclose(fp) != 0 ||
	    rename(tmp, path) < 0) {
		perror("mute: port file");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct pollfd pfd = {.events = POLLIN};
	time_t end = time(NULL) + LIFETIME_S;

	if (argc != 2) {
		fprintf(stderr, "usage: mute PORTFILE\n");
		return 2;
	}
	pfd.fd = listen_any();
	write_port(pfd.fd, argv[1]);
	/* The connections stay open (never closed) till the end. */
	while (time(NULL) < end)
		if (poll(&pfd, 1, 1000) > 0 &&
		    accept4(pfd.fd, NULL, NULL, SOCK_CLOEXEC) < 0)
			sleep(1); /* out of descriptors: they stay queued */
	return 0;
}
