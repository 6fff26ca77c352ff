/* SQL for calls. The list query is assembled from the constant fragments below
 * (store/sqlb.h): one query returns a page with its contact, job and tags
 * joined in; one more fetches the page's open follow-ups. */
#include "store/calls.h"

#include <string.h>

#include "store/calls_int.h"
#include "store/sqlb.h"

/* Columns of a call row, in the order store_call_row_read expects. */
#define CALL_COLS \
	"c.id, c.workspace_id, c.started_at, c.answered_at, c.ended_at, c.duration_sec, c.direction," \
	" c.from_e164, c.to_e164, c.status, c.call_sid, c.number_id, c.contact_id, c.job_id, c.agent_type," \
	" c.agent_user_id, c.assigned_to, c.intent, c.disposition, c.queue_status, c.priority, c.outcome_at," \
	" c.outcome_required, c.value_est_cents, c.emergency_score, c.spam_score, c.spam_reason, c.spam," \
	" c.recording_url, c.transcript_url, c.has_transcript, c.escalation_status, c.source, c.lead_source," \
	" c.notes, c.after_hours, c.first_time_caller, c.prior_calls, c.carrier, c.line_type," \
	" c.consent_recording, c.consent_sms, c.consent_updated_at, c.created_at, c.updated_at," \
	" (SELECT group_concat(t.tag, char(31)) FROM (SELECT tag FROM call_tags WHERE call_id = c.id ORDER BY tag) t)," \
	" ct.id, ct.name, ct.email, ct.address, ct.do_not_contact," \
	" (SELECT group_concat(p.e164, char(31)) FROM (SELECT e164 FROM contact_phones" \
	"   WHERE contact_id = ct.id ORDER BY position, e164) p)," \
	" j.id, j.status, j.title, j.assigned_to, j.address, j.contact_id, j.slot_start, j.slot_end," \
	" j.estimate_cents, j.final_cents," \
	" (SELECT group_concat(u.user_id, char(31)) FROM (SELECT user_id FROM job_assignments" \
	"   WHERE job_id = j.id ORDER BY user_id) u)"

#define CALL_FROM " FROM calls c LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN jobs j ON j.id = c.job_id"

/* Triage: parts and score. Overdue reads the exact "now"; attempts and age
 * read triage_clock(now) (see triage_binds). Attempts only count in the last
 * 24 h, so older calls skip the subquery. */
#define TRIAGE_OVERDUE \
	"EXISTS (SELECT 1 FROM followups f WHERE f.call_id = c.id AND f.status = 'open' AND f.due_at < ?)"
#define TRIAGE_ATTEMPTS \
	"(CASE WHEN c.started_at <= ? - 86400000 THEN 0 ELSE (SELECT COUNT(*) FROM calls c2 WHERE c2.workspace_id = c.workspace_id AND c2.from_e164 = c.from_e164" \
	" AND c2.direction = 'in' AND c2.started_at > ? - 86400000" \
	" AND (c2.status IN ('no_answer', 'voicemail', 'busy') OR c2.disposition = 'missed')) END)"
#define TRIAGE_AGE "((? - c.started_at) / 60000)"



/* Splits "a\x1fb\x1fc" into an arena array. */
static int split_list(struct arena *a, const char *joined, const char ***out)
{
	*out = NULL;
	if (!joined || !*joined)
		return 0;
	int n = 1;
	for (const char *p = joined; *p; p++)
		n += *p == '\x1f';
	const char **v = arena_alloc(a, sizeof *v * (size_t)n);
	char *copy = arena_strdup(a, joined);
	if (!v || !copy)
		return 0;
	int k = 0;
	for (char *p = copy, *s = copy;; p++) {
		if (*p == '\x1f' || *p == 0) {
			bool end = *p == 0;
			*p = 0;
			v[k++] = s;
			s = p + 1;
			if (end)
				break;
		}
	}
	*out = v;
	return k;
}

