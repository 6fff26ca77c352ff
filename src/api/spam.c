/* Spam: mark a call (POST /api/calls/:id/mark-spam), explain a call's score
 * (GET /api/calls/:id/spam-score), train the model (POST /api/spam/train) and
 * the workspace's spam report (GET /api/spam/reports). Rules in domain/spam.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/call_json.h"
#include "api/handlers.h"
#include "api/input.h"
#include "core/clock.h"
#include "domain/calls.h"
#include "domain/spam.h"

#define DAY_MS (24LL * 3600 * 1000)
#define REPORT_DEFAULT_DAYS 30
#define REPORT_MAX_DAYS 366

static const char *const reasons[] = {"robocall", "telemarketer", "repeat_silent", NULL};

static void write_features(struct jw *w, const struct spam_explain *e)
{
	jw_key(w, "features");
	jw_obj_begin(w);
	for (int g = 0; g < SPAM_NGROUPS; g++) {
		const char *v = spam_value_name(g, e->f.v[g]);
		if (v)
			jw_kstr(w, spam_group_name(g), v);
	}
	jw_obj_end(w);
	/* log-likelihood ratio of each known feature: > 0 leans spam, < 0 leans ham */
	jw_key(w, "weights");
	jw_obj_begin(w);
	for (int g = 0; g < SPAM_NGROUPS; g++) {
		if (!spam_value_name(g, e->f.v[g]))
			continue;
		jw_key(w, spam_group_name(g));
		jw_double(w, round(e->weights[g] * 1000.0) / 1000.0);
	}
	jw_obj_end(w);
	jw_kint(w, "spamScore", e->s.score);
	jw_kstr(w, "spamReason", e->s.reason);
	jw_kbool(w, "flagged", e->s.score >= SPAM_FLAG_SCORE);
	jw_kint(w, "threshold", SPAM_FLAG_SCORE);
	jw_key(w, "model");
	jw_obj_begin(w);
	jw_kint(w, "spamExamples", e->spam_examples);
	jw_kint(w, "hamExamples", e->ham_examples);
	jw_obj_end(w);
}

