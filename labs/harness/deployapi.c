/* deployapi.c - the table kvmlab-deploy.so exports (deployapi.h). */
#include "deployapi.h"

__attribute__((visibility("default"))) const struct lab_deploy_api lab_deploy_api = {
	.version = LAB_DEPLOY_API_VERSION,
	.archive_limits_default = lab_archive_limits_default,
	.intake_open = lab_intake_open,
	.intake_free = lab_intake_free,
	.gradebook_init = lab_gradebook_init,
	.gradebook_add = lab_gradebook_add,
	.gradebook_free = lab_gradebook_free,
	.gradebook_merge = lab_gradebook_merge,
	.gradebook_write_csv = lab_gradebook_write_csv,
	.gradebook_write_json = lab_gradebook_write_json,
	.gradebook_write_gradescope = lab_gradebook_write_gradescope,
	.gradebook_write_moodle = lab_gradebook_write_moodle,
	.export_check_service = lab_export_check_service,
	.export_gradescope = lab_export_gradescope,
	.export_github = lab_export_github,
	.export_slurm = lab_export_slurm,
	.service_start = lab_service_start,
	.service_port = lab_service_port,
	.service_stop = lab_service_stop,
};
