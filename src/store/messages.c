/* SQL for SMS messaging (see messages.h). */
#include "store/messages.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"

#define MSG_COLS                                                                                                   \
	"sid, vendor_sid, workspace_id, call_id, user_id, direction, peer_e164, our_e164, body, template_id,"      \
	" category, kind, status, error_code, error, segments, encoding, cost_micros, scheduled_for, attempt_at," \
	" sent_at, created_at, updated_at, override_by, override_rules"
/* What is read back: the inserted columns, then those set later (0020). */
#define MSG_READ_COLS MSG_COLS ", deferred_until"

static enum err msg_read(struct db_stmt *st, struct arena *a, struct sms_message *m)
{
	memset(m, 0, sizeof *m);
	m->sid = db_col_dup(st, 0, a);
	m->vendor_sid = db_col_dup(st, 1, a);
	m->workspace_id = db_col_dup(st, 2, a);
	m->call_id = db_col_dup(st, 3, a);
	m->user_id = db_col_dup(st, 4, a);
	m->direction = db_col_dup(st, 5, a);
	m->peer_e164 = db_col_dup(st, 6, a);
	m->our_e164 = db_col_dup(st, 7, a);
	m->body = db_col_dup(st, 8, a);
	m->template_id = db_col_dup(st, 9, a);
	m->category = db_col_dup(st, 10, a);
	m->kind = db_col_dup(st, 11, a);
	m->status = db_col_dup(st, 12, a);
	m->error_code = db_col_int_or_null(st, 13);
	m->error = db_col_dup(st, 14, a);
	m->segments = db_col_int(st, 15);
	m->encoding = db_col_dup(st, 16, a);
	m->cost_micros = db_col_int_or_null(st, 17);
	m->scheduled_for = db_col_int_or_null(st, 18);
	m->attempt_at = db_col_int_or_null(st, 19);
	m->sent_at = db_col_int_or_null(st, 20);
	m->created_at = db_col_int(st, 21);
	m->updated_at = db_col_int(st, 22);
	m->override_by = db_col_dup(st, 23, a);
	m->override_rules = db_col_dup(st, 24, a);
	m->deferred_until = db_col_int_or_null(st, 25);
	return m->sid && m->workspace_id && m->body && m->status && m->encoding && m->kind ? ERR_OK : ERR_NOMEM;
}

static void msg_bind(struct db_stmt *st, const struct sms_message *m)
{
	db_bind_text(st, 1, m->sid);
	db_bind_text(st, 2, m->vendor_sid);
	db_bind_text(st, 3, m->workspace_id);
	db_bind_text(st, 4, m->call_id);
	db_bind_text(st, 5, m->user_id);
	db_bind_text(st, 6, m->direction);
	db_bind_text(st, 7, m->peer_e164);
	db_bind_text(st, 8, m->our_e164);
	db_bind_text(st, 9, m->body);
	db_bind_text(st, 10, m->template_id);
	db_bind_text(st, 11, m->category ? m->category : "transactional");
	db_bind_text(st, 12, m->kind ? m->kind : "send");
	db_bind_text(st, 13, m->status);
	db_bind_int_or_null(st, 14, m->error_code);
	db_bind_text(st, 15, m->error);
	db_bind_int(st, 16, m->segments);
	db_bind_text(st, 17, m->encoding);
	db_bind_int_or_null(st, 18, m->cost_micros);
	db_bind_int_or_null(st, 19, m->scheduled_for);
	db_bind_int_or_null(st, 20, m->attempt_at);
	db_bind_int_or_null(st, 21, m->sent_at);
	db_bind_int(st, 22, m->created_at);
	db_bind_int(st, 23, m->updated_at);
	db_bind_text(st, 24, m->override_by);
	db_bind_text(st, 25, m->override_rules);
}

#define MSG_INSERT "INSERT INTO sms_messages (" MSG_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

enum err store_sms_insert(struct db *db, const struct sms_message *m)
{
	static const char sql[] = MSG_INSERT;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	msg_bind(st, m);
	return db_run(st);
}

enum err store_sms_insert_inbound(struct db *db, const struct sms_message *m, bool *created)
{
	static const char sql[] = MSG_INSERT " ON CONFLICT DO NOTHING";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	msg_bind(st, m);
	if ((rc = db_run(st)) == ERR_OK)
		*created = db_changes(db) > 0;
	return rc;
}

static enum err get_one(struct db *db, const char *sql, const char *key, struct arena *a, struct sms_message *out)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, key);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK)
		rc = row ? msg_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	return rc;
}

