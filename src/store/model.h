/* Rows the store reads and writes and the domain reasons about: the call and
 * what hangs off it (contact, job, follow-ups, tags), as plain structs shared
 * by store, domain and API. Strings are borrowed from the arena
 * the struct was filled in; I64_NULL marks an absent number. Enumerations are
 * kept as their wire words and checked against the lists below. */
#ifndef SB_STORE_MODEL_H
#define SB_STORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define I64_NULL INT64_MIN /* == DB_NULL_INT of store/db.h */
#define CALL_MAX_TAGS 32
#define CALL_TAG_MAX_LEN 40
#define CALL_NOTES_MAX 10000

/* NULL-terminated word lists (the wire enums). */
extern const char *const call_directions[];      /* in out */
extern const char *const call_statuses[];        /* ringing in_progress completed busy failed no_answer canceled voicemail */
extern const char *const call_agent_types[];     /* ai human */
extern const char *const call_intents[];         /* emergency routine quote faq billing spam */
extern const char *const call_dispositions[];    /* answered missed booked spam callback */
extern const char *const call_queue_statuses[];  /* none triage followup */
extern const char *const call_sources[];         /* phone web_callback manual transfer */
extern const char *const call_lead_sources[];    /* google_maps website referral ad unknown */
extern const char *const call_escalations[];     /* none queued sent acked */
extern const char *const call_spam_reasons[];    /* robocall telemarketer repeat_silent */
extern const char *const call_line_types[];      /* mobile landline voip unknown */
extern const char *const priorities[];           /* low normal high urgent */
extern const char *const job_statuses[];         /* new scheduled en_route on_site done cancelled */
extern const char *const followup_types[];       /* callback sms email task */
extern const char *const followup_statuses[];    /* open done cancelled */

/* Fields a disposition rule can require (bit i = rule_fields[i]). */
extern const char *const rule_fields[]; /* valueEstCents jobId contactId notes tags intent outcomeAt */
enum { RF_VALUE = 1, RF_JOB = 2, RF_CONTACT = 4, RF_NOTES = 8, RF_TAGS = 16, RF_INTENT = 32, RF_OUTCOME_AT = 64 };
#define NDISPOSITIONS 5

/* Index of word in list, or -1. */
int word_index(const char *const *list, const char *word);
/* The list as "a, b, c" into out (for error messages). */
void word_list(const char *const *list, char *out, size_t n);

struct followup {
	const char *id, *workspace_id, *call_id, *contact_id;
	const char *type, *status, *priority, *note, *assigned_to;
	int64_t due_at, completed_at, created_at, updated_at;
};

struct contact_brief {
	const char *id, *name, *email, *address;
	bool do_not_contact;
	const char **phones;
	int nphones;
};

struct job_brief {
	const char *id, *status, *title, *assigned_to, *address, *contact_id;
	const char **techs; /* every user assigned to the job (job_assignments) */
	int ntechs;
	int64_t slot_start, slot_end, estimate_cents, final_cents;
};

struct transcript {
	const char *body; /* structured JSON as received */
	const char *text;
	int64_t confidence, created_at;
};

struct call {
	const char *id, *workspace_id;
	int64_t started_at, answered_at, ended_at, duration_sec;
	const char *direction, *from_e164, *to_e164, *status, *call_sid, *number_id;
	const char *contact_id, *job_id, *agent_type, *agent_user_id, *assigned_to;
	const char *intent, *disposition, *queue_status, *priority;
	int64_t outcome_at;
	bool outcome_required;
	int64_t value_est_cents, emergency_score, spam_score;
	const char *spam_reason;
	bool spam;
	const char *recording_url, *transcript_url;
	bool has_transcript;
	const char *escalation_status, *source, *lead_source, *notes;
	bool after_hours, first_time_caller;
	int64_t prior_calls;
	const char *carrier, *line_type;
	int consent_recording, consent_sms; /* -1 unknown, 0, 1 */
	int64_t consent_updated_at;
	int64_t created_at, updated_at;

	const char **tags;
	int ntags;
	const struct contact_brief *contact;  /* NULL when none */
	const struct job_brief *job;          /* NULL when none */
	struct followup *followups;           /* open ones, soonest due first (all, in detail) */
	int nfollowups;
	const struct transcript *transcript;  /* detail only; NULL otherwise */
};

/* A call with every field at its "not set" value (NULL / I64_NULL / false, consent -1). */
void call_blank(struct call *c);

#endif
