/* obs_fdmap.h - which of a program's fds are which KVM object (observe.c's bookkeeping). */
#pragma once

struct obs_obj;

/* fds beyond this are never KVM objects for kvmlab (they are looked up again each time) */
#define OBS_FDMAP_MAX (1 << 20)

struct obs_fdmap {
	struct obs_obj **obj;
	int len;
};

/* The object of fd, or NULL. */
struct obs_obj *obs_fdmap_get(const struct obs_fdmap *m, int fd);

/* Bind fd to x (NULL: forget it); 0 or -ENOMEM/-EBADF. */
int obs_fdmap_set(struct obs_fdmap *m, int fd, struct obs_obj *x);

/* Forget fds first..last (close_range). */
void obs_fdmap_clear_range(struct obs_fdmap *m, unsigned first, unsigned last);

/* dst becomes a copy of src (a forked child's table); 0 or -ENOMEM. */
int obs_fdmap_copy(struct obs_fdmap *dst, const struct obs_fdmap *src);

void obs_fdmap_free(struct obs_fdmap *m);
