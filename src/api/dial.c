/* Click-to-call and live leg status:
 *	POST /api/calls/:id/click-to-call  { bridgeMode?, override? } (or no body)
 *	GET  /api/calls/:id/call-status/:callSid
 * The dial itself runs later as a job (src/jobs/dial.c). */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "domain/dialer.h"
#include "store/model.h"


static bool idem_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > DIAL_IDEM_KEY_MAX)
		return false;
	for (; *k; k++)
		if (*k < 0x21 || *k > 0x7e)
			return false;
	return true;
}

enum err h_click_to_call(struct req *r)
{
	static const char *const keys[] = {"bridgeMode", "override", NULL};
	static const char *const modes[] = {"conference", "transfer", NULL};
	struct dial_request q = {.call_id = req_param(r, "id"), .mode = BRIDGE_CONFERENCE};
	json_t *body = req_body(r);
	if (body) {
		int mode = BRIDGE_CONFERENCE;
		input_known_keys(r, body, keys);
		if (input_enum(r, body, "bridgeMode", INPUT_OPTIONAL, modes, &mode))
			q.mode = (enum bridge_mode)mode;
		input_bool(r, body, "override", INPUT_OPTIONAL, &q.override);
	}
	const char *key = req_header(r, "Idempotency-Key");
	if (key && !idem_key_ok(key))
		err_field_add(&r->err, "Idempotency-Key", "must be 1 to %d printable ASCII characters", DIAL_IDEM_KEY_MAX);
	q.idempotency_key = key;
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct dial_result res;
	if ((rc = dialer_click(r->db, &r->principal, &q, r->arena, &res, &r->err)) != ERR_OK)
		return rc;
	if (res.replay)
		req_add_header(r, "Idempotent-Replayed", "true");
	json_t *out = json_pack("{s:s, s:s}", "callSid", res.call_sid, "status", res.status);
	return out ? reply_json(r, out) : ERR_NOMEM;
}

enum err h_call_status(struct req *r)
{
	struct dial_status s;
	enum err rc = dialer_status(r->db, &r->principal, req_param(r, "id"), req_param(r, "callSid"), r->arena, &s,
				    &r->err);
	if (rc != ERR_OK)
		return rc;
	json_t *out = json_pack("{s:s, s:s, s:s}", "callSid", s.call_sid, "status", s.status, "bridgeMode",
				s.bridge_mode);
	if (!out)
		return ERR_NOMEM;
	if (s.duration_sec != I64_NULL)
		json_object_set_new(out, "duration", json_integer(s.duration_sec));
	if (s.vendor_status)
		json_object_set_new(out, "vendorStatus", json_string(s.vendor_status));
	if (s.outcome)
		json_object_set_new(out, "outcome", json_string(s.outcome));
	if (s.error)
		json_object_set_new(out, "error", json_string(s.error));
	return reply_json(r, out);
}
