/* Telephony webhook events (see inbound.h).
 *
 * What a status callback, a <Dial> action or a recording does to a call is
 * domain/call_progress.h. Every write goes through the group-commit writer
 * (store/group_commit.h): a new call's (new_call_write), and an event's on a
 * call that exists (edit_write: the call edit cycle inside the writer's
 * savepoint); the request thread does the reads and the preparation.
 * A forward answered after the call was judged missed (or a voicemail)
 * withdraws the follow-up the SLA rule opened for that judgement.
 * Click-to-call legs: dialing < ringing < connected < ended or failed, an end
 * is final, and a SequenceNumber at or below the last applied changes nothing
 * (Twilio posts a REST-placed call every event asked for, numbered; an
 * inbound call gets only its end, so its order is the status rank alone).
 * A workspace's disposition rules (fields an outcome requires) bind people,
 * not the vendor: when they refuse the automatic outcome, the status change is
 * applied without it and the call stays in triage. */
#include "domain/inbound.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "core/phone.h"
#include "domain/audit.h"
#include "domain/call_progress.h"
#include "domain/calls.h"
#include "domain/dialer.h"
#include "domain/numbers.h"
#include "domain/sla_policy.h"
#include "domain/spam.h"
#include "store/blocked.h"
#include "store/contacts.h"
#include "store/group_commit.h"
#include "store/numbers.h"
#include "store/webhooks.h"

#define SOURCE "telephony"
#define GC_INDEX_MAX 64 /* search rows added per statement */
#define ACTOR_LABEL "webhook:twilio"

/* Vendor numbers (To, From) normalized and typed, remembered: libphonenumber's
 * parse and line-type regexes were a fifth of a webhook's CPU, and the same
 * numbers come back (a handful of tracking numbers, repeat callers). A
 * two-way set-associative table shared by the request threads (16,384
 * numbers, ~0.8 MB; the least recently used of a set's two goes): a
 * direct-mapped one lost half its entries to collisions with 10,000 callers
 * in rotation. Numbers are facts of the numbering plan, so an entry never
 * goes stale in a way that matters here. */
#define PHONE_CACHE_SETS 8192
#define PHONE_RAW_MAX 24

struct phone_slot {
	char raw[PHONE_RAW_MAX];     /* "" = empty slot */
	char e164[PHONE_E164_SIZE];  /* "" = raw is not a valid number */
	signed char line;            /* enum phone_line, or -1 not computed yet */
};

static struct phone_set {
	struct phone_slot way[2];
	unsigned char recent;        /* the way used last */
} phone_cache[PHONE_CACHE_SETS];
static pthread_mutex_t phone_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned phone_hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & (PHONE_CACHE_SETS - 1);
}

/* phone_normalize (default region), and the line type when line is not NULL. */
static enum err number_info(const char *raw, char out[PHONE_E164_SIZE], enum phone_line *line)
{
	size_t n = strlen(raw);
	struct phone_set *set = n < PHONE_RAW_MAX ? &phone_cache[phone_hash(raw)] : NULL;
	struct phone_slot got = {.line = -1};
	if (set) {
		pthread_mutex_lock(&phone_cache_lock);
		for (int i = 0; i < 2; i++)
			if (!strcmp(set->way[i].raw, raw)) {
				got = set->way[i];
				set->recent = (unsigned char)i;
			}
		pthread_mutex_unlock(&phone_cache_lock);
	}
	bool hit = got.raw[0] != 0;
	if (!hit) {
		memcpy(got.raw, raw, n < PHONE_RAW_MAX ? n + 1 : 1);
		if (phone_normalize(raw, PHONE_DEFAULT_REGION, got.e164, sizeof got.e164) != ERR_OK)
			got.e164[0] = 0;
	}
	bool typed = !line || !got.e164[0] || got.line >= 0;
	if (!typed)
		got.line = (signed char)phone_line_type(got.e164);
	if (set && (!hit || !typed)) {
		pthread_mutex_lock(&phone_cache_lock);
		int i = !strcmp(set->way[0].raw, raw) ? 0 : !strcmp(set->way[1].raw, raw) ? 1 : !set->recent;
		set->way[i] = got;
		set->recent = (unsigned char)i;
		pthread_mutex_unlock(&phone_cache_lock);
	}
	if (!got.e164[0])
		return ERR_INVALID;
	memcpy(out, got.e164, PHONE_E164_SIZE);
	if (line)
		*line = (enum phone_line)got.line;
	return ERR_OK;
}

