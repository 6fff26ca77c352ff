/* SQL of the spam model and the spam report (see spam.h). */
#include "store/spam.h"

#include <string.h>

static enum err step_all(struct db_stmt *st, bool (*row_fn)(struct db_stmt *st, void *ctx), void *ctx)
{
	bool row = false;
	enum err rc;
	while ((rc = db_step(st, &row)) == ERR_OK && row)
		if (!row_fn(st, ctx))
			break;
	db_done(st);
	return rc;
}

struct counts_ctx {
	void (*fn)(void *ctx, const char *feature, const char *cls, int64_t n);
	void *ctx;
};

static bool count_row(struct db_stmt *st, void *ctx)
{
	struct counts_ctx *c = ctx;
	if (db_col_text(st, 0) && db_col_text(st, 1))
		c->fn(c->ctx, db_col_text(st, 0), db_col_text(st, 1), db_col_int(st, 2));
	return true;
}

enum err store_spam_counts_each(struct db *db, const char *workspace_id,
				void (*fn)(void *ctx, const char *feature, const char *cls, int64_t n), void *ctx)
{
	static const char sql[] = "SELECT feature, cls, n FROM spam_counts WHERE workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	struct counts_ctx c = {fn, ctx};
	return step_all(st, count_row, &c);
}

enum err store_spam_count_add(struct db *db, const char *workspace_id, const char *feature, const char *cls,
			      int64_t delta)
{
	static const char sql[] = "INSERT INTO spam_counts (workspace_id, feature, cls, n) VALUES (?1, ?2, ?3, MAX(?4, 0))"
				  " ON CONFLICT (workspace_id, feature, cls) DO UPDATE SET n = MAX(spam_counts.n + ?4, 0)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, feature);
	db_bind_text(st, 3, cls);
	db_bind_int(st, 4, delta);
	return db_run(st);
}

#define EXAMPLE_COLS "workspace_id, call_id, is_spam, reason, features, source, labelled_by, created_at, updated_at"

enum err store_spam_example_get(struct db *db, const char *workspace_id, const char *call_id, struct arena *a,
				struct spam_example_row *out)
{
	static const char sql[] = "SELECT " EXAMPLE_COLS " FROM spam_examples WHERE workspace_id = ? AND call_id = ?";
	struct db_stmt *st;
	bool row = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, call_id);
	if ((rc = db_step(st, &row)) == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		memset(out, 0, sizeof *out);
		out->workspace_id = db_col_dup(st, 0, a);
		out->call_id = db_col_dup(st, 1, a);
		out->is_spam = db_col_int(st, 2) != 0;
		out->reason = db_col_dup(st, 3, a);
		out->features = db_col_dup(st, 4, a);
		out->source = db_col_dup(st, 5, a);
		out->labelled_by = db_col_dup(st, 6, a);
		out->created_at = db_col_int(st, 7);
		out->updated_at = db_col_int(st, 8);
		if (!out->workspace_id || !out->call_id || !out->features || !out->source)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

enum err store_spam_example_put(struct db *db, const struct spam_example_row *e)
{
	static const char sql[] = "INSERT INTO spam_examples (" EXAMPLE_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
				  " ON CONFLICT (workspace_id, call_id) DO UPDATE SET is_spam = excluded.is_spam,"
				  " reason = excluded.reason, features = excluded.features, source = excluded.source,"
				  " labelled_by = excluded.labelled_by, updated_at = excluded.updated_at";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, e->workspace_id);
	db_bind_text(st, 2, e->call_id);
	db_bind_bool(st, 3, e->is_spam);
	db_bind_text(st, 4, e->reason);
	db_bind_text(st, 5, e->features);
	db_bind_text(st, 6, e->source);
	db_bind_text(st, 7, e->labelled_by);
	db_bind_int(st, 8, e->created_at);
	db_bind_int(st, 9, e->updated_at);
	return db_run(st);
}

struct examples_ctx {
	void (*fn)(void *ctx, const char *call_id, bool is_spam, const char *reason, const char *features);
	void *ctx;
};

static bool example_row(struct db_stmt *st, void *ctx)
{
	struct examples_ctx *c = ctx;
	c->fn(c->ctx, db_col_text(st, 0), db_col_int(st, 1) != 0, db_col_text(st, 2), db_col_text(st, 3));
	return true;
}

enum err store_spam_examples_each(struct db *db, const char *workspace_id, int limit,
				  void (*fn)(void *ctx, const char *call_id, bool is_spam, const char *reason,
					     const char *features),
				  void *ctx)
{
	static const char sql[] = "SELECT call_id, is_spam, reason, features FROM spam_examples WHERE workspace_id = ?"
				  " ORDER BY updated_at DESC, call_id LIMIT ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, limit);
	struct examples_ctx c = {fn, ctx};
	return step_all(st, example_row, &c);
}

enum err store_spam_example_counts(struct db *db, const char *workspace_id, int64_t *spam, int64_t *ham)
{
	static const char sql[] = "SELECT COALESCE(SUM(is_spam), 0), COUNT(*) FROM spam_examples WHERE workspace_id = ?";
	struct db_stmt *st;
	bool row = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	*spam = *ham = 0;
	if ((rc = db_step(st, &row)) == ERR_OK && row) {
		*spam = db_col_int(st, 0);
		*ham = db_col_int(st, 1) - *spam;
	}
	db_done(st);
	return rc;
}

