/* Bulk jobs: creation with their limits, and the chunked, exactly-once run (see bulk.h). */
#include "domain/bulk.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jw.h"
#include "domain/audit.h"
#include "domain/calls.h"
#include "domain/followups.h"
#include "domain/spam.h"

const char *const bulk_operations[] = {"tag", "spam", "disposition", "followup", "export", NULL};

#define DAY_MS 86400000LL

static enum err check_limits(struct db *db, const struct principal *p, const char *kind, int64_t now,
			     struct err_detail *d)
{
	int64_t n = 0, oldest = 0;
	enum err rc;
	if (strcmp(kind, "export") == 0) {
		if ((rc = store_bulk_exports_since(db, p->user_id, now - DAY_MS, &n, &oldest)) != ERR_OK)
			return rc;
		if (n >= EXPORTS_PER_DAY) {
			int64_t wait = (oldest + DAY_MS - now) / 1000 + 1;
			if (d)
				d->retry_after = (int)(wait > 0 ? wait : 1);
			return err_set(d, ERR_LIMITED, "at most %d exports per user per day", EXPORTS_PER_DAY);
		}
		return ERR_OK;
	}
	if ((rc = store_bulk_count_active(db, p->workspace_id, "bulk", &n)) != ERR_OK)
		return rc;
	if (n >= BULK_MAX_ACTIVE) {
		if (d)
			d->retry_after = 5;
		return err_set(d, ERR_LIMITED, "at most %d bulk jobs may run at once in a workspace", BULK_MAX_ACTIVE);
	}
	return ERR_OK;
}

enum err bulk_create(struct db *db, const struct principal *p, const struct bulk_request *req, int64_t now,
		     char *id, int64_t *count, struct err_detail *d)
{
	bool exporting = strcmp(req->kind, "export") == 0 || strcmp(req->operation, "export") == 0;
	if (!authz_role_may(p->role, exporting ? ACT_EXPORT : ACT_EDIT))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not %s calls", role_name(p->role),
			       exporting ? "export" : "bulk-edit");
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	/* A bulk export counts as a bulk job and as one of the user's exports. */
	if ((rc = check_limits(db, p, req->kind, now, d)) != ERR_OK)
		goto fail;
	if (exporting && strcmp(req->kind, "export") != 0 && (rc = check_limits(db, p, "export", now, d)) != ERR_OK)
		goto fail;
	struct bulk_job j = {0};
	id_new_at(j.id, now);
	j.workspace_id = p->workspace_id;
	j.user_id = p->user_id;
	j.user_email = p->email;
	j.role = role_name(p->role);
	j.kind = req->kind;
	j.operation = req->operation;
	j.data = req->data ? req->data : "{}";
	j.created_at = now;
	if ((rc = store_bulk_insert(db, &j)) != ERR_OK)
		goto fail;
	int64_t n = 0;
	if (req->ids) {
		rc = store_bulk_items_add(db, j.id, req->ids, req->nids);
		n = req->nids;
	} else if (strcmp(req->kind, "bulk") == 0) {
		rc = store_bulk_items_select(db, j.id, req->q, &n);
	} else {
		rc = store_export_count(db, req->q, NULL, &n);
	}
	if (rc == ERR_OK)
		rc = store_bulk_set_total(db, j.id, n);
	if (rc != ERR_OK)
		goto fail;
	if ((rc = db_commit(db)) != ERR_OK)
		return rc;
	memcpy(id, j.id, ID_SIZE);
	*count = n;
	return ERR_OK;
fail:
	db_rollback(db);
	return rc;
}

enum err bulk_get(struct db *db, const struct principal *p, const char *id, struct arena *a, struct bulk_job *out,
		  struct err_detail *d)
{
	enum err rc = store_bulk_get(db, p->workspace_id, id, a, out);
	if (rc == ERR_OK && strcmp(out->user_id, p->user_id) != 0 && !authz_role_may(p->role, ACT_SETTINGS))
		rc = ERR_NOT_FOUND;
	if (rc == ERR_NOT_FOUND)
		return err_set(d, rc, "no job %s", id);
	return rc;
}

