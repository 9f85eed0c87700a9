/* labfile.h - a lab.yaml file as C structs, loaded and validated with libcyaml.
 *
 * labs/README.md describes the file format.  Fields marked "loader" are not
 * in the YAML: lab_load() fills them after parsing and validating.
 * Optional numbers are pointers: NULL when the key is absent.
 */
#pragma once

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portmap.h"

enum lab_visibility {
	LAB_VISIBLE,
	LAB_HIDDEN,
	LAB_AFTER_DUE_DATE,
};

/* How the grader builds the guest from its sources. */
enum lab_guest_kind {
	LAB_GUEST_C16,  /* C and .S sources, gcc -m16 */
	LAB_GUEST_C32,  /* gcc -m32 */
	LAB_GUEST_C64,  /* gcc -m64 */
	LAB_GUEST_ASM,  /* .S sources only; -m16/-m32/-m64 from the lab's mode */
	LAB_GUEST_ELF,  /* one prebuilt ELF image */
	LAB_GUEST_FLAT, /* one prebuilt flat binary, loaded at load_address */
};

/*
 * Every check kind, once: X(KIND, key, member, ops, shape, schema).
 *   KIND    LAB_CHECK_KIND in enum lab_check_kind
 *   key     its key in lab.yaml (lab_check_kind_name)
 *   member  the field of struct lab_check that holds its spec
 *   ops     its struct lab_check_ops, in its own check_*.c file (check.h)
 *   shape, schema  how labschema.c reads it: MAP of a field list, ENUM of a value list, or
 *           SEQ of an entry
 * Adding a kind: a line here, its spec member below, its check_*.c file and its schema.
 */
#define LAB_CHECK_KINDS(X)                                                                        \
	X(OUTPUT, "output", output, lab_check_output_ops, MAP, output_fields)                       \
	X(EXITS, "exits", exits, lab_check_exits_ops, MAP, exits_fields)                            \
	X(REGISTER, "register", reg, lab_check_register_ops, MAP, register_fields)                  \
	X(MEMORY, "memory", memory, lab_check_memory_ops, MAP, memory_fields)                       \
	X(STOP, "stop", stop, lab_check_stop_ops, ENUM, stops)                                      \
	X(FINAL_MODE, "final_mode", final_mode, lab_check_final_mode_ops, ENUM, cpu_modes)          \
	X(TIMELINE, "mode_timeline", mode_timeline, lab_check_timeline_ops, SEQ, cpu_mode_entry)    \
	X(MAPPING, "mapping", mapping, lab_check_mapping_ops, MAP, mapping_fields)                  \
	X(INSTRUCTIONS, "instructions", instructions, lab_check_instructions_ops, MAP,              \
	  instructions_fields)                                                                      \
	X(TRACE, "trace_matches", trace_matches, lab_check_trace_ops, MAP, trace_fields)            \
	X(ANSWERS, "answers", answers, lab_check_answers_ops, MAP, answers_fields)                  \
	X(VM_TURNS, "vm_turns", vm_turns, lab_check_vm_turns_ops, MAP, vm_turns_fields)             \
	X(TIME_SHARE, "time_share", time_share, lab_check_time_share_ops, MAP, time_share_fields)   \
	X(FILE, "file", file, lab_check_file_ops, MAP, file_fields)                                \
	X(WRITES, "writes_within", writes_within, lab_check_writes_ops, SEQ, mem_range_entry)       \
	X(SCRIPT, "script", script, lab_check_script_ops, MAP, script_fields)

#define LAB_CHECK_ENUM(kind, key, member, ops, shape, schema) LAB_CHECK_##kind,
enum lab_check_kind {
	LAB_CHECK_KINDS(LAB_CHECK_ENUM)
	LAB_CHECK__COUNT,
};
#undef LAB_CHECK_ENUM

