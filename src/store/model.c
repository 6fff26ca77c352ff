/* Wire enums (mirrored by the schema's CHECK constraints) and row helpers. */
#include "store/model.h"

#include <stdio.h>
#include <string.h>

const char *const call_directions[] = {"in", "out", NULL};
const char *const call_statuses[] = {"ringing", "in_progress", "completed", "busy", "failed",
				     "no_answer", "canceled", "voicemail", NULL};
const char *const call_agent_types[] = {"ai", "human", NULL};
const char *const call_intents[] = {"emergency", "routine", "quote", "faq", "billing", "spam", NULL};
const char *const call_dispositions[] = {"answered", "missed", "booked", "spam", "callback", NULL};
const char *const call_queue_statuses[] = {"none", "triage", "followup", NULL};
const char *const call_sources[] = {"phone", "web_callback", "manual", "transfer", NULL};
const char *const call_lead_sources[] = {"google_maps", "website", "referral", "ad", "unknown", NULL};
const char *const call_escalations[] = {"none", "queued", "sent", "acked", NULL};
const char *const call_spam_reasons[] = {"robocall", "telemarketer", "repeat_silent", NULL};
const char *const call_line_types[] = {"mobile", "landline", "voip", "unknown", NULL};
const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};
const char *const job_statuses[] = {"new", "scheduled", "en_route", "on_site", "done", "cancelled", NULL};
const char *const followup_types[] = {"callback", "sms", "email", "task", NULL};
const char *const followup_statuses[] = {"open", "done", "cancelled", NULL};

const char *const rule_fields[] = {"valueEstCents", "jobId", "contactId", "notes", "tags", "intent", "outcomeAt", NULL};

int word_index(const char *const *list, const char *word)
{
	if (!word)
		return -1;
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], word) == 0)
			return i;
	return -1;
}

void word_list(const char *const *list, char *out, size_t n)
{
	size_t used = 0;
	if (n)
		out[0] = 0;
	for (int i = 0; list[i] && used + 1 < n; i++) {
		int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", list[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

void call_blank(struct call *c)
{
	memset(c, 0, sizeof *c);
	c->started_at = c->answered_at = c->ended_at = c->duration_sec = I64_NULL;
	c->outcome_at = c->value_est_cents = c->emergency_score = c->spam_score = I64_NULL;
	c->consent_updated_at = I64_NULL;
	c->consent_recording = c->consent_sms = -1;
}
