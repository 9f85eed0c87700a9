/* queue.c - the grading service's submissions in SQLite (queue.h). */
#include "queue.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lab_queue {
	sqlite3 *db;
	char error[256];
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS subs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" course TEXT NOT NULL, lab TEXT NOT NULL, student TEXT NOT NULL,"
	" archive TEXT NOT NULL,"
	" state INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" created REAL NOT NULL, started REAL, finished REAL,"
	" score INTEGER, max INTEGER, status TEXT, reason TEXT,"
	" report_text TEXT, report_tap TEXT, report_junit TEXT, report_gradescope TEXT);"
	"CREATE INDEX IF NOT EXISTS subs_state ON subs(state, id);"
	"CREATE INDEX IF NOT EXISTS subs_student ON subs(course, student, created);"
	"CREATE TABLE IF NOT EXISTS checks ("
	" sub INTEGER NOT NULL REFERENCES subs(id), name TEXT NOT NULL,"
	" score REAL, max REAL, passed INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS checks_sub ON checks(sub);";

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(struct lab_queue *q)
{
	snprintf(q->error, sizeof(q->error), "%s", sqlite3_errmsg(q->db));
	return -EIO;
}

const char *lab_queue_error(struct lab_queue *q)
{
	return q->error;
}

const char *lab_queue_state_name(enum lab_queue_state s)
{
	return s == LAB_QUEUE_QUEUED ? "queued" : s == LAB_QUEUE_RUNNING ? "running" : "done";
}

int lab_queue_open(const char *path, bool recover, struct lab_queue **out)
{
	struct lab_queue *q = calloc(1, sizeof(*q));
	int ret;

	*out = NULL;
	if (!q)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ret = q->db ? -EIO : -ENOMEM;
		if (q->db)
			sqlite3_close(q->db);
		free(q);
		return ret;
	}
	sqlite3_busy_timeout(q->db, 10000);
	if (sqlite3_exec(q->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    (recover && sqlite3_exec(q->db, "UPDATE subs SET state = 0, started = NULL "
				     "WHERE state = 1;", NULL, NULL, NULL) != SQLITE_OK)) {
		snprintf(q->error, sizeof(q->error), "%s: %s", path, sqlite3_errmsg(q->db));
		*out = q;   /* for the message; the caller closes it */
		return -EIO;
	}
	*out = q;
	return 0;
}

void lab_queue_close(struct lab_queue *q)
{
	if (!q)
		return;
	sqlite3_close(q->db);
	free(q);
}

static int prep(struct lab_queue *q, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(q->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : fail(q);
}

static void col_str(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, len, "%s", t ? (const char *)t : "");
}

#define SUB_COLS "id, course, lab, student, archive, state, attempts, created, " \
	"coalesce(started, 0), coalesce(finished, 0), coalesce(score, 0), coalesce(max, 0), " \
	"coalesce(status, ''), coalesce(reason, '')"

static void row(sqlite3_stmt *st, struct lab_queue_sub *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	col_str(st, 1, s->course, sizeof(s->course));
	col_str(st, 2, s->lab, sizeof(s->lab));
	col_str(st, 3, s->student, sizeof(s->student));
	col_str(st, 4, s->archive, sizeof(s->archive));
	s->state = (enum lab_queue_state)sqlite3_column_int(st, 5);
	s->attempts = (unsigned)sqlite3_column_int(st, 6);
	s->created = sqlite3_column_double(st, 7);
	s->started = sqlite3_column_double(st, 8);
	s->finished = sqlite3_column_double(st, 9);
	s->score = (unsigned)sqlite3_column_int(st, 10);
	s->max = (unsigned)sqlite3_column_int(st, 11);
	col_str(st, 12, s->status, sizeof(s->status));
	col_str(st, 13, s->reason, sizeof(s->reason));
}

/* Step st once into s and finalize it: 0, -ENOENT for no row, -EIO. */
static int one_row(struct lab_queue *q, sqlite3_stmt *st, struct lab_queue_sub *s)
{
	int r = sqlite3_step(st), ret = 0;

	if (r == SQLITE_ROW)
		row(st, s);
	else
		ret = r == SQLITE_DONE ? -ENOENT : fail(q);
	sqlite3_finalize(st);
	return ret;
}

