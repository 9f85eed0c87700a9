/* grademerge.c - `kvmlab grade merge`: the --json summaries of a batch's shards joined. */
#include "grademerge.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"

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

int grademerge_write(const struct lab_gradebook *g, const char *csv, const char *json,
		     const char *gradescope_csv, const char *moodle_csv)
{
	int ret = write_one(g, csv, "--csv", lab_gradebook_write_csv);

	if (ret == 0)
		ret = write_one(g, json, "--json", lab_gradebook_write_json);
	if (ret == 0)
		ret = write_one(g, gradescope_csv, "--gradescope-csv", lab_gradebook_write_gradescope);
	if (ret == 0)
		ret = write_one(g, moodle_csv, "--moodle-csv", lab_gradebook_write_moodle);
	return ret;
}

int grademerge_main(int argc, char **argv)
{
	enum { OPT_CSV = 0x400, OPT_JSON, OPT_GS, OPT_MOODLE, OPT_HELP };
	static const struct option opts[] = {
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "gradescope-csv", required_argument, NULL, OPT_GS },
		{ "moodle-csv", required_argument, NULL, OPT_MOODLE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ 0 },
	};
	const char *csv = NULL, *json = NULL, *gs = NULL, *moodle = NULL;
	struct lab_gradebook g;
	unsigned full = 0;
	char err[PATH_MAX + 300];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CSV: csv = optarg; break;
		case OPT_JSON: json = optarg; break;
		case OPT_GS: gs = optarg; break;
		case OPT_MOODLE: moodle = optarg; break;
		case 'h':
		case OPT_HELP:
			printf("usage: kvmlab grade merge [--csv F] [--json F] [--gradescope-csv F] "
			       "[--moodle-csv F] SHARD.json...\n\n"
			       "Joins the --json summaries of `kvmlab grade LAB --batch DIR --shard K/N`\n"
			       "(every K of one N, once, all of one lab) into one batch CSV, JSON and the\n"
			       "gradebook imports; without an output option the CSV goes to standard\n"
			       "output.  Exit status: 0 joined, 1 bad command line, 2 the shards are\n"
			       "refused (another lab, another split, a shard missing or twice).\n");
			return 0;
		default:
			return cli_error(EXIT_USAGE, "see kvmlab grade --help");
		}
	}
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "grade merge: give the shards' JSON summaries");
	if (lab_gradebook_merge((const char *const *)argv + optind, (size_t)(argc - optind), &g,
				err, sizeof(err)) < 0)
		return cli_error(EXIT_LOAD, "grade merge: %s", err);
	if (!csv && !json && !gs && !moodle)
		csv = "-";
	if (grademerge_write(&g, csv, json, gs, moodle) < 0) {
		lab_gradebook_free(&g);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < g.count; i++)
		full += g.rows[i].score == g.rows[i].max;
	fprintf(stderr, "kvmlab: merged %d shards: %zu submissions of %s, %u with full marks\n",
		argc - optind, g.count, g.lab_id, full);
	lab_gradebook_free(&g);
	return 0;
}