enum err store_sms_get(struct db *db, const char *sid, struct arena *a, struct sms_message *out)
{
	static const char sql[] = "SELECT " MSG_READ_COLS " FROM sms_messages WHERE sid = ?";
	return get_one(db, sql, sid, a, out);
}

enum err store_sms_by_vendor(struct db *db, const char *vendor_sid, struct arena *a, struct sms_message *out)
{
	static const char sql[] = "SELECT " MSG_READ_COLS " FROM sms_messages WHERE vendor_sid = ?";
	return get_one(db, sql, vendor_sid, a, out);
}

enum err store_sms_request_at(struct db *db, const char *sid, int64_t at_us)
{
	static const char sql[] = "UPDATE sms_messages SET request_at_us = ? WHERE sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, at_us);
	db_bind_text(st, 2, sid);
	return db_run(st);
}

enum err store_sms_sending(struct db *db, const char *sid, int64_t now)
{
	static const char sql[] = "UPDATE sms_messages SET status = 'sending', attempt_at = COALESCE(attempt_at, ?),"
				  " updated_at = ? WHERE sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, sid);
	return db_run(st);
}

enum err store_sms_accepted(struct db *db, const char *sid, const char *vendor_sid, int64_t now)
{
	static const char sql[] =
		"UPDATE sms_messages SET vendor_sid = ?, sent_at = ?, updated_at = ?,"
		" status = CASE WHEN status IN ('sending', 'scheduled') THEN 'queued' ELSE status END WHERE sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, vendor_sid);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, now);
	db_bind_text(st, 4, sid);
	return db_run(st);
}

enum err store_sms_vendor_sid(struct db *db, const char *sid, const char *vendor_sid)
{
	static const char sql[] = "UPDATE sms_messages SET vendor_sid = ? WHERE sid = ? AND vendor_sid IS NULL";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, vendor_sid);
	db_bind_text(st, 2, sid);
	return db_run(st);
}

enum err store_sms_status(struct db *db, const char *sid, const char *status, int64_t error_code, const char *error,
			  int64_t now)
{
	static const char sql[] = "UPDATE sms_messages SET status = ?, error_code = COALESCE(?, error_code),"
				  " error = COALESCE(?, error), updated_at = ? WHERE sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, status);
	db_bind_int_or_null(st, 2, error_code);
	db_bind_text(st, 3, error);
	db_bind_int(st, 4, now);
	db_bind_text(st, 5, sid);
	return db_run(st);
}

enum err store_sms_callback_claim(struct db *db, const char *vendor_sid, const char *status, int64_t now, bool *fresh)
{
	static const char sql[] = "INSERT INTO sms_callbacks_seen (vendor_sid, status, seen_at) VALUES (?, ?, ?)"
				  " ON CONFLICT DO NOTHING";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, vendor_sid);
	db_bind_text(st, 2, status);
	db_bind_int(st, 3, now);
	if ((rc = db_run(st)) == ERR_OK)
		*fresh = db_changes(db) > 0;
	return rc;
}

enum err store_sms_sent_before(struct db *db, const char *workspace_id, const char *peer, bool *yes)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM sms_messages WHERE workspace_id = ? AND peer_e164 = ?"
				  " AND direction = 'outbound' AND kind = 'send' AND vendor_sid IS NOT NULL"
				  " AND status NOT IN ('failed', 'undelivered', 'canceled'))";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, peer);
	bool row;
	rc = db_step(st, &row);
	*yes = rc == ERR_OK && row && db_col_int(st, 0);
	db_done(st);
	return rc;
}

enum err store_sms_call_contact(struct db *db, const char *workspace_id, const char *call_id, struct arena *a,
				const char **contact_id)
{
	static const char sql[] = "SELECT contact_id FROM calls WHERE workspace_id = ? AND id = ?";
	*contact_id = NULL;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, call_id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && row && db_col_text(st, 0) && !(*contact_id = db_col_dup(st, 0, a)))
		rc = ERR_NOMEM;
	db_done(st);
	return rc;
}

enum err store_sms_number_on_user_jobs(struct db *db, const char *workspace_id, const char *user_id, const char *e164,
				       bool *yes)
{
	static const char sql[] =
		"SELECT 1 FROM calls c WHERE c.workspace_id = ? AND c.job_id IN (SELECT job_id FROM job_assignments"
		" WHERE workspace_id = ? AND user_id = ?) AND (c.from_e164 = ? OR c.to_e164 = ?) LIMIT 1";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, user_id);
	db_bind_text(st, 4, e164);
	db_bind_text(st, 5, e164);
	*yes = false;
	rc = db_step(st, yes);
	db_done(st);
	return rc;
}

