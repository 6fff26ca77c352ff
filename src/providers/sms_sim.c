/* The SMS simulator: no network to a vendor. A message gets a MessageSid at
 * once; a thread then plays its delivery out on timers (see sms.h for the
 * outcomes) and posts each status as a Twilio messaging status callback,
 * signed with X-Twilio-Signature over the StatusCallback URL, to this
 * process's own POST /api/webhooks/sms (and, for ...0005, an inbound reply
 * signed over the plain webhook URL). The same verification and state code
 * runs as with the real vendor. It remembers the last SIM_STATES messages'
 * statuses, which fetch answers from (the reconcile of a lost receipt). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/form.h"
#include "core/log.h"
#include "providers/sms.h"
#include "providers/sim_callback.h"
#include "providers/sim_timer.h"
#include "providers/telephony.h"

#define FIRST_EVENT_MS 100 /* leave the send job time to record the MessageSid */
#define STEP_MS 100
#define REPLY "Sounds good, thanks!"
#define SIM_STATES 1024

struct sim_event {
	struct sim_timed at;         /* first: the timer's link and due time */
	char sid[SMS_SID_SIZE];
	char to[40], from[40];
	char signed_url[SMS_URL_SIZE], post_url[SMS_URL_SIZE];
	const char *status;          /* static; "received" for an inbound reply */
	int error_code;              /* 0: none */
};

/* What the simulated vendor knows of one message. */
struct sim_state {
	char sid[SMS_SID_SIZE];      /* "" when unused */
	const char *status;          /* static */
	int error_code;
	int64_t sent_ms;             /* wall clock; -1 until sent */
};

struct sim {
	struct sms_provider base;
	char account_sid[SMS_SID_SIZE];
	struct sim_timer *timer;     /* fires the events (callbacks) */
	pthread_mutex_t lock;        /* guards states and next_state */
	struct sim_state states[SIM_STATES]; /* a ring: the oldest is forgotten */
	unsigned next_state;
};