enum err store_spam_caller_name_put(struct db *db, const char *workspace_id, const char *call_id, const char *name,
				    int64_t now)
{
	static const char sql[] = "INSERT INTO spam_caller_names (call_id, workspace_id, caller_name, created_at)"
				  " VALUES (?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET caller_name = excluded.caller_name";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, name);
	db_bind_int(st, 4, now);
	return db_run(st);
}

enum err store_spam_caller_name_get(struct db *db, const char *call_id, struct arena *a, const char **name)
{
	static const char sql[] = "SELECT caller_name FROM spam_caller_names WHERE call_id = ?";
	struct db_stmt *st;
	bool row = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	if ((rc = db_step(st, &row)) == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK && !(*name = db_col_dup(st, 0, a)))
		rc = ERR_NOMEM;
	db_done(st);
	return rc;
}

enum err store_spam_recent_silent(struct db *db, const char *workspace_id, const char *e164, int64_t since,
				  int64_t before, const char *call_id, int64_t *count)
{
	static const char sql[] = "SELECT COUNT(*) FROM calls WHERE workspace_id = ? AND from_e164 = ?"
				  " AND started_at >= ? AND started_at < ? AND direction = 'in' AND ended_at IS NOT NULL"
				  " AND COALESCE(duration_sec, 0) < 10 AND id <> ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	db_bind_int(st, 3, since);
	db_bind_int(st, 4, before);
	db_bind_text(st, 5, call_id ? call_id : "");
	return db_step_int(st, 0, count);
}

enum err store_spam_call_totals(struct db *db, const char *workspace_id, int64_t from, int64_t to, int64_t *calls,
				int64_t *spam)
{
	static const char sql[] = "SELECT COUNT(*), COALESCE(SUM(spam), 0) FROM calls WHERE workspace_id = ?"
				  " AND started_at >= ? AND started_at < ? AND direction = 'in'";
	struct db_stmt *st;
	bool row = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, to);
	*calls = *spam = 0;
	if ((rc = db_step(st, &row)) == ERR_OK && row) {
		*calls = db_col_int(st, 0);
		*spam = db_col_int(st, 1);
	}
	db_done(st);
	return rc;
}

struct calls_ctx {
	void (*fn)(void *ctx, int64_t started_at, const char *reason);
	void *ctx;
};

static bool spam_call_row(struct db_stmt *st, void *ctx)
{
	struct calls_ctx *c = ctx;
	c->fn(c->ctx, db_col_int(st, 0), db_col_text(st, 1));
	return true;
}

enum err store_spam_calls_each(struct db *db, const char *workspace_id, int64_t from, int64_t to,
			       void (*fn)(void *ctx, int64_t started_at, const char *reason), void *ctx)
{
	static const char sql[] = "SELECT started_at, spam_reason FROM calls WHERE workspace_id = ?"
				  " AND started_at >= ? AND started_at < ? AND spam = 1";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, to);
	struct calls_ctx c = {fn, ctx};
	return step_all(st, spam_call_row, &c);
}

enum err store_spam_top_numbers(struct db *db, const char *workspace_id, int64_t from, int64_t to, int limit,
				struct arena *a, struct spam_number_row **rows, int *n)
{
	static const char sql[] =
		"SELECT c.from_e164, COUNT(*), MAX(c.started_at),"
		" EXISTS (SELECT 1 FROM blocked_numbers b WHERE b.workspace_id = c.workspace_id AND b.e164 = c.from_e164)"
		" FROM calls c WHERE c.workspace_id = ? AND c.started_at >= ? AND c.started_at < ? AND c.spam = 1"
		" GROUP BY c.from_e164 ORDER BY COUNT(*) DESC, c.from_e164 LIMIT ?";
	struct db_stmt *st;
	bool row = false;
	*n = 0;
	*rows = arena_alloc(a, sizeof **rows * (size_t)(limit > 0 ? limit : 1));
	if (!*rows)
		return ERR_NOMEM;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, to);
	db_bind_int(st, 4, limit);
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < limit) {
		struct spam_number_row *r = &(*rows)[(*n)++];
		r->e164 = db_col_dup(st, 0, a);
		r->calls = db_col_int(st, 1);
		r->last_at = db_col_int(st, 2);
		r->blocked = db_col_int(st, 3) != 0;
		if (!r->e164) {
			rc = ERR_NOMEM;
			break;
		}
	}
	db_done(st);
	return rc;
}

enum err store_spam_labelled_calls(struct db *db, const char *workspace_id, int limit, struct arena *a,
				   const char ***ids, int *n)
{
	static const char sql[] =
		"SELECT id FROM calls WHERE workspace_id = ? AND direction = 'in' AND ended_at IS NOT NULL"
		" AND (spam = 1 OR disposition IN ('answered', 'booked', 'callback'))"
		" ORDER BY started_at DESC, id DESC LIMIT ?";
	struct db_stmt *st;
	bool row = false;
	*n = 0;
	*ids = arena_alloc(a, sizeof **ids * (size_t)(limit > 0 ? limit : 1));
	if (!*ids)
		return ERR_NOMEM;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, limit);
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < limit) {
		if (!((*ids)[*n] = db_col_dup(st, 0, a))) {
			rc = ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	db_done(st);
	return rc;
}
