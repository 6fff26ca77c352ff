/* Follow-up task rules and the call bookkeeping of task writes (see followups.h). */
#include "domain/followups.h"

#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "domain/audit.h"
#include "domain/calls.h"
#include "store/accounts.h"

static bool str_eq(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static bool is_open(const struct followup *f)
{
	return f->status && strcmp(f->status, "open") == 0;
}

static void check_word(const char *field, const char *v, const char *const *list, struct err_detail *d)
{
	if (!v || word_index(list, v) >= 0)
		return;
	char words[128];
	word_list(list, words, sizeof words);
	err_field_add(d, field, "must be one of: %s", words);
}

static void check_due(int64_t due, struct err_detail *d)
{
	if (due != I64_NULL && (due < FOLLOWUP_DUE_MIN || due > FOLLOWUP_DUE_MAX))
		err_field_add(d, "dueAt", "must be between 2000-01-01 and 9999-12-31");
}

static void check_note(const char *note, struct err_detail *d)
{
	if (note && strlen(note) > FOLLOWUP_NOTE_MAX)
		err_field_add(d, "note", "must be at most %d bytes", FOLLOWUP_NOTE_MAX);
}

/* A note of only blanks is no note. */
static const char *note_or_null(const char *s)
{
	if (!s)
		return NULL;
	for (const char *p = s; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return s;
	return NULL;
}

/* The assignee is a member of the workspace; the contact is one of its contacts. */
static enum err check_refs(struct db *db, const char *ws, const char *assigned_to, const char *contact_id,
			   struct err_detail *d)
{
	enum err rc;
	if (assigned_to) {
		char role[16];
		rc = store_membership_role(db, ws, assigned_to, role);
		if (rc == ERR_NOT_FOUND)
			err_field_add(d, "assignedTo", "is not a member of this workspace");
		else if (rc != ERR_OK)
			return rc;
	}
	if (contact_id) {
		bool exists = false;
		if ((rc = store_followups_contact_exists(db, ws, contact_id, &exists)) != ERR_OK)
			return rc;
		if (!exists)
			err_field_add(d, "contactId", "is not a contact of this workspace");
	}
	return d && d->nfields ? ERR_INVALID : ERR_OK;
}

/* A Tech's write must leave the task where they can still see it. */
static enum err check_scope_after(struct db *db, const struct principal *p, const struct followup *f,
				  struct err_detail *d)
{
	if (!authz_row_scoped(p->role, ACT_EDIT))
		return ERR_OK;
	bool in = false;
	enum err rc = store_followups_in_scope(db, p->workspace_id, p->user_id, f->assigned_to, f->call_id, &in);
	if (rc == ERR_OK && !in)
		rc = err_set(d, ERR_FORBIDDEN,
			     "a tech may only keep follow-ups assigned to themselves or on calls of their jobs");
	return rc;
}

/* The call side of a task write runs as a role that may touch the call: the
 * task's own row check has already allowed the write, and a task assigned to
 * a Tech may sit on a call outside their jobs. */
static struct principal call_keeper(const struct principal *p)
{
	struct principal k = *p;
	if (authz_row_scoped(k.role, ACT_EDIT))
		k.role = ROLE_DISPATCHER;
	return k;
}

static void snapshot_diff(struct diff *df, const struct followup *f, bool created)
{
	const struct followup none = {.due_at = I64_NULL, .completed_at = I64_NULL};
	const struct followup *from = created ? &none : f, *to = created ? f : &none;
	diff_str(df, "callId", from->call_id, to->call_id);
	diff_str(df, "contactId", from->contact_id, to->contact_id);
	diff_str(df, "type", from->type, to->type);
	diff_time(df, "dueAt", from->due_at, to->due_at);
	diff_str(df, "assignedTo", from->assigned_to, to->assigned_to);
	diff_str(df, "status", from->status, to->status);
	diff_str(df, "priority", from->priority, to->priority);
	diff_str(df, "note", from->note, to->note);
	diff_time(df, "completedAt", from->completed_at, to->completed_at);
}

static void change_diff(struct diff *df, const struct followup *b, const struct followup *a)
{
	diff_str(df, "type", b->type, a->type);
	diff_time(df, "dueAt", b->due_at, a->due_at);
	diff_str(df, "assignedTo", b->assigned_to, a->assigned_to);
	diff_str(df, "status", b->status, a->status);
	diff_str(df, "priority", b->priority, a->priority);
	diff_str(df, "note", b->note, a->note);
	diff_time(df, "completedAt", b->completed_at, a->completed_at);
}

/* The finished document of w as arena text, so the writer can be cleaned up
 * at once (*rc: ERR_OK, the writer's error, or ERR_NOMEM). */
static const char *doc_text(struct jw *w, struct arena *a, enum err *rc)
{
	*rc = jw_error(w);
	if (*rc != ERR_OK)
		return NULL;
	const char *s = arena_strdup(a, jw_cstr(w));
	if (!s)
		*rc = ERR_NOMEM;
	return s;
}

/* The diff as arena text, NULL when nothing changed (*rc says whether it failed). */
static const char *diff_text(struct diff *df, struct arena *a, enum err *rc)
{
	*rc = ERR_OK;
	if (df->count == 0)
		return NULL;
	if (!diff_json(df)) {
		*rc = jw_error(&df->w) != ERR_OK ? jw_error(&df->w) : ERR_NOMEM;
		return NULL;
	}
	return doc_text(&df->w, a, rc);
}

/* Writes the audit event of a task write; diff is JSON or NULL. */
static enum err audit_followup(struct db *db, struct arena *a, const struct actor *actor, const char *action,
			       const struct followup *f, const char *diff)
{
	const char *meta = NULL;
	enum err rc = ERR_OK;
	if (f->call_id) {
		struct jw m;
		jw_init(&m, 128, 4096);
		jw_obj_begin(&m);
		jw_kstr(&m, "callId", f->call_id);
		jw_obj_end(&m);
		meta = doc_text(&m, a, &rc);
		jw_cleanup(&m);
	}
	if (rc == ERR_OK)
		rc = audit_record(db, actor, action, "followup", f->id, diff, meta);
	return rc;
}

/* Would the call edit cycle write anything for after (only its tasks differ from before)? */
static bool call_would_change(const struct call *before, const struct call *after)
{
	struct call probe = *after;
	int nopen = 0;
	for (int i = 0; i < probe.nfollowups; i++)
		nopen += is_open(&probe.followups[i]);
	calls_queue_refresh(&probe, nopen);
	return probe.outcome_required != before->outcome_required || !str_eq(probe.queue_status, before->queue_status);
}

/* Finishes the call edit cycle begun by calls_edit_begin, with the call's tasks
 * replaced by list[0..n) (arena memory), then commits. action names the change
 * in the call's audit trail and event ("call.followup_created", ...). */
static enum err call_commit(struct db *db, struct arena *a, const struct actor *actor, const char *action,
			    const struct followup *f, const struct call *before, struct followup *list, int n,
			    struct err_detail *d)
{
	struct call after = *before;
	after.followups = list;
	after.nfollowups = n;
	enum err rc;
	struct jw m;
	jw_init(&m, 128, 4096);
	jw_obj_begin(&m);
	jw_kstr(&m, "followUpId", f->id);
	jw_obj_end(&m);
	const char *meta = doc_text(&m, a, &rc);
	jw_cleanup(&m);
	if (rc == ERR_OK && !call_would_change(before, &after)) {
		/* The call's row stays; its embedded tasks changed: tell the page anyway. */
		struct jw ev;
		jw_init(&ev, 256, 4096);
		jw_obj_begin(&ev);
		jw_kstr(&ev, "callId", before->id);
		jw_kstr(&ev, "action", action);
		jw_kstr(&ev, "followUpId", f->id);
		jw_key(&ev, "changes");
		jw_obj_begin(&ev);
		jw_obj_end(&ev);
		jw_obj_end(&ev);
		const char *data = doc_text(&ev, a, &rc);
		jw_cleanup(&ev);
		if (rc == ERR_OK)
			rc = events_emit(db, before->workspace_id, "call_updated", before->id, data);
	}
	if (rc != ERR_OK) {
		calls_edit_abort(db);
		return rc;
	}
	return calls_edit_commit(db, actor, action, before, &after, meta, NULL, d);
}

/* Loads a task the principal may see: ERR_NOT_FOUND (with detail) otherwise. */
static enum err load_visible(struct db *db, const struct principal *p, enum action act, const char *id,
			     struct arena *a, struct followup *out, struct err_detail *d)
{
	bool in_scope = false;
	enum err rc = store_followup_get(db, p->workspace_id, id, p->user_id, a, out, &in_scope);
	if (rc == ERR_OK && authz_row_scoped(p->role, act) && !in_scope)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND)
		err_set(d, rc, "no follow-up %s", id);
	return rc;
}

enum err followups_list(struct db *db, const struct principal *p, struct followup_query *q, struct arena *a,
			struct followup_page *out, struct err_detail *d)
{
	(void)d;
	q->workspace_id = p->workspace_id;
	q->scope_user_id = authz_row_scoped(p->role, ACT_READ) ? p->user_id : NULL;
	return store_followups_list(db, q, a, out);
}

enum err followups_get(struct db *db, const struct principal *p, const char *id, struct arena *a,
		       struct followup *out, struct err_detail *d)
{
	return load_visible(db, p, ACT_READ, id, a, out, d);
}

static enum err may_edit(const struct principal *p, struct err_detail *d)
{
	if (authz_role_may(p->role, ACT_EDIT))
		return ERR_OK;
	return err_set(d, ERR_FORBIDDEN, "the %s role may not change follow-ups", role_name(p->role));
}

/* Opens the write: the call's edit cycle when the task is on a call, a plain write transaction otherwise. */
static enum err begin(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
		      struct call *before, struct err_detail *d)
{
	if (!call_id)
		return db_begin_write(db);
	return calls_edit_begin(db, p, call_id, a, before, d);
}

enum err followups_create(struct db *db, const struct principal *p, const struct followup_new *in,
			  struct arena *a, struct followup *out, struct err_detail *d)
{
	enum err rc = may_edit(p, d);
	if (rc != ERR_OK)
		return rc;
	check_word("type", in->type, followup_types, d);
	if (!in->type)
		err_field_add(d, "type", "is required");
	check_word("priority", in->priority, priorities, d);
	check_due(in->due_at, d);
	if (in->due_at == I64_NULL)
		err_field_add(d, "dueAt", "is required");
	check_note(in->note, d);
	if (d && d->nfields)
		return ERR_INVALID;

	int64_t now = clock_now_ms();
	char *id = arena_alloc(a, ID_SIZE);
	if (!id)
		return ERR_NOMEM;
	id_new_at(id, now);
	struct followup f = {
		.id = id, .workspace_id = p->workspace_id, .call_id = in->call_id, .contact_id = in->contact_id,
		.type = in->type, .status = "open", .priority = in->priority ? in->priority : "normal",
		.note = note_or_null(in->note), .assigned_to = in->assigned_to, .due_at = in->due_at,
		.completed_at = I64_NULL, .created_at = now, .updated_at = now,
	};
	if (!f.call_id && !f.assigned_to && authz_row_scoped(p->role, ACT_EDIT))
		f.assigned_to = p->user_id; /* a Tech's own task, or they could not see it */

	struct call before;
	if ((rc = begin(db, p, f.call_id, a, &before, d)) != ERR_OK) {
		if (rc == ERR_NOT_FOUND && in->call_field) {
			if (d)
				d->detail[0] = 0;
			err_field_add(d, in->call_field, "is not a call of this workspace");
			rc = ERR_INVALID;
		}
		return rc;
	}
	if (f.call_id && !f.contact_id)
		f.contact_id = before.contact_id;
	struct actor actor = actor_of(p, in->source);
	struct diff df;
	diff_init(&df);
	snapshot_diff(&df, &f, true);
	const char *diff = diff_text(&df, a, &rc);
	diff_cleanup(&df);
	if (rc != ERR_OK || (rc = check_refs(db, p->workspace_id, f.assigned_to, in->contact_id, d)) != ERR_OK ||
	    (rc = check_scope_after(db, p, &f, d)) != ERR_OK || (rc = store_followup_insert(db, &f)) != ERR_OK ||
	    (rc = audit_followup(db, a, &actor, "followup.created", &f, diff)) != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	if (f.call_id) {
		struct followup *list = arena_alloc(a, sizeof *list * (size_t)(before.nfollowups + 1));
		if (!list) {
			calls_edit_abort(db);
			return ERR_NOMEM;
		}
		if (before.nfollowups)
			memcpy(list, before.followups, sizeof *list * (size_t)before.nfollowups);
		list[before.nfollowups] = f;
		rc = call_commit(db, a, &actor, "call.followup_created", &f, &before, list, before.nfollowups + 1, d);
	} else {
		rc = db_commit(db);
	}
	if (rc == ERR_OK)
		*out = f;
	return rc;
}

/* cur with ch applied into next; the completion stamp follows the status. */
static void apply_change(const struct followup *cur, const struct followup_change *ch, int64_t now,
			 struct followup *next)
{
	*next = *cur;
	if (ch->type)
		next->type = ch->type;
	if (ch->priority)
		next->priority = ch->priority;
	if (ch->due_at != I64_NULL)
		next->due_at = ch->due_at;
	if (ch->set_note)
		next->note = note_or_null(ch->note);
	if (ch->set_assigned_to)
		next->assigned_to = ch->assigned_to;
	if (ch->status && !str_eq(ch->status, cur->status)) {
		next->status = ch->status;
		next->completed_at = strcmp(ch->status, "done") == 0 ? now : I64_NULL;
	}
}

/* The call's tasks with the one of id replaced by f (or removed when f is NULL), in arena memory. */
static struct followup *tasks_with(struct arena *a, const struct call *c, const char *id, const struct followup *f,
				   int *n)
{
	struct followup *list = arena_alloc(a, sizeof *list * (size_t)(c->nfollowups + 1));
	if (!list)
		return NULL;
	int k = 0;
	bool seen = false;
	for (int i = 0; i < c->nfollowups; i++) {
		if (strcmp(c->followups[i].id, id) != 0) {
			list[k++] = c->followups[i];
		} else if (f) {
			list[k++] = *f;
			seen = true;
		}
	}
	if (f && !seen)
		list[k++] = *f;
	*n = k;
	return list;
}

/* Opens the write for an existing task and reloads it inside the transaction. */
static enum err begin_existing(struct db *db, const struct principal *p, const char *id, struct arena *a,
			       struct followup *cur, struct call *before, struct err_detail *d)
{
	enum err rc = load_visible(db, p, ACT_EDIT, id, a, cur, d);
	if (rc != ERR_OK)
		return rc;
	struct principal keeper = call_keeper(p);
	if ((rc = begin(db, &keeper, cur->call_id, a, before, d)) != ERR_OK) {
		if (rc == ERR_NOT_FOUND) /* the call went, and its tasks with it */
			err_set(d, rc, "no follow-up %s", id);
		return rc;
	}
	if ((rc = load_visible(db, p, ACT_EDIT, id, a, cur, d)) != ERR_OK)
		db_rollback(db);
	return rc;
}

static enum err check_change(const struct followup_change *ch, struct err_detail *d)
{
	check_word("type", ch->type, followup_types, d);
	check_word("priority", ch->priority, priorities, d);
	check_word("status", ch->status, followup_statuses, d);
	check_due(ch->due_at, d);
	if (ch->set_note)
		check_note(ch->note, d);
	return d && d->nfields ? ERR_INVALID : ERR_OK;
}

enum err followups_update(struct db *db, const struct principal *p, const char *id,
			  const struct followup_change *ch, struct arena *a, struct followup *out, bool *changed,
			  struct err_detail *d)
{
	if (changed)
		*changed = false;
	enum err rc = may_edit(p, d);
	if (rc == ERR_OK)
		rc = check_change(ch, d);
	if (rc != ERR_OK)
		return rc;
	struct followup cur, next;
	struct call before;
	if ((rc = begin_existing(db, p, id, a, &cur, &before, d)) != ERR_OK)
		return rc;
	int64_t now = clock_now_ms();
	apply_change(&cur, ch, now, &next);
	struct diff df;
	diff_init(&df);
	change_diff(&df, &cur, &next);
	const char *diff = diff_text(&df, a, &rc);
	diff_cleanup(&df);
	if (!diff) {
		/* Nothing to change: no write, no audit (or the diff failed: rc says so). */
		db_rollback(db);
		if (rc == ERR_OK)
			*out = cur;
		return rc;
	}
	next.updated_at = now;
	struct actor actor = actor_of(p, SRC_API);
	if ((ch->set_assigned_to && !str_eq(cur.assigned_to, next.assigned_to) &&
	     (rc = check_refs(db, p->workspace_id, next.assigned_to, NULL, d)) != ERR_OK) ||
	    (rc = check_scope_after(db, p, &next, d)) != ERR_OK || (rc = store_followup_update(db, &next)) != ERR_OK ||
	    (rc = audit_followup(db, a, &actor, "followup.updated", &next, diff)) != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	if (next.call_id) {
		int n = 0;
		struct followup *list = tasks_with(a, &before, next.id, &next, &n);
		if (!list) {
			calls_edit_abort(db);
			return ERR_NOMEM;
		}
		rc = call_commit(db, a, &actor, "call.followup_updated", &next, &before, list, n, d);
	} else {
		rc = db_commit(db);
	}
	if (rc == ERR_OK) {
		*out = next;
		if (changed)
			*changed = true;
	}
	return rc;
}

enum err followups_delete(struct db *db, const struct principal *p, const char *id, struct arena *a,
			  struct err_detail *d)
{
	enum err rc = may_edit(p, d);
	if (rc != ERR_OK)
		return rc;
	struct followup cur;
	struct call before;
	if ((rc = begin_existing(db, p, id, a, &cur, &before, d)) != ERR_OK)
		return rc;
	struct actor actor = actor_of(p, SRC_API);
	struct diff df;
	diff_init(&df);
	snapshot_diff(&df, &cur, false);
	const char *diff = diff_text(&df, a, &rc);
	diff_cleanup(&df);
	if (rc == ERR_OK)
		rc = store_followup_delete(db, p->workspace_id, id);
	if (rc == ERR_OK)
		rc = audit_followup(db, a, &actor, "followup.deleted", &cur, diff);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	if (!cur.call_id)
		return db_commit(db);
	int n = 0;
	struct followup *list = tasks_with(a, &before, id, NULL, &n);
	if (!list) {
		calls_edit_abort(db);
		return ERR_NOMEM;
	}
	return call_commit(db, a, &actor, "call.followup_deleted", &cur, &before, list, n, d);
}
