/* cmd_serve.c - `kvmlab serve`: the grading service (labs/harness/service.h) on this machine. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "labcli.h"
#include "labfile.h"
#include "deploy.h"
#include "options.h"
#include "vm.h"

#define MAX_COURSES 256
#define MAX_LABS 64

/* "COURSE TOKEN" lines; '#' starts a comment.  The number read, or -1 with a message. */
static int read_tokens(const char *path, struct lab_service_course *c, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0, lineno = 0;

	if (!f)
		return cli_error(EXIT_USAGE, "--tokens %s: %s", path, strerror(errno)), -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128], token[256], extra[8];
		int k;

		lineno++;
		if (line[strspn(line, " \t\r\n")] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		k = sscanf(line, "%127s %255s %7s", name, token, extra);
		if (k != 2 || strlen(name) >= sizeof(c->name) ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
		    strlen(name) || strlen(token) < 16 || strlen(token) >= sizeof(c->token) ||
		    strspn(token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+/=")
		    != strlen(token)) {
			fclose(f);
			return cli_error(EXIT_USAGE, "%s:%d: expected 'COURSE TOKEN' (a course name of "
					 "letters, digits, - _ .; a token of 16 to 127 URL-safe "
					 "characters)", path, lineno), -1;
		}
		for (int i = 0; i < n; i++)
			if (strcmp(c[i].name, name) == 0 || strcmp(c[i].token, token) == 0) {
				fclose(f);
				return cli_error(EXIT_USAGE, "%s:%d: a course or token given twice", path,
						 lineno), -1;
			}
		if ((size_t)n == max) {
			fclose(f);
			return cli_error(EXIT_USAGE, "%s: more than %zu courses", path, max), -1;
		}
		snprintf(c[n].name, sizeof(c[n].name), "%s", name);
		snprintf(c[n].token, sizeof(c[n].token), "%s", token);
		n++;
	}
	fclose(f);
	if (n == 0)
		return cli_error(EXIT_USAGE, "--tokens %s: no course in it", path), -1;
	return n;
}

static int cmp_lab(const void *a, const void *b)
{
	return strcmp(((const struct lab_service_lab *)a)->id, ((const struct lab_service_lab *)b)->id);
}

/* Every lab of the labs folder, loaded once (a broken lab file stops the service). */
static int find_labs(struct lab_service_lab *labs, size_t max)
{
	char dir[PATH_MAX], err[512];
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (labcli_labs_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return cli_error(EXIT_LOAD, "no labs folder found (set KVMLAB_LABS)"), -1;
	while ((e = readdir(d)) && (size_t)n < max) {
		struct lab *lab;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(labs[n].id))
			continue;
		snprintf(labs[n].yaml, sizeof(labs[n].yaml), "%.3000s/%s/lab.yaml", dir, e->d_name);
		if (access(labs[n].yaml, R_OK) < 0)
			continue;
		if (lab_load(labs[n].yaml, NULL, &lab, err, sizeof(err)) < 0) {
			closedir(d);
			return cli_error(EXIT_LOAD, "%s", err), -1;
		}
		labs[n].points = lab->total_points;
		lab_free(lab);
		snprintf(labs[n].id, sizeof(labs[n].id), "%s", e->d_name);
		n++;
	}
	closedir(d);
	if (n == 0)
		return cli_error(EXIT_LOAD, "no lab in %s", dir), -1;
	qsort(labs, (size_t)n, sizeof(*labs), cmp_lab);
	return n;
}