enum err store_call_row_read(struct db_stmt *st, struct arena *a, struct call *c)
{
	call_blank(c);
#define S(i) db_col_dup(st, i, a)
	c->id = S(0);
	c->workspace_id = S(1);
	c->started_at = db_col_int(st, 2);
	c->answered_at = db_col_int_or_null(st, 3);
	c->ended_at = db_col_int_or_null(st, 4);
	c->duration_sec = db_col_int_or_null(st, 5);
	c->direction = S(6);
	c->from_e164 = S(7);
	c->to_e164 = S(8);
	c->status = S(9);
	c->call_sid = S(10);
	c->number_id = S(11);
	c->contact_id = S(12);
	c->job_id = S(13);
	c->agent_type = S(14);
	c->agent_user_id = S(15);
	c->assigned_to = S(16);
	c->intent = S(17);
	c->disposition = S(18);
	c->queue_status = S(19);
	c->priority = S(20);
	c->outcome_at = db_col_int_or_null(st, 21);
	c->outcome_required = db_col_int(st, 22) != 0;
	c->value_est_cents = db_col_int_or_null(st, 23);
	c->emergency_score = db_col_int_or_null(st, 24);
	c->spam_score = db_col_int_or_null(st, 25);
	c->spam_reason = S(26);
	c->spam = db_col_int(st, 27) != 0;
	c->recording_url = S(28);
	c->transcript_url = S(29);
	c->has_transcript = db_col_int(st, 30) != 0;
	c->escalation_status = S(31);
	c->source = S(32);
	c->lead_source = S(33);
	c->notes = S(34);
	c->after_hours = db_col_int(st, 35) != 0;
	c->first_time_caller = db_col_int(st, 36) != 0;
	c->prior_calls = db_col_int(st, 37);
	c->carrier = S(38);
	c->line_type = S(39);
	c->consent_recording = db_col_null(st, 40) ? -1 : (int)db_col_int(st, 40);
	c->consent_sms = db_col_null(st, 41) ? -1 : (int)db_col_int(st, 41);
	c->consent_updated_at = db_col_int_or_null(st, 42);
	c->created_at = db_col_int(st, 43);
	c->updated_at = db_col_int(st, 44);
	c->ntags = split_list(a, db_col_text(st, 45), &c->tags);
	if (!db_col_null(st, 46)) {
		struct contact_brief *ct = arena_alloc(a, sizeof *ct);
		if (!ct)
			return ERR_NOMEM;
		ct->id = S(46);
		ct->name = S(47);
		ct->email = S(48);
		ct->address = S(49);
		ct->do_not_contact = db_col_int(st, 50) != 0;
		ct->nphones = split_list(a, db_col_text(st, 51), &ct->phones);
		c->contact = ct;
	}
	if (!db_col_null(st, 52)) {
		struct job_brief *j = arena_alloc(a, sizeof *j);
		if (!j)
			return ERR_NOMEM;
		j->id = S(52);
		j->status = S(53);
		j->title = S(54);
		j->assigned_to = S(55);
		j->address = S(56);
		j->contact_id = S(57);
		j->slot_start = db_col_int_or_null(st, 58);
		j->slot_end = db_col_int_or_null(st, 59);
		j->estimate_cents = db_col_int_or_null(st, 60);
		j->final_cents = db_col_int_or_null(st, 61);
		j->ntechs = split_list(a, db_col_text(st, 62), &j->techs);
		c->job = j;
	}
#undef S
	return c->id && c->workspace_id ? ERR_OK : ERR_NOMEM;
}

void call_query_init(struct call_query *q, const char *workspace_id, int64_t now)
{
	memset(q, 0, sizeof *q);
	q->workspace_id = workspace_id;
	q->now = now;
	q->from = q->to = I64_NULL;
	q->value_min = q->value_max = q->min_duration = q->max_duration = I64_NULL;
	q->has_job = q->has_recording = q->has_transcript = q->dnc = -1;
	q->outcome_required = q->after_hours = q->first_time_caller = -1;
	q->limit = 20;
}

static void set_filter(struct sqlb *b, const char *col_in, const struct str_set *s)
{
	if (s->n == 0)
		return;
	sqlb_sql(b, col_in);
	sqlb_in(b, s->v, s->n);
}

static void tri(struct sqlb *b, int v, const char *when_true, const char *when_false)
{
	if (v == 1)
		sqlb_sql(b, when_true);
	else if (v == 0)
		sqlb_sql(b, when_false);
}

static void bound(struct sqlb *b, int64_t v, const char *frag)
{
	if (v == I64_NULL)
		return;
	sqlb_sql(b, frag);
	sqlb_int(b, v);
}

