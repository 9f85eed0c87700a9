/* deploy.c - loading kvmlab-deploy.so, the deployment module (labs/harness/deployapi.h), on the
 * first command that needs it. */
#include "deploy.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"

#define MODULE "kvmlab-deploy.so"

/* dlopen path, or note why not in why. */
static void *try_open(const char *path, char *why, size_t len)
{
	void *h;

	if (access(path, F_OK) < 0)
		return NULL;
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		snprintf(why, len, "%s", dlerror());
	return h;
}

const struct lab_deploy_api *cli_deploy(void)
{
	static const struct lab_deploy_api *api;
	char exe[PATH_MAX], path[PATH_MAX + 64], why[512] = "";
	const char *env = getenv("KVMLAB_DEPLOY_MODULE");
	void *h = NULL;
	ssize_t n;
	char *slash;

	if (api)
		return api;
	if (env && *env) {
		h = dlopen(env, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			snprintf(why, sizeof(why), "%s", dlerror());
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (!h && !(env && *env) && n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		/* the build tree, then a relocated install (bin/ beside lib/kvmlab/) */
		snprintf(path, sizeof(path), "%s/" MODULE, exe);
		h = try_open(path, why, sizeof(why));
		if (!h) {
			snprintf(path, sizeof(path), "%s/../%s/" MODULE, exe, KVMLAB_MODULE_RELDIR);
			h = try_open(path, why, sizeof(why));
		}
	}
	if (!h && !(env && *env))
		h = try_open(KVMLAB_MODULEDIR "/" MODULE, why, sizeof(why));
	if (!h) {
		cli_error(EXIT_HOST, "the deployment module %s cannot be loaded%s%s (it comes with "
			  "kvmlab: rebuild, or set KVMLAB_DEPLOY_MODULE to its path)",
			  env && *env ? env : MODULE, why[0] ? ": " : "", why);
		return NULL;
	}
	api = dlsym(h, "lab_deploy_api");
	if (!api || api->version != LAB_DEPLOY_API_VERSION) {
		cli_error(EXIT_HOST, "the deployment module %s is not this kvmlab's (version %u, "
			  "expected %u): rebuild", MODULE, api ? api->version : 0, LAB_DEPLOY_API_VERSION);
		api = NULL;
		dlclose(h);
	}
	return api;
}
