/* Bulk-load SQL for the data generator. Statements come from the connection's
 * cache, so a million calls reuse a handful of prepared statements. */
#include "store/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void bind_i64(struct db_stmt *st, int i, int64_t v)
{
	if (v == I64_NULL)
		db_bind_null(st, i);
	else
		db_bind_int(st, i, v);
}

static void bind_tri(struct db_stmt *st, int i, int v)
{
	if (v < 0)
		db_bind_null(st, i);
	else
		db_bind_int(st, i, v);
}

/* PRAGMA takes no bound values: the settings we restore come from this list. */
static const char *const sync_sql[] = {"PRAGMA synchronous=OFF", "PRAGMA synchronous=NORMAL",
				       "PRAGMA synchronous=FULL", "PRAGMA synchronous=EXTRA"};

static enum err one_int(struct db *db, const char *sql, const char *arg, int64_t *out)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	if (arg)
		db_bind_text(st, 1, arg);
	bool row;
	rc = db_step(st, &row);
	*out = rc == ERR_OK && row ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc;
}

enum err store_seed_fast_begin(struct db *db, struct store_seed_saved *saved)
{
	static const char get[] = "PRAGMA synchronous";
	saved->synchronous = -1;
	if (db_dialect_of(db) != DB_SQLITE)
		return ERR_OK;
	int64_t v;
	enum err rc = one_int(db, get, NULL, &v);
	if (rc != ERR_OK)
		return rc;
	if (v < 0 || v > 3)
		return ERR_OK;
	if ((rc = db_exec(db, sync_sql[0], NULL)) == ERR_OK)
		saved->synchronous = (int)v;
	if (getenv("XCACHE")) db_exec(db, "PRAGMA cache_size=-1000000", NULL);
	if (getenv("XCKPT")) db_exec(db, "PRAGMA wal_autocheckpoint=100000", NULL);
	return rc;
}

void store_seed_fast_end(struct db *db, const struct store_seed_saved *saved)
{
	if (db_dialect_of(db) != DB_SQLITE)
		return;
	if (saved->synchronous >= 0 && saved->synchronous <= 3)
		db_exec(db, sync_sql[saved->synchronous], NULL);
	/* Leave a compact database file behind rather than a WAL of the whole load. */
	db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
}

enum err store_seed_calls_count(struct db *db, const char *workspace_id, int64_t *n)
{
	static const char sql[] = "SELECT count(*) FROM calls WHERE workspace_id = ?";
	return one_int(db, sql, workspace_id, n);
}

enum err store_seed_calls_max_rid(struct db *db, int64_t *rid)
{
	static const char sql[] = "SELECT COALESCE(max(rid), 0) FROM calls";
	return one_int(db, sql, NULL, rid);
}

enum err store_seed_contacts_each(struct db *db, const char *workspace_id,
				  bool (*fn)(void *ctx, const char *id, const char *name, const char *address), void *ctx)
{
	static const char sql[] = "SELECT id, name, address FROM contacts WHERE workspace_id = ? ORDER BY rid";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row)
		if (!fn(ctx, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2)))
			break;
	db_done(st);
	return rc;
}

enum err store_seed_phones_each(struct db *db, const char *workspace_id,
				bool (*fn)(void *ctx, const char *e164, const char *contact_id), void *ctx)
{
	static const char sql[] =
		"SELECT e164, contact_id FROM contact_phones WHERE workspace_id = ? ORDER BY contact_id, position, e164";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row)
		if (!fn(ctx, db_col_text(st, 0), db_col_text(st, 1)))
			break;
	db_done(st);
	return rc;
}

enum err store_seed_caller_counts_each(struct db *db, const char *workspace_id,
				       bool (*fn)(void *ctx, const char *e164, int64_t n), void *ctx)
{
	static const char sql[] =
		"SELECT from_e164, count(*) FROM calls WHERE workspace_id = ? AND direction = 'in' GROUP BY from_e164";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row)
		if (!fn(ctx, db_col_text(st, 0), db_col_int(st, 1)))
			break;
	db_done(st);
	return rc;
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

enum err store_seed_numbers_get(struct db *db, const char *workspace_id, struct seed_number *out, int max, int *n)
{
	static const char sql[] =
		"SELECT id, e164, COALESCE(label, ''), routing_mode, after_hours, created_at FROM tracking_numbers"
		" WHERE workspace_id = ? AND status = 'active' ORDER BY created_at, id";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	*n = 0;
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	while (*n < max && (rc = db_step(st, &row)) == ERR_OK && row) {
		struct seed_number *x = &out[(*n)++];
		memset(x, 0, sizeof *x);
		copy(x->id, sizeof x->id, db_col_text(st, 0));
		copy(x->e164, sizeof x->e164, db_col_text(st, 1));
		copy(x->label, sizeof x->label, db_col_text(st, 2));
		x->routing_mode = "human";
		x->after_hours = "vm";
		x->created_at = db_col_int(st, 5);
	}
	db_done(st);
	return rc;
}

enum err store_seed_number_insert(struct db *db, const char *workspace_id, const struct seed_number *n)
{
	static const char sql[] =
		"INSERT INTO tracking_numbers (id, workspace_id, e164, label, status, routing_mode, after_hours,"
		" recording_opt_in, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?, 1, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, n->id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, n->e164);
	db_bind_text(st, 4, n->label);
	db_bind_text(st, 5, n->routing_mode);
	db_bind_text(st, 6, n->after_hours);
	db_bind_int(st, 7, n->created_at);
	db_bind_int(st, 8, n->created_at);
	return db_run(st);
}

