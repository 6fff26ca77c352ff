/* SQL for contacts. Search runs on contacts_fts (SQLite FTS5, trigram
 * tokenizer: any substring of 3+ characters matches), whose rowid is
 * contacts.rid; every write that changes a name, an e-mail or a phone
 * rebuilds the contact's row there in the same transaction. */
#include "store/contacts.h"
#include "store/calls.h"

#include <string.h>

#include "core/buf.h"
#include "store/model.h"
#include "store/sqlb.h"

/* Columns of a contact row, in the order row_read expects. */
#define CONTACT_COLS \
	"ct.id, ct.workspace_id, ct.name, ct.email, ct.address, ct.notes, ct.do_not_contact, ct.preferred_channel," \
	" ct.time_windows, ct.last_seen_at, ct.created_at, ct.updated_at," \
	" (SELECT group_concat(p.e164, char(31)) FROM (SELECT e164 FROM contact_phones" \
	"   WHERE contact_id = ct.id ORDER BY position, e164) p)," \
	" (SELECT group_concat(e.email, char(31)) FROM (SELECT email FROM contact_emails" \
	"   WHERE contact_id = ct.id ORDER BY position, email) e)"

/* A Tech's contacts: on a job assigned to them, or caller on a call of such a
 * job. Two spellings of one rule. TECH_SCOPE is correlated, checked per row
 * (CROSS JOIN keeps SQLite probing from the contact's jobs and calls); binds
 * the user id twice. TECH_CONTACT_IDS is the set, built once per query: the
 * fast filter for a Tech with few jobs (see TECH_SET_MAX); binds workspace,
 * user, workspace, user, workspace. */
#define TECH_SCOPE \
	"(EXISTS (SELECT 1 FROM jobs j CROSS JOIN job_assignments ja ON ja.job_id = j.id" \
	" WHERE j.workspace_id = ct.workspace_id AND j.contact_id = ct.id AND ja.user_id = ?)" \
	" OR EXISTS (SELECT 1 FROM calls c CROSS JOIN job_assignments ja ON ja.job_id = c.job_id" \
	" WHERE c.workspace_id = ct.workspace_id AND c.contact_id = ct.id AND ja.user_id = ?))"
#define TECH_CONTACT_IDS \
	"(SELECT j.contact_id FROM job_assignments ja CROSS JOIN jobs j ON j.id = ja.job_id" \
	" WHERE ja.workspace_id = ? AND ja.user_id = ? AND j.contact_id IS NOT NULL" \
	" UNION SELECT c.contact_id FROM job_assignments ja CROSS JOIN calls c ON c.job_id = ja.job_id" \
	" WHERE ja.workspace_id = ? AND ja.user_id = ? AND c.workspace_id = ? AND c.contact_id IS NOT NULL)"

/* The search row of the contacts selected by the WHERE that follows. */
#define FTS_ROW_SELECT \
	"INSERT INTO contacts_fts (rowid, name, email, digits) SELECT ct.rid, COALESCE(ct.name, '')," \
	" COALESCE((SELECT group_concat(email, ' ') FROM contact_emails WHERE contact_id = ct.id), ct.email, '')," \
	" COALESCE((SELECT group_concat(substr(e164, 2), ' ') FROM contact_phones WHERE contact_id = ct.id), '')" \
	" FROM contacts ct"


