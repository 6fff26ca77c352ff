/* Unit tests for core/ids.h: the UUIDv7 layout (version and variant bits),
 * id_valid, the timestamp round trip through id_time_ms, ordering of ids made
 * in a tight loop and within one millisecond (including running past the
 * 12-bit counter), and uniqueness across threads.
 *
 * ids.c is included so each test can start from a fresh per-process
 * sequence (id_new_at never goes back in time, so a test that made ids "now"
 * would otherwise change what a later test with an older timestamp sees). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/ids.c"

static int reset_seq(void **state)
{
	(void)state;
	pthread_mutex_lock(&seq_lock);
	seq_ms = -1;
	seq = 0;
	pthread_mutex_unlock(&seq_lock);
	return 0;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* Checks the canonical form and the v7 version/variant nibbles. */
static void check_v7(const char *id)
{
	if (strlen(id) != ID_LEN)
		fail_msg("[%s]: length %zu", id, strlen(id));
	for (int i = 0; i < ID_LEN; i++) {
		char c = id[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				fail_msg("[%s]: no '-' at %d", id, i);
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			fail_msg("[%s]: '%c' at %d is not lower-case hex", id, c, i);
		}
	}
	if (id[14] != '7')
		fail_msg("[%s]: version nibble %c, want 7", id, id[14]);
	/* RFC 9562 variant: the top two bits of byte 8 are 10 -> 8, 9, a or b. */
	if ((hexval(id[19]) & 0xc) != 0x8)
		fail_msg("[%s]: variant nibble %c, want 8..b", id, id[19]);
	if (!id_valid(id))
		fail_msg("[%s]: id_valid false", id);
}

static void test_format(void **state)
{
	(void)state;
	char id[ID_SIZE];
	memset(id, 'x', sizeof id);
	id_new(id);
	check_v7(id);
	assert_int_equal(id[ID_LEN], '\0');
	for (int i = 0; i < 1000; i++) {
		id_new(id);
		check_v7(id);
	}
}

static void test_layout_at_known_time(void **state)
{
	(void)state;
	char id[ID_SIZE];
	id_new_at(id, 0x0123456789abLL);
	check_v7(id);
	assert_memory_equal(id, "01234567-89ab-7", 15);
	assert_int_equal(id_time_ms(id), 0x0123456789abLL);
}

static void test_time_round_trip(void **state)
{
	(void)state;
	/* Increasing, so each lands in a new millisecond of the sequence. */
	static const int64_t times[] = {
		0, 1, 999, 1000, 86400000, 1645557742000LL, 1700000000000LL, 1795799613000LL,
		253402300799999LL, 0xffffffffffffLL,
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char id[ID_SIZE];
		id_new_at(id, times[i]);
		check_v7(id);
		if (id_time_ms(id) != times[i])
			fail_msg("id_new_at(%lld) = %s, id_time_ms = %lld", (long long)times[i], id,
				 (long long)id_time_ms(id));
	}
}

static void test_time_round_trip_now(void **state)
{
	(void)state;
	char id[ID_SIZE];
	int64_t before = clock_real_ms();
	id_new(id);
	int64_t after = clock_real_ms();
	int64_t t = id_time_ms(id);
	assert_true(t >= before);
	assert_true(t <= after);
}

