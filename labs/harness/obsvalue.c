/* obsvalue.c - observed values of a program lab's run, from kvmlab exec's log (obsvalue.h). */
#include "obsvalue.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioctl.h"
#include "labbuf.h"

#define LINE_MAX_BYTES (1u << 20)
#define MAX_COUNT 64

enum obs_id {
	OBS_MEMORY_SIZE, OBS_GUEST_PHYS_ADDR, OBS_VCPU_MMAP_SIZE, OBS_CR0, OBS_CR3, OBS_CR4,
	OBS_EFER, OBS_RIP, OBS_RSP, OBS_FIRST_IOCTLS, OBS_IOCTLS_TO_RUN, OBS_IOCTL_COUNT, OBS_IO_PORT,
	OBS_DATA_OFFSET, OBS_IO_BYTE, OBS_IO_EXITS, OBS_AFTER_HLT, OBS_RAX_AT_HLT,
	OBS_WALK_ENTRY, OBS_WALK_TABLE, OBS_WALK_PHYS,
};

/* In the order of enum obs_id. */
const struct lab_live_name lab_obs_names[] = {
	{ "memory_size", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "memory_size of the program's KVM_SET_USER_MEMORY_REGION (VM 1)" },
	{ "guest_phys_addr", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "guest_phys_addr of the program's KVM_SET_USER_MEMORY_REGION (VM 1)" },
	{ "vcpu_mmap_size", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "what KVM_GET_VCPU_MMAP_SIZE returned to the program" },
	{ "cr0", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE, "cr0 of the program's KVM_SET_SREGS" },
	{ "cr3", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE, "cr3 of the program's KVM_SET_SREGS" },
	{ "cr4", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE, "cr4 of the program's KVM_SET_SREGS" },
	{ "efer", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE, "efer of the program's KVM_SET_SREGS" },
	{ "rip", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "rip of the program's KVM_SET_REGS (where its guest starts)" },
	{ "rsp", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE, "rsp of the program's KVM_SET_REGS" },
	{ "first_ioctls", LAB_LIVE_LIST, LAB_LIVE_ARG_COUNT,
	  "the first %s KVM ioctls the program made, in order" },
	{ "ioctls_to_run", LAB_LIVE_LIST, LAB_LIVE_ARG_NONE,
	  "the KVM ioctls the program made up to its first KVM_RUN (that one included)" },
	{ "ioctl_count", LAB_LIVE_NUMBER, LAB_LIVE_ARG_IOCTL,
	  "how many times the program called %s" },
	{ "io_port", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "the port of the first KVM_EXIT_IO the program got" },
	{ "data_offset", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "io.data_offset of the first KVM_EXIT_IO the program got" },
	{ "io_byte", LAB_LIVE_BYTE, LAB_LIVE_ARG_COUNT,
	  "the byte at io.data_offset of KVM_EXIT_IO number %s" },
	{ "io_exits", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "how many KVM_EXIT_IO exits the program got" },
	{ "after_hlt", LAB_LIVE_LIST, LAB_LIVE_ARG_NONE,
	  "the ioctl the program made right after the KVM_RUN that returned KVM_EXIT_HLT" },
	{ "rax_at_hlt", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "rax as KVM_GET_REGS gave it to the program after KVM_EXIT_HLT" },
	{ "walk_entry", LAB_LIVE_ENTRY, LAB_LIVE_ARG_LEVEL,
	  "the %s entry of the walk of the guest's first instruction, read from its memory" },
	{ "walk_table", LAB_LIVE_NUMBER, LAB_LIVE_ARG_LEVEL,
	  "the guest physical address of the %s table in the walk of the first instruction" },
	{ "walk_phys", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "the guest physical address the walk of the first instruction ends at" },
	{ NULL, 0, 0, NULL },
};

static bool level_ok(const char *s)
{
	static const char *const levels[] = { "PML5", "PML4", "PDPT", "PD", "PT" };

	for (size_t i = 0; s && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(s, levels[i]) == 0)
			return true;
	return false;
}

