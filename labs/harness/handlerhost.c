/* handlerhost.c - kvmlab-handlers: the process a student's hypercall handlers run in.
 *
 * usage (by the grader only): kvmlab-handlers HANDLERS.so FD lab_NAME...
 * The grader starts it in a sandbox (sandbox.h) with FD a socket to itself; it loads the
 * student's shared object and calls the handlers named on its command line when asked
 * (hostproto.h: handler i of that list is call id i), after lab_hypercall if it has one.  The
 * helpers students call (kvmlab/lab.h: lab_read, lab_print, ...) are defined here, each a
 * request to the grader, which owns the guest: this process has no guest memory, no vCPU
 * and no /dev/kvm.  The executable is linked with -rdynamic so the object resolves them.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostproto.h"
#include "kvmlab/lab.h"

#define EXPORT __attribute__((visibility("default"), used))

struct lab_ctx {
	int fd;
};

static struct lab_ctx the_ctx = { .fd = -1 };

#define MAX_HANDLERS 32
static void *fn[MAX_HANDLERS];   /* the handlers named on the command line, in order */
static const char *fn_name[MAX_HANDLERS];
static int (*generic)(struct lab_ctx *, struct lab_exit *);   /* lab_hypercall, if defined */

static void send_msg(struct hp_msg *m)
{
	if (send(the_ctx.fd, m, HP_HEADER + m->len, MSG_NOSIGNAL) < 0)
		_exit(2);   /* the grader is gone */
}

/* Send a request, wait for the grader's HP_REPLY. */
static void ask(struct hp_msg *m)
{
	ssize_t n;

	send_msg(m);
	do
		n = recv(the_ctx.fd, m, sizeof(*m), 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)HP_HEADER || m->op != HP_REPLY || m->len > HP_DATA_MAX ||
	    (size_t)n != HP_HEADER + m->len)
		_exit(2);
}

EXPORT int lab_read(struct lab_ctx *ctx, uint64_t gva, void *buf, size_t len)
{
	struct hp_msg m;

	(void)ctx;
	while (len) {
		size_t n = len < HP_DATA_MAX ? len : HP_DATA_MAX;

		m = (struct hp_msg){ .op = HP_READ, .a = gva, .b = n };
		ask(&m);
		if (m.rc < 0)
			return m.rc;
		if (m.len != n)
			return -EIO;
		memcpy(buf, m.data, n);
		buf = (char *)buf + n;
		gva += n;
		len -= n;
	}
	return 0;
}

EXPORT int lab_write(struct lab_ctx *ctx, uint64_t gva, const void *buf, size_t len)
{
	struct hp_msg m;

	(void)ctx;
	if (len > HP_DATA_MAX) {   /* all or nothing: the whole range is checked first */
		m = (struct hp_msg){ .op = HP_WRITE, .a = gva, .b = len };
		ask(&m);
		if (m.rc < 0)
			return m.rc;
	}
	while (len) {
		size_t n = len < HP_DATA_MAX ? len : HP_DATA_MAX;

		m = (struct hp_msg){ .op = HP_WRITE, .a = gva, .b = n, .len = (uint32_t)n };
		memcpy(m.data, buf, n);
		ask(&m);
		if (m.rc < 0)
			return m.rc;
		buf = (const char *)buf + n;
		gva += n;
		len -= n;
	}
	return 0;
}

EXPORT int lab_translate(struct lab_ctx *ctx, uint64_t gva, uint64_t *gpa)
{
	struct hp_msg m = { .op = HP_TRANSLATE, .a = gva };

	(void)ctx;
	ask(&m);
	if (m.rc == 0)
		*gpa = m.a;
	return m.rc;
}

EXPORT void *lab_hva(struct lab_ctx *ctx, uint64_t gpa)
{
	struct hp_msg m = { .op = HP_HVA, .a = gpa };

	(void)ctx;
	ask(&m);
	return (void *)(uintptr_t)m.a;   /* an address in the grader: to print, not to follow */
}

EXPORT uint64_t lab_exits(struct lab_ctx *ctx, const char *type)
{
	struct hp_msg m = { .op = HP_EXITS };

	(void)ctx;
	snprintf(m.data, 64, "%s", type ? type : "");
	m.len = (uint32_t)strlen(m.data) + 1;
	ask(&m);
	return m.a;
}

