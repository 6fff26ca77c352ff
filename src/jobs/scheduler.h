/* The scheduler: a thread that, every `scheduler-ms`, sends the SLA notices
 * that have come due (domain/sla_policy.h). Its state is in the database, so a
 * restart neither misses nor repeats a notice, and several processes may run one.
 * It also queues the reconcile of SMS delivery receipts that never came
 * (messaging_reconcile_queue: messages quiet for `sms-reconcile-after-sec`,
 * younger than `sms-reconcile-max-age-hours`) and checkpoints the SQLite
 * write-ahead log, off the request threads. */
#ifndef SB_JOBS_SCHEDULER_H
#define SB_JOBS_SCHEDULER_H

#include "core/config.h"
#include "core/err.h"

struct scheduler;

enum err scheduler_start(const struct config *cfg, struct scheduler **out, struct err_detail *d);
void scheduler_stop(struct scheduler *s);

#endif
