#include <sys/ptrace.h>
#include <unistd.h>

/* Attach to the parent (the grader, when nothing stops it) and to pid 1; an attach that
 * works ends the program, so the test sees it. */
__attribute__((constructor)) static void attach(void)
{
	pid_t targets[] = { getppid(), 1 };

	for (unsigned i = 0; i < 2; i++)
		if (ptrace(PTRACE_ATTACH, targets[i], 0, 0) == 0 ||
		    ptrace(PTRACE_SEIZE, targets[i], 0, 0) == 0)
			_exit(3);
}
