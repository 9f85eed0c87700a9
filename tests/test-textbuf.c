/* test-textbuf.c - tracer/textbuf.h: what fits is kept, NUL-terminated, and an overflow is said. */
#include "testkit.h"
#include "textbuf.h"

int main(void)
{
	char buf[12], one[1];
	struct textbuf t;

	textbuf_init(&t, buf, sizeof(buf));
	CHECK_STR(buf, "");
	textbuf_printf(&t, "%s=%d", "rax", 42);
	textbuf_printf(&t, ", ");
	CHECK_STR(buf, "rax=42, ");
	CHECK_EQ(t.n, 8);
	CHECK(!t.full);
	textbuf_printf(&t, "rbx=%d", 7);          /* 11 characters fill the 12 bytes exactly */
	CHECK_STR(buf, "rax=42, rbx");
	CHECK(t.full);
	CHECK_EQ(t.n, 11);
	textbuf_printf(&t, "more");               /* nothing more once full */
	CHECK_STR(buf, "rax=42, rbx");
	CHECK_EQ(t.n, 11);

	textbuf_init(&t, buf, sizeof(buf));      /* exactly what fits is not an overflow */
	textbuf_printf(&t, "%s", "hello world");
	CHECK_STR(buf, "hello world");
	CHECK(!t.full);
	textbuf_printf(&t, "%s", "");
	CHECK(!t.full);
	textbuf_printf(&t, ".");
	CHECK(t.full);
	CHECK_STR(buf, "hello world");

	textbuf_init(&t, one, sizeof(one));      /* room for the NUL only */
	textbuf_printf(&t, "x");
	CHECK_STR(one, "");
	CHECK(t.full);
	textbuf_init(&t, NULL, 0);               /* no room at all: full, nothing touched */
	CHECK(t.full);
	textbuf_printf(&t, "x");
	CHECK_EQ(t.n, 0);
	return check_summary();
}
