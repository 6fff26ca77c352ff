/* Spam handling (see spam.h): the bridge between calls in the database and
 * the pure model of spam_model.c. Counts are written as deltas inside the
 * caller's transaction, so a label and its counts commit together. */
#include "domain/spam.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/phone.h"
#include "core/tz.h"
#include "domain/audit.h"
#include "domain/calls.h"
#include "domain/sla.h"
#include "domain/sla_policy.h"
#include "store/blocked.h"
#include "store/calls.h"

#define DAY_MS (24LL * 3600 * 1000)
#define SILENT_WINDOW_MS (7 * DAY_MS)
#define EVAL_MAX_EXAMPLES 5000
#define EVAL_MIN_EXAMPLES 10
#define EVAL_FOLDS 5

/* ---- the model's counts ---- */

static void count_row(void *ctx, const char *feature, const char *cls, int64_t n)
{
	struct spam_model *m = ctx;
	int c = -1;
	for (int i = 0; i < SPAM_NCLASSES; i++)
		if (!strcmp(cls, spam_class_name(i)))
			c = i;
	if (c < 0)
		return;
	if (!strcmp(feature, "*")) {
		m->total[c] = n;
		return;
	}
	const char *eq = strchr(feature, '=');
	for (int g = 0; g < SPAM_NGROUPS; g++) {
		size_t gl = strlen(spam_group_name(g));
		if (strncmp(feature, spam_group_name(g), gl) != 0)
			continue;
		if (!eq && feature[gl] == 0) {
			m->known[g][c] = n;
		} else if (eq == feature + gl) {
			for (int v = 0; v < spam_group_values(g); v++)
				if (!strcmp(eq + 1, spam_value_name(g, v)))
					m->n[g][v][c] = n;
		}
	}
}

static enum err model_load(struct db *db, const char *workspace_id, struct spam_model *m)
{
	spam_model_init(m);
	return store_spam_counts_each(db, workspace_id, count_row, m);
}

/* Adds sign times one example of class cls to the stored counts. */
static enum err counts_write(struct db *db, const char *ws, const struct spam_features *f, int cls, int sign)
{
	const char *name = spam_class_name(cls);
	enum err rc = store_spam_count_add(db, ws, "*", name, sign);
	for (int g = 0; g < SPAM_NGROUPS && rc == ERR_OK; g++) {
		const char *v = spam_value_name(g, f->v[g]);
		char token[64];
		if (!v)
			continue;
		snprintf(token, sizeof token, "%s=%s", spam_group_name(g), v);
		rc = store_spam_count_add(db, ws, spam_group_name(g), name, sign);
		if (rc == ERR_OK)
			rc = store_spam_count_add(db, ws, token, name, sign);
	}
	return rc;
}

static enum err example_write(struct db *db, const char *ws, const struct spam_features *f, bool is_spam,
			      int reason_cls, int sign)
{
	enum err rc = counts_write(db, ws, f, is_spam ? SC_SPAM : SC_HAM, sign);
	if (rc == ERR_OK && is_spam && reason_cls >= SC_ROBOCALL)
		rc = counts_write(db, ws, f, reason_cls, sign);
	return rc;
}

/* ---- a call's features ---- */

/* known: the inbound webhook's from_valid and zone (else NULL: looked up). */
struct known {
	bool from_valid;
	const struct tz *zone;
};

