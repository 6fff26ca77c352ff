/* The telephony simulator: no network to a vendor. A placed leg gets a CallSid
 * at once; a thread then plays its life out on timers (see telephony.h for the
 * outcomes) and posts each transition as a Twilio status callback, signed with
 * X-Twilio-Signature over the public webhook URL, to this process's own
 * POST /api/webhooks/telephony. The same verification and state code runs as
 * with the real vendor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/form.h"
#include "core/log.h"
#include "providers/sim_callback.h"
#include "providers/sim_timer.h"
#include "providers/telephony.h"

#define FIRST_EVENT_MS 150 /* leave the dial job time to record the CallSid */
#define STEP_MS 150

struct sim_event {
	struct sim_timed at;         /* first: the timer's link and due time */
	char sid[TEL_SID_SIZE];
	char to[40], from[40];
	const char *status;          /* static */
	int64_t duration;            /* CallDuration, or -1 */
	int seq;
};

struct sim {
	struct telephony base;
	char account_sid[TEL_SID_SIZE];
	struct sim_timer *timer;     /* fires the events (callbacks) */
};

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

static void rfc2822(char *out, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* The webhook's TwiML answer is of no use to the simulator (libcurl would print it). */
static void post(struct sim *s, const struct sim_event *e)
{
	const struct config *cfg = s->base.cfg;
	char seq[16], dur[24], ts[64];
	snprintf(seq, sizeof seq, "%d", e->seq);
	snprintf(dur, sizeof dur, "%lld", (long long)e->duration);
	rfc2822(ts, sizeof ts);
	struct form_param p[16] = {
		{"AccountSid", s->account_sid}, {"ApiVersion", "2010-04-01"}, {"CallSid", e->sid},
		{"CallStatus", e->status},      {"Called", e->to},            {"Caller", e->from},
		{"Direction", "outbound-api"},  {"From", e->from},            {"To", e->to},
		{"Timestamp", ts},              {"SequenceNumber", seq},      {"CallbackSource", "call-progress-events"},
	};
	int np = 12;
	if (e->duration >= 0) {
		p[np++] = (struct form_param){"CallDuration", dur};
		p[np++] = (struct form_param){"Duration", dur};
	}
	struct form f = {p, np};
	char what[160];
	snprintf(what, sizeof what, "telephony sim: status callback %s %s", e->sid, e->status);
	sim_callback_post(cfg->twilio_auth_token, s->base.webhook_url, s->base.local_webhook_url, &f, what);
}

/* The timer's callback: post the event's webhook. */
static void fire(void *ctx, const struct sim_timed *t)
{
	post(ctx, (const struct sim_event *)t);
}

static struct sim_event *event(const char *sid, const struct tel_leg *leg, int64_t due, const char *status,
			       int64_t duration, int seq)
{
	struct sim_event *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->at.due_ms = due;
	snprintf(e->sid, sizeof e->sid, "%s", sid);
	snprintf(e->to, sizeof e->to, "%s", leg->to);
	snprintf(e->from, sizeof e->from, "%s", leg->from);
	e->status = status;
	e->duration = duration;
	e->seq = seq;
	return e;
}

static enum err sim_place(struct telephony *t, const struct tel_leg *leg, char sid[TEL_SID_SIZE],
			  struct err_detail *d)
{
	struct sim *s = (struct sim *)t;
	if (!leg->to || !leg->to[0] || !leg->from)
		return err_set(d, ERR_INVALID, "telephony sim: a leg needs To and From");
	telephony_sid_new("CA", sid);
	int64_t ring = t->cfg->sim_ring_ms, talk = t->cfg->sim_talk_ms;
	int64_t t0 = sim_timer_now_ms() + FIRST_EVENT_MS, t1 = t0 + STEP_MS, t2 = t1 + ring;
	struct sim_event *ev[4] = {0};
	int n = 0;
	ev[n++] = event(sid, leg, t0, "initiated", -1, 0);
	if (ends_with(leg->to, "0002")) {
		ev[n++] = event(sid, leg, t1, "failed", 0, 1);
	} else {
		ev[n++] = event(sid, leg, t1, "ringing", -1, 1);
		if (ends_with(leg->to, "0000")) {
			ev[n++] = event(sid, leg, t2, "busy", 0, 2);
		} else if (ends_with(leg->to, "0001")) {
			ev[n++] = event(sid, leg, t2, "no-answer", 0, 2);
		} else {
			ev[n++] = event(sid, leg, t2, "in-progress", -1, 2);
			ev[n++] = event(sid, leg, t2 + talk, "completed", (talk + 500) / 1000, 3);
		}
	}
	bool ok = true;
	for (int i = 0; i < n; i++)
		ok = ok && ev[i];
	if (!ok) {
		for (int i = 0; i < n; i++)
			free(ev[i]);
		return ERR_NOMEM;
	}
	struct sim_timed *at[4];
	for (int i = 0; i < n; i++)
		at[i] = &ev[i]->at;
	sim_timer_add(s->timer, at, n);
	return ERR_OK;
}

/* A simulated leg is placed by a function call in this process: no attempt
 * ever leaves its outcome unknown, and a crash takes its timers with it. */
static enum err sim_lookup(struct telephony *t, const struct tel_leg *leg, int64_t since_ms,
			   struct tel_call out[TEL_LOOKUP_MAX], int *n, struct err_detail *d)
{
	(void)t, (void)leg, (void)since_ms, (void)out, (void)d;
	*n = 0;
	return ERR_OK;
}

static void sim_free(struct telephony *t)
{
	struct sim *s = (struct sim *)t;
	sim_timer_stop(s->timer);
	free(s);
}

enum err telephony_sim_open(const struct config *cfg, struct telephony **out, struct err_detail *d)
{
	struct sim *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->base.name = "sim";
	s->base.place = sim_place;
	s->base.lookup = sim_lookup;
	s->base.free = sim_free;
	s->base.cfg = cfg;
	if (telephony_sid_valid("AC", cfg->twilio_account_sid))
		snprintf(s->account_sid, sizeof s->account_sid, "%s", cfg->twilio_account_sid);
	else
		snprintf(s->account_sid, sizeof s->account_sid, "AC%032d", 0);
	if (sim_timer_start(fire, s, &s->timer) != ERR_OK) {
		free(s);
		return err_set(d, ERR_IO, "telephony sim: cannot start its thread");
	}
	*out = &s->base;
	return ERR_OK;
}
