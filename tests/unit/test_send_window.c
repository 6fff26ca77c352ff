/* Unit tests for the A2P window of real send starts (domain/send_window.h):
 * no window of SEND_WINDOW_US ever admits more than the rate, a full window
 * says exactly how long to wait, a restarted process counts its
 * predecessor's reservations, and workspaces are paced apart. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/send_window.h"

#define T0 1800000000000000LL /* an epoch in µs */

static void test_rate_and_wait(void **state)
{
	(void)state;
	assert_false(send_window_known("ws-rate"));
	for (int i = 0; i < 3; i++)
		assert_int_equal(send_window_admit("ws-rate", 3, T0 + i * 10, NULL, 0), 0);
	assert_true(send_window_known("ws-rate"));
	/* The fourth waits until the first leaves the window, and is not recorded meanwhile. */
	assert_int_equal(send_window_admit("ws-rate", 3, T0 + 100, NULL, 0), SEND_WINDOW_US - 100);
	assert_int_equal(send_window_admit("ws-rate", 3, T0 + SEND_WINDOW_US - 1, NULL, 0), 1);
	assert_int_equal(send_window_admit("ws-rate", 3, T0 + SEND_WINDOW_US, NULL, 0), 0);
	/* Now the second start (T0 + 10) holds the window. */
	assert_int_equal(send_window_admit("ws-rate", 3, T0 + SEND_WINDOW_US + 1, NULL, 0), 9);
	/* A higher rate admits more in the same window; a rate above the cap is the cap. */
	assert_int_equal(send_window_admit("ws-rate", 5, T0 + SEND_WINDOW_US + 1, NULL, 0), 0);
}

/* Every window of the admitted starts holds at most the rate, whatever the arrival pattern. */
static void test_never_exceeds(void **state)
{
	(void)state;
	enum { RATE = 50, N = 5000 };
	static int64_t at[N];
	int64_t now = T0;
	unsigned seed = 12345;
	for (int n = 0; n < N;) {
		seed = seed * 1103515245u + 12345u;
		now += (seed >> 16) % 40000; /* 0-40 ms between tries: bursts and gaps */
		int64_t wait = send_window_admit("ws-storm", RATE, now, NULL, 0);
		assert_true(wait >= 0 && wait <= SEND_WINDOW_US);
		if (wait == 0)
			at[n++] = now;
	}
	for (int i = 0, j = 0; i < N; i++) {
		while (at[i] - at[j] >= SEND_WINDOW_US)
			j++;
		assert_true(i - j + 1 <= RATE);
	}
}

static void test_restart_seed(void **state)
{
	(void)state;
	/* A new process whose predecessor started 2 sends in the window: with rate 3 one more goes now,
	 * the next when the predecessor's first leaves the window. */
	const int64_t old[] = {T0 - 500000, T0 - 400000};
	assert_int_equal(send_window_admit("ws-restart", 3, T0, old, 2), 0);
	assert_int_equal(send_window_admit("ws-restart", 3, T0 + 1, old, 2), SEND_WINDOW_US - 500001);
	/* The seed is read once: later calls are paced by what was recorded. */
	const int64_t many[] = {T0, T0, T0, T0};
	assert_int_equal(send_window_admit("ws-restart", 3, T0 - 500000 + SEND_WINDOW_US, many, 4), 0);
	/* A seed from the future (a reservation counted as now) is clamped to now. */
	const int64_t ahead[] = {T0 + 10 * SEND_WINDOW_US};
	assert_int_equal(send_window_admit("ws-ahead", 1, T0, ahead, 1), SEND_WINDOW_US);
}

static void test_workspaces_apart_and_clock_back(void **state)
{
	(void)state;
	assert_int_equal(send_window_admit("ws-a", 1, T0, NULL, 0), 0);
	assert_int_equal(send_window_admit("ws-b", 1, T0, NULL, 0), 0);
	assert_true(send_window_admit("ws-a", 1, T0 + 1, NULL, 0) > 0);
	/* The clock set back an hour: the recorded start counts as now, not an hour ahead. */
	assert_int_equal(send_window_admit("ws-b", 1, T0 - 3600000000LL, NULL, 0), SEND_WINDOW_US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_and_wait),
		cmocka_unit_test(test_never_exceeds),
		cmocka_unit_test(test_restart_seed),
		cmocka_unit_test(test_workspaces_apart_and_clock_back),
	};
	return cmocka_run_group_tests_name("send_window", tests, NULL, NULL);
}
