/* service.c - `kvmlab serve`'s HTTP side: routes, tokens, uploads and their limits (service.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service_int.h"

#define MAX_LIST 2000

struct req {
	bool upload;
	int fd;
	char tmp[PATH_MAX];
	uint64_t bytes;
	bool too_big;
	const struct lab_service_course *course;
	const struct lab_service_lab *lab;
	char student[128];
};

const struct lab_service_lab *lab_service_find_lab(const struct lab_service *s, const char *id)
{
	size_t n = strlen(id);

	if (!n || n > 100)
		return NULL;
	for (size_t i = 0; i < s->c.nlabs; i++)
		if (strcmp(s->labs[i].id, id) == 0 ||
		    (strncmp(s->labs[i].id, id, n) == 0 && s->labs[i].id[n] == '-'))
			return &s->labs[i];
	return NULL;
}

/* ---- responses ------------------------------------------------------------ */

static enum MHD_Result send_buf(struct MHD_Connection *conn, unsigned code, const char *type,
				char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (strncmp(type, "text/html", 9) == 0)
		MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'; "
					"style-src 'unsafe-inline'; form-action 'self'");
	if (code == 429)
		MHD_add_response_header(r, "Retry-After", "60");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned code, json_object *o)
{
	char *text = o ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE)) : NULL;
	size_t len = text ? strlen(text) : 0;

	json_object_put(o);
	return send_buf(conn, code, "application/json", text, len);
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned code, const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	return send_json(conn, code, o);
}

static enum MHD_Result send_redirect(struct MHD_Connection *conn, const char *to,
				     const char *cookie)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"",
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Location", to);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	ret = MHD_queue_response(conn, 303, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- tokens ----------------------------------------------------------------- */

static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < lb; i++)
		d |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
	return d == 0;
}

static const struct lab_service_course *by_token(const struct lab_service *s, const char *tok)
{
	const struct lab_service_course *found = NULL;

	if (!tok || !*tok || strlen(tok) > 200)
		return NULL;
	for (size_t i = 0; i < s->c.ncourses; i++)   /* every token compared: no early exit */
		if (same(tok, s->courses[i].token))
			found = &s->courses[i];
	return found;
}

/* The course of the request's bearer token. */
static const struct lab_service_course *api_course(const struct lab_service *s,
						    struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");

	if (!h || strncmp(h, "Bearer ", 7) != 0)
		return NULL;
	return by_token(s, h + 7);
}

/* The course named in a page's path, when the request's cookie holds its token. */
static const struct lab_service_course *page_course(const struct lab_service *s,
						     struct MHD_Connection *conn, const char *name)
{
	const struct lab_service_course *c =
		by_token(s, MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "kvmlab_token"));

	return c && strcmp(c->name, name) == 0 ? c : NULL;
}

/* ---- submissions --------------------------------------------------------------- */

static json_object *sub_json(struct lab_service *s, const struct lab_queue_sub *sub, bool checks)
{
	json_object *o = json_object_new_object();
	char url[128];

	json_object_object_add(o, "id", json_object_new_int64(sub->id));
	json_object_object_add(o, "course", json_object_new_string(sub->course));
	json_object_object_add(o, "lab", json_object_new_string(sub->lab));
	json_object_object_add(o, "student", json_object_new_string(sub->student));
	json_object_object_add(o, "state", json_object_new_string(lab_queue_state_name(sub->state)));
	json_object_object_add(o, "attempts", json_object_new_int((int)sub->attempts));
	json_object_object_add(o, "created", json_object_new_double(sub->created));
	if (sub->started > 0)
		json_object_object_add(o, "started", json_object_new_double(sub->started));
	if (sub->state == LAB_QUEUE_DONE) {
		struct lab_queue_check c[128];
		size_t n = 0;

		json_object_object_add(o, "finished", json_object_new_double(sub->finished));
		json_object_object_add(o, "score", json_object_new_int((int)sub->score));
		json_object_object_add(o, "max", json_object_new_int((int)sub->max));
		json_object_object_add(o, "status", json_object_new_string(sub->status));
		json_object_object_add(o, "reason", json_object_new_string(sub->reason));
		snprintf(url, sizeof(url), "/api/v1/submissions/%lld/report", (long long)sub->id);
		json_object_object_add(o, "report", json_object_new_string(url));
		if (checks && lab_queue_checks(s->q, sub->id, c, 128, &n) == 0) {
			json_object *a = json_object_new_array();

			for (size_t i = 0; i < n; i++) {
				json_object *x = json_object_new_object();

				json_object_object_add(x, "name", json_object_new_string(c[i].name));
				json_object_object_add(x, "score", json_object_new_double(c[i].score));
				json_object_object_add(x, "max", json_object_new_double(c[i].max));
				json_object_object_add(x, "passed", json_object_new_boolean(c[i].passed));
				json_object_array_add(a, x);
			}
			json_object_object_add(o, "checks", a);
		}
	}
	return o;
}