enum err store_sms_conversation(struct db *db, const char *workspace_id, const char *peer, int64_t after_at,
				const char *after_sid, int limit, struct arena *a, struct sms_message **rows, int *n)
{
	static const char sql[] = "SELECT " MSG_READ_COLS " FROM sms_messages WHERE workspace_id = ? AND peer_e164 = ?"
				  " AND (? IS NULL OR created_at > ? OR (created_at = ? AND sid > ?))"
				  " ORDER BY created_at, sid LIMIT ?";
	*n = 0;
	*rows = arena_alloc(a, sizeof **rows * (size_t)(limit > 0 ? limit : 1));
	if (!*rows)
		return ERR_NOMEM;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, peer);
	db_bind_text(st, 3, after_sid);
	db_bind_int(st, 4, after_at);
	db_bind_int(st, 5, after_at);
	db_bind_text(st, 6, after_sid);
	db_bind_int(st, 7, limit);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < limit) {
		if ((rc = msg_read(st, a, &(*rows)[*n])) != ERR_OK)
			break;
		(*n)++;
	}
	db_done(st);
	return rc;
}

/* ---- templates ---- */

#define TPL_COLS "id, workspace_id, name, body, category, created_by, created_at, updated_at"

static enum err tpl_read(struct db_stmt *st, struct arena *a, struct sms_template_row *t)
{
	t->id = db_col_dup(st, 0, a);
	t->workspace_id = db_col_dup(st, 1, a);
	t->name = db_col_dup(st, 2, a);
	t->body = db_col_dup(st, 3, a);
	t->category = db_col_dup(st, 4, a);
	t->created_by = db_col_dup(st, 5, a);
	t->created_at = db_col_int(st, 6);
	t->updated_at = db_col_int(st, 7);
	return t->id && t->name && t->body && t->category ? ERR_OK : ERR_NOMEM;
}

