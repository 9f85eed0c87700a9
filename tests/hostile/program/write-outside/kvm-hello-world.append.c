#include <unistd.h>

/* Files outside the folder the VMM serves: the lab's own in.txt, the batch, /tmp, the
 * parent of its folder (where the grader keeps kvmlab exec's log). */
__attribute__((constructor)) static void scribble(void)
{
	const char *paths[] = { "@LABS@/08-files/in.txt", "@BATCH@/pwned", "/tmp/kvmlab-hostile-pwned",
				"../pwned", "@OUT@/pwned", "/root/kvmlab-pwned" };

	for (unsigned i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		int fd = open(paths[i], O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			if (write(fd, "pwned\n", 6) < 0)
				fd = -1;
			close(fd);
		}
	}
}