/* The webhook acts on calls like a dispatcher of the workspace would (no row scope). */
static void system_principal(struct principal *p, const char *workspace_id)
{
	memset(p, 0, sizeof *p);
	snprintf(p->workspace_id, sizeof p->workspace_id, "%s", workspace_id);
	snprintf(p->email, sizeof p->email, "%s", ACTOR_LABEL);
	p->role = ROLE_DISPATCHER;
}

static bool is(const char *s, const char *word)
{
	return s && strcmp(s, word) == 0;
}

static enum tel_answer answer_for(const struct tracking_number *n, bool after_hours)
{
	const char *mode = after_hours ? n->after_hours : n->routing_mode;
	if (is(n->status, "suspended"))
		return ANSWER_REJECT;
	if (is(mode, "ai"))
		return ANSWER_AI;
	if (is(mode, "vm") || !n->forward_to)
		return ANSWER_VOICEMAIL;
	return is(mode, "overflow") ? ANSWER_OVERFLOW : ANSWER_FORWARD; /* human, forward */
}

static void answer_set(struct tel_result *out, const struct tracking_number *n, bool after_hours)
{
	out->kind = TEL_INBOUND;
	out->answer = answer_for(n, after_hours);
	out->forward_to = n->forward_to;
	out->record = n->recording_opt_in;
}

static char *delivery_key(struct arena *a, const struct tel_event *ev)
{
	return arena_printf(a, "%s:%s", ev->call_sid, ev->call_status ? ev->call_status : "");
}

/* The new_call payload: what the Calls page shows in its toast and row. */
static enum err new_call_payload(const struct call *c, const char *contact_name, struct jw *w)
{
	jw_init(w, 512, 16384);
	jw_obj_begin(w);
	jw_kstr(w, "callId", c->id);
	jw_kstr(w, "callSid", c->call_sid);
	jw_kstr(w, "direction", c->direction);
	jw_kstr(w, "status", c->status);
	jw_kstr(w, "fromE164", c->from_e164);
	jw_kstr(w, "toE164", c->to_e164);
	jw_kstr(w, "numberId", c->number_id);
	jw_kstr(w, "agentType", c->agent_type);
	jw_ktime_ms(w, "startedAt", c->started_at);
	jw_kbool(w, "firstTimeCaller", c->first_time_caller);
	jw_kint(w, "priorCalls", c->prior_calls);
	jw_kbool(w, "afterHours", c->after_hours);
	jw_kstr(w, "contactId", c->contact_id);
	jw_kstr(w, "contactName", contact_name);
	jw_kstr(w, "queueStatus", c->queue_status);
	jw_kbool(w, "outcomeRequired", c->outcome_required);
	jw_obj_end(w);
	return jw_error(w);
}

/* Fills the new call from the event, the number and what we know of the
 * caller (from: the normalized From). */
static enum err new_call_prepare(struct db *db, const struct tel_event *ev, const struct tracking_number *n,
				 const char *from, enum phone_line line, struct arena *a, struct call *c,
				 const char **contact_name, const struct tz **zone)
{
	int64_t now = clock_now_ms();
	int64_t prior = 0;
	struct business_hours wsh;
	char *id = arena_alloc(a, ID_SIZE);
	if (!id)
		return ERR_NOMEM;
	id_new_at(id, now);
	call_blank(c);
	c->id = id;
	c->workspace_id = n->workspace_id;
	c->started_at = c->created_at = c->updated_at = now;
	c->direction = "in";
	c->status = "ringing";
	c->call_sid = ev->call_sid;
	c->number_id = n->id;
	c->to_e164 = n->e164;
	c->from_e164 = from;
	c->source = "phone";
	c->outcome_required = true;
	c->queue_status = "triage";
	enum err rc = sla_hours_load(db, n->workspace_id, a, &wsh, NULL);
	if (rc == ERR_OK)
		rc = store_caller_prior_calls(db, n->workspace_id, c->from_e164, &prior);
	if (rc != ERR_OK)
		return rc;
	*zone = wsh.zone;
	c->after_hours = !numbers_is_open(a, n, &wsh, now); /* the number's own hours, else the workspace's */
	c->prior_calls = prior;
	c->first_time_caller = prior == 0;
	/* Taken by the AI only when one is there to take it (else: voicemail). */
	c->agent_type = answer_for(n, c->after_hours) == ANSWER_AI && ev->ai_receptionist ? "ai" : "human";
	switch (line) {
	case PHONE_LINE_MOBILE: c->line_type = "mobile"; break;
	case PHONE_LINE_LANDLINE: c->line_type = "landline"; break;
	case PHONE_LINE_VOIP: c->line_type = "voip"; break;
	default: c->line_type = "unknown"; break;
	}
	const char *cid = NULL;
	rc = store_contact_phone_owner(db, n->workspace_id, c->from_e164, a, &cid, contact_name);
	if (rc == ERR_OK)
		c->contact_id = cid;
	return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}

