/* gradebook.c - a class's results as one table: shards joined, gradebook files (gradebook.h). */
#include "gradebook.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

static void lab_id_of(const char *lab, char *out, size_t len)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", lab);
	slash = strrchr(buf, '/');
	if (slash && strcmp(slash + 1, "lab.yaml") == 0) {
		*slash = '\0';
		slash = strrchr(buf, '/');
		snprintf(out, len, "%.127s", slash ? slash + 1 : buf);
	} else {
		snprintf(out, len, "%.127s", slash ? slash + 1 : buf);
	}
}

void lab_gradebook_init(struct lab_gradebook *g, const char *lab, unsigned max)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->lab, sizeof(g->lab), "%s", lab);
	lab_id_of(lab, g->lab_id, sizeof(g->lab_id));
	g->max = max;
}

int lab_gradebook_add(struct lab_gradebook *g, const char *id, unsigned score, unsigned max,
		      const char *status, const char *reason, double seconds)
{
	struct lab_gradebook_row *r;

	r = vmm_array_grow(g->rows, &g->cap, sizeof(*r), g->count + 1, 64);
	if (!r)
		return -ENOMEM;
	g->rows = r;
	r = &g->rows[g->count++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->status, sizeof(r->status), "%s", status ? status : "");
	snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
	r->score = score;
	r->max = max;
	r->seconds = seconds;
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct lab_gradebook_row *)a)->id,
		      ((const struct lab_gradebook_row *)b)->id);
}

void lab_gradebook_sort(struct lab_gradebook *g)
{
	if (g->count)
		qsort(g->rows, g->count, sizeof(*g->rows), cmp_row);
}

void lab_gradebook_free(struct lab_gradebook *g)
{
	free(g->rows);
	g->rows = NULL;
	g->count = g->cap = 0;
}

/* ---- reading shards ---------------------------------------------------------- */

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
		json_object_get_string(v) : NULL;
}

static bool juint(json_object *o, const char *key, unsigned *out)
{
	json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	x = json_object_get_int64(v);
	if (x < 0 || x > 1000000000)
		return false;
	*out = (unsigned)x;
	return true;
}

static double jnum(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static int fail(char *err, size_t len, const char *path, const char *why)
{
	snprintf(err, len, "%s: %s", path, why);
	return -EINVAL;
}

/* One shard into g; *k and *n its split. */
static int read_shard(const char *path, struct lab_gradebook *g, bool first, unsigned *k,
		      unsigned *n, char *err, size_t len)
{
	json_object *root = json_object_from_file(path), *subs;
	const char *lab, *shard;
	unsigned max, count;
	char id[128];
	int ret = 0;

	if (!root)
		return fail(err, len, path, "not a JSON batch summary (kvmlab grade --batch --json)");
	lab = jstr(root, "lab");
	shard = jstr(root, "shard");
	if (!lab || !shard || !juint(root, "max", &max) || !juint(root, "count", &count) ||
	    !json_object_object_get_ex(root, "submissions", &subs) ||
	    !json_object_is_type(subs, json_type_array)) {
		ret = fail(err, len, path, "not a batch summary: it lacks lab, shard, max, count "
			   "or submissions");
		goto out;
	}
	if (sscanf(shard, "%u/%u", k, n) != 2 || *n < 1 || *k < 1 || *k > *n) {
		ret = fail(err, len, path, "its shard is not K/N");
		goto out;
	}
	lab_id_of(lab, id, sizeof(id));
	if (first) {
		lab_gradebook_init(g, lab, max);
	} else if (strcmp(id, g->lab_id) != 0 || max != g->max) {
		char why[400];

		snprintf(why, sizeof(why), "a shard of lab %.120s (%u points), the others are of "
			 "%.120s (%u points)", id, max, g->lab_id, g->max);
		ret = fail(err, len, path, why);
		goto out;
	}
	if (json_object_array_length(subs) != count) {
		ret = fail(err, len, path, "its count differs from its list of submissions");
		goto out;
	}
	g->seconds += jnum(root, "seconds");
	for (size_t i = 0; i < count; i++) {
		json_object *s = json_object_array_get_idx(subs, i);
		const char *name = jstr(s, "submission"), *status = jstr(s, "status");
		const char *reason = jstr(s, "reason");
		unsigned score, smax;

		if (!name || !status || !juint(s, "score", &score) || !juint(s, "max", &smax) ||
		    score > smax) {
			ret = fail(err, len, path, "a submission lacks its name, status, score or max");
			goto out;
		}
		ret = lab_gradebook_add(g, name, score, smax, status, reason, jnum(s, "seconds"));
		if (ret < 0)
			goto out;
	}
out:
	json_object_put(root);
	return ret;
}

int lab_gradebook_merge(const char *const *paths, size_t n, struct lab_gradebook *g, char *err,
			size_t errlen)
{
	unsigned split = 0, k, nn;
	bool *seen = NULL;
	const char **from = NULL;
	int ret = 0;

	memset(g, 0, sizeof(*g));
	err[0] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "no shards given");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		ret = read_shard(paths[i], g, i == 0, &k, &nn, err, errlen);
		if (ret < 0)
			goto fail;
		if (i == 0) {
			split = nn;
			seen = calloc(split, sizeof(*seen));
			from = calloc(split, sizeof(*from));
			if (!seen || !from) {
				ret = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
		} else if (nn != split) {
			char why[160];

			snprintf(why, sizeof(why), "a shard of a split in %u, the first is split in %u",
				 nn, split);
			ret = fail(err, errlen, paths[i], why);
			goto fail;
		}
		if (seen[k - 1]) {
			char why[PATH_MAX + 64];

			snprintf(why, sizeof(why), "shard %u/%u again (also in %s)", k, nn, from[k - 1]);
			ret = fail(err, errlen, paths[i], why);
			goto fail;
		}
		seen[k - 1] = true;
		from[k - 1] = paths[i];
	}
	for (unsigned i = 0; i < split; i++)
		if (!seen[i]) {
			snprintf(err, errlen, "shard %u/%u is missing: its submissions would have no grade",
				 i + 1, split);
			ret = -EINVAL;
			goto fail;
		}
	lab_gradebook_sort(g);
	for (size_t i = 1; i < g->count; i++)
		if (strcmp(g->rows[i].id, g->rows[i - 1].id) == 0) {
			snprintf(err, errlen, "submission %.200s is in two shards", g->rows[i].id);
			ret = -EINVAL;
			goto fail;
		}
	free(seen);
	free(from);
	return 0;
fail:
	free(seen);
	free(from);
	lab_gradebook_free(g);
	return ret;
}

