#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void call_home(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(0x01010101);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
		for (;;)
			pause();   /* connected: hang, so the test sees it */
}
