/* SQL for business hours, SLA rules and the follow-up clock's notices. */
#ifndef SB_STORE_SLA_H
#define SB_STORE_SLA_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct bh_row {
	const char *time_zone;
	const char *week;      /* "d:open-close,open-close;..." */
	const char *holidays;  /* "YYYY-MM-DD,..." */
	int64_t updated_at;
};

struct sla_rule_row {
	const char *trigger_on, *followup_type, *clock, *priority;
	int64_t minutes, warn_minutes, updated_at;
};

struct notice_row {
	const char *followup_id, *workspace_id, *call_id, *contact_id, *assigned_to, *type, *priority;
	int64_t due_at;
};

/* ERR_NOT_FOUND when the workspace has none yet. Strings in arena a. */
enum err store_business_hours_get(struct db *db, const char *workspace_id, struct arena *a, struct bh_row *out);
enum err store_business_hours_set(struct db *db, const char *workspace_id, const struct bh_row *bh, int64_t now);

enum err store_sla_rules_list(struct db *db, const char *workspace_id, struct arena *a, struct sla_rule_row **rows,
			      int *n);
/* Replaces every rule of the workspace. */
enum err store_sla_rules_replace(struct db *db, const char *workspace_id, const struct sla_rule_row *rows, int n,
				 int64_t now);

/* Marks a follow-up as the SLA clock of trigger, warning at warn_at. */
enum err store_followup_sla_set(struct db *db, const char *followup_id, const char *trigger, int64_t warn_at);
/* Whether the call already has an open follow-up for this trigger. */
enum err store_followup_sla_open(struct db *db, const char *call_id, const char *trigger, bool *open);
/* Cancels the call's open follow-ups of this trigger (status cancelled,
 * updated_at now): *ids (arena a) the ones it cancelled, *n how many. */
enum err store_followups_sla_cancel(struct db *db, const char *call_id, const char *trigger, int64_t now,
				    struct arena *a, const char ***ids, int *n);

/* Open follow-ups whose warning time (kind 0) or due time (kind 1) has come and
 * that have not had that notice yet, oldest first, at most max. */
enum err store_notices_due(struct db *db, int kind, int64_t now, int max, struct arena *a, struct notice_row **rows,
			   int *n);
/* Stamps the notice (kind 0 warned_at, 1 breached_at); false in *won when another process did first. */
enum err store_notice_stamp(struct db *db, int kind, const char *followup_id, int64_t now, bool *won);

/* Open follow-ups past due, and due soon (in their warning window, or within soon_ms
 * when they have none), for a workspace; user_id non-NULL narrows to a Tech's. */
enum err store_followup_counts(struct db *db, const char *workspace_id, const char *tech_user_id, int64_t now,
			       int64_t soon_ms, int64_t *overdue, int64_t *due_soon);
/* Follow-ups that came due in [from, to): how many, and how many were done by their due time. */
enum err store_sla_compliance(struct db *db, const char *workspace_id, int64_t from, int64_t to, int64_t *due,
			      int64_t *met);

#endif
