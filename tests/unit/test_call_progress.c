/* domain/call_progress.h, the pure rules of an inbound call's progress
 * (issue 5): a call connected to the AI receptionist that completes with a
 * length was answered by it (without a length, or not connected to the AI,
 * nobody answered: missed); a forward answered after the call's own end
 * called it missed is answered with the talk time; statuses never move back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/call_progress.h"

#define T0 INT64_C(1767225600000) /* the call rang */
#define NOW (T0 + 60000)          /* the event arrives */

static struct call ringing(const char *agent)
{
	struct call c;
	call_blank(&c);
	c.started_at = T0;
	c.status = "ringing";
	c.agent_type = agent;
	return c;
}

static struct tel_event ended(const char *status, int64_t secs)
{
	struct tel_event ev;
	memset(&ev, 0, sizeof ev);
	ev.call_sid = "CA1";
	ev.call_status = status;
	ev.call_duration = secs;
	ev.recording_duration = ev.dial_call_duration = ev.sequence_number = I64_NULL;
	return ev;
}

static void test_ai_answered(void **state)
{
	(void)state;
	struct call c = ringing("ai");
	struct tel_event ev = ended("completed", 45);
	assert_true(call_progress_status(&ev, &c, true, NOW));
	assert_string_equal(c.status, "completed");
	assert_string_equal(c.disposition, "answered");
	assert_string_equal(c.agent_type, "ai");
	assert_int_equal(c.duration_sec, 45);
	assert_int_equal(c.answered_at, NOW - 45000);
	assert_int_equal(c.ended_at, NOW);

	/* Longer than the call has existed (clocks differ): never before it rang. */
	c = ringing("ai");
	ev = ended("completed", 600);
	assert_true(call_progress_status(&ev, &c, true, NOW));
	assert_int_equal(c.answered_at, T0);

	/* The rules refused the outcome: the status alone. */
	c = ringing("ai");
	ev = ended("completed", 45);
	assert_true(call_progress_status(&ev, &c, false, NOW));
	assert_string_equal(c.status, "completed");
	assert_null(c.disposition);
}

static void test_ai_not_heard(void **state)
{
	(void)state;
	static const int64_t secs[] = {0, I64_NULL};
	for (int i = 0; i < 2; i++) {
		struct call c = ringing("ai");
		struct tel_event ev = ended("completed", secs[i]);
		assert_true(call_progress_status(&ev, &c, true, NOW));
		assert_string_equal(c.disposition, "missed");
		assert_int_equal(c.answered_at, I64_NULL);
	}
	/* Not connected to the AI (voicemail, a forward): its length proves nothing. */
	struct call c = ringing("human");
	struct tel_event ev = ended("completed", 45);
	assert_true(call_progress_status(&ev, &c, true, NOW));
	assert_string_equal(c.disposition, "missed");
	/* Busy or unanswered stays missed, AI or not. */
	c = ringing("ai");
	ev = ended("no-answer", 0);
	assert_true(call_progress_status(&ev, &c, true, NOW));
	assert_string_equal(c.status, "no_answer");
	assert_string_equal(c.disposition, "missed");
}

static void test_dial_corrects_missed(void **state)
{
	(void)state;
	struct call c = ringing("human");
	struct tel_event ev = ended("completed", 95);
	assert_true(call_progress_status(&ev, &c, true, NOW));
	assert_string_equal(c.disposition, "missed");
	struct tel_event dial = ended("in-progress", I64_NULL);
	dial.dial_call_status = "completed";
	dial.dial_call_duration = 62;
	assert_int_equal(call_progress_dial_answered(dial.dial_call_status), 1);
	call_progress_dial(&dial, &c, true, false, true, NOW + 1000);
	assert_string_equal(c.disposition, "answered");
	assert_string_equal(c.status, "completed");
	assert_int_equal(c.duration_sec, 62);
	assert_int_equal(c.ended_at, NOW);
	/* A late in-progress after the end changes nothing. */
	struct call kept = c;
	ev = ended("in-progress", I64_NULL);
	assert_false(call_progress_status(&ev, &c, true, NOW + 2000));
	assert_memory_equal(&kept, &c, sizeof c);
	assert_int_equal(call_progress_dial_answered("exploded"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ai_answered),
		cmocka_unit_test(test_ai_not_heard),
		cmocka_unit_test(test_dial_corrects_missed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
