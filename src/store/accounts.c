/* SQL for accounts: workspaces, users, memberships, tokens, sessions, login failures. */
#include "store/accounts.h"

#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}
#define COPY(dst, src) copy((dst), sizeof(dst), (src))

/* Steps a statement expected to yield at most one row; ERR_NOT_FOUND when none.
 * On ERR_OK the row is current and the caller must db_done. */
static enum err one_row(struct db_stmt *st)
{
	bool row;
	enum err rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc != ERR_OK)
		db_done(st);
	return rc;
}

static enum err ws_get(struct db *db, const char *sql, const char *key, struct workspace *out)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, key);
	if ((rc = one_row(st)) != ERR_OK)
		return rc;
	COPY(out->id, db_col_text(st, 0));
	COPY(out->slug, db_col_text(st, 1));
	COPY(out->name, db_col_text(st, 2));
	COPY(out->time_zone, db_col_text(st, 3));
	out->created_at = db_col_int(st, 4);
	db_done(st);
	return ERR_OK;
}

enum err store_workspace_by_slug(struct db *db, const char *slug, struct workspace *out)
{
	static const char sql[] = "SELECT id, slug, name, time_zone, created_at FROM workspaces WHERE slug = ?";
	return ws_get(db, sql, slug, out);
}

enum err store_workspace_by_id(struct db *db, const char *id, struct workspace *out)
{
	static const char sql[] = "SELECT id, slug, name, time_zone, created_at FROM workspaces WHERE id = ?";
	return ws_get(db, sql, id, out);
}

enum err store_workspace_insert(struct db *db, const struct workspace *w)
{
	static const char sql[] =
		"INSERT INTO workspaces (id, slug, name, time_zone, created_at) VALUES (?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, w->id);
	db_bind_text(st, 2, w->slug);
	db_bind_text(st, 3, w->name);
	db_bind_text(st, 4, w->time_zone[0] ? w->time_zone : "America/New_York");
	db_bind_int(st, 5, w->created_at);
	return db_run(st);
}

enum err store_workspace_count(struct db *db, int64_t *count)
{
	static const char sql[] = "SELECT COUNT(*) FROM workspaces";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	if ((rc = one_row(st)) != ERR_OK)
		return rc;
	*count = db_col_int(st, 0);
	db_done(st);
	return ERR_OK;
}

static void user_from(struct db_stmt *st, struct user *u)
{
	COPY(u->id, db_col_text(st, 0));
	COPY(u->email, db_col_text(st, 1));
	COPY(u->name, db_col_text(st, 2));
	COPY(u->phone, db_col_text(st, 3));
	u->created_at = db_col_int(st, 4);
}

enum err store_user_by_email(struct db *db, const char *email, struct user *out, char *password_hash, size_t n)
{
	static const char sql[] =
		"SELECT id, email, name, phone, created_at, password_hash FROM users WHERE email = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, email);
	if ((rc = one_row(st)) != ERR_OK)
		return rc;
	user_from(st, out);
	if (password_hash)
		copy(password_hash, n, db_col_text(st, 5));
	db_done(st);
	return ERR_OK;
}

enum err store_user_by_id(struct db *db, const char *id, struct user *out)
{
	static const char sql[] = "SELECT id, email, name, phone, created_at FROM users WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	if ((rc = one_row(st)) != ERR_OK)
		return rc;
	user_from(st, out);
	db_done(st);
	return ERR_OK;
}

enum err store_user_insert(struct db *db, const struct user *u, const char *password_hash)
{
	static const char sql[] =
		"INSERT INTO users (id, email, name, phone, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, u->id);
	db_bind_text(st, 2, u->email);
	db_bind_text(st, 3, u->name[0] ? u->name : NULL);
	db_bind_text(st, 4, u->phone[0] ? u->phone : NULL);
	db_bind_text(st, 5, password_hash);
	db_bind_int(st, 6, u->created_at);
	return db_run(st);
}

static enum err update_user_field(struct db *db, const char *sql, const char *user_id, const char *value)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, value);
	db_bind_text(st, 2, user_id);
	rc = db_run(st);
	if (rc == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_user_set_password(struct db *db, const char *user_id, const char *password_hash)
{
	static const char sql[] = "UPDATE users SET password_hash = ? WHERE id = ?";
	return update_user_field(db, sql, user_id, password_hash);
}

enum err store_user_set_phone(struct db *db, const char *user_id, const char *phone)
{
	static const char sql[] = "UPDATE users SET phone = ? WHERE id = ?";
	return update_user_field(db, sql, user_id, phone);
}

enum err store_user_set_name(struct db *db, const char *user_id, const char *name)
{
	static const char sql[] = "UPDATE users SET name = ? WHERE id = ?";
	return update_user_field(db, sql, user_id, name);
}

enum err store_membership_role(struct db *db, const char *workspace_id, const char *user_id, char role[16])
{
	static const char sql[] = "SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, user_id);
	if ((rc = one_row(st)) != ERR_OK)
		return rc;
	copy(role, 16, db_col_text(st, 0));
	db_done(st);
	return ERR_OK;
}

enum err store_membership_insert(struct db *db, const char *workspace_id, const char *user_id, const char *role, int64_t now)
{
	static const char sql[] =
		"INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, user_id);
	db_bind_text(st, 3, role);
	db_bind_int(st, 4, now);
	return db_run(st);
}

enum err store_members_each(struct db *db, const char *workspace_id, bool (*fn)(void *ctx, const struct member *m), void *ctx)
{
	static const char sql[] =
		"SELECT u.id, u.email, u.name, u.phone, u.created_at, m.role FROM memberships m"
		" JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY u.email";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		struct member m;
		user_from(st, &m.user);
		COPY(m.role, db_col_text(st, 5));
		if (!fn(ctx, &m))
			break;
	}
	db_done(st);
	return rc;
}