int lab_queue_submit(struct lab_queue *q, const char *course, const char *lab, const char *student,
		     const char *archive, int64_t *id)
{
	sqlite3_stmt *st;
	int ret = prep(q, "INSERT INTO subs (course, lab, student, archive, created) "
		       "VALUES (?, ?, ?, ?, ?) RETURNING id", &st);

	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, course, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, lab, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, student, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, archive, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, now());
	if (sqlite3_step(st) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else
		ret = fail(q);
	sqlite3_finalize(st);
	return ret;
}

int lab_queue_regrade(struct lab_queue *q, const char *course, int64_t of, int64_t *id)
{
	struct lab_queue_sub s;
	int ret = lab_queue_get(q, course, of, &s);

	if (ret < 0)
		return ret;
	return lab_queue_submit(q, s.course, s.lab, s.student, s.archive, id);
}

int lab_queue_claim(struct lab_queue *q, struct lab_queue_sub *s)
{
	sqlite3_stmt *st;
	int ret = prep(q, "UPDATE subs SET state = 1, attempts = attempts + 1, started = ? "
		       "WHERE id = (SELECT id FROM subs WHERE state = 0 ORDER BY id LIMIT 1) "
		       "AND state = 0 RETURNING " SUB_COLS, &st);

	if (ret < 0)
		return ret;
	sqlite3_bind_double(st, 1, now());
	return one_row(q, st, s);
}

int lab_queue_finish(struct lab_queue *q, const struct lab_queue_sub *s,
		     const char *const reports[4], const struct lab_queue_check *checks, size_t n)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(q);
	ret = prep(q, "UPDATE subs SET state = 2, finished = ?, score = ?, max = ?, status = ?, "
		   "reason = ?, report_text = ?, report_tap = ?, report_junit = ?, "
		   "report_gradescope = ? WHERE id = ? AND state = 1 AND attempts = ?", &st);
	if (ret < 0)
		goto out;
	sqlite3_bind_double(st, 1, now());
	sqlite3_bind_int(st, 2, (int)s->score);
	sqlite3_bind_int(st, 3, (int)s->max);
	sqlite3_bind_text(st, 4, s->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, s->reason, -1, SQLITE_TRANSIENT);
	for (int i = 0; i < 4; i++)
		if (reports[i])
			sqlite3_bind_text(st, 6 + i, reports[i], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, s->id);
	sqlite3_bind_int(st, 11, (int)s->attempts);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ret = fail(q);
		goto out;
	}
	if (sqlite3_changes(q->db) != 1) {
		ret = -ESTALE;
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	ret = prep(q, "INSERT INTO checks (sub, name, score, max, passed) VALUES (?, ?, ?, ?, ?)",
		   &st);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, s->id);
		sqlite3_bind_text(st, 2, checks[i].name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 3, checks[i].score);
		sqlite3_bind_double(st, 4, checks[i].max);
		sqlite3_bind_int(st, 5, checks[i].passed);
		if (sqlite3_step(st) != SQLITE_DONE)
			ret = fail(q);
	}
out:
	sqlite3_finalize(st);
	if (ret == 0 && sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		ret = fail(q);
	if (ret < 0)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

int lab_queue_get(struct lab_queue *q, const char *course, int64_t id, struct lab_queue_sub *s)
{
	sqlite3_stmt *st;
	int ret = prep(q, "SELECT " SUB_COLS " FROM subs WHERE id = ? AND course = ?", &st);

	if (ret < 0)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, course, -1, SQLITE_TRANSIENT);
	return one_row(q, st, s);
}

