/* obs_tp.c - KVM_RUN calls and exits from the kernel's tracepoints (see obs_tp.h). */
#include "obs_tp.h"

#include "array.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NR_IOCTL 16
#define DEFAULT_PAGES 2048u       /* 8 MiB per CPU: ~150,000 exits between two drains */
#define MAX_CPUS 256

/* The tracepoints, and the fields read from each record (offsets from its format file). */
enum { TP_ENTER, TP_EXIT, TP_UEXIT, TP_PIO, TP_MMIO, TP__COUNT };

static const struct tp_def {
	const char *event;        /* system/name */
	const char *fields[5];
} defs[TP__COUNT] = {
	[TP_ENTER] = { "raw_syscalls/sys_enter", { "id", "args" } },
	[TP_EXIT] = { "raw_syscalls/sys_exit", { "id", "ret" } },
	[TP_UEXIT] = { "kvm/kvm_userspace_exit", { "reason", "errno" } },
	[TP_PIO] = { "kvm/kvm_pio", { "rw", "port", "size", "count", "val" } },
	[TP_MMIO] = { "kvm/kvm_mmio", { "type", "len", "gpa", "val" } },
};

struct tp_fmt {
	unsigned id;
	unsigned off[5], size[5];
};

struct ring {
	int fd;
	struct perf_event_mmap_page *meta;
	uint8_t *data;
	size_t len;
};

struct obs_tp {
	struct tp_fmt fmt[TP__COUNT];
	struct ring rings[MAX_CPUS];
	int nrings;
	int fds[MAX_CPUS * TP__COUNT];
	int nfds;
	uint64_t lost, seq;
	struct obs_tp_event *ev;  /* read, not yet handed out, oldest first */
	size_t nev, cap;
};

/* ---- tracefs ------------------------------------------------------------------------- */

/* Where tracefs is: $KVMLAB_TRACEFS, a mounted tracefs, or /sys/kernel/tracing mounted now
 * (root only). */
static int tracefs_dir(char *dir, size_t len, char *why, size_t wlen)
{
	const char *env = getenv("KVMLAB_TRACEFS");
	char line[1024], dev[256], mnt[512], type[64];
	FILE *f;

	if (env && *env) {
		snprintf(dir, len, "%s", env);
		return 0;
	}
	f = fopen("/proc/self/mounts", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %511s %63s", dev, mnt, type) == 3 && strcmp(type, "tracefs") == 0) {
			snprintf(dir, len, "%s", mnt);
			fclose(f);
			return 0;
		}
	if (f)
		fclose(f);
	snprintf(dir, len, "/sys/kernel/tracing");
	if (mount("nodev", dir, "tracefs", 0, NULL) == 0)
		return 0;
	snprintf(why, wlen, "tracefs is not mounted and could not be mounted at %s (%s; as root: "
		 "mount -t tracefs nodev /sys/kernel/tracing)", dir, strerror(errno));
	return -ENOENT;
}

/* The event's id and the offsets of the wanted fields, from DIR/events/EVENT/format. */
static int read_format(const char *dir, const struct tp_def *d, struct tp_fmt *fmt, char *why,
		       size_t wlen)
{
	char path[768], line[512];
	unsigned found = 0, want = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/%s/format", dir, d->event);
	f = fopen(path, "re");
	if (!f) {
		snprintf(why, wlen, "%s: %s (no %s tracepoint on this kernel?)", path, strerror(errno),
			 d->event);
		return -ENOENT;
	}
	for (unsigned i = 0; i < 5 && d->fields[i]; i++)
		want |= 1u << i;
	fmt->id = 0;
	while (fgets(line, sizeof(line), f)) {
		char *field = strstr(line, "field:"), *semi, *name;
		unsigned off, size;

		if (sscanf(line, "ID: %u", &fmt->id) == 1 || !field)
			continue;
		semi = strchr(field, ';');
		if (!semi || sscanf(semi, "; offset:%u; size:%u;", &off, &size) != 2)
			continue;
		*semi = '\0';
		name = strrchr(field, ' ');
		name = name ? name + 1 : field + 6;
		name[strcspn(name, "[")] = '\0';
		for (unsigned i = 0; i < 5 && d->fields[i]; i++)
			if (strcmp(name, d->fields[i]) == 0) {
				fmt->off[i] = off;
				fmt->size[i] = size;
				found |= 1u << i;
			}
	}
	fclose(f);
	if (!fmt->id || found != want) {
		snprintf(why, wlen, "%s: not the fields kvmlab reads", path);
		return -EINVAL;
	}
	return 0;
}

static int read_formats(struct tp_fmt *fmt, char *why, size_t wlen)
{
	char dir[512];
	int ret = tracefs_dir(dir, sizeof(dir), why, wlen);

	for (int i = 0; ret == 0 && i < TP__COUNT; i++)
		ret = read_format(dir, &defs[i], &fmt[i], why, wlen);
	return ret;
}

