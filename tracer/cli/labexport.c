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
#include "export.h"
#include "labcli.h"
#include "labfile.h"

#ifndef KVMLAB_SOURCE_DIR
#define KVMLAB_SOURCE_DIR ""
#endif

static const char help[] =
	"usage: kvmlab lab export LAB --gradescope FILE.zip [--service URL (--token T |\n"
	"                            --token-file F)] [--source DIR | --no-source]\n\n"
	"--gradescope FILE.zip  an autograder in Gradescope's layout: setup.sh (builds kvmlab\n"
	"                       from the source tree shipped in the zip), run_autograder\n"
	"                       (grades /autograder/submission with kvmlab where the container\n"
	"                       has /dev/kvm, else sends it to the grading service --service\n"
	"                       names and writes its result, else explains in results.json),\n"
	"                       the lab folder without its solution\n"
	"--service URL          a `kvmlab serve` (http://HOST:PORT) for containers without KVM\n"
	"--token T, --token-file F  the course's token for it (a file: its first line)\n"
	"--source DIR           kvmlab's source tree to ship (default: the one this kvmlab was\n"
	"                       built from, where it still exists); --no-source ships none\n\n"
	"       kvmlab lab export LAB --github DIR [--source DIR | --no-source]\n"
	"       kvmlab lab export LAB --slurm DIR\n\n"
	"--github DIR           a GitHub Classroom template repository in DIR (new or empty):\n"
	"                       the starter and README at the top, a workflow for GitHub's\n"
	"                       Linux runners (makes /dev/kvm usable, builds kvmlab from\n"
	"                       .kvmlab/src, grades, reports points to Classroom), .kvmlab/\n"
	"                       grade.sh (the grading step, also runnable at home)\n"
	"--slurm DIR            DIR/grade.sbatch, a job array grading shard K of N of a batch\n"
	"                       on nodes with /dev/kvm (sbatch --array=1-N grade.sbatch\n"
	"                       SUBMISSIONS OUTDIR), and DIR/merge.sbatch joining the shards\n"
	"                       (sbatch --dependency=afterok:JOBID merge.sbatch OUTDIR)\n\n"
	"Exit status: 0 written, 1 bad command line, 2 no such lab, 3 the file cannot be written.\n";

static bool is_src(const char *d)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/vmm/meson.build", d);
	return d[0] && access(p, R_OK) == 0;
}

int labexport_main(int argc, char **argv)
{
	enum { OPT_GS = 0x600, OPT_SLURM, OPT_GITHUB, OPT_SERVICE, OPT_TOKEN, OPT_TOKEN_FILE, OPT_SOURCE, OPT_NO_SOURCE,
		OPT_HELP };
	static const struct option opts[] = {
		{ "gradescope", required_argument, NULL, OPT_GS },
		{ "slurm", required_argument, NULL, OPT_SLURM },
		{ "github", required_argument, NULL, OPT_GITHUB },
		{ "service", required_argument, NULL, OPT_SERVICE },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "no-source", no_argument, NULL, OPT_NO_SOURCE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ 0 },
	};
	const char *gs = NULL, *slurm = NULL, *github = NULL, *source = KVMLAB_SOURCE_DIR;
	struct lab *lab;
	char self[PATH_MAX];
	ssize_t sl;
	char yaml[PATH_MAX], dir[PATH_MAX], token[256] = "", err[PATH_MAX + 300], url[512];
	struct lab_export e = { 0 };
	bool no_source = false, source_given = false;
	char *slash;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
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
		case OPT_HELP:
			fputs(help, stdout);
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
	if (lab_export_check_service(e.service_url, e.service_token, err, sizeof(err)) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return cli_error(EXIT_HOST, "cannot find this program's own path: %s", strerror(errno));
	self[sl] = '\0';
	e.kvmlab = self;
	if (github) {
		if (lab_export_github(&e, github, err, sizeof(err)) < 0)
			return cli_error(EXIT_HOST, "--github %s: %s", github, err);
		fprintf(stderr, "kvmlab: wrote %s: a GitHub Classroom template of %s (push it as a "
			"template repository)\n", github, e.lab_id);
	}
	if (slurm) {
		if (lab_export_slurm(&e, slurm, err, sizeof(err)) < 0)
			return cli_error(EXIT_HOST, "--slurm %s: %s", slurm, err);
		fprintf(stderr, "kvmlab: wrote %s/grade.sbatch and %s/merge.sbatch for %s:\n"
			"  jid=$(sbatch --parsable --array=1-4 %s/grade.sbatch SUBMISSIONS OUT)\n"
			"  sbatch --dependency=afterok:$jid %s/merge.sbatch OUT\n", slurm, slurm, e.lab_id,
			slurm, slurm);
	}
	if (!gs)
		return 0;
	if (lab_export_gradescope(&e, gs, err, sizeof(err)) < 0)
		return cli_error(EXIT_HOST, "--gradescope %s: %s", gs, err);
	fprintf(stderr, "kvmlab: wrote %s: the autograder of %s (%s%s%s)\n", gs, e.lab_id,
		e.src_dir ? "kvmlab built in the container" : "no kvmlab source: service only",
		e.service_url ? ", service " : ", no service", e.service_url ? e.service_url : "");
	return 0;
}
