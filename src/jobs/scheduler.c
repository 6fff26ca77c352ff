/* Scheduler thread. */
#include "jobs/scheduler.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "domain/sla_policy.h"
#include "store/db.h"

struct scheduler {
	const struct config *cfg;
	pthread_t thread;
	pthread_mutex_t lock; /* guards stop */
	pthread_cond_t cond;
	bool stop;
};

static bool sleep_or_stop(struct scheduler *s, int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->lock);
	if (!s->stop)
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void *loop(void *arg)
{
	struct scheduler *s = arg;
	struct db *db = db_thread();
	log_context_set("scheduler");
	while (db) {
		int sent = 0;
		enum err rc = sla_notices_run(db, s->cfg->alert_email, clock_now_ms(), &sent);
		if (rc != ERR_OK)
			log_warn("sla notices: %s", err_str(rc));
		else if (sent)
			log_info("sla notices sent: %d", sent);
		if (sleep_or_stop(s, s->cfg->scheduler_ms))
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
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, loop, s) != 0) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
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
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
