/* Blocked numbers and consent:
 *	GET    /api/blocked-numbers            -> { data: BlockedNumber[] }
 *	POST   /api/blocked-numbers            { number, reason?, source? } -> { blockedNumber }
 *	                                       (201; 200 with the existing row when already blocked)
 *	DELETE /api/blocked-numbers/:number    (any format, URL-encoded)
 *	POST   /api/compliance/consent/:callId { recordingConsent?, smsOptIn? } -> { call }
 * BlockedNumber: { number, reason, source, createdBy, createdAt }. */
#include <string.h>

#include "api/call_json.h"
#include "api/handlers.h"
#include "api/input.h"
#include "domain/calls.h"
#include "domain/compliance.h"

static void blocked_json(struct jw *w, const struct blocked_number *b)
{
	jw_obj_begin(w);
	jw_kstr(w, "number", b->e164);
	jw_kstr(w, "reason", b->reason);
	jw_kstr(w, "source", b->source);
	jw_kstr(w, "createdBy", b->created_by);
	jw_ktime_ms(w, "createdAt", b->created_at);
	jw_obj_end(w);
}

enum err h_blocked_list(struct req *r)
{
	struct blocked_number *rows;
	int n;
	enum err rc = blocked_list(r->db, r->principal.workspace_id, r->arena, &rows, &n);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 4096, 16 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "data");
	jw_arr_begin(&w);
	for (int i = 0; i < n; i++)
		blocked_json(&w, &rows[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_blocked_add(struct req *r)
{
	static const char *const keys[] = {"number", "reason", "source", NULL};
	json_t *b = req_body(r);
	const char *number = NULL, *reason = NULL, *source = NULL;
	int i;
	input_known_keys(r, b, keys);
	input_str(r, b, "number", INPUT_REQUIRED, 64, &number);
	input_str(r, b, "reason", INPUT_OPTIONAL, BLOCKED_REASON_MAX, &reason);
	if (input_enum(r, b, "source", INPUT_OPTIONAL, blocked_sources, &i))
		source = blocked_sources[i];
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct blocked_number out;
	bool created = false;
	if ((rc = blocked_add(r->db, &r->principal, number, reason, source, r->arena, &out, &created, &r->err)) != ERR_OK)
		return rc;
	if (!created)
		req_set_status(r, 200);
	struct jw w;
	jw_init(&w, 512, 8192);
	jw_obj_begin(&w);
	jw_key(&w, "blockedNumber");
	blocked_json(&w, &out);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_blocked_remove(struct req *r)
{
	enum err rc = blocked_remove(r->db, &r->principal, req_param(r, "number"), r->arena, &r->err);
	return rc != ERR_OK ? rc : reply_none(r);
}

enum err h_consent_set(struct req *r)
{
	static const char *const keys[] = {"recordingConsent", "smsOptIn", NULL};
	json_t *b = req_body(r);
	struct consent_input in = {-1, -1};
	bool v;
	input_known_keys(r, b, keys);
	if (input_bool(r, b, "recordingConsent", INPUT_OPTIONAL, &v))
		in.recording = v;
	if (input_bool(r, b, "smsOptIn", INPUT_OPTIONAL, &v))
		in.sms = v;
	if (in.recording < 0 && in.sms < 0 && !r->err.nfields)
		err_field_add(&r->err, "recordingConsent", "give recordingConsent, smsOptIn or both");
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	const char *id = req_param(r, "callId");
	if ((rc = compliance_consent_set(r->db, &r->principal, id, &in, r->arena, &r->err)) != ERR_OK)
		return rc;
	struct call c;
	if ((rc = calls_get(r->db, &r->principal, id, r->arena, &c, &r->err)) != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 8192, 4 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "call");
	call_json_write(&w, &c, true);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}
