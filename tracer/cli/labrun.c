/* labrun.c - `kvmlab lab build|run|trace|tui LAB [DIR]`: the student's code built as grade
 * builds it (the same copy, gcc and sandbox), then run, traced or stepped with the lab's
 * memory, mode, ports and limits and the student's own handlers (labsession.h). */
#include "labrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "command.h"
#include "error.h"
#include "guestcmd.h"
#include "labcli.h"
#include "labsession.h"
#include "runner.h"
#include "tui/tui.h"

struct labrun {
	struct lab *lab;
	struct lab_build b;
	char dir[PATH_MAX];
};

/* The folder of a lab file: "labs/04" for "labs/04/lab.yaml", "." for "lab.yaml". */
void labrun_folder_of(const char *yaml, char *dir, size_t len)
{
	const char *slash = strrchr(yaml, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else
		snprintf(dir, len, "%.*s", (int)(slash - yaml), yaml);
}

/* Load the lab for DIR (given, or the lab's starter/) and build it as the grader does: 0, or
 * the exit status with the message printed. */
static int build(const char *yaml, const char *given, struct labrun *r)
{
	/* the student's own code, on their machine: sandboxed where the host can */
	static const struct lab_runner_opts ro = { .sandbox = LAB_SANDBOX_PREFER };
	char err[512], cmd[PATH_MAX + 256];
	int ret;

	memset(r, 0, sizeof(*r));
	if (given) {
		snprintf(r->dir, sizeof(r->dir), "%s", given);
	} else {
		labrun_folder_of(yaml, r->dir, sizeof(r->dir));
		strncat(r->dir, "/starter", sizeof(r->dir) - strlen(r->dir) - 1);
	}
	if (lab_load(yaml, r->dir, &r->lab, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_LOAD;
	}
	if (r->lab->program) {
		cli_error(EXIT_USAGE, "lab %s: the submission is your own program: build it with "
			  "make in its folder, watch it with kvmlab exec -- ./%s, and grade it with "
			  "kvmlab grade %s %s", r->lab->id, r->lab->program->binary, r->lab->id,
			  r->dir);
		lab_free(r->lab);
		return EXIT_USAGE;
	}
	fprintf(stderr, "kvmlab: building %s from %s\n", r->lab->id, r->dir);
	ret = lab_build(r->lab, &ro, &r->b, err, sizeof(err));
	if (r->b.log && *r->b.log)
		fputs(r->b.log, stderr);
	if (ret < 0 || !r->b.ok) {
		cli_error(EXIT_LOAD, "%s", err);
		lab_build_free(&r->b);
		lab_free(r->lab);
		return EXIT_LOAD;
	}
	fprintf(stderr, "kvmlab: build OK (%.2f s)\n", r->b.seconds);
	if (getenv("KVMLAB_KEEP_BUILD")) {
		lab_session_command(r->lab, r->b.guest, cmd, sizeof(cmd));
		fprintf(stderr, "kvmlab: the build folder stays: %s\nkvmlab: its guest with the lab's "
			"settings and kvmlab's own handlers: %s\n", r->b.tmpdir, cmd);
	}
	return 0;
}

static void done(struct labrun *r)
{
	lab_build_free(&r->b);
	lab_free(r->lab);
}

int labrun_build(const char *yaml, const char *dir)
{
	struct labrun r;
	int status = build(yaml, dir, &r);

	if (status == 0)
		done(&r);
	return status;
}

/* "kvmlab: port 0x5001: 6 OUT (the writes went nowhere): no device there", one per port. */
static void say_nodev(const struct lab_port_use *u, unsigned n)
{
	char one[160];

	for (unsigned i = 0; i < n; i++) {
		lab_port_use_text(&u[i], one, sizeof(one));
		fprintf(stderr, "kvmlab: no device on %s\n", one);
	}
}

/* lab run: the grader's own run (lab_execute), shown as the student sees it. */
static int run(struct labrun *r)
{
	struct lab_run run;
	int ret = lab_execute(r->lab, &r->b, &run), status;

	fwrite(run.shown ? run.shown : "", 1, run.shown_len, stdout);
	fflush(stdout);
	say_nodev(run.nodev, run.nnodev);
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
	return status;
}

/* Open the built guest with the lab's settings and the student's handlers, output to sink. */
static int open_lab(struct labrun *r, struct lab_session *ls, vmm_console_sink sink, void *ctx)
{
	char err[512];
	int ret = lab_session_open(ls, r->lab, &r->b, r->b.guest, true, sink, ctx, err,
				   sizeof(err));

	if (ret < 0)
		return cli_error(ret == -ENODEV ? EXIT_HOST : EXIT_LOAD, "%s", err);
	if (*lab_session_missing(ls))
		fprintf(stderr, "kvmlab: %s defines no %s: nothing answers those hypercalls\n",
			r->lab->handlers, lab_session_missing(ls));
	return 0;
}

static void close_lab(struct lab_session *ls)
{
	struct lab_port_use u[LAB_NODEV_MAX];

	say_nodev(u, lab_session_nodev(ls, u, LAB_NODEV_MAX));
	lab_session_close(ls);
}

static int trace(struct labrun *r, const struct trace_opts *given)
{
	struct trace_opts lt = *given, *t = &lt;
	struct lab_session ls;
	FILE *f;
	int status = trace_open_output(t, &f);

	if (!t->max_steps)   /* the lab's instruction limit, unless --max-steps says otherwise */
		t->max_steps = r->lab->max_instructions;

	if (status == 0 && (status = open_lab(r, &ls, trace_console(f), NULL)) != 0 && f != stdout)
		fclose(f);
	if (status != 0)
		return status;
	status = trace_session(&ls.s, t, r->lab->max_exits, r->lab->timeout_ms, f);
	close_lab(&ls);
	return status;
}

static int tui(struct labrun *r)
{
	static struct tui t;   /* large, and the console sink needs it before tui_init */
	struct lab_session ls;
	int status;

	t.bench = getenv("KVMLAB_TUI_BENCH");
	if ((status = open_lab(r, &ls, tui_console_sink, &t)) != 0)
		return status;
	status = tui_session(&ls.s, &t, r->lab->id, r->b.dev, r->lab->max_exits,
			     r->lab->timeout_ms);
	close_lab(&ls);
	return status;
}

static int no_option(int opt, const char *arg, void *ctx)
{
	(void)opt, (void)arg, (void)ctx;
	return -EINVAL;
}

int labrun_main(const char *what, int argc, char **argv)
{
	static const struct cli_opt *const none[] = { NULL };
	struct trace_opts t = { .format = TRACE_TEXT };
	bool is_trace = strcmp(what, "trace") == 0;
	char name[32], yaml[PATH_MAX], *args0 = argv[0];
	struct labrun r;
	int first, status;

	snprintf(name, sizeof(name), "lab %s", what);
	argv[0] = name;
	first = cli_opts_parse(argc, argv, is_trace ? trace_tables : none,
			       is_trace ? trace_option : no_option, &t);
	argv[0] = args0;
	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc || argc - first > 2)
		return cli_error(EXIT_USAGE, "usage: kvmlab lab %s LAB [DIR]%s (DIR: your work folder, "
				 "default the lab's starter/)", what, is_trace ? " [trace options]" : "");
	if (labcli_find(argv[first], yaml, sizeof(yaml)) < 0)
		return EXIT_LOAD;
	if ((status = build(yaml, first + 1 < argc ? argv[first + 1] : NULL, &r)) != 0)
		return status;
	status = is_trace ? trace(&r, &t) : strcmp(what, "tui") == 0 ? tui(&r) : run(&r);
	done(&r);
	return status;
}
