/* Job rules and linking calls to jobs. */
#include "domain/jobs.h"

#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "domain/audit.h"
#include "domain/calls.h"
#include "store/accounts.h"
#include "store/model.h"

void job_new_init(struct job_new *nj)
{
	memset(nj, 0, sizeof *nj);
	nj->estimate_cents = nj->slot_start = nj->slot_end = I64_NULL;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\r' && *s != '\t') || *s == 0x7f)
			return true;
	return false;
}

enum err jobs_new_check(const struct job_new *nj, struct err_detail *d)
{
	int before = d ? d->nfields : 0;
	if (!nj->title || !*nj->title)
		err_field_add(d, "title", "is required");
	else if (strlen(nj->title) > JOB_TITLE_MAX)
		err_field_add(d, "title", "must be at most %d bytes", JOB_TITLE_MAX);
	else if (has_control(nj->title) || strchr(nj->title, '\n'))
		err_field_add(d, "title", "must be one line of text");
	if (nj->status && word_index(job_statuses, nj->status) < 0) {
		char words[128];
		word_list(job_statuses, words, sizeof words);
		err_field_add(d, "status", "must be one of: %s", words);
	}
	if (nj->estimate_cents != I64_NULL && (nj->estimate_cents < 0 || nj->estimate_cents > JOB_ESTIMATE_MAX))
		err_field_add(d, "estimateCents", "must be between 0 and %lld", (long long)JOB_ESTIMATE_MAX);
	if (nj->slot_start != I64_NULL && nj->slot_end != I64_NULL && nj->slot_end < nj->slot_start)
		err_field_add(d, "slotEnd", "must not be before slotStart");
	if (nj->address && (strlen(nj->address) > JOB_ADDRESS_MAX || has_control(nj->address)))
		err_field_add(d, "address", "must be text of at most %d bytes", JOB_ADDRESS_MAX);
	if (nj->assigned_to && !id_valid(nj->assigned_to))
		err_field_add(d, "assignedTo", "must be the id of a user of the workspace");
	return d && d->nfields > before ? ERR_INVALID : ERR_OK;
}

static void diff_new_job(struct diff *df, const struct job *j)
{
	diff_str(df, "title", NULL, j->title);
	diff_str(df, "status", NULL, j->status);
	diff_int(df, "estimateCents", I64_NULL, j->estimate_cents);
	diff_time(df, "slotStart", I64_NULL, j->slot_start);
	diff_time(df, "slotEnd", I64_NULL, j->slot_end);
	diff_str(df, "address", NULL, j->address);
	diff_str(df, "assignedTo", NULL, j->assigned_to);
	diff_str(df, "contactId", NULL, j->contact_id);
	diff_str(df, "sourceCallId", NULL, j->source_call_id);
}

/* Writes the new job, its assignments and its job.created audit event. */
static enum err create_job(struct db *db, const struct principal *p, const struct call *call, const struct job_new *nj,
			   struct arena *a, const char **id_out, struct err_detail *d)
{
	bool tech = authz_row_scoped(p->role, ACT_EDIT);
	if (nj->assigned_to) {
		char role[16];
		enum err rc = store_membership_role(db, p->workspace_id, nj->assigned_to, role);
		if (rc == ERR_NOT_FOUND)
			return err_field_add(d, "assignedTo", "must be the id of a user of the workspace");
		if (rc != ERR_OK)
			return rc;
	}
	int64_t now = clock_now_ms();
	char *id = arena_alloc(a, ID_SIZE);
	if (!id)
		return ERR_NOMEM;
	id_new_at(id, now);
	struct job j = {
		.id = id, .workspace_id = p->workspace_id, .title = nj->title, .status = nj->status ? nj->status : "new",
		.address = nj->address && *nj->address ? nj->address : NULL, .contact_id = call->contact_id,
		.source_call_id = call->id, .assigned_to = nj->assigned_to ? nj->assigned_to : tech ? p->user_id : NULL,
		.slot_start = nj->slot_start, .slot_end = nj->slot_end, .estimate_cents = nj->estimate_cents,
		.final_cents = I64_NULL, .created_at = now, .updated_at = now,
	};
	enum err rc = store_job_insert(db, &j);
	if (rc == ERR_OK && j.assigned_to)
		rc = store_job_assign(db, p->workspace_id, id, j.assigned_to);
	if (rc == ERR_OK && tech)
		rc = store_job_assign(db, p->workspace_id, id, p->user_id);
	if (rc != ERR_OK)
		return rc;

	struct diff df;
	struct jw meta;
	diff_init(&df);
	diff_new_job(&df, &j);
	jw_init(&meta, 256, 4096);
	jw_obj_begin(&meta);
	jw_kstr(&meta, "callId", call->id);
	jw_obj_end(&meta);
	struct actor actor = actor_of(p, SRC_API);
	const char *diff = diff_json(&df);
	const char *metadata = jw_cstr(&meta);
	rc = diff && metadata ? ERR_OK : ERR_NOMEM;
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, "job.created", "job", id, diff, metadata);
	jw_cleanup(&meta);
	diff_cleanup(&df);
	*id_out = id;
	return rc;
}

enum err jobs_link_call(struct db *db, const struct principal *p, const char *call_id, const char *job_id,
			const struct job_new *nj, struct arena *a, const char **job_id_out, struct err_detail *d)
{
	if (!job_id) {
		enum err rc = nj ? jobs_new_check(nj, d) : err_field_add(d, "title", "is required");
		if (rc != ERR_OK)
			return rc;
	}
	struct call before, after;
	enum err rc = calls_edit_begin(db, p, call_id, a, &before, d);
	if (rc != ERR_OK)
		return rc;
	const char *jid = NULL;
	if (job_id) {
		struct job j;
		const char *tech = authz_row_scoped(p->role, ACT_EDIT) ? p->user_id : NULL;
		rc = store_job_get(db, p->workspace_id, job_id, tech, a, &j);
		if (rc == ERR_NOT_FOUND)
			err_set(d, rc, "no job %s", job_id);
		else if (rc == ERR_OK)
			jid = j.id;
	} else {
		rc = create_job(db, p, &before, nj, a, &jid, d);
	}
	if (rc != ERR_OK) {
		calls_edit_abort(db);
		return rc;
	}
	struct jw meta;
	jw_init(&meta, 256, 4096);
	jw_obj_begin(&meta);
	jw_kstr(&meta, "jobId", jid);
	jw_kbool(&meta, "jobCreated", job_id == NULL);
	jw_obj_end(&meta);
	const char *metadata = jw_cstr(&meta);
	if (!metadata) {
		rc = jw_error(&meta);
		jw_cleanup(&meta);
		calls_edit_abort(db);
		return rc;
	}
	after = before;
	after.job_id = jid;
	struct actor actor = actor_of(p, SRC_API);
	rc = calls_edit_commit(db, &actor, "call.job_linked", &before, &after, metadata, NULL, d);
	jw_cleanup(&meta);
	if (rc == ERR_OK && job_id_out)
		*job_id_out = jid;
	return rc;
}