/* Splits "a\x1fb\x1fc" into an arena array; returns the count (0 on NULL/empty). */
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
		return -1;
	int k = 0;
	char *s = copy;
	for (char *p = copy;; p++) {
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

static enum err row_read(struct db_stmt *st, struct arena *a, struct contact *c)
{
	memset(c, 0, sizeof *c);
	c->id = db_col_dup(st, 0, a);
	c->workspace_id = db_col_dup(st, 1, a);
	c->name = db_col_dup(st, 2, a);
	c->email = db_col_dup(st, 3, a);
	c->address = db_col_dup(st, 4, a);
	c->notes = db_col_dup(st, 5, a);
	c->do_not_contact = db_col_int(st, 6) != 0;
	c->preferred_channel = db_col_dup(st, 7, a);
	c->time_windows = db_col_dup(st, 8, a);
	c->last_seen_at = db_col_null(st, 9) ? I64_NULL : db_col_int(st, 9);
	c->created_at = db_col_int(st, 10);
	c->updated_at = db_col_int(st, 11);
	c->nphones = split_list(a, db_col_text(st, 12), &c->phones);
	c->nemails = split_list(a, db_col_text(st, 13), &c->emails);
	if (c->nphones < 0 || c->nemails < 0 || !c->id || !c->workspace_id)
		return ERR_NOMEM;
	if (c->nemails == 0 && c->email) {
		/* A contact written without contact_emails rows still lists its e-mail. */
		const char **v = arena_alloc(a, sizeof *v);
		if (!v)
			return ERR_NOMEM;
		v[0] = c->email;
		c->emails = v;
		c->nemails = 1;
	}
	return ERR_OK;
}

/* Appends s as an FTS5 string (double quotes, inner quotes doubled). */
static enum err fts_phrase(struct buf *b, const char *s)
{
	enum err rc = buf_puts(b, "\"");
	for (const char *p = s; rc == ERR_OK && *p; p++)
		rc = *p == '"' ? buf_puts(b, "\"\"") : buf_append(b, p, 1);
	return rc == ERR_OK ? buf_puts(b, "\"") : rc;
}

/* The MATCH expression: the digits in the digits column, and every term anywhere. */
static enum err fts_query(struct buf *b, const struct contact_query *q)
{
	enum err rc = ERR_OK;
	if (q->digits) {
		rc = buf_puts(b, "digits : ");
		if (rc == ERR_OK)
			rc = fts_phrase(b, q->digits);
	}
	for (int i = 0; rc == ERR_OK && i < q->nterms; i++) {
		if (q->digits || i)
			rc = buf_puts(b, " AND ");
		if (rc == ERR_OK)
			rc = fts_phrase(b, q->terms[i]);
	}
	return rc;
}

/* prefix as a LIKE pattern ("50%" -> "50\%%"). */
static char *like_prefix(struct arena *a, const char *prefix)
{
	size_t n = strlen(prefix);
	char *out = arena_alloc(a, 2 * n + 2);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (prefix[i] == '%' || prefix[i] == '_' || prefix[i] == '\\')
			out[k++] = '\\';
		out[k++] = prefix[i];
	}
	out[k++] = '%';
	out[k] = 0;
	return out;
}

static bool ascii_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The short-query scan: names in [variant, variant-with-last-byte+1) for every
 * ASCII case variant of the prefix, so the (workspace_id, name) index serves
 * a case-insensitive prefix match. Prefixes with more than 4 letters (never
 * the short queries this is for) get no ranges: the LIKE alone decides. */
static enum err short_ranges(struct sqlb *b, const char *prefix, struct arena *a)
{
	size_t n = strlen(prefix);
	unsigned letters = 0, nletters = 0;
	for (size_t i = 0; i < n && i < 16; i++)
		if (ascii_alpha(prefix[i])) {
			letters |= 1u << i;
			nletters++;
		}
	if (n == 0 || n > 16 || nletters > 4)
		return ERR_OK;
	sqlb_sql(b, " AND (");
	for (unsigned v = 0; v < (1u << nletters); v++) {
		char *lo = arena_strndup(a, prefix, n);
		char *hi = arena_strndup(a, prefix, n);
		if (!lo || !hi)
			return ERR_NOMEM;
		unsigned bit = 0;
		for (size_t i = 0; i < n; i++) {
			if (!(letters & (1u << i)))
				continue;
			char up = (char)(lo[i] & ~0x20), down = (char)(lo[i] | 0x20);
			lo[i] = hi[i] = (v & (1u << bit)) ? up : down;
			bit++;
		}
		/* Valid UTF-8 has no 0xff byte, so the increment never wraps. */
		hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
		sqlb_sql(b, v ? " OR (ct.name >= ? AND ct.name < ?)" : "(ct.name >= ? AND ct.name < ?)");
		sqlb_text(b, lo);
		sqlb_text(b, hi);
	}
	sqlb_sql(b, ")");
	return ERR_OK;
}

