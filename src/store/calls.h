/* SQL for calls: insert, read one (with contact, job, tags, follow-ups,
 * transcript), list by a query spec with keyset pagination, update, tags and
 * the search index. Rows are filled into the caller's arena. */
#ifndef SB_STORE_CALLS_H
#define SB_STORE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/ids.h"
#include "store/db.h"
#include "store/model.h"

#define CALLQ_MAX_VALUES 8  /* values of one repeatable parameter */
#define CALLQ_MAX_TAGS 16

struct str_set {
	const char *v[CALLQ_MAX_VALUES];
	int n;
};

enum callq_followup { CALLQ_FU_ANY, CALLQ_FU_NONE, CALLQ_FU_OPEN, CALLQ_FU_OVERDUE, CALLQ_FU_DONE };
enum callq_spam { CALLQ_SPAM_EXCLUDE, CALLQ_SPAM_INCLUDE, CALLQ_SPAM_ONLY };
enum callq_sort { CALLQ_SORT_STARTED, CALLQ_SORT_DURATION, CALLQ_SORT_VALUE, CALLQ_SORT_EMERGENCY, CALLQ_SORT_TRIAGE };

/* What to list. Tri-state flags: -1 any, 0 false, 1 true. I64_NULL = no bound. */
struct call_query {
	const char *workspace_id;
	const char *tech_user_id;     /* non-NULL: only calls on jobs assigned to this user */
	int64_t now;                  /* for overdue and triage scores */

	int64_t from, to;             /* started_at range [from, to) */
	struct str_set intent, disposition, agent_type, source, lead_source, queue_status, direction, status, assigned_to;
	const char *tags[CALLQ_MAX_TAGS];
	int ntags;
	int64_t value_min, value_max, min_duration, max_duration;
	int has_job, has_recording, has_transcript, dnc, outcome_required, after_hours, first_time_caller;
	const char *number_id, *contact_id;
	const char *search_digits;    /* >= 3 digits: substring of a caller/callee number */
	const char *search_text;      /* >= 3 chars: substring of name, notes, transcript */
	const char *search_like;      /* LIKE pattern (escaped with '\\') for needles under 3 characters */
	enum callq_followup followup;
	enum callq_spam spam;
	bool triage;                  /* only calls needing a human */

	enum callq_sort sort;
	bool asc;
	int limit;
	bool has_cursor;
	int64_t cursor_key;
	char cursor_id[ID_SIZE];
	bool include_total;
};

/* Initializes q with "no filter" values for workspace ws. */
void call_query_init(struct call_query *q, const char *workspace_id, int64_t now);

/* The triage score of a call (same formula the SQL orders by), and its parts. */
struct triage_parts {
	bool overdue;            /* an open follow-up past due */
	bool emergency;          /* emergency intent */
	int64_t emergency_score;
	bool first_time;
	int64_t attempts;        /* missed/voicemail calls from the number in the last 24 h */
	int64_t value_cents;
	int64_t age_min;
	int64_t score;
};

struct call_page {
	struct call *rows;
	int n;
	bool has_more;
	int64_t total;               /* -1 unless asked */
	struct triage_parts *triage; /* per row, when q->triage or sort is triage */
};

enum err store_calls_list(struct db *db, const struct call_query *q, struct arena *a, struct call_page *out);
/* The sort key of row i of a page (for the next cursor). */
int64_t store_call_page_key(const struct call_query *q, const struct call_page *p, int i);

/* The clock a triage score's age and 24-hour attempt window read: now to the
 * whole minute, so a ranking holds for the rest of its minute unless data
 * changes or a follow-up falls due (overdue reads the exact now). */
static inline int64_t triage_clock(int64_t now)
{
	return now - now % 60000;
}

/* The earliest due time >= after of an open follow-up of the workspace
 * (INT64_MAX when none): until then no call's overdue state changes. */
enum err store_calls_next_due(struct db *db, const char *workspace_id, int64_t after, int64_t *due);

/* Triage queue size per score band (urgent >= 1000, high >= 300, normal >= 100, low). */
enum err store_calls_triage_bands(struct db *db, const char *workspace_id, const char *tech_user_id, int64_t now,
				  int64_t counts[4]);

/* One call with contact, job, tags, all follow-ups and the transcript.
 * ERR_NOT_FOUND when it does not exist in the workspace. *on_own_job tells
 * whether user_id (may be NULL) is assigned to the call's job. */