static enum err insert_tags(struct db *db, const struct call *c)
{
	static const char sql[] = "INSERT INTO call_tags (call_id, workspace_id, tag) VALUES (?, ?, ?)";
	for (int i = 0; i < c->ntags; i++) {
		struct db_stmt *st;
		enum err rc = db_prepare(db, sql, &st);
		if (rc != ERR_OK)
			return rc;
		db_bind_text(st, 1, c->id);
		db_bind_text(st, 2, c->workspace_id);
		db_bind_text(st, 3, c->tags[i]);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err store_seed_call_insert(struct db *db, const struct call *c, const struct seed_call_extra *x)
{
	static const char sql[] =
		"INSERT INTO calls (id, workspace_id, started_at, answered_at, ended_at, duration_sec, direction,"
		" from_e164, to_e164, from_raw, status, call_sid, number_id, contact_id, job_id, agent_type,"
		" agent_user_id, assigned_to, intent, disposition, queue_status, priority, outcome_at, outcome_required,"
		" value_est_cents, emergency_score, spam_score, spam_reason, spam, recording_url, recording_sid,"
		" recording_duration_sec, transcript_url, has_transcript, escalation_status, source, lead_source, notes,"
		" after_hours, first_time_caller, prior_calls, carrier, line_type, consent_recording, consent_sms,"
		" consent_updated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, c->id);
	db_bind_text(st, i++, c->workspace_id);
	db_bind_int(st, i++, c->started_at);
	bind_i64(st, i++, c->answered_at);
	bind_i64(st, i++, c->ended_at);
	bind_i64(st, i++, c->duration_sec);
	db_bind_text(st, i++, c->direction);
	db_bind_text(st, i++, c->from_e164);
	db_bind_text(st, i++, c->to_e164);
	db_bind_text(st, i++, x->from_raw);
	db_bind_text(st, i++, c->status);
	db_bind_text(st, i++, c->call_sid);
	db_bind_text(st, i++, c->number_id);
	db_bind_text(st, i++, c->contact_id);
	db_bind_text(st, i++, c->job_id);
	db_bind_text(st, i++, c->agent_type);
	db_bind_text(st, i++, c->agent_user_id);
	db_bind_text(st, i++, c->assigned_to);
	db_bind_text(st, i++, c->intent);
	db_bind_text(st, i++, c->disposition);
	db_bind_text(st, i++, c->queue_status);
	db_bind_text(st, i++, c->priority);
	bind_i64(st, i++, c->outcome_at);
	db_bind_bool(st, i++, c->outcome_required);
	bind_i64(st, i++, c->value_est_cents);
	bind_i64(st, i++, c->emergency_score);
	bind_i64(st, i++, c->spam_score);
	db_bind_text(st, i++, c->spam_reason);
	db_bind_bool(st, i++, c->spam);
	db_bind_text(st, i++, c->recording_url);
	db_bind_text(st, i++, x->recording_sid);
	bind_i64(st, i++, x->recording_sid ? x->recording_duration_sec : I64_NULL);
	db_bind_text(st, i++, c->transcript_url);
	db_bind_bool(st, i++, c->has_transcript);
	db_bind_text(st, i++, c->escalation_status);
	db_bind_text(st, i++, c->source);
	db_bind_text(st, i++, c->lead_source);
	db_bind_text(st, i++, c->notes);
	db_bind_bool(st, i++, c->after_hours);
	db_bind_bool(st, i++, c->first_time_caller);
	db_bind_int(st, i++, c->prior_calls);
	db_bind_text(st, i++, c->carrier);
	db_bind_text(st, i++, c->line_type);
	bind_tri(st, i++, c->consent_recording);
	bind_tri(st, i++, c->consent_sms);
	bind_i64(st, i++, c->consent_updated_at);
	db_bind_int(st, i++, c->created_at);
	db_bind_int(st, i++, c->updated_at);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	return insert_tags(db, c);
}

enum err store_seed_transcript_insert(struct db *db, const char *workspace_id, const char *call_id,
				      const struct transcript *t)
{
	static const char sql[] =
		"INSERT INTO transcripts (call_id, workspace_id, body, text, confidence, created_at) VALUES (?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, t->body);
	db_bind_text(st, 4, t->text);
	bind_i64(st, 5, t->confidence);
	db_bind_int(st, 6, t->created_at);
	return db_run(st);
}

enum err store_seed_calls_index(struct db *db, int64_t after_rid)
{
	if (getenv("XNOFTS")) return ERR_OK;
	/* Same row as store_call_search_refresh (store/calls.c), for a range of new calls at once. */
	static const char sql[] =
		"INSERT INTO calls_fts (rowid, digits, words) SELECT c.rid,"
		" substr(c.from_e164, 2) || ' ' || substr(c.to_e164, 2),"
		" COALESCE(ct.name, '') || ' ' || COALESCE(ct.email, '') || ' ' || COALESCE(c.notes, '') || ' '"
		" || COALESCE(t.text, '')"
		" FROM calls c LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN transcripts t ON t.call_id = c.id"
		" WHERE c.rid > ? ORDER BY c.rid";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, after_rid);
	return db_run(st);
}

enum err store_seed_contacts_seen(struct db *db, const char *workspace_id)
{
	static const char sql[] =
		"UPDATE contacts SET last_seen_at = (SELECT max(c.started_at) FROM calls c"
		" WHERE c.workspace_id = contacts.workspace_id AND c.contact_id = contacts.id)"
		" WHERE workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	return db_run(st);
}
