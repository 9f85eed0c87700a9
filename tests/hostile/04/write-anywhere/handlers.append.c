#include <fcntl.h>
#include <unistd.h>

__attribute__((constructor)) static void scribble(void)
{
	const char *paths[] = { "/tmp/kvmlab-hostile-pwned", "@BATCH@/pwned", "/etc/kvmlab-pwned",
				"/root/kvmlab-pwned" };

	for (unsigned i = 0; i < sizeof(paths) / sizeof(*paths); i++)
		close(open(paths[i], O_WRONLY | O_CREAT, 0644));
}
