/* The spam model (domain/spam_model.c) and its persistence (domain/spam.c
 * over store/spam.c): caller-name classes, features from call facts, the
 * text form, training moving scores the right way, untraining restoring the
 * model exactly, smoothing with zero counts, k-fold evaluation, and counts
 * written to SQLite and read back equal to the counts kept in memory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "store/accounts.h"
#include "store/migrate.h"

/* The statics of spam.c (model_load, example_write) are part of what is tested. */
#include "domain/spam.c"

static int value_of(int g, const char *name)
{
	for (int v = 0; v < spam_group_values(g); v++)
		if (!strcmp(spam_value_name(g, v), name))
			return v;
	fail_msg("no value %s in group %s", name, spam_group_name(g));
	return -1;
}

static void assert_value(const struct spam_features *f, int g, const char *name)
{
	assert_true(f->v[g] >= 0);
	assert_string_equal(spam_value_name(g, f->v[g]), name);
}

static void test_name_classes(void **state)
{
	(void)state;
	assert_int_equal(spam_name_class(NULL), -1);
	assert_int_equal(spam_name_class(""), value_of(SG_NAME, "empty"));
	assert_int_equal(spam_name_class("   "), value_of(SG_NAME, "empty"));
	assert_int_equal(spam_name_class("SPAM LIKELY"), value_of(SG_NAME, "spam_label"));
	assert_int_equal(spam_name_class("Scam Likely"), value_of(SG_NAME, "spam_label"));
	assert_int_equal(spam_name_class("Potential Fraud"), value_of(SG_NAME, "spam_label"));
	assert_int_equal(spam_name_class("V12345678"), value_of(SG_NAME, "id_code"));
	assert_int_equal(spam_name_class("5551234567"), value_of(SG_NAME, "digits"));
	assert_int_equal(spam_name_class("WIRELESS CALLER"), value_of(SG_NAME, "generic"));
	assert_int_equal(spam_name_class("Toll Free Call"), value_of(SG_NAME, "generic"));
	assert_int_equal(spam_name_class("John Smith"), value_of(SG_NAME, "person"));
	assert_int_equal(spam_name_class("SMITH JOHN"), value_of(SG_NAME, "person"));
	assert_int_equal(spam_name_class("ACME#1 HVAC"), value_of(SG_NAME, "other"));
}

static struct spam_facts base_facts(void)
{
	struct spam_facts f = {.from_e164 = "+14155551234", .to_e164 = "+12125550100", .from_valid = true,
			       .line_type = "mobile", .local_hour = 10, .after_hours = 0, .recent_silent = 0};
	return f;
}