/* Page flags a mapping check can name (bit masks of lab_mapping_spec.flags). */
enum lab_page_flag {
	LAB_PF_P = 1 << 0, LAB_PF_RW = 1 << 1, LAB_PF_US = 1 << 2, LAB_PF_PWT = 1 << 3,
	LAB_PF_PCD = 1 << 4, LAB_PF_A = 1 << 5, LAB_PF_D = 1 << 6, LAB_PF_PS = 1 << 7,
	LAB_PF_G = 1 << 8, LAB_PF_NX = 1 << 9,
};

struct lab_guest {
	enum lab_guest_kind kind;
	char **sources;               /* relative to the submission folder */
	unsigned sources_count;
	char **lab_sources;           /* relative to the lab folder (files students keep) */
	unsigned lab_sources_count;
	char *linker_script;          /* relative to the lab folder, or NULL for the default */
	char **cflags;
	unsigned cflags_count;
	uint64_t load_address;        /* flat images */
	char **source_paths;          /* loader: sources under the submission folder */
	char **lab_source_paths;      /* loader: lab_sources under the lab folder */
	char *linker_script_path;     /* loader */
};

struct lab_limits {
	uint64_t *exits;
	uint64_t *instructions;
	uint64_t *timeout_ms;
};

struct lab_output_spec {
	char *equals, *contains, *regex;
	char **names;                 /* capture names for groups 1..n of regex */
	unsigned names_count;
	char *expect;                 /* expression over the names */
	regex_t re;                   /* loader: compiled regex */
	bool compiled;
	struct lab_obs_name *obs;     /* loader: observed values expect names (program labs) */
	unsigned nobs;
};

/* Program labs: a name in an output expression for a value kvmlab exec observed,
 * "numExits_2" (the exit ordinal of the 2nd exit on numExits' port, this one included),
 * "numExitsByType_1_in" / "_out" (IO IN / OUT exits up to and including it). */
struct lab_obs_name {
	char name[72];
	int abi;                      /* index in program.abi.names */
	unsigned k;                   /* 1-based call */
	int field;                    /* 0 all exits, 1 IN, 2 OUT */
};

/* Exits counted by kind, and IO exits by port, direction and access size, in any combination:
 * from the grader's VMM (kvmlab's labs) or from what kvmlab exec saw (program labs). */
struct lab_exits_spec {
	char *type;                   /* vmm_exit_name() of a kind, "IO" (either direction) or
				       * "total"; absent: IO when port, hypercall, dir or size is set */
	uint64_t *port;               /* only IO exits on this port */
	char *hypercall;              /* ... or on this hypercall's port: the lab's map, or in a
				       * program lab the submission's port of a program.abi.names entry */
	char *dir;                    /* "in", "out" or "any" (default) */
	uint64_t *size;               /* only IO accesses of 1, 2 or 4 bytes */
	uint64_t *vm;                 /* program labs: only this VM (1, 2, ...) */
	uint64_t *min, *max, *equals;
	int exit;                     /* loader: enum vmm_exit, -1 total, LAB_EXITS_IO */
	int port_num;                 /* loader: the port (kvmlab's labs), or -1 for any */
	int dirn;                     /* loader: -1 any, 0 in, 1 out */
	int abi;                      /* loader: program labs, index of hypercall in the ABI, -1 */
};
#define LAB_EXITS_IO (-3)         /* lab_exits_spec.exit: IO exits in either direction */

struct lab_regref {               /* where a register lives in kvm_regs / kvm_sregs */
	bool sregs;
	unsigned offset, size;
};

struct lab_register_spec {
	char *name;
	uint64_t *equals, *mask, *value;
	struct lab_regref ref;        /* loader */
};

struct lab_memory_spec {
	uint64_t address;
	uint64_t *size, *equals;
	char *bytes;                  /* "de ad be ef" */
	uint8_t *raw;                 /* loader: bytes parsed */
	size_t raw_len;
};

