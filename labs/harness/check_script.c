/* check_script.c - script: a program of the lab's, given the run's state as JSON on standard
 * input (runstate.h), answers {"pass": true|false, "points": N, "message": "..."} on standard
 * output.  It runs in the sandbox student code runs in (sandbox.h): no network, a uid of its
 * own, the lab folder read-only and nothing of the submission but the state, with time, CPU,
 * memory and file-size limits.  A script that cannot start, crashes, hangs, prints anything
 * but one such object, or claims more points than the check has is a lab error: the check
 * gets no points and says so. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"
#include "memchange.h"
#include "runstate.h"
#include "sandbox.h"

#define SCRIPT_TIMEOUT_MS 10000u    /* without timeout_ms */
#define ANSWER_MAX (64u << 10)      /* bytes of standard output read */
#define MESSAGE_MAX 2000            /* characters of the script's message kept */

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_script_spec *s = c->script;
	struct stat st;

	if (!lab_path_inside(s->program))
		return lab_diag_check(d, "script.program", "'%s' must be a path in the lab folder, "
				      "relative and without ..", s->program);
	s->dir = realpath(lab->dir, NULL);   /* the sandbox binds and enters it by absolute path */
	if (!s->dir)
		return lab_diag_check(d, "script.program", "the lab folder %s: %s", lab->dir,
				      strerror(errno));
	s->program_path = lab_path_join(s->dir, s->program);
	if (!s->program_path)
		return -ENOMEM;
	if (stat(s->program_path, &st) < 0 || !S_ISREG(st.st_mode))
		return lab_diag_check(d, "script.program", "'%s' is not a file in the lab folder %s",
				      s->program, lab->dir);
	if (access(s->program_path, X_OK) < 0)
		return lab_diag_check(d, "script.program", "'%s' is not executable: chmod +x it "
				      "(a script starts with #!, e.g. #!/usr/bin/python3)",
				      s->program);
	if (s->memory_count && lab->program)
		return lab_diag_check(d, "script.memory", "a program lab's guest lives in the "
				      "student's program: kvmlab keeps no copy of its memory");
	return lab_mem_ranges_prepare(s->memory, s->memory_count, d, "script.memory");
}

static void release(struct lab_check *c)
{
	free(c->script->program_path);
	free(c->script->dir);
	c->script->program_path = c->script->dir = NULL;
}

/* A lab error: no points, the reason said as the lab's. */
static int lab_error(struct lab_check_result *r, char *msg)
{
	lab_result_set(r, false, NULL, NULL, lab_strdupf("lab error: the check's script %s",
							 msg ? msg : "failed"));
	free(msg);
	r->lab_error = true;
	return 0;
}

