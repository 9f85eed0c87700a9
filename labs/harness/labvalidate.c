/* labvalidate.c - what the schema cannot say: sizes, ports, ids, dependencies, check kinds. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "labdiag.h"
#include "labfile.h"
#include "labschema.h"
#include "vm.h"

#define DEFAULT_MEM (2ull << 20)
#define MAX_MEM (4ull << 30)
#define DEFAULT_MAX_EXITS 1000000ull
#define DEFAULT_TIMEOUT_MS 10000u
#define MAX_TIMEOUT_MS 600000u

/* "2M", "512K", "1G", "2MiB", "0x200000", "2097152" -> bytes; -EINVAL if malformed. */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	int base = 10, digits = 0;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; isxdigit((unsigned char)*p) && (base == 16 || isdigit((unsigned char)*p)); p++) {
		unsigned d = isdigit((unsigned char)*p) ? (unsigned)(*p - '0') :
			     (unsigned)(tolower((unsigned char)*p) - 'a' + 10);

		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -EINVAL;
		v = v * (uint64_t)base + d;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	switch (toupper((unsigned char)*p)) {
	case 'K': mul = 1ull << 10; p++; break;
	case 'M': mul = 1ull << 20; p++; break;
	case 'G': mul = 1ull << 30; p++; break;
	default: break;
	}
	if (mul > 1 && (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0))
		p += strlen(p);
	if (*p || v > UINT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

/* Ids name checks on command lines and in reports: keep them to a safe alphabet. */
static bool id_ok(const char *id)
{
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return *id != '\0';
}

static int check_top(struct lab *lab, struct lab_diag *d)
{
	if (!id_ok(lab->id))
		return lab_diag_at(d, "id", false, "lab id '%s' may use only letters, digits, "
				   "'-', '_' and '.'", lab->id);
	lab->mem_size = DEFAULT_MEM;
	if (lab->mem && (parse_size(lab->mem, &lab->mem_size) < 0 || lab->mem_size == 0))
		return lab_diag_at(d, "mem", false, "bad memory size '%s' (write e.g. 2M, 512K, 1G)",
				   lab->mem);
	if (lab->mem_size % 4096 || lab->mem_size < VMM_MEM_MIN || lab->mem_size > MAX_MEM)
		return lab_diag_at(d, "mem", false,
				   "memory size must be a multiple of 4K from 64K to 4G (as kvmlab "
				   "run --mem takes it)");
	lab->max_exits = DEFAULT_MAX_EXITS;
	lab->timeout_ms = DEFAULT_TIMEOUT_MS;
	if (lab->limits && lab->limits->exits)
		lab->max_exits = *lab->limits->exits;
	if (lab->limits && lab->limits->instructions)
		lab->max_instructions = *lab->limits->instructions;
	if (lab->limits && lab->limits->timeout_ms) {
		if (*lab->limits->timeout_ms > MAX_TIMEOUT_MS)
			return lab_diag_at(d, "limits.timeout_ms", false,
					   "timeout_ms must be at most %u", MAX_TIMEOUT_MS);
		lab->timeout_ms = (unsigned)*lab->limits->timeout_ms;
	}
	return 0;
}

static int check_ports(struct lab *lab, struct lab_diag *d)
{
	const struct lab_hypercall_ports *hp = lab->hypercalls;
	char path[64];

	memset(&lab->ports, 0, sizeof(lab->ports));
	if (!hp)
		return 0;
	for (int i = 0; i < VMM_PORTMAP__COUNT; i++) {
		const char *name = vmm_portmap_name(i);

		if (!hp->port[i])
			continue;
		snprintf(path, sizeof(path), "hypercalls.%s", name);
		if (vmm_portmap_set(&lab->ports, i, *hp->port[i]) < 0)
			return lab_diag_at(d, path, false, "port 0x%llx of %s is not a port from 1 to "
					   "0xffff other than the console's 0xe9",
					   (unsigned long long)*hp->port[i], name);
	}
	for (int i = 0; i < VMM_PORTMAP__COUNT; i++) {
		int other = vmm_portmap_clash(&lab->ports, i);

		if (!hp->port[i] || other < 0 || (hp->port[other] && other > i))
			continue;  /* two set in the file: said at the later one */
		snprintf(path, sizeof(path), "hypercalls.%s", vmm_portmap_name(i));
		return lab_diag_at(d, path, false, "%s uses port 0x%x, as %s does%s",
				   vmm_portmap_name(i), vmm_portmap_port(&lab->ports, i),
				   vmm_portmap_name(other), hp->port[other] ? "" : " by default");
	}
	return 0;
}

int lab_substitutes_check(struct lab_diag *d, const char *base, const struct lab_substitute *s,
			  unsigned n)
{
	char path[128];

	for (unsigned j = 0; j < n; j++)
		if (!lab_path_inside(s[j].file) || !*s[j].from) {
			snprintf(path, sizeof(path), "%s.%u", base, j);
			return lab_diag_at(d, path, false, "a substitution names a file of the "
					   "submission (relative) and a non-empty 'from'");
		}
	return 0;
}

/* A C identifier (a #define's name, a hypercall's name in an ABI file). */
static bool ident_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* A lab whose submission is a hypervisor program: what it builds and how it runs. */
static int check_program(struct lab *lab, struct lab_diag *d)
{
	struct lab_program *pg = lab->program;
	char path[96];

	if (!pg) {
		if (!lab_locs_get(d->locs, "mode"))
			return lab_diag_at(d, "mode", false, "missing key 'mode' (or give 'program' "
					   "for a lab whose submission is a hypervisor program)");
		if (!lab_locs_get(d->locs, "guest"))
			return lab_diag_at(d, "guest", false, "missing key 'guest' (or give 'program' "
					   "for a lab whose submission is a hypervisor program)");
		return 0;
	}
	if (lab_locs_get(d->locs, "guest") || lab_locs_get(d->locs, "mode") ||
	    lab->hypercalls || lab->handlers)
		return lab_diag_at(d, "program", true, "a program lab runs the student's own "
				   "hypervisor: mode, guest, hypercalls and handlers do not apply");
	if (!lab_path_inside(pg->binary))
		return lab_diag_at(d, "program.binary", false, "'%s' must be a relative path inside "
				   "the submission", pg->binary);
	for (unsigned i = 0; i < pg->sources_count; i++)
		if (!lab_path_inside(pg->sources[i])) {
			snprintf(path, sizeof(path), "program.sources.%u", i);
			return lab_diag_at(d, path, false, "'%s' must be a relative path inside the "
					   "submission", pg->sources[i]);
		}
	if (pg->abi) {
		if (!lab_path_inside(pg->abi->file))
			return lab_diag_at(d, "program.abi.file", false, "'%s' must be a relative "
					   "path inside the submission", pg->abi->file);
		for (unsigned i = 0; i < pg->abi->names_count; i++)
			if (!ident_ok(pg->abi->names[i])) {
				snprintf(path, sizeof(path), "program.abi.names.%u", i);
				return lab_diag_at(d, path, false, "'%s' is not a name",
						   pg->abi->names[i]);
			}
	}
	for (unsigned i = 0; i < pg->runs_count; i++) {
		struct lab_program_run *r = &pg->runs[i];

		snprintf(path, sizeof(path), "program.runs.%u.id", i);
		if (!id_ok(r->id))
			return lab_diag_at(d, path, false, "a run id may use only letters, digits, "
					   "'-', '_' and '.'");
		if (r->binary && !lab_path_inside(r->binary)) {
			snprintf(path, sizeof(path), "program.runs.%u.binary", i);
			return lab_diag_at(d, path, false, "'%s' must be a relative path inside the "
					   "submission", r->binary);
		}
		for (unsigned j = 0; j < i; j++)
			if (strcmp(pg->runs[j].id, r->id) == 0)
				return lab_diag_at(d, path, false, "run id '%s' given twice", r->id);
		if (r->timeout_ms && (*r->timeout_ms == 0 || *r->timeout_ms > MAX_TIMEOUT_MS)) {
			snprintf(path, sizeof(path), "program.runs.%u.timeout_ms", i);
			return lab_diag_at(d, path, false, "timeout_ms must be 1 to %u", MAX_TIMEOUT_MS);
		}
		if (r->time_scale && (*r->time_scale == 0 || *r->time_scale > 1000)) {
			snprintf(path, sizeof(path), "program.runs.%u.time_scale", i);
			return lab_diag_at(d, path, false, "time_scale must be 1 to 1000");
		}
		if (r->walk_steps && (*r->walk_steps == 0 || *r->walk_steps > 1000)) {
			snprintf(path, sizeof(path), "program.runs.%u.walk_steps", i);
			return lab_diag_at(d, path, false, "walk_steps must be 1 to 1000");
		}
		if (r->flow && (!ident_ok(r->flow) || r->walk_steps)) {
			snprintf(path, sizeof(path), "program.runs.%u.flow", i);
			return lab_diag_at(d, path, false, "flow is a file name without extension "
					   "(letters, digits, '_'), in a run without walk_steps");
		}
		if (r->defines_count && (!r->defines_file || !lab_path_inside(r->defines_file))) {
			snprintf(path, sizeof(path), "program.runs.%u.defines_file", i);
			return lab_diag_at(d, path, false, "defines need defines_file: the source "
					   "(relative, in the submission) they are set in");
		}
		for (unsigned j = 0; j < r->defines_count; j++)
			if (!ident_ok(r->defines[j].name) || strpbrk(r->defines[j].value, "\n\\")) {
				snprintf(path, sizeof(path), "program.runs.%u.defines.%u", i, j);
				return lab_diag_at(d, path, false, "a define is a C name and a "
						   "one-line value");
			}
		snprintf(path, sizeof(path), "program.runs.%u.substitute", i);
		if (lab_substitutes_check(d, path, r->substitute, r->substitute_count) < 0)
			return -EINVAL;
		for (unsigned j = 0; j < r->files_count; j++) {
			char *f;
			int ok;

			snprintf(path, sizeof(path), "program.runs.%u.files.%u", i, j);
			if (!lab_path_inside(r->files[j]))
				return lab_diag_at(d, path, false, "'%s' must be a relative path in "
						   "the lab folder", r->files[j]);
			f = lab_path_join(lab->dir, r->files[j]);
			if (!f)
				return -ENOMEM;
			ok = access(f, R_OK) == 0;
			free(f);
			if (!ok)
				return lab_diag_at(d, path, false, "'%s' not found in the lab folder %s",
						   r->files[j], lab->dir);
		}
	}
	return 0;
}

/* Which kinds a lab of either sort can have. */
static bool kind_fits(const struct lab *lab, enum lab_check_kind k)
{
	switch (k) {
	case LAB_CHECK_OUTPUT:
	case LAB_CHECK_EXITS:
	case LAB_CHECK_STOP:
	case LAB_CHECK_ANSWERS:
	case LAB_CHECK_MEMORY:   /* a program lab: read from the program when its guest stops */
	case LAB_CHECK_SCRIPT:
		return true;
	case LAB_CHECK_VM_TURNS:
	case LAB_CHECK_TIME_SHARE:
	case LAB_CHECK_FILE:
		return lab->program != NULL;
	default:
		return lab->program == NULL;
	}
}

/* Files the lab itself provides, relative to the lab folder. */
static int check_guest(struct lab *lab, struct lab_diag *d)
{
	struct lab_guest *g = &lab->guest;
	char path[64];

	if (lab->program)
		return 0;

	if ((g->kind == LAB_GUEST_ELF || g->kind == LAB_GUEST_FLAT) && g->sources_count != 1)
		return lab_diag_at(d, "guest.sources", false,
				   "a guest of kind %s has exactly one source: the image",
				   lab_guest_kind_name(g->kind));
	if (g->sources_count + g->lab_sources_count == 0)
		return lab_diag_at(d, "guest", false, "the guest has no sources: give sources (files "
				   "of the submission), lab_sources (files of the lab) or both");
	for (unsigned i = 0; i < lab->grader_guest_count; i++) {
		char *p;
		bool found;

		snprintf(path, sizeof(path), "grader_guest.%u", i);
		if (!lab_path_inside(lab->grader_guest[i]))
			return lab_diag_at(d, path, false, "'%s' must be a relative path inside the "
					   "lab folder", lab->grader_guest[i]);
		p = lab_path_join(lab->dir, lab->grader_guest[i]);
		if (!p)
			return -ENOMEM;
		found = access(p, R_OK) == 0;
		free(p);
		if (!found)
			return lab_diag_at(d, path, false, "'%s' not found in the lab folder %s",
					   lab->grader_guest[i], lab->dir);
	}
	g->lab_source_paths = calloc(g->lab_sources_count + 1, sizeof(char *));
	if (!g->lab_source_paths)
		return -ENOMEM;
	for (unsigned i = 0; i <= g->lab_sources_count; i++) {
		const char *name = i < g->lab_sources_count ? g->lab_sources[i] : g->linker_script;
		char **out = i < g->lab_sources_count ? &g->lab_source_paths[i] :
			     &g->linker_script_path;

		if (!name)
			continue;
		if (i < g->lab_sources_count)
			snprintf(path, sizeof(path), "guest.lab_sources.%u", i);
		else
			snprintf(path, sizeof(path), "guest.linker_script");
		*out = lab_path_join(lab->dir, name);
		if (!*out)
			return -ENOMEM;
		if (access(*out, R_OK) != 0)
			return lab_diag_at(d, path, false, "'%s' not found in the lab folder %s",
					   name, lab->dir);
	}
	return 0;
}

static bool kind_present(const struct lab_check *c, enum lab_check_kind k)
{
#define PRESENT(kind, key, member, ops, shape, schema) case LAB_CHECK_##kind: return c->member;
	switch (k) {
	LAB_CHECK_KINDS(PRESENT)
	default: return false;
	}
#undef PRESENT
}

static int check_kind(struct lab_check *c, struct lab_diag *d)
{
	int found = -1;

	for (int k = 0; k < LAB_CHECK__COUNT; k++) {
		if (!kind_present(c, (enum lab_check_kind)k))
			continue;
		if (found >= 0)
			return lab_diag_check(d, lab_check_kind_name((enum lab_check_kind)k),
					      "has both '%s' and '%s'; a check tests one thing",
					      lab_check_kind_name((enum lab_check_kind)found),
					      lab_check_kind_name((enum lab_check_kind)k));
		found = k;
	}
	if (found < 0) {
		char keys[256];
		size_t n = 0;

		for (int k = 0; k < LAB_CHECK__COUNT && n < sizeof(keys); k++)
			n += (size_t)snprintf(keys + n, sizeof(keys) - n, "%s%s", k ? ", " : "",
					      lab_check_kind_name((enum lab_check_kind)k));
		return lab_diag_check(d, NULL, "says nothing to check: give one of %s", keys);
	}
	c->kind = (enum lab_check_kind)found;
	return 0;
}

static void set_base(struct lab_diag *d, const struct lab_check *c)
{
	snprintf(d->base, sizeof(d->base), "checks.%u", c->at);
	d->check_id = c->id;
}

/* Each check depends on at most one other, so a cycle is a chain that comes back. */
static int check_cycles(struct lab *lab, struct lab_diag *d)
{
	for (unsigned i = 0; i < lab->checks_count; i++) {
		char chain[512];
		size_t n = (size_t)snprintf(chain, sizeof(chain), "%s", lab->checks[i].id);
		int j = lab->checks[i].dep;

		for (unsigned steps = 0; j >= 0 && steps <= lab->checks_count; steps++) {
			if (n < sizeof(chain))
				n += (size_t)snprintf(chain + n, sizeof(chain) - n, " -> %s",
						      lab->checks[j].id);
			if ((unsigned)j == i) {
				set_base(d, &lab->checks[i]);
				return lab_diag_check(d, "depends_on", "dependency cycle: %s", chain);
			}
			j = lab->checks[j].dep;
		}
	}
	return 0;
}

/* A lab of one edition of the course keeps the checks of that edition (and those of every
 * edition); the others move past checks_count, where lab_free still finds them. */
static int pick_edition(struct lab *lab, struct lab_diag *d)
{
	unsigned kept = 0;

	lab->checks_loaded = lab->checks_count;
	if (lab->edition && (*lab->edition < 1 || *lab->edition > 9999))
		return lab_diag_at(d, "edition", false, "edition %u is not a year (write e.g. 2023 "
				   "or 2024)", *lab->edition);
	for (unsigned i = 0; i < lab->checks_count; i++)
		lab->checks[i].at = i;
	for (unsigned i = 0; i < lab->checks_count; i++) {
		struct lab_check c = lab->checks[i];

		if (c.edition && !lab->edition) {
			set_base(d, &c);
			return lab_diag_check(d, "edition", "the check is for edition %u, but the lab "
					      "names no edition (add e.g. 'edition: %u' at the top)",
					      *c.edition, *c.edition);
		}
		if (c.edition && *c.edition != *lab->edition)
			continue;
		memmove(&lab->checks[kept + 1], &lab->checks[kept], (i - kept) * sizeof(c));
		lab->checks[kept++] = c;
	}
	lab->checks_count = kept;
	if (!kept)
		return lab_diag_at(d, "edition", false, "no check is for edition %u",
				   *lab->edition);
	return 0;
}

static int check_checks(struct lab *lab, struct lab_diag *d)
{
	const struct lab_loc *trace_off = lab->trace ? NULL : lab_locs_get(d->locs, "trace");
	unsigned sum = 0;
	int ret = pick_edition(lab, d);

	if (ret < 0)
		return ret;

	for (unsigned i = 0; i < lab->checks_count; i++) {
		struct lab_check *c = &lab->checks[i];
		const struct lab_loc *l;
		char path[64];
		int first = lab_find_check(lab, c->id);

		set_base(d, c);
		c->dep = -1;
		snprintf(path, sizeof(path), "checks.%u", c->at);
		l = lab_locs_get(d->locs, path);
		c->line = l ? l->line : 0;
		c->column = l ? l->column : 0;
		if (!id_ok(c->id))
			return lab_diag_check(d, "id", "an id may use only letters, digits, '-', '_' "
					      "and '.'");
		if (first != (int)i)
			return lab_diag_check(d, "id", "duplicate check id (first used at line %u)",
					      lab->checks[first].line);
		if (!c->name && !(c->name = strdup(c->id)))
			return -ENOMEM;
		if (c->depends_on) {
			c->dep = lab_find_check(lab, c->depends_on);
			if (c->dep < 0)
				return lab_diag_check(d, "depends_on", "depends on unknown check '%s'",
						      c->depends_on);
		}
		ret = check_kind(c, d);
		if (ret < 0)
			return ret;
		if (!kind_fits(lab, c->kind))
			return lab_diag_check(d, lab_check_kind_name(c->kind), lab->program ?
					      "a program lab cannot check '%s' (it sees the program "
					      "from outside)" : "'%s' is for program labs only",
					      lab_check_kind_name(c->kind));
		c->run_index = 0;
		c->run = LAB_RUN_SUBMISSION;
		if (c->run_name && lab->program) {
			c->run_index = -1;
			for (unsigned j = 0; j < lab->program->runs_count; j++)
				if (strcmp(lab->program->runs[j].id, c->run_name) == 0)
					c->run_index = (int)j;
			if (c->run_index < 0)
				return lab_diag_check(d, "run", "no run '%s' in program.runs",
						      c->run_name);
		} else if (c->run_name && strcmp(c->run_name, "reference_handlers") == 0) {
			c->run = LAB_RUN_REFERENCE_HANDLERS;
		} else if (c->run_name && strcmp(c->run_name, "grader_guest") == 0) {
			c->run = LAB_RUN_GRADER_GUEST;
		} else if (c->run_name && strcmp(c->run_name, "submission") != 0) {
			return lab_diag_check(d, "run", "run is submission, reference_handlers or "
					      "grader_guest (in a program lab, the id of one of "
					      "program.runs), not '%s'", c->run_name);
		}
		if (lab_check_ops[c->kind]->prepare) {
			ret = lab_check_ops[c->kind]->prepare(c, lab, d);
			if (ret < 0)
				return ret;
		}
		if (c->run != LAB_RUN_SUBMISSION && !lab->handlers)
			return lab_diag_check(d, "run", "run: %s needs a lab with handlers",
					      c->run == LAB_RUN_GRADER_GUEST ? "grader_guest" :
					      "reference_handlers");
		if (c->run == LAB_RUN_GRADER_GUEST && !lab->grader_guest_count)
			return lab_diag_check(d, "run", "run: grader_guest needs the lab's "
					      "grader_guest files");
		lab->reference_run |= c->run == LAB_RUN_REFERENCE_HANDLERS;
		lab->grader_run |= c->run == LAB_RUN_GRADER_GUEST;
		if (lab_check_ops[c->kind]->needs_trace && trace_off)
			return lab_diag_check(d, lab_check_kind_name(c->kind), "'%s' needs a trace of "
					      "the run, but the lab says trace: false (line %u): remove "
					      "that line or this check", lab_check_kind_name(c->kind),
					      trace_off->line);
		if (lab_check_ops[c->kind]->needs_trace)
			lab->trace = true;
		if (lab_check_ops[c->kind]->needs_memlog && !lab->program)
			lab->memlog = true;
		if (c->timeout_ms && (*c->timeout_ms == 0 || *c->timeout_ms > 600000))
			return lab_diag_check(d, "timeout_ms", "timeout_ms is 1 to 600000 "
					      "(milliseconds), not %llu",
					      (unsigned long long)*c->timeout_ms);
		if (c->points > 100000)
			return lab_diag_check(d, "points", "%u points is too many", c->points);
		sum += c->points;
	}
	ret = check_cycles(lab, d);
	if (ret < 0)
		return ret;
	lab->total_points = sum;
	if (lab->points && *lab->points != sum)
		return lab_diag_at(d, "points", false,
				   "the lab is worth %u points but its checks add up to %u",
				   *lab->points, sum);
	return 0;
}

int lab_validate(struct lab *lab, struct lab_diag *d)
{
	int ret = check_top(lab, d);

	if (ret == 0)
		ret = check_ports(lab, d);
	if (ret == 0)
		ret = check_program(lab, d);
	if (ret == 0)
		ret = check_guest(lab, d);
	if (ret == 0)
		ret = check_checks(lab, d);
	if (ret == 0)
		ret = lab_examples_validate(lab, d);
	return ret;
}