struct lab_mapping_spec {
	uint64_t va;
	uint64_t *pa;
	uint64_t *page_size;
	bool unmapped;                /* the walk must fail */
	unsigned flags, absent_flags; /* enum lab_page_flag masks */
};

struct lab_instructions_spec {
	uint64_t *min, *max;
};

struct lab_trace_spec {
	char *reference;              /* relative to the lab folder */
	char *reference_path;         /* loader */
};

struct lab_answers_spec {
	char *file;                   /* the answers file, relative to the submission folder */
	char *key;                    /* the question's key in it */
	char *expect;                 /* "live:NAME[:ARG]" (read from the system) or a literal */
	bool reveal;                  /* show the expected value on failure (default: describe it) */
	char *path;                   /* loader: file under the submission folder, or NULL */
	int live;                     /* loader: index of NAME in the live table (or in the
				       * observed table), -1 for a literal */
	bool observed;                /* loader: expect is observed:NAME[:ARG] (obsvalue.h) */
	char *live_arg;               /* loader: ARG, or NULL */
};


/* program labs: KVM_RUN calls over the VMs. */
struct lab_vm_turns_spec {
	bool alternate;               /* no two KVM_RUN calls in a row on the same VM */
	bool one_thread;              /* every KVM_RUN from one thread */
	uint64_t *min_runs;           /* at least this many KVM_RUN calls observed */
	uint64_t *min_switches;       /* at least this many switches from one VM to another */
};

/* program labs: VM vm's share of the time all VMs spent in KVM_RUN. */
struct lab_time_share_spec {
	uint64_t vm;                  /* 1, 2, ... in the order the program created them */
	uint64_t percent;             /* expected share */
	uint64_t tolerance;           /* accepted deviation in percentage points */
};

/* program labs: a file in the run's folder after the run. */
struct lab_file_spec {
	char *path;                   /* relative to the run's folder */
	char *equals, *contains;
	bool absent;                  /* the file must not exist */
};

/* A range of guest physical memory [from, to) (or [from, from + size)); each end a number, a
 * symbol of the run's guest ELF, "stack_top" or "mem_end", with an optional +N or -N. */
struct lab_mem_range {
	char *from, *to;
	uint64_t *size;
};

/* script: an instructor's program in the lab folder, given the run's state as JSON. */
struct lab_script_spec {
	char *program;                /* relative to the lab folder */
	struct lab_mem_range *memory; /* ranges whose final bytes the state holds */
	unsigned memory_count;
	char *program_path;           /* loader */
	char *dir;                    /* loader: the lab folder (bound read-only for the script) */
};

/* Which run a check looks at. */
enum lab_run_kind {
	LAB_RUN_SUBMISSION,           /* the submission's guest with its handlers (the default) */
	LAB_RUN_REFERENCE_HANDLERS,   /* the same guest with kvmlab's built-in handlers */
	LAB_RUN_GRADER_GUEST,         /* the lab's own guest (grader_guest) with the student's handlers */
};

struct lab_check {
	char *id;
	char *name;                   /* one-line description; loader: id when absent */
	unsigned points;
	enum lab_visibility visibility;
	enum lab_run_kind run;        /* loader: from run_name (key "run") */
	char *depends_on;
	char *hint;
	unsigned *edition;            /* graded only in a lab of this edition (lab.edition) */
	/* exactly one of these */
	struct lab_output_spec *output;
	struct lab_exits_spec *exits;
	struct lab_register_spec *reg;      /* key "register" */
	struct lab_memory_spec *memory;
	int *stop;                          /* enum vmm_stop */
	int *final_mode;                    /* enum vmm_cpu_mode */
	int *mode_timeline;                 /* enum vmm_cpu_mode list */
	unsigned mode_timeline_count;
	struct lab_mapping_spec *mapping;
	struct lab_instructions_spec *instructions;
	struct lab_trace_spec *trace_matches;
	struct lab_answers_spec *answers;
	struct lab_vm_turns_spec *vm_turns;
	struct lab_time_share_spec *time_share;
	struct lab_file_spec *file;
	struct lab_mem_range *writes_within;  /* every changed byte lies in one of these */
	unsigned writes_within_count;
	struct lab_script_spec *script;
	uint64_t *timeout_ms;               /* the run it looks at took at most this (a script:
					     * the script's own time) */
	char *run_name;                     /* key "run": submission, reference_handlers, or in a
					     * program lab the id of one of program.runs */
	/* loader */
	unsigned at;                        /* its index in the file's checks */
	int run_index;                      /* program labs: index of run in program.runs */
	enum lab_check_kind kind;
	int dep;                            /* index of depends_on in lab.checks, -1 */
	unsigned line, column;              /* where the check starts in the file */
};