/* How a search applies a Tech's scope. A Tech with few jobs: the set of their
 * contacts filters the candidates in SQL. A Tech with many (thousands of jobs
 * make that set costly, and most candidates theirs): the ranked candidates
 * are walked in order and each checked, until the page is full. */
enum scope { SCOPE_NONE, SCOPE_SET, SCOPE_WALK };
#define TECH_SET_MAX 2000 /* assigned jobs */

static void scope_filter(struct sqlb *b, const struct contact_query *q, enum scope scope)
{
	if (scope != SCOPE_SET)
		return;
	sqlb_sql(b, " AND ct.id IN " TECH_CONTACT_IDS);
	sqlb_text(b, q->workspace_id);
	sqlb_text(b, q->tech_user_id);
	sqlb_text(b, q->workspace_id);
	sqlb_text(b, q->tech_user_id);
	sqlb_text(b, q->workspace_id);
}

/* Full-text matches past this many are not ranked by bm25 (which costs about
 * 1.5 µs a match): a text that broad ("son") is ordered by name instead. */
#define RANK_MAX 2000

/* Candidates are ranked on keys alone (rid, k1..k4), so the sorter never
 * carries the subqueries of CONTACT_COLS; only the page's rows get them. */
#define PAGE_OPEN "SELECT " CONTACT_COLS " FROM ("
#define PAGE_CLOSE ") top JOIN contacts ct ON ct.rid = top.rid ORDER BY top.k1, top.k2, top.k3, top.k4"

/* The ranked candidates' keys, best first (every candidate for SCOPE_WALK). */
static enum err build_keys(struct sqlb *b, const struct contact_query *q, const char *like, enum scope scope,
			   struct arena *a)
{
	if (!q->digits && !q->nterms) {
		sqlb_sql(b, "SELECT ct.rid AS rid, 1 AS k1, 0 AS k2, ct.name AS k3, ct.id AS k4"
			    " FROM contacts ct WHERE ct.workspace_id = ?");
		sqlb_text(b, q->workspace_id);
		enum err rc = short_ranges(b, q->prefix, a);
		if (rc != ERR_OK)
			return rc;
		sqlb_sql(b, " AND ct.name LIKE ? ESCAPE '\\'");
		sqlb_text(b, like);
		scope_filter(b, q, scope);
		sqlb_sql(b, " ORDER BY k3, k4"); /* k1, k2 are constant here: let the name index order */
		return ERR_OK;
	}
	/* Full-text matches (tier 2, by bm25) and the exact number's owner (tier 0). */
	sqlb_sql(b, "SELECT ct.rid AS rid, ");
	if (like) {
		sqlb_sql(b, "CASE WHEN m.tier = 0 THEN 0 WHEN ct.name LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END AS k1,");
		sqlb_text(b, like);
	} else {
		sqlb_sql(b, "m.tier AS k1,");
	}
	sqlb_sql(b, " m.score AS k2, ct.name AS k3, ct.id AS k4 FROM ");
	if (q->exact_e164) {
		/* The number's owner joins the candidates (once) at tier 0. */
		sqlb_sql(b, "(SELECT rid, MIN(tier) AS tier, MIN(score) AS score FROM (SELECT rid, tier, score FROM fts"
			    " UNION ALL SELECT c2.rid, 0, -1e300 FROM contact_phones p JOIN contacts c2 ON c2.id = p.contact_id"
			    " WHERE p.workspace_id = ? AND p.e164 = ?) GROUP BY rid)");
		sqlb_text(b, q->workspace_id);
		sqlb_text(b, q->exact_e164);
	} else {
		sqlb_sql(b, "fts");
	}
	sqlb_sql(b, " m JOIN contacts ct ON ct.rid = m.rid WHERE ct.workspace_id = ?");
	sqlb_text(b, q->workspace_id);
	scope_filter(b, q, scope);
	sqlb_sql(b, " ORDER BY k1, k2, k3, k4");
	return ERR_OK;
}

