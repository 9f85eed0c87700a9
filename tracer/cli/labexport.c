/* labexport.c - `kvmlab lab export LAB --gradescope FILE.zip [--service URL --token-file F]`. */
#include "labexport.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "deploy.h"
#include "labcli.h"
#include "labfile.h"
#include "options.h"

#ifndef KVMLAB_SOURCE_DIR
#define KVMLAB_SOURCE_DIR ""
#endif

enum { OPT_GS = 0x600, OPT_SLURM, OPT_GITHUB, OPT_SERVICE, OPT_TOKEN, OPT_TOKEN_FILE, OPT_SOURCE,
	OPT_NO_SOURCE };

static const struct cli_opt export_opts[] = {
	{ "gradescope", OPT_GS, "FILE.zip", "an autograder in Gradescope's layout: setup.sh (builds "
	  "kvmlab from the source tree shipped in the zip), run_autograder (grades "
	  "/autograder/submission with kvmlab where the container has /dev/kvm, else sends it "
	  "to the grading service --service names and writes its result, else explains in "
	  "results.json), the lab folder without its solution" },
	{ "service", OPT_SERVICE, "URL", "a `kvmlab serve` (http://HOST:PORT) for containers "
	  "without KVM" },
	{ "token", OPT_TOKEN, "T", "the course's token for it" },
	{ "token-file", OPT_TOKEN_FILE, "F", "the same, the first line of a file" },
	{ "github", OPT_GITHUB, "DIR", "a GitHub Classroom template repository in DIR (new or "
	  "empty): the starter and README at the top, a workflow for GitHub's Linux runners "
	  "(makes /dev/kvm usable, builds kvmlab from .kvmlab/src, grades, reports points to "
	  "Classroom), .kvmlab/grade.sh (the grading step, also runnable at home)" },
	{ "slurm", OPT_SLURM, "DIR", "DIR/grade.sbatch, a job array grading shard K of N of a "
	  "batch on nodes with /dev/kvm (sbatch --array=1-N grade.sbatch SUBMISSIONS OUTDIR), "
	  "and DIR/merge.sbatch joining the shards (sbatch --dependency=afterok:JOBID "
	  "merge.sbatch OUTDIR)" },
	{ "source", OPT_SOURCE, "DIR", "kvmlab's source tree to ship (default: the one this "
	  "kvmlab was built from, where it still exists)" },
	{ "no-source", OPT_NO_SOURCE, NULL, "ship no source tree" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};
static const struct cli_opt *const export_tables[] = { export_opts, NULL };

static void export_help(void)
{
	fputs("usage: kvmlab lab export LAB --gradescope FILE.zip [--service URL (--token T |\n"
	      "                            --token-file F)] [--source DIR | --no-source]\n"
	      "       kvmlab lab export LAB --github DIR [--source DIR | --no-source]\n"
	      "       kvmlab lab export LAB --slurm DIR\n\nOptions:\n", stdout);
	cli_opts_help(stdout, export_opts);
	fputs("\nExit status: 0 written, 1 bad command line, 2 no such lab, 3 the file cannot be\n"
	      "written.\n", stdout);
}

static bool is_src(const char *d)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/vmm/meson.build", d);
	return d[0] && access(p, R_OK) == 0;
}