/* One hypercall port set in the file. */
struct lab_port {
	int id;                       /* enum vmm_hc_id */
	const char *name;             /* vmm_hc_name(id): "print8", ... */
	uint16_t port;
};

/* program labs: a #define the grader sets in its copy of a source file before building. */
struct lab_define {
	char *name;
	char *value;
};

/* program labs: text the grader replaces in its copy of a source before building (a fixed
 * block's constants; `to` may hold values drawn at load time, ${u32:NAME} ...). */
struct lab_substitute {
	char *file;
	char *from;
	char *to;
};

/* program labs: one run of the student's program. */
struct lab_program_run {
	char *id;
	char *binary;                 /* this run's program (default: program.binary) */
	char **args;
	unsigned args_count;
	uint64_t *timeout_ms;         /* kvmlab exec --timeout: a program that never ends is
				       * stopped here (default: the lab's timeout_ms) */
	uint64_t *time_scale;         /* the program's timers run this many times faster */
	char *defines_file;           /* the source the defines go into (relative) */
	struct lab_define *defines;   /* built again with these (a build of its own) */
	unsigned defines_count;
	struct lab_substitute *substitute;   /* built again with these (a build of its own) */
	unsigned substitute_count;
	char **files;                 /* lab files copied into the run's folder first */
	unsigned files_count;
	bool expect_timeout;          /* the program runs until stopped (the Matrix) */
	uint64_t *walk_steps;         /* exec --trace --walk --max-steps N instead of the log:
				       * the guest's page walks through the program's memory */
	char *flow;                   /* exec --flow: NAME.dot in the run's folder, rendered
				       * by graphviz into NAME.svg and NAME.png there */
};

/* program labs: the student's hypercall ABI, declared in a file of the submission. */
struct lab_program_abi {
	char *file;                   /* e.g. hypercalls.yaml: "name: port" lines */
	char **names;                 /* the hypercalls it must declare */
	unsigned names_count;
};

/* A lab whose submission is the student's own hypervisor program (labs/README.md). */
struct lab_program {
	char **build;                 /* the build command (default: make) */
	unsigned build_count;
	char *binary;                 /* what the build makes, relative to the submission */
	struct lab_program_abi *abi;
	char **sources;               /* files the submission must have (checked at load) */
	unsigned sources_count;
	struct lab_program_run *runs;
	unsigned runs_count;
};

/* One example submission of the lab's `tests:` block (`kvmlab lab test`): a folder of the
 * lab and the score and failing checks grading it must give. */
struct lab_example {
	char *submission;             /* a folder, relative to the lab folder ("solution") */
	char *name;                   /* what it is, for the report (default: the folder) */
	unsigned *score;              /* the exact score it must get (NULL: what failing leaves) */
	char **failing;               /* the ids of exactly the checks it must not pass */
	unsigned failing_count;
	struct lab_substitute *substitute;   /* changes made to a copy of the folder first (a
					      * known mistake written as a change of the solution) */
	unsigned substitute_count;
	unsigned *edition;            /* only for a lab of this edition (lab.edition) */
	bool other_edition;           /* loader: for another edition: not checked, not run */
	unsigned expected;            /* loader: the score, given or derived from failing */
	unsigned line;                /* loader: where it is in the file */
};

