int deep(volatile int n);
int deep(volatile int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	return deep(n + 1) + pad[0];
}