void bulk_principal(const struct bulk_job *j, struct principal *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->workspace_id, sizeof out->workspace_id, "%s", j->workspace_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", j->user_id);
	snprintf(out->email, sizeof out->email, "%s", j->user_email ? j->user_email : "");
	out->role = role_parse(j->role);
}

static bool has_tag(const char **v, int n, const char *t)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], t) == 0)
			return true;
	return false;
}

static enum err new_tags(struct arena *a, const struct bulk_op *op, const struct call *c, const char ***out, int *n,
			 struct err_detail *d)
{
	if (op->tag_mode == BULK_TAGS_SET) {
		*out = op->tags;
		*n = op->ntags;
		return ERR_OK;
	}
	const char **v = arena_alloc(a, sizeof *v * (size_t)(c->ntags + op->ntags + 1));
	if (!v)
		return ERR_NOMEM;
	int k = 0;
	for (int i = 0; i < c->ntags; i++)
		if (op->tag_mode != BULK_TAGS_REMOVE || !has_tag(op->tags, op->ntags, c->tags[i]))
			v[k++] = c->tags[i];
	if (op->tag_mode == BULK_TAGS_ADD)
		for (int i = 0; i < op->ntags; i++)
			if (!has_tag(v, k, op->tags[i]))
				v[k++] = op->tags[i];
	if (k > CALL_MAX_TAGS)
		return err_field_add(d, "tags", "a call has at most %d tags", CALL_MAX_TAGS);
	*out = v;
	*n = k;
	return ERR_OK;
}

/* The call's fields after the operation (tag, spam, disposition). */
static enum err edit(struct arena *a, const struct bulk_op *op, const struct call *before, struct call *after,
		     struct err_detail *d)
{
	*after = *before;
	switch (op->kind) {
	case BULK_TAG:
		return new_tags(a, op, before, &after->tags, &after->ntags, d);
	case BULK_SPAM:
		after->spam = op->spam;
		after->spam_reason = op->spam ? op->spam_reason : NULL;
		if (!op->spam) {
			if (after->disposition && strcmp(after->disposition, "spam") == 0)
				after->disposition = NULL;
			if (after->intent && strcmp(after->intent, "spam") == 0)
				after->intent = NULL;
		}
		return ERR_OK;
	case BULK_DISPOSITION:
		after->disposition = op->disposition;
		return ERR_OK;
	default:
		return ERR_INTERNAL;
	}
}

/* Whether op goes through calls_edit_begin_row (the others read and write through their own domain calls). */
static bool reads_calls(const struct bulk_op *op)
{
	return op->kind == BULK_TAG || op->kind == BULK_DISPOSITION || (op->kind == BULK_SPAM && !op->spam);
}

