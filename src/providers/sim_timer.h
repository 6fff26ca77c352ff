/* The vendor simulators' clock: one thread that fires events at their due
 * time (CLOCK_MONOTONIC ms), in due order, one at a time. An event starts with
 * a struct sim_timed and is malloc'd by its owner; the timer owns it once
 * added and frees it after fire() (or at stop, unfired). */
#ifndef SB_PROVIDERS_SIM_TIMER_H
#define SB_PROVIDERS_SIM_TIMER_H

#include <stdint.h>

#include "core/err.h"

struct sim_timed {
	struct sim_timed *next;
	int64_t due_ms;
};

struct sim_timer;

/* Monotonic now in ms, the clock due_ms counts in. */
int64_t sim_timer_now_ms(void);
/* Starts the thread; fire(ctx, e) runs on it for each due event. */
enum err sim_timer_start(void (*fire)(void *ctx, const struct sim_timed *e), void *ctx, struct sim_timer **out);
/* Adds n events at once (each already has its due_ms). */
void sim_timer_add(struct sim_timer *t, struct sim_timed *const *events, int n);
/* Stops the thread (an event being fired finishes first) and frees what is left. */
void sim_timer_stop(struct sim_timer *t);

#endif