/* The write of a new inbound call, applied by the group-commit writer
 * (store/group_commit.h) in its own savepoint: the call (once per CallSid),
 * the contact's last-seen time, the audit event and the new_call event; then,
 * as the unit's second step in the same transaction, its search row. All or
 * nothing. Everything it needs was prepared by the request thread. */
struct new_call_unit {
	struct call *c;
	const char *meta;         /* audit metadata */
	const char *payload;      /* new_call event data */
	const char *caller_name;  /* as the vendor sent it, for the spam model, or NULL */
	bool replay;              /* out: the delivery was applied before */
};

struct edit_unit;

/* A write handed to the group-commit writer (lives in the request's arena):
 * a new call's (u), or an event's on an existing call (edit, see edit_unit). */
struct inbound_wait {
	struct gc_unit unit;
	struct new_call_unit u;
	struct edit_unit *edit;   /* NULL for a new call */
	struct err_detail *report; /* edit: the caller's, for the writer's detail of a failure */
	enum err rc;              /* the unit's result, once done */
	void (*wake)(void *arg);
	void *wake_arg;
};

static void wait_done(struct gc_unit *unit, enum err rc)
{
	struct inbound_wait *w = (struct inbound_wait *)unit;
	w->rc = rc;
	w->wake(w->wake_arg); /* last touch of w by the writer */
}

static enum err new_call_write(struct db *db, void *ctx)
{
	struct new_call_unit *u = ctx;
	struct call *c = u->c;
	bool fresh = false;
	u->replay = false; /* a unit may run twice (group_commit.h) */
	/* The CallSid is the key: a second delivery (or a concurrent duplicate
	 * that passed the request thread's lookup) inserts nothing. */
	enum err rc = store_call_insert_row_once(db, c, &fresh);
	if (rc != ERR_OK || !fresh) {
		u->replay = rc == ERR_OK;
		return rc;
	}
	struct actor actor = actor_system(c->workspace_id, SRC_WEBHOOK, ACTOR_LABEL);
	if (c->contact_id && (rc = store_contact_seen(db, c->workspace_id, c->contact_id, c->started_at)) != ERR_OK)
		return rc;
	if ((rc = audit_record(db, &actor, "call.created", "call", c->id, NULL, u->meta)) != ERR_OK)
		return rc;
	if (u->caller_name && (rc = spam_caller_name_record(db, c, u->caller_name)) != ERR_OK)
		return rc;
	return events_emit(db, c->workspace_id, "new_call", c->id, u->payload);
}

/* Second step, after the batch's savepoints: the new calls' search rows, in one statement. */
static enum err new_calls_index(struct db *db, void *const *ctxs, int n)
{
	const char *ids[GC_INDEX_MAX];
	int k = 0;
	enum err rc = ERR_OK;
	for (int i = 0; i < n && rc == ERR_OK; i++) {
		const struct new_call_unit *u = ctxs[i];
		if (!u->replay)
			ids[k++] = u->c->id;
		if (k == GC_INDEX_MAX || (i == n - 1 && k)) {
			rc = store_calls_search_add(db, ids, k);
			k = 0;
		}
	}
	return rc;
}

/* An inbound call for a CallSid no call has yet: create it (once), unless the
 * number is suspended or the caller is blocked. A blocked caller is rejected
 * and leaves no trace: no call, no event, no audit row (the blocked list is
 * the record; a flood of blocked calls writes nothing). */
