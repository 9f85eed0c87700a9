/* service_int.h - what the grading service's files share (service.h is the interface). */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "queue.h"
#include "service.h"

struct MHD_Daemon;

struct lab_service {
	struct lab_service_config c;
	char data_dir[PATH_MAX];
	char db_path[PATH_MAX + 16];
	char grader[PATH_MAX];
	struct lab_service_lab *labs;
	struct lab_service_course *courses;
	struct lab_queue *q;                 /* the HTTP thread's connection */
	struct MHD_Daemon *d;
	unsigned port;
	pthread_t workers[64];
	pid_t running[64];                   /* the grader each worker waits for, or 0 */
	unsigned nworkers;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	volatile bool stopping;
};

/* Workers (service_worker.c). */
int lab_service_workers_start(struct lab_service *s, char *err, size_t errlen);
void lab_service_workers_wake(struct lab_service *s);
void lab_service_workers_stop(struct lab_service *s);

/* The instructor's page and its pictures (service_page.c), written to f. */
int lab_service_page(struct lab_service *s, const char *course, const char *lab, FILE *f);
int lab_service_histogram_svg(struct lab_service *s, const char *course, const char *lab, FILE *f);
int lab_service_checks_svg(struct lab_service *s, const char *course, const char *lab, FILE *f);

/* The lab an id names (exact, or its number prefix: "04"), or NULL. */
const struct lab_service_lab *lab_service_find_lab(const struct lab_service *s, const char *id);

/* Text escaped for HTML. */
void lab_service_html(FILE *f, const char *s);
