/* Call JSON in the client contract's shape. List rows and detail share one
 * writer so the table and the drawer never disagree. */
#include "api/call_json.h"

#include <string.h>

void json_kint_or_null(struct jw *w, const char *key, int64_t v)
{
	if (v == I64_NULL)
		jw_knull(w, key);
	else
		jw_kint(w, key, v);
}

void json_ktime_or_null(struct jw *w, const char *key, int64_t v)
{
	if (v == I64_NULL)
		jw_knull(w, key);
	else
		jw_ktime_ms(w, key, v);
}

static void kbool_or_null(struct jw *w, const char *key, int v)
{
	if (v < 0)
		jw_knull(w, key);
	else
		jw_kbool(w, key, v != 0);
}

void followup_json_write(struct jw *w, const struct followup *f)
{
	jw_obj_begin(w);
	jw_kstr(w, "id", f->id);
	jw_kstr(w, "workspaceId", f->workspace_id);
	jw_kstr(w, "callId", f->call_id);
	jw_kstr(w, "contactId", f->contact_id);
	jw_kstr(w, "type", f->type);
	jw_ktime_ms(w, "dueAt", f->due_at);
	jw_kstr(w, "assignedTo", f->assigned_to);
	jw_kstr(w, "status", f->status);
	jw_kstr(w, "priority", f->priority);
	jw_kstr(w, "note", f->note);
	json_ktime_or_null(w, "completedAt", f->completed_at);
	jw_ktime_ms(w, "createdAt", f->created_at);
	jw_ktime_ms(w, "updatedAt", f->updated_at);
	jw_obj_end(w);
}

void contact_brief_json_write(struct jw *w, const struct contact_brief *c)
{
	jw_obj_begin(w);
	jw_kstr(w, "id", c->id);
	jw_kstr(w, "name", c->name);
	jw_key(w, "phones");
	jw_arr_begin(w);
	for (int i = 0; i < c->nphones; i++)
		jw_str(w, c->phones[i]);
	jw_arr_end(w);
	jw_kstr(w, "email", c->email);
	jw_kstr(w, "address", c->address);
	jw_kbool(w, "doNotContact", c->do_not_contact);
	jw_obj_end(w);
}

void job_brief_json_write(struct jw *w, const struct job_brief *j)
{
	jw_obj_begin(w);
	jw_kstr(w, "id", j->id);
	jw_kstr(w, "status", j->status);
	jw_kstr(w, "title", j->title);
	json_ktime_or_null(w, "slotStart", j->slot_start);
	json_ktime_or_null(w, "slotEnd", j->slot_end);
	jw_kstr(w, "assignedTo", j->assigned_to);
	jw_key(w, "techIds");
	jw_arr_begin(w);
	for (int i = 0; i < j->ntechs; i++)
		jw_str(w, j->techs[i]);
	jw_arr_end(w);
	jw_kstr(w, "address", j->address);
	jw_kstr(w, "contactId", j->contact_id);
	json_kint_or_null(w, "estimateCents", j->estimate_cents);
	json_kint_or_null(w, "finalCents", j->final_cents);
	jw_obj_end(w);
}

static void write_followups(struct jw *w, const char *key, const struct call *c, bool open_only)
{
	jw_key(w, key);
	jw_arr_begin(w);
	for (int i = 0; i < c->nfollowups; i++)
		if (!open_only || (c->followups[i].status && strcmp(c->followups[i].status, "open") == 0))
			followup_json_write(w, &c->followups[i]);
	jw_arr_end(w);
}

void call_json_write(struct jw *w, const struct call *c, bool detail)
{
	jw_obj_begin(w);
	call_json_fields(w, c, detail);
	jw_obj_end(w);
}