static unsigned upload_begin(struct lab_service *s, struct MHD_Connection *conn, struct req *r,
			     const char **msg)
{
	const char *lab = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lab");
	const char *student = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "student");
	const char *clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	unsigned n;

	r->upload = true;
	r->course = api_course(s, conn);
	if (!r->course)
		return *msg = "no token, or not a course's token (Authorization: Bearer TOKEN)", 401;
	r->lab = lab ? lab_service_find_lab(s, lab) : NULL;
	if (!r->lab)
		return *msg = "lab=LAB: not a lab this service grades", 400;
	if (!student || !lab_archive_id_ok(student))
		return *msg = "student=ID: 1-127 letters, digits and . - @ + (not starting with .)", 400;
	snprintf(r->student, sizeof(r->student), "%s", student);
	if (clen && strtoull(clen, NULL, 10) > s->c.max_upload)
		return *msg = "the archive is larger than this service's upload limit", 413;
	if (lab_queue_count_since(s->q, r->course->name, student, (double)time(NULL) - 60, &n) < 0)
		return *msg = "the queue cannot be read", 500;
	if (n >= s->c.rate_per_min)
		return *msg = "too many submissions from this student in the last minute", 429;
	if (lab_queue_count_queued(s->q, r->course->name, &n) < 0)
		return *msg = "the queue cannot be read", 500;
	if (n >= s->c.max_queued)
		return *msg = "the course's queue is full: try again later", 503;
	snprintf(r->tmp, sizeof(r->tmp), "%.3900s/uploads/.part-XXXXXX", s->data_dir);
	r->fd = mkstemp(r->tmp);
	if (r->fd < 0)
		return *msg = "the upload cannot be stored", 500;
	return 0;
}

static enum MHD_Result upload_end(struct lab_service *s, struct MHD_Connection *conn,
				  struct req *r)
{
	char final[PATH_MAX + 8], *slash;
	struct lab_queue_sub sub;
	int64_t id;

	if (r->too_big)
		return send_error(conn, 413, "the archive is larger than this service's upload limit");
	if (r->bytes == 0)
		return send_error(conn, 400, "the body is empty: send the archive");
	if (fsync(r->fd) < 0 || close(r->fd) < 0) {
		r->fd = -1;
		return send_error(conn, 500, "the upload cannot be stored");
	}
	r->fd = -1;
	snprintf(final, sizeof(final), "%s", r->tmp);
	slash = strrchr(final, '/');
	memcpy(slash + 1, "a-", 2);
	memmove(slash + 3, slash + 7, strlen(slash + 7) + 1);   /* ".part-XXXXXX" -> "a-XXXXXX" */
	if (rename(r->tmp, final) < 0)
		return send_error(conn, 500, "the upload cannot be stored");
	r->tmp[0] = '\0';
	if (lab_queue_submit(s->q, r->course->name, r->lab->id, r->student, final, &id) < 0 ||
	    lab_queue_get(s->q, r->course->name, id, &sub) < 0) {
		unlink(final);
		return send_error(conn, 500, "the queue cannot be written");
	}
	lab_service_workers_wake(s);
	return send_json(conn, 201, sub_json(s, &sub, false));
}