enum err h_call_spam_score(struct req *r)
{
	struct spam_explain e;
	const char *id = req_param(r, "id");
	enum err rc = spam_call_explain(r->db, &r->principal, id, r->arena, &e, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 1024, 65536);
	jw_obj_begin(&w);
	jw_kstr(&w, "callId", id);
	write_features(&w, &e);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_call_mark_spam(struct req *r)
{
	static const char *const keys[] = {"reason", "blockNumber", NULL};
	json_t *b = req_body(r);
	int reason = -1;
	bool block = false, blocked = false;
	input_known_keys(r, b, keys);
	input_enum(r, b, "reason", INPUT_REQUIRED, reasons, &reason);
	input_bool(r, b, "blockNumber", INPUT_OPTIONAL, &block);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	const char *id = req_param(r, "id");
	rc = spam_mark(r->db, &r->principal, SRC_API, id, reasons[reason], block, r->arena, &blocked, &r->err);
	struct call c;
	if (rc == ERR_OK)
		rc = calls_get(r->db, &r->principal, id, r->arena, &c, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 8192, 16u << 20);
	jw_obj_begin(&w);
	jw_key(&w, "call");
	call_json_write(&w, &c, true);
	jw_kbool(&w, "blocked", block);
	jw_kbool(&w, "newlyBlocked", blocked);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_spam_train(struct req *r)
{
	static const char *const keys[] = {"callId", "isSpam", "reason", NULL};
	json_t *b = req_body(r);
	const char *call_id = NULL;
	bool is_spam = false;
	int reason = -1;
	input_known_keys(r, b, keys);
	input_str(r, b, "callId", INPUT_REQUIRED, 64, &call_id);
	input_bool(r, b, "isSpam", INPUT_REQUIRED, &is_spam);
	input_enum(r, b, "reason", INPUT_OPTIONAL, reasons, &reason);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct spam_train_result res;
	rc = spam_train(r->db, &r->principal, call_id, is_spam, reason >= 0 ? reasons[reason] : NULL, r->arena, &res,
			&r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 1024, 65536);
	jw_obj_begin(&w);
	jw_kstr(&w, "callId", call_id);
	jw_kbool(&w, "isSpam", is_spam);
	jw_kbool(&w, "relabelled", res.relabelled);
	if (res.relabelled)
		jw_kbool(&w, "previousIsSpam", res.was_spam);
	write_features(&w, &res.after);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

/* ---- the report ---- */

static bool report_params(struct req *r, int64_t *from, int64_t *to, enum spam_period *period)
{
	const char *f = req_query(r, "from"), *t = req_query(r, "to"), *p = req_query(r, "period");
	*to = clock_now_ms() + 1;
	if (t && !clock_parse_rfc3339(t, to))
		err_field_add(&r->err, "to", "must be an RFC 3339 date-time");
	*from = *to - REPORT_DEFAULT_DAYS * DAY_MS;
	if (f && !clock_parse_rfc3339(f, from))
		err_field_add(&r->err, "from", "must be an RFC 3339 date-time");
	*period = SPAM_PERIOD_DAY;
	if (p && !strcmp(p, "week"))
		*period = SPAM_PERIOD_WEEK;
	else if (p && strcmp(p, "day") != 0)
		err_field_add(&r->err, "period", "must be one of: day, week");
	if (!r->err.nfields && *from >= *to)
		err_field_add(&r->err, "from", "must be before to");
	else if (!r->err.nfields && *to - *from > REPORT_MAX_DAYS * DAY_MS)
		err_field_add(&r->err, "from", "the range is at most %d days", REPORT_MAX_DAYS);
	return r->err.nfields == 0;
}

/* "YYYY-MM-DD" of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
static void day_text(int64_t z, char out[16])
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	snprintf(out, 16, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

static void write_reasons(struct jw *w, const int64_t v[4])
{
	for (int i = 0; i < 3; i++)
		jw_kint(w, reasons[i], v[i]);
	jw_kint(w, "unspecified", v[3]);
}

static void write_ratio(struct jw *w, const char *k, double v)
{
	jw_key(w, k);
	if (v < 0)
		jw_null(w);
	else
		jw_double(w, round(v * 10000.0) / 10000.0);
}

static void write_model(struct jw *w, const struct spam_report *s)
{
	jw_key(w, "model");
	jw_obj_begin(w);
	jw_kint(w, "examples", s->spam_examples + s->ham_examples);
	jw_kint(w, "spamExamples", s->spam_examples);
	jw_kint(w, "hamExamples", s->ham_examples);
	jw_kint(w, "threshold", s->threshold);
	jw_key(w, "evaluation");
	jw_obj_begin(w);
	jw_kstr(w, "method", "k-fold cross-validation on labelled examples (each fold scored by a model without it)");
	jw_kint(w, "examples", s->eval.examples);
	jw_kint(w, "folds", s->eval.folds);
	write_ratio(w, "precision", s->eval.precision);
	write_ratio(w, "recall", s->eval.recall);
	write_ratio(w, "f1", s->eval.f1);
	jw_kint(w, "truePositives", s->eval.tp);
	jw_kint(w, "falsePositives", s->eval.fp);
	jw_kint(w, "falseNegatives", s->eval.fn);
	jw_kint(w, "trueNegatives", s->eval.tn);
	jw_obj_end(w);
	jw_obj_end(w);
}

enum err h_spam_reports(struct req *r)
{
	int64_t from, to;
	enum spam_period period;
	struct spam_report s;
	if (!report_params(r, &from, &to, &period))
		return ERR_INVALID;
	enum err rc = spam_report(r->db, &r->principal, from, to, period, r->arena, &s, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 8192, 4u << 20);
	jw_obj_begin(&w);
	jw_ktime_ms(&w, "from", s.from);
	jw_ktime_ms(&w, "to", s.to);
	jw_kstr(&w, "period", period == SPAM_PERIOD_WEEK ? "week" : "day");
	jw_kstr(&w, "timeZone", s.zone);
	jw_kint(&w, "inboundCalls", s.calls);
	jw_kint(&w, "spamCalls", s.spam);
	write_ratio(&w, "spamRate", s.calls ? (double)s.spam / (double)s.calls : -1);
	jw_key(&w, "byReason");
	jw_obj_begin(&w);
	write_reasons(&w, s.by_reason);
	jw_obj_end(&w);
	jw_key(&w, "periods");
	jw_arr_begin(&w);
	for (int i = 0; i < s.nbuckets; i++) {
		char day[16];
		day_text(s.buckets[i].start, day);
		jw_obj_begin(&w);
		jw_kstr(&w, "start", day);
		jw_kint(&w, "total", s.buckets[i].total);
		write_reasons(&w, s.buckets[i].by_reason);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "topNumbers");
	jw_arr_begin(&w);
	for (int i = 0; i < s.ntop; i++) {
		jw_obj_begin(&w);
		jw_kstr(&w, "e164", s.top[i].e164);
		jw_kint(&w, "calls", s.top[i].calls);
		jw_ktime_ms(&w, "lastAt", s.top[i].last_at);
		jw_kbool(&w, "blocked", s.top[i].blocked);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_kint(&w, "blockedCount", s.blocked);
	write_model(&w, &s);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}
