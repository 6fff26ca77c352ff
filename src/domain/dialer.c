/* Click-to-call (see dialer.h): the request side records and queues; the job
 * side places legs and, when a leg can never be placed, says so. */
#include "domain/dialer.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jw.h"
#include "core/log.h"
#include "core/phone.h"
#include "domain/audit.h"
#include "domain/calls.h"
#include "domain/gate.h"
#include "store/accounts.h"
#include "store/legs.h"
#include "store/model.h"
#include "store/queue.h"
#include "store/webhooks.h"

static const char *const mode_names[] = {"conference", "transfer"};

/* call_updated for a leg's change: { callId, action, changes: {}, leg: {...} }. */
static enum err emit_leg(struct db *db, const char *ws, const char *call_id, const char *action, const char *sid,
			 const char *status, const char *error)
{
	struct jw ev;
	jw_init(&ev, 256, 8192);
	jw_obj_begin(&ev);
	jw_kstr(&ev, "callId", call_id);
	jw_kstr(&ev, "action", action);
	jw_key(&ev, "changes");
	jw_obj_begin(&ev);
	jw_obj_end(&ev);
	jw_key(&ev, "leg");
	jw_obj_begin(&ev);
	jw_kstr(&ev, "callSid", sid);
	jw_kstr(&ev, "status", status);
	if (error)
		jw_kstr(&ev, "error", error);
	jw_obj_end(&ev);
	jw_obj_end(&ev);
	enum err rc = jw_error(&ev);
	if (rc == ERR_OK)
		rc = events_emit(db, ws, "call_updated", call_id, jw_cstr(&ev));
	jw_cleanup(&ev);
	return rc;
}

/* Queues a dial job: {stage, sid, customer[, parent, deadline]}. */
static enum err queue_dial(struct db *db, const char *ws, const char *stage, const char *sid, const char *customer,
			   const char *parent, int64_t deadline, int64_t run_at, int64_t now)
{
	struct jw p;
	jw_init(&p, 256, 4096);
	jw_obj_begin(&p);
	jw_kstr(&p, "stage", stage);
	jw_kstr(&p, "sid", sid);
	jw_kstr(&p, "customer", customer);
	if (parent) {
		jw_kstr(&p, "parent", parent);
		jw_kint(&p, "deadline", deadline);
	}
	jw_obj_end(&p);
	enum err rc = jw_error(&p);
	if (rc == ERR_OK)
		rc = store_queue_insert(db, ws, "dial", jw_cstr(&p), run_at, now);
	jw_cleanup(&p);
	return rc;
}

static enum err click_audit(struct db *db, const struct actor *actor, const struct call *c, const char *sid,
			    const struct dial_request *q, const char *agent, const char *customer, bool overridden)
{
	struct jw m;
	jw_init(&m, 256, 8192);
	jw_obj_begin(&m);
	jw_kstr(&m, "callSid", sid);
	jw_kstr(&m, "bridgeMode", mode_names[q->mode]);
	jw_kstr(&m, "agentPhone", agent);
	jw_kstr(&m, "customer", customer);
	jw_kbool(&m, "complianceOverride", overridden);
	jw_obj_end(&m);
	enum err rc = jw_error(&m);
	if (rc == ERR_OK)
		rc = audit_record(db, actor, "call.click_to_call", "call", c->id, NULL, jw_cstr(&m));
	jw_cleanup(&m);
	return rc;
}

/* A replay of an earlier click-to-call with the same key (inside the open transaction). */
static enum err find_replay(struct db *db, const struct principal *p, const struct dial_request *q, struct arena *a,
			    struct dial_result *out, bool *found, struct err_detail *d)
{
	struct leg l;
	enum err rc = store_leg_by_idem(db, p->workspace_id, p->user_id, q->idempotency_key, a, &l);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc != ERR_OK)
		return rc;
	if (strcmp(l.call_id, q->call_id) != 0)
		return err_set(d, ERR_CONFLICT, "this Idempotency-Key was already used for another call");
	*found = true;
	out->call_sid = l.request_sid;
	out->status = "dialing"; /* the first answer, whatever the leg has become since */
	out->replay = true;
	return ERR_OK;
}

