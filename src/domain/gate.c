/* The compliance gate (see gate.h). */
#include "domain/gate.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jw.h"
#include "domain/compliance_zone.h"
#include "store/blocked.h"
#include "store/compliance.h"
#include "store/contacts.h"
#include "store/dnc.h"

#define MAX_HITS 6

struct hit {
	const char *rule;
	bool overridable;
	bool exempt;           /* does not apply to this kind of send (a keyword reply) */
	char detail[160];
};

/* What the rules read, gathered once. */
struct facts {
	const char *contact_id;        /* the contact judged (the call's, else the number's owner) */
	struct contact_compliance cc;  /* its columns (zeroed, consent -1, when none) */
	const char *dnc_contact_id;    /* the do-not-contact contact, when one is */
	struct dnc_entry dnc;
	bool dnc_hit;
	struct quiet_verdict quiet;
	bool quiet_checked;
	int64_t now;
	int64_t at;                    /* when the contact is to happen (quiet hours) */
	struct hit hits[MAX_HITS];
	int nhits;
};

const char *gate_channel_name(enum gate_channel c)
{
	return c == GATE_SMS ? "sms" : "call";
}

static const char *kind_name(const struct gate_request *q)
{
	return q->channel == GATE_CALL ? "dial" : q->keyword_reply ? "keyword_reply" : "send";
}

/* Whether a keyword reply is exempt from rule (gate.h): all but blocked_number. */
static bool keyword_exempt(const char *rule)
{
	return strcmp(rule, "blocked_number") != 0;
}

static struct hit *add_hit(struct facts *f, const struct gate_request *q, const char *rule, bool overridable)
{
	struct hit *h = &f->hits[f->nhits < MAX_HITS ? f->nhits++ : MAX_HITS - 1];
	h->rule = rule;
	h->overridable = overridable;
	h->exempt = q->keyword_reply && keyword_exempt(rule);
	h->detail[0] = '\0';
	return h;
}

/* Whether rule is one of list's comma-separated names. */
static bool listed(const char *list, const char *rule)
{
	size_t n = strlen(rule);
	for (const char *s = list; s && *s;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len == n && strncmp(s, rule, n) == 0)
			return true;
		s = end ? end + 1 : s + len;
	}
	return false;
}

/* The contact's compliance columns; a missing contact reads as none. */
static enum err load_contact(struct db *db, const char *ws, const char *id, struct arena *a,
			     struct contact_compliance *cc, bool *found)
{
	enum err rc = store_contact_compliance_get(db, ws, id, a, cc);
	*found = rc == ERR_OK;
	return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

static enum err gather_contact(struct db *db, const char *ws, const struct gate_request *q, struct arena *a,
			       struct facts *f)
{
	bool found = false;
	enum err rc = ERR_OK;
	if (q->contact_id && (rc = load_contact(db, ws, q->contact_id, a, &f->cc, &found)) != ERR_OK)
		return rc;
	if (found) {
		f->contact_id = q->contact_id;
		if (f->cc.do_not_contact) {
			f->dnc_contact_id = q->contact_id;
			return ERR_OK;
		}
	}
	const char *owner = NULL, *name = NULL;
	rc = store_contact_phone_owner(db, ws, q->to, a, &owner, &name);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc != ERR_OK)
		return rc;
	if (f->contact_id && strcmp(owner, f->contact_id) == 0)
		return ERR_OK;
	struct contact_compliance oc = {.consent_recording = -1, .consent_sms = -1};
	if ((rc = load_contact(db, ws, owner, a, &oc, &found)) != ERR_OK || !found)
		return rc;
	if (oc.do_not_contact)
		f->dnc_contact_id = owner;
	if (!f->contact_id) {
		f->contact_id = owner;
		f->cc = oc;
	}
	return ERR_OK;
}

static void hm(char *out, size_t n, int minute)
{
	snprintf(out, n, "%02d:%02d", minute / 60 % 100, minute % 60);
}

