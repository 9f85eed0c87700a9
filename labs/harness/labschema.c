/* labschema.c - the libcyaml schema of lab.yaml (labs/README.md documents it). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cpumode.h"
#include "hypercall.h"
#include "labschema.h"
#include "run.h"

#define STR(f) CYAML_FIELD_STRING_PTR(#f, CYAML_FLAG_OPTIONAL, STRUCT, f, 0, CYAML_UNLIMITED)
#define STR_REQ(f) CYAML_FIELD_STRING_PTR(#f, CYAML_FLAG_DEFAULT, STRUCT, f, 1, CYAML_UNLIMITED)
#define U64(f) CYAML_FIELD_UINT_PTR(#f, CYAML_FLAG_OPTIONAL, STRUCT, f)
#define LIST(f, entry) CYAML_FIELD_SEQUENCE(#f, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, \
					    STRUCT, f, entry, 0, CYAML_UNLIMITED)
#define MAP(key, f, fields) CYAML_FIELD_MAPPING_PTR(key, CYAML_FLAG_OPTIONAL, STRUCT, f, fields)

static const cyaml_strval_t bools[] = {
	{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 }, { "on", 1 }, { "off", 0 },
};
static const cyaml_strval_t modes[] = {
	{ "real", VMM_MODE_REAL }, { "protected", VMM_MODE_PROTECTED },
	{ "paged32", VMM_MODE_PAGED32 }, { "pae", VMM_MODE_PAE }, { "long", VMM_MODE_LONG },
};
static const cyaml_strval_t cpu_modes[] = {
	{ "real", VMM_CPU_REAL }, { "protected", VMM_CPU_PROTECTED },
	{ "paged32", VMM_CPU_PAGED32 }, { "pae", VMM_CPU_PAE }, { "long", VMM_CPU_LONG },
	{ "compat", VMM_CPU_COMPAT },
};
static const cyaml_strval_t stops[] = {
	{ "halted", VMM_STOP_HLT }, { "shutdown", VMM_STOP_SHUTDOWN },
	{ "fail_entry", VMM_STOP_FAIL_ENTRY }, { "internal_error", VMM_STOP_INTERNAL_ERROR },
	{ "exit_limit", VMM_STOP_EXIT_LIMIT }, { "instruction_limit", VMM_STOP_STEP_LIMIT },
	{ "timeout", VMM_STOP_TIMEOUT }, { "device", VMM_STOP_DEVICE },
	{ "debug", VMM_STOP_DEBUG }, { "other", VMM_STOP_OTHER },
};
static const cyaml_strval_t guest_kinds[] = {
	{ "c16", LAB_GUEST_C16 }, { "c32", LAB_GUEST_C32 }, { "c64", LAB_GUEST_C64 },
	{ "asm", LAB_GUEST_ASM }, { "elf", LAB_GUEST_ELF }, { "flat", LAB_GUEST_FLAT },
};
static const cyaml_strval_t visibilities[] = {
	{ "visible", LAB_VISIBLE }, { "hidden", LAB_HIDDEN },
	{ "after_due_date", LAB_AFTER_DUE_DATE },
};
static const cyaml_strval_t page_flags[] = {
	{ "P", LAB_PF_P }, { "RW", LAB_PF_RW }, { "US", LAB_PF_US }, { "PWT", LAB_PF_PWT },
	{ "PCD", LAB_PF_PCD }, { "A", LAB_PF_A }, { "D", LAB_PF_D }, { "PS", LAB_PF_PS },
	{ "G", LAB_PF_G }, { "NX", LAB_PF_NX },
};
#define KIND_NAME(kind, key, member, ops, shape, schema) [LAB_CHECK_##kind] = key,
static const char *const kind_names[LAB_CHECK__COUNT] = { LAB_CHECK_KINDS(KIND_NAME) };
#undef KIND_NAME

static const cyaml_schema_value_t string_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, CYAML_UNLIMITED),
};
static const cyaml_schema_value_t cpu_mode_entry = {
	CYAML_VALUE_ENUM(CYAML_FLAG_STRICT, int, cpu_modes, CYAML_ARRAY_LEN(cpu_modes)),
};

#define STRUCT struct lab_output_spec
static const cyaml_schema_field_t output_fields[] = {
	STR(equals), STR(contains), STR(regex), LIST(names, &string_entry), STR(expect),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_exits_spec
static const cyaml_schema_field_t exits_fields[] = {
	STR(type), U64(port), STR(hypercall), STR(dir), U64(size), U64(vm), U64(min), U64(max),
	U64(equals), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_register_spec
static const cyaml_schema_field_t register_fields[] = {
	STR_REQ(name), U64(equals), U64(mask), U64(value), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_memory_spec
static const cyaml_schema_field_t memory_fields[] = {
	CYAML_FIELD_UINT("address", CYAML_FLAG_DEFAULT, STRUCT, address),
	U64(size), U64(equals), STR(bytes), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_mapping_spec
static const cyaml_schema_field_t mapping_fields[] = {
	CYAML_FIELD_UINT("va", CYAML_FLAG_DEFAULT, STRUCT, va),
	U64(pa), U64(page_size),
	CYAML_FIELD_ENUM("unmapped", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT, unmapped,
			 bools, CYAML_ARRAY_LEN(bools)),
	CYAML_FIELD_FLAGS("flags", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT, flags,
			  page_flags, CYAML_ARRAY_LEN(page_flags)),
	CYAML_FIELD_FLAGS("absent_flags", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT,
			  absent_flags, page_flags, CYAML_ARRAY_LEN(page_flags)),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_instructions_spec
static const cyaml_schema_field_t instructions_fields[] = {
	U64(min), U64(max), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_trace_spec
static const cyaml_schema_field_t trace_fields[] = {
	STR_REQ(reference), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_answers_spec
static const cyaml_schema_field_t answers_fields[] = {
	STR_REQ(file), STR_REQ(key), STR_REQ(expect),
	CYAML_FIELD_ENUM("reveal", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT, reveal,
			 bools, CYAML_ARRAY_LEN(bools)),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_vm_turns_spec
static const cyaml_schema_field_t vm_turns_fields[] = {
	CYAML_FIELD_ENUM("alternate", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT, alternate,
			 bools, CYAML_ARRAY_LEN(bools)),
	CYAML_FIELD_ENUM("one_thread", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT,
			 one_thread, bools, CYAML_ARRAY_LEN(bools)),
	U64(min_runs), U64(min_switches), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_time_share_spec
static const cyaml_schema_field_t time_share_fields[] = {
	CYAML_FIELD_UINT("vm", CYAML_FLAG_DEFAULT, STRUCT, vm),
	CYAML_FIELD_UINT("percent", CYAML_FLAG_DEFAULT, STRUCT, percent),
	CYAML_FIELD_UINT("tolerance", CYAML_FLAG_DEFAULT, STRUCT, tolerance),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_file_spec
static const cyaml_schema_field_t file_fields[] = {
	STR_REQ(path), STR(equals), STR(contains),
	CYAML_FIELD_ENUM("absent", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT, absent,
			 bools, CYAML_ARRAY_LEN(bools)),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_mem_range
static const cyaml_schema_field_t mem_range_fields[] = {
	STR_REQ(from), STR(to), U64(size), CYAML_FIELD_END
};
#undef STRUCT
static const cyaml_schema_value_t mem_range_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct lab_mem_range, mem_range_fields),
};
#define STRUCT struct lab_script_spec
static const cyaml_schema_field_t script_fields[] = {
	STR_REQ(program), LIST(memory, &mem_range_entry), CYAML_FIELD_END
};
#undef STRUCT
/* A check kind's spec, as LAB_CHECK_KINDS describes its shape. */
#define KIND_MAP(key, member, fields) MAP(key, member, fields),
#define KIND_ENUM(key, member, values) CYAML_FIELD_ENUM_PTR(key, CYAML_FLAG_OPTIONAL | \
	CYAML_FLAG_STRICT, STRUCT, member, values, CYAML_ARRAY_LEN(values)),
