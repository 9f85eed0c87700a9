/* obs_fdmap.c - fd -> KVM object tables (see obs_fdmap.h). */
#include "obs_fdmap.h"

#include "array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct obs_obj *obs_fdmap_get(const struct obs_fdmap *m, int fd)
{
	return fd >= 0 && fd < m->len ? m->obj[fd] : NULL;
}

int obs_fdmap_set(struct obs_fdmap *m, int fd, struct obs_obj *x)
{
	if (fd < 0 || fd >= OBS_FDMAP_MAX)
		return -EBADF;
	if (fd >= m->len) {
		size_t len = (size_t)m->len;
		struct obs_obj **n;

		if (!x)
			return 0;
		n = vmm_array_grow(m->obj, &len, sizeof(*n), (size_t)fd + 1, 64);
		if (!n)
			return -ENOMEM;
		memset(n + m->len, 0, (len - (size_t)m->len) * sizeof(*n));
		m->obj = n;
		m->len = (int)len;
	}
	m->obj[fd] = x;
	return 0;
}

void obs_fdmap_clear_range(struct obs_fdmap *m, unsigned first, unsigned last)
{
	for (unsigned fd = first; fd <= last && fd < (unsigned)m->len; fd++)
		m->obj[fd] = NULL;
}

int obs_fdmap_copy(struct obs_fdmap *dst, const struct obs_fdmap *src)
{
	dst->obj = NULL;
	dst->len = 0;
	if (!src->len)
		return 0;
	dst->obj = malloc((size_t)src->len * sizeof(*dst->obj));
	if (!dst->obj)
		return -ENOMEM;
	memcpy(dst->obj, src->obj, (size_t)src->len * sizeof(*dst->obj));
	dst->len = src->len;
	return 0;
}

void obs_fdmap_free(struct obs_fdmap *m)
{
	free(m->obj);
	m->obj = NULL;
	m->len = 0;
}
