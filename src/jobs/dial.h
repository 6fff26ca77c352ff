/* The "dial" job kind: places a click-to-call leg through the telephony
 * provider (domain/dialer.h); the worker retries it on vendor errors. */
#ifndef SB_JOBS_DIAL_H
#define SB_JOBS_DIAL_H

#include "core/err.h"
#include "jobs/worker.h"
#include "store/queue.h"

/* Runs one dial job (payload { stage, sid, customer, parent?, deadline? }). */
enum err job_dial_run(const struct job_services *svc, const struct bg_job *j, struct err_detail *d);

#endif
