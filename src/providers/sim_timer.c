/* The simulators' event thread (see sim_timer.h). */
#include "providers/sim_timer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct sim_timer {
	pthread_t thread;
	pthread_mutex_t lock;     /* guards events and stop */
	pthread_cond_t cond;      /* signalled on new events or stop */
	struct sim_timed *events; /* sorted by due_ms */
	bool stop;
	void (*fire)(void *ctx, const struct sim_timed *e);
	void *ctx;
};

int64_t sim_timer_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *loop(void *arg)
{
	struct sim_timer *t = arg;
	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		struct sim_timed *e = t->events;
		int64_t now = sim_timer_now_ms();
		if (e && e->due_ms <= now) {
			t->events = e->next;
			pthread_mutex_unlock(&t->lock);
			t->fire(t->ctx, e);
			free(e);
			pthread_mutex_lock(&t->lock);
			continue;
		}
		int64_t wait = e ? e->due_ms - now : 1000;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += wait / 1000;
		ts.tv_nsec += (wait % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&t->cond, &t->lock, &ts);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

enum err sim_timer_start(void (*fire)(void *ctx, const struct sim_timed *e), void *ctx, struct sim_timer **out)
{
	struct sim_timer *t = calloc(1, sizeof *t);
	if (!t)
		return ERR_NOMEM;
	t->fire = fire;
	t->ctx = ctx;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&t->lock, NULL);
	if (pthread_create(&t->thread, NULL, loop, t) != 0) {
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->cond);
		free(t);
		return ERR_IO;
	}
	*out = t;
	return ERR_OK;
}

void sim_timer_add(struct sim_timer *t, struct sim_timed *const *events, int n)
{
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < n; i++) {
		struct sim_timed *e = events[i], **pp = &t->events;
		while (*pp && (*pp)->due_ms <= e->due_ms)
			pp = &(*pp)->next;
		e->next = *pp;
		*pp = e;
	}
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

void sim_timer_stop(struct sim_timer *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	while (t->events) {
		struct sim_timed *e = t->events;
		t->events = e->next;
		free(e);
	}
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t);
}