static void test_features(void **state)
{
	(void)state;
	struct spam_facts x = base_facts();
	struct spam_features f;
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "normal");
	assert_value(&f, SG_NBR, "other");
	assert_value(&f, SG_LINE, "mobile");
	assert_int_equal(f.v[SG_NAME], -1);   /* no caller name sent: unknown, not "empty" */
	assert_value(&f, SG_CONTACT, "no");
	assert_int_equal(f.v[SG_DUR], -1);    /* still ringing */
	assert_value(&f, SG_TOD, "day");
	assert_value(&f, SG_HOURS, "open");
	assert_value(&f, SG_RPT, "none");

	x.from_e164 = "+18005551234";
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "tollfree");
	x.from_e164 = "+18885551234";
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "tollfree");
	x.from_e164 = "+18185551234"; /* 818 is Los Angeles, not toll-free */
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "normal");
	x.from_e164 = "+19005551234";
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "premium");
	x.from_e164 = "+442079460958";
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "intl");
	assert_int_equal(f.v[SG_NBR], -1);
	x.from_e164 = "Anonymous";
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "withheld");
	x.from_e164 = "+12125550000";
	x.from_valid = false;
	spam_features_from(&x, &f);
	assert_value(&f, SG_PFX, "invalid");

	x = base_facts();
	x.from_e164 = "+12125557777";
	spam_features_from(&x, &f);
	assert_value(&f, SG_NBR, "same_nxx");
	x.from_e164 = "+12124447777";
	spam_features_from(&x, &f);
	assert_value(&f, SG_NBR, "same_npa");

	x = base_facts();
	x.caller_name = "SPAM LIKELY";
	x.has_contact = true;
	x.ended = true;
	x.line_type = NULL;
	x.local_hour = 22;
	x.after_hours = 1;
	x.recent_silent = 4;
	const int64_t durs[] = {0, 9, 59, 60};
	const char *const dnames[] = {"zero", "short", "medium", "long"};
	for (int i = 0; i < 4; i++) {
		x.duration_sec = durs[i];
		spam_features_from(&x, &f);
		assert_value(&f, SG_DUR, dnames[i]);
	}
	assert_value(&f, SG_NAME, "spam_label");
	assert_value(&f, SG_CONTACT, "yes");
	assert_value(&f, SG_LINE, "unknown");
	assert_value(&f, SG_TOD, "night");
	assert_value(&f, SG_HOURS, "closed");
	assert_value(&f, SG_RPT, "many");
	x.local_hour = 18;
	x.recent_silent = 2;
	spam_features_from(&x, &f);
	assert_value(&f, SG_TOD, "evening");
	assert_value(&f, SG_RPT, "some");
	x.local_hour = -1;
	x.after_hours = -1;
	x.recent_silent = -1;
	spam_features_from(&x, &f);
	assert_int_equal(f.v[SG_TOD], -1);
	assert_int_equal(f.v[SG_HOURS], -1);
	assert_int_equal(f.v[SG_RPT], -1);
}

static void test_text_form(void **state)
{
	(void)state;
	struct spam_facts x = base_facts();
	struct spam_features f, back;
	char text[SPAM_FEATURES_TEXT];
	x.caller_name = "V1234567";
	x.ended = true;
	x.duration_sec = 3;
	spam_features_from(&x, &f);
	spam_features_format(&f, text, sizeof text);
	assert_string_equal(text, "pfx=normal nbr=other line=mobile name=id_code contact=no dur=short tod=day hours=open "
				  "rpt=none");
	spam_features_parse(text, &back);
	assert_memory_equal(f.v, back.v, sizeof f.v);
	/* Unknown groups and values are skipped; the rest still reads. */
	spam_features_parse("  bogus=1 pfx=tollfree line=satellite rpt=many  ", &back);
	assert_value(&back, SG_PFX, "tollfree");
	assert_int_equal(back.v[SG_LINE], -1);
	assert_value(&back, SG_RPT, "many");
	spam_features_parse("", &back);
	for (int g = 0; g < SPAM_NGROUPS; g++)
		assert_int_equal(back.v[g], -1);
	/* A buffer too small holds whole tokens only. */
	char small[21];
	spam_features_format(&f, small, sizeof small);
	assert_string_equal(small, "pfx=normal nbr=other");
}

/* A robocaller (VoIP, spoofed exchange, repeated short calls, no contact) and a customer. */
static void spammer(struct spam_features *f, int i)
{
	struct spam_facts x = base_facts();
	x.from_e164 = i % 2 ? "+12125559999" : "+13125559999";
	x.line_type = i % 3 ? "voip" : "mobile";
	x.ended = true;
	x.duration_sec = i % 4 ? 4 : 0;
	x.recent_silent = 3 + i % 2;
	x.local_hour = 11;
	spam_features_from(&x, f);
}

static void customer(struct spam_features *f, int i)
{
	struct spam_facts x = base_facts();
	x.line_type = i % 2 ? "landline" : "mobile";
	x.has_contact = i % 3 != 0;
	x.ended = true;
	x.duration_sec = i % 5 ? 180 : 30;
	x.recent_silent = i % 7 == 0;
	x.local_hour = 9 + i % 9;
	spam_features_from(&x, f);
}

