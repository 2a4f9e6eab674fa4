/*
 * closeout: write "before close" to stdout, close stdout, then keep writing
 * to stderr for a little while (with short sleeps) and exit 0.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	static const char before[] = "before close\n";
	char line[64];
	struct timespec ts = {0, 20 * 1000 * 1000};
	int i;

	if (write(1, before, strlen(before)) < 0)
		return 3;
	close(1);
	for (i = 1; i <= 10; i++) {
		snprintf(line, sizeof line, "stderr %d\n", i);
		if (write(2, line, strlen(line)) < 0)
			return 3;
		nanosleep(&ts, NULL);
	}
	return 0;
}
