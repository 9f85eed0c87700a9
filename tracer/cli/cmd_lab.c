/* cmd_lab.c - `kvmlab lab list | show LAB | build LAB [DIR] | run LAB [DIR]`, for students. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "error.h"
#include "labcli.h"
#include "labexport.h"
#include "labfile.h"
#include "labtestcli.h"
#include "run.h"
#include "runner.h"

static int lab_list(void)
{
	char dir[PATH_MAX], yaml[PATH_MAX * 2], err[512];
	struct dirent **ents;
	int n;

	if (labcli_labs_dir(dir, sizeof(dir)) < 0)
		return cli_error(EXIT_LOAD, "no labs folder found (set KVMLAB_LABS)");
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return cli_error(EXIT_LOAD, "%s: %s", dir, strerror(errno));
	printf("%-16s %6s  %s\n", "LAB", "POINTS", "TITLE");
	for (int i = 0; i < n; i++) {
		struct lab *lab;

		snprintf(yaml, sizeof(yaml), "%s/%s/lab.yaml", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && access(yaml, R_OK) == 0) {
			if (lab_load(yaml, NULL, &lab, err, sizeof(err)) == 0) {
				printf("%-16s %6u  %s\n", lab->id, lab->total_points, lab->title);
				lab_free(lab);
			} else {
				printf("%-16s %6s  (invalid: %s)\n", ents[i]->d_name, "-", err);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

/* The folder of a lab file: "labs/04" for "labs/04/lab.yaml", "." for "lab.yaml". */
static void folder_of(const char *yaml, char *dir, size_t len)
{
	const char *slash = strrchr(yaml, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else
		snprintf(dir, len, "%.*s", (int)(slash - yaml), yaml);
}

static int lab_show(const char *yaml)
{
	char path[PATH_MAX + 16], buf[4096];
	FILE *f;
	size_t n;

	folder_of(yaml, path, PATH_MAX);
	strcat(path, "/README.md");
	f = fopen(path, "r");
	if (!f)
		return cli_error(EXIT_LOAD, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

/* The submission folder: DIR, or the lab's starter/. */
static void default_dir(const char *yaml, const char *given, char *dir, size_t len)
{
	if (given) {
		snprintf(dir, len, "%s", given);
		return;
	}
	folder_of(yaml, dir, len);
	strncat(dir, "/starter", len - strlen(dir) - 1);
}

static int lab_build_run(const char *yaml, const char *given, bool run_it)
{
	char dir[PATH_MAX], err[512];
	struct lab *lab;
	struct lab_build b;
	struct lab_run run;
	int ret, status = 0;

	default_dir(yaml, given, dir, sizeof(dir));
	if (lab_load(yaml, dir, &lab, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_LOAD;
	}
	fprintf(stderr, "kvmlab: building %s from %s\n", lab->id, dir);
	lab_runner_set_sandbox(LAB_SANDBOX_PREFER);   /* the student's own code, on their machine */
	ret = lab_build(lab, &b, err, sizeof(err));
	if (b.log && *b.log)
		fputs(b.log, stderr);
	if (ret < 0 || !b.ok) {
		cli_error(EXIT_LOAD, "%s", err);
		lab_build_free(&b);
		lab_free(lab);
		return EXIT_LOAD;
	}
	fprintf(stderr, "kvmlab: build OK (%.2f s)\n", b.seconds);
	if (run_it) {
		ret = lab_execute(lab, &b, &run);
		fwrite(run.output, 1, run.output_len, stdout);
		fflush(stdout);
		if (run.error[0]) {
			status = cli_error(ret == -ENODEV ? EXIT_HOST : EXIT_FAULT, "%s", run.error);
		} else {
			fprintf(stderr, "kvmlab: %s in %s mode, RAX=0x%llx RIP=0x%llx, %llu exits%s%s\n",
				vmm_stop_name(run.stop), lab_cpu_mode_name(vmm_cpu_mode(&run.sregs)),
				(unsigned long long)run.regs.rax, (unsigned long long)run.regs.rip,
				(unsigned long long)run.total_exits, run.stop_detail[0] ? "; " : "",
				run.stop_detail);
			status = run.stop == VMM_STOP_HLT ? EXIT_HALTED
				: run.stop == VMM_STOP_EXIT_LIMIT || run.stop == VMM_STOP_TIMEOUT ||
				  run.stop == VMM_STOP_STEP_LIMIT ? EXIT_LIMIT : EXIT_FAULT;
		}
		lab_run_free(&run);
	}
	lab_build_free(&b);
	lab_free(lab);
	return status;
}

static int lab_main(int argc, char **argv)
{
	char yaml[PATH_MAX];

	if (argc > 1 && strcmp(argv[1], "export") == 0)   /* its own options and --help */
		return labexport_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "test") == 0)     /* the same */
		return labtestcli_main(argc - 1, argv + 1);
	if (cli_wants_help(&cmd_lab, argc, argv))
		return 0;
	if (argc < 2)
		return cli_error(EXIT_USAGE, "usage: kvmlab lab list|show|build|run [LAB] [DIR]");
	if (strcmp(argv[1], "list") == 0)
		return lab_list();
	if (argc < 3 || argc > 4 || (strcmp(argv[1], "show") && strcmp(argv[1], "build") &&
				     strcmp(argv[1], "run")))
		return cli_error(EXIT_USAGE, "usage: kvmlab lab list|show LAB|build LAB [DIR]|"
				 "run LAB [DIR]");
	if (labcli_find(argv[2], yaml, sizeof(yaml)) < 0)
		return EXIT_LOAD;
	if (strcmp(argv[1], "show") == 0)
		return lab_show(yaml);
	return lab_build_run(yaml, argc > 3 ? argv[3] : NULL, strcmp(argv[1], "run") == 0);
}

const struct command cmd_lab = {
	.name = "lab",
	.summary = "list the labs, show one, build or run your code for it",
	.help =
	"usage: kvmlab lab list\n"
	"       kvmlab lab show LAB\n"
	"       kvmlab lab build LAB [DIR]\n"
	"       kvmlab lab run LAB [DIR]\n"
	"       kvmlab lab export LAB --gradescope FILE.zip [--service URL --token-file F]\n"
	"                            (kvmlab lab export --help: every target)\n"
	"       kvmlab lab test LAB  (instructors: the lab's files and its tests: block;\n"
	"                            kvmlab lab test --help)\n\n"
	"list   every lab with its id, points and title\n"
	"show   print the lab's README (the assignment)\n"
	"build  compile DIR (default: the lab's starter/) as the grader does; compiler\n"
	"       errors are shown\n"
	"run    build, then run the guest: its output, then how it ended\n\n"
	"Grade your work with `kvmlab grade LAB DIR`.\n",
	.main = lab_main,
};