/* The numbers of a dial: the user's phone, the customer's, the tracking number. */
static enum err numbers(struct db *db, const struct principal *p, const struct call *c, struct arena *a,
			const char **agent, const char **customer, const char **tracking, struct err_detail *d)
{
	struct user u;
	enum err rc = store_user_by_id(db, p->user_id, &u);
	if (rc != ERR_OK)
		return rc == ERR_NOT_FOUND ? err_set(d, ERR_CONFLICT, "your user no longer exists") : rc;
	if (!u.phone[0] || !phone_is_e164(u.phone))
		return err_set(d, ERR_CONFLICT,
			       "you have no phone number to ring: set yours with PATCH /api/me { \"phone\": \"+1...\" }");
	bool out = c->direction && strcmp(c->direction, "out") == 0;
	*customer = out ? c->to_e164 : c->from_e164;
	*tracking = out ? c->from_e164 : c->to_e164;
	if (!*customer || !phone_is_e164(*customer))
		return err_set(d, ERR_CONFLICT, "this call has no dialable customer number");
	if (!*tracking || !phone_is_e164(*tracking))
		return err_set(d, ERR_CONFLICT, "this call has no tracking number to call from");
	*agent = arena_strdup(a, u.phone);
	return *agent ? ERR_OK : ERR_NOMEM;
}

enum err dialer_click(struct db *db, const struct principal *p, const struct dial_request *q, struct arena *a,
		      struct dial_result *out, struct err_detail *d)
{
	struct call c;
	const char *agent = NULL, *customer = NULL, *tracking = NULL;
	memset(out, 0, sizeof *out);
	enum err rc = calls_get(db, p, q->call_id, a, &c, d);
	if (rc != ERR_OK)
		return rc;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	bool found = false;
	if (q->idempotency_key && (rc = find_replay(db, p, q, a, out, &found, d)) != ERR_OK)
		goto fail;
	if (found) {
		db_rollback(db);
		return ERR_OK;
	}
	if ((rc = numbers(db, p, &c, a, &agent, &customer, &tracking, d)) != ERR_OK)
		goto fail;
	struct actor actor = actor_of(p, SRC_API);
	struct gate_request gq = {GATE_CALL, customer, c.contact_id, c.id, q->override};
	struct gate_decision g;
	if ((rc = gate_check(db, &actor, &gq, a, &g)) != ERR_OK)
		goto fail;
	if (!g.allow) {
		/* The denial is a decision too: its audit event is kept. */
		if ((rc = db_commit(db)) != ERR_OK)
			goto fail;
		return err_set(d, ERR_FORBIDDEN, "%s", g.detail);
	}
	char sid[TEL_SID_SIZE];
	telephony_sid_new("CA", sid);
	int64_t now = clock_now_ms();
	struct leg l = {.request_sid = sid, .workspace_id = p->workspace_id, .call_id = c.id, .user_id = p->user_id,
			.to_e164 = agent, .from_e164 = tracking, .bridge_mode = mode_names[q->mode], .status = "dialing",
			.idempotency_key = q->idempotency_key, .leg_role = "agent", .duration_sec = I64_NULL,
			.created_at = now, .updated_at = now};
	if ((rc = store_leg_insert(db, &l)) != ERR_OK)
		goto fail;
	if ((rc = queue_dial(db, p->workspace_id, "agent", sid, customer, NULL, 0, now, now)) != ERR_OK)
		goto fail;
	if ((rc = click_audit(db, &actor, &c, sid, q, agent, customer, g.overridden)) != ERR_OK)
		goto fail;
	if ((rc = emit_leg(db, p->workspace_id, c.id, "call.click_to_call", sid, "dialing", NULL)) != ERR_OK)
		goto fail;
	if ((rc = db_commit(db)) != ERR_OK)
		goto fail;
	out->call_sid = arena_strdup(a, sid);
	out->status = "dialing";
	return out->call_sid ? ERR_OK : ERR_NOMEM;
fail:
	db_rollback(db);
	return rc;
}

enum err dialer_status(struct db *db, const struct principal *p, const char *call_id, const char *sid,
		       struct arena *a, struct dial_status *out, struct err_detail *d)
{
	struct call c;
	struct leg l;
	enum err rc = calls_get(db, p, call_id, a, &c, d);
	if (rc != ERR_OK)
		return rc;
	rc = store_leg_get(db, p->workspace_id, c.id, sid, a, &l);
	if (rc == ERR_NOT_FOUND)
		return err_set(d, ERR_NOT_FOUND, "no leg %s on this call", sid);
	if (rc != ERR_OK)
		return rc;
	bool failed = strcmp(l.status, "failed") == 0, ended = failed || strcmp(l.status, "ended") == 0;
	*out = (struct dial_status){.call_sid = l.request_sid, .status = failed ? "ended" : l.status,
				    .vendor_status = l.vendor_status, .error = l.error, .bridge_mode = l.bridge_mode,
				    .duration_sec = l.duration_sec};
	if (ended)
		out->outcome = failed ? "failed" : l.vendor_status ? l.vendor_status : "completed";
	return ERR_OK;
}

/* After a placing error: a permanent one (or the last attempt) fails the leg
 * for good and says so; a retryable one only notes the error. */
