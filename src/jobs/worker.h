/* The job worker: a thread that claims due jobs from the durable queue and
 * runs them by kind; failures retry with exponential backoff and jitter, a
 * job that keeps failing ends as `failed` with its last error. */
#ifndef SB_JOBS_WORKER_H
#define SB_JOBS_WORKER_H

#include <stdbool.h>

#include "core/config.h"
#include "core/err.h"
#include "providers/email.h"
#include "store/queue.h"

/* The queue's one limit: a job that has failed this many attempts is given up
 * (ERR_INVALID gives up at once). Job kinds that must say "failed for good"
 * themselves ask job_last_attempt, never a copy of the number. */
#define JOB_MAX_ATTEMPTS 8

struct job_worker;
struct telephony;
struct sms_provider;

/* Services jobs may use (borrowed; must outlive the worker). */
struct job_services {
	const struct config *cfg;
	struct email_provider *email;
	struct telephony *tel;     /* outbound legs ("dial" jobs); NULL: those jobs wait and retry */
	struct sms_provider *sms;  /* outbound messages ("sms" jobs); NULL: those jobs wait and retry */
};

enum err job_worker_start(const struct job_services *svc, struct job_worker **out, struct err_detail *d);
/* Stops after the job in hand (if any) finishes; NULL is fine. */
void job_worker_stop(struct job_worker *w);
/* Whether j's current attempt is its last: a retryable failure now is final. */
static inline bool job_last_attempt(const struct bg_job *j)
{
	return j->attempts >= JOB_MAX_ATTEMPTS;
}

/* Delay before retry n (1-based), with +-25% jitter, capped at one hour. */
int64_t job_backoff_ms(int64_t attempt, unsigned random);

#endif
