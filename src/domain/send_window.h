/* The A2P window: no window of SEND_WINDOW_US may hold more of a
 * workspace's sends than its campaign rate (messages per second).
 *
 * The authority is the record of when this process really started each send
 * (send_window_admit, called immediately before the vendor request), not when
 * the pacer granted it: between the two a send does its own checks and writes,
 * which may wait for the write lock, so grants a second apart could still put
 * one send too many into a second at the vendor. The window is a second plus
 * SEND_WINDOW_SLACK_US, which covers the variation of the time a request
 * takes to reach the vendor; it costs SLACK/1 s of the rate (0.5 %).
 *
 * A restarted process has no record of its predecessor's starts; its caller
 * passes those the durable pace log holds in the window (sms_pace_log: a
 * send's real start once its request was made; a reservation whose send may
 * have started but was not recorded counts as started now, which is
 * conservative: the old process's sends all began before that).
 * Thread-safe. */
#ifndef SB_DOMAIN_SEND_WINDOW_H
#define SB_DOMAIN_SEND_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define SEND_WINDOW_SLACK_US 5000LL
#define SEND_WINDOW_US (1000000LL + SEND_WINDOW_SLACK_US)
#define SEND_WINDOW_MAX_RATE 1000 /* the highest messagesPerSecond a campaign may set */

/* Whether this process holds a record of workspace ws's starts. */
bool send_window_known(const char *ws);

/* Admits a send of workspace ws starting at now_us (epoch µs) when the
 * window ending now holds fewer than rate starts, and records it: returns 0.
 * Otherwise records nothing and returns how long to wait (µs). seed[nseed]:
 * the predecessor's starts, oldest first (see above); only read when ws is
 * not known yet. Returns -1 when out of memory. */
int64_t send_window_admit(const char *ws, int64_t rate, int64_t now_us, const int64_t *seed, int nseed);

#endif