enum err store_memberships_of(struct db *db, const char *user_id, struct workspace *out, int max, int *count)
{
	static const char sql[] =
		"SELECT w.id, w.slug, w.name, w.time_zone, w.created_at FROM memberships m"
		" JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.created_at, w.id";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, user_id);
	int n = 0;
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		if (n < max) {
			COPY(out[n].id, db_col_text(st, 0));
			COPY(out[n].slug, db_col_text(st, 1));
			COPY(out[n].name, db_col_text(st, 2));
			COPY(out[n].time_zone, db_col_text(st, 3));
			out[n].created_at = db_col_int(st, 4);
		}
		n++;
	}
	db_done(st);
	*count = n;
	return rc;
}

enum err store_api_token_insert(struct db *db, const char *id, const char *workspace_id, const char *user_id,
				const char *token_hash, const char *name, int64_t now)
{
	static const char sql[] =
		"INSERT INTO api_tokens (id, workspace_id, user_id, token_hash, name, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, user_id);
	db_bind_text(st, 4, token_hash);
	db_bind_text(st, 5, name);
	db_bind_int(st, 6, now);
	return db_run(st);
}

static enum err credential(struct db *db, const char *sql, const char *hash, struct credential_row *out)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, hash);
	if ((rc = one_row(st)) != ERR_OK)
		return rc;
	COPY(out->cred_id, db_col_text(st, 0));
	COPY(out->workspace_id, db_col_text(st, 1));
	COPY(out->workspace_slug, db_col_text(st, 2));
	COPY(out->user_id, db_col_text(st, 3));
	COPY(out->email, db_col_text(st, 4));
	COPY(out->name, db_col_text(st, 5));
	COPY(out->role, db_col_text(st, 6));
	out->expires_at = db_col_int(st, 7);
	out->last_seen_at = db_col_int(st, 8);
	COPY(out->token_hash, db_col_text(st, 9));
	db_done(st);
	return ERR_OK;
}

enum err store_credential_by_token(struct db *db, const char *token_hash, struct credential_row *out)
{
	static const char sql[] =
		"SELECT t.id, w.id, w.slug, u.id, u.email, u.name, m.role, 0, 0, t.token_hash"
		" FROM api_tokens t JOIN workspaces w ON w.id = t.workspace_id"
		" JOIN users u ON u.id = t.user_id"
		" JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id"
		" WHERE t.token_hash = ? AND t.revoked_at IS NULL";
	return credential(db, sql, token_hash, out);
}

enum err store_credential_by_session(struct db *db, const char *token_hash, struct credential_row *out)
{
	static const char sql[] =
		"SELECT s.id, w.id, w.slug, u.id, u.email, u.name, m.role, s.expires_at, s.last_seen_at, s.token_hash"
		" FROM sessions s JOIN workspaces w ON w.id = s.workspace_id"
		" JOIN users u ON u.id = s.user_id"
		" JOIN memberships m ON m.workspace_id = s.workspace_id AND m.user_id = s.user_id"
		" WHERE s.token_hash = ? AND s.revoked_at IS NULL";
	return credential(db, sql, token_hash, out);
}

static enum err set_time(struct db *db, const char *sql, const char *id, int64_t now)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, id);
	return db_run(st);
}

enum err store_api_token_revoke(struct db *db, const char *id, int64_t now)
{
	static const char sql[] = "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
	return set_time(db, sql, id, now);
}

enum err store_session_insert(struct db *db, const char *id, const char *workspace_id, const char *user_id,
			      const char *token_hash, int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO sessions (id, workspace_id, user_id, token_hash, created_at, last_seen_at, expires_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, user_id);
	db_bind_text(st, 4, token_hash);
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, now);
	db_bind_int(st, 7, expires_at);
	return db_run(st);
}

enum err store_session_touch(struct db *db, const char *id, int64_t now)
{
	static const char sql[] = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
	return set_time(db, sql, id, now);
}

enum err store_session_revoke(struct db *db, const char *id, int64_t now)
{
	static const char sql[] = "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
	return set_time(db, sql, id, now);
}

enum err store_login_failure_add(struct db *db, const char *email, const char *ip, int64_t now)
{
	static const char sql[] = "INSERT INTO login_failures (id, email, ip, at) VALUES (?, ?, ?, ?)";
	char id[ID_SIZE];
	id_new_at(id, now);
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, email);
	db_bind_text(st, 3, ip);
	db_bind_int(st, 4, now);
	return db_run(st);
}

enum err store_login_failures_since(struct db *db, const char *email, const char *ip, int64_t since,
				    int64_t *by_email, int64_t *by_ip, int64_t *oldest)
{
	static const char sql[] =
		"SELECT (SELECT COUNT(*) FROM login_failures WHERE email = ? AND at >= ?),"
		" (SELECT COUNT(*) FROM login_failures WHERE ip = ? AND at >= ?),"
		" (SELECT MIN(at) FROM login_failures WHERE (email = ? OR ip = ?) AND at >= ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, email);
	db_bind_int(st, 2, since);
	db_bind_text(st, 3, ip);
	db_bind_int(st, 4, since);
	db_bind_text(st, 5, email);
	db_bind_text(st, 6, ip);
	db_bind_int(st, 7, since);
	if ((rc = one_row(st)) != ERR_OK)
		return rc;
	*by_email = db_col_int(st, 0);
	*by_ip = db_col_int(st, 1);
	*oldest = db_col_int(st, 2);
	db_done(st);
	return ERR_OK;
}

enum err store_login_failures_clear(struct db *db, const char *email)
{
	static const char sql[] = "DELETE FROM login_failures WHERE email = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, email);
	return db_run(st);
}