static bool parse_id(const char *p, int64_t *id, const char **rest)
{
	char *end;
	long long v;

	if (*p < '1' || *p > '9')
		return false;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || v <= 0 || end - p > 15)
		return false;
	*id = v;
	*rest = end;
	return true;
}

static enum MHD_Result api(struct lab_service *s, struct MHD_Connection *conn, const char *url,
			   const char *method)
{
	const struct lab_service_course *c;
	const char *rest;
	struct lab_queue_sub sub;
	int64_t id, nid;

	if (strcmp(url, "/api/v1/health") == 0 && strcmp(method, "GET") == 0) {
		unsigned n[3];
		json_object *o = json_object_new_object();

		if (lab_queue_counts(s->q, n) < 0) {
			json_object_put(o);
			return send_error(conn, 500, "the queue cannot be read");
		}
		json_object_object_add(o, "queued", json_object_new_int((int)n[0]));
		json_object_object_add(o, "running", json_object_new_int((int)n[1]));
		json_object_object_add(o, "done", json_object_new_int((int)n[2]));
		return send_json(conn, 200, o);
	}
	c = api_course(s, conn);
	if (!c)
		return send_error(conn, 401, "no token, or not a course's token "
				  "(Authorization: Bearer TOKEN)");
	if (strcmp(url, "/api/v1/results") == 0 && strcmp(method, "GET") == 0) {
		const char *labq = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lab");
		const struct lab_service_lab *lab = labq ? lab_service_find_lab(s, labq) : NULL;
		struct lab_queue_sub *subs;
		json_object *a;
		size_t n;

		if (labq && !lab)
			return send_error(conn, 400, "lab=LAB: not a lab this service grades");
		subs = malloc(MAX_LIST * sizeof(*subs));
		if (!subs || lab_queue_list(s->q, c->name, lab ? lab->id : NULL, true, LAB_QUEUE_DONE,
					    subs, MAX_LIST, &n) < 0) {
			free(subs);
			return send_error(conn, 500, "the queue cannot be read");
		}
		a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, sub_json(s, &subs[i], true));
		free(subs);
		return send_json(conn, 200, a);
	}
	if (strncmp(url, "/api/v1/submissions/", 20) != 0 || !parse_id(url + 20, &id, &rest))
		return send_error(conn, 404, "no such resource");
	if (lab_queue_get(s->q, c->name, id, &sub) < 0)
		return send_error(conn, 404, "no such submission in this course");
	if (*rest == '\0' && strcmp(method, "GET") == 0)
		return send_json(conn, 200, sub_json(s, &sub, true));
	if (strcmp(rest, "/report") == 0 && strcmp(method, "GET") == 0) {
		static const char *const names[4] = { "text", "tap", "junit", "gradescope" };
		static const char *const types[4] = { "text/plain; charset=utf-8",
						      "text/plain; charset=utf-8",
						      "application/xml", "application/json" };
		const char *f = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "format");
		char *text;
		int k;

		for (k = 0; k < 4 && strcmp(f ? f : "text", names[k]) != 0; k++)
			;
		if (k == 4)
			return send_error(conn, 400, "format=F: text, tap, junit or gradescope");
		if (sub.state != LAB_QUEUE_DONE)
			return send_error(conn, 409, "not graded yet: poll the submission's state");
		if (lab_queue_report(s->q, c->name, id, k, &text) < 0)
			return send_error(conn, 500, "the report cannot be read");
		return send_buf(conn, 200, types[k], text, strlen(text));
	}
	if (strcmp(rest, "/regrade") == 0 && strcmp(method, "POST") == 0) {
		if (lab_queue_regrade(s->q, c->name, id, &nid) < 0 ||
		    lab_queue_get(s->q, c->name, nid, &sub) < 0)
			return send_error(conn, 500, "the queue cannot be written");
		lab_service_workers_wake(s);
		return send_json(conn, 201, sub_json(s, &sub, false));
	}
	return send_error(conn, 405, "not a method this resource takes");
}