/* labexport_main's work once getopt has its tables. */
static int export_args(int argc, char **argv, const struct option *opts, const char *shorts)
{
	const char *gs = NULL, *slurm = NULL, *github = NULL, *source = KVMLAB_SOURCE_DIR;
	struct lab *lab;
	char self[PATH_MAX];
	ssize_t sl;
	char yaml[PATH_MAX], dir[PATH_MAX], token[256] = "", err[PATH_MAX + 300], url[512];
	const struct lab_deploy_api *d;
	struct lab_export e = { 0 };
	bool no_source = false, source_given = false;
	char *slash;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (c) {
		case OPT_GS: gs = optarg; break;
		case OPT_SLURM: slurm = optarg; break;
		case OPT_GITHUB: github = optarg; break;
		case OPT_SERVICE:   /* without the trailing '/': run_autograder appends /api/v1/... */
			snprintf(url, sizeof(url), "%s", optarg);
			while (strlen(url) > 8 && url[strlen(url) - 1] == '/')
				url[strlen(url) - 1] = '\0';
			e.service_url = url;
			break;
		case OPT_TOKEN: snprintf(token, sizeof(token), "%s", optarg); break;
		case OPT_TOKEN_FILE: {
			FILE *f = fopen(optarg, "r");

			if (!f || !fgets(token, sizeof(token), f)) {
				if (f)
					fclose(f);
				return cli_error(EXIT_USAGE, "--token-file %s: %s", optarg,
						 f ? "empty" : strerror(errno));
			}
			fclose(f);
			token[strcspn(token, "\r\n")] = '\0';
			break;
		}
		case OPT_SOURCE: source = optarg; source_given = true; break;
		case OPT_NO_SOURCE: no_source = true; break;
		case 'h':
			export_help();
			return 0;
		default:
			return cli_error(EXIT_USAGE, "see kvmlab lab export --help");
		}
	}
	if (optind != argc - 1 || (!gs && !slurm && !github))
		return cli_error(EXIT_USAGE, "usage: kvmlab lab export LAB --gradescope FILE.zip | "
				 "--github DIR | --slurm DIR (see --help)");
	if (labcli_find(argv[optind], yaml, sizeof(yaml)) < 0)
		return EXIT_LOAD;
	snprintf(dir, sizeof(dir), "%s", yaml);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(dir, yaml))
		return cli_error(EXIT_LOAD, "%s: %s", dir, strerror(errno));
	snprintf(dir, sizeof(dir), "%.4000s/lab.yaml", yaml);
	if (lab_load(dir, NULL, &lab, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_LOAD;
	}
	e.points = lab->total_points;
	lab_free(lab);
	e.lab_dir = yaml;
	e.lab_id = strrchr(yaml, '/') ? strrchr(yaml, '/') + 1 : yaml;
	e.service_token = token[0] ? token : NULL;
	if (!no_source && is_src(source))
		e.src_dir = source;
	else if (!no_source && source_given)
		return cli_error(EXIT_USAGE, "--source %s: not kvmlab's source tree", source);
	if (!(d = cli_deploy()))
		return EXIT_HOST;
	if (d->export_check_service(e.service_url, e.service_token, err, sizeof(err)) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return cli_error(EXIT_HOST, "cannot find this program's own path: %s", strerror(errno));
	self[sl] = '\0';
	e.kvmlab = self;
	if (github) {
		if (d->export_github(&e, github, err, sizeof(err)) < 0)
			return cli_error(EXIT_HOST, "--github %s: %s", github, err);
		fprintf(stderr, "kvmlab: wrote %s: a GitHub Classroom template of %s (push it as a "
			"template repository)\n", github, e.lab_id);
	}
	if (slurm) {
		if (d->export_slurm(&e, slurm, err, sizeof(err)) < 0)
			return cli_error(EXIT_HOST, "--slurm %s: %s", slurm, err);
		fprintf(stderr, "kvmlab: wrote %s/grade.sbatch and %s/merge.sbatch for %s:\n"
			"  jid=$(sbatch --parsable --array=1-4 %s/grade.sbatch SUBMISSIONS OUT)\n"
			"  sbatch --dependency=afterok:$jid %s/merge.sbatch OUT\n", slurm, slurm, e.lab_id,
			slurm, slurm);
	}
	if (!gs)
		return 0;
	if (d->export_gradescope(&e, gs, err, sizeof(err)) < 0)
		return cli_error(EXIT_HOST, "--gradescope %s: %s", gs, err);
	fprintf(stderr, "kvmlab: wrote %s: the autograder of %s (%s%s%s)\n", gs, e.lab_id,
		e.src_dir ? "kvmlab built in the container" : "no kvmlab source: service only",
		e.service_url ? ", service " : ", no service", e.service_url ? e.service_url : "");
	return 0;
}

int labexport_main(int argc, char **argv)
{
	struct option *opts;
	char *shorts;
	int status;

	if (cli_opts_getopt(export_tables, &opts, &shorts) < 0)
		return cli_error(EXIT_USAGE, "out of memory");
	status = export_args(argc, argv, opts, shorts);
	free(opts);
	free(shorts);
	return status;
}