static enum err inbound_call_read(struct db *db, const struct tel_event *ev, struct arena *a, struct tel_result *out,
				  struct err_detail *d, struct inbound_wait **made)
{
	char to[PHONE_E164_SIZE], from[PHONE_E164_SIZE];
	struct tracking_number n;
	if (!ev->to || !ev->from)
		return err_field_add(d, ev->to ? "From" : "To", "is required for an inbound call");
	enum phone_line line = PHONE_LINE_UNKNOWN;
	enum err rc = number_info(ev->to, to, NULL);
	if (rc == ERR_OK)
		rc = store_number_by_e164(db, to, a, &n);
	if (rc == ERR_INVALID || rc == ERR_NOT_FOUND)
		return err_set(d, ERR_NOT_FOUND, "no workspace owns the number %s", ev->to);
	if (rc != ERR_OK)
		return rc;
	if (is(n.status, "suspended")) { /* out of service: nothing is created */
		answer_set(out, &n, false);
		return ERR_OK;
	}
	/* Withheld numbers ("Anonymous", "+266696687") are kept as sent. */
	bool from_valid = number_info(ev->from, from, &line) == ERR_OK;
	const char *caller = from_valid ? arena_strdup(a, from) : arena_strndup(a, ev->from, 32);
	if (!caller)
		return ERR_NOMEM;
	bool blocked = false;
	if ((rc = store_blocked_is(db, n.workspace_id, caller, &blocked)) != ERR_OK)
		return rc;
	if (blocked) {
		answer_set(out, &n, false);
		out->answer = ANSWER_REJECT;
		out->blocked = true;
		return ERR_OK;
	}
	struct inbound_wait *w = arena_alloc(a, sizeof *w);
	struct call *c = arena_alloc(a, sizeof *c);
	if (!w || !c)
		return ERR_NOMEM;
	memset(w, 0, sizeof *w);
	const char *contact_name = NULL;
	const struct tz *zone = NULL;
	if ((rc = new_call_prepare(db, ev, &n, caller, line, a, c, &contact_name, &zone)) != ERR_OK)
		return rc;
	spam_inbound_score(db, ev->caller_name, from_valid, zone, c); /* spamScore, spamReason; flags spam (reads only) */
	answer_set(out, &n, c->after_hours);
	struct jw payload;
	if ((rc = new_call_payload(c, contact_name, &payload)) != ERR_OK) {
		jw_cleanup(&payload);
		return rc;
	}
	w->u = (struct new_call_unit){
		.c = c,
		.meta = arena_printf(a, "{\"callSid\":\"%.64s\",\"numberId\":\"%s\"}", ev->call_sid, n.id),
		.payload = arena_strdup(a, jw_cstr(&payload)),
		.caller_name = ev->caller_name && ev->caller_name[0] ? arena_strdup(a, ev->caller_name) : NULL,
	};
	jw_cleanup(&payload);
	if (!w->u.meta || !w->u.payload || (ev->caller_name && ev->caller_name[0] && !w->u.caller_name))
		return ERR_NOMEM;
	*made = w;
	return ERR_OK;
}

static enum err wait_submit(struct db *db, struct inbound_wait *w, struct tel_result *out, void (*wake)(void *arg),
			    void *wake_arg);

/* The reads of a new call (number, blocked list, contact, history, hours,
 * spam features) share one read transaction: each statement on its own
 * would be a transaction of its own, with its own shared-memory and file
 * locks (a fifth of the request thread's system calls). The write goes to
 * the group-commit writer after the read transaction has ended. */
static enum err inbound_call(struct db *db, const struct tel_event *ev, struct arena *a, struct tel_result *out,
			     struct err_detail *d, void (*wake)(void *arg), void *wake_arg)
{
	struct inbound_wait *w = NULL;
	enum err rc = db_begin(db);
	if (rc != ERR_OK)
		return rc;
	if ((rc = inbound_call_read(db, ev, a, out, d, &w)) != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db)) != ERR_OK) /* (rolled back) */
		return rc;
	if (!w) /* suspended number, blocked caller: nothing to write */
		return ERR_OK;
	w->unit = (struct gc_unit){.fn = new_call_write, .after_all = new_calls_index, .ctx = &w->u};
	return wait_submit(db, w, out, wake, wake_arg);
}

/* Hands w->unit to the group-commit writer. With wake, the caller finishes
 * with inbound_event_finish once woken (and must not touch the arena before:
 * the writer may be using it); without, waits for the commit and finishes. */
static enum err wait_submit(struct db *db, struct inbound_wait *w, struct tel_result *out, void (*wake)(void *arg),
			    void *wake_arg)
{
	out->pending = w;
	if (!wake) {
		w->rc = gc_run_unit(db, w->unit.fn, w->unit.after_all, w->unit.ctx);
		return inbound_event_finish(out);
	}
	w->unit.done = wait_done;
	w->wake = wake;
	w->wake_arg = wake_arg;
	gc_submit(db, &w->unit); /* the last touch of the request's memory until woken */
	return ERR_OK;
}

static enum err edit_finish(struct inbound_wait *w, struct tel_result *out);