/* cause_hints: the lab's own hint for each cause a failed check can have (cause.h); NULL:
 * kvmlab's. */
struct lab_cause_hints {
	char *port;                   /* a port with no device */
	char *size;                   /* a hypercall port used with the wrong size or direction */
	char *crash;                  /* the guest or the student's handlers crashed */
	char *silent;                 /* a printing hypercall printed nothing, or nothing was printed */
	char *timeout;                /* a limit (time, exits, instructions) ended the run */
};

struct lab_hypercall_ports;       /* the YAML mapping; see ports */
struct lab_locs;                  /* where each node is in the file */

struct lab {
	char *id;
	char *title;
	unsigned *points;             /* when set, must equal the sum of the checks' points */
	unsigned *edition;            /* the course's edition (2023, 2024): its checks, its
				       * fixed block (the guest gets -DKVMLAB_EDITION=N) */
	int mode;                     /* enum vmm_mode */
	char *mem;                    /* "2M"; see mem_size */
	struct lab_guest guest;
	struct lab_hypercall_ports *hypercalls;
	char *handlers;               /* student hypervisor-side C file, in the submission */
	char **grader_guest;          /* the lab's own guest: files of the lab folder, built and run
				       * with the student's handlers for run: grader_guest checks */
	unsigned grader_guest_count;
	struct lab_limits *limits;
	struct lab_cause_hints *cause_hints;
	struct lab_program *program;  /* set: the submission is a hypervisor program */
	bool trace;                   /* loader: also set when a check needs a trace */
	struct lab_check *checks;
	unsigned checks_count;        /* loader: those of the lab's edition, first */
	struct lab_example *tests;    /* the lab's own tests (`kvmlab lab test`), or NULL */
	unsigned tests_count;
	/* loader */
	unsigned checks_loaded;       /* all the file's checks, the other editions' after them */
	char *file;                   /* path given to lab_load() */
	char *dir;                    /* folder of the file */
	char *submission_dir;         /* folder sources were resolved against, or NULL */
	char *handlers_path;
	uint64_t mem_size;            /* bytes; default 2 MiB */
	bool reference_run;           /* a check looks at run: reference_handlers */
	bool grader_run;              /* a check looks at run: grader_guest */
	bool memlog;                  /* a check needs the run's memory changes (memchange.h) */
	uint64_t max_exits;           /* limits with defaults applied */
	uint64_t max_instructions;    /* 0: none */
	unsigned timeout_ms;
	struct vmm_portmap ports;     /* the hypercalls mapping applied over the default ports */
	unsigned total_points;
	struct lab_locs *locs;        /* for messages after loading */
};

/* YAML names: "output", "exits", ... and "c64", "flat", ... and "visible", ... */
const char *lab_check_kind_name(enum lab_check_kind k);
const char *lab_guest_kind_name(enum lab_guest_kind k);
const char *lab_visibility_name(enum lab_visibility v);
/* Lab-file names of stop reasons ("halted", "shutdown", ...) and CPU modes ("long", ...). */
const char *lab_stop_name(int stop);
const char *lab_cpu_mode_name(int cpu_mode);

/*
 * Load and validate path.  submission_dir: the folder guest sources and the
 * handlers file are looked for in (NULL: skip that, see lab_resolve_sources).
 * On failure returns -errno and writes one message "file:line:column: what"
 * into err.
 */
int lab_load(const char *path, const char *submission_dir, struct lab **out,
	     char *err, size_t errlen);

/* Resolve and check the submission's sources (and handlers) under dir. */
int lab_resolve_sources(struct lab *lab, const char *dir, char *err, size_t errlen);

void lab_free(struct lab *lab);

/* Index of the check with this id, or -1. */
int lab_find_check(const struct lab *lab, const char *id);