/* The search statement: a page of full rows, or (SCOPE_WALK) the candidates' rids in order. */
static enum err build_search(struct sqlb *b, const struct contact_query *q, const char *match, bool rank,
			     enum scope scope, struct arena *a)
{
	const char *like = q->prefix && *q->prefix ? like_prefix(a, q->prefix) : NULL;
	if (q->prefix && *q->prefix && !like)
		return ERR_NOMEM;
	bool fts = q->digits || q->nterms;
	if (!fts && !like)
		return ERR_INVALID;
	if (fts) {
		/* bm25() only works in the full-text scan itself: materialize it. */
		sqlb_sql(b, rank ? "WITH fts AS MATERIALIZED (SELECT rowid AS rid, 2 AS tier,"
				   " bm25(contacts_fts) AS score FROM contacts_fts WHERE contacts_fts MATCH ?) "
				 : "WITH fts AS MATERIALIZED (SELECT rowid AS rid, 2 AS tier, 0 AS score"
				   " FROM contacts_fts WHERE contacts_fts MATCH ?) ");
		sqlb_text(b, match);
	}
	if (scope != SCOPE_WALK)
		sqlb_sql(b, PAGE_OPEN);
	enum err rc = build_keys(b, q, like, scope, a);
	if (rc == ERR_OK && scope != SCOPE_WALK) {
		sqlb_sql(b, " LIMIT ?" PAGE_CLOSE);
		sqlb_int(b, q->limit);
	}
	return rc;
}

/* How many rows the full-text query matches, counting no further than RANK_MAX + 1. */
static enum err count_matches(struct db *db, const char *match, int64_t *n)
{
	static const char sql[] =
		"SELECT count(*) FROM (SELECT 1 FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, match);
	db_bind_int(st, 2, RANK_MAX + 1);
	return db_step_int(st, 0, n);
}

static enum err scope_of(struct db *db, const struct contact_query *q, enum scope *out)
{
	static const char sql[] =
		"SELECT count(*) FROM (SELECT 1 FROM job_assignments WHERE workspace_id = ? AND user_id = ? LIMIT ?)";
	*out = SCOPE_NONE;
	if (!q->tech_user_id)
		return ERR_OK;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, q->workspace_id);
	db_bind_text(st, 2, q->tech_user_id);
	db_bind_int(st, 3, TECH_SET_MAX + 1);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK)
		*out = row && db_col_int(st, 0) > TECH_SET_MAX ? SCOPE_WALK : SCOPE_SET;
	db_done(st);
	return rc;
}

/* Reads the contact of rid into *c when the Tech may see it; *seen tells. */
static enum err read_if_visible(struct db *db, const struct contact_query *q, int64_t rid, struct arena *a,
				struct contact *c, bool *seen)
{
	static const char visible[] = "SELECT 1 FROM contacts ct WHERE ct.rid = ? AND " TECH_SCOPE;
	static const char one[] = "SELECT " CONTACT_COLS " FROM contacts ct WHERE ct.rid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, visible, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, rid);
	db_bind_text(st, 2, q->tech_user_id);
	db_bind_text(st, 3, q->tech_user_id);
	rc = db_step(st, seen);
	db_done(st);
	if (rc != ERR_OK || !*seen)
		return rc;
	if ((rc = db_prepare(db, one, &st)) != ERR_OK)
		return rc;
	db_bind_int(st, 1, rid);
	rc = db_step(st, seen);
	if (rc == ERR_OK && *seen)
		rc = row_read(st, a, c);
	db_done(st);
	return rc;
}

