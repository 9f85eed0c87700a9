/* export.h - a lab packaged for where a course grades: `kvmlab lab export`.
 *
 *  - Gradescope (lab_export_gradescope): a zip in Gradescope's autograder layout: setup.sh
 *    (builds kvmlab from kvmlab-src/ when the source tree is known), run_autograder (grades
 *    /autograder/submission with kvmlab where the container has /dev/kvm, else through the
 *    grading service named here, else says why in results.json), kvmlab.conf (the lab, the
 *    service's URL and token), lab/ (the lab folder without its solution).
 *
 *  - GitHub Classroom (lab_export_github): a template repository: the starter and the lab's
 *    README at the top, .github/workflows/classroom.yml (makes /dev/kvm usable on GitHub's
 *    Linux runners with the documented udev rule, installs kvmlab's dependencies, grades,
 *    reports points through classroom-resources/autograding-grading-reporter),
 *    .kvmlab/grade.sh (the grading step), .kvmlab/lab (no solution, no starter),
 *    .kvmlab/src (kvmlab's source, when known).
 *  - Slurm (lab_export_slurm): a folder with grade.sbatch (a job array: task K of N grades
 *    the K-th shard of a batch on a node with /dev/kvm) and merge.sbatch (`kvmlab grade
 *    merge` of the shards, run after them with --dependency=afterok).
 *
 * The scripts are files in labs/harness/deploy/, carried in the binary (embed.py).
 * Functions return 0 or -errno with err saying why; nothing prints.
 */
#pragma once

#include <stddef.h>

struct lab_export {
	const char *lab_dir;          /* the lab folder (holds lab.yaml) */
	const char *lab_id;           /* its name: 04-hypercalls */
	const char *src_dir;          /* kvmlab's source tree to ship, or NULL */
	const char *service_url;      /* http(s)://host[:port], or NULL */
	const char *service_token;    /* the course's token for it, or NULL */
	const char *kvmlab;           /* the kvmlab binary the scripts run (absolute) */
	unsigned points;              /* the lab's total (an ungraded run is 0 of it) */
};

/* Is url a plain http(s) URL (no quotes, spaces or shell characters), token URL-safe? */
int lab_export_check_service(const char *url, const char *token, char *err, size_t errlen);

int lab_export_gradescope(const struct lab_export *e, const char *zip, char *err, size_t errlen);
/* dir must be missing or empty. */
int lab_export_github(const struct lab_export *e, const char *dir, char *err, size_t errlen);
/* dir is made when missing; the scripts name e->kvmlab and e->lab_dir (absolute paths). */
int lab_export_slurm(const struct lab_export *e, const char *dir, char *err, size_t errlen);
