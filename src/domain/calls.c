/* Call rules and the edit cycle (see calls.h). */
#include "domain/calls.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jw.h"
#include "domain/sla_policy.h"

static bool tech_scoped(const struct principal *p, enum action act)
{
	return authz_row_scoped(p->role, act);
}

enum err calls_get(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
		   struct call *out, struct err_detail *d)
{
	bool own = false;
	enum err rc = store_call_get(db, p->workspace_id, call_id, p->user_id, a, out, &own);
	if (rc == ERR_OK && tech_scoped(p, ACT_READ) && !own)
		rc = ERR_NOT_FOUND; /* invisible to this Tech, like another workspace's row */
	if (rc == ERR_NOT_FOUND)
		return err_set(d, rc, "no call %s", call_id);
	return rc;
}

enum err calls_list(struct db *db, const struct principal *p, struct call_query *q, struct arena *a,
		    struct call_page *out, struct err_detail *d)
{
	(void)d;
	q->workspace_id = p->workspace_id;
	q->tech_user_id = tech_scoped(p, ACT_READ) ? p->user_id : NULL;
	return store_calls_list(db, q, a, out);
}

/* How edit_begin gets the call: read in full, read for the edit, or already read (pre). */
enum edit_read { READ_FULL, READ_ROW, READ_DONE };

/* The edit's own unit of work: a transaction, or a savepoint inside the caller's; none when
 * the caller holds the transaction and answers for it (actor->caller_tx). */
static enum err unit_commit(struct db *db, const struct actor *actor)
{
	return actor->caller_tx ? ERR_OK : db_commit(db);
}

static void unit_rollback(struct db *db, const struct actor *actor)
{
	if (!actor->caller_tx)
		db_rollback(db);
}

static enum err edit_begin(struct db *db, const struct principal *p, const char *call_id, enum edit_read how,
			   const struct call *pre, bool pre_own, bool caller_tx, struct arena *a, struct call *before,
			   struct err_detail *d)
{
	if (!authz_role_may(p->role, ACT_EDIT))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not change calls", role_name(p->role));
	enum err rc = caller_tx ? ERR_OK : db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	bool own = pre_own;
	if (how == READ_DONE)
		*before = *pre;
	else if (how == READ_ROW)
		rc = store_call_get_for_edit(db, p->workspace_id, call_id, p->user_id, a, before, &own);
	else
		rc = store_call_get(db, p->workspace_id, call_id, p->user_id, a, before, &own);
	if (rc == ERR_OK && tech_scoped(p, ACT_EDIT) && !own)
		rc = ERR_NOT_FOUND;
	if (rc != ERR_OK) {
		if (!caller_tx)
			db_rollback(db);
		if (rc == ERR_NOT_FOUND)
			err_set(d, rc, "no call %s", call_id);
	}
	return rc;
}

enum err calls_edit_begin(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			  struct call *before, struct err_detail *d)
{
	return edit_begin(db, p, call_id, READ_FULL, NULL, false, false, a, before, d);
}

enum err calls_edit_begin_row(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			      struct call *before, struct err_detail *d)
{
	return edit_begin(db, p, call_id, READ_ROW, NULL, false, false, a, before, d);
}

enum err calls_edit_begin_read(struct db *db, const struct principal *p, const struct call *read, bool on_own_job,
			       bool caller_tx, struct call *before, struct err_detail *d)
{
	return edit_begin(db, p, read->id, READ_DONE, read, on_own_job, caller_tx, NULL, before, d);
}

void calls_edit_abort(struct db *db)
{
	db_rollback(db);
}

void calls_queue_refresh(struct call *c, int nopen)
{
	if (c->disposition)
		c->outcome_required = false;
	if (c->spam)
		c->queue_status = "none";
	else if (c->outcome_required)
		c->queue_status = "triage";
	else if (nopen > 0)
		c->queue_status = "followup";
	else
		c->queue_status = "none";
}

