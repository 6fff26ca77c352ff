/* The compliance gate of DESIGN.md §6: the one function every outbound contact
 * (a dial, an SMS at its request and again at its delivery, a keyword reply)
 * passes. It answers allow or deny with the rule that decided, lets only a
 * role with ACT_DNC_OVERRIDE (Owner) override a denial, explicitly, and
 * audits every decision.
 *
 * Rules, in the order they are evaluated (every rule is evaluated and the
 * audit event lists each that objected; the first objection is "rule"):
 *	blocked_number  the number is on the workspace's blocked list. Never
 *	                overridable: unblock it first.
 *	do_not_contact  the number's contact, or the contact linked to the call,
 *	                is marked do-not-contact (all channels, no expiry)
 *	dnc_list        the number has an unexpired dnc_entries row blocking
 *	                this channel (manual, CSV or registry import, SMS STOP)
 *	sms_opt_out     (SMS only) the number opted out (sms_opt_status). Never
 *	                overridable: the recipient's STOP must be honoured.
 *	quiet_hours     (calls, and marketing messages) the recipient's local
 *	                time is outside the allowed window
 *	                (domain/compliance_zone.h: zone from the contact, else
 *	                the area code; federal, state and Canadian windows)
 *	consent         (SMS only) the contact declined SMS (consent smsOptIn
 *	                false, unless the number opted back in later with
 *	                START), or a marketing message goes to a number that
 *	                never opted in (contact consent or sms_opt_status)
 * An Owner (ACT_DNC_OVERRIDE) who asks for an override passes every
 * objection except the two never-overridable ones (or, with override_rules,
 * only the rules listed there); anyone else asking is denied as if they had
 * not asked. The time is clock_now_ms() (the test clock moves it); quiet
 * hours are judged at the time the contact is to happen (q->at: a scheduled
 * send's time), everything else as it stands now.
 *
 * Where sends are judged (domain/messaging.h):
 *	at the request   send-sms (quiet hours at scheduledFor when given);
 *	                 an Owner's override is stored on the message with the
 *	                 rules it passed (sms_messages.override_by/_rules)
 *	at delivery      every send again, just before the vendor request
 *	                 (stage "delivery"), on the Owner's behalf when the
 *	                 message carries an override, which then passes only the
 *	                 rules it passed at the request, and only while that user
 *	                 is still an Owner. A marketing message that quiet hours
 *	                 alone refuse there (held by the daily cap or a retry
 *	                 until after closing) is deferred to the window's
 *	                 opening (compliance.deferred, decision.defer_until),
 *	                 not failed; any other refusal fails it with its rule.
 *	keyword replies  (STOP confirmation, START, HELP) kind keyword_reply:
 *	                 carriers require them, so do_not_contact, dnc_list,
 *	                 sms_opt_out and consent are exempt (listed as
 *	                 "exempted" in the audit event): a STOP confirmation or a
 *	                 HELP answer (CTIA allows HELP to an opted-out number)
 *	                 goes to an opted-out number; blocked_number still
 *	                 refuses. They carry no marketing, so quiet hours never
 *	                 apply.
 * Audit events: compliance.allowed / .denied / .overridden / .deferred,
 * target the call (else "number", id = to), metadata: channel, kind (dial,
 * send, keyword_reply), stage (request, delivery), messageSid (delivery),
 * decision, rule, objections, exempted, overrideRequested, overridden,
 * overriddenRules, contactId, dncSource, at (a scheduled send's time),
 * quietHours, deferredUntil. */
#ifndef SB_DOMAIN_GATE_H
#define SB_DOMAIN_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/audit.h"
#include "store/db.h"

enum gate_channel { GATE_CALL, GATE_SMS };

#define GATE_RULES_SIZE 96  /* room for every rule name, comma-separated */

struct gate_request {
	enum gate_channel channel;
	const char *to;          /* E.164 to be contacted */
	const char *contact_id;  /* the contact the context links (e.g. the call's), or NULL */
	const char *call_id;     /* audit target: the call acted from (NULL: target "number", id = to) */
	bool override;           /* the actor explicitly asks to override a denial */
	bool marketing;          /* a marketing message (quiet hours apply to it as to calls) */
	int64_t at;              /* when the contact is to happen (epoch ms; quiet hours are judged then); 0: now */
	bool keyword_reply;      /* (SMS) an answer to a compliance keyword: see above */
	const char *override_rules; /* with override: the only rules it may pass (comma-separated); NULL: any */
	bool delivery;           /* the send job's re-check: quiet hours defer rather than refuse */
	const char *message_sid; /* the message re-checked at delivery (audit only), or NULL */
};

struct gate_decision {
	bool allow;
	bool overridden;         /* allowed only because an Owner overrode rule */
	bool exempted;           /* allowed only because the objections do not apply to a keyword reply */
	const char *rule;        /* static name of the deciding rule; NULL when no rule objected */
	char detail[240];        /* human sentence for a denial (or a deferral) */
	char overridden_rules[GATE_RULES_SIZE]; /* overridden: the rules passed, comma-separated */
	int64_t defer_until;     /* delivery refused by quiet hours alone: when the window opens (epoch ms), else 0 */
};

/* Decides q for actor and writes the audit event (compliance.allowed,
 * compliance.denied, compliance.overridden or compliance.deferred, target the
 * call) in db's open transaction; the caller commits it, denial included. A
 * denial (a deferral too) is ERR_OK with out->allow false; errors are store
 * failures only. */
enum err gate_check(struct db *db, const struct actor *actor, const struct gate_request *q, struct arena *a,
		    struct gate_decision *out);

/* Wire name of a channel ("call", "sms"). */
const char *gate_channel_name(enum gate_channel c);

#endif
