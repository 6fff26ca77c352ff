/* The "sms" job kind: delivers one message (payload { sid }) through the SMS
 * provider, paced to its workspace's A2P campaign (domain/messaging.h). A
 * message whose slot is near waits for it here; one whose slot is far, or
 * whose workspace has used the day's segments, is put back in the queue for
 * then (ERR_LIMITED: not an attempt), and so is one that the compliance
 * gate's delivery re-check defers to the recipient's quiet-hours window
 * opening; each such wait is marked with what it waits for (bg_jobs.held_for,
 * store/messages.h), so that raising the campaign's limits wakes only the
 * ones held by the pacing or the cap. Vendor errors retry with the queue's
 * backoff. */
#ifndef SB_JOBS_SMS_H
#define SB_JOBS_SMS_H

#include "core/err.h"
#include "jobs/worker.h"
#include "store/queue.h"

#define SMS_JOB_MAX_WAIT_US 1000000  /* longest wait for a slot inside the job */

enum err job_sms_run(const struct job_services *svc, const struct bg_job *j, struct err_detail *d);

/* The "sms_reconcile" job kind (payload { sid }): asks the vendor how
 * message sid ended, its status callbacks having been lost, and applies the
 * answer (domain/messaging.h, messaging_reconcile). Vendor errors retry with
 * the queue's backoff; the scheduler queues these jobs. */
enum err job_sms_reconcile_run(const struct job_services *svc, const struct bg_job *j, struct err_detail *d);

#endif
