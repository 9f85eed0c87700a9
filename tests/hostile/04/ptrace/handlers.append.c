#include <sys/ptrace.h>
#include <unistd.h>

__attribute__((constructor)) static void attach(void)
{
	if (ptrace(PTRACE_ATTACH, getppid(), 0, 0) == 0 || ptrace(PTRACE_ATTACH, 1, 0, 0) == 0)
		for (;;)
			pause();   /* attached: hang, so the test sees it */
}