/* ---- writing ---------------------------------------------------------------- */

/* RFC 4180 quoting; a leading = + - @ or tab is defused with a '. */
static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	if (strchr("=+-@\t", s[0]) && s[0])
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\r' || *s == '\n' ? ' ' : *s, f);
	}
	fputc('"', f);
}

static int done(FILE *f)
{
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

int lab_gradebook_write_csv(const struct lab_gradebook *g, FILE *f)
{
	fprintf(f, "submission,score,max,status,reason\n");
	for (size_t i = 0; i < g->count; i++) {
		csv_str(f, g->rows[i].id);
		fprintf(f, ",%u,%u,", g->rows[i].score, g->rows[i].max);
		if (g->rows[i].status[0] &&
		    strspn(g->rows[i].status, "abcdefghijklmnopqrstuvwxyz_") == strlen(g->rows[i].status))
			fputs(g->rows[i].status, f);   /* a status word, unquoted as grade --batch has it */
		else
			csv_str(f, g->rows[i].status);
		fputc(',', f);
		csv_str(f, g->rows[i].reason);
		fputc('\n', f);
	}
	return done(f);
}

int lab_gradebook_write_json(const struct lab_gradebook *g, FILE *f)
{
	json_object *root = json_object_new_object(), *subs = json_object_new_array();
	unsigned full = 0, failed = 0;
	const char *text;
	int ret;

	if (!root || !subs) {
		json_object_put(root);
		json_object_put(subs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < g->count; i++) {
		const struct lab_gradebook_row *r = &g->rows[i];
		json_object *s = json_object_new_object();

		full += r->score == r->max;
		failed += strcmp(r->status, "ok") != 0;
		json_object_object_add(s, "submission", json_object_new_string(r->id));
		json_object_object_add(s, "score", json_object_new_int64(r->score));
		json_object_object_add(s, "max", json_object_new_int64(r->max));
		json_object_object_add(s, "status", json_object_new_string(r->status));
		json_object_object_add(s, "reason", json_object_new_string(r->reason));
		json_object_object_add(s, "seconds", json_object_new_double(r->seconds));
		json_object_array_add(subs, s);
	}
	json_object_object_add(root, "lab", json_object_new_string(g->lab));
	json_object_object_add(root, "max", json_object_new_int64(g->max));
	json_object_object_add(root, "count", json_object_new_int64((int64_t)g->count));
	json_object_object_add(root, "full_marks", json_object_new_int64(full));
	json_object_object_add(root, "failed", json_object_new_int64(failed));
	json_object_object_add(root, "shard", json_object_new_string("1/1"));
	json_object_object_add(root, "seconds", json_object_new_double(g->seconds));
	json_object_object_add(root, "submissions", subs);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	fprintf(f, "%s\n", text);
	ret = done(f);
	json_object_put(root);
	return ret;
}

int lab_gradebook_write_gradescope(const struct lab_gradebook *g, FILE *f)
{
	fprintf(f, "SID,Total Score\n");
	for (size_t i = 0; i < g->count; i++) {
		csv_str(f, g->rows[i].id);
		fprintf(f, ",%u\n", g->rows[i].score);
	}
	return done(f);
}

int lab_gradebook_write_moodle(const struct lab_gradebook *g, FILE *f)
{
	char col[200];

	snprintf(col, sizeof(col), "%s score", g->lab_id);
	fprintf(f, "ID number,");
	csv_str(f, col);
	fprintf(f, ",Feedback\n");
	for (size_t i = 0; i < g->count; i++) {
		const struct lab_gradebook_row *r = &g->rows[i];
		char fb[700];

		if (r->reason[0])
			snprintf(fb, sizeof(fb), "%u/%u (%s: %s)", r->score, r->max, r->status,
				 r->reason);
		else
			snprintf(fb, sizeof(fb), "%u/%u", r->score, r->max);
		csv_str(f, r->id);
		fprintf(f, ",%u,", r->score);
		csv_str(f, fb);
		fputc('\n', f);
	}
	return done(f);
}