/* The WHERE clause shared by the page and the count. */
static void where(struct sqlb *b, const struct call_query *q)
{
	sqlb_sql(b, " WHERE c.workspace_id = ?");
	sqlb_text(b, q->workspace_id);
	if (q->tech_user_id) {
		sqlb_sql(b, " AND c.job_id IN (SELECT job_id FROM job_assignments WHERE workspace_id = ? AND user_id = ?)");
		sqlb_text(b, q->workspace_id);
		sqlb_text(b, q->tech_user_id);
	}
	bound(b, q->from, " AND c.started_at >= ?");
	bound(b, q->to, " AND c.started_at < ?");
	set_filter(b, " AND c.intent IN ", &q->intent);
	set_filter(b, " AND c.disposition IN ", &q->disposition);
	set_filter(b, " AND c.agent_type IN ", &q->agent_type);
	set_filter(b, " AND c.source IN ", &q->source);
	set_filter(b, " AND c.lead_source IN ", &q->lead_source);
	set_filter(b, " AND c.queue_status IN ", &q->queue_status);
	set_filter(b, " AND c.direction IN ", &q->direction);
	set_filter(b, " AND c.status IN ", &q->status);
	set_filter(b, " AND c.assigned_to IN ", &q->assigned_to);
	if (q->ntags) {
		sqlb_sql(b, " AND c.id IN (SELECT call_id FROM call_tags WHERE workspace_id = ? AND tag IN ");
		sqlb_text(b, q->workspace_id);
		sqlb_in(b, q->tags, q->ntags);
		sqlb_sql(b, ")");
	}
	bound(b, q->value_min, " AND c.value_est_cents >= ?");
	bound(b, q->value_max, " AND c.value_est_cents <= ?");
	bound(b, q->min_duration, " AND c.duration_sec >= ?");
	bound(b, q->max_duration, " AND c.duration_sec <= ?");
	tri(b, q->has_job, " AND c.job_id IS NOT NULL", " AND c.job_id IS NULL");
	tri(b, q->has_recording, " AND c.recording_url IS NOT NULL", " AND c.recording_url IS NULL");
	tri(b, q->has_transcript, " AND c.has_transcript = 1", " AND c.has_transcript = 0");
	tri(b, q->dnc, " AND ct.do_not_contact = 1", " AND COALESCE(ct.do_not_contact, 0) = 0");
	tri(b, q->outcome_required, " AND c.outcome_required = 1", " AND c.outcome_required = 0");
	tri(b, q->after_hours, " AND c.after_hours = 1", " AND c.after_hours = 0");
	tri(b, q->first_time_caller, " AND c.first_time_caller = 1", " AND c.first_time_caller = 0");
	if (q->number_id) {
		sqlb_sql(b, " AND (c.number_id = ? OR c.to_e164 = (SELECT e164 FROM tracking_numbers"
			    " WHERE id = ? AND workspace_id = ?))");
		sqlb_text(b, q->number_id);
		sqlb_text(b, q->number_id);
		sqlb_text(b, q->workspace_id);
	}
	if (q->contact_id) {
		sqlb_sql(b, " AND c.contact_id = ?");
		sqlb_text(b, q->contact_id);
	}
	if (q->search_digits || q->search_text) {
		sqlb_sql(b, " AND c.rid IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)");
		sqlb_text(b, q->search_digits ? q->search_digits : q->search_text);
	} else if (q->search_like) {
		sqlb_sql(b, " AND (ct.name LIKE ? ESCAPE '\\' OR c.notes LIKE ? ESCAPE '\\' OR c.from_e164 LIKE ? ESCAPE '\\')");
		sqlb_text(b, q->search_like);
		sqlb_text(b, q->search_like);
		sqlb_text(b, q->search_like);
	}
	switch (q->followup) {
	case CALLQ_FU_ANY:
		break;
	case CALLQ_FU_NONE:
		sqlb_sql(b, " AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.call_id = c.id AND f.status != 'cancelled')");
		break;
	case CALLQ_FU_OPEN:
		sqlb_sql(b, " AND EXISTS (SELECT 1 FROM followups f WHERE f.call_id = c.id AND f.status = 'open')");
		break;
	case CALLQ_FU_OVERDUE:
		sqlb_sql(b, " AND EXISTS (SELECT 1 FROM followups f WHERE f.call_id = c.id AND f.status = 'open'"
			    " AND f.due_at < ?)");
		sqlb_int(b, q->now);
		break;
	case CALLQ_FU_DONE:
		sqlb_sql(b, " AND EXISTS (SELECT 1 FROM followups f WHERE f.call_id = c.id AND f.status = 'done')");
		break;
	}
	if (q->spam == CALLQ_SPAM_EXCLUDE)
		sqlb_sql(b, " AND c.spam = 0");
	else if (q->spam == CALLQ_SPAM_ONLY)
		sqlb_sql(b, " AND c.spam = 1");
	if (q->triage)
		sqlb_sql(b, " AND c.queue_status IN ('triage', 'followup')");
}

static const char *sort_expr(enum callq_sort s)
{
	switch (s) {
	case CALLQ_SORT_DURATION: return "COALESCE(c.duration_sec, -1)";
	case CALLQ_SORT_VALUE: return "COALESCE(c.value_est_cents, -1)";
	case CALLQ_SORT_EMERGENCY: return "COALESCE(c.emergency_score, -1)";
	default: return "c.started_at";
	}
}

#define TRIAGE_BASE \
	"((CASE WHEN c.intent = 'emergency' THEN 300 ELSE 0 END) + 2 * COALESCE(c.emergency_score, 0)" \
	" + 100 * c.first_time_caller + MIN(COALESCE(c.value_est_cents, 0) / 10000, 100))"
#define TRIAGE_SCORE "(1000 * t_over + t_base + 50 * MIN(t_att, 5) + MIN(t_age / 10, 100))"

/* A day: attempts count within it, and past it the age part is capped (1440 min / 10 > 100). */
#define TRIAGE_DAY_MS 86400000

/* Binds TRIAGE_OVERDUE's, TRIAGE_ATTEMPTS' and TRIAGE_AGE's clocks, in that order. */
static void triage_binds(struct sqlb *b, int64_t now)
{
	sqlb_int(b, now);
	sqlb_int(b, triage_clock(now));
	sqlb_int(b, triage_clock(now));
	sqlb_int(b, triage_clock(now));
}

/* FROM and WHERE of one candidate source; only the do-not-contact filter needs the contact. */
static void triage_from(struct sqlb *b, const struct call_query *q, const char *index_hint)
{
	sqlb_sql(b, " FROM calls c");
	sqlb_sql(b, index_hint);
	if (q->dnc >= 0)
		sqlb_sql(b, " LEFT JOIN contacts ct ON ct.id = c.contact_id");
	where(b, q);
}

/* Appends, as a UNION ALL arm, the first limit+1 calls older than a day
 * (day_ago) whose overdue state is overdue, in calls_triage_rank order after
 * the cursor: such a call scores exactly base + 100, plus 1000 when overdue. */
