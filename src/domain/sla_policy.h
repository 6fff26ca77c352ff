/* The SLA policy of a workspace: its business hours and its SLA rules (which
 * follow-up an outcome asks for and how soon), the follow-ups the rules
 * create, and the notices the scheduler sends when one comes due or is
 * breached. The due-time arithmetic itself is domain/sla.h. */
#ifndef SB_DOMAIN_SLA_POLICY_H
#define SB_DOMAIN_SLA_POLICY_H

#include "core/arena.h"
#include "domain/audit.h"
#include "domain/sla.h"
#include "store/model.h"
#include "store/sla.h"

extern const char *const sla_triggers[];   /* missed voicemail callback booked answered quote */
extern const char *const weekday_keys[7];  /* sun mon tue wed thu fri sat */

/* The workspace's hours (defaults Mon-Fri 08:00-17:00 in its time zone when
 * none are set), in arena a. *is_default tells which (may be NULL). */
enum err sla_hours_load(struct db *db, const char *workspace_id, struct arena *a, struct business_hours *bh,
			bool *is_default);
/* Hours as the store keeps them (struct bh_row: the zone's name, the week
 * "d:open-close,open-close;...", holidays "YYYY-MM-DD,..."), strings in arena
 * a: the workspace's, and a tracking number's own. ERR_NOMEM. */
enum err sla_hours_encode(struct arena *a, const struct business_hours *bh, struct bh_row *row);
/* The reverse (holidays in arena a; a zone the system does not know reads as
 * UTC). ERR_INVALID when the week or the holidays are unreadable (bh holds
 * what was read), ERR_NOMEM. */
enum err sla_hours_decode(struct arena *a, const struct bh_row *row, struct business_hours *bh);
/* Stores hours (validated), audited. */
enum err sla_hours_save(struct db *db, const struct actor *actor, const struct business_hours *bh,
			struct err_detail *d);

/* Effective rules (the defaults when none are stored); *is_default may be NULL. */
enum err sla_rules_load(struct db *db, const char *workspace_id, struct arena *a, struct sla_rule_row **rows, int *n,
			bool *is_default);
enum err sla_rules_save(struct db *db, const struct actor *actor, const struct sla_rule_row *rows, int n,
			struct err_detail *d);

/* Inside a call's write transaction: when the call's outcome asks for a
 * follow-up by rule and none is open for that trigger, creates it (due by the
 * rule's clock from `since`) and appends it to c->followups (arena a). */
enum err sla_apply(struct db *db, const struct actor *actor, struct call *c, int64_t since, struct arena *a);

/* Which rule the call's outcome falls under (a sla_triggers word), or NULL. */
const char *sla_trigger_of(const struct call *c);

/* Inside a call's write transaction: cancels the open follow-ups the rule of
 * trigger made for the call (sla_apply), when the call's outcome no longer
 * asks for them (a call judged missed that was answered after all). Each is
 * audited (followup.updated, status open → cancelled, metadata {callId,
 * trigger, rule, reason}) and shows as cancelled in c->followups (a copy in
 * arena a, so a list c shares with another call is left alone). Follow-ups
 * people made are never touched. *ids (arena a) and *n: the ones cancelled. */
enum err sla_withdraw(struct db *db, const struct actor *actor, struct call *c, const char *trigger,
		      const char *reason, int64_t now, struct arena *a, const char ***ids, int *n);

/* Whether the workspace is open at the instant (after-hours flag of new calls). */
enum err sla_open_at(struct db *db, const char *workspace_id, int64_t at, bool *open);

/* One scheduler pass: follow_up_due for follow-ups entering their warning
 * window, sla_breach (plus an e-mail alert job) for those past due, each
 * exactly once across restarts and processes. *sent (may be NULL) counts them. */
enum err sla_notices_run(struct db *db, const char *alert_email, int64_t now, int *sent);

/* Counts for the notification badge: overdue and due soon (Tech: theirs). */
enum err sla_followup_counts(struct db *db, const struct principal *p, int64_t now, int64_t *overdue,
			     int64_t *due_soon);

/* Follow-ups that came due in [from, to) and how many were done by their due time. */
enum err sla_compliance(struct db *db, const struct principal *p, int64_t from, int64_t to, int64_t *due,
			int64_t *met);

#endif