/* RFC 9562 Appendix A.6 example UUIDv7. */
static void test_time_ms_rfc_example(void **state)
{
	(void)state;
	assert_true(id_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f"));
	assert_int_equal(id_time_ms("017f22e2-79b0-7cc3-98c4-dc0c0c07398f"), 1645557742000LL);
}

static void test_time_ms_rejects(void **state)
{
	(void)state;
	assert_int_equal(id_time_ms(NULL), -1);
	assert_int_equal(id_time_ms(""), -1);
	assert_int_equal(id_time_ms("not-a-uuid"), -1);
	/* Valid UUIDs of other versions carry no timestamp. */
	assert_int_equal(id_time_ms("919108f7-52d1-4320-9bac-f847db4148a8"), -1); /* v4 (RFC 9562 A.3) */
	assert_int_equal(id_time_ms("00000000-0000-0000-0000-000000000000"), -1);
	assert_int_equal(id_time_ms("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"), -1); /* upper case */
	assert_int_equal(id_time_ms("017f22e2-79b0-7cc3-98c4-dc0c0c07398f0"), -1);
}

static void test_valid_accepts(void **state)
{
	(void)state;
	assert_true(id_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f"));
	assert_true(id_valid("919108f7-52d1-4320-9bac-f847db4148a8"));
	assert_true(id_valid("00000000-0000-0000-0000-000000000000"));
	assert_true(id_valid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
	assert_true(id_valid("0123abcd-4567-89ef-0123-456789abcdef"));
}

static void test_valid_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398",   /* 35 */
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f0", /* 37 */
		"017F22E2-79B0-7CC3-98C4-DC0C0C07398F",  /* upper case */
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398F",
		"017f22e279b07cc398c4dc0c0c07398f",      /* no dashes */
		"017f22e2079b0-7cc3-98c4-dc0c0c07398f",  /* dash moved */
		"017f22e2-79b0-7cc3-98c4_dc0c0c07398f",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398g",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398 ",
		" 017f22e2-79b0-7cc3-98c4-dc0c0c07398",
		"{017f22e2-79b0-7cc3-98c4-dc0c0c0739}",
		"g17f22e2-79b0-7cc3-98c4-dc0c0c07398f",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f\n",
		"017f22e2+79b0+7cc3+98c4+dc0c0c07398f",
		"------------------------------------",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (id_valid(bad[i]))
			fail_msg("id_valid(\"%s\") true", bad[i]);
	assert_false(id_valid(NULL));
}

/* 10,000 ids back to back: strictly increasing as strings, hence unique. */
static void test_tight_loop_sorted(void **state)
{
	(void)state;
	enum { N = 10000 };
	char(*ids)[ID_SIZE] = malloc(N * sizeof *ids);
	assert_non_null(ids);
	for (int i = 0; i < N; i++)
		id_new(ids[i]);
	for (int i = 0; i < N; i++) {
		check_v7(ids[i]);
		if (i && strcmp(ids[i - 1], ids[i]) >= 0)
			fail_msg("ids %d and %d out of order: %s >= %s", i - 1, i, ids[i - 1], ids[i]);
		if (i && id_time_ms(ids[i - 1]) > id_time_ms(ids[i]))
			fail_msg("timestamps go back at %d", i);
	}
	free(ids);
}

/* Same millisecond far more often than the 12-bit counter holds: still
 * sorted, and the timestamp moves forward only by the overflow. */
static void test_same_ms_overflow(void **state)
{
	(void)state;
	enum { N = 9000 };
	const int64_t t = 1700000000000LL;
	char prev[ID_SIZE] = "", id[ID_SIZE];
	for (int i = 0; i < N; i++) {
		id_new_at(id, t);
		check_v7(id);
		if (strcmp(prev, id) >= 0)
			fail_msg("id %d out of order: %s >= %s", i, prev, id);
		int64_t got = id_time_ms(id);
		if (got < t || got > t + 3)
			fail_msg("id %d: time %lld, want %lld..%lld", i, (long long)got, (long long)t,
				 (long long)t + 3);
		memcpy(prev, id, sizeof id);
	}
}

/* The clock going back (or an older explicit time) never breaks the order. */
static void test_clock_back_stays_sorted(void **state)
{
	(void)state;
	char a[ID_SIZE], b[ID_SIZE], c[ID_SIZE];
	id_new_at(a, 1700000005000LL);
	id_new_at(b, 1700000004000LL);
	id_new_at(c, 1700000006000LL);
	assert_true(strcmp(a, b) < 0);
	assert_true(strcmp(b, c) < 0);
	assert_int_equal(id_time_ms(c), 1700000006000LL);
}

#define THREADS 4
#define PER_THREAD 5000

struct worker {
	pthread_t t;
	char (*ids)[ID_SIZE];
	int sorted; /* 1 when this thread's own ids came out strictly increasing */
};

static void *work(void *p)
{
	struct worker *w = p;
	w->sorted = 1;
	for (int i = 0; i < PER_THREAD; i++) {
		id_new(w->ids[i]);
		if (i && strcmp(w->ids[i - 1], w->ids[i]) >= 0)
			w->sorted = 0;
	}
	return NULL;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_threads_unique(void **state)
{
	(void)state;
	char(*all)[ID_SIZE] = malloc((size_t)THREADS * PER_THREAD * sizeof *all);
	assert_non_null(all);
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i].ids = all + (size_t)i * PER_THREAD;
		assert_int_equal(pthread_create(&w[i].t, NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(w[i].t, NULL), 0);
		assert_int_equal(w[i].sorted, 1);
	}
	size_t n = (size_t)THREADS * PER_THREAD;
	qsort(all, n, sizeof *all, cmp_id);
	for (size_t i = 0; i < n; i++) {
		check_v7(all[i]);
		if (i && strcmp(all[i - 1], all[i]) == 0)
			fail_msg("duplicate id %s", all[i]);
	}
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_format, reset_seq),
		cmocka_unit_test_setup(test_layout_at_known_time, reset_seq),
		cmocka_unit_test_setup(test_time_round_trip, reset_seq),
		cmocka_unit_test_setup(test_time_round_trip_now, reset_seq),
		cmocka_unit_test(test_time_ms_rfc_example),
		cmocka_unit_test(test_time_ms_rejects),
		cmocka_unit_test(test_valid_accepts),
		cmocka_unit_test(test_valid_rejects),
		cmocka_unit_test_setup(test_tight_loop_sorted, reset_seq),
		cmocka_unit_test_setup(test_same_ms_overflow, reset_seq),
		cmocka_unit_test_setup(test_clock_back_stays_sorted, reset_seq),
		cmocka_unit_test_setup(test_threads_unique, reset_seq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
