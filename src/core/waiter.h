/* A stoppable sleep for background threads: sleep up to N ms, wake at once
 * when asked to stop. */
#ifndef SB_CORE_WAITER_H
#define SB_CORE_WAITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct waiter {
	pthread_mutex_t lock; /* guards stop */
	pthread_cond_t cond;
	bool stop;
};

void waiter_init(struct waiter *w);
void waiter_cleanup(struct waiter *w);
/* Sleeps up to ms (0: just checks); true when a stop was asked for. */
bool waiter_sleep(struct waiter *w, int64_t ms);
/* Asks the sleeping thread to stop (it wakes now). */
void waiter_stop(struct waiter *w);

#endif
