/* deployapi.h - the deployment layer (archives, gradebooks, exports, the grading service) as one
 * table of functions, exported by the loadable module kvmlab-deploy.so.
 *
 * The deployment code needs libarchive, libmicrohttpd and SQLite, which pull in some thirty
 * shared libraries (gnutls, ICU, libxml2, ...).  Loading them costs every kvmlab process
 * milliseconds at start-up, `kvmlab run` included, so they live in a module the command line
 * loads (dlopen) only when a command needs them: grade --batch, grade merge, lab export, serve.
 */
#pragma once

#include "export.h"
#include "gradebook.h"
#include "intake.h"
#include "service.h"
#include "subarchive.h"

#define LAB_DEPLOY_API_VERSION 1

struct lab_deploy_api {
	unsigned version;   /* LAB_DEPLOY_API_VERSION of the module */
	__typeof__(lab_archive_limits_default) *archive_limits_default;
	__typeof__(lab_intake_open) *intake_open;
	__typeof__(lab_intake_free) *intake_free;
	__typeof__(lab_gradebook_init) *gradebook_init;
	__typeof__(lab_gradebook_add) *gradebook_add;
	__typeof__(lab_gradebook_free) *gradebook_free;
	__typeof__(lab_gradebook_merge) *gradebook_merge;
	__typeof__(lab_gradebook_write_csv) *gradebook_write_csv;
	__typeof__(lab_gradebook_write_json) *gradebook_write_json;
	__typeof__(lab_gradebook_write_gradescope) *gradebook_write_gradescope;
	__typeof__(lab_gradebook_write_moodle) *gradebook_write_moodle;
	__typeof__(lab_export_check_service) *export_check_service;
	__typeof__(lab_export_gradescope) *export_gradescope;
	__typeof__(lab_export_github) *export_github;
	__typeof__(lab_export_slurm) *export_slurm;
	__typeof__(lab_service_start) *service_start;
	__typeof__(lab_service_port) *service_port;
	__typeof__(lab_service_stop) *service_stop;
};

/* The module's table (the one symbol the command line looks up). */
extern const struct lab_deploy_api lab_deploy_api;
