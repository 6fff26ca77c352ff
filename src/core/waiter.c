/* Stoppable sleep. */
#include "core/waiter.h"

#include <time.h>

void waiter_init(struct waiter *w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->stop = false;
}

void waiter_cleanup(struct waiter *w)
{
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

bool waiter_sleep(struct waiter *w, int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&w->lock);
	if (!w->stop && ms > 0)
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	bool stop = w->stop;
	pthread_mutex_unlock(&w->lock);
	return stop;
}

void waiter_stop(struct waiter *w)
{
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}