static void place_failed(struct db *db, const struct leg *l, enum err rc, const struct dial_job *j,
			 struct err_detail *d)
{
	const char *why = d->detail[0] ? d->detail : err_str(rc);
	bool final = rc != ERR_UPSTREAM || j->last;
	int64_t now = clock_now_ms();
	if (!final) {
		store_leg_note_error(db, l->request_sid, why, now);
		return;
	}
	struct actor sys = actor_system(l->workspace_id, SRC_SYSTEM, "system:dialer");
	struct jw m;
	jw_init(&m, 256, 8192);
	jw_obj_begin(&m);
	jw_kstr(&m, "callSid", l->request_sid);
	jw_kstr(&m, "leg", l->leg_role);
	jw_kstr(&m, "error", why);
	jw_kint(&m, "attempts", j->attempt);
	jw_obj_end(&m);
	enum err wrc = jw_error(&m);
	if (wrc == ERR_OK)
		wrc = db_begin_write(db);
	if (wrc == ERR_OK && (wrc = store_leg_fail(db, l->request_sid, why, now)) == ERR_OK &&
	    (wrc = audit_record(db, &sys, "call.dial_failed", "call", l->call_id, NULL, jw_cstr(&m))) == ERR_OK &&
	    (wrc = emit_leg(db, l->workspace_id, l->call_id, "call.dial_failed", l->request_sid, "failed", why)) == ERR_OK)
		wrc = db_commit(db);
	if (wrc != ERR_OK) {
		db_rollback(db);
		log_error("dial %s: cannot record the failure: %s", l->request_sid, err_str(wrc));
	}
	jw_cleanup(&m);
}

const char *dialer_leg_status(const char *vendor_status)
{
	static const struct {
		const char *vendor, *leg;
	} map[] = {
		{"queued", "dialing"},   {"initiated", "dialing"}, {"ringing", "ringing"}, {"in-progress", "connected"},
		{"completed", "ended"},  {"busy", "ended"},        {"no-answer", "ended"}, {"canceled", "ended"},
		{"failed", "failed"},
	};
	for (size_t i = 0; vendor_status && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].vendor, vendor_status) == 0)
			return map[i].leg;
	return NULL;
}

/* Takes vendor call c as leg l's, unless another leg has it: its sid, and its
 * state as the vendor's list shows it (the status callbacks it sent before we
 * knew its sid found no leg), announced as call_updated. One transaction. */
static enum err adopt_one(struct db *db, const struct leg *l, const struct tel_call *c, bool *adopted)
{
	bool taken = false;
	const char *status = dialer_leg_status(c->status);
	int64_t now = clock_now_ms();
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	if ((rc = store_leg_sid_taken(db, c->sid, &taken)) != ERR_OK || taken)
		goto out;
	if ((rc = store_leg_placed(db, l->request_sid, c->sid, now)) != ERR_OK)
		goto out;
	if (status && strcmp(status, l->status) != 0) {
		rc = store_call_leg_update(db, c->sid, status, c->status, c->duration_sec >= 0 ? c->duration_sec : I64_NULL,
					   I64_NULL, now);
		if (rc == ERR_OK)
			rc = emit_leg(db, l->workspace_id, l->call_id, "call.leg_updated", l->request_sid, status, NULL);
		if (rc != ERR_OK)
			goto out;
	}
	if ((rc = db_commit(db)) != ERR_OK)
		goto out;
	*adopted = true;
	log_info("dial %s: the vendor already has this leg as %s (%s) from an earlier attempt; not dialled again",
		 l->request_sid, c->sid, c->status);
	return ERR_OK;
out:
	db_rollback(db);
	return rc;
}

/* Places leg l with twiml; records the vendor sid, or the failure. When an
 * earlier attempt may have reached the vendor (its request started, and no
 * answer recorded a sid or a refusal), the vendor is asked first and a call
 * that attempt placed is adopted instead of ringing the phone twice; when the
 * vendor cannot tell, nothing is placed and the job retries. */
static enum err place(struct db *db, struct telephony *tel, const struct leg *l, const char *twiml,
		      const struct dial_job *j, char vendor[TEL_SID_SIZE], struct err_detail *d)
{
	struct tel_leg tl = {.to = l->to_e164, .from = l->from_e164, .twiml = twiml, .status_url = tel->webhook_url};
	enum err rc;
	if (l->attempt_at != I64_NULL) {
		struct tel_call found[TEL_LOOKUP_MAX];
		int n = 0;
		bool adopted = false;
		if ((rc = tel->lookup(tel, &tl, l->attempt_at, found, &n, d)) != ERR_OK) {
			place_failed(db, l, rc, j, d);
			return rc;
		}
		for (int i = 0; i < n && !adopted; i++) /* oldest first: the earliest attempt's */
			if ((rc = adopt_one(db, l, &found[i], &adopted)) != ERR_OK)
				return rc;
		if (adopted)
			return ERR_OK;
	}
	/* Durable before the request goes out: a crash mid-request is an unknown outcome too. */
	if ((rc = store_leg_attempt(db, l->request_sid, clock_real_ms())) != ERR_OK)
		return rc;
	rc = tel->place(tel, &tl, vendor, d);
	if (rc != ERR_OK) {
		place_failed(db, l, rc, j, d);
		return rc;
	}
	return store_leg_placed(db, l->request_sid, vendor, clock_now_ms());
}