static void test_training_moves_scores(void **state)
{
	(void)state;
	struct spam_model m;
	struct spam_features s, h;
	struct spam_score before_s, before_h, after_s, after_h;
	spam_model_init(&m);
	spammer(&s, 1001);
	customer(&h, 1001);
	spam_model_score(&m, &s, &before_s);
	spam_model_score(&m, &h, &before_h);
	for (int i = 0; i < 30; i++) {
		struct spam_features f;
		spammer(&f, i);
		spam_model_count(&m, &f, true, SC_ROBOCALL, +1);
		customer(&f, i);
		spam_model_count(&m, &f, false, -1, +1);
		customer(&f, i + 100);
		spam_model_count(&m, &f, false, -1, +1);
	}
	spam_model_score(&m, &s, &after_s);
	spam_model_score(&m, &h, &after_h);
	assert_true(after_s.score > before_s.score);
	assert_true(after_h.score <= before_h.score);
	assert_true(after_s.score >= SPAM_FLAG_SCORE);
	assert_true(after_h.score < 20);
	assert_non_null(after_s.reason);
	assert_string_equal(after_s.reason, "robocall");
	assert_null(after_h.reason);
	/* One more ham example that looks exactly like the spammer pulls its score down. */
	struct spam_score pulled;
	for (int i = 0; i < 10; i++)
		spam_model_count(&m, &s, false, -1, +1);
	spam_model_score(&m, &s, &pulled);
	assert_true(pulled.p_spam < after_s.p_spam);
}

static void test_untrain_restores(void **state)
{
	(void)state;
	struct spam_model m, empty;
	struct spam_features f;
	spam_model_init(&m);
	spam_model_init(&empty);
	spammer(&f, 3);
	spam_model_count(&m, &f, true, SC_TELEMARKETER, +1);
	assert_int_equal(m.total[SC_SPAM], 1);
	assert_int_equal(m.total[SC_TELEMARKETER], 1);
	assert_int_equal(m.total[SC_HAM], 0);
	spam_model_count(&m, &f, true, SC_TELEMARKETER, -1);
	assert_memory_equal(&m, &empty, sizeof m);
	/* Removing what was never added stays at zero. */
	spam_model_count(&m, &f, false, -1, -1);
	assert_memory_equal(&m, &empty, sizeof m);
}

static void test_smoothing_zero_counts(void **state)
{
	(void)state;
	struct spam_model m;
	struct spam_features f;
	struct spam_score s;
	double w[SPAM_NGROUPS];
	spam_model_init(&m);
	/* Untrained: finite, the 10% prior moved only by the prior pseudo-counts. */
	customer(&f, 1);
	spam_model_score(&m, &f, &s);
	assert_true(s.p_spam > 0 && s.p_spam < 0.5);
	spam_model_weights(&m, &f, w);
	for (int g = 0; g < SPAM_NGROUPS; g++)
		assert_true(isfinite(w[g]));
	/* A model trained only on spam with pfx=normal still gives a premium number
	 * (never seen) a finite, non-zero likelihood under both classes. */
	for (int i = 0; i < 50; i++) {
		spammer(&f, i);
		spam_model_count(&m, &f, true, -1, +1);
		customer(&f, i);
		spam_model_count(&m, &f, false, -1, +1);
	}
	struct spam_facts x = base_facts();
	x.from_e164 = "+19005550000";
	spam_features_from(&x, &f);
	spam_model_weights(&m, &f, w);
	assert_true(isfinite(w[SG_PFX]));
	spam_model_score(&m, &f, &s);
	assert_true(s.score >= 0 && s.score <= 100);
	assert_true(s.p_spam > 0 && s.p_spam < 1);
	/* With every group unknown only the class prior remains. */
	memset(f.v, -1, sizeof f.v);
	spam_model_score(&m, &f, &s);
	assert_int_equal(s.score, (int)lround(100.0 * (50 + 2) / (100 + 20)));
}

