/* test-labbatch.c - the batch grader's contract, without KVM: what it refuses and how it says so
 * (a bad lab file, a folder that is not there, a report folder that is a file, bad options), an
 * empty batch, and its CSV and JSON summaries read back (the JSON with json-c).
 *
 * usage: test-labbatch DATA_DIR   (tests/data/labs: valid.yaml, bad-unknown-key.yaml)
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "testkit.h"

static char *slurp(FILE *f)
{
	long n = ftell(f);
	char *buf = malloc((size_t)n + 1);

	rewind(f);
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
		buf[n] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/kvmlab-labbatch-XXXXXX", valid[512], bad[512], path[600];
	struct lab_batch_opts o = { .jobs = 2, .timeout_s = 10 };
	struct lab_batch b;
	FILE *f;
	char *text;

	if (argc != 2 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: test-labbatch DATA_DIR\n");
		return 2;
	}
	snprintf(valid, sizeof(valid), "%s/valid.yaml", argv[1]);
	snprintf(bad, sizeof(bad), "%s/bad-unknown-key.yaml", argv[1]);

	/* a bad lab file: its own message (file:line:column), marked as the lab's */
	o.lab = bad;
	o.dir = dir;
	CHECK(lab_batch_run(&o, &b) < 0);
	CHECK(b.lab_failed);
	CHECK_CONTAINS(b.error, "bad-unknown-key.yaml:");
	lab_batch_free(&b);

	/* a submissions folder that is not there */
	o.lab = valid;
	o.dir = "/nonexistent/submissions";
	CHECK_EQ(lab_batch_run(&o, &b), -ENOENT);
	CHECK(!b.lab_failed);
	CHECK_CONTAINS(b.error, "/nonexistent/submissions: No such file or directory");
	lab_batch_free(&b);

	/* options out of range */
	o.dir = dir;
	o.jobs = 0;
	CHECK_EQ(lab_batch_run(&o, &b), -EINVAL);
	o.jobs = LAB_BATCH_MAX_JOBS + 1;
	CHECK_EQ(lab_batch_run(&o, &b), -EINVAL);
	o.jobs = 2;
	o.shard_k = 3;
	o.shard_n = 2;
	CHECK_EQ(lab_batch_run(&o, &b), -EINVAL);
	o.shard_k = o.shard_n = 0;

	/* a report folder that is a file */
	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	o.report_dir = path;
	CHECK_EQ(lab_batch_run(&o, &b), -ENOTDIR);
	CHECK_CONTAINS(b.error, "/file: Not a directory");
	lab_batch_free(&b);
	o.report_dir = NULL;

	/* no submission folders (a plain file is not one): an empty batch, and its summaries */
	CHECK_EQ(lab_batch_run(&o, &b), 0);
	CHECK_EQ(b.count, 0);
	CHECK_EQ(b.max, 52);
	f = tmpfile();
	CHECK(f && lab_batch_write_csv(&b, f) == 0);
	text = f ? slurp(f) : NULL;
	CHECK_STR(text, "submission,score,max,status,reason\n");
	free(text);
	if (f)
		fclose(f);
	f = tmpfile();
	CHECK(f && lab_batch_write_json(&b, f) == 0);
	text = f ? slurp(f) : NULL;
	{
		struct json_object *doc = text ? json_tokener_parse(text) : NULL, *v;

		CHECK(doc != NULL);
		CHECK(json_object_object_get_ex(doc, "count", &v) && json_object_get_int(v) == 0);
		CHECK(json_object_object_get_ex(doc, "max", &v) && json_object_get_int(v) == 52);
		CHECK(json_object_object_get_ex(doc, "shard", &v) &&
		      strcmp(json_object_get_string(v), "1/1") == 0);
		CHECK(json_object_object_get_ex(doc, "submissions", &v) &&
		      json_object_array_length(v) == 0);
		json_object_put(doc);
	}
	free(text);
	if (f)
		fclose(f);

	/* a summary that cannot be written says so */
	f = fopen("/dev/full", "w");
	if (f) {
		CHECK_EQ(lab_batch_write_json(&b, f), -ENOSPC);
		CHECK_EQ(lab_batch_write_csv(&b, f), -ENOSPC);
		fclose(f);
	}
	lab_batch_free(&b);

	/* every status has its name */
	for (int s = 0; s < LAB_BATCH__COUNT; s++)
		CHECK_MSG(strcmp(lab_batch_status_name((enum lab_batch_status)s), "?") != 0, "status %d", s);
	CHECK_STR(lab_batch_status_name(LAB_BATCH_REPORT_ERROR), "report_error");

	unlink(path);
	rmdir(dir);
	return check_summary();
}
