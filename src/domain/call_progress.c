/* How vendor events move a call (see call_progress.h for the rules). */
#include "domain/call_progress.h"

#include <string.h>

static bool is(const char *s, const char *word)
{
	return s && strcmp(s, word) == 0;
}

static const char *missed_or(const struct call *c)
{
	return c->disposition ? c->disposition : "missed";
}

/* How far along a call is, by our status (1 ringing, 2 in progress, 3 ended)
 * and by Twilio's CallStatus (0 queued or initiated, then the same; -1 for a
 * value Twilio does not send). Statuses only move forward. */
static int call_rank(const char *status)
{
	if (is(status, "ringing"))
		return 1;
	return is(status, "in_progress") ? 2 : 3;
}

static int vendor_rank(const char *s)
{
	if (is(s, "queued") || is(s, "initiated"))
		return 0;
	if (is(s, "ringing"))
		return 1;
	if (is(s, "in-progress"))
		return 2;
	if (is(s, "completed") || is(s, "busy") || is(s, "no-answer") || is(s, "failed") || is(s, "canceled"))
		return 3;
	return -1;
}

/* Answered `secs` seconds before now (never before the call began), unless known. */
static void answered_for(struct call *c, int64_t secs, int64_t now)
{
	if (c->answered_at != I64_NULL)
		return;
	c->answered_at = secs != I64_NULL ? now - secs * 1000 : now;
	if (c->answered_at < c->started_at)
		c->answered_at = c->started_at;
}

/* A completed call the AI receptionist took: the call was connected to it
 * (agentType ai is set only then, at the inbound webhook) and lasted. Twilio
 * posts such a call no in-progress and no <Dial> action: its length is the
 * only sign that the caller was heard. */
static bool ai_answered(const struct tel_event *ev, const struct call *c)
{
	return is(c->agent_type, "ai") && ev->call_duration != I64_NULL && ev->call_duration > 0;
}

static void apply_completed(const struct tel_event *ev, struct call *c, bool with_outcome, int64_t now)
{
	if (ai_answered(ev, c)) {
		answered_for(c, ev->call_duration, now);
		c->status = "completed";
		if (with_outcome && !c->disposition)
			c->disposition = "answered";
		return;
	}
	bool machine = ev->answered_by && strncmp(ev->answered_by, "machine", 7) == 0;
	if (machine || c->recording_url || ev->recording_url) {
		c->status = "voicemail";
		return;
	}
	c->status = "completed";
	if (with_outcome)
		c->disposition = c->disposition ? c->disposition : (c->answered_at != I64_NULL ? "answered" : "missed");
}

bool call_progress_status(const struct tel_event *ev, struct call *c, bool with_outcome, int64_t now)
{
	const char *s = ev->call_status;
	int to = vendor_rank(s), from = call_rank(c->status);
	if (to < from)
		return false;
	if (to == 3 && from == 3) {
		/* The call's own end after a <Dial> action settled the outcome: only
		 * what is still unknown (its parent's duration counts the ringing,
		 * so a forward's talk time stays). */
		if (c->ended_at == I64_NULL)
			c->ended_at = now;
		if (c->duration_sec == I64_NULL)
			c->duration_sec = ev->call_duration;
		return true;
	}
	if (ev->call_duration != I64_NULL)
		c->duration_sec = ev->call_duration;
	if (to == 2) {
		c->status = "in_progress";
		if (c->answered_at == I64_NULL)
			c->answered_at = now;
		return true;
	}
	if (to < 2)
		return true;
	if (c->ended_at == I64_NULL)
		c->ended_at = now;
	if (is(s, "completed")) {
		apply_completed(ev, c, with_outcome, now);
		return true;
	}
	c->status = is(s, "busy") ? "busy" : is(s, "no-answer") ? "no_answer" : is(s, "failed") ? "failed" : "canceled";
	if (with_outcome)
		c->disposition = missed_or(c);
	return true;
}

int call_progress_dial_answered(const char *s)
{
	if (is(s, "completed") || is(s, "answered"))
		return 1;
	if (is(s, "busy") || is(s, "no-answer") || is(s, "failed") || is(s, "canceled"))
		return 0;
	return -1;
}

void call_progress_dial(const struct tel_event *ev, struct call *c, bool answered, bool to_voicemail,
			bool with_outcome, int64_t now)
{
	int64_t talk = ev->dial_call_duration;
	if (answered) {
		answered_for(c, talk, now);
		if (talk != I64_NULL)
			c->duration_sec = talk;
		c->status = "completed"; /* a person talked: a recording of it is no voicemail */
		if (c->ended_at == I64_NULL)
			c->ended_at = now;
		if (with_outcome && (!c->disposition || is(c->disposition, "missed")))
			c->disposition = "answered";
		return;
	}
	if (to_voicemail)
		return;
	const char *s = ev->dial_call_status;
	if (call_rank(c->status) < 3) /* an end that came first stays */
		c->status = is(s, "busy") ? "busy" : is(s, "no-answer") ? "no_answer" : is(s, "failed") ? "failed" : "canceled";
	if (c->ended_at == I64_NULL)
		c->ended_at = now;
	if (with_outcome)
		c->disposition = missed_or(c);
}

const char *call_progress_media_url(struct arena *a, const char *url)
{
	size_t n = strlen(url);
	if (n > 4 && (!strcmp(url + n - 4, ".mp3") || !strcmp(url + n - 4, ".wav")))
		return url;
	return arena_printf(a, "%s.mp3", url);
}

bool call_progress_recording_ready(const struct tel_event *ev)
{
	return (!ev->recording_status || is(ev->recording_status, "completed")) && ev->recording_url &&
	       ev->recording_url[0];
}

void call_progress_recording(const char *media_url, struct call *c)
{
	c->recording_url = media_url;
	/* A message left after the call ended without a person: the call was a voicemail. */
	if (call_rank(c->status) == 3 && !is(c->status, "voicemail") && (!c->disposition || is(c->disposition, "missed")))
		c->status = "voicemail";
}
