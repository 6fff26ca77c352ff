/* How the vendor's events move an inbound call along: a status callback, the
 * end of a forward (the <Dial> action), a recording. Pure rules on a struct
 * call (no database): domain/inbound.c reads the call, applies one of these to
 * a copy and hands both to the call edit cycle.
 *
 * Status rules (Twilio CallStatus → our call):
 *   ringing            → ringing (no change on an existing call)
 *   in-progress        → in_progress, answeredAt = now
 *   completed          → endedAt, durationSec; then, in this order:
 *                        answered by the AI receptionist when the call was
 *                        connected to it (agentType ai: routing ai with a
 *                        receptionist configured) and CallDuration > 0:
 *                        completed, disposition answered, answeredAt;
 *                        voicemail when AnsweredBy is a machine or the call
 *                        has a recording; otherwise completed with disposition
 *                        answered (if it was answered) or missed, unless an
 *                        outcome is already set
 *   busy, no-answer,   → busy / no_answer / failed / canceled, disposition
 *   failed, canceled     missed unless one is set, endedAt, durationSec
 *   queued, initiated  → nothing on the call
 * Only forward: an event ranked below the call's status (ringing <
 * in_progress < any end) changes nothing; an end after an end fills only an
 * unknown endedAt or durationSec. Twilio posts an inbound call no in-progress
 * (status callbacks of an inbound call come at its end): a forwarded call's
 * answer comes from its <Dial> action instead (call_progress_dial), an AI
 * call's from its length.
 * with_outcome false: the status moves, the disposition is left alone (the
 * workspace's disposition rules refused the automatic one). */
#ifndef SB_DOMAIN_CALL_PROGRESS_H
#define SB_DOMAIN_CALL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "domain/inbound.h"
#include "store/model.h"

/* The call after a status callback; false when the event is older than what
 * the call shows (a late in-progress after the end): c is left as it was. */
bool call_progress_status(const struct tel_event *ev, struct call *c, bool with_outcome, int64_t now);

/* DialCallStatus: 1 the forward was answered (completed, answered), 0 it was
 * not (busy, no-answer, failed, canceled), -1 a value Twilio does not send. */
int call_progress_dial_answered(const char *dial_call_status);

/* The call after its forward ended (the <Dial> action). Answered: answered,
 * completed, with the talk time (DialCallDuration) as its duration (the
 * call's own CallDuration counts the ringing too), even when the call's end
 * came first and called it missed. Not answered: missed, and the call ends
 * now, unless the caller goes on to voicemail (to_voicemail): the message
 * (voicemail) or the call's end without one (missed) will tell. */
void call_progress_dial(const struct tel_event *ev, struct call *c, bool answered, bool to_voicemail,
			bool with_outcome, int64_t now);

/* A recording there is to store: a recording status callback says completed
 * (in-progress, absent, failed: there is no file), a <Record> action says
 * nothing; and it has a URL. */
bool call_progress_recording_ready(const struct tel_event *ev);

/* The recording's public URL: Twilio serves the media at RecordingUrl + ".mp3"
 * (in arena a; NULL when out of memory). */
const char *call_progress_media_url(struct arena *a, const char *recording_url);

/* The call with its recording (media_url borrowed for c's life): a message
 * left after the call ended without a person makes it a voicemail. */
void call_progress_recording(const char *media_url, struct call *c);

#endif
