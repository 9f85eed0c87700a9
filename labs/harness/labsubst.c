/* labsubst.c - text the grader replaces in its copy of a submission's file before building
 * (program runs' `substitute:`, and the examples of a lab's `tests:` block). */
#include "labsubst.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labbuf.h"

int lab_write_text(const char *path, const char *text)
{
	FILE *f = text ? fopen(path, "we") : NULL;
	int ret = 0;

	if (!f || fputs(text, f) < 0)
		ret = -EIO;
	if (f && fclose(f) != 0)
		ret = -EIO;
	return ret;
}

int lab_substitute_apply(const struct lab_substitute *subs, unsigned n, const char *dir, char *err,
			 size_t errlen)
{
	for (unsigned i = 0; i < n; i++) {
		const struct lab_substitute *sb = &subs[i];
		char path[PATH_MAX * 2], *to = strdup(sb->to), *text = NULL;
		struct labbuf out = { 0 };
		size_t len = 0, nfrom = strlen(sb->from);
		const char *p, *hit;
		FILE *f;
		bool found = false;
		int ret = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, sb->file);
		f = fopen(path, "re");
		if (f) {
			text = NULL;
			if (getdelim(&text, &len, '\0', f) < 0) {
				free(text);
				text = NULL;
			}
			fclose(f);
		}
		if (!text || !to) {
			snprintf(err, errlen, "%s: %s", sb->file, strerror(errno ? errno : ENOMEM));
			free(text);
			free(to);
			return -ENOENT;
		}
		for (p = text; (hit = strstr(p, sb->from)); p = hit + nfrom) {
			labbuf_add(&out, p, (size_t)(hit - p));
			labbuf_puts(&out, to);
			found = true;
		}
		labbuf_puts(&out, p);
		free(text);
		free(to);
		if (!found) {
			labbuf_release(&out);
			snprintf(err, errlen, "%s does not have '%s'", sb->file, sb->from);
			return -ENOENT;
		}
		text = labbuf_take(&out);
		ret = lab_write_text(path, text);
		free(text);
		if (ret < 0) {
			snprintf(err, errlen, "%s: cannot write the grader's copy", sb->file);
			return ret;
		}
	}
	return 0;
}
