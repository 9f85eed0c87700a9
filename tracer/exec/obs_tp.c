/* obs_tp.c - KVM_RUN calls and exits from the kernel's tracepoints (see obs_tp.h). */
#include "obs_tp.h"

#include "array.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PAGES 2048u       /* 8 MiB per CPU: ~70,000 exits between two reads */
#define MAX_CPUS 256
#define PAGE 4096
/* The ring buffer's page header (events/header_page): u64 timestamp, long commit (the bytes
 * of data, and flags), data; and its event header (events/header_event): type_len:5,
 * time_delta:27, then array[]. */
#define PAGE_HEADER 16
#define COMMIT_MASK ((1u << 30) - 1)
enum { RB_PADDING = 29, RB_TIME_EXTEND = 30, RB_TIME_STAMP = 31 };

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

struct obs_tp {
	struct tp_fmt fmt[TP__COUNT];
	char dir[600];            /* the private tracefs instance */
	int pipe[MAX_CPUS];       /* per_cpu/cpuN/trace_pipe_raw, -1: none */
	int ncpu;
	uint64_t dropped[MAX_CPUS], last[MAX_CPUS];  /* per CPU: records dropped; last time read */
	size_t ring;
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
		int err = errno;

		snprintf(why, wlen, "%s: %s%s", path, strerror(err), err == ENOENT ?
			 " (no such tracepoint on this kernel)" : err == EACCES ?
			 " (tracefs is for root)" : "");
		return -err;
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

static int read_formats(const char *root, struct tp_fmt *fmt, char *why, size_t wlen)
{
	int ret = 0;

	for (int i = 0; ret == 0 && i < TP__COUNT; i++)
		ret = read_format(root, &defs[i], &fmt[i], why, wlen);
	return ret;
}

int obs_tp_probe(char *why, size_t len)
{
	struct tp_fmt fmt[TP__COUNT];
	char root[512];
	int ret = tracefs_dir(root, sizeof(root), why, len);

	return ret < 0 ? ret : read_formats(root, fmt, why, len);
}

/* ---- a private instance ------------------------------------------------------------ */

/* Write text to the instance's file name; 0 or -errno. */
static int put(const char *dir, const char *name, const char *text)
{
	char path[768];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n == (ssize_t)strlen(text) ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return (int)n;
}

/* Instances of kvmlab processes that are gone (killed before they could remove theirs). */
static void sweep(const char *root)
{
	char path[1024];
	struct dirent *d;
	DIR *dir;
	int pid;

	snprintf(path, sizeof(path), "%s/instances", root);
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (sscanf(d->d_name, "kvmlab-exec-%d-", &pid) == 1 && kill(pid, 0) < 0 && errno == ESRCH) {
			snprintf(path, sizeof(path), "%.500s/instances/%.255s", root, d->d_name);
			rmdir(path);
		}
	if (dir)
		closedir(dir);
}

/* The instance's settings, in order: the events of pid and its children only, clocked on
 * CLOCK_MONOTONIC, new records dropped (and counted) rather than old ones overwritten. */
static int setup(struct obs_tp *tp, pid_t pid, unsigned pages, char *why, size_t len)
{
	char kb[32], pids[32];
	const struct { const char *file, *text; } steps[] = {
		{ "tracing_on", "0" }, { "trace_clock", "mono" },  /* (a new clock empties the ring) */
		{ "buffer_size_kb", kb },
		{ "options/overwrite", "0" }, { "options/event-fork", "1" },
		{ "set_event_pid", pids },
		{ "events/raw_syscalls/sys_enter/filter", "id == 16" },
		{ "events/raw_syscalls/sys_exit/filter", "id == 16 && ret != 0" },
		{ "events/raw_syscalls/sys_enter/enable", "1" },
		{ "events/raw_syscalls/sys_exit/enable", "1" },
		{ "events/kvm/kvm_userspace_exit/enable", "1" },
		{ "events/kvm/kvm_pio/enable", "1" }, { "events/kvm/kvm_mmio/enable", "1" },
		{ "tracing_on", "1" },
	};

	snprintf(kb, sizeof(kb), "%u", pages * (PAGE / 1024));
	snprintf(pids, sizeof(pids), "%d", (int)pid);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int ret = put(tp->dir, steps[i].file, steps[i].text);

		if (ret < 0) {
			snprintf(why, len, "%s/%s: %s", tp->dir, steps[i].file, strerror(-ret));
			return ret;
		}
	}
	tp->ring = (size_t)pages * PAGE;
	return 0;
}