static enum err run_agent(struct db *db, struct telephony *tel, const struct dial_job *j, struct arena *a,
			  struct err_detail *d)
{
	struct leg l;
	enum err rc = store_leg_by_request(db, j->request_sid, a, &l);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK; /* the call was deleted */
	if (rc != ERR_OK)
		return rc;
	if (strcmp(l.call_sid, l.request_sid) != 0 || strcmp(l.status, "dialing") != 0)
		return ERR_OK; /* placed already (a lease ran out after success) or given up */
	char twiml[512], vendor[TEL_SID_SIZE];
	bool transfer = strcmp(l.bridge_mode, "transfer") == 0;
	bool ok = transfer ? telephony_twiml_transfer(l.from_e164, j->customer, twiml, sizeof twiml)
			   : telephony_twiml_conference(l.call_id, twiml, sizeof twiml);
	if (!ok)
		return err_set(d, ERR_INVALID, "bridge TwiML too long");
	if ((rc = place(db, tel, &l, twiml, j, vendor, d)) != ERR_OK || transfer)
		return rc;
	char csid[TEL_SID_SIZE];
	telephony_sid_new("CA", csid);
	int64_t now = clock_now_ms();
	return queue_dial(db, l.workspace_id, "customer", csid, j->customer, l.request_sid, now + DIAL_AGENT_WAIT_MS,
			  now + DIAL_AGENT_POLL_MS, now);
}

static enum err run_customer(struct db *db, struct telephony *tel, const struct dial_job *j, struct arena *a,
			     struct err_detail *d)
{
	struct leg agent, l;
	enum err rc = store_leg_by_request(db, j->parent_sid, a, &agent);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc != ERR_OK)
		return rc;
	int64_t now = clock_now_ms();
	if (strcmp(agent.status, "connected") != 0) {
		bool waiting = strcmp(agent.status, "dialing") == 0 || strcmp(agent.status, "ringing") == 0;
		if (!waiting || now >= j->deadline_ms)
			return ERR_OK; /* the agent never answered: no customer leg */
		return queue_dial(db, agent.workspace_id, "customer", j->request_sid, j->customer, j->parent_sid,
				  j->deadline_ms, now + DIAL_AGENT_POLL_MS, now);
	}
	rc = store_leg_by_request(db, j->request_sid, a, &l);
	if (rc == ERR_NOT_FOUND) {
		l = (struct leg){.request_sid = j->request_sid, .workspace_id = agent.workspace_id,
				 .call_id = agent.call_id, .user_id = agent.user_id, .to_e164 = j->customer,
				 .from_e164 = agent.from_e164, .bridge_mode = "conference", .status = "dialing",
				 .leg_role = "customer", .parent_sid = agent.request_sid, .duration_sec = I64_NULL,
				 .created_at = now, .updated_at = now};
		if ((rc = store_leg_insert(db, &l)) != ERR_OK)
			return rc;
		l.call_sid = l.request_sid;
	} else if (rc != ERR_OK) {
		return rc;
	}
	if (strcmp(l.call_sid, l.request_sid) != 0 || strcmp(l.status, "dialing") != 0)
		return ERR_OK;
	char twiml[512], vendor[TEL_SID_SIZE];
	if (!telephony_twiml_conference(agent.call_id, twiml, sizeof twiml))
		return err_set(d, ERR_INVALID, "bridge TwiML too long");
	return place(db, tel, &l, twiml, j, vendor, d);
}

enum err dialer_job_run(struct db *db, struct telephony *tel, const struct dial_job *j, struct err_detail *d)
{
	if (!tel)
		return err_set(d, ERR_UPSTREAM, "no telephony provider in this process");
	if (!j->stage || !j->request_sid || !j->customer || !phone_is_e164(j->customer))
		return err_set(d, ERR_INVALID, "malformed dial job");
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	enum err rc;
	if (strcmp(j->stage, "agent") == 0)
		rc = run_agent(db, tel, j, a, d);
	else if (strcmp(j->stage, "customer") == 0 && j->parent_sid)
		rc = run_customer(db, tel, j, a, d);
	else
		rc = err_set(d, ERR_INVALID, "malformed dial job");
	arena_free(a);
	return rc;
}