static int open_followups(const struct call *c)
{
	int n = 0;
	for (int i = 0; i < c->nfollowups; i++)
		n += c->followups[i].status && strcmp(c->followups[i].status, "open") == 0;
	return n;
}

static bool has_field(const struct call *c, int bit)
{
	switch (1 << bit) {
	case RF_VALUE: return c->value_est_cents != I64_NULL;
	case RF_JOB: return c->job_id != NULL;
	case RF_CONTACT: return c->contact_id != NULL;
	case RF_NOTES: return c->notes && c->notes[0];
	case RF_TAGS: return c->ntags > 0;
	case RF_INTENT: return c->intent != NULL;
	case RF_OUTCOME_AT: return c->outcome_at != I64_NULL;
	default: return true;
	}
}

/* Required fields of the new outcome, checked only when the outcome is set or changes. */
static enum err check_rules(struct db *db, const struct call *before, const struct call *after, struct err_detail *d)
{
	if (!after->disposition || (before->disposition && !strcmp(before->disposition, after->disposition)))
		return ERR_OK;
	unsigned masks[NDISPOSITIONS];
	enum err rc = store_disposition_rules_get(db, after->workspace_id, masks);
	if (rc != ERR_OK)
		return rc;
	int di = word_index(call_dispositions, after->disposition);
	for (int i = 0; di >= 0 && rule_fields[i]; i++)
		if ((masks[di] & (1u << i)) && !has_field(after, i))
			err_field_add(d, rule_fields[i], "is required when the disposition is %s", after->disposition);
	return d && d->nfields ? ERR_INVALID : ERR_OK;
}

static enum err check_words(const char *field, const char *v, const char *const *list, struct err_detail *d)
{
	if (!v || word_index(list, v) >= 0)
		return ERR_OK;
	char words[256];
	word_list(list, words, sizeof words);
	return err_field_add(d, field, "must be one of: %s", words);
}

static enum err validate(const struct call *c, struct err_detail *d)
{
	check_words("intent", c->intent, call_intents, d);
	check_words("disposition", c->disposition, call_dispositions, d);
	check_words("priority", c->priority, priorities, d);
	check_words("escalationStatus", c->escalation_status, call_escalations, d);
	check_words("spamReason", c->spam_reason, call_spam_reasons, d);
	if (c->value_est_cents != I64_NULL && c->value_est_cents < 0)
		err_field_add(d, "valueEstCents", "must not be negative");
	if (c->notes && strlen(c->notes) > CALL_NOTES_MAX)
		err_field_add(d, "notes", "must be at most %d bytes", CALL_NOTES_MAX);
	return d && d->nfields ? ERR_INVALID : ERR_OK;
}

static void call_diff(struct diff *df, const struct call *b, const struct call *a)
{
	diff_str(df, "disposition", b->disposition, a->disposition);
	diff_time(df, "outcomeAt", b->outcome_at, a->outcome_at);
	diff_bool(df, "outcomeRequired", b->outcome_required, a->outcome_required);
	diff_str(df, "queueStatus", b->queue_status, a->queue_status);
	diff_int(df, "valueEstCents", b->value_est_cents, a->value_est_cents);
	diff_str(df, "intent", b->intent, a->intent);
	diff_str(df, "notes", b->notes, a->notes);
	diff_str(df, "assignedTo", b->assigned_to, a->assigned_to);
	diff_str(df, "priority", b->priority, a->priority);
	diff_bool(df, "spam", b->spam, a->spam);
	diff_str(df, "spamReason", b->spam_reason, a->spam_reason);
	diff_int(df, "spamScore", b->spam_score, a->spam_score);
	diff_str(df, "contactId", b->contact_id, a->contact_id);
	diff_str(df, "jobId", b->job_id, a->job_id);
	diff_str(df, "escalationStatus", b->escalation_status, a->escalation_status);
	diff_int(df, "consentRecording", b->consent_recording, a->consent_recording);
	diff_int(df, "consentSms", b->consent_sms, a->consent_sms);
	diff_str(df, "status", b->status, a->status);
	diff_time(df, "answeredAt", b->answered_at, a->answered_at);
	diff_time(df, "endedAt", b->ended_at, a->ended_at);
	diff_int(df, "durationSec", b->duration_sec, a->duration_sec);
	diff_str(df, "recordingUrl", b->recording_url, a->recording_url);
	diff_str(df, "transcriptUrl", b->transcript_url, a->transcript_url);
	diff_bool(df, "hasTranscript", b->has_transcript, a->has_transcript);
	diff_strs(df, "tags", b->tags, b->ntags, a->tags, a->ntags);
}

