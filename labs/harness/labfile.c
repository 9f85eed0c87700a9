/* labfile.c - load a lab.yaml: read, index, schema-load with libcyaml, validate. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"
#include "labfile.h"
#include "labtemplate.h"
#include "labschema.h"

#define MAX_FILE_SIZE (1u << 20)

static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int ret = 0;

	if (!f)
		return -errno;
	buf = malloc(MAX_FILE_SIZE + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, MAX_FILE_SIZE + 1, f);
	if (ferror(f))
		ret = -EIO;
	else if (n > MAX_FILE_SIZE)
		ret = -EFBIG;
	fclose(f);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

char *lab_path_join(const char *dir, const char *rel)
{
	if (!dir || !*dir)
		return strdup(rel);
	return lab_strdupf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", rel);
}

bool lab_path_inside(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		p += *p == '/';
	}
	return true;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Resolve one submission file named at path (YAML path) into *out; -ENOENT if missing. */
static int resolve(struct lab_diag *d, const char *dir, const char *name, const char *ypath,
		   const char *what, char **out)
{
	char *p;

	if (!lab_path_inside(name))
		return lab_diag_at(d, ypath, false,
				   "%s '%s' must be a relative path inside the submission", what, name);
	p = lab_path_join(dir, name);
	if (!p)
		return -ENOMEM;
	if (access(p, R_OK) != 0) {
		int err = errno;

		free(p);
		lab_diag_at(d, ypath, false, "%s '%s' not found in %s: %s", what, name, dir,
			    strerror(err));
		return -ENOENT;
	}
	free(*out);
	*out = p;
	return 0;
}

int lab_resolve_sources(struct lab *lab, const char *dir, char *err, size_t errlen)
{
	struct lab_diag d = { .file = lab->file, .locs = lab->locs, .err = err, .errlen = errlen };
	struct lab_guest *g = &lab->guest;
	char ypath[64];
	int ret;

	if (!g->source_paths) {
		g->source_paths = calloc(g->sources_count + 1, sizeof(char *));
		if (!g->source_paths)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < g->sources_count; i++) {
		snprintf(ypath, sizeof(ypath), "guest.sources.%u", i);
		ret = resolve(&d, dir, g->sources[i], ypath, "guest source", &g->source_paths[i]);
		if (ret < 0)
			return ret;
	}
	if (lab->handlers) {
		ret = resolve(&d, dir, lab->handlers, "handlers", "handlers file",
			      &lab->handlers_path);
		if (ret < 0)
			return ret;
	}
	for (unsigned i = 0; lab->program && i < lab->program->sources_count; i++) {
		char *path = NULL;

		snprintf(ypath, sizeof(ypath), "program.sources.%u", i);
		ret = resolve(&d, dir, lab->program->sources[i], ypath, "source", &path);
		free(path);
		if (ret < 0)
			return ret;
	}
	for (unsigned i = 0; i < lab->checks_count; i++) {   /* answers files: read when checked */
		struct lab_answers_spec *a = lab->checks[i].answers;

		if (!a)
			continue;
		free(a->path);
		a->path = lab_path_join(dir, a->file);
		if (!a->path)
			return -ENOMEM;
	}
	free(lab->submission_dir);
	lab->submission_dir = strdup(dir);
	return lab->submission_dir ? 0 : -ENOMEM;
}

static void free_strv(char **v, unsigned n)
{
	for (unsigned i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void lab_free(struct lab *lab)
{
	if (!lab)
		return;
	if (lab->checks_loaded > lab->checks_count)
		lab->checks_count = lab->checks_loaded;   /* as cyaml_free counts them */
	for (unsigned i = 0; lab->checks && i < lab->checks_count; i++) {
		struct lab_check *c = &lab->checks[i];
		const struct lab_check_ops *ops = (unsigned)c->kind < LAB_CHECK__COUNT ?
						  lab_check_ops[c->kind] : NULL;

		if (ops && ops->release)
			ops->release(c);
	}
	free_strv(lab->guest.source_paths, lab->guest.sources_count);
	free_strv(lab->guest.lab_source_paths, lab->guest.lab_sources_count);
	free(lab->guest.linker_script_path);
	free(lab->file);
	free(lab->dir);
	free(lab->submission_dir);
	free(lab->handlers_path);
	if (lab->locs) {
		lab_locs_free(lab->locs);
		free(lab->locs);
	}
	cyaml_free(&lab_cyaml_config, &lab_schema, lab, 0);
}

int lab_find_check(const struct lab *lab, const char *id)
{
	for (unsigned i = 0; i < lab->checks_count; i++)
		if (strcmp(lab->checks[i].id, id) == 0)
			return (int)i;
	return -1;
}

int lab_load(const char *path, const char *submission_dir, struct lab **out,
	     char *err, size_t errlen)
{
	struct lab_locs *locs = calloc(1, sizeof(*locs));
	struct lab_cylog log;
	struct lab_diag d = { .file = path, .locs = locs, .err = err, .errlen = errlen };
	cyaml_config_t cfg = lab_cyaml_config;
	struct lab *lab = NULL;
	char *text = NULL, msg[256];
	cyaml_err_t cerr;
	size_t len = 0;
	int ret;

	*out = NULL;
	if (!locs)
		return -ENOMEM;
	lab_schema_init();
	ret = read_file(path, &text, &len);
	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 ret == -EFBIG ? "file larger than 1 MiB" : strerror(-ret));
		free(locs);
		return ret;
	}
	{
		char *expanded;

		ret = lab_template_expand(text, len, &expanded, &len, msg, sizeof(msg));
		if (ret < 0) {
			snprintf(err, errlen, "%s%s", path, ret == -EINVAL ? msg : ": out of memory");
			free(locs);
			free(text);
			return ret;
		}
		free(text);
		text = expanded;
	}
	ret = lab_locs_build(text, len, locs, msg, sizeof(msg));
	if (ret < 0) {
		snprintf(err, errlen, "%s:%s", path, msg);
		goto fail;
	}
	textbuf_init(&log.out, log.text, sizeof(log.text));
	cfg.log_fn = lab_cylog_fn;
	cfg.log_ctx = &log;
	cerr = cyaml_load_data((const uint8_t *)text, len, &cfg, &lab_schema, (void **)&lab, NULL);
	if (cerr != CYAML_OK) {
		ret = lab_diag_cyaml(&d, &log, cerr, &lab_schema);
		goto fail;
	}
	if (!lab) {
		snprintf(err, errlen, "%s: empty lab file", path);
		ret = -EINVAL;
		goto fail;
	}
	ret = lab_numbers_check(locs, &lab_schema, &d);
	if (ret < 0)
		goto fail;
	lab->locs = locs;
	locs = NULL;
	lab->file = strdup(path);
	lab->dir = dir_of(path);
	if (!lab->file || !lab->dir) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = lab_validate(lab, &d);
	if (ret == 0 && submission_dir)
		ret = lab_resolve_sources(lab, submission_dir, err, errlen);
	if (ret < 0)
		goto fail;
	free(text);
	*out = lab;
	return 0;
fail:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (locs) {
		lab_locs_free(locs);
		free(locs);
	}
	lab_free(lab);
	free(text);
	return ret;
}