/* The first line of the instance's file name, into buf. */
static void get(const struct obs_tp *tp, const char *name, char *buf, size_t len)
{
	char path[768];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tp->dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

bool obs_tp_intact(const struct obs_tp *tp, char *why, size_t len)
{
	static const char *const on[] = {
		"tracing_on", "events/raw_syscalls/sys_enter/enable",
		"events/raw_syscalls/sys_exit/enable", "events/kvm/kvm_userspace_exit/enable",
		"events/kvm/kvm_pio/enable", "events/kvm/kvm_mmio/enable", "options/event-fork",
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		get(tp, on[i], buf, sizeof(buf));
		if (strcmp(buf, "1") != 0) {
			snprintf(why, len, "%s/%s is %s, not 1", tp->dir, on[i], buf[0] ? buf : "unreadable");
			return false;
		}
	}
	get(tp, "events/raw_syscalls/sys_enter/filter", buf, sizeof(buf));
	if (strcmp(buf, "id == 16") != 0) {
		snprintf(why, len, "%s/events/raw_syscalls/sys_enter/filter was changed to '%.100s'",
			 tp->dir, buf);
		return false;
	}
	return true;
}

int obs_tp_open(pid_t pid, unsigned ring_pages, struct obs_tp **out, char *why, size_t len)
{
	struct obs_tp *tp = calloc(1, sizeof(*tp));
	char root[512];
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int ret;

	if (!tp)
		return -ENOMEM;
	if (!ring_pages || (ring_pages & (ring_pages - 1)))
		ring_pages = DEFAULT_PAGES;
	for (int i = 0; i < MAX_CPUS; i++)
		tp->pipe[i] = -1;
	ret = tracefs_dir(root, sizeof(root), why, len);
	if (ret == 0)
		ret = read_formats(root, tp->fmt, why, len);
	if (ret < 0)
		goto fail;
	sweep(root);
	snprintf(tp->dir, sizeof(tp->dir), "%s/instances/kvmlab-exec-%d-%d", root, (int)getpid(),
		 (int)pid);
	if (mkdir(tp->dir, 0700) < 0) {
		ret = -errno;
		snprintf(why, len, "%s: %s (tracefs instances need root)", tp->dir, strerror(errno));
		tp->dir[0] = '\0';
		goto fail;
	}
	ret = setup(tp, pid, ring_pages, why, len);
	tp->ncpu = ncpu < 1 ? 1 : ncpu > MAX_CPUS ? MAX_CPUS : (int)ncpu;
	for (int cpu = 0; ret == 0 && cpu < tp->ncpu; cpu++) {
		char path[768];

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", tp->dir, cpu);
		tp->pipe[cpu] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (tp->pipe[cpu] < 0 && errno != ENOENT) {
			ret = -errno;
			snprintf(why, len, "%s: %s", path, strerror(errno));
		}
	}
	if (ret < 0)
		goto fail;
	*out = tp;
	return 0;
fail:
	obs_tp_free(tp);
	return ret;
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

/* One data record: raw is the event (common_type, flags, preempt count, common_pid, ...). */
static int record(struct obs_tp *tp, int cpu, uint64_t time, const uint8_t *raw, uint32_t rawlen)
{
	struct obs_tp_event e = { .cpu = cpu, .time = time };
	int32_t pid;

	if (rawlen < 8 || !parse_raw(tp, raw, rawlen, &e))
		return 0;
	memcpy(&pid, raw + 4, sizeof(pid));
	e.tid = (pid_t)pid;
	tp->last[cpu] = time;
	return push(tp, &e);
}

/* The records of one page read from trace_pipe_raw (n bytes). */
static int read_page(struct obs_tp *tp, int cpu, const uint8_t *page, size_t n)
{
	uint64_t ts;
	int64_t commit;
	size_t at = PAGE_HEADER, end;
	int ret = 0;

	if (n < PAGE_HEADER)
		return 0;
	memcpy(&ts, page, sizeof(ts));
	memcpy(&commit, page + 8, sizeof(commit));
	end = PAGE_HEADER + (size_t)(commit & COMMIT_MASK);
	if (end > n)
		end = n;
	while (ret == 0 && at + 4 <= end) {
		uint32_t h, a = 0, type, delta;

		memcpy(&h, page + at, 4);
		type = h & 31;
		delta = h >> 5;
		if (at + 8 <= end)
			memcpy(&a, page + at + 4, 4);
		switch (type) {
		case RB_PADDING:
			if (!delta)
				return 0;   /* the rest of the page is empty */
			at += 4 + (size_t)a;
			break;
		case RB_TIME_EXTEND:
			ts += delta + ((uint64_t)a << 27);
			at += 8;
			break;
		case RB_TIME_STAMP:
			ts = (ts & ~((1ull << 59) - 1)) | ((uint64_t)a << 27) | delta;
			at += 8;
			break;
		case 0:   /* the length in array[0], which it counts */
			ts += delta;
			if (a < 4 || at + 4 + a > end)
				return 0;
			ret = record(tp, cpu, ts, page + at + 8, a - 4);
			at += 4 + (size_t)a;
			break;
		default:
			ts += delta;
			if (at + 4 + type * 4 > end)
				return 0;
			ret = record(tp, cpu, ts, page + at + 4, type * 4);
			at += 4 + (size_t)type * 4;
			break;
		}
	}
	return ret;
}

/* Records the kernel dropped on cpu since the last look (per_cpu/cpuN/stats), as one LOST
 * record after the last one read there. */
static int count_dropped(struct obs_tp *tp, int cpu)
{
	char path[768], buf[1024];
	unsigned long long dropped = 0, overrun = 0;
	struct obs_tp_event e = { .kind = OBS_TP_LOST, .cpu = cpu, .time = tp->last[cpu] };
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", tp->dir, cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		sscanf(l, "dropped events: %llu", &dropped);
		sscanf(l, "overrun: %llu", &overrun);
	}
	dropped += overrun;
	if (dropped <= tp->dropped[cpu])
		return 0;
	e.lost.lost = dropped - tp->dropped[cpu];
	tp->dropped[cpu] = dropped;
	tp->lost += e.lost.lost;
	return push(tp, &e);
}

static int read_cpu(struct obs_tp *tp, int cpu)
{
	uint8_t page[PAGE];
	ssize_t n;
	int ret = 0;

	if (tp->pipe[cpu] < 0)
		return 0;
	while (ret == 0 && (n = read(tp->pipe[cpu], page, sizeof(page))) > 0)
		ret = read_page(tp, cpu, page, (size_t)n);
	return ret < 0 ? ret : count_dropped(tp, cpu);
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

	for (int cpu = 0; ret == 0 && cpu < tp->ncpu; cpu++)
		ret = read_cpu(tp, cpu);
	/* each ring is in time order; equal times keep the order they were read in */
	if (tp->nev > old && !sorted(tp->ev, tp->nev))
		qsort(tp->ev, tp->nev, sizeof(*tp->ev), by_time);
	while (n < tp->nev && tp->ev[n].time <= cutoff)
		fn(ctx, &tp->ev[n++]);
	if (n && n < tp->nev)
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
	return tp->ring;
}

void obs_tp_free(struct obs_tp *tp)
{
	if (!tp)
		return;
	for (int i = 0; i < MAX_CPUS; i++)
		if (tp->pipe[i] >= 0)
			close(tp->pipe[i]);
	if (tp->dir[0]) {
		put(tp->dir, "tracing_on", "0");
		/* all events off in one write first: rmdir alone turns them off one by one, and
		 * took 25-30 ms longer here (a grace period more) */
		put(tp->dir, "events/enable", "0");
		rmdir(tp->dir);
	}
	free(tp->ev);
	free(tp);
}