int obs_tp_probe(char *why, size_t len)
{
	struct tp_fmt fmt[TP__COUNT];

	return read_formats(fmt, why, len);
}

/* ---- perf rings ---------------------------------------------------------------------- */

static int open_event(const struct tp_fmt *f, pid_t pid, int cpu, int group, size_t ring)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT, .size = sizeof(a), .config = f->id,
		.sample_period = 1,
		.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW,
		.inherit = 1, .sample_id_all = 1, .use_clockid = 1, .clockid = CLOCK_MONOTONIC,
		.watermark = 1, .wakeup_watermark = (uint32_t)(ring / 2),
	};
	int fd = (int)syscall(SYS_perf_event_open, &a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (group >= 0 && ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, group) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The five events of one CPU into one ring (the first event's; the kernel lets the others
 * write into it only once it is mapped). */
static int open_cpu(struct obs_tp *tp, pid_t pid, int cpu, unsigned pages)
{
	size_t ring = (size_t)pages * 4096;
	struct ring *r = &tp->rings[tp->nrings];
	void *m;
	int lead = -1;

	for (int i = 0; i < TP__COUNT; i++) {
		int fd = open_event(&tp->fmt[i], pid, cpu, lead, ring);

		if (fd < 0)
			return fd;
		tp->fds[tp->nfds++] = fd;
		if (i == TP_ENTER && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, "id == 16") < 0)
			return -errno;
		if (i == TP_EXIT && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, "id == 16 && ret != 0") < 0)
			return -errno;
		if (lead >= 0)
			continue;
		lead = fd;
		m = mmap(NULL, ring + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, lead, 0);
		if (m == MAP_FAILED)
			return -errno;
		*r = (struct ring){ .fd = lead, .meta = m, .data = (uint8_t *)m + 4096, .len = ring };
		tp->nrings++;
	}
	return 0;
}

int obs_tp_open(pid_t pid, unsigned ring_pages, struct obs_tp **out, char *why, size_t len)
{
	struct obs_tp *tp = calloc(1, sizeof(*tp));
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int ret;

	if (!tp)
		return -ENOMEM;
	if (!ring_pages || (ring_pages & (ring_pages - 1)))
		ring_pages = DEFAULT_PAGES;
	ret = read_formats(tp->fmt, why, len);
	if (ncpu < 1 || ncpu > MAX_CPUS)
		ncpu = ncpu < 1 ? 1 : MAX_CPUS;
	for (int cpu = 0; ret == 0 && cpu < ncpu; cpu++) {
		ret = open_cpu(tp, pid, cpu, ring_pages);
		if (ret < 0)
			snprintf(why, len, "perf_event_open on the KVM tracepoints (CPU %d): %s%s", cpu,
				 strerror(-ret), ret == -EACCES || ret == -EPERM ?
				 " (run as root, or lower /proc/sys/kernel/perf_event_paranoid to -1)" : "");
	}
	if (ret < 0) {
		obs_tp_free(tp);
		return ret;
	}
	*out = tp;
	return 0;
}

/* ---- reading ------------------------------------------------------------------------- */

static uint64_t field(const uint8_t *raw, uint32_t rawlen, const struct tp_fmt *f, int i)
{
	uint64_t v = 0;

	if (f->off[i] + f->size[i] > rawlen || f->size[i] > 8)
		return 0;
	memcpy(&v, raw + f->off[i], f->size[i]);
	return v;
}

/* A sample's raw record into e; 0 if it is not one of ours. */
static int parse_raw(const struct obs_tp *tp, const uint8_t *raw, uint32_t rawlen,
		     struct obs_tp_event *e)
{
	uint64_t v[5];
	uint16_t type;
	int k;

	if (rawlen < 8)
		return 0;
	memcpy(&type, raw, sizeof(type));
	for (k = 0; k < TP__COUNT && tp->fmt[k].id != type; k++)
		;
	if (k == TP__COUNT)
		return 0;
	for (int i = 0; i < 5; i++)
		v[i] = field(raw, rawlen, &tp->fmt[k], i);
	switch (k) {
	case TP_ENTER:
		if (tp->fmt[k].off[1] + sizeof(e->enter.args) > rawlen)
			return 0;
		e->kind = OBS_TP_SYS_ENTER;
		e->enter.nr = (long)v[0];
		memcpy(e->enter.args, raw + tp->fmt[k].off[1], sizeof(e->enter.args));
		return 1;
	case TP_EXIT:
		e->kind = OBS_TP_SYS_EXIT;
		e->exit.nr = (long)v[0];
		e->exit.ret = (long)v[1];
		return 1;
	case TP_UEXIT:
		e->kind = OBS_TP_UEXIT;
		e->uexit.reason = (uint32_t)v[0];
		e->uexit.err = (int)(uint32_t)v[1];
		return 1;
	case TP_PIO:
		e->kind = OBS_TP_PIO;
		e->pio = (struct obs_tp_pio){ (uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2],
					      (uint32_t)v[3], (uint32_t)v[4] };
		return 1;
	default:
		e->kind = OBS_TP_MMIO;
		e->mmio = (struct obs_tp_mmio){ (uint32_t)v[0], (uint32_t)v[1], v[2], v[3] };
		return 1;
	}
}

