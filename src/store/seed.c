/* Bulk-load SQL for the data generator. Statements come from the connection's
 * cache, so a million calls reuse a handful of prepared statements. */
#include "store/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_tri(struct db_stmt *st, int i, int v)
{
	if (v < 0)
		db_bind_null(st, i);
	else
		db_bind_int(st, i, v);
}

static enum err one_int(struct db *db, const char *sql, const char *arg, int64_t *out)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	if (arg)
		db_bind_text(st, 1, arg);
	return db_step_int(st, 0, out);
}

/* PRAGMA takes no bound values: every value a load sets or puts back is one of
 * these fixed statements. A setting whose current value is not listed is left
 * alone, since it could not be restored. */
struct choice {
	int64_t v;
	const char *sql;
};
static const struct choice sync_choices[] = {{0, "PRAGMA synchronous=OFF"}, {1, "PRAGMA synchronous=NORMAL"},
					     {2, "PRAGMA synchronous=FULL"}, {3, "PRAGMA synchronous=EXTRA"}, {0, NULL}};
static const struct choice fk_choices[] = {{0, "PRAGMA foreign_keys=OFF"}, {1, "PRAGMA foreign_keys=ON"}, {0, NULL}};
static const struct choice thread_choices[] = {{0, "PRAGMA threads=0"}, {2, "PRAGMA threads=2"}, {0, NULL}};
static const struct choice cache_choices[] = {{-1048576, "PRAGMA cache_size=-1048576"},
					      {-32768, "PRAGMA cache_size=-32768"},
					      {-2000, "PRAGMA cache_size=-2000"}, {0, NULL}};

static const char *choice_sql(const struct choice *c, int64_t v)
{
	for (; c->sql; c++)
		if (c->v == v)
			return c->sql;
	return NULL;
}

/* Sets the pragma read by get to want; *saved = the old value, or I64_NULL when unchanged. */
static enum err swap(struct db *db, const char *get, const struct choice *c, int64_t want, int64_t *saved)
{
	int64_t v;
	*saved = I64_NULL;
	enum err rc = one_int(db, get, NULL, &v);
	if (rc != ERR_OK || v == want || !choice_sql(c, v))
		return rc;
	if ((rc = db_exec(db, choice_sql(c, want), NULL)) == ERR_OK)
		*saved = v;
	return rc;
}

static void put_back(struct db *db, const struct choice *c, int64_t saved)
{
	if (saved != I64_NULL && choice_sql(c, saved))
		db_exec(db, choice_sql(c, saved), NULL);
}

/* A load writes each page once into a rollback journal database, but into a
 * WAL and then again at the checkpoint (and looks every page up in the WAL
 * index): about a third less time for a million calls. Leaving WAL needs the
 * only connection; with others open (a running server) the load stays in WAL.
 * A crash in between is safe: the next open rolls back the hot journal and
 * store/db_sqlite.c turns WAL on again. */
static bool leave_wal(struct db *db)
{
	struct db_stmt *st;
	bool row, wal = false;
	if (db_prepare(db, "PRAGMA journal_mode", &st) != ERR_OK)
		return false;
	if (db_step(st, &row) == ERR_OK && row && db_col_text(st, 0))
		wal = strcmp(db_col_text(st, 0), "wal") == 0;
	db_done(st);
	struct err_detail quiet = {0};
	return wal && db_exec(db, "PRAGMA journal_mode=DELETE", &quiet) == ERR_OK;
}

enum err store_seed_fast_begin(struct db *db, struct store_seed_saved *saved)
{
	saved->synchronous = saved->foreign_keys = saved->cache_size = saved->threads = I64_NULL;
	saved->left_wal = false;
	if (db_dialect_of(db) != DB_SQLITE)
		return ERR_OK;
	enum err rc = swap(db, "PRAGMA synchronous", sync_choices, 0, &saved->synchronous);
	if (rc == ERR_OK)
		rc = swap(db, "PRAGMA foreign_keys", fk_choices, 0, &saved->foreign_keys);
	if (rc == ERR_OK)
		rc = swap(db, "PRAGMA cache_size", cache_choices, -1048576, &saved->cache_size);
	if (rc == ERR_OK) /* a second core sorts while index builds read the table */
		rc = swap(db, "PRAGMA threads", thread_choices, 2, &saved->threads);
	if (rc == ERR_OK)
		saved->left_wal = leave_wal(db);
	if (rc != ERR_OK)
		store_seed_fast_end(db, saved);
	return rc;
}

void store_seed_fast_end(struct db *db, const struct store_seed_saved *saved)
{
	if (db_dialect_of(db) != DB_SQLITE)
		return;
	put_back(db, sync_choices, saved->synchronous);
	put_back(db, fk_choices, saved->foreign_keys);
	put_back(db, cache_choices, saved->cache_size);
	put_back(db, thread_choices, saved->threads);
	if (saved->left_wal)
		db_exec(db, "PRAGMA journal_mode=WAL", NULL);
	else /* leave a compact database file behind rather than a WAL of the whole load */
		db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
}