static enum err call_features(struct db *db, const struct call *c, const char *caller_name, const struct known *k,
			      struct arena *a, struct spam_features *out)
{
	struct business_hours bh;
	struct spam_facts f = {0};
	char norm[PHONE_E164_SIZE];
	enum err rc = k ? ERR_OK : sla_hours_load(db, c->workspace_id, a, &bh, NULL);
	if (rc != ERR_OK)
		return rc;
	struct tz_civil civ;
	tz_civil_at(k ? k->zone : bh.zone, c->started_at, &civ);
	f.from_e164 = c->from_e164;
	f.to_e164 = c->to_e164;
	f.from_valid = k ? k->from_valid
			 : phone_is_e164(c->from_e164) &&
				   phone_normalize(c->from_e164, PHONE_DEFAULT_REGION, norm, sizeof norm) == ERR_OK;
	f.line_type = c->line_type;
	f.caller_name = caller_name;
	f.has_contact = c->contact_id != NULL;
	f.ended = c->ended_at != I64_NULL;
	f.duration_sec = c->duration_sec == I64_NULL ? 0 : c->duration_sec;
	f.local_hour = civ.hour;
	f.after_hours = c->after_hours;
	rc = store_spam_recent_silent(db, c->workspace_id, c->from_e164, c->started_at - SILENT_WINDOW_MS,
				      c->started_at, c->id, &f.recent_silent);
	if (rc != ERR_OK)
		return rc;
	spam_features_from(&f, out);
	return ERR_OK;
}

/* Features of a stored call, with the caller name it arrived with. */
static enum err stored_call_features(struct db *db, const struct call *c, struct arena *a, struct spam_features *out)
{
	const char *name = NULL;
	enum err rc = store_spam_caller_name_get(db, c->id, a, &name);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return rc;
	return call_features(db, c, rc == ERR_OK ? name : NULL, NULL, a, out);
}

enum err spam_caller_name_record(struct db *db, const struct call *c, const char *caller_name)
{
	return store_spam_caller_name_put(db, c->workspace_id, c->id, caller_name, c->created_at);
}

void spam_inbound_score(struct db *db, const char *caller_name, bool from_valid, const struct tz *zone,
			struct call *c)
{
	const struct known k = {.from_valid = from_valid, .zone = zone};
	struct spam_model m;
	struct spam_features f;
	struct spam_score s;
	struct arena *a = arena_new();
	enum err rc = a ? model_load(db, c->workspace_id, &m) : ERR_NOMEM;
	if (rc == ERR_OK)
		rc = call_features(db, c, caller_name, &k, a, &f);
	arena_free(a);
	if (rc != ERR_OK) {
		log_warn("spam: call %s left unscored: %s", c->id, err_str(rc));
		return;
	}
	spam_model_score(&m, &f, &s);
	c->spam_score = s.score;
	c->spam_reason = s.reason;
	if (s.score >= SPAM_FLAG_SCORE) {
		c->spam = true;
		c->outcome_required = false;
		c->queue_status = "none";
	}
}

static enum err explain(struct db *db, const struct call *c, struct arena *a, struct spam_explain *out)
{
	struct spam_model m;
	memset(out, 0, sizeof *out);
	enum err rc = model_load(db, c->workspace_id, &m);
	if (rc == ERR_OK)
		rc = stored_call_features(db, c, a, &out->f);
	if (rc == ERR_OK)
		rc = store_spam_example_counts(db, c->workspace_id, &out->spam_examples, &out->ham_examples);
	if (rc != ERR_OK)
		return rc;
	spam_model_score(&m, &out->f, &out->s);
	spam_model_weights(&m, &out->f, out->weights);
	return ERR_OK;
}

enum err spam_call_explain(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			   struct spam_explain *out, struct err_detail *d)
{
	struct call c;
	enum err rc = calls_get(db, p, call_id, a, &c, d);
	return rc != ERR_OK ? rc : explain(db, &c, a, out);
}

/* ---- labels ---- */

struct label {
	bool is_spam;
	int reason_cls;
	const char *source, *user_id;
};