/* Applies op to one call through the edit cycle (a savepoint inside the chunk). */
static enum err apply_one(struct db *db, const struct principal *p, const struct bulk_job *j, const struct bulk_op *op,
			  const char *call_id, const struct call *pre, bool pre_own, bool caller_tx,
			  struct audit_batch *batch, struct arena *a, bool *wrote, struct err_detail *d)
{
	struct actor actor = actor_of(p, SRC_BULK);
	actor.batch = batch; /* the chunk's audit rows and events: written together before it commits */
	*wrote = false;
	if (op->kind == BULK_FOLLOWUP) {
		struct followup_new in = {.call_id = call_id, .type = op->fu_type, .priority = op->fu_priority,
					  .note = op->fu_note, .assigned_to = op->fu_assigned_to, .due_at = op->fu_due_at,
					  .source = SRC_BULK};
		struct followup f;
		return followups_create(db, p, &in, a, &f, d);
	}
	if (op->kind == BULK_SPAM && op->spam) { /* as mark-spam: the disposition, and the model learns */
		bool blocked;
		return spam_mark(db, p, SRC_BULK, call_id, op->spam_reason, false, a, &blocked, d);
	}
	struct call before, after;
	actor.caller_tx = caller_tx = caller_tx && pre;
	enum err rc = pre ? calls_edit_begin_read(db, p, pre, pre_own, caller_tx, &before, d)
			  : calls_edit_begin_row(db, p, call_id, a, &before, d);
	if (rc != ERR_OK)
		return rc;
	if ((rc = edit(a, op, &before, &after, d)) != ERR_OK) {
		if (!caller_tx)
			calls_edit_abort(db);
		return rc;
	}
	char meta[128];
	snprintf(meta, sizeof meta, "{\"bulkJobId\":\"%s\",\"operation\":\"%s\"}", j->id, bulk_operations[op->kind]);
	uint64_t v0 = 0, v1 = 0;
	if (caller_tx && (rc = db_data_version(db, &v0)) != ERR_OK)
		return rc;
	rc = calls_edit_commit(db, &actor, "call.updated", &before, &after, meta, NULL, d);
	/* Within our own write transaction the version moves only with our own writes. */
	if (rc != ERR_OK && caller_tx)
		*wrote = db_data_version(db, &v1) != ERR_OK || v1 != v0;
	return rc;
}

/* Why a call could not be changed: a Tech's call outside their jobs is "forbidden", not "missing". */
static enum err classify(struct db *db, const struct principal *p, const char *call_id, struct arena *a, enum err rc,
			 struct err_detail *e)
{
	if (rc != ERR_NOT_FOUND || !authz_row_scoped(p->role, ACT_EDIT))
		return rc;
	struct call c;
	bool own = false;
	if (store_call_get(db, p->workspace_id, call_id, NULL, a, &c, &own) != ERR_OK)
		return rc;
	err_set(e, ERR_FORBIDDEN, "the call is not on a job assigned to you");
	return ERR_FORBIDDEN;
}

static const char *message_of(const struct err_detail *e, enum err rc, char *buf, size_t n)
{
	if (e->nfields > 0) {
		snprintf(buf, n, "%s: %s", e->fields[0].field, e->fields[0].message);
		return buf;
	}
	return e->detail[0] ? e->detail : err_str(rc);
}

static bool item_failed_for_good(enum err rc)
{
	return rc == ERR_NOT_FOUND || rc == ERR_FORBIDDEN || rc == ERR_INVALID || rc == ERR_CONFLICT;
}

/* One chunk. careful: each call in a savepoint of its own (calls_edit_begin's), so a call
 * that fails after writing is rolled back alone. Otherwise the calls the chunk read at once
 * are edited in the chunk's transaction itself (no savepoint a call: what a savepoint costs
 * is most of a tag's writes); a call that fails before writing is reported as in careful mode,
 * and one that fails after writing rolls the chunk back and sets *redo (run it careful). */