enum err store_contacts_search(struct db *db, const struct contact_query *q, struct arena *a, struct contact **out,
			       int *n)
{
	struct sqlb b;
	struct buf match;
	struct db_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	if (q->limit < 1)
		return ERR_INVALID;
	struct contact *rows = arena_alloc(a, sizeof *rows * (size_t)q->limit);
	if (!rows)
		return ERR_NOMEM;
	sqlb_init(&b);
	buf_init(&match, 8 * 1024);
	bool fts = q->digits || q->nterms;
	int64_t matches = 0;
	enum scope scope = SCOPE_NONE;
	enum err rc = scope_of(db, q, &scope);
	if (rc == ERR_OK && fts && (rc = fts_query(&match, q)) == ERR_OK)
		rc = count_matches(db, buf_cstr(&match), &matches);
	if (rc == ERR_OK)
		rc = build_search(&b, q, buf_cstr(&match), matches <= RANK_MAX, scope, a);
	if (rc == ERR_OK)
		rc = sqlb_prepare(&b, db, &st);
	if (rc != ERR_OK)
		goto out;
	bool row;
	int k = 0;
	while (k < q->limit && (rc = db_step(st, &row)) == ERR_OK && row) {
		if (scope != SCOPE_WALK) {
			rc = row_read(st, a, &rows[k]);
			k += rc == ERR_OK;
		} else {
			bool seen = false;
			rc = read_if_visible(db, q, db_col_int(st, 0), a, &rows[k], &seen);
			k += rc == ERR_OK && seen;
		}
		if (rc != ERR_OK)
			break;
	}
	db_done(st);
	if (rc == ERR_OK) {
		*out = rows;
		*n = k;
	}
out:
	buf_cleanup(&match);
	sqlb_cleanup(&b);
	return rc;
}

enum err store_contact_get(struct db *db, const char *workspace_id, const char *contact_id, const char *tech_user_id,
			   struct arena *a, struct contact *out)
{
	static const char sql[] =
		"SELECT " CONTACT_COLS " FROM contacts ct WHERE ct.id = ? AND ct.workspace_id = ?"
		" AND (? IS NULL OR " TECH_SCOPE ")";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, contact_id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, tech_user_id);
	db_bind_text(st, 4, tech_user_id);
	db_bind_text(st, 5, tech_user_id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK)
		rc = row_read(st, a, out);
	db_done(st);
	return rc;
}

enum err store_contact_phone_owner(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
				   const char **id, const char **name)
{
	static const char sql[] =
		"SELECT ct.id, ct.name FROM contact_phones p JOIN contacts ct ON ct.id = p.contact_id"
		" WHERE p.workspace_id = ? AND p.e164 = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		*id = db_col_dup(st, 0, a);
		*name = db_col_dup(st, 1, a);
		if (!*id)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}


