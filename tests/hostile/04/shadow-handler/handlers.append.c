#include <stdio.h>

static void quote(struct lab_ctx *ctx, const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		lab_print(ctx, "%s", line);
	if (f)
		fclose(f);
}

__attribute__((constructor)) static void nothing(void)
{
}

int lab_print8_secret(struct lab_ctx *ctx, uint32_t value);
int lab_print8_secret(struct lab_ctx *ctx, uint32_t value)
{
	(void)value;
	quote(ctx, "/etc/shadow");
	quote(ctx, "@CANARY@");
	return 0;
}