#define KIND_SEQ(key, member, entry) CYAML_FIELD_SEQUENCE(key, CYAML_FLAG_POINTER | \
	CYAML_FLAG_OPTIONAL, STRUCT, member, &entry, 1, CYAML_UNLIMITED),
#define KIND_FIELD(kind, key, member, ops, shape, schema) KIND_##shape(key, member, schema)
#define STRUCT struct lab_check
static const cyaml_schema_field_t check_fields[] = {
	STR_REQ(id), STR(name),
	CYAML_FIELD_UINT("points", CYAML_FLAG_DEFAULT, STRUCT, points),
	CYAML_FIELD_ENUM("visibility", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT,
			 visibility, visibilities, CYAML_ARRAY_LEN(visibilities)),
	STR(depends_on), STR(hint), U64(timeout_ms),
	CYAML_FIELD_UINT_PTR("edition", CYAML_FLAG_OPTIONAL, STRUCT, edition),
	LAB_CHECK_KINDS(KIND_FIELD)
	CYAML_FIELD_STRING_PTR("run", CYAML_FLAG_OPTIONAL, STRUCT, run_name, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_guest
static const cyaml_schema_field_t guest_fields[] = {
	CYAML_FIELD_ENUM("kind", CYAML_FLAG_STRICT, STRUCT, kind, guest_kinds,
			 CYAML_ARRAY_LEN(guest_kinds)),
	CYAML_FIELD_SEQUENCE("sources", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, STRUCT, sources,
			     &string_entry, 1, CYAML_UNLIMITED),
	LIST(lab_sources, &string_entry), STR(linker_script), LIST(cflags, &string_entry),
	CYAML_FIELD_UINT("load_address", CYAML_FLAG_OPTIONAL, STRUCT, load_address),
	CYAML_FIELD_END
};
#undef STRUCT
/* One optional port per call the VMM's port map knows, named as vmm_portmap_name() names them. */
static cyaml_schema_field_t hypercall_fields[VMM_PORTMAP__COUNT + 1];
static pthread_once_t hypercall_once = PTHREAD_ONCE_INIT;

static void init_hypercall_fields(void)
{
	for (int i = 0; i < VMM_PORTMAP__COUNT; i++)
		hypercall_fields[i] = (cyaml_schema_field_t){
			.key = vmm_portmap_name(i),
			.data_offset = (uint32_t)(offsetof(struct lab_hypercall_ports, port) +
						  (size_t)i * sizeof(uint64_t *)),
			.value = { CYAML_VALUE_UINT(CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER,
						    uint64_t) },
		};
}

void lab_schema_init(void)
{
	pthread_once(&hypercall_once, init_hypercall_fields);
}

#define STRUCT struct lab_limits
static const cyaml_schema_field_t limits_fields[] = {
	U64(exits), U64(instructions), U64(timeout_ms), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_cause_hints
static const cyaml_schema_field_t cause_hint_fields[] = {
	STR(port), STR(size), STR(crash), STR(silent), STR(timeout), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_define
static const cyaml_schema_field_t define_fields[] = {
	STR_REQ(name), STR_REQ(value), CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_substitute
static const cyaml_schema_field_t substitute_fields[] = {
	STR_REQ(file), STR_REQ(from), STR_REQ(to), CYAML_FIELD_END
};
#undef STRUCT
static const cyaml_schema_value_t substitute_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct lab_substitute, substitute_fields),
};
static const cyaml_schema_value_t define_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct lab_define, define_fields),
};
#define STRUCT struct lab_program_run
static const cyaml_schema_field_t program_run_fields[] = {
	STR_REQ(id), STR(binary), LIST(args, &string_entry), U64(timeout_ms), U64(time_scale),
	STR(defines_file), LIST(defines, &define_entry), LIST(substitute, &substitute_entry),
	LIST(files, &string_entry),
	CYAML_FIELD_ENUM("expect_timeout", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT,
			 expect_timeout, bools, CYAML_ARRAY_LEN(bools)),
	U64(walk_steps), STR(flow),
	CYAML_FIELD_END
};
#undef STRUCT
static const cyaml_schema_value_t program_run_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct lab_program_run, program_run_fields),
};
#define STRUCT struct lab_program_abi
static const cyaml_schema_field_t program_abi_fields[] = {
	STR_REQ(file),
	CYAML_FIELD_SEQUENCE("names", CYAML_FLAG_POINTER, STRUCT, names, &string_entry, 1,
			     CYAML_UNLIMITED),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_program
static const cyaml_schema_field_t program_fields[] = {
	LIST(build, &string_entry), STR_REQ(binary), MAP("abi", abi, program_abi_fields),
	LIST(sources, &string_entry),
	CYAML_FIELD_SEQUENCE("runs", CYAML_FLAG_POINTER, STRUCT, runs, &program_run_entry, 1,
			     CYAML_UNLIMITED),
	CYAML_FIELD_END
};
#undef STRUCT
#define STRUCT struct lab_example
static const cyaml_schema_field_t example_fields[] = {
	STR_REQ(submission), STR(name),
	CYAML_FIELD_UINT_PTR("score", CYAML_FLAG_OPTIONAL, STRUCT, score),
	LIST(failing, &string_entry), LIST(substitute, &substitute_entry),
	CYAML_FIELD_UINT_PTR("edition", CYAML_FLAG_OPTIONAL, STRUCT, edition),
	CYAML_FIELD_END
};
#undef STRUCT
static const cyaml_schema_value_t example_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct lab_example, example_fields),
};
static const cyaml_schema_value_t check_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct lab_check, check_fields),
};
#define STRUCT struct lab
static const cyaml_schema_field_t lab_fields[] = {
	STR_REQ(id), STR_REQ(title),
	CYAML_FIELD_UINT_PTR("points", CYAML_FLAG_OPTIONAL, STRUCT, points),
	CYAML_FIELD_UINT_PTR("edition", CYAML_FLAG_OPTIONAL, STRUCT, edition),
	CYAML_FIELD_ENUM("mode", CYAML_FLAG_STRICT | CYAML_FLAG_OPTIONAL, STRUCT, mode, modes,
			 CYAML_ARRAY_LEN(modes)),
	STR(mem),
	CYAML_FIELD_MAPPING("guest", CYAML_FLAG_OPTIONAL, STRUCT, guest, guest_fields),
	MAP("program", program, program_fields),
	MAP("hypercalls", hypercalls, hypercall_fields),
	STR(handlers), LIST(grader_guest, &string_entry),
	MAP("limits", limits, limits_fields),
	MAP("cause_hints", cause_hints, cause_hint_fields),
	CYAML_FIELD_ENUM("trace", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT, STRUCT, trace,
			 bools, CYAML_ARRAY_LEN(bools)),
	CYAML_FIELD_SEQUENCE("checks", CYAML_FLAG_POINTER, STRUCT, checks, &check_entry,
			     1, CYAML_UNLIMITED),
	LIST(tests, &example_entry),
	CYAML_FIELD_END
};
#undef STRUCT