enum err store_sms_templates(struct db *db, const char *workspace_id, struct arena *a, struct sms_template_row **rows,
			     int *n)
{
	static const char count_sql[] = "SELECT COUNT(*) FROM sms_templates WHERE workspace_id = ?";
	static const char sql[] = "SELECT " TPL_COLS " FROM sms_templates WHERE workspace_id = ? ORDER BY name, id";
	struct db_stmt *st;
	bool row;
	*n = 0;
	enum err rc = db_prepare(db, count_sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	int64_t total;
	if ((rc = db_step_int(st, 0, &total)) != ERR_OK)
		return rc;
	*rows = arena_alloc(a, sizeof **rows * (size_t)(total + 1));
	if (!*rows)
		return ERR_NOMEM;
	if ((rc = db_prepare(db, sql, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < total) {
		if ((rc = tpl_read(st, a, &(*rows)[*n])) != ERR_OK)
			break;
		(*n)++;
	}
	db_done(st);
	return rc;
}

enum err store_sms_template_get(struct db *db, const char *workspace_id, const char *id, struct arena *a,
				struct sms_template_row *out)
{
	static const char sql[] = "SELECT " TPL_COLS " FROM sms_templates WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK)
		rc = row ? tpl_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	return rc;
}

enum err store_sms_template_insert(struct db *db, const struct sms_template_row *t)
{
	static const char sql[] = "INSERT INTO sms_templates (" TPL_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
				  " ON CONFLICT DO NOTHING";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, t->id);
	db_bind_text(st, 2, t->workspace_id);
	db_bind_text(st, 3, t->name);
	db_bind_text(st, 4, t->body);
	db_bind_text(st, 5, t->category);
	db_bind_text(st, 6, t->created_by);
	db_bind_int(st, 7, t->created_at);
	db_bind_int(st, 8, t->updated_at);
	if ((rc = db_run(st)) == ERR_OK && db_changes(db) == 0)
		rc = ERR_CONFLICT;
	return rc;
}

enum err store_sms_template_update(struct db *db, const struct sms_template_row *t)
{
	static const char sql[] = "UPDATE sms_templates SET name = ?, body = ?, category = ?, updated_at = ?"
				  " WHERE workspace_id = ? AND id = ? AND NOT EXISTS (SELECT 1 FROM sms_templates o"
				  " WHERE o.workspace_id = ? AND o.name = ? AND o.id <> ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, t->name);
	db_bind_text(st, 2, t->body);
	db_bind_text(st, 3, t->category);
	db_bind_int(st, 4, t->updated_at);
	db_bind_text(st, 5, t->workspace_id);
	db_bind_text(st, 6, t->id);
	db_bind_text(st, 7, t->workspace_id);
	db_bind_text(st, 8, t->name);
	db_bind_text(st, 9, t->id);
	if ((rc = db_run(st)) == ERR_OK && db_changes(db) == 0)
		rc = ERR_CONFLICT;
	return rc;
}

enum err store_sms_template_delete(struct db *db, const char *workspace_id, const char *id)
{
	static const char sql[] = "DELETE FROM sms_templates WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, id);
	if ((rc = db_run(st)) == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

/* ---- campaign settings, pacing, usage ---- */

enum err store_sms_settings_get(struct db *db, const char *workspace_id, int64_t *mps, int64_t *daily_cap,
				char *cap_tz, size_t cap_tz_size, bool *found)
{
	static const char sql[] = "SELECT messages_per_second, daily_cap_segments, cap_time_zone FROM sms_settings"
				  " WHERE workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	rc = db_step(st, &row);
	*found = rc == ERR_OK && row;
	if (*found) {
		*mps = db_col_int(st, 0);
		*daily_cap = db_col_int(st, 1);
		const char *z = db_col_text(st, 2);
		if (z && cap_tz_size)
			snprintf(cap_tz, cap_tz_size, "%s", z);
	}
	db_done(st);
	return rc;
}

enum err store_sms_settings_set(struct db *db, const char *workspace_id, int64_t mps, int64_t daily_cap,
				const char *cap_tz, int64_t now)
{
	static const char sql[] =
		"INSERT INTO sms_settings (workspace_id, messages_per_second, daily_cap_segments, cap_time_zone, updated_at)"
		" VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE SET messages_per_second = excluded.messages_per_second,"
		" daily_cap_segments = excluded.daily_cap_segments,"
		" cap_time_zone = COALESCE(excluded.cap_time_zone, sms_settings.cap_time_zone), updated_at = excluded.updated_at";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, mps);
	db_bind_int(st, 3, daily_cap);
	db_bind_text(st, 4, cap_tz);
	db_bind_int(st, 5, now);
	return db_run(st);
}

enum err store_sms_pacer_get(struct db *db, const char *workspace_id, int64_t *next_us)
{
	static const char sql[] = "SELECT next_us FROM sms_pacer WHERE workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	return db_step_int(st, 0, next_us);
}

enum err store_sms_pacer_set(struct db *db, const char *workspace_id, int64_t next_us)
{
	static const char sql[] = "INSERT INTO sms_pacer (workspace_id, next_us) VALUES (?, ?)"
				  " ON CONFLICT (workspace_id) DO UPDATE SET next_us = excluded.next_us";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, next_us);
	return db_run(st);
}

enum err store_sms_pace_log_add(struct db *db, const char *workspace_id, int64_t at_us)
{
	static const char sql[] = "INSERT INTO sms_pace_log (workspace_id, at_us) VALUES (?, ?) ON CONFLICT DO NOTHING";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, at_us);
	return db_run(st);
}

enum err store_sms_pace_log_kth(struct db *db, const char *workspace_id, int64_t k, int64_t *at_us)
{
	static const char sql[] = "SELECT at_us FROM sms_pace_log WHERE workspace_id = ? ORDER BY at_us DESC LIMIT 1 OFFSET ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, k - 1);
	return db_step_int(st, 0, at_us);
}

enum err store_sms_pace_log_started(struct db *db, const char *workspace_id, int64_t granted_us, int64_t started_us)
{
	static const char sql[] =
		"UPDATE OR IGNORE sms_pace_log SET at_us = ?, started = 1 WHERE workspace_id = ? AND at_us = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, started_us);
	db_bind_text(st, 2, workspace_id);
	db_bind_int(st, 3, granted_us);
	return db_run(st);
}

enum err store_sms_pace_log_window(struct db *db, const char *workspace_id, int64_t since_us, int64_t except_us,
				   int64_t now_us, int64_t *at, int cap, int *n)
{
	static const char sql[] = "SELECT CASE started WHEN 1 THEN at_us ELSE ? END FROM sms_pace_log "
				  "WHERE workspace_id = ? AND at_us >= ? AND at_us <> ? ORDER BY 1";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now_us);
	db_bind_text(st, 2, workspace_id);
	db_bind_int(st, 3, since_us);
	db_bind_int(st, 4, except_us);
	bool row;
	*n = 0;
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < cap)
		at[(*n)++] = db_col_int(st, 0);
	db_done(st);
	return rc;
}

enum err store_sms_pace_log_prune(struct db *db, const char *workspace_id, int64_t before_us)
{
	static const char sql[] = "DELETE FROM sms_pace_log WHERE workspace_id = ? AND at_us < ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, before_us);
	return db_run(st);
}