void call_json_fields(struct jw *w, const struct call *c, bool detail)
{
	jw_kstr(w, "id", c->id);
	jw_kstr(w, "workspaceId", c->workspace_id);
	jw_ktime_ms(w, "startedAt", c->started_at);
	json_ktime_or_null(w, "answeredAt", c->answered_at);
	json_ktime_or_null(w, "endedAt", c->ended_at);
	json_ktime_or_null(w, "outcomeAt", c->outcome_at);
	jw_ktime_ms(w, "createdAt", c->created_at);
	jw_ktime_ms(w, "updatedAt", c->updated_at);
	json_kint_or_null(w, "durationSec", c->duration_sec);
	jw_kstr(w, "direction", c->direction);
	jw_kstr(w, "fromE164", c->from_e164);
	jw_kstr(w, "toE164", c->to_e164);
	jw_kstr(w, "status", c->status);
	jw_kstr(w, "callSid", c->call_sid);
	jw_kstr(w, "numberId", c->number_id);
	jw_kstr(w, "contactId", c->contact_id);
	jw_kstr(w, "jobId", c->job_id);
	jw_kstr(w, "agentType", c->agent_type);
	jw_kstr(w, "agentUserId", c->agent_user_id);
	jw_kstr(w, "assignedTo", c->assigned_to);
	jw_kstr(w, "intent", c->intent);
	jw_kstr(w, "disposition", c->disposition);
	jw_kstr(w, "priority", c->priority);
	json_kint_or_null(w, "valueEstCents", c->value_est_cents);
	json_kint_or_null(w, "emergencyScore", c->emergency_score);
	json_kint_or_null(w, "spamScore", c->spam_score);
	jw_kstr(w, "spamReason", c->spam_reason);
	jw_kbool(w, "spam", c->spam);
	jw_kstr(w, "recordingUrl", c->recording_url);
	jw_kstr(w, "transcriptUrl", c->transcript_url);
	jw_kbool(w, "hasTranscript", c->has_transcript);
	jw_kstr(w, "escalationStatus", c->escalation_status);
	jw_kstr(w, "queueStatus", c->queue_status);
	jw_kbool(w, "outcomeRequired", c->outcome_required);
	jw_kstr(w, "source", c->source);
	jw_kstr(w, "leadSource", c->lead_source);
	jw_kstr(w, "notes", c->notes);
	jw_kbool(w, "afterHours", c->after_hours);
	jw_kbool(w, "firstTimeCaller", c->first_time_caller);
	jw_kint(w, "priorCalls", c->prior_calls);
	jw_key(w, "tags");
	jw_arr_begin(w);
	for (int i = 0; i < c->ntags; i++)
		jw_str(w, c->tags[i]);
	jw_arr_end(w);
	if (c->consent_recording >= 0 || c->consent_sms >= 0) {
		jw_key(w, "consent");
		jw_obj_begin(w);
		kbool_or_null(w, "recording", c->consent_recording);
		kbool_or_null(w, "smsOptIn", c->consent_sms);
		json_ktime_or_null(w, "lastUpdated", c->consent_updated_at);
		jw_obj_end(w);
	} else {
		jw_knull(w, "consent");
	}
	jw_kbool(w, "doNotContact", c->contact && c->contact->do_not_contact);
	jw_key(w, "carrierInfo");
	jw_obj_begin(w);
	jw_kstr(w, "carrier", c->carrier);
	jw_kstr(w, "lineType", c->line_type ? c->line_type : "unknown");
	jw_obj_end(w);
	jw_key(w, "contact");
	if (c->contact)
		contact_brief_json_write(w, c->contact);
	else
		jw_null(w);
	jw_key(w, "job");
	if (c->job)
		job_brief_json_write(w, c->job);
	else
		jw_null(w);
	write_followups(w, "followUpTasks", c, true);
	write_followups(w, "followUps", c, !detail);
	jw_key(w, "attachments");
	jw_arr_begin(w);
	jw_arr_end(w);
	if (detail) {
		jw_key(w, "transcript");
		if (c->transcript && c->transcript->body)
			jw_raw(w, c->transcript->body, strlen(c->transcript->body));
		else
			jw_null(w);
	}
}