/* A memfd holding text, at offset 0; -1 on failure. */
static int memfd_with(const char *name, const char *text, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if ((len && write(fd, text, len) != (ssize_t)len) || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Up to max bytes of fd from its start, NUL-terminated; *more: it held more. */
static char *slurp(int fd, size_t max, bool *more)
{
	char *buf = malloc(max + 2);
	ssize_t n = buf ? pread(fd, buf, max + 1, 0) : -1;

	if (n < 0) {
		free(buf);
		return NULL;
	}
	*more = (size_t)n > max;
	buf[*more ? max : (size_t)n] = '\0';
	return buf;
}

/* The first line of the script's standard error, for a message ("" when none). */
static void first_line(int fd, char *out, size_t len)
{
	bool more;
	char *e = slurp(fd, 400, &more);

	out[0] = '\0';
	if (e && e[0])
		snprintf(out, len, ": \"%.*s\"", (int)strcspn(e, "\n"), e);
	free(e);
}

/* Run the script on state; 0 with *answer (the caller frees), or a lab error set in r. */
static int run_script(const struct lab_check *c, const struct lab_run *run, const char *state,
		      char **answer, struct lab_check_result *r)
{
	const struct lab_script_spec *s = c->script;
	const char *argv[] = { s->program_path, NULL };
	unsigned timeout = c->timeout_ms ? (unsigned)*c->timeout_ms : SCRIPT_TIMEOUT_MS;
	int in = memfd_with("kvmlab-state", state, strlen(state));
	int out = memfd_with("kvmlab-answer", "", 0), err = memfd_with("kvmlab-err", "", 0);
	struct lab_sandbox sb;
	char how[160], line[440];
	int status = 0, ret = -EIO;
	bool timed_out = false, more = false;
	pid_t pid = -1;

	*answer = NULL;
	if (in < 0 || out < 0 || err < 0)
		goto host;
	lab_sandbox_init(&sb, argv);
	sb.cwd = s->dir;
	sb.stdin_fd = in;
	sb.stdout_fd = out;
	sb.stderr_fd = err;
	sb.cpu_s = timeout / 1000 + 1;
	sb.mem = 1ull << 30;
	sb.fsize = 1u << 20;
	sb.nproc = 64;
	sb.off = !run->sandboxed;
	ret = lab_sandbox_bind(&sb, s->dir, false);
	if (ret == 0)
		ret = lab_sandbox_spawn(&sb, &pid);
	if (ret == 0)
		ret = lab_sandbox_wait(pid, sb.off, timeout, &status, &timed_out);
	if (ret < 0)
		goto host;
	first_line(err, line, sizeof(line));
	if (timed_out) {
		ret = lab_error(r, lab_strdupf("%s did not answer within %u ms (timeout_ms)",
					       s->program, timeout));
	} else if (lab_sandbox_describe(status, sb.off, how, sizeof(how)) ||
		   !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ret = lab_error(r, lab_strdupf("%s ended with %s%s%s", s->program, how, line,
					       strstr(line, "bwrap:") ? " (the sandbox runs it as a "
					       "uid of its own: the lab folder and its parents must "
					       "be readable and searchable by others)" : ""));
	} else if (!(*answer = slurp(out, ANSWER_MAX, &more)) || more) {
		ret = lab_error(r, lab_strdupf("%s wrote %s", s->program, more ?
					       "more than 64 KiB" : "nothing readable"));
	}
	close(in);
	close(out);
	close(err);
	return ret;
host:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return lab_error(r, lab_strdupf("%s could not be run: %s", s->program,
					strerror(ret < 0 ? -ret : errno)));
}

/* Read the answer into r; anything but the documented object is a lab error. */
static int judge(const struct lab_check *c, const char *answer, struct lab_check_result *r)
{
	const char *prog = c->script->program;
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = NULL, *pass = NULL, *points = NULL, *msg = NULL;
	size_t len = strlen(answer), used;
	int64_t pts = -1;
	int ret = 0;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, answer, (int)len);
	used = o ? json_tokener_get_parse_end(tok) : 0;
	json_tokener_free(tok);
	if (!o || answer[used + strspn(answer + used, " \t\r\n")] != '\0' ||
	    !json_object_is_type(o, json_type_object)) {
		ret = lab_error(r, lab_strdupf("%s did not answer one JSON object "
					       "({\"pass\": true|false, \"points\": N, \"message\": "
					       "\"...\"}); it wrote \"%.60s\"", prog, answer));
		goto out;
	}
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "pass") == 0)
			pass = val;
		else if (strcmp(key, "points") == 0)
			points = val;
		else if (strcmp(key, "message") == 0)
			msg = val;
		else {
			ret = lab_error(r, lab_strdupf("%s answered an unknown key '%.40s' (known: "
						       "pass, points, message)", prog, key));
			goto out;
		}
	}
	if (!pass || !json_object_is_type(pass, json_type_boolean)) {
		ret = lab_error(r, lab_strdupf("%s answered no \"pass\": true or false", prog));
		goto out;
	}
	if (points && !json_object_is_type(points, json_type_int)) {
		ret = lab_error(r, lab_strdupf("%s answered \"points\" that is not an integer", prog));
		goto out;
	}
	if (points)
		pts = json_object_get_int64(points);
	if (points && (pts < 0 || pts > c->points)) {
		ret = lab_error(r, lab_strdupf("%s claimed %lld points; the check has %u", prog,
					       (long long)pts, c->points));
		goto out;
	}
	if (points && json_object_get_boolean(pass) && pts != c->points) {
		ret = lab_error(r, lab_strdupf("%s passed the check with %lld of its %u points: a "
					       "pass earns all of them (partial points go with "
					       "\"pass\": false)", prog, (long long)pts, c->points));
		goto out;
	}
	if (msg && !json_object_is_type(msg, json_type_string)) {
		ret = lab_error(r, lab_strdupf("%s answered a \"message\" that is not a string",
					       prog));
		goto out;
	}
	ret = lab_result_set(r, json_object_get_boolean(pass), NULL,
			     lab_strdupf("%s: %s", prog, json_object_get_boolean(pass) ? "pass" :
					 "fail"),
			     lab_strdupf("%.*s", MESSAGE_MAX, msg ? json_object_get_string(msg) :
					 "the script failed the check"));
	if (!json_object_get_boolean(pass) && pts > 0)
		r->partial = (unsigned)pts;
out:
	json_object_put(o);
	return ret;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_script_spec *s = c->script;
	unsigned n = s->memory_count;
	uint64_t *lo = calloc(n ? n : 1, sizeof(*lo)), *hi = calloc(n ? n : 1, sizeof(*hi));
	struct json_object *state = NULL;
	char err[256], *answer = NULL;
	int ret = -ENOMEM;

	if (!lo || !hi)
		goto out;
	if (lab_mem_ranges_resolve(s->memory, n, run, lo, hi, err, sizeof(err)) < 0) {
		ret = lab_result_set(r, false, NULL, NULL, strdup(err));
		goto out;
	}
	state = lab_run_state(c, run, lo, hi);
	if (!state)
		goto out;
	ret = run_script(c, run, json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN),
			 &answer, r);
	if (ret == 0 && answer)
		ret = judge(c, answer, r);
out:
	json_object_put(state);
	free(answer);
	free(lo);
	free(hi);
	return ret;
}

const struct lab_check_ops lab_check_script_ops = {
	.needs_memlog = true,
	.own_timeout = true,
	.prepare = prepare,
	.evaluate = evaluate,
	.release = release,
};
