#include <unistd.h>

/* A grandchild in a session of its own that outlives the run and rewrites the results. */
__attribute__((constructor)) static void linger(void)
{
	if (fork() == 0) {
		setsid();
		if (fork() == 0) {
			sleep(3);
			int fd = open("@OUT@/grades.csv", O_WRONLY | O_TRUNC);

			if (fd >= 0 && write(fd, "\"daemon\",50,50,ok,\"\"\n", 21) < 0)
				fd = -1;
			execl("/bin/sleep", "kvmlab-hostile-marker", "300", (char *)0);
			_exit(0);
		}
		_exit(0);
	}
}
