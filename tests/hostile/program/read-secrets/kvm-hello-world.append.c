#include <unistd.h>

/* Print every secret it can read; reading any ends the program (the test sees the loss). */
__attribute__((constructor)) static void read_secrets(void)
{
	const char *paths[] = { "/etc/shadow", "@CANARY@", "@LABS@/05-hc2023/lab.yaml",
				"@LABS@/05-hc2023/solution/kvm-hello-world.c" };
	char buf[4096];
	int got = 0;

	for (unsigned i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		int fd = open(paths[i], O_RDONLY);
		ssize_t n;

		if (fd < 0)
			continue;
		while ((n = read(fd, buf, sizeof(buf))) > 0 && write(1, buf, (size_t)n) == n)
			got = 1;
		close(fd);
	}
	if (got)
		_exit(3);
}
