/* progrun.h - program labs: build the student's own hypervisor with its Makefile and run it
 * under `kvmlab exec` in each of the lab's runs (labs/README.md, "Program labs").
 *
 * Everything the checks see comes from kvmlab: the exits from exec's log (ptrace and a
 * seccomp filter the program cannot bypass), the program's standard output captured by the
 * grader, the files the run left in its folder.  The submission is copied into a private
 * temporary folder first; the student's folder is never written.
 */
#pragma once

#include "labfile.h"
#include "result.h"
#include "runner.h"

/* The kvmlab executable that serves `exec` (default: /proc/self/exe), and the time-scaling
 * library (default: labs/libkvmlab-timescale.so next to it, or $KVMLAB_TIMESCALE). */
void lab_program_set_paths(const char *kvmlab_exe, const char *timescale_so);

/* Where the drawings of runs with `flow:` (NAME.svg, .png, .dot) are copied once drawn:
 * to prefix + "RUN-NAME.EXT" ("reports/alice." gives reports/alice.l-flow.svg); NULL or ""
 * (the default): left in the run's folder only. */
void lab_program_set_drawings(const char *prefix);

/* Build and run: b gets the build log and folder, run one sub-run per program.runs entry.
 * 0, or -errno for host trouble (-ENODEV: no /dev/kvm); failures of the submission are in
 * run->error or the sub-runs' errors. */
int lab_program_run(const struct lab *lab, const struct lab_runner_opts *o, struct lab_build *b,
		    struct lab_run *run);

/* Read the submission's ABI file ("name: port" lines, # comments) into ports[] (-1 for a
 * name it does not give).  0, or -errno with a sentence in err. */
int lab_program_read_abi(const struct lab *lab, const char *dir, int ports[LAB_ABI_MAX],
			 char *err, size_t errlen);
