/* progobs.c - kvmlab exec's JSON Lines into a struct lab_obs (see progobs.h). */
#include "progobs.h"

#include <errno.h>
#include <json-c/json.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exits.h"

#define LINE_MAX_BYTES (1u << 20)

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t jint(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return dflt;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	if (json_object_is_type(v, json_type_string))
		return (int64_t)strtoull(json_object_get_string(v), NULL, 0);
	return dflt;
}

/* "vm2.vcpu0" -> vm 2, vcpu 0; 0 if not that shape. */
static int parse_obj(const char *s, uint32_t *vm, uint32_t *vcpu)
{
	unsigned a, b;

	if (!s || sscanf(s, "vm%u.vcpu%u", &a, &b) != 2 || a == 0)
		return -EINVAL;
	*vm = a;
	*vcpu = b;
	return 0;
}

static int exit_kind(const char *name, const char *dir)
{
	static const struct { const char *name; int kind; } names[] = {
		{ "KVM_EXIT_HLT", VMM_EXIT_HLT }, { "KVM_EXIT_DEBUG", VMM_EXIT_DEBUG },
		{ "KVM_EXIT_SHUTDOWN", VMM_EXIT_SHUTDOWN },
		{ "KVM_EXIT_FAIL_ENTRY", VMM_EXIT_FAIL_ENTRY },
		{ "KVM_EXIT_INTERNAL_ERROR", VMM_EXIT_INTERNAL_ERROR },
		{ "KVM_EXIT_INTR", VMM_EXIT_INTR },
	};

	if (strcmp(name, "KVM_EXIT_IO") == 0)
		return dir && strcmp(dir, "in") == 0 ? VMM_EXIT_IO_IN : VMM_EXIT_IO_OUT;
	if (strcmp(name, "KVM_EXIT_MMIO") == 0)
		return dir && strcmp(dir, "write") == 0 ? VMM_EXIT_MMIO_WRITE : VMM_EXIT_MMIO_READ;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].kind;
	return VMM_EXIT_OTHER;
}

/* "0a00" (hex bytes) -> little-endian value of the first 8. */
static uint64_t hex_le(const char *s)
{
	uint64_t v = 0;
	unsigned i = 0, b;

	while (s && s[0] && s[1] && i < 8 && sscanf(s, "%2x", &b) == 1) {
		v |= (uint64_t)b << (8 * i++);
		s += 2;
		while (*s == ' ')
			s++;
	}
	return v;
}

static int add_exit(struct lab_obs *o, const struct lab_obs_exit *x)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 1024;
		struct lab_obs_exit *p = realloc(o->exits, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		o->exits = p;
		o->cap = cap;
	}
	o->exits[o->n++] = *x;
	if (x->vm > o->nvms)
		o->nvms = x->vm;
	if (x->vm <= LAB_OBS_MAX_VMS) {
		o->vm_ns[x->vm - 1] += x->ns;
		o->vm_runs[x->vm - 1]++;
	}
	return 0;
}

static int one_line(struct json_object *j, struct lab_obs *o, struct lab_obs_summary *sum)
{
	const char *ioctl = jstr(j, "ioctl"), *obj = jstr(j, "obj"), *proc = jstr(j, "process");
	struct lab_obs_exit x = { .dir = -1 };
	const char *ex;

	if (jstr(j, "observer")) {   /* records dropped, or the recording tampered with */
		sum->lost += (uint64_t)jint(j, "lost", 0) + (jstr(j, "tampered") ? 1 : 0);
		return 0;
	}
	if (proc && strcmp(proc, "exit") == 0) {
		sum->exit_status = (int)jint(j, "status", -1);
		sum->exit_signal = (int)jint(j, "signal", 0);
		return 0;
	}
	if (!ioctl) {
		if (jint(j, "step", -1) >= 0)   /* a run with walk_steps: a step of its guest */
			o->kvm_opened = true;
		return 0;
	}
	sum->kvm_calls++;
	o->kvm_opened = true;
	if (strcmp(ioctl, "KVM_SET_USER_MEMORY_REGION") == 0 && obj && strcmp(obj, "vm1") == 0) {
		struct json_object *arg;

		if (json_object_object_get_ex(j, "arg", &arg) && !sum->hva_base &&
		    jint(arg, "guest_phys_addr", -1) == 0)
			sum->hva_base = (uint64_t)jint(arg, "userspace_addr", 0);
		return 0;
	}
	if (strcmp(ioctl, "KVM_RUN") != 0 || !(ex = jstr(j, "exit")))
		return 0;
	if (parse_obj(obj, &x.vm, &x.vcpu) < 0)
		return 0;
	x.tid = (uint32_t)jint(j, "tid", 0);
	x.type = exit_kind(ex, jstr(j, "dir"));
	if (x.type == VMM_EXIT_IO_IN || x.type == VMM_EXIT_IO_OUT) {
		x.dir = x.type == VMM_EXIT_IO_IN ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
		x.port = (uint16_t)jint(j, "port", 0);
		x.size = (uint8_t)jint(j, "size", 0);
		x.count = (uint32_t)jint(j, "count", 0);
		x.data = hex_le(jstr(j, "data"));
	}
	x.ns = (uint64_t)jint(j, "ns", 0);
	if (x.vm == 1)
		sum->last_exit = x.type;
	return add_exit(o, &x);
}

int lab_obs_read(const char *path, struct lab_obs *o, struct lab_obs_summary *sum)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	memset(sum, 0, sizeof(*sum));
	sum->last_exit = -1;
	sum->exit_status = -1;
	if (!f)
		return -errno;
	while (ret == 0 && (n = getline(&line, &cap, f)) > 0) {
		struct json_object *j;

		if ((size_t)n > LINE_MAX_BYTES)
			continue;
		j = json_tokener_parse(line);
		if (!j || !json_object_is_type(j, json_type_object)) {
			json_object_put(j);
			ret = -EBADMSG;
			break;
		}
		ret = one_line(j, o, sum);
		json_object_put(j);
	}
	free(line);
	fclose(f);
	if (ret < 0)
		lab_obs_free(o);
	return ret;
}

void lab_obs_free(struct lab_obs *o)
{
	free(o->exits);
	memset(o, 0, sizeof(*o));
}
