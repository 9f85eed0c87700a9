/* cmd_lab.c - `kvmlab lab list | show LAB | build|run|trace|tui LAB [DIR]`, for students. */
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
#include "labrun.h"
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

static int lab_show(const char *yaml)
{
	char path[PATH_MAX + 16], buf[4096];
	FILE *f;
	size_t n;

	labrun_folder_of(yaml, path, PATH_MAX);
	strcat(path, "/README.md");
	f = fopen(path, "r");
	if (!f)
		return cli_error(EXIT_LOAD, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
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
		return cli_error(EXIT_USAGE, "usage: kvmlab lab list|show|build|run|trace|tui [LAB] [DIR]");
	if (strcmp(argv[1], "list") == 0)
		return lab_list();
	if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "trace") == 0 ||
	    strcmp(argv[1], "tui") == 0)
		return labrun_main(argv[1], argc - 1, argv + 1);
	if (argc < 3 || argc > 4 || (strcmp(argv[1], "show") && strcmp(argv[1], "build")))
		return cli_error(EXIT_USAGE, "usage: kvmlab lab list|show LAB|build LAB [DIR]|"
				 "run LAB [DIR]|trace LAB [DIR] [OPTIONS]|tui LAB [DIR]");
	if (labcli_find(argv[2], yaml, sizeof(yaml)) < 0)
		return EXIT_LOAD;
	if (strcmp(argv[1], "show") == 0)
		return lab_show(yaml);
	return labrun_build(yaml, argc > 3 ? argv[3] : NULL);
}

const struct command cmd_lab = {
	.name = "lab",
	.summary = "list the labs, show one, build, run, trace or step your code for it",
	.help =
	"usage: kvmlab lab list\n"
	"       kvmlab lab show LAB\n"
	"       kvmlab lab build LAB [DIR]\n"
	"       kvmlab lab run LAB [DIR]\n"
	"       kvmlab lab trace LAB [DIR] [TRACE OPTIONS]\n"
	"       kvmlab lab tui LAB [DIR]\n"
	"       kvmlab lab export LAB --gradescope FILE.zip [--service URL --token-file F]\n"
	"                            (kvmlab lab export --help: every target)\n"
	"       kvmlab lab test LAB  (instructors: the lab's files and its tests: block;\n"
	"                            kvmlab lab test --help)\n\n"
	"list   every lab with its id, points and title\n"
	"show   print the lab's README (the assignment)\n"
	"build  compile DIR (default: the lab's starter/) as the grader does; compiler\n"
	"       errors are shown\n"
	"run    build, then run the guest as the grader does (the lab's memory, mode,\n"
	"       ports and limits, your own handlers): its output, ports it used that\n"
	"       have no device, then how it ended\n"
	"trace  build, then trace the guest with the lab's settings and your handlers;\n"
	"       takes kvmlab trace's options (--format, -o, --walk, --break, ...)\n"
	"tui    build, then step the guest in kvmlab tui with the lab's settings and\n"
	"       your handlers\n\n"
	"What kvmlab's own hypercall handlers print is labelled [kvmlab's NAME]; what your\n"
	"handlers print is not.  KVMLAB_KEEP_BUILD=1 keeps the build folder and says how\n"
	"to run its guest by hand with the lab's settings.\n\n"
	"Grade your work with `kvmlab grade LAB DIR`.\n",
	.main = lab_main,
};
