/* Scheduler thread. */
#include "jobs/scheduler.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/waiter.h"
#include "domain/messaging.h"
#include "domain/sla_policy.h"
#include "store/db.h"

#define RECONCILE_BATCH 200 /* messages queued for a receipt reconcile per tick, at most */

struct scheduler {
	const struct config *cfg;
	pthread_t thread;
	struct waiter wait;
};


static void *loop(void *arg)
{
	struct scheduler *s = arg;
	struct db *db = db_thread();
	log_context_set("scheduler");
	pthread_setname_np(pthread_self(), "sb-scheduler");
	while (db) {
		int sent = 0;
		enum err rc = sla_notices_run(db, s->cfg->alert_email, clock_now_ms(), &sent);
		if (rc != ERR_OK)
			log_warn("sla notices: %s", err_str(rc));
		int queued = 0;
		rc = messaging_reconcile_queue(db, clock_now_ms(), s->cfg->sms_reconcile_after_sec * 1000,
					       s->cfg->sms_reconcile_max_age_hours * 3600000, RECONCILE_BATCH, &queued);
		if (rc != ERR_OK)
			log_warn("sms receipt reconcile: %s", err_str(rc));
		else if (queued)
			log_info("sms receipt reconcile: %d messages to ask the vendor about", queued);
		/* Request threads leave WAL checkpoints to this thread (store/db.h). */
		if (db_checkpoint(db) != ERR_OK)
			log_warn("wal checkpoint failed: %s", db_errmsg(db));
		else if (sent)
			log_info("sla notices sent: %d", sent);
		if (waiter_sleep(&s->wait, s->cfg->scheduler_ms))
			break;
	}
	db_thread_release();
	return NULL;
}

enum err scheduler_start(const struct config *cfg, struct scheduler **out, struct err_detail *d)
{
	struct scheduler *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->cfg = cfg;
	waiter_init(&s->wait);
	if (pthread_create(&s->thread, NULL, loop, s) != 0) {
		waiter_cleanup(&s->wait);
		free(s);
		return err_set(d, ERR_IO, "cannot start the scheduler");
	}
	*out = s;
	return ERR_OK;
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	waiter_stop(&s->wait);
	pthread_join(s->thread, NULL);
	waiter_cleanup(&s->wait);
	free(s);
}
