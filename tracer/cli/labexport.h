/* labexport.h - `kvmlab lab export`: a lab packaged for Gradescope (export.h). */
#pragma once

/* `kvmlab lab export LAB TARGET...` (argv[0] is "export"); an exit status. */
int labexport_main(int argc, char **argv);
