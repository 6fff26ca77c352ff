/* SMS messaging, the delivery side (see messaging.h): the send job's pacing
 * and delivery, and the vendor's webhooks (inbound messages with their
 * compliance keywords, and status callbacks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "core/log.h"
#include "core/phone.h"
#include "domain/gate.h"
#include "domain/messaging_int.h"
#include "domain/messaging_keywords.h"
#include "domain/segments.h"
#include "domain/send_window.h"
#include "store/accounts.h"
#include "store/blocked.h"
#include "store/dnc.h"
#include "store/model.h"
#include "store/numbers.h"

#define WEBHOOK_LABEL "webhook:twilio"

static bool is(const char *s, const char *word)
{
	return s && strcmp(s, word) == 0;
}

/* Delivery states in the order they happen; a late callback never moves a
 * message back. */
static int rank(const char *status)
{
	static const char *const order[] = {"scheduled", "queued", "sending", "accepted", "sent", NULL};
	for (int i = 0; order[i]; i++)
		if (is(status, order[i]))
			return i;
	if (is(status, "delivered") || is(status, "undelivered") || is(status, "failed") || is(status, "canceled"))
		return 10;
	return -1;
}

static bool pending(const char *status)
{
	return is(status, "scheduled") || is(status, "queued") || is(status, "sending");
}

/* ---- pacing ---- */

enum err messaging_pace(struct db *db, const char *sid, int64_t def_mps, int64_t def_cap, int64_t now_us,
			struct sms_pace *out)
{
	memset(out, 0, sizeof *out);
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	struct sms_message m;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		goto done;
	rc = store_sms_get(db, sid, a, &m);
	if (rc == ERR_NOT_FOUND || (rc == ERR_OK && (!pending(m.status) || m.vendor_sid))) {
		out->go = true; /* nothing to pace: delivery will find nothing to do */
		rc = ERR_OK;
		goto rollback;
	}
	if (rc != ERR_OK)
		goto rollback;
	if (m.scheduled_for != I64_NULL && m.scheduled_for > now_us / 1000) {
		out->defer_ms = m.scheduled_for; /* woken early: not due yet */
		out->not_due = true;
		goto rollback;
	}
	struct sms_campaign c;
	int64_t next_us;
	if ((rc = messaging_campaign_get(db, m.workspace_id, def_mps, def_cap, &c)) != ERR_OK ||
	    (rc = store_sms_pacer_get(db, m.workspace_id, &next_us)) != ERR_OK)
		goto rollback;
	if (next_us > now_us) {
		out->wait_us = next_us - now_us;
		goto rollback;
	}
	/* No window may hold more than the rate: the rate-th last grant must
	 * have left it (send_window_admit holds the real starts to the same). */
	int64_t step = SEND_WINDOW_US / c.messages_per_second, kth;
	if ((rc = store_sms_pace_log_kth(db, m.workspace_id, c.messages_per_second, &kth)) != ERR_OK)
		goto rollback;
	if (kth && kth + SEND_WINDOW_US > now_us) {
		out->wait_us = kth + SEND_WINDOW_US - now_us;
		goto rollback;
	}
	if (c.used_today + m.segments > c.daily_cap_segments) {
		out->defer_ms = msg_next_day(now_us / 1000, msg_cap_zone(c.cap_time_zone)); /* the carriers' next day */
		goto rollback;
	}
	/* Slots follow a 1/rate grid, so a late send (a busy machine) is made
	 * up by the next ones, within the window above; an idle grid restarts now. */
	int64_t slot = next_us && next_us > now_us - SEND_WINDOW_US ? next_us + step : now_us + step;
	if ((rc = store_sms_pacer_set(db, m.workspace_id, slot)) != ERR_OK ||
	    (rc = store_sms_pace_log_add(db, m.workspace_id, now_us)) != ERR_OK ||
	    (rc = store_sms_pace_log_prune(db, m.workspace_id, now_us - 2 * SEND_WINDOW_US)) != ERR_OK)
		goto rollback;
	if ((rc = db_commit(db)) != ERR_OK)
		goto rollback;
	out->go = true;
	out->mps = c.messages_per_second;
	out->granted_us = now_us;
	goto done;
rollback:
	db_rollback(db);
done:
	arena_free(a);
	return rc;
}

/* ---- delivery ---- */

/* Waits until workspace ws may start the send granted at pace->granted_us
 * (send_window.h), and records its start; *started_us is when. */