EXPORT uint64_t lab_exits_total(struct lab_ctx *ctx)
{
	return lab_exits(ctx, "total");
}

EXPORT uint64_t lab_kvm_clock(struct lab_ctx *ctx)
{
	struct hp_msg m = { .op = HP_CLOCK };

	(void)ctx;
	ask(&m);
	return m.rc == 0 ? m.a : 0;
}

EXPORT void lab_print(struct lab_ctx *ctx, const char *fmt, ...)
{
	char small[HP_DATA_MAX], *p = small;
	struct hp_msg m;
	va_list ap;
	int n;

	(void)ctx;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		if (n > 65536)
			n = 65536;
		p = malloc((size_t)n + 1);
		if (!p)
			return;
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	for (size_t off = 0; off < (size_t)n;) {
		size_t k = (size_t)n - off < HP_DATA_MAX ? (size_t)n - off : HP_DATA_MAX;

		m.op = HP_PRINT;
		m.rc = 0;
		m.len = (uint32_t)k;
		memcpy(m.data, p + off, k);
		send_msg(&m);
		off += k;
	}
	if (p != small)
		free(p);
}

/* The per-hypercall handler: uint32_t lab_NAME(ctx) for an IN, int lab_NAME(ctx, value) for
 * each OUT item. */
static int call_named(void *f, struct lab_exit *e, const struct hp_msg *m)
{
	unsigned items = e->size ? (unsigned)(m->len / e->size) : 0;
	int ret = 0;

	if (e->in) {
		e->value = ((uint32_t (*)(struct lab_ctx *))f)(&the_ctx);
		return 0;
	}
	for (unsigned i = 0; i < items && i < e->count && ret >= 0; i++) {
		uint32_t v = 0;

		memcpy(&v, m->data + (size_t)i * e->size, e->size);
		ret = ((int (*)(struct lab_ctx *, uint32_t))f)(&the_ctx, v);
	}
	return ret;
}

static void call(struct hp_msg *m)
{
	uint64_t id = m->a;
	bool known = id < MAX_HANDLERS && fn_name[id];
	struct lab_exit e = {
		.port = m->port, .in = m->rc != 0, .size = m->size, .count = m->count,
		.value = m->rc ? 0 : (uint32_t)m->b, .hypercall = known ? fn_name[id] + 4 : NULL,
		.data = (const uint8_t *)m->data,
	};
	int ret = generic ? generic(&the_ctx, &e) : LAB_NEXT;

	if (ret == LAB_NEXT && m->next && known && fn[id]) {   /* not taken: lab_NAME */
		struct hp_msg n = { .op = HP_NEXT };

		if (generic)
			send_msg(&n);   /* so that the grader names the right handler */
		ret = call_named(fn[id], &e, m);
	} else if (ret == LAB_NEXT) {   /* the grader does not allow lab_NAME here: nothing */
		ret = 0;
	}
	*m = (struct hp_msg){ .op = HP_RETURN, .rc = ret, .b = e.in ? e.value : 0 };
	send_msg(m);
}

int main(int argc, char **argv)
{
	struct hp_msg m = { .op = HP_READY };
	void *dl;
	ssize_t n;

	if (argc < 3 || argc - 3 > MAX_HANDLERS)
		return 1;
	the_ctx.fd = atoi(argv[2]);
	dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		m.rc = -ENOEXEC;
		snprintf(m.data, sizeof(m.data), "%s", dlerror());
		m.len = (uint32_t)strlen(m.data) + 1;
		send_msg(&m);
		return 1;
	}
	for (int i = 0; i < argc - 3; i++) {
		fn_name[i] = argv[3 + i];
		fn[i] = dlsym(dl, argv[3 + i]);
		if (fn[i])
			m.a |= 1ull << i;
	}
	*(void **)&generic = dlsym(dl, HP_GENERIC);
	if (generic)
		m.a |= 1ull << 63;
	send_msg(&m);
	for (;;) {
		n = recv(the_ctx.fd, &m, sizeof(m), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)HP_HEADER || m.op != HP_CALL)
			return 0;   /* the grader closed the socket: the run is over */
		call(&m);
	}
}