/* /course/NAME[/histogram.svg|/checks.svg|/regrade/N] */
static enum MHD_Result page(struct lab_service *s, struct MHD_Connection *conn, const char *url,
			    const char *method)
{
	const char *name = url + 8, *slash = strchr(name, '/');
	const char *key = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "key");
	const char *labq = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lab");
	const struct lab_service_lab *lab = labq ? lab_service_find_lab(s, labq) : NULL;
	const struct lab_service_course *c;
	char cname[64], to[256], *text = NULL;
	size_t len = 0, nl = slash ? (size_t)(slash - name) : strlen(name);
	FILE *f;
	int ret;

	if (nl == 0 || nl >= sizeof(cname))
		return send_error(conn, 404, "no such course");
	memcpy(cname, name, nl);
	cname[nl] = '\0';
	if (key && !slash) {   /* the instructor's link: the token into a cookie, then away */
		char cookie[400];

		c = by_token(s, key);
		if (!c || strcmp(c->name, cname) != 0)
			return send_error(conn, 401, "not this course's token");
		snprintf(cookie, sizeof(cookie), "kvmlab_token=%s; Path=/course/%s; HttpOnly; "
			 "SameSite=Strict", c->token, c->name);
		snprintf(to, sizeof(to), "/course/%s", c->name);
		return send_redirect(conn, to, cookie);
	}
	c = page_course(s, conn, cname);
	if (!c)
		return send_error(conn, 401, "open /course/NAME?key=TOKEN once to sign in");
	if (slash && strncmp(slash, "/regrade/", 9) == 0 && strcmp(method, "POST") == 0) {
		const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
		const char *rest;
		int64_t id, nid;

		if (site && strcmp(site, "same-origin") != 0)
			return send_error(conn, 403, "a re-grade comes from this service's own page");
		if (!parse_id(slash + 9, &id, &rest) || *rest ||
		    lab_queue_regrade(s->q, c->name, id, &nid) < 0)
			return send_error(conn, 404, "no such submission in this course");
		lab_service_workers_wake(s);
		snprintf(to, sizeof(to), "/course/%s%s%s", c->name, lab ? "?lab=" : "",
			 lab ? lab->id : "");
		return send_redirect(conn, to, NULL);
	}
	if (strcmp(method, "GET") != 0)
		return send_error(conn, 405, "not a method this resource takes");
	f = open_memstream(&text, &len);
	if (!f)
		return send_error(conn, 500, "out of memory");
	if (!slash)
		ret = lab_service_page(s, c->name, lab ? lab->id : NULL, f);
	else if (strcmp(slash, "/histogram.svg") == 0)
		ret = lab_service_histogram_svg(s, c->name, lab ? lab->id : NULL, f);
	else if (strcmp(slash, "/checks.svg") == 0)
		ret = lab_service_checks_svg(s, c->name, lab ? lab->id : NULL, f);
	else
		ret = -ENOENT;
	fclose(f);
	if (ret < 0) {
		free(text);
		return send_error(conn, ret == -ENOENT ? 404 : 500, ret == -ENOENT ?
				  "no such page" : "the queue cannot be read");
	}
	return send_buf(conn, 200, slash ? "image/svg+xml" : "text/html; charset=utf-8", text, len);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *size, void **ctx)
{
	struct lab_service *s = cls;
	struct req *r = *ctx;

	(void)version;
	if (!r) {
		const char *msg = NULL;
		unsigned code;

		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->fd = -1;
		*ctx = r;
		if (strcmp(method, "POST") != 0 || strcmp(url, "/api/v1/submissions") != 0) {
			if (strncmp(url, "/api/", 5) == 0)
				return api(s, conn, url, method);
			if (strncmp(url, "/course/", 8) == 0)
				return page(s, conn, url, method);
			return send_error(conn, 404, "no such resource (the API is under /api/v1, "
					  "the instructor's page under /course/NAME)");
		}
		code = upload_begin(s, conn, r, &msg);
		return code ? send_error(conn, code, msg) : MHD_YES;
	}
	if (!r->upload)
		return MHD_YES;   /* the body of a request already answered: dropped */
	if (*size) {
		if (!r->too_big && r->bytes + *size > s->c.max_upload)
			r->too_big = true;
		if (!r->too_big) {
			for (size_t off = 0; off < *size;) {
				ssize_t w = write(r->fd, data + off, *size - off);

				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0)
					return MHD_NO;
				off += (size_t)w;
			}
		}
		r->bytes += *size;
		*size = 0;
		return MHD_YES;
	}
	if (r->fd < 0)
		return MHD_YES;
	return upload_end(s, conn, r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **ctx,
		      enum MHD_RequestTerminationCode why)
{
	struct req *r = *ctx;

