/* service_page.c - the instructor's page of the grading service: the queue, each student's
 * latest result with its checks and a re-grade button, and two pictures (SVG): the histogram
 * of scores and the pass rate of each check. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service_int.h"

#define MAX_ROWS 2000
#define MAX_CHECKS 64
#define BINS 10

void lab_service_html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

struct stats {
	struct lab_queue_sub *subs;     /* every student's latest result */
	size_t n;
	unsigned bins[BINS];
	char names[MAX_CHECKS][256];
	unsigned passed[MAX_CHECKS], seen[MAX_CHECKS];
	size_t nnames;
	const char *lab;
};

/* The lab shown: the one asked for, else the first with results, else the first served. */
static const char *pick_lab(struct lab_service *s, const char *course, const char *lab)
{
	struct lab_queue_sub one;
	size_t n;

	if (lab)
		return lab;
	for (size_t i = 0; i < s->c.nlabs; i++)
		if (lab_queue_list(s->q, course, s->labs[i].id, true, LAB_QUEUE_DONE, &one, 1, &n) == 0 &&
		    n)
			return s->labs[i].id;
	return s->c.nlabs ? s->labs[0].id : "";
}

static int gather(struct lab_service *s, const char *course, const char *lab, struct stats *st)
{
	struct lab_queue_check c[MAX_CHECKS];
	int ret;

	memset(st, 0, sizeof(*st));
	st->lab = pick_lab(s, course, lab);
	st->subs = malloc(MAX_ROWS * sizeof(*st->subs));
	if (!st->subs)
		return -ENOMEM;
	ret = lab_queue_list(s->q, course, st->lab, true, LAB_QUEUE_DONE, st->subs, MAX_ROWS, &st->n);
	for (size_t i = 0; ret == 0 && i < st->n; i++) {
		const struct lab_queue_sub *u = &st->subs[i];
		unsigned b = u->max ? (unsigned)((uint64_t)u->score * BINS / u->max) : 0;
		size_t nc;

		st->bins[b >= BINS ? BINS - 1 : b]++;
		ret = lab_queue_checks(s->q, u->id, c, MAX_CHECKS, &nc);
		for (size_t k = 0; ret == 0 && k < nc; k++) {
			size_t j;

			for (j = 0; j < st->nnames && strcmp(st->names[j], c[k].name) != 0; j++)
				;
			if (j == st->nnames) {
				if (st->nnames == MAX_CHECKS)
					continue;
				snprintf(st->names[st->nnames++], sizeof(st->names[0]), "%.255s", c[k].name);
			}
			st->seen[j]++;
			st->passed[j] += c[k].passed;
		}
	}
	if (ret < 0)
		free(st->subs);
	return ret;
}

int lab_service_histogram_svg(struct lab_service *s, const char *course, const char *lab, FILE *f)
{
	struct stats st;
	unsigned top = 1;
	const int w = 640, h = 260, left = 40, bottom = 40, bw = (640 - 40 - 20) / BINS;
	int ret = gather(s, course, lab, &st);

	if (ret < 0)
		return ret;
	for (int i = 0; i < BINS; i++)
		top = st.bins[i] > top ? st.bins[i] : top;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h, w, h);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, h);
	fprintf(f, "<text x=\"%d\" y=\"16\" font-size=\"14\">Scores of ", left);
	lab_service_html(f, st.lab);
	fprintf(f, " (%zu students)</text>\n", st.n);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n", left,
		h - bottom, w - 20, h - bottom);
	for (int i = 0; i < BINS; i++) {
		int bh = (int)((double)st.bins[i] * (h - bottom - 40) / top);
		int x = left + i * bw;

		fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"#1565c0\"><title>%u</title></rect>\n", x + 4, h - bottom - bh, bw - 8, bh,
			st.bins[i]);
		if (st.bins[i])
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%u</text>\n",
				x + bw / 2, h - bottom - bh - 4, st.bins[i]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d-%d%%</text>\n",
			x + bw / 2, h - bottom + 16, i * 10, i == BINS - 1 ? 100 : i * 10 + 9);
	}
	fprintf(f, "</svg>\n");
	free(st.subs);
	return 0;
}

int lab_service_checks_svg(struct lab_service *s, const char *course, const char *lab, FILE *f)
{
	struct stats st;
	const int w = 640, row = 24, label = 260, barw = 300;
	int ret = gather(s, course, lab, &st), h;

	if (ret < 0)
		return ret;
	h = 40 + (int)st.nnames * row + 10;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h, w, h);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, h);
	fprintf(f, "<text x=\"10\" y=\"16\" font-size=\"14\">Pass rate of each check of ");
	lab_service_html(f, st.lab);
	fprintf(f, "</text>\n");
	for (size_t i = 0; i < st.nnames; i++) {
		double rate = st.seen[i] ? (double)st.passed[i] / st.seen[i] : 0;
		int y = 30 + (int)i * row, pw = (int)(rate * barw + 0.5);

		char id[64];

		/* the check's id ("hello" of "hello: print8 prints ..."); the whole name as a tooltip */
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(st.names[i], ":"), st.names[i]);
		fprintf(f, "<text x=\"10\" y=\"%d\"><title>", y + 15);
		lab_service_html(f, st.names[i]);
		fputs("</title>", f);
		lab_service_html(f, id);
		fprintf(f, "</text>\n<rect class=\"pass\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" "
			"fill=\"#2e7d32\"/>\n", label, y + 2, pw);
		fprintf(f, "<rect class=\"fail\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" "
			"fill=\"#c62828\"/>\n", label + pw, y + 2, barw - pw);
		fprintf(f, "<text x=\"%d\" y=\"%d\">%.0f%% (%u/%u)</text>\n", label + barw + 8, y + 15,
			rate * 100, st.passed[i], st.seen[i]);
	}
	fprintf(f, "</svg>\n");
	free(st.subs);
	return 0;
}

