#include <fcntl.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void harm(void)
{
	const char *e = "\n#error victim\n";
	int fd = open("@BATCH@/ref/guest.c", O_WRONLY | O_APPEND);

	if (fd >= 0) {
		if (write(fd, e, strlen(e)) < 0)
			e = NULL;
		close(fd);
	}
}