static bool str_changed(const char *x, const char *y)
{
	return (x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0);
}

static enum err commit_changes(struct db *db, const struct actor *actor, const char *action, const struct call *before,
			       struct call *after, const char *metadata, bool *changed, int64_t now);

enum err calls_edit_commit(struct db *db, const struct actor *actor, const char *action, const struct call *before,
			   struct call *after, const char *metadata, bool *changed, struct err_detail *d)
{
	int64_t now = clock_now_ms();
	if (changed)
		*changed = false;
	bool outcome_set = after->disposition && str_changed(before->disposition, after->disposition);
	/* A new outcome is recorded now unless the caller says when. */
	if (outcome_set && (after->outcome_at == I64_NULL || after->outcome_at == before->outcome_at))
		after->outcome_at = now;
	if ((after->disposition && !strcmp(after->disposition, "spam")) || (after->intent && !strcmp(after->intent, "spam")))
		after->spam = true;

	enum err rc = validate(after, d);
	if (rc == ERR_OK)
		rc = check_rules(db, before, after, d);
	/* A new outcome may start an SLA clock: the rule's follow-up joins the call
	 * (in a scratch arena; the caller's list is put back before returning). */
	struct followup *caller_followups = after->followups;
	int caller_nfollowups = after->nfollowups;
	struct arena *scratch = NULL;
	bool voicemail_now = after->status && !strcmp(after->status, "voicemail") && str_changed(before->status, after->status);
	if (rc == ERR_OK && (outcome_set || voicemail_now)) {
		scratch = arena_new();
		rc = scratch ? sla_apply(db, actor, after, now, scratch) : ERR_NOMEM;
	}
	if (rc != ERR_OK) {
		after->followups = caller_followups;
		after->nfollowups = caller_nfollowups;
		arena_free(scratch);
		unit_rollback(db, actor);
		return rc;
	}
	calls_queue_refresh(after, open_followups(after));
	rc = commit_changes(db, actor, action, before, after, metadata, changed, now);
	after->followups = caller_followups;
	after->nfollowups = caller_nfollowups;
	arena_free(scratch);
	return rc;
}