static enum err evaluate(struct db *db, const char *ws, const struct gate_request *q, struct arena *a,
			 struct facts *f)
{
	bool sms = q->channel == GATE_SMS, blocked = false;
	enum err rc = store_blocked_is(db, ws, q->to, &blocked);
	if (rc != ERR_OK)
		return rc;
	if (blocked)
		snprintf(add_hit(f, q, "blocked_number", false)->detail, 160,
			 "blocked_number: %s is on the workspace's blocked list", q->to);
	if ((rc = gather_contact(db, ws, q, a, f)) != ERR_OK)
		return rc;
	if (f->dnc_contact_id)
		snprintf(add_hit(f, q, "do_not_contact", true)->detail, 160,
			 "do_not_contact: the contact is marked do-not-contact");
	if ((rc = store_dnc_active(db, ws, q->to, sms, f->now, a, &f->dnc_hit, &f->dnc)) != ERR_OK)
		return rc;
	if (f->dnc_hit)
		snprintf(add_hit(f, q, "dnc_list", true)->detail, 160, "dnc_list: %s is on the do-not-contact list for %s (%s)",
			 q->to, sms ? "SMS" : "calls", f->dnc.source);
	struct sms_opt_status opt = {0};
	bool opt_known = false;
	if (sms) {
		rc = store_sms_opt_get(db, ws, q->to, a, &opt);
		if (rc != ERR_OK && rc != ERR_NOT_FOUND)
			return rc;
		opt_known = rc == ERR_OK;
		if (opt_known && opt.opted_out)
			snprintf(add_hit(f, q, "sms_opt_out", false)->detail, 160,
				 "sms_opt_out: %s opted out of SMS (%s)", q->to, opt.source);
	}
	if (!sms || (q->marketing && !q->keyword_reply)) {
		quiet_check(q->to, f->cc.time_zone, f->at, &f->quiet);
		f->quiet_checked = true;
		if (!f->quiet.allowed) {
			char at[8], open[8], close[8];
			hm(at, sizeof at, f->quiet.local_minute);
			hm(open, sizeof open, f->quiet.window.open);
			hm(close, sizeof close, f->quiet.window.close);
			struct hit *h = add_hit(f, q, "quiet_hours", true);
			bool later = f->at > f->now + 60000; /* a scheduled send */
			if (f->quiet.window.open == f->quiet.window.close)
				snprintf(h->detail, 160, "quiet_hours: no contact allowed %s in %s (%s local)",
					 later ? "on that day" : "today", f->quiet.closed_zone, at);
			else
				snprintf(h->detail, 160, "quiet_hours: it %s %s in %s%s, outside %s-%s",
					 later ? "will be" : "is", at, f->quiet.closed_zone,
					 later ? " at the send time" : "", open, close);
		}
	}
	if (sms) {
		/* The latest word wins: a START after a declined consent opts back in. */
		bool restarted = opt_known && !opt.opted_out && f->cc.consent_updated_at != DB_NULL_INT &&
				 opt.changed_at > f->cc.consent_updated_at;
		bool declined = f->contact_id && f->cc.consent_sms == 0 && !restarted;
		bool opted_in = (f->contact_id && f->cc.consent_sms == 1) || (opt_known && !opt.opted_out);
		if (declined)
			snprintf(add_hit(f, q, "consent", true)->detail, 160, "consent: the contact declined SMS");
		else if (q->marketing && !opted_in)
			snprintf(add_hit(f, q, "consent", true)->detail, 160,
				 "consent: marketing messages need the recipient's SMS opt-in");
	}
	return ERR_OK;
}

static void quiet_json(struct jw *m, const struct quiet_verdict *v)
{
	char at[8], open[8], close[8];
	jw_key(m, "quietHours");
	jw_obj_begin(m);
	jw_kbool(m, "applies", v->applies);
	jw_kbool(m, "allowed", v->allowed);
	if (v->applies) {
		hm(at, sizeof at, v->local_minute);
		hm(open, sizeof open, v->window.open);
		hm(close, sizeof close, v->window.close);
		jw_kstr(m, "country", v->country[0] ? v->country : NULL);
		jw_kstr(m, "region", v->region[0] ? v->region : NULL);
		jw_kstr(m, "zoneSource", v->zone_source);
		jw_key(m, "zones");
		jw_arr_begin(m);
		for (int i = 0; i < v->nzones; i++)
			jw_str(m, v->zones[i]);
		jw_arr_end(m);
		jw_kstr(m, "localTime", at);
		jw_kstr(m, "windowOpen", open);
		jw_kstr(m, "windowClose", close);
	}
	jw_obj_end(m);
}

static void rules_json(struct jw *m, const char *key, const struct facts *f, bool exempt)
{
	jw_key(m, key);
	jw_arr_begin(m);
	for (int i = 0; i < f->nhits; i++)
		if (!exempt || f->hits[i].exempt)
			jw_str(m, f->hits[i].rule);
	jw_arr_end(m);
}

static void time_json(struct jw *m, const char *key, int64_t ms)
{
	char ts[40];
	clock_format_rfc3339(ms, ts, sizeof ts);
	jw_kstr(m, key, ts);
}