static enum err admit(struct db *db, const char *ws, const struct sms_pace *pace, int64_t *started_us)
{
	static _Thread_local int64_t seed[SEND_WINDOW_MAX_RATE];
	for (;;) {
		int nseed = 0;
		int64_t now = clock_now_us();
		if (!send_window_known(ws)) {
			enum err rc = store_sms_pace_log_window(db, ws, now - SEND_WINDOW_US, pace->granted_us, now, seed,
								SEND_WINDOW_MAX_RATE, &nseed);
			if (rc != ERR_OK)
				return rc;
		}
		int64_t wait = send_window_admit(ws, pace->mps, now, seed, nseed);
		if (wait < 0)
			return ERR_NOMEM;
		if (wait == 0) {
			*started_us = now;
			return ERR_OK;
		}
		clock_sleep_us(wait);
	}
}

/* Makes the send's reservation its real start (for a successor process),
 * and records that start with the message. */
static void note_started(struct db *db, const char *ws, const char *sid, int64_t granted_us, int64_t started_us)
{
	enum err rc = db_begin_write(db);
	if (rc == ERR_OK && (rc = store_sms_pace_log_started(db, ws, granted_us, started_us)) == ERR_OK &&
	    (rc = store_sms_request_at(db, sid, started_us)) == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK) {
		db_rollback(db);
		log_warn("sms pacing: the start of a send could not be recorded (%s)", err_str(rc));
	}
}

/* Who a message's delivery re-check is audited as: the Owner whose override
 * it carries (with the role they hold now: an override lapses with the
 * role), else the system. */
static enum err recheck_actor(struct db *db, const struct sms_message *m, struct arena *a, struct actor *out)
{
	*out = actor_system(m->workspace_id, SRC_SYSTEM, "system:sms-delivery");
	if (!m->override_by)
		return ERR_OK;
	struct user u;
	char role[16] = "";
	enum err rc = store_user_by_id(db, m->override_by, &u);
	if (rc == ERR_OK)
		rc = store_membership_role(db, m->workspace_id, m->override_by, role);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK; /* gone: the system re-checks without the override */
	if (rc != ERR_OK)
		return rc;
	out->user_id = m->override_by;
	out->label = arena_strdup(a, u.email);
	out->role = role_parse(role);
	return out->label ? ERR_OK : ERR_NOMEM;
}

/* Every send passes the gate again just before it goes (gate.h): *why is
 * the refusal, or *defer_ms when quiet hours alone hold it back. */
static enum err recheck(struct db *db, const struct sms_message *m, struct arena *a, const char **why,
			int64_t *defer_ms)
{
	struct actor actor;
	enum err rc = recheck_actor(db, m, a, &actor);
	const char *contact_id = NULL;
	if (rc == ERR_OK && m->call_id)
		rc = store_sms_call_contact(db, m->workspace_id, m->call_id, a, &contact_id);
	if (rc != ERR_OK)
		return rc;
	struct gate_request gq = {.channel = GATE_SMS, .to = m->peer_e164, .contact_id = contact_id,
				  .call_id = m->call_id, .override = m->override_by != NULL,
				  .marketing = is(m->category, "marketing"), .keyword_reply = is(m->kind, "keyword_reply"),
				  .override_rules = m->override_rules ? m->override_rules : "", .delivery = true,
				  .message_sid = m->sid};
	struct gate_decision g;
	if ((rc = gate_check(db, &actor, &gq, a, &g)) != ERR_OK || g.allow)
		return rc;
	if (g.defer_until)
		*defer_ms = g.defer_until;
	else if (!(*why = arena_strdup(a, g.detail)))
		rc = ERR_NOMEM;
	return rc;
}

static enum err status_event(struct db *db, const struct sms_message *m, const char *status, int64_t code)
{
	struct jw j;
	jw_init(&j, 256, 4096);
	jw_obj_begin(&j);
	jw_kstr(&j, "messageSid", m->sid);
	jw_kstr(&j, "number", m->peer_e164);
	jw_kstr(&j, "status", status);
	if (code != I64_NULL)
		jw_kint(&j, "errorCode", code);
	jw_obj_end(&j);
	enum err rc = jw_error(&j);
	if (rc == ERR_OK)
		rc = events_emit(db, m->workspace_id, "sms_status", m->call_id, jw_cstr(&j));
	jw_cleanup(&j);
	return rc;
}