enum err inbound_event_finish(struct tel_result *out)
{
	struct inbound_wait *w = out->pending;
	if (!w)
		return ERR_OK;
	out->pending = NULL;
	if (w->edit)
		return edit_finish(w, out);
	enum err rc = w->rc;
	if (rc == ERR_CONFLICT) /* the CallSid arrived twice at once: the other delivery made the call */
		w->u.replay = true, rc = ERR_OK;
	if (rc != ERR_OK)
		return rc;
	out->replay = w->u.replay;
	out->call_id = w->u.replay ? NULL : w->u.c->id;
	return ERR_OK;
}

/* The idempotency key and audit record of an event on a call. */
static void event_audit(struct arena *a, const struct tel_event *ev, enum tel_kind kind, const char **key,
			const char **action, const char **meta)
{
	if (kind == TEL_RECORDING) {
		*key = ev->recording_sid;
		*action = "call.recording_added";
		*meta = arena_printf(a, "{\"recordingSid\":\"%.64s\"}", ev->recording_sid);
	} else if (kind == TEL_DIAL) {
		*key = arena_printf(a, "%s:dial", ev->call_sid);
		*action = "call.forward_ended";
		*meta = arena_printf(a, "{\"callSid\":\"%.64s\",\"dialCallSid\":\"%.64s\",\"dialCallStatus\":\"%.32s\"}",
				     ev->call_sid, ev->dial_call_sid ? ev->dial_call_sid : "", ev->dial_call_status);
	} else {
		*key = delivery_key(a, ev);
		*action = "call.status_changed";
		*meta = arena_printf(a, "{\"callSid\":\"%.64s\",\"callStatus\":\"%.32s\"}", ev->call_sid,
				     ev->call_status ? ev->call_status : "");
	}
}

/* What the caller hears after a forward: the number's voicemail when nobody
 * answered and its routing for this call (routingMode, or afterHours for a
 * call after hours) overflows to voicemail; otherwise the call ends. Read on
 * the request thread: the call's number and hours never change. */
static enum err dial_next(struct db *db, const char *ws, const char *call_id, bool answered, struct arena *a,
			  enum tel_answer *next)
{
	struct tracking_number n;
	const char *number_id = NULL;
	bool after_hours = false;
	*next = ANSWER_HANGUP;
	if (answered)
		return ERR_OK;
	enum err rc = store_call_routing(db, call_id, a, &number_id, &after_hours);
	if (rc != ERR_OK || !number_id)
		return rc;
	rc = store_number_get(db, ws, number_id, a, &n);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc == ERR_OK && answer_for(&n, after_hours) == ANSWER_OVERFLOW)
		*next = ANSWER_VOICEMAIL;
	return rc;
}

/* An event on a call that exists (a status callback, a <Dial> action, a
 * recording), applied by the group-commit writer in a savepoint of its own,
 * like a new call: a burst of them (Twilio ends every call with one, a
 * forward with two or three more) shares commits. The request thread has
 * prepared all that does not depend on the call's row as it is now (what the
 * event says, its idempotency key and audit record, a forward's next verb);
 * the writer reads the row, applies the event, claims the delivery and runs
 * the edit cycle, all in the unit. A unit may run twice: every run starts
 * from the ctx as the request thread left it, outputs reset. */
struct edit_unit {
	struct tel_event ev;              /* a copy (the handler's lives on its stack); strings the request's */
	enum tel_kind kind;               /* TEL_STATUS, TEL_DIAL or TEL_RECORDING */
	const char *workspace_id, *call_id;
	const char *key, *action, *meta;  /* delivery key; audit action and metadata */
	const char *media_url;            /* TEL_RECORDING */
	bool answered, to_voicemail;      /* TEL_DIAL: the forward was answered; else the caller goes on to voicemail */
	struct arena *a;                  /* the request's: the request thread waits while the writer uses it */
	bool replay, stale;               /* out */
	struct err_detail d;              /* out: the writer's detail of a failure */
};

/* The follow-up the SLA rule opened when the call was judged missed (its own
 * end came before its <Dial> action) or a voicemail, once the forward says a
 * person answered: withdrawn (cancelled, audited), and named in the call's
 * audit metadata (*meta grows a followUpsCancelled list). */
static enum err withdraw_judged(struct db *db, const struct actor *actor, const struct call *before,
				struct call *after, int64_t now, struct arena *a, const char **meta)
{
	const char *was = sla_trigger_of(before);
	const char **ids = NULL;
	int n = 0;
	if ((!is(was, "missed") && !is(was, "voicemail")) || is(sla_trigger_of(after), was))
		return ERR_OK;
	enum err rc = sla_withdraw(db, actor, after, was, "the forward was answered", now, a, &ids, &n);
	if (rc != ERR_OK || !n)
		return rc;
	const char *list = "";
	for (int k = 0; k < n && list; k++)
		list = arena_printf(a, "%s%s\"%s\"", list, k ? "," : "", ids[k]);
	size_t len = strlen(*meta); /* a JSON object: "{...}" */
	const char *grown = list ? arena_printf(a, "%.*s,\"followUpsCancelled\":[%s]}", (int)(len - 1), *meta, list) : NULL;
	if (!grown)
		return ERR_NOMEM;
	*meta = grown;
	return ERR_OK;
}