enum err store_call_get(struct db *db, const char *workspace_id, const char *call_id, const char *user_id,
			struct arena *a, struct call *out, bool *on_own_job);

/* What the edit cycle reads and writes of one call: the row, its tags and its open
 * follow-ups; contact, job and transcript stay NULL. As store_call_get otherwise. */
enum err store_call_get_for_edit(struct db *db, const char *workspace_id, const char *call_id, const char *user_id,
				 struct arena *a, struct call *out, bool *on_own_job);
/* store_call_get_for_edit of n distinct ids in two queries: out[i], on_own_job[i] for each
 * found[i]; a missing id leaves found[i] false. */
enum err store_calls_get_for_edit_many(struct db *db, const char *workspace_id, const char *const *ids, int n,
				       const char *user_id, struct arena *a, struct call *out, bool *on_own_job,
				       bool *found);

/* Inserts a call (c->id, workspace, times set by the caller) with its tags, and indexes it for search. */
enum err store_call_insert(struct db *db, const struct call *c);
/* The same without the search row: the caller adds it (store_call_search_add). */
enum err store_call_insert_row(struct db *db, const struct call *c);
/* store_call_insert_row unless a call with c->call_sid exists already:
 * *fresh says whether it was inserted (the vendor's CallSid is the
 * idempotency key of an inbound call). */
enum err store_call_insert_row_once(struct db *db, const struct call *c, bool *fresh);
/* Writes the mutable fields of c (disposition, outcome, value, intent, notes, assignee, priority,
 * queue/outcome flags, spam, contact, job, escalation, consent, updated_at). */
enum err store_call_update(struct db *db, const struct call *c);
/* Replaces the call's tags. */
enum err store_call_tags_set(struct db *db, const char *workspace_id, const char *call_id, const char **tags, int n);
/* Moves the call's tags from `from` to `to`: deletes only the removed ones and inserts only the added ones. */
enum err store_call_tags_move(struct db *db, const char *workspace_id, const char *call_id, const char **from,
			      int nfrom, const char **to, int nto);
/* Sets only updated_at (a change that touches no column of the row, e.g. tags alone). */
enum err store_call_touch(struct db *db, const char *workspace_id, const char *call_id, int64_t updated_at);
/* The calls_fts row of the calls a WHERE on c (to be appended) selects: numbers,
 * contact name and e-mail, notes, transcript text. Every writer of the index uses it. */
#define CALL_SEARCH_ROW_INSERT \
	"INSERT INTO calls_fts (rowid, digits, words) SELECT c.rid," \
	" substr(c.from_e164, 2) || ' ' || substr(c.to_e164, 2)," \
	" COALESCE(ct.name, '') || ' ' || COALESCE(ct.email, '') || ' ' || COALESCE(c.notes, '') || ' '" \
	" || COALESCE(t.text, '')" \
	" FROM calls c LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN transcripts t ON t.call_id = c.id"

/* Rebuilds the call's search row (numbers, contact name, notes, transcript text). */
enum err store_call_search_refresh(struct db *db, const char *call_id);

/* Users assigned to the call's job (who, besides non-Tech roles, may see it);
 * up to max ids into out (ID_SIZE each); *n = how many. */
enum err store_call_job_users(struct db *db, const char *call_id, char (*out)[ID_SIZE], int max, int *n);

/* Disposition rules: masks[i] = required fields (RF_*) for call_dispositions[i]. */
enum err store_disposition_rules_get(struct db *db, const char *workspace_id, unsigned masks[NDISPOSITIONS]);
enum err store_disposition_rule_set(struct db *db, const char *workspace_id, const char *disposition, unsigned mask,
				    int64_t now);

/* The list's WHERE clause for q (its filters and a Tech's scope) and its ORDER BY
 * (the triage order reads as newest first), appended to b, for statements over
 * CALLS_LIST_FROM: bulk selections and exports mean exactly what GET /api/calls means. */
#define CALLS_LIST_FROM " FROM calls c LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN jobs j ON j.id = c.job_id"
struct sqlb;
void store_calls_where(struct sqlb *b, const struct call_query *q);
void store_calls_order(struct sqlb *b, const struct call_query *q);

/* Open follow-ups, soonest first, of the given calls (attached to rows[i].followups). */
enum err store_calls_attach_followups(struct db *db, struct arena *a, struct call *rows, int n, bool open_only);

#endif