static enum err audit(struct db *db, const struct actor *actor, const struct gate_request *q,
		      const struct gate_decision *g, const struct facts *f)
{
	const char *action = g->defer_until ? "compliance.deferred"
			     : !g->allow    ? "compliance.denied"
			     : g->overridden ? "compliance.overridden"
					     : "compliance.allowed";
	struct jw m;
	jw_init(&m, 512, 16384);
	jw_obj_begin(&m);
	jw_kstr(&m, "channel", gate_channel_name(q->channel));
	jw_kstr(&m, "kind", kind_name(q));
	jw_kstr(&m, "stage", q->delivery ? "delivery" : "request");
	if (q->message_sid)
		jw_kstr(&m, "messageSid", q->message_sid);
	jw_kstr(&m, "to", q->to);
	jw_kbool(&m, "marketing", q->marketing);
	jw_kstr(&m, "decision", g->allow ? "allow" : g->defer_until ? "defer" : "deny");
	jw_kstr(&m, "rule", g->rule);
	rules_json(&m, "objections", f, false);
	if (g->exempted)
		rules_json(&m, "exempted", f, true);
	jw_kbool(&m, "overrideRequested", q->override);
	jw_kbool(&m, "overridden", g->overridden);
	if (g->overridden) {
		jw_key(&m, "overriddenRules");
		jw_arr_begin(&m);
		for (int i = 0; i < f->nhits; i++)
			if (listed(g->overridden_rules, f->hits[i].rule))
				jw_str(&m, f->hits[i].rule);
		jw_arr_end(&m);
	}
	if (f->dnc_contact_id || f->contact_id)
		jw_kstr(&m, "contactId", f->dnc_contact_id ? f->dnc_contact_id : f->contact_id);
	if (f->dnc_hit)
		jw_kstr(&m, "dncSource", f->dnc.source);
	if (f->at != f->now)
		time_json(&m, "at", f->at);
	if (f->quiet_checked)
		quiet_json(&m, &f->quiet);
	if (g->defer_until)
		time_json(&m, "deferredUntil", g->defer_until);
	jw_obj_end(&m);
	enum err rc = jw_error(&m);
	if (rc == ERR_OK)
		rc = audit_record(db, actor, action, q->call_id ? "call" : "number", q->call_id ? q->call_id : q->to,
				  NULL, jw_cstr(&m));
	jw_cleanup(&m);
	return rc;
}

/* Appends rule to the comma-separated list out (size GATE_RULES_SIZE). */
static void list_add(char *out, const char *rule)
{
	size_t len = strlen(out);
	snprintf(out + len, GATE_RULES_SIZE - len, "%s%s", len ? "," : "", rule);
}

/* The denial's sentence: the rule's detail and whether it can be overridden. */
static void deny_detail(struct gate_decision *out, const struct gate_request *q, const struct hit *h, bool owner)
{
	const char *tail = !h->overridable ? " (not overridable)"
			   : owner          ? " (not a rule this override covers)"
			   : q->override    ? " (only an Owner may override)"
					    : " (an Owner may override)";
	snprintf(out->detail, sizeof out->detail, "%s%s", h->detail, tail);
}

enum err gate_check(struct db *db, const struct actor *actor, const struct gate_request *q, struct arena *a,
		    struct gate_decision *out)
{
	memset(out, 0, sizeof *out);
	out->allow = true;
	struct facts f;
	memset(&f, 0, sizeof f);
	f.cc.consent_recording = f.cc.consent_sms = -1;
	f.now = clock_now_ms();
	f.at = q->at ? q->at : f.now;
	enum err rc = evaluate(db, actor->workspace_id, q, a, &f);
	if (rc != ERR_OK)
		return rc;
	bool owner = q->override && authz_role_may(actor->role, ACT_DNC_OVERRIDE);
	const struct hit *deciding = NULL, *quiet = NULL;
	for (int i = 0; i < f.nhits && !deciding; i++) {
		const struct hit *h = &f.hits[i];
		if (h->exempt) {
			out->exempted = true;
		} else if (owner && h->overridable && (!q->override_rules || listed(q->override_rules, h->rule))) {
			list_add(out->overridden_rules, h->rule);
		} else if (q->delivery && !strcmp(h->rule, "quiet_hours")) {
			quiet = h; /* defers, unless a later rule refuses outright */
		} else {
			deciding = h;
		}
	}
	if (f.nhits)
		out->rule = f.hits[0].rule;
	if (!deciding && quiet) {
		out->defer_until = quiet_next_open(q->to, f.cc.time_zone, f.now);
		if (out->defer_until <= f.now)
			deciding = quiet; /* no window opens: refused */
	}
	if (deciding) {
		out->allow = false;
		out->exempted = false;
		out->defer_until = 0;
		out->rule = deciding->rule;
		deny_detail(out, q, deciding, owner);
	} else if (quiet) {
		char ts[40];
		out->allow = false;
		out->exempted = false;
		out->rule = quiet->rule;
		clock_format_rfc3339(out->defer_until, ts, sizeof ts);
		snprintf(out->detail, sizeof out->detail, "%s; deferred to %s", quiet->detail, ts);
	} else if (f.nhits) {
		out->overridden = out->overridden_rules[0] != '\0';
	}
	if (!out->overridden)
		out->overridden_rules[0] = '\0';
	return audit(db, actor, q, out, &f);
}
