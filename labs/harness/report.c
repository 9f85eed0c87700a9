/* report.c - the reporter table and what the writers share: names, escaping. */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const struct lab_reporter *const lab_reporters[LAB_REPORT__COUNT] = {
	[LAB_REPORT_TEXT] = &lab_report_text,
	[LAB_REPORT_TAP] = &lab_report_tap,
	[LAB_REPORT_JUNIT] = &lab_report_junit,
	[LAB_REPORT_GRADESCOPE] = &lab_report_gradescope,
	[LAB_REPORT_TAP13] = &lab_report_tap13,
	[LAB_REPORT_CLASSROOM] = &lab_report_classroom,
};

void lab_report_init(struct lab_report *r, const struct lab *lab,
		     const struct lab_check_result *res, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->lab_id = lab->id;
	r->lab_title = lab->title;
	r->results = res;
	r->nresults = n;
	for (size_t i = 0; i < n; i++) {
		r->score += res[i].score;
		r->max_score += res[i].max_score;
	}
}

int lab_report_write(const struct lab_report *r, enum lab_report_format f, FILE *out)
{
	struct lab_report viewed = *r;
	int ret;

	if ((unsigned)f >= LAB_REPORT__COUNT || (unsigned)r->view >= LAB_VIEW__COUNT)
		return -EINVAL;
	if (viewed.view == LAB_VIEW_AUTO)
		viewed.view = f == LAB_REPORT_TEXT ? LAB_VIEW_STUDENT : LAB_VIEW_INSTRUCTOR;
	ret = lab_reporters[f]->write(&viewed, out);
	return ret < 0 ? ret : lab_fflush(out);
}

static const char *const view_names[LAB_VIEW__COUNT] = {
	[LAB_VIEW_AUTO] = "auto", [LAB_VIEW_STUDENT] = "student",
	[LAB_VIEW_AFTER_DUE] = "after-due", [LAB_VIEW_INSTRUCTOR] = "instructor",
};

int lab_view_parse(const char *name, enum lab_view *out)
{
	for (int v = LAB_VIEW_STUDENT; v < LAB_VIEW__COUNT; v++)
		if (strcmp(view_names[v], name) == 0) {
			*out = (enum lab_view)v;
			return 0;
		}
	return -EINVAL;
}

const char *lab_view_name(enum lab_view v)
{
	return (unsigned)v < LAB_VIEW__COUNT ? view_names[v] : "?";
}

bool lab_report_shows(const struct lab_report *r, const struct lab_check *c)
{
	switch (r->view) {
	case LAB_VIEW_STUDENT:
		return c->visibility == LAB_VISIBLE;
	case LAB_VIEW_AFTER_DUE:
		return c->visibility != LAB_HIDDEN;
	default:
		return true;
	}
}

void lab_report_withheld(const struct lab_report *r, struct lab_withheld *w)
{
	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < r->nresults; i++) {
		const struct lab_check_result *res = &r->results[i];

		if (lab_report_shows(r, res->check))
			continue;
		w->count++;
		w->passed += res->status == LAB_PASS;
		w->score += res->score;
		w->max_score += res->max_score;
	}
}

int lab_fflush(FILE *out)
{
	if (fflush(out) != 0)
		return errno ? -errno : -EIO;   /* ENOSPC says more than EIO */
	return ferror(out) ? -EIO : 0;
}

int lab_report_format_parse(const char *name, enum lab_report_format *out)
{
	for (int f = 0; f < LAB_REPORT__COUNT; f++) {
		if (strcmp(lab_reporters[f]->name, name) == 0) {
			*out = (enum lab_report_format)f;
			return 0;
		}
	}
	return -EINVAL;
}

/* seconds as "1.250" whatever LC_NUMERIC says. */
static void seconds_text(double seconds, char buf[32])
{
	unsigned long long ms = seconds > 0 ? (unsigned long long)(seconds * 1000 + 0.5) : 0;

	snprintf(buf, 32, "%llu.%03llu", ms / 1000, ms % 1000);
}