static int push(struct obs_tp *tp, const struct obs_tp_event *e)
{
	struct obs_tp_event *p = vmm_array_grow(tp->ev, &tp->cap, sizeof(*p), tp->nev + 1, 4096);

	if (!p)
		return -ENOMEM;
	tp->ev = p;
	tp->ev[tp->nev] = *e;
	tp->ev[tp->nev++].seq = tp->seq++;
	return 0;
}

/* One record of ring r (hdr.size bytes at rec, copied out of the wrap already). */
static int record(struct obs_tp *tp, int cpu, const uint8_t *rec, size_t size)
{
	struct perf_event_header h;
	struct obs_tp_event e = { .cpu = cpu };
	uint32_t ids[2], rawlen;

	memcpy(&h, rec, sizeof(h));
	if (h.type == PERF_RECORD_SAMPLE && size >= sizeof(h) + 20) {
		memcpy(ids, rec + 8, sizeof(ids));
		memcpy(&e.time, rec + 16, 8);
		memcpy(&rawlen, rec + 24, 4);
		e.tid = (pid_t)ids[1];
		if (28 + (size_t)rawlen > size || !parse_raw(tp, rec + 28, rawlen, &e))
			return 0;
		return push(tp, &e);
	}
	if (h.type == PERF_RECORD_LOST && size >= sizeof(h) + 16) {
		memcpy(&e.lost.lost, rec + 16, 8);
		tp->lost += e.lost.lost;
		e.kind = OBS_TP_LOST;
		/* sample_id_all: pid, tid, time follow */
		if (size >= sizeof(h) + 16 + 16) {
			memcpy(ids, rec + 24, sizeof(ids));
			memcpy(&e.time, rec + 32, 8);
			e.tid = (pid_t)ids[1];
		}
		return push(tp, &e);
	}
	return 0;
}

static int read_ring(struct obs_tp *tp, int cpu)
{
	struct ring *r = &tp->rings[cpu];
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;
	uint8_t buf[65536];   /* a record is at most 64 KiB (its size is 16 bits) */
	int ret = 0;

	while (ret == 0 && tail < head) {
		struct perf_event_header h;
		size_t at = (size_t)(tail % r->len), first;

		first = r->len - at < sizeof(h) ? r->len - at : sizeof(h);
		memcpy(&h, r->data + at, first);
		memcpy((uint8_t *)&h + first, r->data, sizeof(h) - first);
		if (h.size < sizeof(h))
			break;
		first = r->len - at < h.size ? r->len - at : h.size;
		memcpy(buf, r->data + at, first);
		memcpy(buf + first, r->data, h.size - first);
		ret = record(tp, cpu, buf, h.size);
		tail += h.size;
	}
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	return ret;
}

static int by_time(const void *a, const void *b)
{
	const struct obs_tp_event *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool sorted(const struct obs_tp_event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (by_time(&ev[i - 1], &ev[i]) > 0)
			return false;
	return true;
}

int obs_tp_drain(struct obs_tp *tp, uint64_t cutoff,
		 void (*fn)(void *ctx, const struct obs_tp_event *e), void *ctx)
{
	size_t old = tp->nev, n = 0;
	int ret = 0;

	for (int cpu = 0; ret == 0 && cpu < tp->nrings; cpu++)
		ret = read_ring(tp, cpu);
	/* each ring is in time order; equal times keep the order they were read in */
	if (tp->nev > old && !sorted(tp->ev, tp->nev))
		qsort(tp->ev, tp->nev, sizeof(*tp->ev), by_time);
	while (n < tp->nev && tp->ev[n].time <= cutoff)
		fn(ctx, &tp->ev[n++]);
	memmove(tp->ev, tp->ev + n, (tp->nev - n) * sizeof(*tp->ev));
	tp->nev -= n;
	return ret;
}

uint64_t obs_tp_lost(const struct obs_tp *tp)
{
	return tp->lost;
}

size_t obs_tp_ring_bytes(const struct obs_tp *tp)
{
	return tp->nrings ? tp->rings[0].len : 0;
}

void obs_tp_free(struct obs_tp *tp)
{
	if (!tp)
		return;
	for (int i = 0; i < tp->nrings; i++)
		munmap(tp->rings[i].meta, tp->rings[i].len + 4096);
	for (int i = 0; i < tp->nfds; i++)
		close(tp->fds[i]);
	free(tp->ev);
	free(tp);
}