static void triage_old(struct sqlb *b, const struct call_query *q, int64_t day_ago, bool overdue)
{
	sqlb_sql(b, " UNION ALL SELECT t_id FROM (SELECT c.id AS t_id");
	triage_from(b, q, " INDEXED BY calls_triage_rank");
	sqlb_sql(b, overdue ? " AND c.started_at <= ? AND " TRIAGE_OVERDUE : " AND c.started_at <= ? AND NOT " TRIAGE_OVERDUE);
	sqlb_int(b, day_ago);
	sqlb_int(b, q->now);
	if (q->has_cursor) {
		sqlb_sql(b, overdue ? " AND (" TRIAGE_BASE " + 1100, c.id) < (?, ?)" : " AND (" TRIAGE_BASE " + 100, c.id) < (?, ?)");
		sqlb_int(b, q->cursor_key);
		sqlb_text(b, q->cursor_id);
	}
	sqlb_sql(b, " ORDER BY " TRIAGE_BASE " DESC, c.id DESC LIMIT ?)");
	sqlb_int(b, q->limit + 1);
}

/* The ids that can be on the queue page after the cursor, as "cand(t_id)".
 * Every score is computed exactly later; this only narrows whom to score.
 * Calls of the last day are all candidates (their attempts and age still
 * move). An older call scores exactly base + 100 (+ 1000 when overdue), so of
 * the older overdue and the older not overdue only the first limit+1 of each
 * in base order can make the page: one outside them has limit+1 calls of its
 * own kind above it. */
static void triage_candidates(struct sqlb *b, const struct call_query *q)
{
	int64_t day_ago = triage_clock(q->now) - TRIAGE_DAY_MS;
	sqlb_sql(b, "WITH cand(t_id) AS (SELECT c.id");
	triage_from(b, q, "");
	sqlb_sql(b, " AND c.started_at > ?");
	sqlb_int(b, day_ago);
	triage_old(b, q, day_ago, true);
	triage_old(b, q, day_ago, false);
	sqlb_sql(b, ")");
}

static void build_page(struct sqlb *b, const struct call_query *q)
{
	if (q->sort == CALLQ_SORT_TRIAGE) {
		/* Score the candidates exactly, then read full rows for one page only. */
		triage_candidates(b, q);
		sqlb_sql(b, ", ranked AS MATERIALIZED (SELECT c.id AS t_id, " TRIAGE_OVERDUE " AS t_over, " TRIAGE_ATTEMPTS
			    " AS t_att, " TRIAGE_AGE " AS t_age, " TRIAGE_BASE " AS t_base FROM cand JOIN calls c"
			    " ON c.id = cand.t_id");
		triage_binds(b, q->now);
		sqlb_sql(b, "), top AS (SELECT *, " TRIAGE_SCORE " AS t_score FROM ranked");
		if (q->has_cursor) {
			sqlb_sql(b, " WHERE (" TRIAGE_SCORE " < ? OR (" TRIAGE_SCORE " = ? AND t_id < ?))");
			sqlb_int(b, q->cursor_key);
			sqlb_int(b, q->cursor_key);
			sqlb_text(b, q->cursor_id);
		}
		sqlb_sql(b, " ORDER BY t_score DESC, t_id DESC LIMIT ?)");
		sqlb_int(b, q->limit + 1);
		sqlb_sql(b, " SELECT " CALL_COLS ", top.t_over, top.t_att, top.t_age, top.t_base, top.t_id, top.t_score"
			    " FROM top JOIN calls c ON c.id = top.t_id LEFT JOIN contacts ct ON ct.id = c.contact_id"
			    " LEFT JOIN jobs j ON j.id = c.job_id ORDER BY top.t_score DESC, top.t_id DESC");
		return;
	}
	const char *key = sort_expr(q->sort);
	sqlb_sql(b, "SELECT " CALL_COLS CALL_FROM);
	where(b, q);
	if (q->has_cursor) {
		sqlb_sql(b, " AND (");
		sqlb_sql(b, key);
		sqlb_sql(b, q->asc ? ", c.id) > (?, ?)" : ", c.id) < (?, ?)");
		sqlb_int(b, q->cursor_key);
		sqlb_text(b, q->cursor_id);
	}
	sqlb_sql(b, " ORDER BY ");
	sqlb_sql(b, key);
	sqlb_sql(b, q->asc ? " ASC, c.id ASC LIMIT ?" : " DESC, c.id DESC LIMIT ?");
	sqlb_int(b, q->limit + 1);
}

void store_calls_where(struct sqlb *b, const struct call_query *q)
{
	where(b, q);
}

void store_calls_order(struct sqlb *b, const struct call_query *q)
{
	enum callq_sort sort = q->sort == CALLQ_SORT_TRIAGE ? CALLQ_SORT_STARTED : q->sort;
	bool asc = q->sort == CALLQ_SORT_TRIAGE ? false : q->asc;
	sqlb_sql(b, " ORDER BY ");
	sqlb_sql(b, sort_expr(sort));
	sqlb_sql(b, asc ? " ASC, c.id ASC" : " DESC, c.id DESC");
}