/* Ends message m as failed (one transaction); a 21610 also opts the number out. */
static enum err fail_message(struct db *db, const struct sms_message *m, int64_t code, const char *why)
{
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = store_sms_status(db, m->sid, "failed", code, why, clock_now_ms());
	if (rc == ERR_OK && code == SMS_OPTED_OUT_CODE) {
		struct actor actor = actor_system(m->workspace_id, SRC_SYSTEM, "vendor:21610");
		bool changed;
		rc = msg_opt_set(db, &actor, m->workspace_id, m->peer_e164, true, "vendor_21610", "vendor_21610",
				 &changed);
	}
	if (rc == ERR_OK)
		rc = status_event(db, m, "failed", code);
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

/* The vendor accepted m as vendor_sid: recorded with the day's usage, at once. */
static enum err accepted(struct db *db, const struct sms_message *m, const char *vendor_sid)
{
	int64_t now = clock_now_ms();
	char day[11];
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = msg_usage_day(db, m->workspace_id, now, day);
	if (rc == ERR_OK)
		rc = store_sms_accepted(db, m->sid, vendor_sid, now);
	if (rc == ERR_OK)
		rc = store_sms_usage_add(db, m->workspace_id, day, m->segments);
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

/* The lookup's question to the store: is a vendor sid another message's? */
struct owner_q {
	struct db *db;
	const char *sid; /* the message looked up */
};

static enum err taken_by_other(void *arg, const char *vendor_sid, bool *taken)
{
	const struct owner_q *q = arg;
	return store_sms_vendor_sid_taken(q->db, vendor_sid, q->sid, taken);
}

/* Checks before an attempt: whether it may go (else *why, or *defer_ms,
 * recorded on the message), and marks it sending. */
static enum err begin_attempt(struct db *db, const struct sms_message *m, struct arena *a, const char **why,
			      int64_t *defer_ms)
{
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = recheck(db, m, a, why, defer_ms);
	if (rc == ERR_OK && *defer_ms) /* shown as the message's scheduledFor: when it will go */
		rc = store_sms_deferred(db, m->sid, *defer_ms, clock_now_ms());
	else if (rc == ERR_OK && !*why)
		rc = store_sms_sending(db, m->sid, clock_now_ms());
	if (rc == ERR_OK)
		rc = db_commit(db); /* a denial's audit event is kept */
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

enum err messaging_deliver(struct db *db, struct sms_provider *prov, const char *sid, const struct sms_pace *pace,
			   bool last, int64_t *defer_ms, struct err_detail *d)
{
	*defer_ms = 0;
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	struct sms_message m;
	const char *why = NULL;
	char vsid[SMS_SID_SIZE] = "";
	enum err rc = store_sms_get(db, sid, a, &m);
	if (rc == ERR_NOT_FOUND || (rc == ERR_OK && (!pending(m.status) || m.vendor_sid))) {
		rc = ERR_OK; /* gone, or already with the vendor: nothing to do */
		goto out;
	}
	if (rc != ERR_OK)
		goto out;
	bool ambiguous = is(m.status, "sending"); /* an earlier attempt may have reached the vendor */
	if ((rc = begin_attempt(db, &m, a, &why, defer_ms)) != ERR_OK)
		goto out;
	if (*defer_ms) {
		log_info("sms %s: quiet hours at the recipient; deferred", m.sid);
		rc = ERR_LIMITED;
		goto out;
	}
	if (why) {
		rc = fail_message(db, &m, I64_NULL, why);
		goto out;
	}
	if (ambiguous && m.attempt_at != I64_NULL) {
		struct sms_out probe = {.key = m.sid, .to = m.peer_e164, .from = m.our_e164, .body = m.body};
		struct owner_q oq = {.db = db, .sid = m.sid};
		struct sms_lookup q = {.since_ms = m.attempt_at, .taken = taken_by_other, .arg = &oq};
		rc = prov->lookup(prov, &probe, &q, vsid, d);
		if (rc == ERR_OK) {
			log_info("sms %s: the vendor already has it as %s; not sent again", m.sid, vsid);
			rc = accepted(db, &m, vsid);
			goto out;
		}
		if (rc != ERR_NOT_FOUND)
			goto upstream;
	}
	char url[SMS_URL_SIZE + SMS_SID_SIZE + 8];
	snprintf(url, sizeof url, "%s?m=%s", prov->webhook_url, m.sid);
	struct sms_out out = {.key = m.sid, .to = m.peer_e164, .from = m.our_e164, .body = m.body, .status_url = url};
	int code = 0;
	int64_t started_us;
	if ((rc = admit(db, m.workspace_id, pace, &started_us)) != ERR_OK)
		goto out;
	rc = prov->send(prov, &out, vsid, &code, d);
	note_started(db, m.workspace_id, m.sid, pace->granted_us, started_us);
	if (rc == ERR_OK) {
		rc = accepted(db, &m, vsid);
		goto out;
	}
	if (rc == ERR_INVALID) {
		enum err frc = fail_message(db, &m, code ? code : I64_NULL, d->detail);
		rc = frc != ERR_OK ? frc : ERR_INVALID;
		goto out;
	}
upstream:
	if (last) {
		enum err frc = fail_message(db, &m, I64_NULL, d->detail[0] ? d->detail : "the vendor could not be reached");
		if (frc != ERR_OK)
			rc = frc;
	}
out:
	arena_free(a);
	return rc;
}

/* ---- webhooks ---- */

/* Queues a keyword answer from our number to the sender once the gate allows
 * it as a keyword reply (gate.h: only a blocked number refuses it). */
static enum err answer(struct db *db, const struct actor *actor, const char *to, const char *from, const char *body,
		       int64_t price, struct arena *a)
{
	const char *ws = actor->workspace_id;
	struct gate_request gq = {.channel = GATE_SMS, .to = to, .keyword_reply = true};
	struct gate_decision g;
	enum err rc = gate_check(db, actor, &gq, a, &g);
	if (rc != ERR_OK || !g.allow)
		return rc; /* the refusal is audited */
	int64_t now = clock_now_ms();
	char *sid = arena_alloc(a, SMS_SID_SIZE);
	if (!sid)
		return ERR_NOMEM;
	struct sms_message m = {.workspace_id = ws, .peer_e164 = to, .our_e164 = from, .body = body,
				.category = "transactional", .kind = "keyword_reply", .status = "queued"};
	return msg_queue(db, &m, sid, price, now, now);
}

static enum err keyword(struct db *db, const char *ws, const char *peer, const char *ours, enum sms_keyword k,
			int64_t price, bool vendor_replied, struct arena *a)
{
	struct workspace w;
	enum err rc = store_workspace_by_id(db, ws, &w);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_system(ws, SRC_WEBHOOK, WEBHOOK_LABEL);
	bool changed = false;
	const char *reply = NULL;
	if (k == KW_STOP) {
		rc = msg_opt_set(db, &actor, ws, peer, true, "STOP", "sms_stop", &changed);
		if (changed)
			reply = arena_printf(a, "%s: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
					     w.name);
	} else if (k == KW_START) {
		/* Only an opted-out number opts back in: a "yes" to a question is an answer. */
		struct sms_opt_status s;
		rc = store_sms_opt_get(db, ws, peer, a, &s);
		bool out = rc == ERR_OK && s.opted_out;
		if (rc == ERR_NOT_FOUND)
			rc = ERR_OK;
		if (rc == ERR_OK && out)
			rc = msg_opt_set(db, &actor, ws, peer, false, "START", NULL, &changed);
		if (changed)
			reply = arena_printf(a, "%s: You are resubscribed to messages. Reply HELP for help, STOP to opt out.",
					     w.name);
	} else if (k == KW_HELP) {
		reply = arena_printf(a, "%s: for help call or text %s. Msg & data rates may apply. Reply STOP to opt out.",
				     w.name, ours);
	}
	if (rc == ERR_OK && reply && !vendor_replied) /* else the vendor's own reply went, and ours would be a second */
		rc = answer(db, &actor, peer, ours, reply, price, a);
	return rc;
}

static enum err inbound(struct db *db, const struct sms_webhook *w, struct arena *a, struct err_detail *d)
{
	char from[PHONE_E164_SIZE], to[PHONE_E164_SIZE];
	struct tracking_number n;
	if (!w->from || phone_normalize(w->from, PHONE_DEFAULT_REGION, from, sizeof from) != ERR_OK)
		return err_set(d, ERR_INVALID, "From must be a phone number");
	enum err rc = w->to ? phone_normalize(w->to, PHONE_DEFAULT_REGION, to, sizeof to) : ERR_INVALID;
	if (rc == ERR_OK)
		rc = store_number_by_e164(db, to, a, &n);
	if (rc == ERR_INVALID || rc == ERR_NOT_FOUND)
		return err_set(d, ERR_NOT_FOUND, "no workspace owns the number %s", w->to ? w->to : "(none)");
	if (rc != ERR_OK)
		return rc;
	struct sms_count c;
	if (!sms_count(w->body, strlen(w->body), &c))
		return err_set(d, ERR_INVALID, "Body must be UTF-8");
	int64_t now = clock_now_ms();
	struct sms_message m = {.sid = w->message_sid, .vendor_sid = w->message_sid, .workspace_id = n.workspace_id,
				.direction = "inbound", .peer_e164 = from, .our_e164 = to, .body = w->body,
				.category = "transactional", .kind = "inbound", .status = "received",
				.error_code = I64_NULL, .segments = c.segments, .encoding = sms_encoding_name(c.encoding),
				.cost_micros = I64_NULL, .scheduled_for = I64_NULL, .attempt_at = I64_NULL,
				.sent_at = now, .created_at = now, .updated_at = now};
	bool created = false;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	if ((rc = store_sms_insert_inbound(db, &m, &created)) != ERR_OK || !created)
		goto end; /* a repeat of a message we have: nothing more */
	enum sms_keyword k = sms_keyword_parse(w->body);
	struct jw j;
	jw_init(&j, 256, 16384);
	jw_obj_begin(&j);
	jw_kstr(&j, "messageSid", m.sid);
	jw_kstr(&j, "from", from);
	jw_kstr(&j, "to", to);
	jw_kstr(&j, "body", w->body);
	if (k != KW_NONE)
		jw_kstr(&j, "keyword", sms_keyword_name(k));
	jw_obj_end(&j);
	rc = jw_error(&j);
	if (rc == ERR_OK)
		rc = events_emit(db, n.workspace_id, "sms_received", NULL, jw_cstr(&j));
	jw_cleanup(&j);
	if (rc == ERR_OK && k != KW_NONE)
		rc = keyword(db, n.workspace_id, from, to, k, w->price_micros, w->vendor_replied, a);
end:
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

enum err msg_receipt_apply(struct db *db, const struct sms_webhook *w, enum audit_source src, const char *label,
			   struct arena *a, struct err_detail *d)
{
	struct sms_message m;
	int64_t code = I64_NULL;
	if (w->error_code && *w->error_code) {
		char *end;
		long long v = strtoll(w->error_code, &end, 10);
		if (*end || v < 0 || v > 1000000)
			return err_set(d, ERR_INVALID, "ErrorCode must be a number");
		code = v;
	}
	if (rank(w->status) < 0)
		return err_set(d, ERR_INVALID, "MessageStatus \"%s\" is not a messaging status", w->status);
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	bool fresh = false;
	if ((rc = store_sms_callback_claim(db, w->message_sid, w->status, clock_now_ms(), &fresh)) != ERR_OK || !fresh)
		goto end;
	rc = store_sms_by_vendor(db, w->message_sid, a, &m);
	if (rc == ERR_NOT_FOUND && w->key && (rc = store_sms_get(db, w->key, a, &m)) == ERR_OK) {
		if (m.vendor_sid && strcmp(m.vendor_sid, w->message_sid) != 0)
			rc = ERR_NOT_FOUND;
		else
			rc = store_sms_vendor_sid(db, m.sid, w->message_sid); /* the callback beat the job */
	}
	if (rc == ERR_NOT_FOUND) {
		err_set(d, ERR_NOT_FOUND, "no message %s", w->message_sid);
		goto end;
	}
	if (rc == ERR_OK && rank(w->status) > rank(m.status)) {
		rc = store_sms_status(db, m.sid, w->status, code, NULL, clock_now_ms());
		if (rc == ERR_OK)
			rc = status_event(db, &m, w->status, code);
	}
	if (rc == ERR_OK && code == SMS_OPTED_OUT_CODE) {
		struct actor actor = actor_system(m.workspace_id, src, label);
		bool changed;
		rc = msg_opt_set(db, &actor, m.workspace_id, m.peer_e164, true, "vendor_21610", "vendor_21610", &changed);
	}
end:
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

enum err messaging_webhook(struct db *db, const struct sms_webhook *w, struct arena *a, struct err_detail *d)
{
	if (!w->message_sid || !*w->message_sid)
		return err_set(d, ERR_INVALID, "MessageSid is missing");
	bool is_inbound = w->body && (!w->status || is(w->status, "received") || is(w->status, "receiving"));
	if (is_inbound)
		return inbound(db, w, a, d);
	if (!w->status)
		return err_set(d, ERR_INVALID, "MessageStatus is missing");
	return msg_receipt_apply(db, w, SRC_WEBHOOK, WEBHOOK_LABEL, a, d);
}
