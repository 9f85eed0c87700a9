/* grademerge.h - `kvmlab grade merge` (the shards of a batch joined) and the gradebook files
 * a batch or a merge writes. */
#pragma once

#include "deploy.h"

/* `kvmlab grade merge [options] SHARD.json...` (argv[0] is "merge"); an exit status. */
int grademerge_main(int argc, char **argv);

/* Write g to each file named (NULL: not asked) with the deployment module d: the batch CSV and
 * JSON, Gradescope's and Moodle's imports.  0, or -errno with the message printed. */
int grademerge_write(const struct lab_deploy_api *d, const struct lab_gradebook *g, const char *csv,
		     const char *json, const char *gradescope_csv, const char *moodle_csv);