/* The sort key of a row, for the next cursor. */
static int64_t row_key(const struct call_query *q, const struct call *c, const struct triage_parts *t)
{
	switch (q->sort) {
	case CALLQ_SORT_DURATION: return c->duration_sec == I64_NULL ? -1 : c->duration_sec;
	case CALLQ_SORT_VALUE: return c->value_est_cents == I64_NULL ? -1 : c->value_est_cents;
	case CALLQ_SORT_EMERGENCY: return c->emergency_score == I64_NULL ? -1 : c->emergency_score;
	case CALLQ_SORT_TRIAGE: return t ? t->score : 0;
	default: return c->started_at;
	}
}

static enum err count_total(struct db *db, const struct call_query *q, int64_t *total)
{
	struct sqlb b;
	struct db_stmt *st = NULL;
	sqlb_init(&b);
	sqlb_sql(&b, "SELECT COUNT(*)" CALL_FROM);
	where(&b, q);
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc == ERR_OK) {
		bool row;
		rc = db_step(st, &row);
		*total = (rc == ERR_OK && row) ? db_col_int(st, 0) : 0;
		db_done(st);
	}
	sqlb_cleanup(&b);
	return rc;
}

enum err store_calls_list(struct db *db, const struct call_query *q, struct arena *a, struct call_page *out)
{
	struct sqlb b;
	struct db_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	out->total = -1;
	out->rows = arena_alloc(a, sizeof *out->rows * (size_t)(q->limit + 1));
	bool triage = q->sort == CALLQ_SORT_TRIAGE;
	if (triage)
		out->triage = arena_alloc(a, sizeof *out->triage * (size_t)(q->limit + 1));
	if (!out->rows || (triage && !out->triage))
		return ERR_NOMEM;
	sqlb_init(&b);
	build_page(&b, q);
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc != ERR_OK)
		goto out;
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		if (out->n == q->limit) {
			out->has_more = true;
			break;
		}
		struct call *c = &out->rows[out->n];
		if ((rc = store_call_row_read(st, a, c)) != ERR_OK)
			break;
		if (triage) {
			struct triage_parts *t = &out->triage[out->n];
			t->overdue = db_col_int(st, NCOLS) != 0;
			t->attempts = db_col_int(st, NCOLS + 1);
			t->age_min = db_col_int(st, NCOLS + 2);
			t->score = db_col_int(st, NCOLS + 5);
			t->emergency = c->intent && strcmp(c->intent, "emergency") == 0;
			t->emergency_score = c->emergency_score == I64_NULL ? 0 : c->emergency_score;
			t->first_time = c->first_time_caller;
			t->value_cents = c->value_est_cents == I64_NULL ? 0 : c->value_est_cents;
		}
		out->n++;
	}
	db_done(st);
	if (rc != ERR_OK)
		goto out;
	if ((rc = store_calls_attach_followups(db, a, out->rows, out->n, true)) != ERR_OK)
		goto out;
	if (q->include_total)
		rc = count_total(db, q, &out->total);
out:
	sqlb_cleanup(&b);
	return rc;
}

int64_t store_call_page_key(const struct call_query *q, const struct call_page *p, int i)
{
	return row_key(q, &p->rows[i], p->triage ? &p->triage[i] : NULL);
}

void store_followup_row_read(struct db_stmt *st, struct arena *a, struct followup *f)
{
	f->id = db_col_dup(st, 0, a);
	f->workspace_id = db_col_dup(st, 1, a);
	f->call_id = db_col_dup(st, 2, a);
	f->contact_id = db_col_dup(st, 3, a);
	f->type = db_col_dup(st, 4, a);
	f->status = db_col_dup(st, 5, a);
	f->priority = db_col_dup(st, 6, a);
	f->note = db_col_dup(st, 7, a);
	f->assigned_to = db_col_dup(st, 8, a);
	f->due_at = db_col_int(st, 9);
	f->completed_at = db_col_int_or_null(st, 10);
	f->created_at = db_col_int(st, 11);
	f->updated_at = db_col_int(st, 12);
}

enum err store_calls_attach_followups(struct db *db, struct arena *a, struct call *rows, int n, bool open_only)
{
	if (n == 0)
		return ERR_OK;
	struct sqlb b;
	struct db_stmt *st = NULL;
	const char **ids = arena_alloc(a, sizeof *ids * (size_t)n);
	if (!ids)
		return ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		ids[i] = rows[i].id;
		rows[i].followups = NULL;
		rows[i].nfollowups = 0;
	}
	sqlb_init(&b);
	sqlb_sql(&b, "SELECT id, workspace_id, call_id, contact_id, type, status, priority, note, assigned_to,"
		     " due_at, completed_at, created_at, updated_at FROM followups WHERE call_id IN ");
	sqlb_in(&b, ids, n);
	sqlb_sql(&b, open_only ? " AND status = 'open' ORDER BY due_at, id" : " ORDER BY due_at, id");
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc != ERR_OK)
		goto out;
	/* Two passes over a small result: count per call, then fill. */
	struct followup *all = NULL;
	int nall = 0, cap = 0;
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		if (nall == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct followup *grown = arena_alloc(a, sizeof *grown * (size_t)ncap);
			if (!grown) {
				rc = ERR_NOMEM;
				break;
			}
			if (nall)
				memcpy(grown, all, sizeof *all * (size_t)nall);
			all = grown;
			cap = ncap;
		}
		store_followup_row_read(st, a, &all[nall++]);
	}
	db_done(st);
	if (rc != ERR_OK)
		goto out;
	for (int i = 0; i < n; i++) {
		int k = 0;
		for (int j = 0; j < nall; j++)
			k += strcmp(all[j].call_id, rows[i].id) == 0;
		if (!k)
			continue;
		rows[i].followups = arena_alloc(a, sizeof *rows[i].followups * (size_t)k);
		if (!rows[i].followups) {
			rc = ERR_NOMEM;
			goto out;
		}
		for (int j = 0; j < nall; j++)
			if (strcmp(all[j].call_id, rows[i].id) == 0)
				rows[i].followups[rows[i].nfollowups++] = all[j];
	}
