/* labcli.c - finding labs by folder, file or name (shared by cmd_grade.c and cmd_lab.c). */
#include "labcli.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "datadir.h"
#include "labfile.h"

#ifndef KVMLAB_LABDIR
#define KVMLAB_LABDIR "/usr/local/share/kvmlab/labs"
#endif

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A labs folder holds at least one LAB/lab.yaml (the build tree's labs/ holds the
 * harness's objects and none); a folder $KVMLAB_LABS names is taken as it is. */
static bool holds_labs(const char *dir, void *env)
{
	char yaml[PATH_MAX * 2];
	struct dirent *e;
	DIR *d;
	bool found = false;

	if (env && strcmp(dir, env) == 0)
		return true;
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(yaml, sizeof(yaml), "%s/%s/lab.yaml", dir, e->d_name);
		found = access(yaml, R_OK) == 0;
	}
	closedir(d);
	return found;
}

int labcli_labs_dir(char *out, size_t len)
{
	return datadir_find("labs", "KVMLAB_LABS", KVMLAB_LABDIR, holds_labs,
			    getenv("KVMLAB_LABS"), out, len);
}

int labcli_find(const char *name, char *yaml, size_t len)
{
	char dir[PATH_MAX], cand[PATH_MAX * 2];
	struct dirent **ents;
	int n, found = 0;

	if (is_dir(name)) {
		snprintf(yaml, len, "%s/lab.yaml", name);
		if (access(yaml, R_OK) == 0)
			return 0;
		return cli_error(EXIT_LOAD, "%s: no lab.yaml in this folder", name), -ENOENT;
	}
	if (access(name, R_OK) == 0 || strchr(name, '/')) {
		snprintf(yaml, len, "%s", name);
		return 0;
	}
	if (labcli_labs_dir(dir, sizeof(dir)) < 0)
		return cli_error(EXIT_LOAD, "no labs folder found (set KVMLAB_LABS)"), -ENOENT;
	n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		const char *dash = strchr(d, '-');
		size_t nl = strlen(name);

		if (!found && d[0] != '.' && strcmp(d, "harness") && strcmp(d, "include") &&
		    (strcmp(d, name) == 0 || (strncmp(d, name, nl) == 0 && d[nl] == '-') ||
		     (dash && strcmp(dash + 1, name) == 0))) {
			snprintf(cand, sizeof(cand), "%s/%s/lab.yaml", dir, d);
			if (access(cand, R_OK) == 0) {
				snprintf(yaml, len, "%s", cand);
				found = 1;
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	if (!found)
		return cli_error(EXIT_LOAD, "no lab named '%s' in %s (kvmlab lab list shows them)",
				 name, dir), -ENOENT;
	return 0;
}