void lab_fput_seconds(FILE *out, double seconds)
{
	char buf[32];

	seconds_text(seconds, buf);
	fputs(buf, out);
}

void lab_report_test_name(const struct lab_check *c, char *buf, size_t len)
{
	if (!c->name || strcmp(c->name, c->id) == 0)
		snprintf(buf, len, "%s", c->id);
	else
		snprintf(buf, len, "%s: %s", c->id, c->name);
}

/* Length of the valid UTF-8 sequence at s (1-4, at most avail bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

enum esc { ESC_YAML, ESC_XML, ESC_XML_ATTR, ESC_TEXT };

/* Write s[0..n) for one kind of output; invalid UTF-8 and unwanted control bytes become \xNN. */
static void put_escaped(FILE *out, const char *s, size_t n, enum esc e)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		size_t len = utf8_len(p, (size_t)(end - p));
		unsigned char c = *p;

		if (len == 0) {
			fprintf(out, e == ESC_YAML ? "\\\\x%02x" : "\\x%02x", *p++);
			continue;
		}
		if (len > 1) {
			fwrite(p, 1, len, out);
			p += len;
			continue;
		}
		p++;
		if (e == ESC_YAML) {  /* YAML double-quoted: the escapes TAP13 YAMLish reads too */
			if (c == '"' || c == '\\')
				fprintf(out, "\\%c", c);
			else if (c == '\n')
				fputs("\\n", out);
			else if (c == '\t')
				fputs("\\t", out);
			else if (c == '\r')
				fputs("\\r", out);
			else if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\x%02x", c);
			else
				fputc(c, out);
			continue;
		}
		if (e != ESC_TEXT && (c == '<' || c == '>' || c == '&' || c == '"' || c == '\'')) {
			fputs(c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" :
			      c == '"' ? "&quot;" : "&apos;", out);
			continue;
		}
		if (e == ESC_XML_ATTR && (c == '\n' || c == '\t' || c == '\r')) {
			fprintf(out, "&#%d;", c);
			continue;
		}
		if (e == ESC_XML && c == '\r') {
			fputs("&#13;", out);
			continue;
		}
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

void lab_fput_yaml_string(FILE *out, const char *s)
{
	fputc('"', out);
	put_escaped(out, s ? s : "", s ? strlen(s) : 0, ESC_YAML);
	fputc('"', out);
}

void lab_fput_xml(FILE *out, const char *s, bool attribute)
{
	put_escaped(out, s ? s : "", s ? strlen(s) : 0, attribute ? ESC_XML_ATTR : ESC_XML);
}

void lab_fput_text(FILE *out, const char *s, size_t n)
{
	put_escaped(out, s, n, ESC_TEXT);
}

/* ---- JSON through json-c ------------------------------------------------------------------- */

struct json_object *lab_json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *end = p + strlen((const char *)p);
	struct json_object *o;
	char *clean = malloc(4 * (size_t)(end - p) + 1), *q = clean;

	if (!clean)
		return NULL;
	while (p < end) {   /* json-c escapes; it does not check that the text is UTF-8 */
		size_t len = utf8_len(p, (size_t)(end - p));

		if (len == 0) {
			q += sprintf(q, "\\x%02x", *p++);
			continue;
		}
		memcpy(q, p, len);
		q += len;
		p += len;
	}
	*q = '\0';
	o = json_object_new_string(clean);
	free(clean);
	return o;
}

struct json_object *lab_json_seconds(double seconds)
{
	char buf[32];

	seconds_text(seconds, buf);
	return json_object_new_double_s(seconds, buf);
}

int lab_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!obj || !val || json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int lab_json_append(struct json_object *array, struct json_object *val)
{
	if (!array || !val || json_object_array_add(array, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int lab_json_write(struct json_object *doc, FILE *out)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
		JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!text)
		return -ENOMEM;
	fputs(text, out);
	fputc('\n', out);
	return lab_fflush(out);
}