/* The second half of calls_edit_commit: diff, write, audit, announce, commit. */
static enum err commit_changes(struct db *db, const struct actor *actor, const char *action, const struct call *before,
			       struct call *after, const char *metadata, bool *changed, int64_t now)
{
	struct diff df;
	enum err rc;
	diff_init(&df);
	call_diff(&df, before, after);
	const char *diff = diff_json(&df);
	if (!diff) {
		/* Nothing changed on the call (the drawer's auto-save): no audit, no event.
		 * Commit rather than roll back: the caller may have written rows of its own. */
		rc = jw_error(&df.w);
		diff_cleanup(&df);
		if (rc != ERR_OK) {
			unit_rollback(db, actor);
			return rc;
		}
		return unit_commit(db, actor);
	}
	after->updated_at = now;
	bool tags_changed = !strs_same_set(before->tags, before->ntags, after->tags, after->ntags);
	/* Tags alone change no column of the row but updated_at: skip rewriting the row and its indexes
	 * (what makes a bulk tag of thousands of calls cheap). */
	bool only_tags = tags_changed && df.count == 1 && before->consent_updated_at == after->consent_updated_at;
	rc = only_tags ? store_call_touch(db, after->workspace_id, after->id, now) : store_call_update(db, after);
	if (rc != ERR_OK)
		goto fail;
	if (tags_changed && (rc = store_call_tags_move(db, after->workspace_id, after->id, before->tags, before->ntags,
						       after->tags, after->ntags)) != ERR_OK)
		goto fail;
	if ((str_changed(before->notes, after->notes) || str_changed(before->contact_id, after->contact_id)) &&
	    (rc = store_call_search_refresh(db, after->id)) != ERR_OK)
		goto fail;
	if ((rc = audit_record(db, actor, action, "call", after->id, diff, metadata)) != ERR_OK)
		goto fail;
	struct jw ev;
	jw_init(&ev, 512, 1 << 20);
	jw_obj_begin(&ev);
	jw_kstr(&ev, "callId", after->id);
	jw_kstr(&ev, "action", action);
	jw_key(&ev, "changes");
	jw_raw(&ev, diff, strlen(diff));
	jw_obj_end(&ev);
	rc = jw_error(&ev);
	if (rc == ERR_OK)
		rc = events_emit_by(db, actor, after->workspace_id, "call_updated", after->id, jw_cstr(&ev));
	jw_cleanup(&ev);
	if (rc != ERR_OK)
		goto fail;
	diff_cleanup(&df);
	if ((rc = unit_commit(db, actor)) == ERR_OK && changed)
		*changed = true;
	return rc;
fail:
	diff_cleanup(&df);
	unit_rollback(db, actor);
	return rc;
}

static bool tag_char_ok(unsigned char ch)
{
	return isalnum(ch) || ch == '-' || ch == '_' || ch == ' ' || ch == ':' || ch == '.' || ch >= 0x80;
}

enum err calls_tags_normalize(struct arena *a, const char **in, int n, const char ***out, int *nout,
			      struct err_detail *d)
{
	const char **v = arena_alloc(a, sizeof *v * (size_t)(n ? n : 1));
	if (!v)
		return ERR_NOMEM;
	int k = 0;
	for (int i = 0; i < n; i++) {
		const char *s = in[i];
		while (*s == ' ' || *s == '\t')
			s++;
		size_t len = strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len)
			continue;
		if (len > CALL_TAG_MAX_LEN)
			return err_field_add(d, "tags", "a tag is at most %d bytes", CALL_TAG_MAX_LEN);
		char *t = arena_strndup(a, s, len);
		if (!t)
			return ERR_NOMEM;
		for (char *p = t; *p; p++) {
			if (!tag_char_ok((unsigned char)*p))
				return err_field_add(d, "tags", "tags use letters, digits, space and - _ : .");
			*p = (char)tolower((unsigned char)*p);
		}
		bool dup = false;
		for (int j = 0; j < k && !dup; j++)
			dup = strcmp(v[j], t) == 0;
		if (!dup)
			v[k++] = t;
	}
	if (k > CALL_MAX_TAGS)
		return err_field_add(d, "tags", "a call has at most %d tags", CALL_MAX_TAGS);
	*out = v;
	*nout = k;
	return ERR_OK;
}

enum err calls_data_version(struct db *db, uint64_t *version)
{
	return db_data_version(db, version);
}

enum err calls_list_valid_until(struct db *db, const struct call_query *q, int64_t *until)
{
	*until = INT64_MAX;
	if (q->sort != CALLQ_SORT_TRIAGE || q->has_cursor) /* a cursor carries its own clock */
		return ERR_OK;
	int64_t due;
	enum err rc = store_calls_next_due(db, q->workspace_id, q->now, &due);
	if (rc != ERR_OK)
		return rc;
	*until = triage_clock(q->now) + 60000;
	if (due < *until) /* due_at < now turns true one millisecond after due_at */
		*until = due + 1;
	return ERR_OK;
}
