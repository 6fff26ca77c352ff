/* SQL for the edit cycle's reads (store/calls.h: store_call_get_for_edit and
 * store_calls_get_for_edit_many): the calls row, its tags and open follow-ups,
 * without the contact, job and transcript a response shows. */
#include <stdlib.h>
#include <string.h>

#include "store/calls.h"
#include "store/calls_int.h"
#include "store/sqlb.h"

/* CALL_COLS without the joins: the contact's and job's columns are NULL (store_call_row_read leaves
 * contact and job NULL), one index probe for the tags, one for the own-job check. Binds:
 * the user (own job), the workspace. */
#define EDIT_SELECT \
	"SELECT c.id, c.workspace_id, c.started_at, c.answered_at, c.ended_at, c.duration_sec, c.direction," \
	" c.from_e164, c.to_e164, c.status, c.call_sid, c.number_id, c.contact_id, c.job_id, c.agent_type," \
	" c.agent_user_id, c.assigned_to, c.intent, c.disposition, c.queue_status, c.priority, c.outcome_at," \
	" c.outcome_required, c.value_est_cents, c.emergency_score, c.spam_score, c.spam_reason, c.spam," \
	" c.recording_url, c.transcript_url, c.has_transcript, c.escalation_status, c.source, c.lead_source," \
	" c.notes, c.after_hours, c.first_time_caller, c.prior_calls, c.carrier, c.line_type," \
	" c.consent_recording, c.consent_sms, c.consent_updated_at, c.created_at, c.updated_at," \
	" (SELECT group_concat(t.tag, char(31)) FROM (SELECT tag FROM call_tags WHERE call_id = c.id ORDER BY tag) t)," \
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	" EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = c.job_id AND ja.user_id = ?)" \
	" FROM calls c WHERE +c.workspace_id = ?" /* the id index, never a workspace scan */

static int cmp_id_at(const void *x, const void *y, void *ids)
{
	const char *const *v = ids;
	return strcmp(v[*(const int *)x], v[*(const int *)y]);
}

/* Ids per query of store_calls_get_for_edit_many (within SQLB_MAX_BINDS with the other binds). */
#define EDIT_MANY_SLICE 100

static enum err get_for_edit_slice(struct db *db, const char *workspace_id, const char *const *ids, int n,
				   const char *user_id, struct arena *a, struct call *out, bool *on_own_job,
				   bool *found);

enum err store_calls_get_for_edit_many(struct db *db, const char *workspace_id, const char *const *ids, int n,
				       const char *user_id, struct arena *a, struct call *out, bool *on_own_job,
				       bool *found)
{
	enum err rc = ERR_OK;
	for (int at = 0; at < n && rc == ERR_OK; at += EDIT_MANY_SLICE) {
		int k = n - at < EDIT_MANY_SLICE ? n - at : EDIT_MANY_SLICE;
		rc = get_for_edit_slice(db, workspace_id, ids + at, k, user_id, a, out + at, on_own_job + at, found + at);
	}
	return rc;
}

static enum err get_for_edit_slice(struct db *db, const char *workspace_id, const char *const *ids, int n,
				   const char *user_id, struct arena *a, struct call *out, bool *on_own_job,
				   bool *found)
{
	int *order = arena_alloc(a, sizeof *order * (size_t)n);
	struct call *rows = arena_alloc(a, sizeof *rows * (size_t)n);
	int *at = arena_alloc(a, sizeof *at * (size_t)n);
	if (!order || !rows || !at)
		return ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		order[i] = i;
		found[i] = false;
	}
	qsort_r(order, (size_t)n, sizeof *order, cmp_id_at, (void *)ids);
	struct sqlb b;
	struct db_stmt *st = NULL;
	sqlb_init(&b);
	sqlb_sql(&b, EDIT_SELECT);
	sqlb_text(&b, user_id ? user_id : "");
	sqlb_text(&b, workspace_id);
	sqlb_sql(&b, " AND c.id IN ");
	sqlb_in(&b, ids, n);
	enum err rc = sqlb_prepare(&b, db, &st);
	int nrows = 0;
	bool row;
	while (rc == ERR_OK && (rc = db_step(st, &row)) == ERR_OK && row) {
		struct call c;
		if ((rc = store_call_row_read(st, a, &c)) != ERR_OK)
			break;
		bool own = db_col_int(st, NCOLS) != 0;
		int lo = 0, hi = n - 1, hit = -1;
		while (lo <= hi && hit < 0) { /* the id's place among the asked ids */
			int mid = (lo + hi) / 2, cmp = strcmp(c.id, ids[order[mid]]);
			if (cmp == 0)
				hit = order[mid];
			else if (cmp < 0)
				hi = mid - 1;
			else
				lo = mid + 1;
		}
		if (hit < 0 || found[hit])
			continue;
		found[hit] = true;
		on_own_job[hit] = own;
		at[nrows] = hit;
		rows[nrows++] = c;
	}
	if (st)
		db_done(st);
	sqlb_cleanup(&b);
	if (rc != ERR_OK)
		return rc;
	/* Open follow-ups of them all in one query, as store_call_get_for_edit reads them. */
	if ((rc = store_calls_attach_followups(db, a, rows, nrows, true)) != ERR_OK)
		return rc;
	for (int i = 0; i < nrows; i++)
		out[at[i]] = rows[i];
	return ERR_OK;
}

enum err store_call_get_for_edit(struct db *db, const char *workspace_id, const char *call_id, const char *user_id,
				 struct arena *a, struct call *out, bool *on_own_job)
{
	static const char sql[] = EDIT_SELECT " AND c.id = ?";
	static const char sql_open[] =
		"SELECT id, workspace_id, call_id, contact_id, type, status, priority, note, assigned_to,"
		" due_at, completed_at, created_at, updated_at FROM followups WHERE call_id = ? AND status = 'open'"
		" ORDER BY due_at, id";
	struct db_stmt *st;
	bool row;
	enum err rc = store_call_row_get(db, sql, user_id, workspace_id, call_id, a, out, on_own_job);
	if (rc != ERR_OK)
		return rc;
	if ((rc = db_prepare(db, sql_open, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	struct followup *v = NULL;
	int cap = 0;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		if (out->nfollowups == cap) {
			int ncap = cap ? cap * 2 : 4;
			struct followup *grown = arena_alloc(a, sizeof *grown * (size_t)ncap);
			if (!grown) {
				rc = ERR_NOMEM;
				break;
			}
			if (out->nfollowups)
				memcpy(grown, v, sizeof *v * (size_t)out->nfollowups);
			v = grown;
			cap = ncap;
		}
		store_followup_row_read(st, a, &v[out->nfollowups++]);
	}
	out->followups = v;
	db_done(st);
	return rc;
}