/* One pass of the edit cycle for the event, on the writer's connection. */
static enum err edit_once(struct db *db, struct edit_unit *u, bool with_outcome)
{
	struct principal p;
	struct call before, after;
	bool fresh = false;
	system_principal(&p, u->workspace_id);
	/* The row, its tags and open follow-ups: all the cycle needs (no one sees this call read). */
	enum err rc = calls_edit_begin_row(db, &p, u->call_id, u->a, &before, &u->d);
	if (rc != ERR_OK)
		return rc;
	int64_t now = clock_now_ms();
	after = before;
	if (u->kind == TEL_STATUS && !call_progress_status(&u->ev, &after, with_outcome, now)) {
		u->stale = true; /* nothing is written, not even the delivery */
		goto abort;
	}
	if ((rc = store_delivery_claim(db, SOURCE, u->key, u->workspace_id, now, &fresh)) != ERR_OK || !fresh) {
		u->replay = rc == ERR_OK;
		goto abort;
	}
	struct actor actor = actor_system(u->workspace_id, SRC_WEBHOOK, ACTOR_LABEL);
	const char *meta = u->meta;
	if (u->kind == TEL_RECORDING) {
		call_progress_recording(u->media_url, &after);
		rc = store_call_recording_set(db, u->call_id, u->ev.recording_sid, u->ev.recording_duration);
	} else if (u->kind == TEL_DIAL) {
		call_progress_dial(&u->ev, &after, u->answered, u->to_voicemail, with_outcome, now);
		if (u->answered)
			rc = withdraw_judged(db, &actor, &before, &after, now, u->a, &meta);
	}
	if (rc != ERR_OK)
		goto abort;
	return calls_edit_commit(db, &actor, u->action, &before, &after, meta, NULL, &u->d);
abort:
	calls_edit_abort(db);
	return rc;
}

/* The writer's unit: the event applied once, inside the writer's savepoint. */
static enum err edit_write(struct db *db, void *ctx)
{
	struct edit_unit *u = ctx;
	u->replay = u->stale = false;
	memset(&u->d, 0, sizeof u->d);
	enum err rc = edit_once(db, u, true);
	if (rc == ERR_INVALID && u->d.nfields && u->kind != TEL_RECORDING) {
		/* The workspace's disposition rules refused the automatic outcome:
		 * apply the status alone and leave the outcome to a person. */
		memset(&u->d, 0, sizeof u->d);
		rc = edit_once(db, u, false);
	}
	return rc;
}

/* An event on an existing call: checked and prepared here, applied by the writer. */
static enum err edit_call(struct db *db, const struct tel_event *ev, const char *workspace_id, const char *call_id,
			  struct arena *a, struct tel_result *out, struct err_detail *d, void (*wake)(void *arg),
			  void *wake_arg)
{
	out->call_id = call_id;
	int answered = out->kind == TEL_DIAL ? call_progress_dial_answered(ev->dial_call_status) : 0;
	if (answered < 0)
		return err_field_add(d, "DialCallStatus", "must be completed, answered, busy, no-answer, failed or canceled");
	if (out->kind == TEL_RECORDING && !call_progress_recording_ready(ev))
		return ERR_OK; /* no file (yet, or ever): nothing to store, no voicemail */
	enum err rc;
	/* The answer to a <Dial> action, replayed or not: the caller hears the same. */
	if (out->kind == TEL_DIAL && (rc = dial_next(db, workspace_id, call_id, answered == 1, a, &out->answer)) != ERR_OK)
		return rc;
	struct inbound_wait *w = arena_alloc(a, sizeof *w);
	struct edit_unit *u = arena_alloc(a, sizeof *u);
	if (!w || !u)
		return ERR_NOMEM;
	memset(w, 0, sizeof *w);
	memset(u, 0, sizeof *u);
	u->ev = *ev;
	u->kind = out->kind;
	u->workspace_id = workspace_id;
	u->call_id = call_id;
	u->answered = answered == 1;
	u->to_voicemail = out->kind == TEL_DIAL && out->answer == ANSWER_VOICEMAIL;
	u->a = a;
	event_audit(a, ev, out->kind, &u->key, &u->action, &u->meta);
	if (out->kind == TEL_RECORDING)
		u->media_url = call_progress_media_url(a, ev->recording_url);
	if (!u->key || !u->meta || (out->kind == TEL_RECORDING && !u->media_url))
		return ERR_NOMEM;
	w->unit = (struct gc_unit){.fn = edit_write, .ctx = u};
	w->edit = u;
	w->report = d;
	return wait_submit(db, w, out, wake, wake_arg);
}