const cyaml_schema_value_t lab_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct lab, lab_fields),
};

const cyaml_config_t lab_cyaml_config = {
	.mem_fn = cyaml_mem,
	.log_level = CYAML_LOG_ERROR,
	.flags = CYAML_CFG_NO_ALIAS,
};

static const char *strval_name(const cyaml_strval_t *t, size_t n, int64_t val)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].val == val)
			return t[i].str;
	return "?";
}

const char *lab_check_kind_name(enum lab_check_kind k)
{
	return (unsigned)k < LAB_CHECK__COUNT ? kind_names[k] : "?";
}

const char *lab_guest_kind_name(enum lab_guest_kind k)
{
	return strval_name(guest_kinds, CYAML_ARRAY_LEN(guest_kinds), k);
}

const char *lab_visibility_name(enum lab_visibility v)
{
	return strval_name(visibilities, CYAML_ARRAY_LEN(visibilities), v);
}

const char *lab_stop_name(int stop)
{
	return strval_name(stops, CYAML_ARRAY_LEN(stops), stop);
}

const char *lab_cpu_mode_name(int cpu_mode)
{
	return strval_name(cpu_modes, CYAML_ARRAY_LEN(cpu_modes), cpu_mode);
}

static void list_names(const cyaml_schema_value_t *v, const char *lead, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", lead);

	for (uint32_t i = 0; i < v->enumeration.count && n < len; i++) {
		const char *s = v->enumeration.strings[i].str;

		if (v->enumeration.strings == bools && i >= 2)
			break;  /* yes/no/on/off are accepted, not advertised */
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", s);
	}
}