enum err store_seed_fts_hashsize(struct db *db, int64_t bytes, int64_t *old)
{
	static const char get[] = "SELECT COALESCE((SELECT v FROM calls_fts_config WHERE k = 'hashsize'), 0)";
	static const char set[] = "INSERT INTO calls_fts (calls_fts, rank) VALUES ('hashsize', ?)";
	*old = 0;
	if (db_dialect_of(db) != DB_SQLITE)
		return ERR_OK;
	enum err rc = one_int(db, get, NULL, old);
	struct db_stmt *st;
	if (rc != ERR_OK || (rc = db_prepare(db, set, &st)) != ERR_OK)
		return rc;
	db_bind_int(st, 1, bytes > 0 ? bytes : 1048576); /* FTS5's default */
	return db_run(st);
}

/* Secondary indexes of calls a bulk load may rebuild at its end. Unique ones
 * (id, call_sid) stay: they guard data, not only speed. An index missing from
 * this list is simply kept up to date row by row (correct, only slower); a
 * name listed here that a database lacks is skipped. */
static const struct {
	const char *name, *drop;
} droppable[] = {
	{"calls_ws_started", "DROP INDEX calls_ws_started"},
	{"calls_ws_disposition", "DROP INDEX calls_ws_disposition"},
	{"calls_ws_contact", "DROP INDEX calls_ws_contact"},
	{"calls_ws_job", "DROP INDEX calls_ws_job"},
	{"calls_ws_from", "DROP INDEX calls_ws_from"},
	{"calls_ws_queue", "DROP INDEX calls_ws_queue"},
	{"calls_ws_duration", "DROP INDEX calls_ws_duration"},
	{"calls_ws_value", "DROP INDEX calls_ws_value"},
	{"calls_ws_emergency", "DROP INDEX calls_ws_emergency"},
	{"calls_triage_rank", "DROP INDEX calls_triage_rank"},
};

enum err store_seed_indexes_drop(struct db *db, struct store_seed_indexes *saved)
{
	static const char get[] = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND name = ?";
	saved->n = 0;
	if (db_dialect_of(db) != DB_SQLITE)
		return ERR_OK;
	enum err rc = ERR_OK;
	for (size_t i = 0; i < sizeof droppable / sizeof droppable[0] && rc == ERR_OK; i++) {
		struct db_stmt *st;
		if ((rc = db_prepare(db, get, &st)) != ERR_OK)
			break;
		db_bind_text(st, 1, droppable[i].name);
		bool row;
		char *sql = NULL;
		if ((rc = db_step(st, &row)) == ERR_OK && row && db_col_text(st, 0) && !(sql = strdup(db_col_text(st, 0))))
			rc = ERR_NOMEM;
		db_done(st);
		if (!sql)
			continue;
		if ((rc = db_exec(db, droppable[i].drop, NULL)) != ERR_OK) {
			free(sql);
			break;
		}
		saved->sql[saved->n++] = sql;
	}
	return rc;
}

enum err store_seed_indexes_restore(struct db *db, struct store_seed_indexes *saved)
{
	enum err rc = ERR_OK;
	for (int i = 0; i < saved->n; i++) {
		if (rc == ERR_OK)
			rc = db_exec(db, saved->sql[i], NULL);
		free(saved->sql[i]);
	}
	saved->n = 0;
	return rc;
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

enum err store_seed_contacts_max_rid(struct db *db, int64_t *rid)
{
	static const char sql[] = "SELECT COALESCE(max(rid), 0) FROM contacts";
	return one_int(db, sql, NULL, rid);
}

enum err store_seed_contacts_each(struct db *db, const char *workspace_id,
				  bool (*fn)(void *ctx, const char *id, const char *name, const char *email,
					     const char *address),
				  void *ctx)
{
	static const char sql[] = "SELECT id, name, email, address FROM contacts WHERE workspace_id = ? ORDER BY rid";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row)
		if (!fn(ctx, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3)))
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

