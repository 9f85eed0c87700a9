#include <dirent.h>
#include <sys/uio.h>
#include <unistd.h>

/* Write into the memory of every process it can name (the grader and kvmlab exec, when
 * nothing stops it), by process_vm_writev and through /proc/PID/mem; a write that lands
 * ends the program, so the test sees it.  Only the first byte of the ELF header at the
 * start of the main program's mapping is rewritten with the same byte, so nothing breaks. */
__attribute__((constructor)) static void patch(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int landed = 0;

	while (d && (e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);
		char path[64], line[256];
		unsigned long start = 0;
		FILE *maps;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
		maps = fopen(path, "r");
		if (maps && fgets(line, sizeof(line), maps))
			start = strtoul(line, NULL, 16);
		if (maps)
			fclose(maps);
		if (!start)
			start = 0x400000;
		char byte = 0x7f;
		struct iovec local = { &byte, 1 }, remote = { (void *)start, 1 };

		if (process_vm_writev(pid, &local, 1, &remote, 1, 0) == 1)
			landed = 1;
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		int fd = open(path, O_WRONLY);

		if (fd >= 0 && pwrite(fd, &byte, 1, (off_t)start) == 1)
			landed = 1;
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
	if (landed)
		_exit(3);
}