static bool number(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

enum { OPT_PORT = 0x500, OPT_BIND, OPT_DATA, OPT_TOKENS, OPT_MAX_UPLOAD, OPT_RATE,
	OPT_MAX_QUEUED, OPT_TIMEOUT, OPT_PORT_FILE };

static const struct cli_opt serve_opts[] = {
	{ "port", OPT_PORT, "N", "TCP port (default 8080; 0: any free port)" },
	{ "bind", OPT_BIND, "ADDR", "IPv4 address to listen on (default 127.0.0.1)" },
	{ "data", OPT_DATA, "DIR", "the queue, uploads and work folders" },
	{ "tokens", OPT_TOKENS, "FILE", "courses and their tokens" },
	{ "jobs", 'j', "N", "gradings at a time (default 2)" },
	{ "max-upload", OPT_MAX_UPLOAD, "SIZE", "largest archive accepted (default 8M)" },
	{ "rate", OPT_RATE, "N", "submissions per student per minute (default 10)" },
	{ "max-queued", OPT_MAX_QUEUED, "N", "queued submissions per course (default 5000)" },
	{ "timeout", OPT_TIMEOUT, "S", "wall-clock limit of one grading (default 60)" },
	{ "port-file", OPT_PORT_FILE, "FILE", "write the port listened on (with --port 0)" },
	{ 0 },
};
static const struct cli_opt *const serve_tables[] = { serve_opts, NULL };

/* serve_main's work once getopt has its tables. */
static int serve_args(int argc, char **argv, const struct option *opts, const char *shorts)
{
	static struct lab_service_course courses[MAX_COURSES];
	static struct lab_service_lab labs[MAX_LABS];
	struct lab_service_config c = {
		.bind = "127.0.0.1", .port = 8080, .jobs = 2, .max_upload = 8u << 20,
		.rate_per_min = 10, .max_queued = 5000, .timeout_s = 60,
	};
	const char *tokens = NULL, *port_file = NULL;
	char grader[PATH_MAX], err[600];
	const struct lab_deploy_api *d;
	struct lab_service *s;
	sigset_t set;
	ssize_t gl;
	int ch, n, sig;

	optind = 1;
	while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PORT:
			if (!number(optarg, 0, 65535, &c.port))
				return cli_error(EXIT_USAGE, "--port: give 0 to 65535 (0: any free port)");
			break;
		case OPT_BIND: c.bind = optarg; break;
		case OPT_DATA: c.data_dir = optarg; break;
		case OPT_TOKENS: tokens = optarg; break;
		case 'j':
			if (!number(optarg, 1, 64, &c.jobs))
				return cli_error(EXIT_USAGE, "-j: give 1 to 64");
			break;
		case OPT_MAX_UPLOAD:
			if (vmm_parse_size(optarg, &c.max_upload) < 0 || c.max_upload < 1024 ||
			    c.max_upload > (1ull << 30))
				return cli_error(EXIT_USAGE, "--max-upload: a size from 1K to 1G (8M)");
			break;
		case OPT_RATE:
			if (!number(optarg, 1, 100000, &c.rate_per_min))
				return cli_error(EXIT_USAGE, "--rate: submissions per student per minute, "
						 "1 to 100000");
			break;
		case OPT_MAX_QUEUED:
			if (!number(optarg, 1, 1000000, &c.max_queued))
				return cli_error(EXIT_USAGE, "--max-queued: 1 to 1000000");
			break;
		case OPT_TIMEOUT:
			if (!number(optarg, 1, 3600, &c.timeout_s))
				return cli_error(EXIT_USAGE, "--timeout: seconds, 1 to 3600");
			break;
		case OPT_PORT_FILE: port_file = optarg; break;
		default:
			return cli_error(EXIT_USAGE, "see kvmlab serve --help");
		}
	}
	if (optind != argc)
		return cli_error(EXIT_USAGE, "kvmlab serve takes no arguments (see --help)");
	if (!c.data_dir || !tokens)
		return cli_error(EXIT_USAGE, "kvmlab serve needs --data DIR and --tokens FILE");
	n = read_tokens(tokens, courses, MAX_COURSES);
	if (n < 0)
		return EXIT_USAGE;
	c.courses = courses;
	c.ncourses = (size_t)n;
	n = find_labs(labs, MAX_LABS);
	if (n < 0)
		return EXIT_LOAD;
	c.labs = labs;
	c.nlabs = (size_t)n;
	gl = readlink("/proc/self/exe", grader, sizeof(grader) - 1);
	if (gl <= 0)
		return cli_error(EXIT_HOST, "cannot find this program's own path: %s", strerror(errno));
	grader[gl] = '\0';
	c.grader = grader;
	if (!(d = cli_deploy()))
		return EXIT_HOST;
	d->archive_limits_default(&c.unpack);
	/* SIGINT and SIGTERM are waited for here; the service's threads never see them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (d->service_start(&c, &s, err, sizeof(err)) < 0)
		return cli_error(EXIT_HOST, "serve: %s", err);
	fprintf(stderr, "kvmlab: serving %zu labs to %zu courses on http://%s:%u/ with %u workers\n",
		c.nlabs, c.ncourses, c.bind, d->service_port(s), c.jobs);
	if (port_file) {
		FILE *f = fopen(port_file, "w");

		if (f) {
			fprintf(f, "%u\n", d->service_port(s));
			fclose(f);
		}
	}
	sigwait(&set, &sig);
	fprintf(stderr, "kvmlab: %s: stopping (gradings in progress are taken up at the next "
		"start)\n", strsignal(sig));
	d->service_stop(s);
	return 0;
}

static int serve_main(int argc, char **argv)
{
	struct option *opts;
	char *shorts;
	int status;

	if (cli_wants_help(&cmd_serve, argc, argv))
		return 0;
	if (cli_opts_getopt(serve_tables, &opts, &shorts) < 0)
		return cli_error(EXIT_USAGE, "out of memory");
	status = serve_args(argc, argv, opts, shorts);
	free(opts);
	free(shorts);
	return status;
}

const struct command cmd_serve = {
	.name = "serve",
	.summary = "a grading service: HTTP API, SQLite queue, sandboxed workers, a page",
	.help =
	"usage: kvmlab serve --data DIR --tokens FILE [--port N] [--bind ADDR] [-j N] [OPTIONS]\n\n"
	"Grades submitted archives for the labs under the labs folder, for the courses of\n"
	"FILE (one 'COURSE TOKEN' a line), on a machine that has /dev/kvm.  The queue is\n"
	"kept in DIR/queue.db (SQLite): a restart or a crash loses no submission and grades\n"
	"none twice.\n\n"
	"API (Authorization: Bearer TOKEN):\n"
	"  POST /api/v1/submissions?lab=LAB&student=ID   body: the archive -> 201 {\"id\": N}\n"
	"  GET  /api/v1/submissions/N                     state, score, max, status, checks\n"
	"  GET  /api/v1/submissions/N/report?format=F     text, tap, junit or gradescope\n"
	"  POST /api/v1/submissions/N/regrade             grade the same archive again\n"
	"  GET  /api/v1/results[?lab=LAB]                 each student's latest result\n"
	"  GET  /api/v1/health                            counts (no token)\n"
	"Instructor's page: open http://HOST:PORT/course/COURSE?key=TOKEN once.\n",
	.opts = serve_tables,
	.epilogue =
	"Stops on SIGINT or SIGTERM.  Exit status: 0 stopped, 1 bad command line, 2 a lab\n"
	"file is invalid, 3 the service cannot start (address in use, data folder).\n",
	.main = serve_main,
};
