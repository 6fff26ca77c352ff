/* JSON of calls and what they embed, in the client contract's field names
 * (../shared/spec/client-contract.md), written with the streaming writer. */
#ifndef SB_API_CALL_JSON_H
#define SB_API_CALL_JSON_H

#include <stdbool.h>

#include "core/jw.h"
#include "store/model.h"

/* A Call object. detail adds the structured transcript and all follow-ups. */
void call_json_write(struct jw *w, const struct call *c, bool detail);
/* The Call object's members without the braces (to add members of one's own). */
void call_json_fields(struct jw *w, const struct call *c, bool detail);
/* "triage": { score, band, reasons } member of a triage-ranked call (reasons in arena a). */
struct arena;
struct triage_parts;
void triage_json_write(struct jw *w, struct arena *a, const struct triage_parts *t);
/* A FollowUpTask object. */
void followup_json_write(struct jw *w, const struct followup *f);
/* The embedded contact brief ({ id, name, phones, email, doNotContact, address }). */
void contact_brief_json_write(struct jw *w, const struct contact_brief *c);
/* The embedded job brief. */
void job_brief_json_write(struct jw *w, const struct job_brief *j);
/* Writes key: value or key: null for a nullable integer / time. */
void json_kint_or_null(struct jw *w, const char *key, int64_t v);
void json_ktime_or_null(struct jw *w, const char *key, int64_t v);

#endif
