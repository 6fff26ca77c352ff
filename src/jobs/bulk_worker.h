/* Worker threads for bulk and export jobs (store/bulk.h): each claims a job
 * with a lease and runs it: a bulk job chunk by chunk (domain/bulk.h), an
 * export by streaming rows into the blob store (jobs/bulk_export.h). A job
 * whose worker died (crash, kill -9) is taken over when its lease runs out and
 * resumes after its last committed chunk. */
#ifndef SB_JOBS_BULK_WORKER_H
#define SB_JOBS_BULK_WORKER_H

#include <stdbool.h>

#include "core/config.h"
#include "core/err.h"

struct bulk_workers;

/* Starts cfg->bulk_workers threads (cfg borrowed; must outlive them). */
enum err bulk_workers_start(const struct config *cfg, struct bulk_workers **out, struct err_detail *d);
/* Asks every thread to stop after its current chunk, gives running jobs back, joins. NULL is fine. */
void bulk_workers_stop(struct bulk_workers *w);
/* True once bulk_workers_stop was asked (a long export checks it between rows and gives its job back). */
bool bulk_workers_stopping(void);
/* Wakes idle workers now (a job was just created). Safe from any thread, before start or after stop too. */
void bulk_workers_kick(void);

#endif
