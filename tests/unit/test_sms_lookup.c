/* The Twilio client's lookup after an attempt whose outcome is unknown
 * (providers/sms_twilio.c, scan_page): among the vendor's messages with our
 * to, from and body, the one no other message of ours owns, created closest
 * after our first attempt (else closest before it, within the clocks'
 * skew), across pages; messages older than the skew end the search. Two
 * identical reminders must each find their own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

/* The statics (scan_page, fit) are what is tested. */
#include "providers/sms_twilio.c"

#define TO "+12125550100"
#define FROM "+14155550123"
#define BODY "Reminder: your visit is tomorrow at 9 am."

/* The instant of "Fri, 27 Nov 2026 19:37:54 +0000" plus ms. */
static int64_t t(int64_t ms)
{
	return twilio_time_ms("Fri, 27 Nov 2026 19:37:54 +0000") + ms;
}

/* A vendor message: sid "SM" + 32 times the hex digit c, created at ms (whole seconds, as Twilio gives them). */
static json_t *vmsg(char c, int64_t ms, const char *body)
{
	char sid[40], date[64];
	snprintf(sid, sizeof sid, "SM%032d", 0);
	memset(sid + 2, c, 32);
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "sid", sid, "to", TO, "from", FROM, "body", body, "date_created",
			 date);
}

/* The store's answer, faked: the sids of these letters belong to other messages. */
struct owned {
	const char *letters;
	enum err fail; /* returned instead, when not ERR_OK */
	int asked;
};

static enum err taken(void *arg, const char *vendor_sid, bool *out)
{
	struct owned *o = arg;
	o->asked++;
	if (o->fail != ERR_OK)
		return o->fail;
	*out = strchr(o->letters, vendor_sid[2]) != NULL;
	return ERR_OK;
}

static const struct sms_out out_msg = {.key = "SMours", .to = TO, .from = FROM, .body = BODY};

static char scan(json_t *list, struct owned *o, int64_t since, struct pick *best, bool *older, bool *before)
{
	struct sms_lookup q = {.since_ms = since, .taken = taken, .arg = o};
	assert_int_equal(scan_page(list, &out_msg, &q, best, older, before), ERR_OK);
	return best->rank >= 0 ? best->sid[2] : 0;
}

/* Two identical reminders: the twin the vendor created in the same second
 * as our attempt belongs to our other message (recorded), so ours is the
 * one created a second later; a twin sent after ours is skipped as well. */
static void test_identical_twin_is_skipped(void **state)
{
	(void)state;
	int64_t since = t(300); /* our first attempt, 19:37:54.300 */
	json_t *list = json_array();
	json_array_append_new(list, vmsg('9', t(5000), BODY));        /* a twin sent later, recorded */
	json_array_append_new(list, vmsg('d', t(1500), "other text")); /* not ours: another body */
	json_array_append_new(list, vmsg('b', t(1000), BODY));        /* ours: the vendor's clock had turned */
	json_array_append_new(list, vmsg('a', t(0), BODY));           /* the twin of our attempt's second, recorded */
	json_array_append_new(list, vmsg('c', t(-20000), BODY));      /* an earlier identical one, free */
	struct owned o = {.letters = "a9"};
	struct pick best = {.rank = -1};
	bool older = false, before = false;
	assert_int_equal(scan(list, &o, since, &best, &older, &before), 'b');
	assert_true(best.after);
	assert_true(before);
	assert_false(older);
	/* Without the store's answer the twin would have been taken: recording
	 * it again would break vendor_sid's uniqueness. */
	struct owned none = {.letters = ""};
	struct pick naive = {.rank = -1};
	older = before = false;
	assert_int_equal(scan(list, &none, since, &naive, &older, &before), 'a');
	json_decref(list);
}

/* Closest after the attempt wins over a newer one, across pages; one
 * before the attempt only when none is after it. */
static void test_closest_after_attempt(void **state)
{
	(void)state;
	int64_t since = t(0);
	struct owned o = {.letters = ""};
	struct pick best = {.rank = -1};
	bool older = false, before = false;
	json_t *p1 = json_array(), *p2 = json_array();
	json_array_append_new(p1, vmsg('e', t(9000), BODY));
	assert_int_equal(scan(p1, &o, since, &best, &older, &before), 'e');
	assert_false(before);
	json_array_append_new(p2, vmsg('f', t(3000), BODY));
	json_array_append_new(p2, vmsg('1', t(-1000), BODY));
	assert_int_equal(scan(p2, &o, since, &best, &older, &before), 'f');
	assert_true(before); /* and one after matched: no need for the next page */
	json_decref(p1);
	json_decref(p2);

	/* Only earlier ones (our clock ahead of the vendor's): the closest within the skew. */
	json_t *p3 = json_array();
	json_array_append_new(p3, vmsg('2', t(-5000), BODY));
	json_array_append_new(p3, vmsg('3', t(-30000), BODY));
	json_array_append_new(p3, vmsg('4', t(-LOOKUP_SKEW_MS - 2000), BODY)); /* too old to be ours */
	struct pick b3 = {.rank = -1};
	older = before = false;
	assert_int_equal(scan(p3, &o, since, &b3, &older, &before), '2');
	assert_false(b3.after);
	assert_true(older);
	json_decref(p3);
}

/* Everything identical is someone else's: nothing found (send again);
 * the store's error is returned as it is. */
static void test_all_taken_and_store_errors(void **state)
{
	(void)state;
	int64_t since = t(0);
	json_t *list = json_array();
	json_array_append_new(list, vmsg('5', t(1000), BODY));
	json_array_append_new(list, vmsg('6', t(0), BODY));
	struct owned o = {.letters = "56"};
	struct pick best = {.rank = -1};
	bool older = false, before = false;
	assert_int_equal(scan(list, &o, since, &best, &older, &before), 0);
	assert_int_equal(o.asked, 2);
	struct owned broken = {.letters = "", .fail = ERR_STORE};
	struct sms_lookup q = {.since_ms = since, .taken = taken, .arg = &broken};
	struct pick b2 = {.rank = -1};
	assert_int_equal(scan_page(list, &out_msg, &q, &b2, &older, &before), ERR_STORE);
	json_decref(list);
}

int main(void)
{
	log_level_set(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_twin_is_skipped),
		cmocka_unit_test(test_closest_after_attempt),
		cmocka_unit_test(test_all_taken_and_store_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