int lab_queue_report(struct lab_queue *q, const char *course, int64_t id, int format, char **text)
{
	static const char *const cols[4] = { "report_text", "report_tap", "report_junit",
					     "report_gradescope" };
	char sql[200];
	sqlite3_stmt *st;
	int ret, r;

	*text = NULL;
	if (format < 0 || format > 3)
		return -EINVAL;
	snprintf(sql, sizeof(sql), "SELECT %s FROM subs WHERE id = ? AND course = ? AND state = 2",
		 cols[format]);
	ret = prep(q, sql, &st);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, course, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		*text = strdup(t ? (const char *)t : "");
		ret = *text ? 0 : -ENOMEM;
	} else {
		ret = r == SQLITE_DONE ? -ENOENT : fail(q);
	}
	sqlite3_finalize(st);
	return ret;
}

int lab_queue_list(struct lab_queue *q, const char *course, const char *lab, bool latest,
		   enum lab_queue_state state, struct lab_queue_sub *subs, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	int ret, r;

	*n = 0;
	ret = prep(q, latest ?
		   "SELECT " SUB_COLS " FROM subs s WHERE course = ?1 AND (?2 IS NULL OR lab = ?2) "
		   "AND state = 2 AND id = (SELECT max(id) FROM subs t WHERE t.course = s.course "
		   "AND t.lab = s.lab AND t.student = s.student AND t.state = 2) "
		   "ORDER BY lab, student LIMIT ?4" :
		   "SELECT " SUB_COLS " FROM subs WHERE course = ?1 AND (?2 IS NULL OR lab = ?2) "
		   "AND state = ?3 ORDER BY id DESC LIMIT ?4", &st);
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, course, -1, SQLITE_TRANSIENT);
	if (lab)
		sqlite3_bind_text(st, 2, lab, -1, SQLITE_TRANSIENT);
	if (!latest)
		sqlite3_bind_int(st, 3, (int)state);
	sqlite3_bind_int64(st, 4, (int64_t)max);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		row(st, &subs[(*n)++]);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		ret = fail(q);
	sqlite3_finalize(st);
	return ret;
}

int lab_queue_checks(struct lab_queue *q, int64_t id, struct lab_queue_check *c, size_t max,
		     size_t *n)
{
	sqlite3_stmt *st;
	int ret = prep(q, "SELECT name, score, max, passed FROM checks WHERE sub = ? ORDER BY rowid",
		       &st), r;

	*n = 0;
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		col_str(st, 0, c[*n].name, sizeof(c[*n].name));
		c[*n].score = sqlite3_column_double(st, 1);
		c[*n].max = sqlite3_column_double(st, 2);
		c[*n].passed = sqlite3_column_int(st, 3) != 0;
		(*n)++;
	}
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		ret = fail(q);
	sqlite3_finalize(st);
	return ret;
}

static int count(struct lab_queue *q, const char *sql, const char *a, const char *b, double d,
		 unsigned *n)
{
	sqlite3_stmt *st;
	int ret = prep(q, sql, &st);

	*n = 0;
	if (ret < 0)
		return ret;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 3, d);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = (unsigned)sqlite3_column_int(st, 0);
	else
		ret = fail(q);
	sqlite3_finalize(st);
	return ret;
}

int lab_queue_count_since(struct lab_queue *q, const char *course, const char *student,
			  double since, unsigned *n)
{
	return count(q, "SELECT count(*) FROM subs WHERE course = ?1 AND student = ?2 AND "
		     "created >= ?3", course, student, since, n);
}

int lab_queue_count_queued(struct lab_queue *q, const char *course, unsigned *n)
{
	return count(q, "SELECT count(*) FROM subs WHERE course = ?1 AND state = 0 AND ?3 >= 0",
		     course, NULL, 0, n);
}

int lab_queue_counts(struct lab_queue *q, unsigned counts[3])
{
	sqlite3_stmt *st;
	int ret = prep(q, "SELECT state, count(*) FROM subs GROUP BY state", &st), r;

	counts[0] = counts[1] = counts[2] = 0;
	if (ret < 0)
		return ret;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int s = sqlite3_column_int(st, 0);

		if (s >= 0 && s < 3)
			counts[s] = (unsigned)sqlite3_column_int(st, 1);
	}
	if (r != SQLITE_DONE)
		ret = fail(q);
	sqlite3_finalize(st);
	return ret;
}