enum err store_seed_contact_insert(struct db *db, const struct contact *c)
{
	static const char sql[] =
		"INSERT INTO contacts (id, workspace_id, name, email, address, notes, do_not_contact, preferred_channel,"
		" time_windows, last_seen_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char phone[] =
		"INSERT INTO contact_phones (workspace_id, e164, contact_id, position) VALUES (?, ?, ?, ?)";
	static const char email[] = "INSERT INTO contact_emails (contact_id, email, position) VALUES (?, ?, 0)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, c->id);
	db_bind_text(st, i++, c->workspace_id);
	db_bind_text(st, i++, c->name);
	db_bind_text(st, i++, c->email);
	db_bind_text(st, i++, c->address);
	db_bind_text(st, i++, c->notes);
	db_bind_bool(st, i++, c->do_not_contact);
	db_bind_text(st, i++, c->preferred_channel);
	db_bind_text(st, i++, c->time_windows ? c->time_windows : "[]");
	db_bind_int_or_null(st, i++, c->last_seen_at);
	db_bind_int(st, i++, c->created_at);
	db_bind_int(st, i++, c->updated_at);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	for (int k = 0; k < c->nphones; k++) {
		if ((rc = db_prepare(db, phone, &st)) != ERR_OK)
			return rc;
		db_bind_text(st, 1, c->workspace_id);
		db_bind_text(st, 2, c->phones[k]);
		db_bind_text(st, 3, c->id);
		db_bind_int(st, 4, k);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	if (!c->email)
		return ERR_OK;
	if ((rc = db_prepare(db, email, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, c->id);
	db_bind_text(st, 2, c->email);
	return db_run(st);
}

enum err store_seed_contacts_index(struct db *db, int64_t after_rid)
{
	/* Same row as store_contact_search_refresh (store/contacts.c), for a range of new contacts. */
	static const char sql[] =
		"INSERT INTO contacts_fts (rowid, name, email, digits) SELECT ct.rid, COALESCE(ct.name, ''),"
		" COALESCE((SELECT group_concat(email, ' ') FROM contact_emails WHERE contact_id = ct.id), ct.email, ''),"
		" COALESCE((SELECT group_concat(substr(e164, 2), ' ') FROM contact_phones WHERE contact_id = ct.id), '')"
		" FROM contacts ct WHERE ct.rid > ? ORDER BY ct.rid";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, after_rid);
	return db_run(st);
}

enum err store_seed_job_insert(struct db *db, const struct job *j, const char *const *techs, int ntechs)
{
	static const char sql[] =
		"INSERT INTO jobs (id, workspace_id, title, status, slot_start, slot_end, address, contact_id,"
		" source_call_id, assigned_to, estimate_cents, final_cents, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char assign[] = "INSERT INTO job_assignments (job_id, user_id, workspace_id) VALUES (?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, j->id);
	db_bind_text(st, i++, j->workspace_id);
	db_bind_text(st, i++, j->title);
	db_bind_text(st, i++, j->status);
	db_bind_int_or_null(st, i++, j->slot_start);
	db_bind_int_or_null(st, i++, j->slot_end);
	db_bind_text(st, i++, j->address);
	db_bind_text(st, i++, j->contact_id);
	db_bind_text(st, i++, j->source_call_id);
	db_bind_text(st, i++, j->assigned_to);
	db_bind_int_or_null(st, i++, j->estimate_cents);
	db_bind_int_or_null(st, i++, j->final_cents);
	db_bind_int(st, i++, j->created_at);
	db_bind_int(st, i++, j->updated_at);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	for (int k = 0; k < ntechs; k++) {
		if ((rc = db_prepare(db, assign, &st)) != ERR_OK)
			return rc;
		db_bind_text(st, 1, j->id);
		db_bind_text(st, 2, techs[k]);
		db_bind_text(st, 3, j->workspace_id);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err store_seed_followup_insert(struct db *db, const struct followup *f, int64_t breached_at)
{
	static const char sql[] =
		"INSERT INTO followups (id, workspace_id, call_id, contact_id, type, due_at, assigned_to, status,"
		" priority, note, completed_at, created_at, updated_at, breached_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, f->id);
	db_bind_text(st, i++, f->workspace_id);
	db_bind_text(st, i++, f->call_id);
	db_bind_text(st, i++, f->contact_id);
	db_bind_text(st, i++, f->type);
	db_bind_int(st, i++, f->due_at);
	db_bind_text(st, i++, f->assigned_to);
	db_bind_text(st, i++, f->status);
	db_bind_text(st, i++, f->priority);
	db_bind_text(st, i++, f->note);
	db_bind_int_or_null(st, i++, f->completed_at);
	db_bind_int(st, i++, f->created_at);
	db_bind_int(st, i++, f->updated_at);
	db_bind_int_or_null(st, i++, breached_at);
	return db_run(st);
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

enum err store_seed_search_stage(struct db *db)
{
	static const char sql[] =
		"CREATE TEMP TABLE IF NOT EXISTS seed_calls_fts (rid INTEGER PRIMARY KEY, digits TEXT NOT NULL,"
		" words TEXT NOT NULL); DELETE FROM temp.seed_calls_fts";
	return db_exec(db, sql, NULL);
}

enum err store_seed_search_unstage(struct db *db)
{
	static const char move[] =
		"INSERT INTO calls_fts (rowid, digits, words) SELECT rid, digits, words FROM temp.seed_calls_fts ORDER BY rid";
	struct db_stmt *st;
	enum err rc = db_prepare(db, move, &st);
	if (rc == ERR_OK)
		rc = db_run(st);
	enum err r2 = db_exec(db, "DROP TABLE IF EXISTS temp.seed_calls_fts", NULL);
	return rc != ERR_OK ? rc : r2;
}

static size_t len0(const char *s) { return s ? strlen(s) : 0; }

static char *put(char *p, const char *s, size_t n)
{
	if (n)
		memcpy(p, s, n);
	return p + n;
}

/* The search row of store_call_search_refresh (store/calls.c): digits =
 * substr(from_e164, 2) || ' ' || substr(to_e164, 2); words = contact name,
 * contact e-mail, notes and transcript text, each COALESCEd to '' and joined
 * by single spaces. Keep the two in step. */
static enum err insert_search_row(struct db *db, const struct call *c, const struct seed_call_extra *x)
{
	static const char direct[] = "INSERT INTO calls_fts (rowid, digits, words) VALUES (?, ?, ?)";
	static const char staged[] = "INSERT INTO temp.seed_calls_fts (rid, digits, words) VALUES (?, ?, ?)";
	const char *sql = x->staged ? staged : direct;
	const char *parts[] = {x->contact_name, x->contact_email, c->notes, x->transcript_text};
	size_t lens[4], total = 3 + 1, nf = len0(c->from_e164), nt = len0(c->to_e164);
	for (int i = 0; i < 4; i++)
		total += lens[i] = len0(parts[i]);
	char digits[64], stack[4096], *words = total <= sizeof stack ? stack : malloc(total);
	if (!words || nf + nt + 1 > sizeof digits) {
		if (words != stack)
			free(words);
		return words ? ERR_INVALID : ERR_NOMEM;
	}
	char *p = put(digits, nf ? c->from_e164 + 1 : "", nf ? nf - 1 : 0);
	*p++ = ' ';
	p = put(p, nt ? c->to_e164 + 1 : "", nt ? nt - 1 : 0);
	size_t ndigits = (size_t)(p - digits);
	p = words;
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = ' ';
		p = put(p, parts[i], lens[i]);
	}
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc == ERR_OK) {
		db_bind_int(st, 1, x->rid);
		db_bind_textn(st, 2, digits, (int64_t)ndigits);
		db_bind_textn(st, 3, words, (int64_t)(p - words));
		rc = db_run(st);
	}
	if (words != stack)
		free(words);
	return rc;
}

enum err store_seed_call_insert(struct db *db, const struct call *c, const struct seed_call_extra *x)
{
	static const char sql[] =
		"INSERT INTO calls (rid, id, workspace_id, started_at, answered_at, ended_at, duration_sec, direction,"
		" from_e164, to_e164, from_raw, status, call_sid, number_id, contact_id, job_id, agent_type,"
		" agent_user_id, assigned_to, intent, disposition, queue_status, priority, outcome_at, outcome_required,"
		" value_est_cents, emergency_score, spam_score, spam_reason, spam, recording_url, recording_sid,"
		" recording_duration_sec, transcript_url, has_transcript, escalation_status, source, lead_source, notes,"
		" after_hours, first_time_caller, prior_calls, carrier, line_type, consent_recording, consent_sms,"
		" consent_updated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_int(st, i++, x->rid);
	db_bind_text(st, i++, c->id);
	db_bind_text(st, i++, c->workspace_id);
	db_bind_int(st, i++, c->started_at);
	db_bind_int_or_null(st, i++, c->answered_at);
	db_bind_int_or_null(st, i++, c->ended_at);
	db_bind_int_or_null(st, i++, c->duration_sec);
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
	db_bind_int_or_null(st, i++, c->outcome_at);
	db_bind_bool(st, i++, c->outcome_required);
	db_bind_int_or_null(st, i++, c->value_est_cents);
	db_bind_int_or_null(st, i++, c->emergency_score);
	db_bind_int_or_null(st, i++, c->spam_score);
	db_bind_text(st, i++, c->spam_reason);
	db_bind_bool(st, i++, c->spam);
	db_bind_text(st, i++, c->recording_url);
	db_bind_text(st, i++, x->recording_sid);
	db_bind_int_or_null(st, i++, x->recording_sid ? x->recording_duration_sec : I64_NULL);
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
	db_bind_int_or_null(st, i++, c->consent_updated_at);
	db_bind_int(st, i++, c->created_at);
	db_bind_int(st, i++, c->updated_at);
	if ((rc = db_run(st)) != ERR_OK || (rc = insert_tags(db, c)) != ERR_OK)
		return rc;
	return insert_search_row(db, c, x);
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
	db_bind_int_or_null(st, 5, t->confidence);
	db_bind_int(st, 6, t->created_at);
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
