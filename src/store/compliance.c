/* SQL for contact compliance columns and DNC import history. */
#include "store/compliance.h"

#include <string.h>

static void bind_tri(struct db_stmt *st, int i, int v)
{
	db_bind_int_or_null(st, i, v < 0 ? DB_NULL_INT : v);
}

enum err store_contact_compliance_get(struct db *db, const char *workspace_id, const char *contact_id,
				      struct arena *a, struct contact_compliance *out)
{
	static const char sql[] = "SELECT do_not_contact, time_zone, consent_recording, consent_sms, consent_updated_at"
				  " FROM contacts WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, contact_id);
	bool row = false;
	if ((rc = db_step(st, &row)) == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		out->do_not_contact = db_col_int(st, 0) != 0;
		out->time_zone = db_col_null(st, 1) ? NULL : db_col_dup(st, 1, a);
		out->consent_recording = db_col_null(st, 2) ? -1 : (int)db_col_int(st, 2);
		out->consent_sms = db_col_null(st, 3) ? -1 : (int)db_col_int(st, 3);
		out->consent_updated_at = db_col_int_or_null(st, 4);
		if (!db_col_null(st, 1) && !out->time_zone)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

static enum err run_changed(struct db *db, struct db_stmt *st)
{
	enum err rc = db_run(st);
	if (rc == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_contact_dnc_set(struct db *db, const char *workspace_id, const char *contact_id, bool dnc, int64_t now)
{
	static const char sql[] = "UPDATE contacts SET do_not_contact = ?, updated_at = ? WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_bool(st, 1, dnc);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, workspace_id);
	db_bind_text(st, 4, contact_id);
	return run_changed(db, st);
}

enum err store_contact_tz_set(struct db *db, const char *workspace_id, const char *contact_id, const char *tz,
			      int64_t now)
{
	static const char sql[] = "UPDATE contacts SET time_zone = ?, updated_at = ? WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, tz);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, workspace_id);
	db_bind_text(st, 4, contact_id);
	return run_changed(db, st);
}

enum err store_contact_consent_set(struct db *db, const char *workspace_id, const char *contact_id, int recording,
				   int sms, int64_t at)
{
	static const char sql[] = "UPDATE contacts SET consent_recording = ?, consent_sms = ?, consent_updated_at = ?,"
				  " updated_at = ? WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	bind_tri(st, 1, recording);
	bind_tri(st, 2, sms);
	db_bind_int(st, 3, at);
	db_bind_int(st, 4, at);
	db_bind_text(st, 5, workspace_id);
	db_bind_text(st, 6, contact_id);
	return run_changed(db, st);
}

enum err store_contact_recent_calls(struct db *db, const char *workspace_id, const char *contact_id, int max,
				    struct arena *a, const char ***ids, int *n)
{
	static const char sql[] = "SELECT id FROM calls WHERE workspace_id = ? AND contact_id = ?"
				  " ORDER BY started_at DESC LIMIT ?";
	*n = 0;
	*ids = arena_alloc(a, sizeof **ids * (size_t)(max > 0 ? max : 1));
	if (!*ids)
		return ERR_NOMEM;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, contact_id);
	db_bind_int(st, 3, max);
	bool row = false;
	while (*n < max && (rc = db_step(st, &row)) == ERR_OK && row) {
		const char *id = db_col_dup(st, 0, a);
		if (!id) {
			rc = ERR_NOMEM;
			break;
		}
		(*ids)[(*n)++] = id;
	}
	db_done(st);
	return rc;
}

enum err store_dnc_import_add(struct db *db, const struct dnc_import *r)
{
	static const char sql[] = "INSERT INTO dnc_imports (id, workspace_id, source, registry_date, imported, invalid,"
				  " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, r->id);
	db_bind_text(st, 2, r->workspace_id);
	db_bind_text(st, 3, r->source);
	db_bind_int_or_null(st, 4, r->registry_date);
	db_bind_int(st, 5, r->imported);
	db_bind_int(st, 6, r->invalid);
	db_bind_text(st, 7, r->created_by);
	db_bind_int(st, 8, r->created_at);
	return db_run(st);
}

enum err store_dnc_import_last(struct db *db, const char *workspace_id, const char *source, struct arena *a,
			       struct dnc_import *out)
{
	static const char sql[] = "SELECT id, workspace_id, source, registry_date, imported, invalid, created_by,"
				  " created_at FROM dnc_imports WHERE workspace_id = ? AND source = ?"
				  " ORDER BY created_at DESC, id DESC LIMIT 1";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, source);
	bool row = false;
	if ((rc = db_step(st, &row)) == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		memset(out, 0, sizeof *out);
		out->id = db_col_dup(st, 0, a);
		out->workspace_id = db_col_dup(st, 1, a);
		out->source = db_col_dup(st, 2, a);
		out->registry_date = db_col_int_or_null(st, 3);
		out->imported = db_col_int(st, 4);
		out->invalid = db_col_int(st, 5);
		out->created_by = db_col_dup(st, 6, a);
		out->created_at = db_col_int(st, 7);
		if (!out->id || !out->workspace_id || !out->source)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

enum err store_dnc_count(struct db *db, const char *workspace_id, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM dnc_entries WHERE workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	return db_step_int(st, 0, count);
}