enum err store_sms_usage_get(struct db *db, const char *workspace_id, const char *day, int64_t *segments)
{
	static const char sql[] = "SELECT segments FROM sms_usage WHERE workspace_id = ? AND day = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, day);
	return db_step_int(st, 0, segments);
}

enum err store_sms_usage_add(struct db *db, const char *workspace_id, const char *day, int64_t segments)
{
	static const char sql[] = "INSERT INTO sms_usage (workspace_id, day, segments) VALUES (?, ?, ?)"
				  " ON CONFLICT (workspace_id, day) DO UPDATE SET segments = segments + excluded.segments";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, day);
	db_bind_int(st, 3, segments);
	return db_run(st);
}

enum err store_sms_job_defer(struct db *db, const char *job_id, int64_t run_at, const char *held_for, int64_t now)
{
	static const char sql[] = "UPDATE bg_jobs SET status = 'pending', run_at = ?, attempts = MAX(attempts - 1, 0),"
				  " locked_until = NULL, held_for = ?, updated_at = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, run_at);
	db_bind_text(st, 2, held_for);
	db_bind_int(st, 3, now);
	db_bind_text(st, 4, job_id);
	return db_run(st);
}

enum err store_sms_jobs_wake(struct db *db, const char *workspace_id, int64_t now)
{
	static const char sql[] = "UPDATE bg_jobs SET run_at = ?, updated_at = ? WHERE workspace_id = ? AND kind = 'sms'"
				  " AND status = 'pending' AND run_at > ? AND held_for = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, workspace_id);
	db_bind_int(st, 4, now);
	db_bind_text(st, 5, SMS_HELD_PACE);
	return db_run(st);
}

enum err store_sms_deferred(struct db *db, const char *sid, int64_t until, int64_t now)
{
	static const char sql[] = "UPDATE sms_messages SET deferred_until = ?, updated_at = ? WHERE sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, until);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, sid);
	return db_run(st);
}

enum err store_sms_vendor_sid_taken(struct db *db, const char *vendor_sid, const char *except_sid, bool *taken)
{
	static const char sql[] = "SELECT 1 FROM sms_messages WHERE vendor_sid = ? AND sid <> ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, vendor_sid);
	db_bind_text(st, 2, except_sid);
	*taken = false;
	rc = db_step(st, taken);
	db_done(st);
	return rc;
}

/* ---- reconciling delivery receipts ---- */

enum err store_sms_unsettled(struct db *db, int64_t quiet_before, int64_t sent_after, int limit, struct arena *a,
			     struct sms_unsettled **rows, int *n)
{
	static const char sql[] =
		"SELECT sid, workspace_id FROM sms_messages WHERE status IN ('accepted', 'queued', 'sending', 'sent')"
		" AND updated_at < ? AND direction = 'outbound' AND vendor_sid IS NOT NULL"
		" AND (reconciled_at IS NULL OR reconciled_at < ?) AND COALESCE(sent_at, created_at) >= ?"
		" ORDER BY updated_at LIMIT ?";
	*n = 0;
	*rows = arena_alloc(a, sizeof **rows * (size_t)(limit > 0 ? limit : 1));
	if (!*rows)
		return ERR_NOMEM;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, quiet_before);
	db_bind_int(st, 2, quiet_before);
	db_bind_int(st, 3, sent_after);
	db_bind_int(st, 4, limit);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < limit) {
		struct sms_unsettled *u = &(*rows)[*n];
		u->sid = db_col_dup(st, 0, a);
		u->workspace_id = db_col_dup(st, 1, a);
		if (!u->sid || !u->workspace_id) {
			rc = ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	db_done(st);
	return rc;
}

enum err store_sms_reconciled(struct db *db, const char *sid, int64_t now)
{
	static const char sql[] = "UPDATE sms_messages SET reconciled_at = ? WHERE sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, sid);
	return db_run(st);
}

enum err store_sms_reconcile_queue(struct db *db, const char *workspace_id, const char *sid, int64_t now,
				   bool *queued)
{
	static const char sql[] =
		"INSERT INTO bg_jobs (id, workspace_id, kind, payload, status, attempts, run_at, created_at, updated_at)"
		" VALUES (?, ?, 'sms_reconcile', ?, 'pending', 0, ?, ?, ?) ON CONFLICT DO NOTHING";
	char id[ID_SIZE], payload[SMS_STORE_SID_MAX + 16];
	if (strlen(sid) >= SMS_STORE_SID_MAX)
		return ERR_INVALID;
	id_new_at(id, now);
	snprintf(payload, sizeof payload, "{\"sid\":\"%s\"}", sid);
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, payload);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, now);
	if ((rc = db_run(st)) == ERR_OK)
		*queued = db_changes(db) > 0;
	return rc;
}
