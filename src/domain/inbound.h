/* Telephony webhook events, vendor-neutral: an inbound call (create the call,
 * decide how to answer it), a status callback (move the call through its
 * statuses and outcomes via the call edit cycle), the end of a forward (the
 * <Dial> action: answered or missed, and what the caller hears next), a
 * recording callback, a click-to-call leg's progress, and a transcript. Each
 * vendor event is applied once: a repeated delivery finds its
 * webhook_deliveries row and changes nothing. Statuses only move forward
 * (queued/initiated < ringing < in-progress < an end): an event that arrives
 * after a later one changes nothing. The caller (api/webhooks.c) has already
 * verified the signature; it turns the answer into the vendor's XML. */
#ifndef SB_DOMAIN_INBOUND_H
#define SB_DOMAIN_INBOUND_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

/* One vendor event, in Twilio's parameter terms. Strings NULL when absent;
 * numbers I64_NULL when absent. */
struct tel_event {
	const char *call_sid, *account_sid, *from, *to, *call_status, *direction, *answered_by;
	const char *recording_sid, *recording_url, *recording_status;
	int64_t call_duration, recording_duration;
	const char *caller_name; /* CallerName (CNAM), when the number has caller-name lookup */
	/* The <Dial> action request (a forward ended): DialCallStatus completed |
	 * answered | busy | no-answer | failed | canceled, DialCallDuration
	 * (seconds talked), DialCallSid (the forwarded leg). */
	const char *dial_call_status, *dial_call_sid;
	int64_t dial_call_duration;
	int64_t sequence_number; /* SequenceNumber of a status callback (order fired, from 0), or I64_NULL */
	/* Not the vendor's: an AI receptionist is configured, so a call the
	 * number routes to ai is connected to it (agentType ai; at its end, a
	 * call that lasted was answered by it). Without one, such a call goes
	 * to voicemail and is a human-routed call like any other. */
	bool ai_receptionist;
};

struct inbound_wait;

enum tel_kind { TEL_INBOUND, TEL_STATUS, TEL_RECORDING, TEL_LEG, TEL_DIAL };

/* How to answer an inbound call. */
enum tel_answer {
	ANSWER_REJECT,     /* suspended number or blocked caller: refuse the call */
	ANSWER_FORWARD,    /* ring forward_to */
	ANSWER_OVERFLOW,   /* ring forward_to, then voicemail when nobody answers */
	ANSWER_VOICEMAIL,  /* greeting and a recording */
	ANSWER_AI,         /* the AI receptionist */
	ANSWER_HANGUP,     /* TEL_DIAL: end the call */
};

struct tel_result {
	enum tel_kind kind;
	bool replay;             /* the event was applied before: nothing changed now */
	bool stale;              /* a later event was applied before it: nothing changed */
	bool blocked;            /* the caller is on the workspace's blocked list: rejected, nothing written */
	const char *call_id;     /* the call concerned (NULL for a rejected inbound call) */
	enum tel_answer answer;  /* TEL_INBOUND; TEL_DIAL: ANSWER_VOICEMAIL or ANSWER_HANGUP */
	const char *forward_to;  /* ANSWER_FORWARD / ANSWER_OVERFLOW */
	bool record;             /* the number opted into call recording */
	struct inbound_wait *pending; /* inbound_event_async: the write still to come */
};

/* Applies ev. ERR_INVALID (fields named as the vendor names them) for a
 * missing CallSid or a malformed event; ERR_NOT_FOUND for an inbound call to
 * a number no workspace owns (nothing is created) or a callback for an
 * unknown CallSid. Strings in *out live in arena a.
 * A <Dial> action (DialCallStatus) records the forward's outcome: completed
 * or answered → answered, with DialCallDuration as the call's duration;
 * busy, no-answer, failed, canceled → missed. Its answer: voicemail when the
 * number's routing for the call overflows to voicemail and nobody answered,
 * else hang up; answered after the call's own end called it missed (or a
 * voicemail), the follow-up the SLA rule opened for that is cancelled
 * (audited; the call's audit metadata lists it as followUpsCancelled). A call
 * connected to the AI receptionist (ev->ai_receptionist) that completes with
 * a CallDuration > 0 was answered, by the AI. A recording is stored only when
 * RecordingStatus is completed (or absent, as on a <Record> action) and
 * RecordingUrl is not empty. */
enum err inbound_event(struct db *db, const struct tel_event *ev, struct arena *a, struct tel_result *out,
		       struct err_detail *d);

/* The same, without waiting for the write: a new inbound call, and a status
 * callback, <Dial> action or recording of a call that exists, are written by
 * the group-commit writer (store/group_commit.h). When the write was handed
 * over, out->pending is set and the writer thread calls wake(wake_arg) once
 * it is committed or failed; until then the caller must not touch arena a
 * nor d (the writer uses them). The caller then calls
 * inbound_event_finish(out) (on any thread), whose result is the event's
 * (with its detail in d). Every other event (a click-to-call leg, a repeated
 * inbound webhook, one that changes nothing) is done before this returns,
 * with out->pending NULL. */
enum err inbound_event_async(struct db *db, const struct tel_event *ev, struct arena *a, struct tel_result *out,
			     struct err_detail *d, void (*wake)(void *arg), void *wake_arg);
enum err inbound_event_finish(struct tel_result *out);

/* A transcript from a speech-to-text service. */
struct transcript_in {
	const char *call_id;
	const char *body;        /* the transcript JSON as received */
	const char *text;        /* plain text (given, or the segments' text joined) */
	int64_t confidence;      /* 0..100 or I64_NULL */
	const char *language;    /* may be NULL */
};

/* Stores the transcript, sets the call's has_transcript through the edit
 * cycle and refreshes its search row; audited, call_updated emitted.
 * ERR_NOT_FOUND when no call has that id. */
enum err inbound_transcript(struct db *db, const struct transcript_in *in, struct arena *a, struct err_detail *d);

/* Remembers a webhook signature until it could no longer pass the timestamp
 * check (now + ttl_ms); *fresh false when it was seen before (a replay).
 * Forgets expired ones as it goes. */
enum err inbound_signature_claim(struct db *db, const char *source, const char *signature, int64_t now,
				 int64_t ttl_ms, bool *fresh);

#endif