static enum err edit_finish(struct inbound_wait *w, struct tel_result *out)
{
	const struct edit_unit *u = w->edit;
	if (w->rc != ERR_OK) {
		if (w->report)
			*w->report = u->d;
		return w->rc;
	}
	out->replay = u->replay;
	out->stale = u->stale;
	return ERR_OK;
}

/* A leg callback that must change nothing: its status would move the leg
 * back (dialing < ringing < connected < ended or failed, and an end is
 * final), or Twilio's SequenceNumber says it was fired before the last one
 * applied (seq, last: I64_NULL when not known). */
static bool leg_stale(const char *now_status, int64_t last, const char *status, int64_t seq)
{
	static const char *const order[] = {"dialing", "ringing", "connected"};
	int from = 3, to = 3;
	for (int i = 0; i < 3; i++) {
		if (is(now_status, order[i]))
			from = i;
		if (is(status, order[i]))
			to = i;
	}
	if (to < from || (to == 3 && from == 3))
		return true;
	return seq != I64_NULL && last != I64_NULL && seq <= last;
}

/* A click-to-call leg's progress. ERR_NOT_FOUND when call_sid is no leg. */
static enum err leg_event(struct db *db, const struct tel_event *ev, struct arena *a, struct tel_result *out)
{
	const char *status = dialer_leg_status(ev->call_status);
	const char *call_id = NULL, *ws = NULL, *now_status = NULL;
	int64_t last = I64_NULL;
	bool fresh = false;
	if (!status)
		return ERR_NOT_FOUND;
	int64_t now = clock_now_ms();
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = store_call_leg_state(db, ev->call_sid, a, &now_status, &last, &call_id, &ws);
	if (rc == ERR_OK) {
		out->kind = TEL_LEG;
		out->call_id = call_id;
		out->stale = leg_stale(now_status, last, status, ev->sequence_number);
	}
	if (rc == ERR_OK && !out->stale)
		rc = store_delivery_claim(db, SOURCE, delivery_key(a, ev), ws, now, &fresh);
	if (rc != ERR_OK || !fresh) {
		db_rollback(db);
		out->replay = rc == ERR_OK && !out->stale;
		return rc;
	}
	rc = store_call_leg_update(db, ev->call_sid, status, ev->call_status, ev->call_duration, ev->sequence_number, now);
	struct jw w;
	jw_init(&w, 256, 4096);
	jw_obj_begin(&w);
	jw_kstr(&w, "callId", call_id);
	jw_kstr(&w, "action", "call.leg_updated");
	jw_key(&w, "leg");
	jw_obj_begin(&w);
	jw_kstr(&w, "callSid", ev->call_sid);
	jw_kstr(&w, "status", status);
	jw_kstr(&w, "vendorStatus", ev->call_status);
	if (ev->call_duration != I64_NULL)
		jw_kint(&w, "durationSec", ev->call_duration);
	jw_obj_end(&w);
	jw_obj_end(&w);
	if (rc == ERR_OK)
		rc = jw_error(&w);
	if (rc == ERR_OK)
		rc = events_emit(db, ws, "call_updated", call_id, jw_cstr(&w));
	jw_cleanup(&w);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

/* A repeated inbound webhook for a call already made: the same answer as the first time. */
static enum err inbound_again(struct db *db, const char *ws, const char *call_id, struct arena *a,
			      struct tel_result *out)
{
	struct tracking_number n;
	struct call c;
	bool own;
	out->kind = TEL_INBOUND;
	out->replay = true;
	out->call_id = call_id;
	enum err rc = store_call_get(db, ws, call_id, NULL, a, &c, &own);
	if (rc != ERR_OK)
		return rc;
	if (!c.number_id || store_number_get(db, ws, c.number_id, a, &n) != ERR_OK)
		return ERR_OK; /* number gone since: an empty answer */
	answer_set(out, &n, c.after_hours);
	out->replay = true;
	return ERR_OK;
}

enum err inbound_event_async(struct db *db, const struct tel_event *ev, struct arena *a, struct tel_result *out,
			     struct err_detail *d, void (*wake)(void *arg), void *wake_arg)
{
	memset(out, 0, sizeof *out);
	if (!ev->call_sid || !*ev->call_sid || strlen(ev->call_sid) > 64)
		return err_field_add(d, "CallSid", "is required (at most 64 characters)");
	const char *ws = NULL, *call_id = NULL;
	/* A <Dial> action may carry the forward's recording too: DialCallStatus decides what it is. */
	bool dial = ev->dial_call_status != NULL;
	bool recording = !dial && ev->recording_sid && (ev->recording_url || ev->recording_status);
	if (recording && (!*ev->recording_sid || strlen(ev->recording_sid) > 64))
		return err_field_add(d, "RecordingSid", "is required (at most 64 characters)");
	enum err rc = store_call_by_sid(db, ev->call_sid, a, &ws, &call_id);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == ERR_OK) {
		if (!dial && !recording && is(ev->call_status, "ringing") && (!ev->direction || is(ev->direction, "inbound")))
			return inbound_again(db, ws, call_id, a, out);
		out->kind = dial ? TEL_DIAL : recording ? TEL_RECORDING : TEL_STATUS;
		return edit_call(db, ev, ws, call_id, a, out, d, wake, wake_arg);
	}
	if (recording || dial)
		return err_set(d, ERR_NOT_FOUND, "no call with CallSid %s", ev->call_sid);
	bool ringing_in = is(ev->call_status, "ringing") && (!ev->direction || is(ev->direction, "inbound"));
	/* Our own outbound legs report Direction outbound-api; an inbound call is never one. */
	if (!is(ev->direction, "inbound") && (rc = leg_event(db, ev, a, out)) != ERR_NOT_FOUND)
		return rc;
	if (ringing_in)
		return inbound_call(db, ev, a, out, d, wake, wake_arg);
	return err_set(d, ERR_NOT_FOUND, "no call with CallSid %s", ev->call_sid);
}