const char *lab_obs_arg_problem(int idx, const char *arg)
{
	char *end = NULL;
	unsigned long k;

	switch (lab_obs_names[idx].arg) {
	case LAB_LIVE_ARG_NONE:
		return arg ? "takes no argument" : NULL;
	case LAB_LIVE_ARG_IOCTL:
		return arg && vmm_ioctl_request(arg) ? NULL :
			"needs the name of a KVM ioctl kvmlab knows, as in observed:ioctl_count:KVM_RUN";
	case LAB_LIVE_ARG_COUNT:
		k = arg ? strtoul(arg, &end, 10) : 0;
		return arg && *arg && !*end && k >= 1 && k <= MAX_COUNT ? NULL :
			"needs a count from 1 to 64, as in observed:first_ioctls:9";
	case LAB_LIVE_ARG_LEVEL:
		return level_ok(arg) ? NULL : "needs a page-table level: PML5, PML4, PDPT, PD or PT";
	case LAB_LIVE_ARG_GUEST:
		break;
	}
	return "takes no such argument";
}

/* ---- reading the log ------------------------------------------------------ */

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *text(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A number logged as an integer or as "0x..." text. */
static bool num(struct json_object *o, const char *key, uint64_t *out)
{
	struct json_object *v = get(o, key);
	const char *s;
	char *end;

	if (v && json_object_is_type(v, json_type_int)) {
		*out = (uint64_t)json_object_get_int64(v);
		return true;
	}
	if (!v || !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	errno = 0;
	*out = strtoull(s, &end, 0);
	return end != s && !*end && !errno;
}

/* What one pass over the log gathers for the value asked. */
struct scan {
	enum obs_id id;
	const char *arg;
	unsigned long k;              /* ARG as a count */
	bool found, done, run_seen, hlt_seen;
	uint64_t value;
	size_t nio;
	struct labbuf names;
	unsigned nnames;
};

static bool is_vm1(const char *obj)
{
	return obj && (strcmp(obj, "vm1") == 0 || strncmp(obj, "vm1.", 4) == 0);
}

/* A step of a traced run: the first walk decides (a level it lacks is not in the tables). */
static void step_line(struct json_object *j, struct scan *s)
{
	struct json_object *walk = get(j, "walk"), *levels = get(walk, "levels");

	if (!walk || (s->id != OBS_WALK_ENTRY && s->id != OBS_WALK_TABLE && s->id != OBS_WALK_PHYS))
		return;
	s->done = true;
	if (s->id == OBS_WALK_PHYS) {
		s->found = num(walk, "phys", &s->value);
		return;
	}
	for (size_t i = 0; levels && i < json_object_array_length(levels); i++) {
		struct json_object *l = json_object_array_get_idx(levels, i);
		const char *name = text(l, "name");

		if (name && strcasecmp(name, s->arg) == 0) {
			s->found = num(l, s->id == OBS_WALK_ENTRY ? "entry" : "table", &s->value);
			return;
		}
	}
}

/* A KVM_RUN's exit. */
static void run_line(struct json_object *j, struct scan *s)
{
	const char *ex = text(j, "exit");

	s->run_seen = true;
	if (!ex)
		return;
	if (strcmp(ex, "KVM_EXIT_HLT") == 0)
		s->hlt_seen = true;
	if (strcmp(ex, "KVM_EXIT_IO") != 0)
		return;
	s->nio++;
	if (s->id == OBS_IO_EXITS) {
		s->value = s->nio;
		s->found = true;
	} else if (s->nio == 1 && (s->id == OBS_IO_PORT || s->id == OBS_DATA_OFFSET)) {
		s->found = num(j, s->id == OBS_IO_PORT ? "port" : "data_offset", &s->value);
	} else if (s->id == OBS_IO_BYTE && s->nio == s->k) {
		const char *data = text(j, "data");
		unsigned b;

		if (data && sscanf(data, "%2x", &b) == 1) {
			s->value = b;
			s->found = true;
		}
	}
}

static void ioctl_line(struct json_object *j, const char *ioctl, struct scan *s)
{
	struct json_object *arg = get(j, "arg");
	const char *obj = text(j, "obj");
	bool after_hlt = s->hlt_seen;

	if (s->id == OBS_FIRST_IOCTLS && s->nnames < s->k) {
		labbuf_printf(&s->names, "%s%s", s->nnames ? ", " : "", ioctl);
		s->found = ++s->nnames == s->k;
	}
	if (s->id == OBS_IOCTLS_TO_RUN) {
		labbuf_printf(&s->names, "%s%s", s->names.s ? ", " : "", ioctl);
		s->done = s->found = strcmp(ioctl, "KVM_RUN") == 0;
	}
	if (s->id == OBS_IOCTL_COUNT && strcmp(ioctl, s->arg) == 0) {
		s->value++;
		s->found = true;
	}
	if (strcmp(ioctl, "KVM_GET_VCPU_MMAP_SIZE") == 0 && s->id == OBS_VCPU_MMAP_SIZE &&
	    !s->found)
		s->found = num(j, "ret", &s->value);
	if (!is_vm1(obj))
		return;
	if (strcmp(ioctl, "KVM_RUN") == 0) {
		run_line(j, s);
		if (!after_hlt)
			return;
	}
	if (after_hlt && s->hlt_seen) {
		/* the first ioctl after the KVM_RUN that returned the HLT exit */
		if (s->id == OBS_AFTER_HLT && !s->found) {
			labbuf_puts(&s->names, ioctl);
			s->found = true;
		}
		if (s->id == OBS_RAX_AT_HLT && !s->found && strcmp(ioctl, "KVM_GET_REGS") == 0)
			s->found = num(get(j, "out"), "rax", &s->value);
		s->hlt_seen = s->id == OBS_RAX_AT_HLT;   /* the next GET_REGS counts too */
		return;
	}
	if (s->run_seen)
		return;   /* the set-up is what the program did before its guest first ran */
	if (strcmp(ioctl, "KVM_SET_USER_MEMORY_REGION") == 0 && !s->found && arg &&
	    (s->id == OBS_MEMORY_SIZE || s->id == OBS_GUEST_PHYS_ADDR))
		s->found = num(arg, s->id == OBS_MEMORY_SIZE ? "memory_size" : "guest_phys_addr",
			       &s->value);
	else if (strcmp(ioctl, "KVM_SET_SREGS") == 0 && arg && s->id >= OBS_CR0 && s->id <= OBS_EFER)
		s->found = num(arg, (const char *[]){ "cr0", "cr3", "cr4", "efer" }[s->id - OBS_CR0],
			       &s->value);
	else if (strcmp(ioctl, "KVM_SET_REGS") == 0 && arg && (s->id == OBS_RIP || s->id == OBS_RSP))
		s->found = num(arg, s->id == OBS_RIP ? "rip" : "rsp", &s->value);
}

static int scan_file(const char *path, struct scan *s, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		snprintf(err, errlen, "the run's log cannot be read: %s", strerror(errno));
		return -errno;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		struct json_object *j;
		const char *ioctl;

		if ((size_t)n > LINE_MAX_BYTES || !(j = json_tokener_parse(line)))
			continue;
		if (get(j, "step"))
			step_line(j, s);
		else if ((ioctl = text(j, "ioctl")))
			ioctl_line(j, ioctl, s);
		json_object_put(j);
		if (s->done || (s->found && s->id == OBS_FIRST_IOCTLS))
			break;
	}
	free(line);
	fclose(f);
	return 0;
}

int lab_obs_value(const char *path, int idx, const char *arg, char *out, size_t len, char *err,
		  size_t errlen)
{
	struct scan s = { .id = (enum obs_id)idx, .arg = arg,
			  .k = arg ? strtoul(arg, NULL, 10) : 0 };
	int ret;

	if (!path) {
		snprintf(err, errlen, "the program was not observed (it did not build or run)");
		return -ENOENT;
	}
	ret = scan_file(path, &s, err, errlen);
	if (ret == 0 && !s.found) {
		const struct lab_live_name *ln = &lab_obs_names[idx];
		char what[200];

		snprintf(what, sizeof(what), ln->what, arg ? arg : "");
		snprintf(err, errlen, "the run did not show %s", what);
		ret = -ENOENT;
	}
	if (ret == 0 && s.names.s)
		snprintf(out, len, "%s", s.names.s);
	else if (ret == 0)
		snprintf(out, len, "%llu", (unsigned long long)s.value);
	labbuf_release(&s.names);
	return ret;
}
