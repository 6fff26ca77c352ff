/* The compliance gate of DESIGN.md §6: the one function every outbound contact
 * (a dial now; an SMS or a scheduled send later) passes. It answers allow or
 * deny with the rule that decided, lets only a role with ACT_DNC_OVERRIDE
 * (Owner) override a denial, explicitly, and audits every decision.
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
 * objection except the two never-overridable ones; anyone else asking is
 * denied as if they had not asked. The time is clock_now_ms() (the test
 * clock moves it). */
#ifndef SB_DOMAIN_GATE_H
#define SB_DOMAIN_GATE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/audit.h"
#include "store/db.h"

enum gate_channel { GATE_CALL, GATE_SMS };

struct gate_request {
	enum gate_channel channel;
	const char *to;          /* E.164 to be contacted */
	const char *contact_id;  /* the contact the context links (e.g. the call's), or NULL */
	const char *call_id;     /* audit target: the call acted from (NULL: target "number", id = to) */
	bool override;           /* the actor explicitly asks to override a denial */
	bool marketing;          /* a marketing message (quiet hours apply to it as to calls) */
};

struct gate_decision {
	bool allow;
	bool overridden;         /* allowed only because an Owner overrode rule */
	const char *rule;        /* static name of the deciding rule; NULL when no rule objected */
	char detail[200];        /* human sentence for a denial */
};

/* Decides q for actor and writes the audit event (compliance.allowed,
 * compliance.denied or compliance.overridden, target the call) in db's open
 * transaction; the caller commits it, denial included. A denial is ERR_OK with
 * out->allow false; errors are store failures only. */
enum err gate_check(struct db *db, const struct actor *actor, const struct gate_request *q, struct arena *a,
		    struct gate_decision *out);

/* Wire name of a channel ("call", "sms"). */
const char *gate_channel_name(enum gate_channel c);

#endif