out:
	sqlb_cleanup(&b);
	return rc;
}

enum err store_call_row_get(struct db *db, const char *sql, const char *user_id, const char *workspace_id,
			    const char *call_id, struct arena *a, struct call *out, bool *on_own_job)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, user_id ? user_id : "");
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, call_id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		rc = store_call_row_read(st, a, out);
		if (on_own_job)
			*on_own_job = db_col_int(st, NCOLS) != 0;
	}
	db_done(st);
	return rc;
}

enum err store_call_get(struct db *db, const char *workspace_id, const char *call_id, const char *user_id,
			struct arena *a, struct call *out, bool *on_own_job)
{
	static const char sql[] =
		"SELECT " CALL_COLS ", EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = c.job_id"
		" AND ja.user_id = ?)" CALL_FROM " WHERE c.workspace_id = ? AND c.id = ?";
	static const char sql_transcript[] =
		"SELECT body, text, confidence, created_at FROM transcripts WHERE call_id = ?";
	struct db_stmt *st;
	bool row;
	enum err rc = store_call_row_get(db, sql, user_id, workspace_id, call_id, a, out, on_own_job);
	if (rc != ERR_OK)
		return rc;
	if ((rc = store_calls_attach_followups(db, a, out, 1, false)) != ERR_OK)
		return rc;
	if ((rc = db_prepare(db, sql_transcript, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	if ((rc = db_step(st, &row)) == ERR_OK && row) {
		struct transcript *t = arena_alloc(a, sizeof *t);
		if (!t) {
			rc = ERR_NOMEM;
		} else {
			t->body = db_col_dup(st, 0, a);
			t->text = db_col_dup(st, 1, a);
			t->confidence = db_col_int_or_null(st, 2);
			t->created_at = db_col_int(st, 3);
			out->transcript = t;
		}
	}
	db_done(st);
	return rc;
}



static void bind_tri(struct db_stmt *st, int i, int v)
{
	if (v < 0)
		db_bind_null(st, i);
	else
		db_bind_int(st, i, v);
}

enum err store_call_insert(struct db *db, const struct call *c)
{
	enum err rc = store_call_insert_row(db, c);
	return rc != ERR_OK ? rc : store_call_search_refresh(db, c->id);
}

#define CALL_INSERT \
	"INSERT INTO calls (id, workspace_id, started_at, answered_at, ended_at, duration_sec, direction," \
		" from_e164, to_e164, status, call_sid, number_id, contact_id, job_id, agent_type, agent_user_id," \
		" assigned_to, intent, disposition, queue_status, priority, outcome_at, outcome_required," \
		" value_est_cents, emergency_score, spam_score, spam_reason, spam, recording_url, transcript_url," \
		" has_transcript, escalation_status, source, lead_source, notes, after_hours, first_time_caller," \
		" prior_calls, carrier, line_type, consent_recording, consent_sms, consent_updated_at, created_at," \
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
		" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

/* Inserts c and its tags; once: not if a call has its call_sid (*fresh false). */
static enum err insert_row(struct db *db, const struct call *c, bool once, bool *fresh)
{
	static const char always[] = CALL_INSERT;
	static const char if_new[] = CALL_INSERT " ON CONFLICT (call_sid) WHERE call_sid IS NOT NULL DO NOTHING";
	struct db_stmt *st;
	enum err rc = db_prepare(db, once ? if_new : always, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, c->id);
	db_bind_text(st, i++, c->workspace_id);
	db_bind_int(st, i++, c->started_at);
	db_bind_int_or_null(st, i++, c->answered_at);
	db_bind_int_or_null(st, i++, c->ended_at);
	db_bind_int_or_null(st, i++, c->duration_sec);
	db_bind_text(st, i++, c->direction);
	db_bind_text(st, i++, c->from_e164);
	db_bind_text(st, i++, c->to_e164);
	db_bind_text(st, i++, c->status ? c->status : "completed");
	db_bind_text(st, i++, c->call_sid);
	db_bind_text(st, i++, c->number_id);
	db_bind_text(st, i++, c->contact_id);
	db_bind_text(st, i++, c->job_id);
	db_bind_text(st, i++, c->agent_type ? c->agent_type : "human");
	db_bind_text(st, i++, c->agent_user_id);
	db_bind_text(st, i++, c->assigned_to);
	db_bind_text(st, i++, c->intent);
	db_bind_text(st, i++, c->disposition);
	db_bind_text(st, i++, c->queue_status ? c->queue_status : "none");
	db_bind_text(st, i++, c->priority ? c->priority : "normal");
	db_bind_int_or_null(st, i++, c->outcome_at);
	db_bind_bool(st, i++, c->outcome_required);
	db_bind_int_or_null(st, i++, c->value_est_cents);
	db_bind_int_or_null(st, i++, c->emergency_score);
	db_bind_int_or_null(st, i++, c->spam_score);
	db_bind_text(st, i++, c->spam_reason);
	db_bind_bool(st, i++, c->spam);
	db_bind_text(st, i++, c->recording_url);
	db_bind_text(st, i++, c->transcript_url);
	db_bind_bool(st, i++, c->has_transcript);
	db_bind_text(st, i++, c->escalation_status ? c->escalation_status : "none");
	db_bind_text(st, i++, c->source ? c->source : "phone");
	db_bind_text(st, i++, c->lead_source ? c->lead_source : "unknown");
	db_bind_text(st, i++, c->notes);
	db_bind_bool(st, i++, c->after_hours);
	db_bind_bool(st, i++, c->first_time_caller);
	db_bind_int(st, i++, c->prior_calls);
	db_bind_text(st, i++, c->carrier);
	db_bind_text(st, i++, c->line_type ? c->line_type : "unknown");
	bind_tri(st, i++, c->consent_recording);
	bind_tri(st, i++, c->consent_sms);
	db_bind_int_or_null(st, i++, c->consent_updated_at);
	db_bind_int(st, i++, c->created_at);
	db_bind_int(st, i++, c->updated_at);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	*fresh = db_changes(db) == 1;
	if (!*fresh)
		return ERR_OK;
	if (c->ntags && (rc = store_call_tags_set(db, c->workspace_id, c->id, c->tags, c->ntags)) != ERR_OK)
		return rc;
	return ERR_OK;
}

enum err store_call_insert_row(struct db *db, const struct call *c)
{
	bool fresh;
	return insert_row(db, c, false, &fresh);
}

enum err store_call_insert_row_once(struct db *db, const struct call *c, bool *fresh)
{
	return insert_row(db, c, true, fresh);
}

enum err store_call_update(struct db *db, const struct call *c)
{
	static const char sql[] =
		"UPDATE calls SET disposition = ?, outcome_at = ?, outcome_required = ?, queue_status = ?,"
		" value_est_cents = ?, intent = ?, notes = ?, assigned_to = ?, priority = ?, spam = ?, spam_reason = ?,"
		" spam_score = ?, contact_id = ?, job_id = ?, escalation_status = ?, consent_recording = ?,"
		" consent_sms = ?, consent_updated_at = ?, status = ?, answered_at = ?, ended_at = ?,"
		" duration_sec = ?, recording_url = ?, transcript_url = ?, has_transcript = ?, updated_at = ?"
		" WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, c->disposition);
	db_bind_int_or_null(st, i++, c->outcome_at);
	db_bind_bool(st, i++, c->outcome_required);
	db_bind_text(st, i++, c->queue_status ? c->queue_status : "none");
	db_bind_int_or_null(st, i++, c->value_est_cents);
	db_bind_text(st, i++, c->intent);
	db_bind_text(st, i++, c->notes);
	db_bind_text(st, i++, c->assigned_to);
	db_bind_text(st, i++, c->priority ? c->priority : "normal");
	db_bind_bool(st, i++, c->spam);
	db_bind_text(st, i++, c->spam_reason);
	db_bind_int_or_null(st, i++, c->spam_score);
	db_bind_text(st, i++, c->contact_id);
	db_bind_text(st, i++, c->job_id);
	db_bind_text(st, i++, c->escalation_status ? c->escalation_status : "none");
	bind_tri(st, i++, c->consent_recording);
	bind_tri(st, i++, c->consent_sms);
	db_bind_int_or_null(st, i++, c->consent_updated_at);
	db_bind_text(st, i++, c->status ? c->status : "completed");
	db_bind_int_or_null(st, i++, c->answered_at);
	db_bind_int_or_null(st, i++, c->ended_at);
	db_bind_int_or_null(st, i++, c->duration_sec);
	db_bind_text(st, i++, c->recording_url);
	db_bind_text(st, i++, c->transcript_url);
	db_bind_bool(st, i++, c->has_transcript);
	db_bind_int(st, i++, c->updated_at);
	db_bind_text(st, i++, c->workspace_id);
	db_bind_text(st, i++, c->id);
	rc = db_run(st);
	if (rc == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_call_tags_set(struct db *db, const char *workspace_id, const char *call_id, const char **tags, int n)
{
	static const char del[] = "DELETE FROM call_tags WHERE call_id = ?";
	static const char ins[] = "INSERT INTO call_tags (call_id, workspace_id, tag) VALUES (?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, del, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		if ((rc = db_prepare(db, ins, &st)) != ERR_OK)
			return rc;
		db_bind_text(st, 1, call_id);
		db_bind_text(st, 2, workspace_id);
		db_bind_text(st, 3, tags[i]);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* store/seed.c (insert_search_row) composes this same row in C for bulk loads: change both together. */
static bool in_list(const char **v, int n, const char *t)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], t) == 0)
			return true;
	return false;
}

enum err store_call_tags_move(struct db *db, const char *workspace_id, const char *call_id, const char **from,
			      int nfrom, const char **to, int nto)
{
	static const char del[] = "DELETE FROM call_tags WHERE call_id = ? AND tag = ?";
	static const char ins[] = "INSERT INTO call_tags (call_id, workspace_id, tag) VALUES (?, ?, ?)";
	struct db_stmt *st;
	enum err rc = ERR_OK;
	for (int i = 0; i < nfrom && rc == ERR_OK; i++) {
		if (in_list(to, nto, from[i]))
			continue;
		if ((rc = db_prepare(db, del, &st)) != ERR_OK)
			return rc;
		db_bind_text(st, 1, call_id);
		db_bind_text(st, 2, from[i]);
		rc = db_run(st);
	}
	for (int i = 0; i < nto && rc == ERR_OK; i++) {
		if (in_list(from, nfrom, to[i]))
			continue;
		if ((rc = db_prepare(db, ins, &st)) != ERR_OK)
			return rc;
		db_bind_text(st, 1, call_id);
		db_bind_text(st, 2, workspace_id);
		db_bind_text(st, 3, to[i]);
		rc = db_run(st);
	}
	return rc;
}

enum err store_call_touch(struct db *db, const char *workspace_id, const char *call_id, int64_t updated_at)
{
	static const char sql[] = "UPDATE calls SET updated_at = ? WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, updated_at);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, call_id);
	rc = db_run(st);
	if (rc == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_call_search_refresh(struct db *db, const char *call_id)
{
	static const char del[] = "DELETE FROM calls_fts WHERE rowid = (SELECT rid FROM calls WHERE id = ?)";
	static const char ins[] = CALL_SEARCH_ROW_INSERT " WHERE c.id = ?";
	return db_run_pair(db, del, ins, call_id);
}

static enum err count_bands(struct db_stmt *st, int64_t out[4])
{
	bool row = false;
	enum err rc;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		int64_t score = db_col_int(st, 0);
		out[score >= 1000 ? 0 : score >= 300 ? 1 : score >= 100 ? 2 : 3]++;
	}
	db_done(st);
	return rc;
}

enum err store_calls_triage_bands(struct db *db, const char *workspace_id, const char *tech_user_id, int64_t now,
				  int64_t counts[4])
{
	/* As the page (see triage_candidates): the last day's calls are scored
	 * in full; an older call scores base + 100 (+ 1000 when overdue). */
	struct call_query q;
	struct sqlb b;
	struct db_stmt *st = NULL;
	call_query_init(&q, workspace_id, now);
	q.tech_user_id = tech_user_id;
	q.triage = true;
	for (int i = 0; i < 4; i++)
		counts[i] = 0;
	sqlb_init(&b);
	sqlb_sql(&b, "SELECT " TRIAGE_SCORE " FROM (SELECT " TRIAGE_OVERDUE " AS t_over, " TRIAGE_ATTEMPTS
		     " AS t_att, " TRIAGE_AGE " AS t_age, " TRIAGE_BASE " AS t_base");
	triage_binds(&b, now);
	triage_from(&b, &q, "");
	sqlb_sql(&b, " AND c.started_at > ?)");
	sqlb_int(&b, triage_clock(now) - TRIAGE_DAY_MS);
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc == ERR_OK)
		rc = count_bands(st, counts);
	sqlb_cleanup(&b);
	if (rc != ERR_OK)
		return rc;
	sqlb_init(&b);
	sqlb_sql(&b, "SELECT " TRIAGE_BASE " + 100 + 1000 * " TRIAGE_OVERDUE);
	sqlb_int(&b, now);
	triage_from(&b, &q, " INDEXED BY calls_triage_rank");
	sqlb_sql(&b, " AND c.started_at <= ?");
	sqlb_int(&b, triage_clock(now) - TRIAGE_DAY_MS);
	if ((rc = sqlb_prepare(&b, db, &st)) == ERR_OK)
		rc = count_bands(st, counts);
	sqlb_cleanup(&b);
	return rc;
}

enum err store_calls_next_due(struct db *db, const char *workspace_id, int64_t after, int64_t *due)
{
	static const char sql[] = "SELECT MIN(due_at) FROM followups WHERE workspace_id = ? AND status = 'open'"
				  " AND due_at >= ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, after);
	bool row = false;
	rc = db_step(st, &row);
	int64_t v = rc == ERR_OK && row ? db_col_int_or_null(st, 0) : DB_NULL_INT;
	*due = v == DB_NULL_INT ? INT64_MAX : v;
	db_done(st);
	return rc;
}

enum err store_call_job_users(struct db *db, const char *call_id, char (*out)[ID_SIZE], int max, int *n)
{
	static const char sql[] =
		"SELECT ja.user_id FROM calls c JOIN job_assignments ja ON ja.job_id = c.job_id WHERE c.id = ?";
	struct db_stmt *st;
	*n = 0;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < max) {
		const char *u = db_col_text(st, 0);
		if (u && strlen(u) == ID_LEN)
			memcpy(out[(*n)++], u, ID_SIZE);
	}
	db_done(st);
	return rc;
}