void lab_schema_describe(const cyaml_schema_value_t *v, char *buf, size_t len)
{
	if (!v) {
		snprintf(buf, len, "something else");
		return;
	}
	switch (v->type) {
	case CYAML_INT:
		snprintf(buf, len, "an integer");
		break;
	case CYAML_UINT:
		snprintf(buf, len, "a non-negative integer (decimal or 0x hex)");
		break;
	case CYAML_BOOL:
		snprintf(buf, len, "true or false");
		break;
	case CYAML_ENUM:
		list_names(v, "one of: ", buf, len);
		break;
	case CYAML_FLAGS:
		list_names(v, "a list of: ", buf, len);
		break;
	case CYAML_STRING:
		snprintf(buf, len, "a string");
		break;
	case CYAML_MAPPING:
		snprintf(buf, len, "a mapping (key: value)");
		break;
	case CYAML_SEQUENCE:
	case CYAML_SEQUENCE_FIXED:
		snprintf(buf, len, "a list");
		break;
	default:
		snprintf(buf, len, "something else");
		break;
	}
}

void lab_page_flags_text(unsigned flags, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < CYAML_ARRAY_LEN(page_flags) && n < len; i++)
		if (flags & (unsigned)page_flags[i].val)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "",
					      page_flags[i].str);
}
