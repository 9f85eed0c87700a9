/* grademerge.c - `kvmlab grade merge`: the --json summaries of a batch's shards joined. */
#include "grademerge.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "deploy.h"
#include "options.h"

static int write_one(const struct lab_gradebook *g, const char *path, const char *what,
		     int (*fn)(const struct lab_gradebook *, FILE *))
{
	FILE *f;
	int ret;

	if (!path)
		return 0;
	f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!f) {
		ret = -errno;
		cli_error(EXIT_USAGE, "%s %s: %s", what, path, strerror(-ret));
		return ret;
	}
	ret = fn(g, f);
	if (f != stdout && fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		cli_error(EXIT_USAGE, "%s %s: writing failed: %s", what, path, strerror(-ret));
	return ret;
}

int grademerge_write(const struct lab_deploy_api *d, const struct lab_gradebook *g, const char *csv,
		     const char *json, const char *gradescope_csv, const char *moodle_csv)
{
	int ret = write_one(g, csv, "--csv", d->gradebook_write_csv);

	if (ret == 0)
		ret = write_one(g, json, "--json", d->gradebook_write_json);
	if (ret == 0)
		ret = write_one(g, gradescope_csv, "--gradescope-csv", d->gradebook_write_gradescope);
	if (ret == 0)
		ret = write_one(g, moodle_csv, "--moodle-csv", d->gradebook_write_moodle);
	return ret;
}

enum { OPT_CSV = 0x400, OPT_JSON, OPT_GS, OPT_MOODLE };

static const struct cli_opt merge_opts[] = {
	{ "csv", OPT_CSV, "FILE", "the batch CSV (default: standard output, when no output\n"
	  "is named)" },
	{ "json", OPT_JSON, "FILE", "the batch summary as JSON" },
	{ "gradescope-csv", OPT_GS, "FILE", "the gradebook import for Gradescope" },
	{ "moodle-csv", OPT_MOODLE, "FILE", "the gradebook import for Moodle" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};
static const struct cli_opt *const merge_tables[] = { merge_opts, NULL };

/* grademerge_main's work once getopt has its tables. */
static int merge_args(int argc, char **argv, const struct option *opts, const char *shorts)
{
	const char *csv = NULL, *json = NULL, *gs = NULL, *moodle = NULL;
	const struct lab_deploy_api *d;
	struct lab_gradebook g;
	unsigned full = 0;
	char err[PATH_MAX + 300];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (c) {
		case OPT_CSV: csv = optarg; break;
		case OPT_JSON: json = optarg; break;
		case OPT_GS: gs = optarg; break;
		case OPT_MOODLE: moodle = optarg; break;
		case 'h':
			printf("usage: kvmlab grade merge [OPTIONS] SHARD.json...\n\n"
			       "Joins the --json summaries of `kvmlab grade LAB --batch DIR --shard K/N`\n"
			       "(every K of one N, once, all of one lab) into one batch CSV, JSON and the\n"
			       "gradebook imports.\n\nOptions:\n");
			cli_opts_help(stdout, merge_opts);
			printf("\nExit status: 0 joined, 1 bad command line, 2 the shards are refused\n"
			       "(another lab, another split, a shard missing or twice).\n");
			return 0;
		default:
			return cli_error(EXIT_USAGE, "see kvmlab grade --help");
		}
	}
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "grade merge: give the shards' JSON summaries");
	if (!(d = cli_deploy()))
		return EXIT_HOST;
	if (d->gradebook_merge((const char *const *)argv + optind, (size_t)(argc - optind), &g,
			       err, sizeof(err)) < 0)
		return cli_error(EXIT_LOAD, "grade merge: %s", err);
	if (!csv && !json && !gs && !moodle)
		csv = "-";
	if (grademerge_write(d, &g, csv, json, gs, moodle) < 0) {
		d->gradebook_free(&g);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < g.count; i++)
		full += g.rows[i].score == g.rows[i].max;
	fprintf(stderr, "kvmlab: merged %d shards: %zu submissions of %s, %u with full marks\n",
		argc - optind, g.count, g.lab_id, full);
	d->gradebook_free(&g);
	return 0;
}

int grademerge_main(int argc, char **argv)
{
	struct option *opts;
	char *shorts;
	int status;

	if (cli_opts_getopt(merge_tables, &opts, &shorts) < 0)
		return cli_error(EXIT_USAGE, "out of memory");
	status = merge_args(argc, argv, opts, shorts);
	free(opts);
	free(shorts);
	return status;
}
