/* execmem.c - guest memory of a stopped guest, read from the program (see execmem.h). */
#include "execmem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHUNK (64u << 10)
#define PAGE 4096u

/* The exits after which the guest runs no more unless the program starts it again. */
static bool stops_guest(uint32_t reason)
{
	return reason == KVM_EXIT_HLT || reason == KVM_EXIT_SHUTDOWN ||
	       reason == KVM_EXIT_FAIL_ENTRY || reason == KVM_EXIT_INTERNAL_ERROR ||
	       reason == KVM_EXIT_SYSTEM_EVENT;
}

/* Copy one slot into fd at its guest physical address; readable ranges go to map.  Returns
 * the bytes read, or -errno when writing fails. */
static int64_t copy_slot(pid_t pid, const struct obs_slot *s, uint64_t budget, uint8_t *buf,
			 int fd, FILE *map)
{
	uint64_t size = s->size < budget ? s->size : budget, done = 0, run_start = 0, run_len = 0;

	while (done < size) {
		size_t want = size - done < CHUNK ? (size_t)(size - done) : CHUNK;
		struct iovec local = { buf, want }, remote = { (void *)(uintptr_t)(s->hva + done), want };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

		if (n <= 0) {   /* not mapped in the program: skip a page, end the range */
			if (run_len)
				fprintf(map, "0x%llx 0x%llx\n", (unsigned long long)run_start,
					(unsigned long long)run_len);
			run_len = 0;
			done += PAGE - ((s->hva + done) % PAGE);
			continue;
		}
		if (pwrite(fd, buf, (size_t)n, (off_t)(s->gpa + done)) != n)
			return -(errno ? errno : EIO);
		if (!run_len)
			run_start = s->gpa + done;
		run_len += (uint64_t)n;
		done += (uint64_t)n;
	}
	if (run_len)
		fprintf(map, "0x%llx 0x%llx\n", (unsigned long long)run_start,
			(unsigned long long)run_len);
	return (int64_t)done;
}

static int dump(struct execmem *m, const struct obs_obj *vm, uint32_t reason)
{
	char path[PATH_MAX], mpath[PATH_MAX + 8];
	uint64_t budget = EXECMEM_BYTES_MAX;
	uint8_t *buf = malloc(CHUNK);
	FILE *map = NULL;
	int fd = -1, ret = 0;

	snprintf(path, sizeof(path), "%s.%s", m->prefix, vm->name);
	snprintf(mpath, sizeof(mpath), "%s.slots", path);
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	map = fopen(mpath, "we");
	if (fd < 0 || !map) {
		ret = -errno;
		goto out;
	}
	fprintf(map, "# %s at %s\n", vm->name, vmm_kvm_exit_reason_name(reason));
	for (int i = 0; i < vm->nslots && budget; i++) {
		const struct obs_slot *s = &vm->slots[i];
		int64_t n;

		if (s->gpa >= EXECMEM_GPA_MAX || s->size > EXECMEM_GPA_MAX - s->gpa)
			continue;
		n = copy_slot(vm->pid, s, budget, buf, fd, map);
		if (n < 0) {
			ret = (int)n;
			break;
		}
		budget -= (uint64_t)n < budget ? (uint64_t)n : budget;
	}
out:
	if (map && fclose(map) != 0 && !ret)
		ret = -errno;
	if (fd >= 0 && close(fd) != 0 && !ret)
		ret = -errno;
	free(buf);
	return ret;
}

static void on_call(void *ctx, const struct obs_call *c)
{
	struct execmem *m = ctx;

	if (m->inner.call)
		m->inner.call(m->inner.ctx, c);
	if (c->c.req != KVM_RUN || !c->has_exit || c->c.ret < 0 || !c->obj || !c->obj->vm ||
	    !stops_guest(c->run.exit_reason))
		return;
	int vm = c->obj->vm->vm_no, ret;
	uint64_t n = vm > 0 && vm <= EXECMEM_VMS ? ++m->stops[vm - 1] : 0;

	if (n > EXECMEM_EVERY && n % EXECMEM_EVERY != 0)
		return;
	ret = dump(m, c->obj->vm, c->run.exit_reason);

	if (ret < 0 && !m->err)
		m->err = -ret;
	else if (ret == 0)
		m->dumps++;
}

static void on_mapped(void *ctx, pid_t tid, const struct obs_obj *vcpu, uint64_t addr, uint64_t len)
{
	struct execmem *m = ctx;

	if (m->inner.mapped)
		m->inner.mapped(m->inner.ctx, tid, vcpu, addr, len);
}

static void on_proc(void *ctx, enum obs_proc_event ev, pid_t pid, int status, const char *what)
{
	struct execmem *m = ctx;

	if (m->inner.proc)
		m->inner.proc(m->inner.ctx, ev, pid, status, what);
}

void execmem_init(struct execmem *m, const char *prefix, const struct obs_sink *inner,
		  struct obs_sink *sink)
{
	*m = (struct execmem){ .prefix = prefix };
	if (inner)
		m->inner = *inner;
	*sink = (struct obs_sink){ .call = on_call, .mapped = on_mapped, .proc = on_proc, .ctx = m };
}