enum err inbound_event(struct db *db, const struct tel_event *ev, struct arena *a, struct tel_result *out,
		       struct err_detail *d)
{
	return inbound_event_async(db, ev, a, out, d, NULL, NULL);
}

enum err inbound_transcript(struct db *db, const struct transcript_in *in, struct arena *a, struct err_detail *d)
{
	const char *ws = NULL;
	enum err rc = store_call_workspace(db, in->call_id, a, &ws);
	if (rc == ERR_NOT_FOUND)
		return err_set(d, rc, "no call %s", in->call_id);
	if (rc != ERR_OK)
		return rc;
	struct principal p;
	struct call before, after;
	system_principal(&p, ws);
	if ((rc = calls_edit_begin(db, &p, in->call_id, a, &before, d)) != ERR_OK)
		return rc;
	int64_t now = clock_now_ms();
	struct actor actor = actor_system(ws, SRC_WEBHOOK, "webhook:transcription");
	char meta[128];
	snprintf(meta, sizeof meta, "{\"language\":\"%.16s\",\"chars\":%zu}", in->language ? in->language : "",
		 strlen(in->text));
	rc = store_transcript_put(db, ws, in->call_id, in->body, in->text, in->confidence, now);
	if (rc == ERR_OK)
		rc = store_call_search_refresh(db, in->call_id);
	/* A replaced transcript changes no call field: record it here, since the cycle will not. */
	if (rc == ERR_OK && before.has_transcript)
		rc = audit_record(db, &actor, "call.transcript_replaced", "call", in->call_id, NULL, meta);
	if (rc == ERR_OK && before.has_transcript) {
		char data[160];
		snprintf(data, sizeof data, "{\"callId\":\"%s\",\"action\":\"call.transcript_replaced\",\"changes\":{}}",
			 in->call_id);
		rc = events_emit(db, ws, "call_updated", in->call_id, data);
	}
	if (rc != ERR_OK) {
		calls_edit_abort(db);
		return rc;
	}
	after = before;
	after.has_transcript = true;
	return calls_edit_commit(db, &actor, "call.transcribed", &before, &after, meta, NULL, d);
}

enum err inbound_signature_claim(struct db *db, const char *source, const char *signature, int64_t now,
				 int64_t ttl_ms, bool *fresh)
{
	*fresh = false;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = store_deliveries_prune(db, source, now - ttl_ms);
	if (rc == ERR_OK)
		rc = store_delivery_claim(db, source, signature, NULL, now, fresh);
	if (rc != ERR_OK || !*fresh) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}