/* Moves the call's example to label l (inside the caller's write transaction). */
static enum err train_in_tx(struct db *db, const struct call *c, const struct label *l, struct arena *a,
			    struct spam_train_result *res)
{
	struct spam_example_row old;
	struct spam_features f;
	char text[SPAM_FEATURES_TEXT];
	int64_t now = clock_now_ms();
	enum err rc = store_spam_example_get(db, c->workspace_id, c->id, a, &old);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return rc;
	bool had = rc == ERR_OK;
	if (res) {
		res->relabelled = had;
		res->was_spam = had && old.is_spam;
	}
	if (had) {
		struct spam_features of;
		spam_features_parse(old.features, &of);
		if ((rc = example_write(db, c->workspace_id, &of, old.is_spam, spam_reason_class(old.reason), -1)) != ERR_OK)
			return rc;
	}
	if ((rc = stored_call_features(db, c, a, &f)) != ERR_OK)
		return rc;
	if ((rc = example_write(db, c->workspace_id, &f, l->is_spam, l->reason_cls, +1)) != ERR_OK)
		return rc;
	spam_features_format(&f, text, sizeof text);
	struct spam_example_row e = {
		.workspace_id = c->workspace_id, .call_id = c->id, .is_spam = l->is_spam,
		.reason = l->is_spam && l->reason_cls >= 0 ? spam_class_name(l->reason_cls) : NULL,
		.features = text, .source = l->source, .labelled_by = l->user_id,
		.created_at = had ? old.created_at : now, .updated_at = now};
	return store_spam_example_put(db, &e);
}

enum err spam_train(struct db *db, const struct principal *p, const char *call_id, bool is_spam, const char *reason,
		    struct arena *a, struct spam_train_result *out, struct err_detail *d)
{
	if (!authz_role_may(p->role, ACT_SETTINGS))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not train the spam model", role_name(p->role));
	if (reason && !is_spam)
		return err_field_add(d, "reason", "is only given when isSpam is true");
	memset(out, 0, sizeof *out);
	struct call c;
	bool own;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = store_call_get(db, p->workspace_id, call_id, NULL, a, &c, &own);
	if (rc == ERR_NOT_FOUND)
		err_set(d, rc, "no call %s", call_id);
	struct label l = {is_spam, -1, "train", p->user_id[0] ? p->user_id : NULL};
	if (rc == ERR_OK) {
		l.reason_cls = spam_reason_class(reason ? reason : is_spam ? c.spam_reason : NULL);
		rc = train_in_tx(db, &c, &l, a, out);
	}
	if (rc == ERR_OK) {
		struct actor actor = actor_of(p, SRC_API);
		const char *rname = spam_class_name(l.reason_cls);
		const char *meta = arena_printf(a, "{\"isSpam\":%s,\"reason\":%s%s%s,\"relabelled\":%s}",
						is_spam ? "true" : "false", l.reason_cls >= 0 ? "\"" : "",
						l.reason_cls >= 0 ? rname : "null", l.reason_cls >= 0 ? "\"" : "",
						out->relabelled ? "true" : "false");
		rc = meta ? audit_record(db, &actor, "spam.trained", "call", c.id, NULL, meta) : ERR_NOMEM;
	}
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return explain(db, &c, a, &out->after);
}

static enum err block_caller(struct db *db, const struct principal *p, enum audit_source source, const struct call *c,
			     bool *blocked)
{
	struct blocked_number b = {.workspace_id = c->workspace_id, .e164 = c->from_e164, .reason = c->spam_reason,
				   .source = "spam", .created_by = p->user_id[0] ? p->user_id : NULL,
				   .created_at = clock_now_ms()};
	enum err rc = store_blocked_add(db, &b, blocked);
	if (rc != ERR_OK || !*blocked)
		return rc;
	struct actor actor = actor_of(p, source);
	char meta[160];
	snprintf(meta, sizeof meta, "{\"source\":\"spam\",\"callId\":\"%s\",\"reason\":\"%s\"}", c->id,
		 c->spam_reason ? c->spam_reason : "");
	return audit_record(db, &actor, "blocked_number.added", "blocked_number", c->from_e164, NULL, meta);
}

