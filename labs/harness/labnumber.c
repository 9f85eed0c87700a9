/* labnumber.c - every number of a lab file written whole.
 *
 * libcyaml reads integers with strtoll/strtoull and stops at the first character that is
 * not a digit: "points: 12abc" was 12, "2.5" was 2, "address: 0x10010zz" 0x10010, and an
 * unsigned "-1" the largest value.  After libcyaml has loaded the file, each scalar the
 * schema reads as an integer is looked at as it was written: decimal without a leading 0,
 * or 0x and hex digits, nothing before or after.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labdiag.h"
#include "labschema.h"

/* The schema value at path ("checks.3.register.equals"), or NULL. */
static const cyaml_schema_value_t *value_at(const cyaml_schema_value_t *v, const char *path)
{
	const char *p = path;

	while (v && *p) {
		size_t n = strcspn(p, ".");
		const cyaml_schema_field_t *f;

		if (v->type == CYAML_SEQUENCE || v->type == CYAML_SEQUENCE_FIXED) {
			v = v->sequence.entry;
		} else if (v->type == CYAML_MAPPING) {
			for (f = v->mapping.fields; f->key; f++)
				if (strlen(f->key) == n && strncmp(f->key, p, n) == 0)
					break;
			v = f->key ? &f->value : NULL;
		} else {
			return NULL;
		}
		p += n;
		p += *p == '.';
	}
	return v;
}

/* "42", "0", "0x2a": whole, and in the form labs/README.md gives. */
static bool whole_number(const char *s, bool sign)
{
	if (sign && *s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (!*s)
			return false;
		while (isxdigit((unsigned char)*s))
			s++;
		return !*s;
	}
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	return !*s;
}

int lab_numbers_check(const struct lab_locs *locs, const cyaml_schema_value_t *schema,
		      struct lab_diag *d)
{
	for (size_t i = 0; i < locs->n; i++) {
		const struct lab_loc *l = &locs->v[i];
		const cyaml_schema_value_t *v;
		const char *key;
		char what[128];

		if (!l->scalar)
			continue;
		v = value_at(schema, l->path);
		if (!v || (v->type != CYAML_UINT && v->type != CYAML_INT) ||
		    whole_number(l->scalar, v->type == CYAML_INT))
			continue;
		key = strrchr(l->path, '.') ? strrchr(l->path, '.') + 1 : l->path;
		lab_schema_describe(v, what, sizeof(what));
		return lab_diag_at(d, l->path, false, "wrong value for '%s': expected %s%s, got "
				   "'%.80s'", key, what, l->scalar[0] == '0' && isdigit(
				   (unsigned char)l->scalar[1]) ? " without a leading 0 (octal is "
				   "not read)" : "", l->scalar);
	}
	return 0;
}