static void when(FILE *f, double t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	fputs(buf, f);
}

static void queue_rows(struct lab_service *s, const char *course, enum lab_queue_state state,
		       FILE *f, struct lab_queue_sub *buf)
{
	size_t n = 0;

	if (lab_queue_list(s->q, course, NULL, false, state, buf, 200, &n) < 0)
		return;
	for (size_t i = n; i-- > 0;) {
		fprintf(f, "<tr class=\"%s\"><td>%lld</td><td>", lab_queue_state_name(state),
			(long long)buf[i].id);
		lab_service_html(f, buf[i].student);
		fputs("</td><td>", f);
		lab_service_html(f, buf[i].lab);
		fprintf(f, "</td><td>%s</td><td>", lab_queue_state_name(state));
		when(f, buf[i].created);
		fputs(" UTC</td></tr>\n", f);
	}
}

int lab_service_page(struct lab_service *s, const char *course, const char *lab, FILE *f)
{
	struct stats st;
	unsigned counts[3] = { 0 };
	int ret = gather(s, course, lab, &st);

	if (ret < 0)
		return ret;
	lab_queue_counts(s->q, counts);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>kvmlab: ", f);
	lab_service_html(f, course);
	fputs("</title>\n<style>\nbody{font-family:sans-serif;margin:16px;color:#222}"
	      "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #bbb;"
	      "padding:2px 6px;font-size:13px}th{background:#eee}.p{background:#c8e6c9}"
	      ".f{background:#ffcdd2}.full{font-weight:bold}nav a{margin-right:12px}"
	      "img{border:1px solid #ccc;margin:4px}\n</style></head><body>\n<h1>", f);
	lab_service_html(f, course);
	fputs(": ", f);
	lab_service_html(f, st.lab);
	fprintf(f, "</h1>\n<p id=\"counts\">queued %u, running %u, graded %u (all courses)</p>\n<nav>",
		counts[0], counts[1], counts[2]);
	for (size_t i = 0; i < s->c.nlabs; i++) {
		fprintf(f, "<a href=\"/course/%s?lab=%s\">", course, s->labs[i].id);
		lab_service_html(f, s->labs[i].id);
		fputs("</a>", f);
	}
	fprintf(f, "</nav>\n<h2>Scores and checks</h2>\n<img id=\"histogram\" alt=\"histogram of "
		"scores\" src=\"/course/%s/histogram.svg?lab=%s\">\n<img id=\"checks\" alt=\"pass "
		"rate of each check\" src=\"/course/%s/checks.svg?lab=%s\">\n", course, st.lab, course,
		st.lab);
	fputs("<h2>Queue</h2>\n<table id=\"queue\"><tr><th>#</th><th>student</th><th>lab</th>"
	      "<th>state</th><th>submitted</th></tr>\n", f);
	queue_rows(s, course, LAB_QUEUE_RUNNING, f, st.subs);
	queue_rows(s, course, LAB_QUEUE_QUEUED, f, st.subs);
	fputs("</table>\n", f);
	free(st.subs);
	ret = gather(s, course, lab, &st);   /* the queue's rows used the buffer */
	if (ret < 0)
		return ret;
	fprintf(f, "<h2>Latest result of each student (%zu)</h2>\n<table id=\"results\"><tr>"
		"<th>student</th><th>score</th><th>status</th>", st.n);
	for (size_t k = 0; k < st.nnames; k++) {
		fputs("<th>", f);
		lab_service_html(f, st.names[k]);
		fputs("</th>", f);
	}
	fputs("<th>reason</th><th></th></tr>\n", f);
	for (size_t i = 0; i < st.n; i++) {
		const struct lab_queue_sub *u = &st.subs[i];
		struct lab_queue_check c[MAX_CHECKS];
		size_t nc = 0;

		lab_queue_checks(s->q, u->id, c, MAX_CHECKS, &nc);
		fputs("<tr><td>", f);
		lab_service_html(f, u->student);
		fprintf(f, "</td><td class=\"%s\">%u/%u</td><td>", u->score == u->max ? "full" : "",
			u->score, u->max);
		lab_service_html(f, u->status);
		fputs("</td>", f);
		for (size_t k = 0; k < st.nnames; k++) {
			size_t j;

			for (j = 0; j < nc && strcmp(c[j].name, st.names[k]) != 0; j++)
				;
			fputs(j == nc ? "<td></td>" : c[j].passed ? "<td class=\"p\">pass</td>" :
			      "<td class=\"f\">fail</td>", f);
		}
		fputs("<td>", f);
		lab_service_html(f, u->reason);
		fprintf(f, "</td><td><form method=\"post\" action=\"/course/%s/regrade/%lld?lab=%s\">"
			"<button>re-grade</button></form></td></tr>\n", course, (long long)u->id, st.lab);
	}
	fputs("</table>\n</body></html>\n", f);
	free(st.subs);
	return 0;
}