	(void)cls;
	(void)conn;
	(void)why;
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->tmp[0])
		unlink(r->tmp);
	free(r);
	*ctx = NULL;
}

int lab_service_start(const struct lab_service_config *c, struct lab_service **out, char *err,
		      size_t errlen)
{
	struct lab_service *s = calloc(1, sizeof(*s));
	struct sockaddr_in addr = { .sin_family = AF_INET };
	char up[PATH_MAX + 16];
	const union MHD_DaemonInfo *info;
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->c = *c;
	snprintf(s->data_dir, sizeof(s->data_dir), "%s", c->data_dir);
	snprintf(s->grader, sizeof(s->grader), "%s", c->grader);
	snprintf(s->db_path, sizeof(s->db_path), "%.4000s/queue.db", c->data_dir);
	snprintf(up, sizeof(up), "%.4000s/uploads", c->data_dir);
	s->labs = malloc((c->nlabs + 1) * sizeof(*s->labs));
	s->courses = malloc((c->ncourses + 1) * sizeof(*s->courses));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (!s->labs || !s->courses) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	memcpy(s->labs, c->labs, c->nlabs * sizeof(*s->labs));
	memcpy(s->courses, c->courses, c->ncourses * sizeof(*s->courses));
	if (inet_pton(AF_INET, c->bind ? c->bind : "127.0.0.1", &addr.sin_addr) != 1) {
		ret = -EINVAL;
		snprintf(err, errlen, "--bind %s: not an IPv4 address", c->bind);
		goto fail;
	}
	addr.sin_port = htons((uint16_t)c->port);
	if ((mkdir(c->data_dir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(up, 0700) < 0 && errno != EEXIST)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", up, strerror(-ret));
		goto fail;
	}
	ret = lab_queue_open(s->db_path, true, &s->q);
	if (ret < 0) {
		snprintf(err, errlen, "the queue %s: %s", s->db_path,
			 s->q ? lab_queue_error(s->q) : strerror(-ret));
		goto fail;
	}
	ret = lab_service_workers_start(s, err, errlen);
	if (ret < 0)
		goto fail;
	s->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, handle, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_NOTIFY_COMPLETED, completed, s,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
				MHD_OPTION_END);
	if (!s->d) {
		ret = -EADDRINUSE;
		snprintf(err, errlen, "cannot listen on %s:%u (in use, or not an address of this "
			 "machine)", c->bind ? c->bind : "127.0.0.1", c->port);
		goto fail;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : c->port;
	*out = s;
	return 0;
fail:
	lab_service_stop(s);
	return ret;
}

unsigned lab_service_port(const struct lab_service *s)
{
	return s->port;
}

void lab_service_stop(struct lab_service *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	lab_service_workers_stop(s);
	lab_queue_close(s->q);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s->labs);
	free(s->courses);
	free(s);
}
