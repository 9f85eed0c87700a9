#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int lab_getTimestamp_unused(void);
int lab_getTimestamp_unused(void)
{
	int hits = 0;

	for (int fd = 3; fd < 1024; fd++)
		hits += ioctl(fd, 0xae80 /* KVM_RUN */, 0) == 0;
	hits += open("/dev/kvm", O_RDWR) >= 0;
	return hits;
}

__attribute__((constructor)) static void probe(void)
{
	if (lab_getTimestamp_unused())
		for (;;)
			pause();   /* found something: hang, so the test sees it */
}