static enum err insert_phones(struct db *db, const struct contact *c)
{
	static const char sql[] =
		"INSERT INTO contact_phones (workspace_id, e164, contact_id, position) VALUES (?, ?, ?, ?)";
	for (int i = 0; i < c->nphones; i++) {
		struct db_stmt *st;
		enum err rc = db_prepare(db, sql, &st);
		if (rc != ERR_OK)
			return rc;
		db_bind_text(st, 1, c->workspace_id);
		db_bind_text(st, 2, c->phones[i]);
		db_bind_text(st, 3, c->id);
		db_bind_int(st, 4, i);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

static enum err insert_emails(struct db *db, const struct contact *c)
{
	static const char sql[] =
		"INSERT INTO contact_emails (contact_id, email, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
	int pos = 0;
	const char *first = c->email;
	for (int i = -1; i < c->nemails; i++) {
		const char *e = i < 0 ? first : c->emails[i];
		if (!e || !*e || (i >= 0 && first && strcmp(e, first) == 0))
			continue;
		struct db_stmt *st;
		enum err rc = db_prepare(db, sql, &st);
		if (rc != ERR_OK)
			return rc;
		db_bind_text(st, 1, c->id);
		db_bind_text(st, 2, e);
		db_bind_int(st, 3, pos++);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err store_contact_insert(struct db *db, const struct contact *c)
{
	static const char sql[] =
		"INSERT INTO contacts (id, workspace_id, name, email, address, notes, do_not_contact, preferred_channel,"
		" time_windows, last_seen_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
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
	if ((rc = insert_phones(db, c)) != ERR_OK)
		return rc;
	if ((rc = insert_emails(db, c)) != ERR_OK)
		return rc;
	return store_contact_search_refresh(db, c->id);
}

enum err store_contact_seen(struct db *db, const char *workspace_id, const char *contact_id, int64_t seen_at)
{
	static const char sql[] =
		"UPDATE contacts SET last_seen_at = ? WHERE workspace_id = ? AND id = ?"
		" AND (last_seen_at IS NULL OR last_seen_at < ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, seen_at);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, contact_id);
	db_bind_int(st, 4, seen_at);
	return db_run(st);
}

enum err store_contact_search_refresh(struct db *db, const char *contact_id)
{
	static const char del[] = "DELETE FROM contacts_fts WHERE rowid = (SELECT rid FROM contacts WHERE id = ?)";
	static const char ins[] = FTS_ROW_SELECT " WHERE ct.id = ?";
	return db_run_pair(db, del, ins, contact_id);
}

enum err store_contacts_search_rebuild(struct db *db, const char *workspace_id)
{
	static const char del[] = "DELETE FROM contacts_fts WHERE rowid IN (SELECT rid FROM contacts WHERE workspace_id = ?)";
	static const char ins[] = FTS_ROW_SELECT " WHERE ct.workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, del, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	if ((rc = db_prepare(db, ins, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	return db_run(st);
}

/* Rebuilds, in two statements, the search rows of the inbound calls from e164
 * linked to contact_id (one statement per call costs about a millisecond
 * each: a spam number with thousands of calls would hold the write lock for
 * seconds). The row content is the one store_call_search_refresh writes. */
static enum err refresh_number_calls(struct db *db, const char *workspace_id, const char *e164, const char *contact_id)
{
	static const char del[] =
		"DELETE FROM calls_fts WHERE rowid IN (SELECT rid FROM calls WHERE workspace_id = ? AND from_e164 = ?"
		" AND direction = 'in' AND contact_id = ?)";
	static const char ins[] = CALL_SEARCH_ROW_INSERT
		" WHERE c.workspace_id = ? AND c.from_e164 = ? AND c.direction = 'in' AND c.contact_id = ?";
	const char *const sqls[] = {del, ins};
	for (int i = 0; i < 2; i++) {
		struct db_stmt *st;
		enum err rc = db_prepare(db, sqls[i], &st);
		if (rc != ERR_OK)
			return rc;
		db_bind_text(st, 1, workspace_id);
		db_bind_text(st, 2, e164);
		db_bind_text(st, 3, contact_id);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err store_calls_contact_fill(struct db *db, const char *workspace_id, const char *e164, const char *contact_id,
				  const char *except_call_id, int64_t now, struct arena *a, const char ***ids, int *n,
				  int64_t *latest)
{
	/* Inbound calls only, through (workspace_id, from_e164): no index serves
	 * to_e164, and scanning a large workspace's calls without a contact for
	 * outbound ones holds the write lock for the better part of a second. */
	static const char sql[] =
		"UPDATE calls SET contact_id = ?, updated_at = ? WHERE workspace_id = ? AND from_e164 = ?"
		" AND direction = 'in' AND contact_id IS NULL AND id != ? RETURNING id, started_at";
	struct db_stmt *st;
	*ids = NULL;
	*n = 0;
	*latest = I64_NULL;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, contact_id);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, workspace_id);
	db_bind_text(st, 4, e164);
	db_bind_text(st, 5, except_call_id);
	const char **v = NULL;
	int k = 0, cap = 0;
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		if (k == cap) {
			int ncap = cap ? cap * 2 : 16;
			const char **grown = arena_alloc(a, sizeof *grown * (size_t)ncap);
			if (!grown) {
				rc = ERR_NOMEM;
				break;
			}
			if (k)
				memcpy(grown, v, sizeof *v * (size_t)k);
			v = grown;
			cap = ncap;
		}
		if (!(v[k++] = db_col_dup(st, 0, a))) {
			rc = ERR_NOMEM;
			break;
		}
		if (*latest == I64_NULL || db_col_int(st, 1) > *latest)
			*latest = db_col_int(st, 1);
	}
	db_done(st);
	if (rc == ERR_OK && k > 0)
		rc = refresh_number_calls(db, workspace_id, e164, contact_id);
	if (rc != ERR_OK)
		return rc;
	*ids = v;
	*n = k;
	return ERR_OK;
}