/* Records message sid's status (a new sid takes the ring's oldest slot). */
static void remember(struct sim *s, const char *sid, const char *status, int code)
{
	pthread_mutex_lock(&s->lock);
	struct sim_state *st = NULL;
	for (int i = 0; i < SIM_STATES && !st; i++)
		if (strcmp(s->states[i].sid, sid) == 0)
			st = &s->states[i];
	if (!st) {
		st = &s->states[s->next_state++ % SIM_STATES];
		snprintf(st->sid, sizeof st->sid, "%s", sid);
		st->sent_ms = -1;
	}
	st->status = status;
	st->error_code = code;
	if (strcmp(status, "sent") == 0 || strcmp(status, "delivered") == 0 || strcmp(status, "undelivered") == 0)
		if (st->sent_ms < 0)
			st->sent_ms = (int64_t)time(NULL) * 1000;
	pthread_mutex_unlock(&s->lock);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

/* The parameters Twilio posts: a status callback, or an inbound message. */
static int params_of(const struct sim *s, const struct sim_event *e, char *code, struct form_param *p)
{
	int n = 0;
	bool inbound = strcmp(e->status, "received") == 0;
	p[n++] = (struct form_param){"AccountSid", s->account_sid};
	p[n++] = (struct form_param){"ApiVersion", "2010-04-01"};
	p[n++] = (struct form_param){"From", e->from};
	p[n++] = (struct form_param){"To", e->to};
	p[n++] = (struct form_param){"MessageSid", e->sid};
	p[n++] = (struct form_param){"SmsSid", e->sid};
	if (inbound) {
		p[n++] = (struct form_param){"SmsMessageSid", e->sid};
		p[n++] = (struct form_param){"Body", REPLY};
		p[n++] = (struct form_param){"NumMedia", "0"};
		p[n++] = (struct form_param){"NumSegments", "1"};
		p[n++] = (struct form_param){"SmsStatus", "received"};
	} else {
		p[n++] = (struct form_param){"MessageStatus", e->status};
		p[n++] = (struct form_param){"SmsStatus", e->status};
		if (e->error_code) {
			snprintf(code, 16, "%d", e->error_code);
			p[n++] = (struct form_param){"ErrorCode", code};
		}
	}
	return n;
}

static void post(struct sim *s, const struct sim_event *e)
{
	const struct config *cfg = s->base.cfg;
	struct form_param p[16];
	char code[16];
	int np = params_of(s, e, code, p);
	struct form f = {p, np};
	char what[160];
	snprintf(what, sizeof what, "sms sim: callback %s %s", e->sid, e->status);
	sim_callback_post(cfg->twilio_auth_token, e->signed_url, e->post_url, &f, what);
}

/* A status event of message sid, posted to the StatusCallback (its query kept). */
/* The timer's callback: post the event's webhook. */
static void fire(void *ctx, const struct sim_timed *t)
{
	const struct sim_event *e = (const struct sim_event *)t;
	if (strcmp(e->status, "received") != 0)
		remember(ctx, e->sid, e->status, e->error_code);
	post(ctx, e);
}

static struct sim_event *event(const struct sim *s, const char *sid, const struct sms_out *m, int64_t due,
			       const char *status, int code)
{
	struct sim_event *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->at.due_ms = due;
	snprintf(e->sid, sizeof e->sid, "%s", sid);
	snprintf(e->to, sizeof e->to, "%s", m->to);
	snprintf(e->from, sizeof e->from, "%s", m->from);
	e->status = status;
	e->error_code = code;
	const char *q = m->status_url ? strchr(m->status_url, '?') : NULL;
	snprintf(e->signed_url, sizeof e->signed_url, "%s%s", s->base.webhook_url, q ? q : "");
	snprintf(e->post_url, sizeof e->post_url, "%s%s", s->base.local_webhook_url, q ? q : "");
	return e;
}

/* The recipient's reply: from the recipient to our number, a new sid. */
static struct sim_event *reply(const struct sim *s, const struct sms_out *m, int64_t due)
{
	struct sim_event *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->at.due_ms = due;
	sms_sid_new(e->sid);
	snprintf(e->to, sizeof e->to, "%s", m->from);
	snprintf(e->from, sizeof e->from, "%s", m->to);
	e->status = "received";
	snprintf(e->signed_url, sizeof e->signed_url, "%s", s->base.webhook_url);
	snprintf(e->post_url, sizeof e->post_url, "%s", s->base.local_webhook_url);
	return e;
}

static enum err sim_send(struct sms_provider *p, const struct sms_out *m, char sid[SMS_SID_SIZE], int *vendor_code,
			 struct err_detail *d)
{
	struct sim *s = (struct sim *)p;
	*vendor_code = 0;
	if (!m->to || !m->to[0] || !m->from || !m->from[0] || !m->body)
		return err_set(d, ERR_INVALID, "sms sim: a message needs To, From and Body");
	if (ends_with(m->to, "0004")) {
		*vendor_code = SMS_OPTED_OUT_CODE;
		return err_set(d, ERR_INVALID, "sms sim: HTTP 400: Attempt to send to unsubscribed recipient (code 21610)");
	}
	sms_sid_new(sid);
	int64_t t0 = sim_timer_now_ms() + FIRST_EVENT_MS, t1 = t0 + STEP_MS, t2 = t1 + STEP_MS;
	struct sim_event *ev[4] = {0};
	int n = 0;
	ev[n++] = event(s, sid, m, t0, "queued", 0);
	if (ends_with(m->to, "0002")) {
		ev[n++] = event(s, sid, m, t1, "failed", 30008);
	} else {
		ev[n++] = event(s, sid, m, t1, "sent", 0);
		if (ends_with(m->to, "0003"))
			ev[n++] = event(s, sid, m, t2, "undelivered", 30003);
		else
			ev[n++] = event(s, sid, m, t2, "delivered", 0);
		if (ends_with(m->to, "0005"))
			ev[n++] = reply(s, m, t2 + STEP_MS);
	}
	bool ok = true;
	for (int i = 0; i < n; i++)
		ok = ok && ev[i];
	if (!ok) {
		for (int i = 0; i < n; i++)
			free(ev[i]);
		return ERR_NOMEM;
	}
	remember(s, sid, "queued", 0);
	struct sim_timed *at[4];
	for (int i = 0; i < n; i++)
		at[i] = &ev[i]->at;
	sim_timer_add(s->timer, at, n);
	return ERR_OK;
}

/* The simulator is in this process: an attempt whose outcome is unknown died
 * with it, and nothing was delivered. */
static enum err sim_lookup(struct sms_provider *p, const struct sms_out *m, const struct sms_lookup *q,
			   char sid[SMS_SID_SIZE], struct err_detail *d)
{
	(void)p;
	(void)m;
	(void)q;
	(void)sid;
	(void)d;
	return ERR_NOT_FOUND;
}

static enum err sim_fetch(struct sms_provider *p, const char *vendor_sid, struct sms_vendor_status *out,
			  struct err_detail *d)
{
	struct sim *s = (struct sim *)p;
	memset(out, 0, sizeof *out);
	enum err rc = ERR_NOT_FOUND;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < SIM_STATES && vendor_sid && rc != ERR_OK; i++) {
		const struct sim_state *st = &s->states[i];
		if (st->sid[0] && strcmp(st->sid, vendor_sid) == 0) {
			snprintf(out->status, sizeof out->status, "%s", st->status);
			out->error_code = st->error_code;
			out->segments = -1;
			out->price_micros = -1;
			out->date_sent_ms = st->sent_ms;
			rc = ERR_OK;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (rc != ERR_OK)
		err_set(d, ERR_NOT_FOUND, "sms sim: no message %s", vendor_sid ? vendor_sid : "(none)");
	return rc;
}

static void sim_free(struct sms_provider *p)
{
	struct sim *s = (struct sim *)p;
	sim_timer_stop(s->timer);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

enum err sms_sim_open(const struct config *cfg, struct sms_provider **out, struct err_detail *d)
{
	struct sim *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->base.name = "sim";
	s->base.send = sim_send;
	s->base.lookup = sim_lookup;
	s->base.fetch = sim_fetch;
	s->base.free = sim_free;
	s->base.cfg = cfg;
	if (telephony_sid_valid("AC", cfg->twilio_account_sid))
		snprintf(s->account_sid, sizeof s->account_sid, "%s", cfg->twilio_account_sid);
	else
		snprintf(s->account_sid, sizeof s->account_sid, "AC%032d", 0);
	pthread_mutex_init(&s->lock, NULL);
	if (sim_timer_start(fire, s, &s->timer) != ERR_OK) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return err_set(d, ERR_IO, "sms sim: cannot start its thread");
	}
	*out = &s->base;
	return ERR_OK;
}