static void test_evaluate(void **state)
{
	(void)state;
	enum { N = 200 };
	static struct spam_example ex[N];
	struct spam_model m;
	struct spam_eval e;
	spam_model_init(&m);
	for (int i = 0; i < N; i++) {
		ex[i].is_spam = i % 4 == 0;
		ex[i].reason_cls = ex[i].is_spam ? SC_ROBOCALL : -1;
		ex[i].fold_key = (uint32_t)i * 2654435761u;
		if (ex[i].is_spam)
			spammer(&ex[i].f, i);
		else
			customer(&ex[i].f, i);
		spam_model_count(&m, &ex[i].f, ex[i].is_spam, ex[i].reason_cls, +1);
	}
	struct spam_model copy = m;
	spam_model_evaluate(&m, ex, N, 5, SPAM_FLAG_SCORE, &e);
	assert_memory_equal(&copy, &m, sizeof m); /* the full model is not touched */
	assert_int_equal(e.examples, N);
	assert_int_equal(e.folds, 5);
	assert_int_equal(e.tp + e.fp + e.fn + e.tn, N);
	assert_true(e.precision >= 0.9);
	assert_true(e.recall >= 0.9);
	/* Labels that ignore the features cannot be learned: held-out recall collapses. */
	spam_model_init(&m);
	for (int i = 0; i < N; i++) {
		ex[i].is_spam = (i / 3) % 2 == 0;
		customer(&ex[i].f, i);
		spam_model_count(&m, &ex[i].f, ex[i].is_spam, -1, +1);
	}
	spam_model_evaluate(&m, ex, N, 5, SPAM_FLAG_SCORE, &e);
	assert_true(e.recall < 0.5);
}

/* ---- persistence ---- */

static void test_persistence_round_trip(void **state)
{
	(void)state;
	struct db *db = NULL;
	struct err_detail d = {0};
	assert_int_equal(db_open("sqlite::memory:", &db, &d), ERR_OK);
	assert_int_equal(store_migrate(db, NULL, &d), ERR_OK);
	struct workspace w = {.id = "0190aaaa-0000-7000-8000-000000000001", .slug = "acme", .name = "Acme",
			      .time_zone = "UTC", .created_at = 1700000000000LL};
	assert_int_equal(store_workspace_insert(db, &w), ERR_OK);

	struct spam_model mem, loaded;
	spam_model_init(&mem);
	assert_int_equal(db_begin_write(db), ERR_OK);
	for (int i = 0; i < 12; i++) {
		struct spam_features f;
		bool spam = i % 3 == 0;
		int reason = spam ? SC_ROBOCALL + i % 3 : -1;
		if (spam)
			spammer(&f, i);
		else
			customer(&f, i);
		spam_model_count(&mem, &f, spam, reason, +1);
		assert_int_equal(example_write(db, w.id, &f, spam, reason, +1), ERR_OK);
	}
	/* A re-label: out as spam, in as ham (what train_in_tx does). */
	struct spam_features f;
	spammer(&f, 0);
	spam_model_count(&mem, &f, true, SC_ROBOCALL, -1);
	spam_model_count(&mem, &f, false, -1, +1);
	assert_int_equal(example_write(db, w.id, &f, true, SC_ROBOCALL, -1), ERR_OK);
	assert_int_equal(example_write(db, w.id, &f, false, -1, +1), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);

	assert_int_equal(model_load(db, w.id, &loaded), ERR_OK);
	assert_memory_equal(&mem, &loaded, sizeof mem);
	struct spam_score a, b;
	spammer(&f, 7);
	spam_model_score(&mem, &f, &a);
	spam_model_score(&loaded, &f, &b);
	assert_int_equal(a.score, b.score);
	/* Another workspace's model is empty. */
	struct spam_model other, empty;
	spam_model_init(&empty);
	assert_int_equal(model_load(db, "0190aaaa-0000-7000-8000-000000000002", &other), ERR_OK);
	assert_memory_equal(&other, &empty, sizeof other);
	db_close(db);
}

int main(void)
{
	log_level_set(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_classes),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_text_form),
		cmocka_unit_test(test_training_moves_scores),
		cmocka_unit_test(test_untrain_restores),
		cmocka_unit_test(test_smoothing_zero_counts),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_persistence_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
