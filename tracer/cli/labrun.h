/* labrun.h - `kvmlab lab build|run|trace|tui`: a student's work built as grade builds it and
 * run with the lab's settings and the student's own handlers (labrun.c). */
#pragma once

#include <stddef.h>

/* The folder of a lab file: "labs/04" for "labs/04/lab.yaml", "." for "lab.yaml". */
void labrun_folder_of(const char *yaml, char *dir, size_t len);

/* `kvmlab lab build LAB [DIR]` (dir NULL: the lab's starter/); the exit status. */
int labrun_build(const char *yaml, const char *dir);

/* `kvmlab lab run|trace|tui LAB [DIR] [options]`: what is "run", "trace" or "tui", argv starts
 * at it; the exit status. */
int labrun_main(const char *what, int argc, char **argv);