enum err spam_mark(struct db *db, const struct principal *p, enum audit_source source, const char *call_id,
		   const char *reason, bool block, struct arena *a, bool *blocked, struct err_detail *d)
{
	*blocked = false;
	if (block && !authz_role_may(p->role, ACT_SETTINGS))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not block numbers", role_name(p->role));
	struct call before, after;
	enum err rc = calls_edit_begin(db, p, call_id, a, &before, d);
	if (rc != ERR_OK)
		return rc;
	if (block && !phone_is_e164(before.from_e164)) {
		calls_edit_abort(db);
		return err_field_add(d, "blockNumber", "the caller's number is withheld and cannot be blocked");
	}
	after = before;
	after.spam = true;
	after.spam_reason = reason;
	after.disposition = "spam";
	struct label l = {true, spam_reason_class(reason), source == SRC_BULK ? "bulk" : "mark",
			  p->user_id[0] ? p->user_id : NULL};
	rc = train_in_tx(db, &after, &l, a, NULL);
	if (rc == ERR_OK && block)
		rc = block_caller(db, p, source, &after, blocked);
	if (rc != ERR_OK) {
		calls_edit_abort(db);
		return rc;
	}
	struct actor actor = actor_of(p, source);
	const char *meta = arena_printf(a, "{\"reason\":%s%s%s,\"blockNumber\":%s}", reason ? "\"" : "",
					reason ? reason : "null", reason ? "\"" : "", block ? "true" : "false");
	if (!meta) {
		calls_edit_abort(db);
		return ERR_NOMEM;
	}
	return calls_edit_commit(db, &actor, "call.marked_spam", &before, &after, meta, NULL, d);
}

/* ---- the report ---- */

struct bucket_ctx {
	struct spam_report *r;
	const struct tz *zone;
	int64_t first_day;
	int step;
};

static int reason_slot(const char *reason)
{
	int c = spam_reason_class(reason);
	return c < 0 ? 3 : c - SC_ROBOCALL;
}

static int64_t local_day(const struct tz *zone, int64_t ms, int *weekday)
{
	struct tz_civil civ;
	tz_civil_at(zone, ms, &civ);
	if (weekday)
		*weekday = civ.weekday;
	return clock_days_from_civil(civ.year, (unsigned)civ.month, (unsigned)civ.day);
}

static void bucket_call(void *ctx, int64_t started_at, const char *reason)
{
	struct bucket_ctx *b = ctx;
	int64_t i = (local_day(b->zone, started_at, NULL) - b->first_day) / b->step;
	int slot = reason_slot(reason);
	b->r->by_reason[slot]++;
	if (i < 0 || i >= b->r->nbuckets)
		return;
	b->r->buckets[i].total++;
	b->r->buckets[i].by_reason[slot]++;
}

static enum err report_buckets(struct db *db, const char *ws, const struct tz *zone, struct arena *a,
			       struct spam_report *r)
{
	int wd;
	struct bucket_ctx b = {r, zone, local_day(zone, r->from, &wd), r->period == SPAM_PERIOD_WEEK ? 7 : 1};
	if (r->period == SPAM_PERIOD_WEEK)
		b.first_day -= (wd + 6) % 7; /* weeks start on Monday */
	int64_t last = local_day(zone, r->to - 1, NULL);
	r->nbuckets = (int)((last - b.first_day) / b.step + 1);
	if (r->nbuckets > SPAM_REPORT_MAX_BUCKETS || r->nbuckets < 1)
		r->nbuckets = r->nbuckets < 1 ? 1 : SPAM_REPORT_MAX_BUCKETS;
	r->buckets = arena_alloc(a, sizeof *r->buckets * (size_t)r->nbuckets);
	if (!r->buckets)
		return ERR_NOMEM;
	memset(r->buckets, 0, sizeof *r->buckets * (size_t)r->nbuckets);
	for (int i = 0; i < r->nbuckets; i++)
		r->buckets[i].start = b.first_day + (int64_t)i * b.step;
	return store_spam_calls_each(db, ws, r->from, r->to, bucket_call, &b);
}

struct eval_ctx {
	struct spam_example *ex;
	int n, max;
};

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void eval_row(void *ctx, const char *call_id, bool is_spam, const char *reason, const char *features)
{
	struct eval_ctx *e = ctx;
	if (e->n >= e->max)
		return;
	struct spam_example *x = &e->ex[e->n++];
	spam_features_parse(features, &x->f);
	x->is_spam = is_spam;
	x->reason_cls = spam_reason_class(reason);
	x->fold_key = fnv(call_id);
}