static enum err step(struct db *db, struct bulk_job *j, const struct bulk_op *op, int chunk, int64_t lease_ms,
		     bool careful, bool *redo, bool *finished, struct err_detail *d)
{
	*redo = false;
	struct arena *a = arena_new();
	const char **ids = a ? arena_alloc(a, sizeof *ids * (size_t)chunk) : NULL;
	int64_t *seqs = a ? arena_alloc(a, sizeof *seqs * (size_t)chunk) : NULL;
	struct principal p;
	struct audit_batch *batch = NULL;
	int n = 0;
	int64_t nerr = 0;
	*finished = false;
	if (!ids || !seqs || audit_batch_new(&batch) != ERR_OK) {
		arena_free(a);
		return ERR_NOMEM;
	}
	bulk_principal(j, &p);
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		goto out;
	if ((rc = store_bulk_items_next(db, j->id, j->next_seq, chunk, a, ids, seqs, &n)) != ERR_OK)
		goto fail;
	int64_t now = clock_now_ms();
	if (n == 0) {
		if ((rc = store_bulk_finish(db, j->id, "completed", NULL, 0, j->processed, NULL, now)) != ERR_OK)
			goto fail;
		if ((rc = db_commit(db)) == ERR_OK)
			*finished = true;
		goto out;
	}
	/* The calls the edit cycle will change, read at once in this transaction (two queries a
	 * slice instead of two a call); each is used once, by its own item. */
	struct call *pre = NULL;
	bool *pre_own = NULL, *pre_found = NULL;
	if (reads_calls(op)) {
		pre = arena_alloc(a, sizeof *pre * (size_t)n);
		pre_own = arena_alloc(a, sizeof *pre_own * (size_t)n);
		pre_found = arena_alloc(a, sizeof *pre_found * (size_t)n);
		if (!pre || !pre_own || !pre_found) {
			rc = ERR_NOMEM;
			goto fail;
		}
		if ((rc = store_calls_get_for_edit_many(db, p.workspace_id, ids, n, p.user_id, a, pre, pre_own,
							pre_found)) != ERR_OK)
			goto fail;
	}
	for (int i = 0; i < n; i++) {
		struct err_detail e = {0};
		int depth = db_tx_depth(db);
		struct audit_batch_mark mark = audit_batch_mark(batch);
		const struct call *mine = pre && pre_found[i] ? &pre[i] : NULL;
		bool wrote = false;
		enum err irc = apply_one(db, &p, j, op, ids[i], mine, mine && pre_own[i], !careful, batch, a, &wrote, &e);
		if (db_tx_depth(db) != depth) {
			/* A unit of work closed more than its own level: the chunk is gone; run it again. */
			rc = err_set(d, ERR_INTERNAL, "call %s left the chunk's transaction", ids[i]);
			goto fail;
		}
		if (irc == ERR_OK)
			continue;
		if (wrote) { /* a failed call left writes in the chunk's transaction: redo the chunk careful */
			*redo = true;
			rc = ERR_OK;
			db_rollback(db);
			goto out;
		}
		audit_batch_truncate(batch, mark); /* the call's savepoint was rolled back: so is what it held */
		irc = classify(db, &p, ids[i], a, irc, &e);
		if (!item_failed_for_good(irc)) {
			rc = err_set(d, irc, "call %s: %s", ids[i], e.detail[0] ? e.detail : err_str(irc));
			goto fail;
		}
		char buf[256];
		if ((rc = store_bulk_error_add(db, j->id, seqs[i], ids[i], irc, message_of(&e, irc, buf, sizeof buf))) !=
		    ERR_OK)
			goto fail;
		nerr++;
	}
	if ((rc = audit_batch_flush(db, batch)) != ERR_OK)
		goto fail;
	now = clock_now_ms();
	if ((rc = store_bulk_progress(db, j->id, seqs[n - 1] + 1, n, nerr, now + lease_ms, now)) != ERR_OK)
		goto fail;
	if ((rc = db_commit(db)) != ERR_OK)
		goto out;
	j->next_seq = seqs[n - 1] + 1;
	j->processed += n;
	j->nerrors += nerr;
	goto out;
fail:
	db_rollback(db);
out:
	audit_batch_free(batch);
	arena_free(a);
	return rc;
}

enum err bulk_job_step(struct db *db, struct bulk_job *j, const struct bulk_op *op, int chunk, int64_t lease_ms,
		       bool *finished, struct err_detail *d)
{
	bool redo = false;
	enum err rc = step(db, j, op, chunk, lease_ms, false, &redo, finished, d);
	if (rc == ERR_OK && redo)
		rc = step(db, j, op, chunk, lease_ms, true, &redo, finished, d);
	return rc;
}

enum err bulk_job_fail(struct db *db, const struct bulk_job *j, const char *why)
{
	return store_bulk_finish(db, j->id, "failed", NULL, 0, -1, why, clock_now_ms());
}