/* k-fold cross-validation over the newest labelled examples (spam_model_evaluate). */
static enum err report_eval(struct db *db, const char *ws, struct arena *a, struct spam_report *r)
{
	struct spam_model m;
	struct eval_ctx e = {arena_alloc(a, sizeof *e.ex * EVAL_MAX_EXAMPLES), 0, EVAL_MAX_EXAMPLES};
	memset(&r->eval, 0, sizeof r->eval);
	r->eval.precision = r->eval.recall = r->eval.f1 = -1;
	if (!e.ex)
		return ERR_NOMEM;
	enum err rc = model_load(db, ws, &m);
	if (rc == ERR_OK)
		rc = store_spam_examples_each(db, ws, EVAL_MAX_EXAMPLES, eval_row, &e);
	if (rc != ERR_OK)
		return rc;
	r->eval.examples = e.n;
	if (e.n >= EVAL_MIN_EXAMPLES)
		spam_model_evaluate(&m, e.ex, e.n, EVAL_FOLDS, r->threshold, &r->eval);
	return ERR_OK;
}

enum err spam_report(struct db *db, const struct principal *p, int64_t from, int64_t to, enum spam_period period,
		     struct arena *a, struct spam_report *out, struct err_detail *d)
{
	if (!authz_role_may(p->role, ACT_READ) || authz_row_scoped(p->role, ACT_READ))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not read workspace-wide spam reports",
			       role_name(p->role));
	struct business_hours bh;
	const char *ws = p->workspace_id;
	memset(out, 0, sizeof *out);
	out->from = from;
	out->to = to;
	out->period = period;
	out->threshold = SPAM_FLAG_SCORE;
	enum err rc = sla_hours_load(db, ws, a, &bh, NULL);
	if (rc == ERR_OK) {
		out->zone = tz_name(bh.zone);
		rc = db_begin(db); /* one snapshot for every figure */
	}
	if (rc != ERR_OK)
		return rc;
	rc = store_spam_call_totals(db, ws, from, to, &out->calls, &out->spam);
	if (rc == ERR_OK)
		rc = report_buckets(db, ws, bh.zone, a, out);
	if (rc == ERR_OK)
		rc = store_spam_top_numbers(db, ws, from, to, SPAM_REPORT_TOP, a, &out->top, &out->ntop);
	if (rc == ERR_OK)
		rc = store_blocked_count(db, ws, &out->blocked);
	if (rc == ERR_OK)
		rc = store_spam_example_counts(db, ws, &out->spam_examples, &out->ham_examples);
	if (rc == ERR_OK)
		rc = report_eval(db, ws, a, out);
	db_rollback(db);
	return rc;
}

/* ---- bootstrap ---- */

enum err spam_bootstrap(struct db *db, const char *workspace_id, int limit, int *trained, struct err_detail *d)
{
	const char **ids = NULL;
	int n = 0;
	*trained = 0;
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	enum err rc = store_spam_labelled_calls(db, workspace_id, limit, a, &ids, &n);
	for (int i = 0; i < n && rc == ERR_OK; i += 500) {
		struct arena *batch = arena_new(); /* the calls of one transaction */
		if (!batch || (rc = db_begin_write(db)) != ERR_OK) {
			arena_free(batch);
			rc = rc == ERR_OK ? ERR_NOMEM : rc;
			break;
		}
		for (int j = i; j < n && j < i + 500 && rc == ERR_OK; j++) {
			struct call c;
			bool own;
			if ((rc = store_call_get(db, workspace_id, ids[j], NULL, batch, &c, &own)) != ERR_OK)
				break;
			struct label l = {c.spam, spam_reason_class(c.spam_reason), "bootstrap", NULL};
			rc = train_in_tx(db, &c, &l, batch, NULL);
		}
		if (rc == ERR_OK)
			rc = db_commit(db);
		if (rc != ERR_OK)
			db_rollback(db);
		else
			*trained = i + 500 < n ? i + 500 : n;
		arena_free(batch);
	}
	arena_free(a);
	if (rc != ERR_OK)
		err_set(d, rc, "training from the workspace's calls failed after %d calls", *trained);
	return rc;
}
